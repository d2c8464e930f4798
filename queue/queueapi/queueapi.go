// Package queueapi serves the queue engine over HTTPS for counter staff,
// ticket kiosks and display boards:
//
//	GET    /api/queue/services                     services (display)
//	GET    /api/queue/board                        board snapshot (display)
//	GET    /api/queue/events                       server-sent events (display)
//	POST   /api/queue/tickets                      {"service","priority"} → 201 ticket (kiosk)
//	GET    /api/queue/tickets                      today's tickets in issue order (display)
//	POST   /api/queue/tickets/adopt                {"id","service","priority","issued"}: an offline number (kiosk)
//	GET    /api/queue/tickets/{id}                 ticket, people ahead, wait (display)
//	DELETE /api/queue/tickets/{id}                 cancel (staff)
//	POST   /api/queue/tickets/{id}/transfer        {"service"} (staff)
//	POST   /api/queue/counters/{counter}/next      call next; 204 when nobody waits (staff)
//	POST   /api/queue/counters/{counter}/recall    (staff)
//	POST   /api/queue/counters/{counter}/no-show   (staff)
//	POST   /api/queue/counters/{counter}/complete  (staff)
//	POST   /api/queue/calls                        {"kind","reason","screen","ticket","ref","place"} → 201 call (kiosk)
//	GET    /api/queue/calls                        open staff calls (staff)
//	GET    /api/queue/calls/{id}                   one call: delivered, acknowledged (kiosk)
//	POST   /api/queue/calls/{id}/ack               a member of staff takes the call (staff)
//	GET    /queue/counter, /queue/board            the counter screen and the waiting-room board (pages.go)
//
// Staff calls (queue/staffcall) are help requests and device alerts
// raised by kiosks; they exist only when Config.Desk is set. A kiosk
// raises a call under its own client name and may read it back; a call
// counts as delivered to the staff clients whose event stream was open
// when it was raised.
//
// Every request carries "Authorization: Bearer TOKEN". Each Client has its
// own token (CheckToken: long, random, never an example's) and a role:
// display (read), kiosk (read, issue normal tickets and the priority
// classes it was granted) or staff (everything, optionally only at its own
// counters). Tokens are compared as SHA-256 digests in constant time.
//
// Every client is held to a request rate, a number of open event streams
// and, for issuing, a token-bucket rate and a daily cap per service
// (IssueLimits), so one token holder cannot take a service's 999 numbers
// for the day. The cap's service day is forward-only, as the engine's: a
// clock stepped back across the reset time keeps the day's counts. A
// refusal answers 429 with Retry-After, takes no number,
// is counted (Refusals) and logged at most once a minute per client and
// reason. Errors are JSON {"error": "...", "reason": "..."} with
// 400/401/403/404/409/429/503.
//
// The SSE stream sends "event: board" with the full Board first, then one
// "event: <kind>" per queue event (id = day/seq), and ": ping" comments to
// keep proxies open. A staff client's stream also carries "event: calls"
// (the open calls) after the board and "event: call" each time a call is
// raised or acknowledged. A client that falls behind is disconnected and
// reconnects (EventSource does so by itself) to get a fresh board.
//
// ServerTLS builds the listener's TLS configuration; the caller decides
// where plain HTTP is acceptable (loopback only, by kioskd's rules).
//
// This package imports queue, queue/staffcall and the standard library
// only; not the store, not the UI.
package queueapi

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/kiosk06/kiosk/queue"
	"github.com/kiosk06/kiosk/queue/staffcall"
)

// Config configures the API.
type Config struct {
	Clients []Client
	// Limits are every client's issue limits unless it has its own.
	Limits IssueLimits
	// RequestsPerSecond is each client's request rate, any endpoint (burst
	// twice that); default 10.
	RequestsPerSecond float64
	// StreamsPerClient caps a client's open event streams (default 4).
	StreamsPerClient int
	// ResetAt and Location must be the engine's (queue.Config): the daily
	// cap counts per service day.
	ResetAt  time.Duration
	Location *time.Location
	// Desk, when set, takes the kiosks' staff calls and hands them to the
	// staff clients' event streams.
	Desk *staffcall.Desk
	// Heartbeat is the SSE ping interval (default 15 s).
	Heartbeat time.Duration
	Now       func() time.Time
	Logger    *slog.Logger
}

// ErrConfig is returned by New for a configuration it refuses.
var ErrConfig = errors.New("queueapi: configuration")

// Server is the HTTP API; it implements http.Handler.
type Server struct {
	e       *queue.Engine
	cfg     Config
	mux     *http.ServeMux
	clients []*clientState

	mu       sync.Mutex
	refusals map[string]uint64 // reason → refused requests
	byClient map[string]uint64 // client name → refused requests
	latest   time.Time         // the latest wall time an issue was counted at (issueDay)
}

// New builds the API for engine e. It refuses a client without a name, a
// duplicate name or token, a weak token (CheckToken) or an unknown role.
func New(e *queue.Engine, cfg Config) (*Server, error) {
	if cfg.Heartbeat <= 0 {
		cfg.Heartbeat = 15 * time.Second
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Location == nil {
		cfg.Location = time.FixedZone("Asia/Ho_Chi_Minh", 7*3600) // the engine's default
	}
	if cfg.RequestsPerSecond <= 0 {
		cfg.RequestsPerSecond = DefaultRequestsPerSecond
	}
	if cfg.StreamsPerClient <= 0 {
		cfg.StreamsPerClient = DefaultStreamsPerClient
	}
	cfg.Limits = cfg.Limits.or(IssueLimits{PerMinute: DefaultIssuePerMinute, Burst: DefaultIssueBurst, DailyCap: DefaultIssueDailyCap})
	s := &Server{e: e, cfg: cfg, mux: http.NewServeMux(), refusals: map[string]uint64{}, byClient: map[string]uint64{}}
	if err := s.addClients(cfg.Clients); err != nil {
		return nil, err
	}
	s.route("GET /api/queue/services", Display, s.services)
	s.route("GET /api/queue/board", Display, s.board)
	s.route("GET /api/queue/events", Display, s.events)
	s.route("POST /api/queue/tickets", Kiosk, s.issue)
	s.route("GET /api/queue/tickets", Display, s.tickets)
	s.route("POST /api/queue/tickets/adopt", Kiosk, s.adopt)
	s.route("GET /api/queue/tickets/{id}", Display, s.ticket)
	s.route("DELETE /api/queue/tickets/{id}", Staff, s.cancel)
	s.route("POST /api/queue/tickets/{id}/transfer", Staff, s.transfer)
	s.route("POST /api/queue/counters/{counter}/next", Staff, s.next)
	s.route("POST /api/queue/counters/{counter}/recall", Staff, s.counterOp(e.Recall))
	s.route("POST /api/queue/counters/{counter}/no-show", Staff, s.counterOp(e.NoShow))
	s.route("POST /api/queue/counters/{counter}/complete", Staff, s.counterOp(e.Complete))
	s.route("POST /api/queue/calls", Kiosk, s.raise)
	s.route("GET /api/queue/calls", Staff, s.openCalls)
	s.route("GET /api/queue/calls/{id}", Kiosk, s.call)
	s.route("POST /api/queue/calls/{id}/ack", Staff, s.ack)
	s.pages()
	return s, nil
}

func (s *Server) addClients(cs []Client) error {
	if len(cs) == 0 {
		return fmt.Errorf("%w: no clients", ErrConfig)
	}
	names, digests := map[string]bool{}, map[digest]bool{}
	now := s.cfg.Now()
	for _, c := range cs {
		if c.Name == "" || names[c.Name] {
			return fmt.Errorf("%w: client name %q empty or used twice", ErrConfig, c.Name)
		}
		if c.Role < Display || c.Role > Staff {
			return fmt.Errorf("%w: client %s: %v", ErrConfig, c.Name, c.Role)
		}
		if err := CheckToken(c.Token); err != nil {
			return fmt.Errorf("client %s: %w", c.Name, err)
		}
		d := digest(sha256.Sum256([]byte(c.Token)))
		if digests[d] {
			return fmt.Errorf("%w: client %s shares its token with another client", ErrConfig, c.Name)
		}
		names[c.Name], digests[d] = true, true
		c.Limits = c.Limits.or(s.cfg.Limits)
		if c.Limits.DailyCap > maxDailyCap {
			return fmt.Errorf("%w: client %s: daily cap %d, at most %d", ErrConfig, c.Name, c.Limits.DailyCap, maxDailyCap)
		}
		rps := s.cfg.RequestsPerSecond
		s.clients = append(s.clients, &clientState{Client: c, digest: d,
			requests: newBucket(rps, 2*rps, now),
			issues:   newBucket(c.Limits.PerMinute/60, float64(c.Limits.Burst), now),
			issued:   map[string]int{}, logged: map[string]time.Time{}, quiet: map[string]int{}})
	}
	return nil
}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.mux.ServeHTTP(w, r) }

// handler is an endpoint with the authenticated client.
type handler func(http.ResponseWriter, *http.Request, *clientState)

func (s *Server) route(pattern string, need Role, h handler) {
	s.mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
		cs := s.authenticate(r)
		if cs == nil {
			s.refuse(w, r, nil, refusal{code: http.StatusUnauthorized, reason: RefusedUnauthorized, msg: "missing or unknown bearer token"})
			return
		}
		if ok, wait := cs.allowRequest(s.cfg.Now()); !ok {
			s.refuse(w, r, cs, refusal{http.StatusTooManyRequests, RefusedRequestRate, "too many requests from this client", wait})
			return
		}
		if cs.Role < need {
			s.refuse(w, r, cs, refusal{code: http.StatusForbidden, reason: RefusedRole, msg: "a " + cs.Role.String() + " client may not do this"})
			return
		}
		h(w, r, cs)
	})
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}

func writeErr(w http.ResponseWriter, code int, err error) {
	writeJSON(w, code, map[string]string{"error": err.Error()})
}

// fail maps engine errors to HTTP statuses.
func fail(w http.ResponseWriter, err error) {
	code := http.StatusServiceUnavailable // journal failures: retry later
	switch {
	case errors.Is(err, queue.ErrInvalid):
		code = http.StatusBadRequest
	case errors.Is(err, queue.ErrUnknownService), errors.Is(err, queue.ErrUnknownCounter), errors.Is(err, queue.ErrUnknownTicket):
		code = http.StatusNotFound
	case errors.Is(err, queue.ErrBadState), errors.Is(err, queue.ErrNoCurrent), errors.Is(err, queue.ErrFull):
		code = http.StatusConflict
	}
	writeErr(w, code, err)
}

// decode reads a small JSON body into v.
func decode(r *http.Request, v any) error {
	dec := json.NewDecoder(io.LimitReader(r.Body, 4096))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("%w: body: %v", queue.ErrInvalid, err)
	}
	return nil
}

func (s *Server) services(w http.ResponseWriter, _ *http.Request, _ *clientState) {
	writeJSON(w, http.StatusOK, s.e.Services())
}

func (s *Server) board(w http.ResponseWriter, r *http.Request, _ *clientState) {
	b, err := s.e.Board(r.Context())
	if err != nil {
		fail(w, err)
		return
	}
	writeJSON(w, http.StatusOK, b)
}

// issue takes a number for the client, within its priority classes, its
// rate and its daily cap for the service. The limits are checked, and a
// slot reserved, before the engine is asked, so a refusal never takes a
// number; a slot whose Issue fails is handed back.
func (s *Server) issue(w http.ResponseWriter, r *http.Request, cs *clientState) {
	var req struct {
		Service  string         `json:"service"`
		Priority queue.Priority `json:"priority"`
	}
	if err := decode(r, &req); err != nil {
		fail(w, err)
		return
	}
	if !cs.mayIssue(req.Priority) {
		s.refuse(w, r, cs, refusal{code: http.StatusForbidden, reason: RefusedPriority,
			msg: "this client may not issue " + req.Priority.String() + " tickets"})
		return
	}
	if !slices.ContainsFunc(s.e.Services(), func(sv queue.Service) bool { return sv.Code == req.Service }) {
		fail(w, fmt.Errorf("%w: %q", queue.ErrUnknownService, req.Service))
		return
	}
	now := s.cfg.Now()
	day, untilReset := s.issueDay(now)
	if f := cs.reserveIssue(now, day, req.Service, untilReset); f != nil {
		s.refuse(w, r, cs, *f)
		return
	}
	t, err := s.e.Issue(r.Context(), req.Service, req.Priority)
	if err != nil {
		cs.release(day, req.Service)
		fail(w, err)
		return
	}
	writeJSON(w, http.StatusCreated, t)
}

func (s *Server) ticket(w http.ResponseWriter, r *http.Request, _ *clientState) {
	t, err := s.e.Get(r.Context(), r.PathValue("id"))
	if err != nil {
		fail(w, err)
		return
	}
	writeJSON(w, http.StatusOK, t)
}

// ownTicket reports whether a staff client bound to counters may act on
// ticket id: its service must be served at one of them. It answers the
// request itself when not.
func (s *Server) ownTicket(w http.ResponseWriter, r *http.Request, cs *clientState) bool {
	if len(cs.Counters) == 0 {
		return true
	}
	t, err := s.e.Get(r.Context(), r.PathValue("id"))
	if err != nil {
		fail(w, err)
		return false
	}
	for _, sv := range s.e.Services() {
		if sv.Code == t.Service && slices.ContainsFunc(sv.Counters, cs.mayServe) {
			return true
		}
	}
	s.refuse(w, r, cs, refusal{code: http.StatusForbidden, reason: RefusedCounter,
		msg: "ticket " + t.ID + " waits for a service none of this client's counters serves"})
	return false
}

func (s *Server) cancel(w http.ResponseWriter, r *http.Request, cs *clientState) {
	if !s.ownTicket(w, r, cs) {
		return
	}
	t, err := s.e.Cancel(r.Context(), r.PathValue("id"))
	if err != nil {
		fail(w, err)
		return
	}
	writeJSON(w, http.StatusOK, t)
}

func (s *Server) transfer(w http.ResponseWriter, r *http.Request, cs *clientState) {
	var req struct {
		Service string `json:"service"`
	}
	if err := decode(r, &req); err != nil {
		fail(w, err)
		return
	}
	if !s.ownTicket(w, r, cs) {
		return
	}
	t, err := s.e.Transfer(r.Context(), r.PathValue("id"), req.Service)
	if err != nil {
		fail(w, err)
		return
	}
	writeJSON(w, http.StatusOK, t)
}

// ownCounter reports whether the client may operate the request's
// counter, answering the request itself when not.
func (s *Server) ownCounter(w http.ResponseWriter, r *http.Request, cs *clientState) bool {
	if c := r.PathValue("counter"); !cs.mayServe(c) {
		s.refuse(w, r, cs, refusal{code: http.StatusForbidden, reason: RefusedCounter, msg: "this client may not operate counter " + c})
		return false
	}
	return true
}

func (s *Server) next(w http.ResponseWriter, r *http.Request, cs *clientState) {
	if !s.ownCounter(w, r, cs) {
		return
	}
	t, err := s.e.CallNext(r.Context(), r.PathValue("counter"))
	switch {
	case errors.Is(err, queue.ErrEmpty):
		w.WriteHeader(http.StatusNoContent)
	case err != nil:
		fail(w, err)
	default:
		writeJSON(w, http.StatusOK, t)
	}
}

func (s *Server) counterOp(op func(context.Context, string) (queue.Ticket, error)) handler {
	return func(w http.ResponseWriter, r *http.Request, cs *clientState) {
		if !s.ownCounter(w, r, cs) {
			return
		}
		t, err := op(r.Context(), r.PathValue("counter"))
		if err != nil {
			fail(w, err)
			return
		}
		writeJSON(w, http.StatusOK, t)
	}
}

// events streams the board, then each queue event, as server-sent events.
func (s *Server) events(w http.ResponseWriter, r *http.Request, cs *clientState) {
	if !cs.openStream(s.cfg.StreamsPerClient) {
		s.refuse(w, r, cs, refusal{http.StatusTooManyRequests, RefusedStreams,
			fmt.Sprintf("this client has %d event streams open already", s.cfg.StreamsPerClient), 5 * time.Second})
		return
	}
	defer cs.closeStream()
	rc := http.NewResponseController(w)
	ch, cancel := s.e.Subscribe()
	defer cancel()
	b, err := s.e.Board(r.Context())
	if err != nil {
		fail(w, err)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-cache")
	h.Set("X-Accel-Buffering", "no")
	_ = rc.SetWriteDeadline(time.Now().Add(2*s.cfg.Heartbeat + 10*time.Second))
	w.WriteHeader(http.StatusOK)
	if err := sse(w, fmt.Sprintf("%s/%d", b.Day, b.Seq), "board", b); err != nil || rc.Flush() != nil {
		return
	}
	var calls <-chan staffcall.Call
	if cs.Role >= Staff && s.cfg.Desk != nil {
		ch, stop := s.cfg.Desk.Listen()
		defer stop()
		calls = ch
		if err := sse(w, "", "calls", s.cfg.Desk.Open(r.Context())); err != nil || rc.Flush() != nil {
			return
		}
	}
	ping := time.NewTicker(s.cfg.Heartbeat)
	defer ping.Stop()
	for {
		// A client that stops reading is dropped rather than holding
		// this goroutine on a full socket.
		_ = rc.SetWriteDeadline(time.Now().Add(2*s.cfg.Heartbeat + 10*time.Second))
		select {
		case <-r.Context().Done():
			return
		case <-ping.C:
			if _, err := io.WriteString(w, ": ping\n\n"); err != nil {
				return
			}
		case ev, ok := <-ch:
			if !ok {
				return // fell behind: the client reconnects and gets a fresh board
			}
			if err := sse(w, fmt.Sprintf("%s/%d", ev.Day, ev.Seq), string(ev.Kind), ev); err != nil {
				return
			}
		case c, ok := <-calls:
			if !ok {
				return // fell behind: reconnect for the open calls
			}
			if err := sse(w, "", "call", c); err != nil {
				return
			}
		}
		if rc.Flush() != nil {
			return
		}
	}
}

// sse writes one event; data is single-line JSON, so no escaping is needed.
func sse(w io.Writer, id, event string, v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return err
	}
	if id == "" { // a staff call: not a queue position to resume after
		_, err = fmt.Fprintf(w, "event: %s\ndata: %s\n\n", event, data)
		return err
	}
	_, err = fmt.Fprintf(w, "id: %s\nevent: %s\ndata: %s\n\n", id, event, data)
	return err
}

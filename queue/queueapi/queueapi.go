// Package queueapi serves the queue engine over HTTP for counter staff,
// ticket kiosks and display boards:
//
//	GET    /api/queue/services                     services (display)
//	GET    /api/queue/board                        board snapshot (display)
//	GET    /api/queue/events                       server-sent events (display)
//	POST   /api/queue/tickets                      {"service","priority"} → 201 ticket (kiosk)
//	GET    /api/queue/tickets/{id}                 ticket, people ahead, wait (display)
//	DELETE /api/queue/tickets/{id}                 cancel (staff)
//	POST   /api/queue/tickets/{id}/transfer        {"service"} (staff)
//	POST   /api/queue/counters/{counter}/next      call next; 204 when nobody waits (staff)
//	POST   /api/queue/counters/{counter}/recall    (staff)
//	POST   /api/queue/counters/{counter}/no-show   (staff)
//	POST   /api/queue/counters/{counter}/complete  (staff)
//
// Every request carries "Authorization: Bearer TOKEN"; each token has a
// role: display (read), kiosk (read, issue) or staff (everything). Errors
// are JSON {"error": "..."} with 400/401/403/404/409/503.
//
// The SSE stream sends "event: board" with the full Board first, then one
// "event: <kind>" per queue event (id = day/seq), and ": ping" comments to
// keep proxies open. A client that falls behind is disconnected and
// reconnects (EventSource does so by itself) to get a fresh board.
//
// This package imports queue and net/http only; not the store, not the UI.
package queueapi

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/kiosk06/kiosk/queue"
)

// Role is what a token may do.
type Role int

// Roles, each including the ones before it.
const (
	Display Role = iota + 1
	Kiosk
	Staff
)

// Config configures the API.
type Config struct {
	Tokens    map[string]Role // bearer token → role
	Heartbeat time.Duration   // SSE ping interval (default 15 s)
	Logger    *slog.Logger
}

// Server is the HTTP API; it implements http.Handler.
type Server struct {
	e   *queue.Engine
	cfg Config
	mux *http.ServeMux
}

// New builds the API for engine e.
func New(e *queue.Engine, cfg Config) *Server {
	if cfg.Heartbeat <= 0 {
		cfg.Heartbeat = 15 * time.Second
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	s := &Server{e: e, cfg: cfg, mux: http.NewServeMux()}
	s.route("GET /api/queue/services", Display, s.services)
	s.route("GET /api/queue/board", Display, s.board)
	s.route("GET /api/queue/events", Display, s.events)
	s.route("POST /api/queue/tickets", Kiosk, s.issue)
	s.route("GET /api/queue/tickets/{id}", Display, s.ticket)
	s.route("DELETE /api/queue/tickets/{id}", Staff, s.cancel)
	s.route("POST /api/queue/tickets/{id}/transfer", Staff, s.transfer)
	s.route("POST /api/queue/counters/{counter}/next", Staff, s.next)
	s.route("POST /api/queue/counters/{counter}/recall", Staff, s.counterOp(e.Recall))
	s.route("POST /api/queue/counters/{counter}/no-show", Staff, s.counterOp(e.NoShow))
	s.route("POST /api/queue/counters/{counter}/complete", Staff, s.counterOp(e.Complete))
	return s
}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.mux.ServeHTTP(w, r) }

func (s *Server) route(pattern string, need Role, h http.HandlerFunc) {
	s.mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
		role := s.role(r)
		switch {
		case role == 0:
			w.Header().Set("WWW-Authenticate", `Bearer realm="queue"`)
			writeErr(w, http.StatusUnauthorized, errors.New("queueapi: missing or unknown bearer token"))
		case role < need:
			writeErr(w, http.StatusForbidden, errors.New("queueapi: token not allowed to do this"))
		default:
			h(w, r)
		}
	})
}

// role finds the token's role, comparing in constant time.
func (s *Server) role(r *http.Request) Role {
	got, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok || got == "" {
		return 0
	}
	var role Role
	for tok, rl := range s.cfg.Tokens {
		if subtle.ConstantTimeCompare([]byte(got), []byte(tok)) == 1 {
			role = rl
		}
	}
	return role
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

func (s *Server) services(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, s.e.Services())
}

func (s *Server) board(w http.ResponseWriter, r *http.Request) {
	b, err := s.e.Board(r.Context())
	if err != nil {
		fail(w, err)
		return
	}
	writeJSON(w, http.StatusOK, b)
}

func (s *Server) issue(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Service  string         `json:"service"`
		Priority queue.Priority `json:"priority"`
	}
	if err := decode(r, &req); err != nil {
		fail(w, err)
		return
	}
	t, err := s.e.Issue(r.Context(), req.Service, req.Priority)
	if err != nil {
		fail(w, err)
		return
	}
	writeJSON(w, http.StatusCreated, t)
}

func (s *Server) ticket(w http.ResponseWriter, r *http.Request) {
	t, err := s.e.Get(r.Context(), r.PathValue("id"))
	if err != nil {
		fail(w, err)
		return
	}
	writeJSON(w, http.StatusOK, t)
}

func (s *Server) cancel(w http.ResponseWriter, r *http.Request) {
	t, err := s.e.Cancel(r.Context(), r.PathValue("id"))
	if err != nil {
		fail(w, err)
		return
	}
	writeJSON(w, http.StatusOK, t)
}

func (s *Server) transfer(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Service string `json:"service"`
	}
	if err := decode(r, &req); err != nil {
		fail(w, err)
		return
	}
	t, err := s.e.Transfer(r.Context(), r.PathValue("id"), req.Service)
	if err != nil {
		fail(w, err)
		return
	}
	writeJSON(w, http.StatusOK, t)
}

func (s *Server) next(w http.ResponseWriter, r *http.Request) {
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

func (s *Server) counterOp(op func(context.Context, string) (queue.Ticket, error)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		t, err := op(r.Context(), r.PathValue("counter"))
		if err != nil {
			fail(w, err)
			return
		}
		writeJSON(w, http.StatusOK, t)
	}
}

// events streams the board, then each queue event, as server-sent events.
func (s *Server) events(w http.ResponseWriter, r *http.Request) {
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
	w.WriteHeader(http.StatusOK)
	if err := sse(w, fmt.Sprintf("%s/%d", b.Day, b.Seq), "board", b); err != nil || rc.Flush() != nil {
		return
	}
	ping := time.NewTicker(s.cfg.Heartbeat)
	defer ping.Stop()
	for {
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
	_, err = fmt.Fprintf(w, "id: %s\nevent: %s\ndata: %s\n\n", id, event, data)
	return err
}

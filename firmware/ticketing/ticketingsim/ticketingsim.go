// Package ticketingsim is a simulated ticket-selling backend for --sim and
// tests, used the way a test uses httptest: Start it, point the kiosk's
// backend.Client (and the bus validators' list syncer) at URL, Close it.
//
// It serves the API of firmware/ticketing/backend with the same rules a
// real backend must keep: every reply signed (Ed25519) and bound to the
// request's key and device; holds that expire; one seat sold once, however
// many kiosks race for it and however often a request is retried (the
// idempotency key returns the first answer); prices checked against the
// operator's concession table; refunds per the operator's rules. It
// publishes the validators' pass list (GET /v1/lists/pass, signed with its
// list key) from its own sales and from the ticketing.ticket and
// transit.tap records fed to Ingest (what reaches the collector), so a
// pass sold offline at a kiosk reaches validators once its record has
// reached the backend.
//
// The simulator panel's controls: Offline (every ticketing call answers
// 503: the kiosk sells offline what it may), Forge (replies signed with a
// wrong key: the kiosk believes none), Take (another channel sells seats),
// Publish (a new catalogue version), and State for what it holds.
//
// It imports firmware/ticketing/backend, catalog, passlist, records and
// transit; it is never linked into a production path.
package ticketingsim

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/kiosk06/kiosk/firmware/records"
	"github.com/kiosk06/kiosk/firmware/ticketing/backend"
	"github.com/kiosk06/kiosk/firmware/ticketing/catalog"
	"github.com/kiosk06/kiosk/firmware/ticketing/passlist"
	"github.com/kiosk06/kiosk/firmware/transit"
	"github.com/kiosk06/kiosk/payments/tariff"
)

// Options configure a Server. Zero values take the defaults.
type Options struct {
	// Catalogue to sell (default catalog.Sample(now, 14 days of departures)).
	Catalogue *catalog.Catalogue
	// Key signs replies and ticket codes; ListKey signs the pass list
	// (each generated when nil).
	Key, ListKey ed25519.PrivateKey
	// Token, when set, is the bearer token every ticketing request must
	// carry.
	Token string
	// MaxHold caps a hold's TTL (default 15 min).
	MaxHold time.Duration
	// TLS serves HTTPS with httptest's certificate (CertPEM).
	TLS bool
	// Now is the clock (default time.Now).
	Now    func() time.Time
	Logger *slog.Logger
}

// Server is a running simulated backend.
type Server struct {
	opt  Options
	srv  *httptest.Server
	pass *passlist.Builder
	log  *slog.Logger

	mu       sync.Mutex
	idx      *catalog.Index
	raw      []byte // the signed catalogue envelope
	offline  bool
	forge    ed25519.PrivateKey // non-nil: sign with this wrong key
	n        int                // id counter
	holds    map[string]*hold
	holdKeys map[string]string            // request key → hold id
	sold     map[string]map[string]string // departure → seat → ticket
	taken    map[string]map[string]bool   // departure → seats sold elsewhere (Take)
	sales    map[string]*saleRec          // request key → sale
	tickets  map[string]*ticketRec
	refunds  map[string][]byte // request key → the signed reply
}

type hold struct {
	backend.Hold
	device   string
	key      string
	released bool
	sold     bool
}

type saleRec struct {
	req   backend.SaleRequest
	reply backend.Sale
}

type ticketRec struct {
	backend.Ticket
	sale      string
	buyer     string
	operator  string
	item      backend.SaleItem
	departs   time.Time
	cancelled bool
}

// Start starts a server; it stops when ctx ends or Close is called.
func Start(ctx context.Context, opt *Options) (*Server, error) {
	o := Options{}
	if opt != nil {
		o = *opt
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.MaxHold <= 0 {
		o.MaxHold = 15 * time.Minute
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	var err error
	if o.Key == nil {
		if _, o.Key, err = ed25519.GenerateKey(rand.Reader); err != nil {
			return nil, err
		}
	}
	if o.ListKey == nil {
		if _, o.ListKey, err = ed25519.GenerateKey(rand.Reader); err != nil {
			return nil, err
		}
	}
	if o.Catalogue == nil {
		o.Catalogue = catalog.Sample(o.Now(), 66*14)
	}
	s := &Server{opt: o, pass: passlist.New(), log: o.Logger, holds: map[string]*hold{}, holdKeys: map[string]string{},
		sold: map[string]map[string]string{}, taken: map[string]map[string]bool{}, sales: map[string]*saleRec{},
		tickets: map[string]*ticketRec{}, refunds: map[string][]byte{}}
	if err := s.Publish(o.Catalogue); err != nil {
		return nil, err
	}
	if o.TLS {
		s.srv = httptest.NewTLSServer(s.Handler())
	} else {
		s.srv = httptest.NewServer(s.Handler())
	}
	go func() {
		<-ctx.Done()
		s.srv.Close()
	}()
	return s, nil
}

// URL is the server's base URL.
func (s *Server) URL() string { return s.srv.URL }

// Client is an HTTP client that trusts the server's TLS certificate.
func (s *Server) Client() *http.Client { return s.srv.Client() }

// Close stops the server.
func (s *Server) Close() { s.srv.Close() }

// PublicKey is the key replies and ticket codes verify with.
func (s *Server) PublicKey() ed25519.PublicKey { return s.opt.Key.Public().(ed25519.PublicKey) }

// ListPublicKey is the key validators verify the pass list with.
func (s *Server) ListPublicKey() ed25519.PublicKey {
	return s.opt.ListKey.Public().(ed25519.PublicKey)
}

// Publish makes c the catalogue served (its version must grow).
func (s *Server) Publish(c *catalog.Catalogue) error {
	idx, err := catalog.NewIndex(c)
	if err != nil {
		return err
	}
	raw, err := backend.Sign(s.opt.Key, struct {
		backend.Header
		Catalogue *catalog.Catalogue `json:"catalogue"`
	}{backend.Header{Kind: backend.KindCatalogue, SignedAt: s.opt.Now().UTC()}, c})
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.idx != nil && c.Version <= s.idx.Version() {
		return fmt.Errorf("ticketingsim: catalogue version %d is not newer than %d", c.Version, s.idx.Version())
	}
	s.idx, s.raw = idx, raw
	return nil
}

// Offline makes every ticketing call fail with 503 (true) or work again.
func (s *Server) Offline(on bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.offline = on
}

// Forge signs every reply with a wrong key (true), as a man in the middle
// would have to.
func (s *Server) Forge(on bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.forge = nil
	if on {
		_, s.forge, _ = ed25519.GenerateKey(rand.Reader)
	}
}

// Take marks seats of a departure sold by another channel (a ticket office).
func (s *Server) Take(departure string, seats ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.taken[departure] == nil {
		s.taken[departure] = map[string]bool{}
	}
	for _, seat := range seats {
		s.taken[departure][seat] = true
	}
}

// State is what the simulator panel shows.
type State struct {
	Catalogue   uint64 `json:"catalogue"`
	Offline     bool   `json:"offline"`
	Forged      bool   `json:"forged"`
	ActiveHolds int    `json:"active_holds"`
	Sales       int    `json:"sales"`
	Tickets     int    `json:"tickets"`
	Cancelled   int    `json:"cancelled"`
	PassList    uint64 `json:"pass_list"`
}

// State returns what the server holds now.
func (s *Server) State() State {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := State{Catalogue: s.idx.Version(), Offline: s.offline, Forged: s.forge != nil, Sales: len(s.sales), PassList: s.pass.Version()}
	now := s.opt.Now()
	for _, h := range s.holds {
		if h.active(now) {
			st.ActiveHolds++
		}
	}
	for _, t := range s.tickets {
		st.Tickets++
		if t.cancelled {
			st.Cancelled++
		}
	}
	return st
}

// SoldSeats returns the seats of a departure sold here, seat → ticket.
func (s *Server) SoldSeats(departure string) map[string]string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := map[string]string{}
	for k, v := range s.sold[departure] {
		out[k] = v
	}
	return out
}

// Ingest feeds uploaded records to the pass list (ticketing.ticket of
// offline sales, transit.tap of used tickets); other kinds are ignored.
func (s *Server) Ingest(kind string, payload []byte) error {
	_, err := s.pass.Ingest(kind, payload)
	return err
}

func (h *hold) active(now time.Time) bool { return !h.released && !h.sold && now.Before(h.Expires) }

// Handler serves the API.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /v1/ticketing/catalogue", s.auth(s.catalogue))
	mux.HandleFunc("GET /v1/ticketing/departures/{id}/seats", s.auth(s.seats))
	mux.HandleFunc("POST /v1/ticketing/holds", s.auth(s.holdSeats))
	mux.HandleFunc("POST /v1/ticketing/holds/{id}/release", s.auth(s.release))
	mux.HandleFunc("POST /v1/ticketing/sales", s.auth(s.sell))
	mux.HandleFunc("GET /v1/ticketing/tickets", s.auth(s.holderTickets))
	mux.HandleFunc("POST /v1/ticketing/refunds", s.auth(s.refund))
	mux.HandleFunc("GET /v1/ticketing/departures/{id}/manifest", s.auth(s.manifest))
	mux.HandleFunc("POST /v1/ticketing/records", s.ingestHTTP)
	mux.HandleFunc("GET /v1/lists/{name}", s.lists)
	return mux
}

// auth checks the bearer token and the offline switch.
func (s *Server) auth(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		off := s.offline
		s.mu.Unlock()
		if off {
			http.Error(w, "backend offline (simulated)", http.StatusServiceUnavailable)
			return
		}
		if s.opt.Token != "" && r.Header.Get("Authorization") != "Bearer "+s.opt.Token {
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		h(w, r)
	}
}

// reply signs v (whose Header is filled) and writes it with status.
func (s *Server) reply(w http.ResponseWriter, status int, v any) {
	s.mu.Lock()
	key := s.opt.Key
	if s.forge != nil {
		key = s.forge
	}
	s.mu.Unlock()
	b, err := backend.Sign(key, v)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	writeJSON(w, status, b)
}

// refuse signs a refusal.
func (s *Server) refuse(w http.ResponseWriter, h backend.Header, status int, code, msg string, taken []string) {
	h.Kind = backend.KindError
	s.reply(w, status, struct {
		backend.Header
		Code    string   `json:"code"`
		Message string   `json:"message,omitempty"`
		Taken   []string `json:"taken,omitempty"`
	}{h, code, msg, taken})
}

func writeJSON(w http.ResponseWriter, status int, b []byte) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

func (s *Server) header(kind, key, device string) backend.Header {
	return backend.Header{Kind: kind, Key: key, Device: device, SignedAt: s.opt.Now().UTC()}
}

// decode reads a JSON request body (1 MiB at most).
func decode(r *http.Request, v any) error {
	dec := json.NewDecoder(io.LimitReader(r.Body, 1<<20))
	dec.DisallowUnknownFields()
	return dec.Decode(v)
}

func (s *Server) catalogue(w http.ResponseWriter, r *http.Request) {
	since, _ := strconv.ParseUint(r.URL.Query().Get("since"), 10, 64)
	s.mu.Lock()
	raw, ver, forge := s.raw, s.idx.Version(), s.forge
	s.mu.Unlock()
	if since == ver {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	if forge != nil {
		var e backend.Envelope
		_ = json.Unmarshal(raw, &e)
		raw, _ = json.Marshal(backend.Envelope{Payload: e.Payload, Signature: ed25519.Sign(forge, e.Payload)})
	}
	writeJSON(w, http.StatusOK, raw)
}

func (s *Server) seats(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	dep := r.PathValue("id")
	h := s.header(backend.KindSeats, q.Get("key"), q.Get("device"))
	s.mu.Lock()
	_, ok := s.idx.Departure(dep)
	var taken []string
	if ok {
		taken = s.unavailable(dep, "", s.opt.Now())
	}
	s.mu.Unlock()
	if !ok {
		s.refuse(w, h, http.StatusNotFound, backend.CodeUnknown, "no such departure", nil)
		return
	}
	s.reply(w, http.StatusOK, struct {
		backend.Header
		backend.Seats
	}{h, backend.Seats{Departure: dep, Taken: taken}})
}

// unavailable lists the seats of dep sold or held by a hold other than
// except, sorted. Caller holds mu.
func (s *Server) unavailable(dep, except string, now time.Time) []string {
	set := map[string]bool{}
	for seat := range s.sold[dep] {
		set[seat] = true
	}
	for seat := range s.taken[dep] {
		set[seat] = true
	}
	for id, h := range s.holds {
		if id != except && h.Departure == dep && h.active(now) {
			for _, hs := range h.Seats {
				set[hs.Seat] = true
			}
		}
	}
	out := make([]string, 0, len(set))
	for seat := range set {
		out = append(out, seat)
	}
	slices.Sort(out)
	return out
}

func (s *Server) holdSeats(w http.ResponseWriter, r *http.Request) {
	var req backend.HoldRequest
	if err := decode(r, &req); err != nil || req.Key == "" || len(req.Seats) == 0 || len(req.Seats) > 10 {
		s.refuse(w, s.header("", req.Key, req.Device), http.StatusUnprocessableEntity, backend.CodeInvalid, "malformed hold", nil)
		return
	}
	h := s.header(backend.KindHold, req.Key, req.Device)
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.opt.Now()
	if id, ok := s.holdKeys[req.Key]; ok {
		old := s.holds[id]
		if old.device != req.Device || old.Departure != req.Departure || !slices.Equal(seatIDs(old.Seats), req.Seats) {
			s.refuseLocked(w, h, http.StatusUnprocessableEntity, backend.CodeInvalid, "key reused for another hold", nil)
			return
		}
		s.replyLocked(w, http.StatusOK, struct {
			backend.Header
			Hold backend.Hold `json:"hold"`
		}{h, old.Hold})
		return
	}
	dep, ok := s.idx.Departure(req.Departure)
	if !ok {
		s.refuseLocked(w, h, http.StatusNotFound, backend.CodeUnknown, "no such departure", nil)
		return
	}
	if !dep.Departs(req.From).After(now) {
		s.refuseLocked(w, h, http.StatusUnprocessableEntity, backend.CodeInvalid, "departed", nil)
		return
	}
	m, _ := s.idx.SeatMap(dep.SeatMap)
	var held []backend.HeldSeat
	for i, seat := range req.Seats {
		class, ok := seatClass(m, seat)
		fare, fok := dep.Fare(req.From, req.To, class)
		if !ok || !fok || slices.Contains(req.Seats[:i], seat) {
			s.refuseLocked(w, h, http.StatusUnprocessableEntity, backend.CodeInvalid, "unknown seat or segment "+seat, nil)
			return
		}
		held = append(held, backend.HeldSeat{Seat: seat, Class: class, Fare: fare})
	}
	busy := s.unavailable(req.Departure, "", now)
	var taken []string
	for _, seat := range req.Seats {
		if slices.Contains(busy, seat) {
			taken = append(taken, seat)
		}
	}
	if len(taken) > 0 {
		s.refuseLocked(w, h, http.StatusConflict, backend.CodeSeatTaken, "", taken)
		return
	}
	ttl := min(max(time.Duration(req.TTLSeconds)*time.Second, 30*time.Second), s.opt.MaxHold)
	s.n++
	hd := &hold{Hold: backend.Hold{ID: fmt.Sprintf("H-%06d", s.n), Departure: req.Departure, From: req.From, To: req.To, Seats: held,
		Expires: now.Add(ttl).UTC()}, device: req.Device, key: req.Key}
	s.holds[hd.ID], s.holdKeys[req.Key] = hd, hd.ID
	s.replyLocked(w, http.StatusOK, struct {
		backend.Header
		Hold backend.Hold `json:"hold"`
	}{h, hd.Hold})
}

// replyLocked and refuseLocked sign while mu is held.
func (s *Server) replyLocked(w http.ResponseWriter, status int, v any) {
	key := s.opt.Key
	if s.forge != nil {
		key = s.forge
	}
	b, err := backend.Sign(key, v)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	writeJSON(w, status, b)
}

func (s *Server) refuseLocked(w http.ResponseWriter, h backend.Header, status int, code, msg string, taken []string) {
	h.Kind = backend.KindError
	s.replyLocked(w, status, struct {
		backend.Header
		Code    string   `json:"code"`
		Message string   `json:"message,omitempty"`
		Taken   []string `json:"taken,omitempty"`
	}{h, code, msg, taken})
}

func seatIDs(hs []backend.HeldSeat) []string {
	out := make([]string, len(hs))
	for i, h := range hs {
		out[i] = h.Seat
	}
	return out
}

func seatClass(m catalog.SeatMap, seat string) (string, bool) {
	for _, car := range m.Cars {
		for _, st := range car.Seats {
			if st.ID == seat {
				return st.Class, true
			}
		}
	}
	return "", false
}

func (s *Server) release(w http.ResponseWriter, r *http.Request) {
	var req backend.ReleaseRequest
	if err := decode(r, &req); err != nil || req.Key == "" {
		s.refuse(w, s.header("", req.Key, req.Device), http.StatusUnprocessableEntity, backend.CodeInvalid, "malformed release", nil)
		return
	}
	h := s.header(backend.KindRelease, req.Key, req.Device)
	s.mu.Lock()
	defer s.mu.Unlock()
	hd, ok := s.holds[r.PathValue("id")]
	if !ok || hd.ID != req.Hold || hd.device != req.Device {
		s.refuseLocked(w, h, http.StatusNotFound, backend.CodeUnknown, "no such hold", nil)
		return
	}
	if !hd.sold {
		hd.released = true
	}
	s.replyLocked(w, http.StatusOK, struct{ backend.Header }{h})
}

// errSale is a refusal of a sale.
type errSale struct{ code, msg string }

func (e errSale) Error() string { return e.code + ": " + e.msg }

func (s *Server) sell(w http.ResponseWriter, r *http.Request) {
	var req backend.SaleRequest
	if err := decode(r, &req); err != nil || req.Key == "" || len(req.Items) == 0 || len(req.Items) > 20 {
		s.refuse(w, s.header("", req.Key, req.Device), http.StatusUnprocessableEntity, backend.CodeInvalid, "malformed sale", nil)
		return
	}
	h := s.header(backend.KindSale, req.Key, req.Device)
	s.mu.Lock()
	defer s.mu.Unlock()
	if old, ok := s.sales[req.Key]; ok {
		if old.req.Total != req.Total || len(old.req.Items) != len(req.Items) || old.req.Device != req.Device {
			s.refuseLocked(w, h, http.StatusUnprocessableEntity, backend.CodeInvalid, "key reused for another sale", nil)
			return
		}
		s.replyLocked(w, http.StatusOK, struct {
			backend.Header
			Sale backend.Sale `json:"sale"`
		}{h, old.reply})
		return
	}
	sale, err := s.sellLocked(req)
	if err != nil {
		var es errSale
		errors.As(err, &es)
		status := http.StatusUnprocessableEntity
		if es.code == backend.CodeHoldExpired || es.code == backend.CodeSeatTaken {
			status = http.StatusConflict
		}
		s.refuseLocked(w, h, status, es.code, es.msg, nil)
		return
	}
	s.replyLocked(w, http.StatusOK, struct {
		backend.Header
		Sale backend.Sale `json:"sale"`
	}{h, sale})
}

// sellLocked checks and makes a sale. Caller holds mu.
func (s *Server) sellLocked(req backend.SaleRequest) (backend.Sale, error) {
	now := s.opt.Now()
	var hd *hold
	if req.Hold != "" {
		hd = s.holds[req.Hold]
		switch {
		case hd == nil || hd.device != req.Device:
			return backend.Sale{}, errSale{backend.CodeUnknown, "no such hold"}
		case hd.sold:
			return backend.Sale{}, errSale{backend.CodeInvalid, "hold already sold under another key"}
		case hd.released || !now.Before(hd.Expires):
			return backend.Sale{}, errSale{backend.CodeHoldExpired, "the hold expired or was released"}
		}
	}
	var total int64
	seatsSold := map[string]bool{}
	validity := make([][2]time.Time, len(req.Items))
	ops := make([]string, len(req.Items))
	for i, it := range req.Items {
		var op catalog.Operator
		var at time.Time
		switch {
		case it.Seat != "":
			if hd == nil || it.Departure != hd.Departure || it.From != hd.From || it.To != hd.To || seatsSold[it.Seat] {
				return backend.Sale{}, errSale{backend.CodeInvalid, "item " + strconv.Itoa(i) + " is not a seat of the hold"}
			}
			j := slices.IndexFunc(hd.Seats, func(x backend.HeldSeat) bool { return x.Seat == it.Seat })
			if j < 0 || hd.Seats[j].Fare != it.Base {
				return backend.Sale{}, errSale{backend.CodeAmountMismatch, "seat " + it.Seat + ": base fare"}
			}
			seatsSold[it.Seat] = true
			dep, _ := s.idx.Departure(it.Departure)
			rt, _ := s.idx.Route(dep.Route)
			op, _ = s.idx.Operator(rt.Operator)
			at = dep.Departs(it.From)
			validity[i] = [2]time.Time{at, dep.Arrives(it.To)}
			if it.Passenger.Name == "" && it.Passenger.Kind == "card" || it.Passenger.IDNumber == "" {
				return backend.Sale{}, errSale{backend.CodeInvalid, "a named ticket without the passenger's name or ID number"}
			}
		case it.Product != "":
			p, ok := s.idx.Product(it.Product)
			if !ok || p.Price != it.Base {
				return backend.Sale{}, errSale{backend.CodeAmountMismatch, "product " + it.Product + ": base price"}
			}
			op, _ = s.idx.Operator(p.Operator)
			from, until, err := productValidity(p, it.ValidFrom, now)
			if err != nil {
				return backend.Sale{}, errSale{backend.CodeInvalid, err.Error()}
			}
			at, validity[i] = from, [2]time.Time{from, until}
		default:
			return backend.Sale{}, errSale{backend.CodeInvalid, "an item without a seat or a product"}
		}
		ops[i] = op.ID
		if len(it.Passenger.Token) != 64 {
			return backend.Sale{}, errSale{backend.CodeInvalid, "a passenger without a token"}
		}
		if want := expectedPrice(op, it, at); want != it.Price {
			return backend.Sale{}, errSale{backend.CodeAmountMismatch, fmt.Sprintf("item %d: price %d, the operator's table says %d", i, it.Price, want)}
		}
		total += it.Price
	}
	if hd != nil && len(seatsSold) != len(hd.Seats) {
		return backend.Sale{}, errSale{backend.CodeInvalid, "the sale leaves held seats unsold"}
	}
	switch {
	case total != req.Total:
		return backend.Sale{}, errSale{backend.CodeAmountMismatch, "total"}
	case req.Payment.Method == "free" && total != 0, req.Payment.Method == "vietqr" && req.Payment.Amount != total,
		req.Payment.Method != "free" && req.Payment.Method != "vietqr":
		return backend.Sale{}, errSale{backend.CodeAmountMismatch, "payment"}
	}
	s.n++
	sale := backend.Sale{ID: fmt.Sprintf("S-%06d", s.n), Total: total}
	for i, it := range req.Items {
		s.n++
		t := backend.Ticket{ID: fmt.Sprintf("T-%06d", s.n), Item: i, Seat: it.Seat, ValidFrom: validity[i][0].UTC(), ValidUntil: validity[i][1].UTC()}
		code, err := backend.MakeTicketCode(s.opt.Key, backend.TicketClaims{Ticket: t.ID, Operator: ops[i], Departure: it.Departure, Seat: it.Seat,
			Product: it.Product, From: t.ValidFrom.Unix(), Until: t.ValidUntil.Unix(), Holder: it.Passenger.Token[:16]})
		if err != nil {
			return backend.Sale{}, errSale{backend.CodeInvalid, err.Error()}
		}
		t.Code = code
		sale.Tickets = append(sale.Tickets, t)
		tr := &ticketRec{Ticket: t, sale: sale.ID, buyer: req.Buyer, operator: ops[i], item: it, departs: validity[i][0]}
		s.tickets[t.ID] = tr
		if it.Seat != "" {
			if s.sold[it.Departure] == nil {
				s.sold[it.Departure] = map[string]string{}
			}
			s.sold[it.Departure][it.Seat] = t.ID
		}
		if p, ok := s.idx.Product(it.Product); ok {
			s.pass.AddTicket(records.TicketingTicket{Ticket: t.ID, Sale: sale.ID, Key: req.Key, Kind: string(p.Kind), Route: s.routeCode(p.Route),
				ValidFrom: t.ValidFrom, ValidTo: t.ValidUntil, Token: it.Passenger.Token})
		}
	}
	if hd != nil {
		hd.sold = true
	}
	s.sales[req.Key] = &saleRec{req: req, reply: sale}
	return sale, nil
}

// routeCode is the code validators know a route by.
func (s *Server) routeCode(route string) string {
	if r, ok := s.idx.Route(route); ok && r.Code != "" {
		return r.Code
	}
	return route
}

// productValidity is when a product sold at now with validFrom is valid.
func productValidity(p catalog.Product, validFrom, now time.Time) (time.Time, time.Time, error) {
	loc := tariff.Location()
	switch p.Kind {
	case catalog.ProductMonthly:
		m := validFrom.In(loc)
		start := time.Date(m.Year(), m.Month(), 1, 0, 0, 0, 0, loc)
		n := now.In(loc)
		thisMonth := time.Date(n.Year(), n.Month(), 1, 0, 0, 0, 0, loc)
		if !m.Equal(start) || start.Before(thisMonth) || start.After(thisMonth.AddDate(0, 1, 0)) {
			return time.Time{}, time.Time{}, errors.New("a monthly pass starts on the 1st of this month or the next")
		}
		return start, start.AddDate(0, 1, 0), nil
	case catalog.ProductRide:
		if validFrom.Before(now.Add(-time.Hour)) || validFrom.After(now.Add(time.Hour)) {
			return time.Time{}, time.Time{}, errors.New("a ride is valid from its sale")
		}
		return validFrom, validFrom.AddDate(0, 0, p.ValidDays), nil
	}
	return time.Time{}, time.Time{}, errors.New("unknown product kind")
}

// expectedPrice is the operator's price for the item.
func expectedPrice(op catalog.Operator, it backend.SaleItem, at time.Time) int64 {
	tr := tariff.Traveller{}
	if d, err := time.ParseInLocation("2006-01-02", it.Passenger.DOB, tariff.Location()); err == nil {
		tr.BirthDate = d
	}
	if it.Category != "" {
		tr.Declared = []string{it.Category}
	}
	c, _, err := op.Fares().Price(tariff.VND(it.Base), tr, at)
	if err != nil {
		return -1
	}
	return int64(c.Total)
}

func (s *Server) holderTickets(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	holder := q.Get("holder")
	h := s.header(backend.KindTickets, q.Get("key"), q.Get("device"))
	s.mu.Lock()
	out := []backend.TicketInfo{}
	for _, t := range s.tickets {
		if t.item.Passenger.Token != holder && t.buyer != holder {
			continue
		}
		st := "valid"
		if t.cancelled {
			st = "cancelled"
		}
		out = append(out, backend.TicketInfo{ID: t.ID, Sale: t.sale, Operator: t.operator, Departure: t.item.Departure, From: t.item.From,
			To: t.item.To, Seat: t.item.Seat, Product: t.item.Product, DepartsAt: t.departs, Price: t.item.Price, Status: st,
			Passenger: maskPassenger(t.item.Passenger)})
	}
	s.mu.Unlock()
	slices.SortFunc(out, func(a, b backend.TicketInfo) int { return strings.Compare(a.ID, b.ID) })
	s.reply(w, http.StatusOK, struct {
		backend.Header
		Holder  string               `json:"holder"`
		Tickets []backend.TicketInfo `json:"tickets"`
	}{h, holder, out})
}

// maskPassenger names a passenger the way a screen may: given name and a
// masked ID number.
func maskPassenger(p backend.Passenger) string {
	id := p.IDNumber
	if len(id) == 12 {
		id = id[:4] + "••••••" + id[10:]
	}
	name := p.Name
	if f := strings.Fields(name); len(f) > 0 {
		name = f[len(f)-1]
	}
	switch {
	case name != "" && id != "":
		return name + " – " + id
	case id != "":
		return id
	}
	return "Hành khách"
}

func (s *Server) refund(w http.ResponseWriter, r *http.Request) {
	var req backend.CancelRequest
	if err := decode(r, &req); err != nil || req.Key == "" {
		s.refuse(w, s.header("", req.Key, req.Device), http.StatusUnprocessableEntity, backend.CodeInvalid, "malformed refund", nil)
		return
	}
	h := s.header(backend.KindRefund, req.Key, req.Device)
	s.mu.Lock()
	defer s.mu.Unlock()
	if b, ok := s.refunds[req.Key]; ok {
		writeJSON(w, http.StatusOK, b)
		return
	}
	t, ok := s.tickets[req.Ticket]
	if !ok || t.item.Passenger.Token != req.Holder && t.buyer != req.Holder {
		s.refuseLocked(w, h, http.StatusNotFound, backend.CodeUnknown, "no such ticket of this holder", nil)
		return
	}
	op, _ := s.idx.Operator(t.operator)
	rule, ok := op.RefundFor(t.departs, s.opt.Now())
	if t.cancelled || t.item.Seat == "" || !ok {
		s.refuseLocked(w, h, http.StatusUnprocessableEntity, backend.CodeNotRefundable, "not refundable now", nil)
		return
	}
	fee := t.item.Price * int64(rule.FeePercent) / 100
	rf := backend.Refund{Ticket: t.ID, Sale: t.sale, Price: t.item.Price, Fee: fee, Amount: t.item.Price - fee, Rule: rule.Text, Method: "original"}
	t.cancelled = true
	delete(s.sold[t.item.Departure], t.item.Seat)
	key := s.opt.Key
	if s.forge != nil {
		key = s.forge
	}
	b, err := backend.Sign(key, struct {
		backend.Header
		Refund backend.Refund `json:"refund"`
	}{h, rf})
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	s.refunds[req.Key] = b
	writeJSON(w, http.StatusOK, b)
}

func (s *Server) manifest(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	dep := r.PathValue("id")
	h := s.header(backend.KindManifest, q.Get("key"), q.Get("device"))
	s.mu.Lock()
	m := backend.Manifest{Departure: dep, Passengers: []backend.ManifestPassenger{}}
	for _, t := range s.tickets {
		if t.item.Departure != dep || t.cancelled {
			continue
		}
		p := t.item.Passenger
		m.Passengers = append(m.Passengers, backend.ManifestPassenger{Seat: t.item.Seat, Ticket: t.ID, Name: p.Name, IDNumber: p.IDNumber,
			DOB: p.DOB, Sex: p.Sex, Board: t.item.From, Alight: t.item.To})
	}
	s.mu.Unlock()
	slices.SortFunc(m.Passengers, func(a, b backend.ManifestPassenger) int { return strings.Compare(a.Seat, b.Seat) })
	s.reply(w, http.StatusOK, struct {
		backend.Header
		Manifest backend.Manifest `json:"manifest"`
	}{h, m})
}

// ingestHTTP takes uploaded records: [{"kind": "...", "payload": {...}}].
func (s *Server) ingestHTTP(w http.ResponseWriter, r *http.Request) {
	var recs []struct {
		Kind    string          `json:"kind"`
		Payload json.RawMessage `json:"payload"`
	}
	if err := json.NewDecoder(io.LimitReader(r.Body, 16<<20)).Decode(&recs); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	for _, rec := range recs {
		if err := s.Ingest(rec.Kind, rec.Payload); err != nil {
			http.Error(w, err.Error(), http.StatusUnprocessableEntity)
			return
		}
	}
	w.WriteHeader(http.StatusNoContent)
}

// lists serves the validators' signed lists: the pass list from the
// sales, and an empty deny list (version 1).
func (s *Server) lists(w http.ResponseWriter, r *http.Request) {
	since, _ := strconv.ParseUint(r.URL.Query().Get("since"), 10, 64)
	var body []byte
	var err error
	switch r.PathValue("name") {
	case transit.ListPass:
		if since == s.pass.Version() {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		body, err = s.pass.Envelope(s.opt.ListKey, s.opt.Now())
	case transit.ListDeny:
		if since == 1 {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		var env transit.Envelope
		if env, err = transit.SignDocument(s.opt.ListKey, transit.Document{Name: transit.ListDeny, Version: 1, Full: true}); err == nil {
			body, err = json.Marshal(env)
		}
	default:
		http.NotFound(w, r)
		return
	}
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	writeJSON(w, http.StatusOK, body)
}

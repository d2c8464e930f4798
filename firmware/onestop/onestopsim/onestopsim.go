// Package onestopsim is a simulated one-stop information system speaking
// firmware/onestop/backend's protocol, for tests and `kioskd run --sim`:
// the Seed catalogue, dossiers kept in memory per ID number (filed ones
// and any given in Options), receipts with a dossier code, the appointment
// date counted in working days and the fees, provincial-app QR tokens it
// issues and resolves, and a help desk whose staff accept support requests
// (AcceptSupport: the simulator panel's "a staff member answers"). It
// repeats the first answer for a repeated Idempotency-Key and can be told
// to fail.
//
// Like net/http/httptest: Start, point the real client at URL, Close.
//
// It imports backend, catalog and the standard library; it is never used
// in production.
package onestopsim

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/kiosk06/kiosk/firmware/onestop/backend"
	"github.com/kiosk06/kiosk/firmware/onestop/catalog"
)

// AppFormat is the provincial-app QR format the simulator issues and
// resolves ("hue-s": Thừa Thiên Huế's citizen app, seed 002 MH2).
const AppFormat = "hue-s"

// AppPrefix starts every app token the simulator issues.
const AppPrefix = "HUES1."

// Options configure a Sim; nil and the zero value mean the defaults.
type Options struct {
	// Token is the bearer token required ("" accepts any request).
	Token string
	// Procedures is the catalogue (nil: Seed()); Version its version
	// ("" : "sim-1").
	Procedures []catalog.Procedure
	Version    string
	// Dossiers are dossiers the citizens already have, by ID number.
	Dossiers map[string][]backend.Dossier
	// Office is the dossier code's office part (default "000.00.00.SIM").
	Office string
	// Location is the office's time zone (default UTC+7).
	Location *time.Location
	// Now is the simulator's clock (default time.Now).
	Now    func() time.Time
	Logger *slog.Logger // nil: slog.Default(); never receives personal data
}

// Sim is a running simulated one-stop system.
type Sim struct {
	opt Options
	srv *httptest.Server

	mu       sync.Mutex
	cat      []catalog.Procedure
	version  string
	dossiers map[string][]backend.Dossier // by ID number, newest first
	receipts map[string]backend.Receipt   // by idempotency key
	subs     []backend.Submission
	support  []backend.SupportTicket
	tokens   map[string]backend.Citizen
	fail     []int
	delay    time.Duration
	seq      int
	stop     func() bool
}

// Start serves a simulated one-stop system on a loopback port until ctx
// ends or Close is called.
func Start(ctx context.Context, opt *Options) (*Sim, error) {
	var o Options
	if opt != nil {
		o = *opt
	}
	if o.Procedures == nil {
		o.Procedures = Seed()
	}
	if o.Version == "" {
		o.Version = "sim-1"
	}
	if o.Office == "" {
		o.Office = "000.00.00.SIM"
	}
	if o.Location == nil {
		o.Location = time.FixedZone("ICT", 7*3600)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if _, err := catalog.New(o.Version, o.Now(), o.Procedures); err != nil {
		return nil, fmt.Errorf("onestopsim: %w", err)
	}
	s := &Sim{opt: o, cat: o.Procedures, version: o.Version, dossiers: map[string][]backend.Dossier{},
		receipts: map[string]backend.Receipt{}, tokens: map[string]backend.Citizen{}}
	for id, ds := range o.Dossiers {
		s.dossiers[id] = slices.Clone(ds)
	}
	s.srv = httptest.NewServer(s.handler())
	s.stop = context.AfterFunc(ctx, s.srv.Close)
	return s, nil
}

// URL is the base URL to configure the client with.
func (s *Sim) URL() string { return s.srv.URL }

// Close stops the server; it may be called again.
func (s *Sim) Close() error {
	s.stop()
	s.srv.Close()
	return nil
}

// SetCatalogue replaces the catalogue under a new version.
func (s *Sim) SetCatalogue(version string, ps []catalog.Procedure) {
	s.mu.Lock()
	s.cat, s.version = ps, version
	s.mu.Unlock()
}

// FailNext makes the next requests answer these HTTP statuses, in order.
func (s *Sim) FailNext(status ...int) {
	s.mu.Lock()
	s.fail = append(s.fail, status...)
	s.mu.Unlock()
}

// SetDelay delays every answer (to provoke client timeouts).
func (s *Sim) SetDelay(d time.Duration) { s.mu.Lock(); s.delay = d; s.mu.Unlock() }

// Submissions returns every dossier filed, in order (one per key).
func (s *Sim) Submissions() []backend.Submission {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.subs)
}

// IssueAppToken issues a provincial-app QR token for p, valid for ttl; the
// QR the app shows is AppPrefix + the token.
func (s *Sim) IssueAppToken(p backend.Person, ttl time.Duration) string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	tok := AppPrefix + hex.EncodeToString(b)
	p.Verified = "app_online"
	s.mu.Lock()
	s.tokens[tok] = backend.Citizen{Person: p, ExpiresAt: s.opt.Now().Add(ttl)}
	s.mu.Unlock()
	return tok
}

// SupportRequests returns the help desk's requests, oldest first.
func (s *Sim) SupportRequests() []backend.SupportTicket {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.support)
}

// AcceptSupport has staff member name (id) accept the oldest waiting
// request; it reports false when none waits.
func (s *Sim) AcceptSupport(name, id, note string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := range s.support {
		if s.support[i].State == backend.SupportWaiting {
			s.support[i].State, s.support[i].StaffName, s.support[i].StaffID = backend.SupportAccepted, name, id
			s.support[i].AcceptedAt, s.support[i].Note = s.opt.Now(), note
			return true
		}
	}
	return false
}

// SetStatus moves a dossier to status (the office working on it).
func (s *Sim) SetStatus(code string, status backend.DossierStatus, text string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	for id, ds := range s.dossiers {
		for i := range ds {
			if ds[i].Code == code {
				s.dossiers[id][i].Status, s.dossiers[id][i].StatusText = status, text
				return true
			}
		}
	}
	return false
}

func (s *Sim) handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+backend.ProceduresPath, s.procedures)
	mux.HandleFunc("POST "+backend.ResolvePath, s.resolve)
	mux.HandleFunc("POST "+backend.DossierSearchPath, s.search)
	mux.HandleFunc("POST "+backend.DossiersPath, s.submit)
	mux.HandleFunc("POST "+backend.SupportPath, s.requestSupport)
	mux.HandleFunc("GET "+backend.SupportPath+"/{id}", s.getSupport)
	mux.HandleFunc("DELETE "+backend.SupportPath+"/{id}", s.cancelSupport)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.opt.Token != "" && r.Header.Get("Authorization") != "Bearer "+s.opt.Token {
			writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "bad token"})
			return
		}
		s.mu.Lock()
		d := s.delay
		var status int
		if len(s.fail) > 0 {
			status, s.fail = s.fail[0], s.fail[1:]
		}
		s.mu.Unlock()
		if d > 0 {
			select {
			case <-time.After(d):
			case <-r.Context().Done():
				return
			}
		}
		if status != 0 {
			writeJSON(w, status, map[string]string{"error": "simulated failure"})
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, 1<<20)
		mux.ServeHTTP(w, r)
	})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func (s *Sim) procedures(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	v, ps := s.version, s.cat
	s.mu.Unlock()
	if r.Header.Get("If-None-Match") == `"`+v+`"` {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	w.Header().Set("ETag", `"`+v+`"`)
	writeJSON(w, http.StatusOK, backend.CatalogueReply{Version: v, Procedures: ps})
}

func (s *Sim) resolve(w http.ResponseWriter, r *http.Request) {
	var q struct{ Format, Token string }
	if json.NewDecoder(r.Body).Decode(&q) != nil || q.Format != AppFormat {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "unknown format"})
		return
	}
	s.mu.Lock()
	c, ok := s.tokens[q.Token]
	s.mu.Unlock()
	if !ok || !s.opt.Now().Before(c.ExpiresAt) {
		writeJSON(w, http.StatusUnprocessableEntity, map[string]string{"error": "mã QR không hợp lệ hoặc đã hết hạn"})
		return
	}
	writeJSON(w, http.StatusOK, c)
}

func (s *Sim) search(w http.ResponseWriter, r *http.Request) {
	var q struct {
		ID string `json:"id_number"`
	}
	if json.NewDecoder(r.Body).Decode(&q) != nil || len(q.ID) != 12 {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "id_number"})
		return
	}
	s.mu.Lock()
	ds := slices.Clone(s.dossiers[q.ID])
	s.mu.Unlock()
	if ds == nil {
		ds = []backend.Dossier{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"dossiers": ds})
}

func (s *Sim) submit(w http.ResponseWriter, r *http.Request) {
	key := r.Header.Get(backend.IdempotencyKeyName)
	var sub backend.Submission
	if key == "" || json.NewDecoder(r.Body).Decode(&sub) != nil || sub.Key != key {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "idempotency key and body"})
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if rc, ok := s.receipts[key]; ok {
		writeJSON(w, http.StatusOK, rc)
		return
	}
	i := slices.IndexFunc(s.cat, func(p catalog.Procedure) bool { return p.Code == sub.ProcedureCode })
	if i < 0 {
		writeJSON(w, http.StatusUnprocessableEntity, map[string]string{"error": "thủ tục không có trong danh mục"})
		return
	}
	p := s.cat[i]
	for _, f := range p.Fields {
		if f.Required && strings.TrimSpace(sub.Fields[f.Key]) == "" {
			writeJSON(w, http.StatusUnprocessableEntity, map[string]string{"error": "thiếu " + f.Label})
			return
		}
	}
	now := s.opt.Now().In(s.opt.Location)
	s.seq++
	code := fmt.Sprintf("%s-%s-%04d", s.opt.Office, now.Format("060102"), s.seq)
	rc := backend.Receipt{DossierCode: code, ReceivedAt: now, Appointment: WorkingDays(now, p.Days), Agency: p.Agency,
		LookupURL: "https://dichvucong.example/tra-cuu?ma=" + code}
	if p.Fee > 0 {
		rc.Fees = []backend.FeeLine{{Name: "Lệ phí: " + p.Name, Amount: p.Fee}}
		rc.Total = p.Fee
	}
	s.receipts[key] = rc
	s.subs = append(s.subs, sub)
	d := backend.Dossier{Code: code, ProcedureCode: p.Code, ProcedureName: p.Name, Status: backend.StatusReceived, StatusText: "Đã tiếp nhận",
		ReceivedAt: now, Appointment: rc.Appointment, Fee: rc.Total, ByAgent: sub.Agent != nil, Agency: p.Agency}
	s.dossiers[sub.Subject.IDNumber] = append([]backend.Dossier{d}, s.dossiers[sub.Subject.IDNumber]...)
	s.opt.Logger.Info("onestopsim: dossier received", "code", code, "procedure", p.Code, "for_other", sub.Agent != nil)
	writeJSON(w, http.StatusCreated, rc)
}

// WorkingDays is t plus n working days (Monday–Friday; public holidays
// are not modelled), at 16:00 local time: the appointment a receipt gives.
// n = 0 is the same day.
func WorkingDays(t time.Time, n int) time.Time {
	d := t
	for n > 0 {
		d = d.AddDate(0, 0, 1)
		if wd := d.Weekday(); wd != time.Saturday && wd != time.Sunday {
			n--
		}
	}
	return time.Date(d.Year(), d.Month(), d.Day(), 16, 0, 0, 0, t.Location())
}

func (s *Sim) requestSupport(w http.ResponseWriter, r *http.Request) {
	var q backend.SupportRequest
	if json.NewDecoder(r.Body).Decode(&q) != nil || q.Kiosk == "" {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "kiosk"})
		return
	}
	s.mu.Lock()
	t := backend.SupportTicket{ID: fmt.Sprintf("HT%03d", len(s.support)+1), State: backend.SupportWaiting}
	s.support = append(s.support, t)
	s.mu.Unlock()
	writeJSON(w, http.StatusCreated, t)
}

func (s *Sim) findSupport(id string) int {
	return slices.IndexFunc(s.support, func(t backend.SupportTicket) bool { return t.ID == id })
}

func (s *Sim) getSupport(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	i := s.findSupport(r.PathValue("id"))
	if i < 0 {
		writeJSON(w, http.StatusNotFound, map[string]string{"error": "no such request"})
		return
	}
	writeJSON(w, http.StatusOK, s.support[i])
}

func (s *Sim) cancelSupport(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	i := s.findSupport(r.PathValue("id"))
	if i < 0 {
		writeJSON(w, http.StatusNotFound, map[string]string{"error": "no such request"})
		return
	}
	if st := s.support[i].State; st == backend.SupportWaiting || st == backend.SupportAccepted {
		s.support[i].State = backend.SupportCancelled
	}
	writeJSON(w, http.StatusOK, s.support[i])
}

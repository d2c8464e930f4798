// Package hisfake is a local HIS speaking the adapter protocol of package his
// (GET /v1/clinics, POST /v1/visits with Idempotency-Key), for tests and for
// `kioskd run --sim`. It keeps visits in memory, repeats the first answer for
// a repeated idempotency key, and can be told to fail.
//
// It imports his and the standard library; it is never used in production.
package hisfake

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"time"

	"github.com/kiosk06/kiosk/firmware/his"
)

// DefaultClinics is the list the fake serves unless told otherwise.
func DefaultClinics() []his.Clinic {
	return []his.Clinic{
		{Code: "K01", Name: "Phòng khám Nội tổng quát", Room: "Phòng 101 – Tầng 1", Fee: 50000},
		{Code: "K02", Name: "Phòng khám Nhi", Room: "Phòng 105 – Tầng 1", Fee: 50000},
		{Code: "K03", Name: "Phòng khám Tai Mũi Họng", Room: "Phòng 203 – Tầng 2", Fee: 45000},
		{Code: "K04", Name: "Phòng khám Sản phụ khoa", Room: "Phòng 208 – Tầng 2", Fee: 60000},
	}
}

// Server is a running fake HIS.
type Server struct {
	srv   *httptest.Server
	token string

	mu      sync.Mutex
	clinics []his.Clinic
	visits  map[string]his.VisitReply // by idempotency key
	bodies  []his.Visit               // every accepted visit, in order
	fail    []int                     // statuses to answer next, in order
	delay   time.Duration
	n       int
}

// New starts a fake on a loopback port. token, if not empty, is the bearer
// token it requires.
func New(token string) *Server {
	s := &Server{token: token, clinics: DefaultClinics(), visits: map[string]his.VisitReply{}}
	s.srv = httptest.NewServer(s)
	return s
}

// URL is the base URL to configure the client with.
func (s *Server) URL() string { return s.srv.URL }

// Close stops the server.
func (s *Server) Close() { s.srv.Close() }

// SetClinics replaces the clinic list.
func (s *Server) SetClinics(c []his.Clinic) { s.mu.Lock(); s.clinics = c; s.mu.Unlock() }

// FailNext makes the next requests answer these HTTP statuses, in order.
func (s *Server) FailNext(status ...int) {
	s.mu.Lock()
	s.fail = append(s.fail, status...)
	s.mu.Unlock()
}

// SetDelay delays every answer (to provoke client timeouts).
func (s *Server) SetDelay(d time.Duration) { s.mu.Lock(); s.delay = d; s.mu.Unlock() }

// Visits returns the visits registered (one per idempotency key).
func (s *Server) Visits() []his.Visit {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]his.Visit(nil), s.bodies...)
}

// ServeHTTP implements the protocol.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	delay := s.delay
	var fail int
	if len(s.fail) > 0 {
		fail, s.fail = s.fail[0], s.fail[1:]
	}
	s.mu.Unlock()
	if delay > 0 {
		select {
		case <-time.After(delay):
		case <-r.Context().Done():
			return
		}
	}
	switch {
	case fail != 0:
		http.Error(w, `{"error":"injected"}`, fail)
	case s.token != "" && r.Header.Get("Authorization") != "Bearer "+s.token:
		http.Error(w, `{"error":"unauthorized"}`, http.StatusUnauthorized)
	case r.Method == http.MethodGet && r.URL.Path == his.ClinicsPath:
		s.mu.Lock()
		reply := his.ClinicsReply{Clinics: s.clinics}
		s.mu.Unlock()
		writeJSON(w, http.StatusOK, reply)
	case r.Method == http.MethodPost && r.URL.Path == his.VisitsPath:
		s.register(w, r)
	default:
		http.NotFound(w, r)
	}
}

func (s *Server) register(w http.ResponseWriter, r *http.Request) {
	key := r.Header.Get("Idempotency-Key")
	var v his.Visit
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<16)).Decode(&v); err != nil || key == "" || v.SoCCCD == "" || v.MaKhoa == "" {
		http.Error(w, `{"error":"bad request"}`, http.StatusBadRequest)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if prev, ok := s.visits[key]; ok {
		writeJSON(w, http.StatusOK, prev)
		return
	}
	var clinic *his.Clinic
	for i := range s.clinics {
		if s.clinics[i].Code == v.MaKhoa {
			clinic = &s.clinics[i]
		}
	}
	if clinic == nil {
		http.Error(w, `{"error":"unknown clinic"}`, http.StatusUnprocessableEntity)
		return
	}
	s.n++
	v.IdempotencyKey = key
	reply := his.VisitReply{VisitNumber: fmt.Sprintf("LK%06d", s.n), Fees: []his.FeeLineJSON{fee(*clinic, v.MaTheBHYT != "")}}
	s.visits[key] = reply
	s.bodies = append(s.bodies, v)
	writeJSON(w, http.StatusCreated, reply)
}

// fee is the examination fee line: an insured patient pays 20 % (rounded
// to the đồng), health insurance the rest.
func fee(c his.Clinic, insured bool) his.FeeLineJSON {
	l := his.FeeLineJSON{Code: "KB." + c.Code, Name: "Khám bệnh – " + c.Name, Quantity: 1, UnitPrice: c.Fee, PatientPays: c.Fee}
	if insured {
		l.PatientPays = c.Fee / 5
		l.InsurancePays = c.Fee - l.PatientPays
	}
	return l
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// Package sessionfake is a payment back-end for tests and `kioskd run
// --sim`: it answers the payment sessions' `GET /v1/payments/{ref}` with 404
// (no transfer seen yet) until a test or the simulator panel announces a
// transfer with Pay, then with the paid confirmation, as a bank-webhook-fed
// backend would.
//
// It imports payments/session for the reply shape only; no production code
// path may import it.
package sessionfake

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"time"

	"github.com/kiosk06/kiosk/payments/session"
)

// Server is a running fake back-end.
type Server struct {
	mu    sync.Mutex
	paid  map[string]session.Confirmation
	polls map[string]int
	next  int
	srv   *httptest.Server
}

// New starts the fake on a loopback port.
func New() *Server {
	s := &Server{paid: map[string]session.Confirmation{}, polls: map[string]int{}}
	s.srv = httptest.NewServer(s)
	return s
}

// URL is the base URL to configure as the payment back-end.
func (s *Server) URL() string { return s.srv.URL }

// Close stops the server.
func (s *Server) Close() { s.srv.Close() }

// Pay records a transfer of amount for ref (what the bank's webhook would
// tell a real backend) and returns its transaction id.
func (s *Server) Pay(ref string, amount int64) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.next++
	txn := fmt.Sprintf("FT%s%04d", time.Now().Format("060102"), s.next)
	s.paid[ref] = session.Confirmation{Ref: ref, Status: "paid", TransactionID: txn, Amount: amount, PaidAt: time.Now().UTC()}
	return txn
}

// Polls reports how often ref was asked about.
func (s *Server) Polls(ref string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.polls[ref]
}

// ServeHTTP answers GET /v1/payments/{ref}.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	ref, ok := strings.CutPrefix(r.URL.Path, "/v1/payments/")
	if r.Method != http.MethodGet || !ok || ref == "" || strings.Contains(ref, "/") {
		http.NotFound(w, r)
		return
	}
	s.mu.Lock()
	s.polls[ref]++
	c, paid := s.paid[ref]
	s.mu.Unlock()
	if !paid {
		http.Error(w, `{"status":"pending"}`, http.StatusNotFound)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(c)
}

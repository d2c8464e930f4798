// Package sessionfake is a payment back-end for tests and `kioskd run
// --sim`: it answers the payment sessions' `GET /v1/payments/{ref}` with 404
// (no transfer seen yet) until a test or the simulator panel announces a
// transfer with Pay, then with the paid confirmation signed with the
// device's checksum key exactly as a real back-end must (session.Sign: the
// payOS signature), as a bank-webhook-fed backend would.
//
// Forge makes it answer as an attacker on the path, or a broken back-end,
// would instead (unsigned, wrongly signed, tampered, stale, another
// account), so tests can show such replies change nothing.
//
// It imports payments/session for the reply shape and signature only; no
// production code path may import it.
package sessionfake

import (
	"bytes"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"time"

	"github.com/kiosk06/kiosk/payments/session"
)

// Options configure the fake.
type Options struct {
	// Key is the checksum key replies are signed with (the device's
	// [payments] confirm_key_file).
	Key []byte
	// Account is the beneficiary account confirmations credit.
	Account string
	// Token, when set, is the bearer token every poll must carry (401 otherwise).
	Token string
	// TLS serves https with a self-signed certificate (CertPEM).
	TLS bool
}

// Forgery is a reply the fake sends instead of the genuine one.
type Forgery int

// Forgeries. Each is a full payment of the amount given to Forge.
const (
	Genuine      Forgery = iota // the signed truth (no forgery)
	Unsigned                    // the reply shape from before signatures: no signature at all
	WrongKey                    // signed, with a key that is not the device's
	Tampered                    // signed for 1 ₫, the amount then raised
	Stale                       // signed an hour ago (a replayed reply)
	WrongAccount                // signed, crediting another beneficiary
)

func (f Forgery) String() string {
	return [...]string{"genuine", "unsigned", "wrong-key", "tampered", "stale", "wrong-account"}[f]
}

type forged struct {
	how    Forgery
	amount int64
}

// Server is a running fake back-end.
type Server struct {
	opt    Options
	mu     sync.Mutex
	paid   map[string]session.Confirmation
	forged map[string]forged
	polls  map[string]int
	next   int
	srv    *httptest.Server
}

// New starts the fake on a loopback port.
func New(opt Options) *Server {
	s := &Server{opt: opt, paid: map[string]session.Confirmation{}, forged: map[string]forged{}, polls: map[string]int{}}
	if opt.TLS {
		s.srv = httptest.NewTLSServer(s)
	} else {
		s.srv = httptest.NewServer(s)
	}
	return s
}

// URL is the base URL to configure as the payment back-end.
func (s *Server) URL() string { return s.srv.URL }

// CertPEM is the server's certificate as PEM (a CA file for the device);
// nil without TLS.
func (s *Server) CertPEM() []byte {
	if s.srv.Certificate() == nil {
		return nil
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: s.srv.Certificate().Raw})
}

// Close stops the server.
func (s *Server) Close() { s.srv.Close() }

// Pay records a transfer of amount for ref (what the bank's webhook would
// tell a real backend) and returns its transaction id.
func (s *Server) Pay(ref string, amount int64) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.next++
	txn := fmt.Sprintf("FT%s%04d", time.Now().Format("060102"), s.next)
	s.paid[ref] = session.Confirmation{Ref: ref, Status: "paid", TransactionID: txn, Amount: amount,
		PaidAt: time.Now().UTC().Truncate(time.Second), Account: s.opt.Account}
	return txn
}

// Forge makes replies about ref the forgery how of a payment of amount
// (Genuine: back to the truth).
func (s *Server) Forge(ref string, how Forgery, amount int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if how == Genuine {
		delete(s.forged, ref)
		return
	}
	s.forged[ref] = forged{how, amount}
}

// Reply returns what the fake answers about ref now (a signed
// confirmation, or its forgery), and false when it would answer 404: the
// body a push to the device carries.
func (s *Server) Reply(ref string) ([]byte, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.reply(ref, time.Now().UTC().Truncate(time.Second))
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
	if s.opt.Token != "" && r.Header.Get("Authorization") != "Bearer "+s.opt.Token {
		http.Error(w, "unauthorized", http.StatusUnauthorized)
		return
	}
	s.mu.Lock()
	s.polls[ref]++
	body, found := s.reply(ref, time.Now().UTC().Truncate(time.Second))
	s.mu.Unlock()
	if !found {
		http.Error(w, `{"status":"pending"}`, http.StatusNotFound)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(body)
}

// reply builds the answer about ref signed at now. Caller holds mu.
func (s *Server) reply(ref string, now time.Time) ([]byte, bool) {
	if f, ok := s.forged[ref]; ok {
		return s.forge(ref, f, now), true
	}
	c, paid := s.paid[ref]
	if !paid {
		return nil, false
	}
	c.SignedAt = now
	body, err := session.SignConfirmation(s.opt.Key, c)
	if err != nil {
		return nil, false
	}
	return body, true
}

func (s *Server) forge(ref string, f forged, now time.Time) []byte {
	c := session.Confirmation{Ref: ref, Status: "paid", TransactionID: "FT-FORGED-" + f.how.String(), Amount: f.amount,
		PaidAt: now, Account: s.opt.Account, SignedAt: now}
	key := s.opt.Key
	switch f.how {
	case Unsigned:
		b, _ := json.Marshal(map[string]any{"ref": ref, "status": "paid", "transaction_id": c.TransactionID, "amount": f.amount, "paid_at": now})
		return b
	case WrongKey:
		key = []byte(strings.Repeat("f0rg3d", 11))
	case Tampered:
		c.Amount = 1
	case Stale:
		c.SignedAt = now.Add(-time.Hour)
	case WrongAccount:
		c.Account = "1234567890123"
	}
	b, _ := session.SignConfirmation(key, c)
	if f.how == Tampered {
		b = bytes.Replace(b, []byte(`"amount":1,`), []byte(fmt.Sprintf(`"amount":%d,`, f.amount)), 1)
	}
	return b
}

// Package bhytfake is a local check-card service of the shape package bhyt
// speaks (POST /api/token/take, POST /api/egw/KQNhanLichSuKCB2024), for tests
// and for `kioskd run --sim`. Cards answer 000 unless told otherwise; any
// result code, HTTP failure, delay or token expiry can be injected.
//
// It imports bhyt and the standard library; it is never used in production.
package bhytfake

import (
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"time"

	"github.com/kiosk06/kiosk/firmware/bhyt"
)

// Server is a running fake.
type Server struct {
	srv            *httptest.Server
	user, password string // password: MD5 hex digest expected

	mu       sync.Mutex
	codes    map[string]string // maThe → maKetQua
	def      string
	fail     []int
	delay    time.Duration
	outage   bool
	ttl      time.Duration
	now      func() time.Time
	tokens   map[string]time.Time // access token → expiry
	n        int
	tokensN  int                  // token fetches so far
	lookups  []bhyt.LookupRequest // requests received
	tokenIDs map[string]string    // access token → id token
}

// New starts a fake on a loopback port accepting username/password.
func New(username, password string) *Server {
	sum := md5.Sum([]byte(password))
	s := &Server{user: username, password: hex.EncodeToString(sum[:]), codes: map[string]string{}, def: "000",
		ttl: time.Hour, now: time.Now, tokens: map[string]time.Time{}, tokenIDs: map[string]string{}}
	s.srv = httptest.NewServer(s)
	return s
}

// URL is the base URL.
func (s *Server) URL() string { return s.srv.URL }

// Close stops the server.
func (s *Server) Close() { s.srv.Close() }

// SetCode makes lookups of maThe (card or CCCD number) answer code.
func (s *Server) SetCode(maThe, code string) { s.mu.Lock(); s.codes[maThe] = code; s.mu.Unlock() }

// SetDefault sets the code for cards without SetCode ("000" initially).
func (s *Server) SetDefault(code string) { s.mu.Lock(); s.def = code; s.mu.Unlock() }

// FailNext makes the next requests (token or lookup) answer these HTTP
// statuses, in order.
func (s *Server) FailNext(status ...int) {
	s.mu.Lock()
	s.fail = append(s.fail, status...)
	s.mu.Unlock()
}

// SetOutage makes every request fail with HTTP 503 until cleared (the
// simulator panel's "BHYT service down").
func (s *Server) SetOutage(down bool) { s.mu.Lock(); s.outage = down; s.mu.Unlock() }

// SetDelay delays every answer.
func (s *Server) SetDelay(d time.Duration) { s.mu.Lock(); s.delay = d; s.mu.Unlock() }

// SetTokenTTL sets the lifetime of new tokens and the clock judging them.
func (s *Server) SetTokenTTL(ttl time.Duration, now func() time.Time) {
	s.mu.Lock()
	s.ttl, s.now = ttl, now
	s.mu.Unlock()
}

// RevokeTokens invalidates every token issued (the next lookup gets 401).
func (s *Server) RevokeTokens() { s.mu.Lock(); s.tokens = map[string]time.Time{}; s.mu.Unlock() }

// LastLookup returns the last lookup request received.
func (s *Server) LastLookup() (bhyt.LookupRequest, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.lookups) == 0 {
		return bhyt.LookupRequest{}, false
	}
	return s.lookups[len(s.lookups)-1], true
}

// Stats returns how many tokens were issued and lookups received.
func (s *Server) Stats() (tokens, lookups int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.tokensN, len(s.lookups)
}

// ServeHTTP implements the service.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	delay := s.delay
	var fail int
	if len(s.fail) > 0 {
		fail, s.fail = s.fail[0], s.fail[1:]
	}
	if s.outage {
		fail = http.StatusServiceUnavailable
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
		http.Error(w, "injected failure", fail)
	case r.Method == http.MethodPost && r.URL.Path == bhyt.TokenPath:
		s.token(w, r)
	case r.Method == http.MethodPost && r.URL.Path == bhyt.LookupPath:
		s.lookup(w, r)
	default:
		http.NotFound(w, r)
	}
}

func (s *Server) token(w http.ResponseWriter, r *http.Request) {
	var req struct{ Username, Password string }
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 4096)).Decode(&req); err != nil {
		writeJSON(w, map[string]string{"maKetQua": "205"})
		return
	}
	if req.Username != s.user || !strings.EqualFold(req.Password, s.password) {
		writeJSON(w, map[string]string{"maKetQua": "401"})
		return
	}
	s.mu.Lock()
	s.n++
	s.tokensN++
	access, id := fmt.Sprintf("access-%d", s.n), fmt.Sprintf("id-%d", s.n)
	exp := s.now().Add(s.ttl)
	s.tokens[access] = exp
	s.tokenIDs[access] = id
	s.mu.Unlock()
	var reply bhyt.TokenReply
	reply.MaKetQua = "200"
	reply.APIKey.AccessToken, reply.APIKey.IDToken = access, id
	reply.APIKey.TokenType, reply.APIKey.Username = "Bearer", s.user
	reply.APIKey.ExpiresIn = exp.Format(time.RFC3339)
	writeJSON(w, reply)
}

func (s *Server) lookup(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	s.mu.Lock()
	exp, ok := s.tokens[q.Get("token")]
	valid := ok && s.now().Before(exp) && s.tokenIDs[q.Get("token")] == q.Get("id_token") && q.Get("username") == s.user
	s.mu.Unlock()
	if !valid {
		http.Error(w, "unauthorized", http.StatusUnauthorized)
		return
	}
	var req bhyt.LookupRequest
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 8192)).Decode(&req); err != nil || req.MaThe == "" || req.HoTen == "" || req.HoTenCb == "" || req.CccdCb == "" {
		writeJSON(w, map[string]string{"maKetQua": "205", "ghiChu": "Sai định dạng tham số"})
		return
	}
	if _, err := time.Parse(bhyt.DateLayout, req.NgaySinh); err != nil {
		writeJSON(w, map[string]string{"maKetQua": "205", "ghiChu": "Sai định dạng ngày sinh"})
		return
	}
	s.mu.Lock()
	s.lookups = append(s.lookups, req)
	code, ok := s.codes[req.MaThe]
	if !ok {
		code = s.def
	}
	s.mu.Unlock()
	writeJSON(w, reply(req, code))
}

// reply builds a lookup answer for code: a card valid this year, registered
// at facility 79001, with a new card for 003/004.
func reply(req bhyt.LookupRequest, code string) bhyt.LookupReply {
	y := time.Now().Year()
	rep := bhyt.LookupReply{MaKetQua: code, GhiChu: bhyt.Describe(code).VI}
	if code == "050" || code == "051" || code == "205" || code == "100" || code == "101" {
		return rep
	}
	rep.Card = bhyt.Card{
		MaThe: "DN4797912345678", HoTen: req.HoTen, NgaySinh: req.NgaySinh, GioiTinh: "Nam",
		MaDKBD: "79001", CqBHXH: "BHXH TP Hồ Chí Minh",
		GtTheTu: fmt.Sprintf("01/01/%d", y), GtTheDen: fmt.Sprintf("31/12/%d", y), MaKV: "", MaSoBHXH: "7912345678",
	}
	switch code {
	case "003", "004":
		rep.Card.MaTheMoi, rep.Card.GtTheTuMoi, rep.Card.GtTheDenMoi = "DN4797912349999", fmt.Sprintf("01/01/%d", y), fmt.Sprintf("31/12/%d", y+1)
		rep.Card.MaDKBDMoi, rep.Card.TenDKBDMoi = "79002", "Bệnh viện Quận 1"
	case "010":
		rep.Card.GtTheTu, rep.Card.GtTheDen = fmt.Sprintf("01/01/%d", y-1), fmt.Sprintf("31/12/%d", y-1)
	}
	return rep
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	_ = json.NewEncoder(w).Encode(v)
}

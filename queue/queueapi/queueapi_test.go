package queueapi

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	mrand "math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kiosk06/kiosk/queue"
)

// clock is a settable time source shared by the engine and the API.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

var ict = time.FixedZone("ICT", 7*3600)

// randomToken is a fresh 64-hex-digit token, as `openssl rand -hex 32`.
func randomToken(t testing.TB) string {
	t.Helper()
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(b)
}

// failingJournal is a MemoryJournal whose Append fails while fail is set.
type failingJournal struct {
	queue.MemoryJournal
	fail atomic.Bool
}

func (j *failingJournal) Append(ctx context.Context, e queue.Event) error {
	if j.fail.Load() {
		return errors.New("disk full")
	}
	return j.MemoryJournal.Append(ctx, e)
}

// rig is an API over a fresh engine: clients disp (display), kiosk (kiosk,
// may issue age_75), kiosk2 (kiosk), staff (staff, every counter) and p101
// (staff at counter P101 only); tok maps their names to tokens.
type rig struct {
	*httptest.Server
	api     *Server
	clk     *clock
	journal *failingJournal
	tok     map[string]string
}

func newRig(t *testing.T, tune func(*Config)) *rig {
	t.Helper()
	clk := &clock{now: time.Date(2026, 11, 22, 8, 0, 0, 0, ict)}
	j := &failingJournal{}
	e, err := queue.Open(context.Background(), queue.Config{
		Services: []queue.Service{
			{Code: "A", Name: "Tiếp đón", Counters: []string{"Q1"}},
			{Code: "B", Name: "Khám nội", Counters: []string{"P101"}},
		},
		ResetAt: 5 * time.Hour, Location: ict,
		Now:    clk.Now,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
	}, j)
	if err != nil {
		t.Fatal(err)
	}
	tok := map[string]string{}
	for _, n := range []string{"disp", "kiosk", "kiosk2", "staff", "p101"} {
		tok[n] = randomToken(t)
	}
	cfg := Config{
		Clients: []Client{
			{Name: "disp", Token: tok["disp"], Role: Display},
			{Name: "kiosk", Token: tok["kiosk"], Role: Kiosk, Priorities: []queue.Priority{queue.Age75}},
			{Name: "kiosk2", Token: tok["kiosk2"], Role: Kiosk},
			{Name: "staff", Token: tok["staff"], Role: Staff},
			{Name: "p101", Token: tok["p101"], Role: Staff, Counters: []string{"P101"}},
		},
		ResetAt: 5 * time.Hour, Location: ict, Now: clk.Now,
		RequestsPerSecond: 1000,
		Heartbeat:         20 * time.Millisecond,
		Logger:            slog.New(slog.NewTextHandler(io.Discard, nil)),
	}
	if tune != nil {
		tune(&cfg)
	}
	api, err := New(e, cfg)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(api)
	t.Cleanup(srv.Close)
	return &rig{Server: srv, api: api, clk: clk, journal: j, tok: tok}
}

// call does one request and decodes a JSON reply into out (if non-nil).
// The client name is looked up in rig.tok; a name not there is sent as
// the token itself.
func (rg *rig) call(t *testing.T, method, path, client, body string, out any) int {
	t.Helper()
	code, _ := rg.do(t, method, path, client, body, out)
	return code
}

// do is call that also returns the response headers.
func (rg *rig) do(t *testing.T, method, path, client, body string, out any) (int, http.Header) {
	t.Helper()
	req, _ := http.NewRequest(method, rg.URL+path, strings.NewReader(body))
	if client != "" {
		tok, ok := rg.tok[client]
		if !ok {
			tok = client
		}
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	resp, err := rg.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if out != nil && resp.StatusCode < 300 && resp.StatusCode != http.StatusNoContent {
		if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
			t.Fatalf("%s %s: %v", method, path, err)
		}
	}
	return resp.StatusCode, resp.Header
}

func TestAPI(t *testing.T) {
	rg := newRig(t, nil)
	var tk queue.Ticket
	steps := []struct {
		name, method, path, client, body string
		want                             int
		out                              any
		check                            func() bool
	}{
		{"no token", "GET", "/api/queue/board", "", "", 401, nil, nil},
		{"unknown token", "GET", "/api/queue/board", randomToken(t), "", 401, nil, nil},
		{"short token", "GET", "/api/queue/board", "nope", "", 401, nil, nil},
		{"display may not issue", "POST", "/api/queue/tickets", "disp", `{"service":"A","priority":"normal"}`, 403, nil, nil},
		{"kiosk may not call", "POST", "/api/queue/counters/Q1/next", "kiosk", "", 403, nil, nil},
		{"issue", "POST", "/api/queue/tickets", "kiosk", `{"service":"A","priority":"normal"}`, 201, &tk,
			func() bool { return tk.ID == "A001" && tk.State == queue.Waiting }},
		{"issue granted priority", "POST", "/api/queue/tickets", "kiosk", `{"service":"A","priority":"age_75"}`, 201, &tk,
			func() bool { return tk.ID == "A002" && tk.Priority == queue.Age75 && tk.Ahead == 0 }},
		{"kiosk may not issue an ungranted priority", "POST", "/api/queue/tickets", "kiosk", `{"service":"A","priority":"emergency"}`, 403, nil, nil},
		{"kiosk2 has no priority grant", "POST", "/api/queue/tickets", "kiosk2", `{"service":"A","priority":"age_75"}`, 403, nil, nil},
		{"ahead", "GET", "/api/queue/tickets/A001", "disp", "", 200, &tk, func() bool { return tk.Ahead == 1 && tk.Wait == 5*time.Minute }},
		{"bad priority", "POST", "/api/queue/tickets", "kiosk", `{"service":"A","priority":"vip"}`, 400, nil, nil},
		{"unknown field", "POST", "/api/queue/tickets", "kiosk", `{"service":"A","x":1}`, 400, nil, nil},
		{"unknown service", "POST", "/api/queue/tickets", "kiosk", `{"service":"Z"}`, 404, nil, nil},
		{"next", "POST", "/api/queue/counters/Q1/next", "staff", "", 200, &tk, func() bool { return tk.ID == "A002" && tk.Counter == "Q1" }},
		{"recall", "POST", "/api/queue/counters/Q1/recall", "staff", "", 200, &tk, func() bool { return tk.Recalls == 1 }},
		{"no-show", "POST", "/api/queue/counters/Q1/no-show", "staff", "", 200, &tk, func() bool { return tk.State == queue.NoShow }},
		{"complete with nobody called", "POST", "/api/queue/counters/Q1/complete", "staff", "", 409, nil, nil},
		{"P101 staff may not call at Q1", "POST", "/api/queue/counters/Q1/next", "p101", "", 403, nil, nil},
		{"P101 staff may not transfer an A ticket", "POST", "/api/queue/tickets/A001/transfer", "p101", `{"service":"B"}`, 403, nil, nil},
		{"next again", "POST", "/api/queue/counters/Q1/next", "staff", "", 200, &tk, func() bool { return tk.ID == "A001" }},
		{"transfer", "POST", "/api/queue/tickets/A001/transfer", "staff", `{"service":"B"}`, 200, &tk, func() bool { return tk.Service == "B" }},
		{"empty line", "POST", "/api/queue/counters/Q1/next", "staff", "", 204, nil, nil},
		{"room calls", "POST", "/api/queue/counters/P101/next", "p101", "", 200, &tk, func() bool { return tk.ID == "A001" }},
		{"complete", "POST", "/api/queue/counters/P101/complete", "p101", "", 200, &tk, func() bool { return tk.State == queue.Completed }},
		{"issue to cancel", "POST", "/api/queue/tickets", "staff", `{"service":"B","priority":"pregnant"}`, 201, &tk, nil},
		{"P101 staff cancels a B ticket", "DELETE", "/api/queue/tickets/B001", "p101", "", 200, &tk, func() bool { return tk.State == queue.Cancelled }},
		{"cancel again", "DELETE", "/api/queue/tickets/B001", "staff", "", 409, nil, nil},
		{"unknown ticket", "GET", "/api/queue/tickets/A999", "disp", "", 404, nil, nil},
		{"unknown counter", "POST", "/api/queue/counters/X/next", "staff", "", 404, nil, nil},
	}
	for _, s := range steps {
		if got := rg.call(t, s.method, s.path, s.client, s.body, s.out); got != s.want {
			t.Fatalf("%s: HTTP %d, want %d", s.name, got, s.want)
		}
		if s.check != nil && !s.check() {
			t.Fatalf("%s: got %+v", s.name, tk)
		}
	}
	var b queue.Board
	if rg.call(t, "GET", "/api/queue/board", "disp", "", &b) != 200 || len(b.Services) != 2 || b.Services[0].LastIssued != 2 || b.Seq == 0 {
		t.Fatalf("board %+v", b)
	}
	var svcs []queue.Service
	if rg.call(t, "GET", "/api/queue/services", "disp", "", &svcs) != 200 || len(svcs) != 2 || svcs[1].Name != "Khám nội" {
		t.Fatalf("services %+v", svcs)
	}
	got := rg.api.Refusals()
	want := map[string]float64{RefusedUnauthorized: 3, RefusedRole: 2, RefusedPriority: 2, RefusedCounter: 2}
	if !maps.Equal(got, want) {
		t.Fatalf("refusals %v, want %v", got, want)
	}
	if c := rg.api.RefusalsByClient(); c["p101"] != 2 || c["kiosk"] != 2 || c["disp"] != 1 {
		t.Fatalf("refusals by client %v", c)
	}
}

// TestOneTokenCannotBlockService is issue 15's attack: one token holder
// issued 999 tickets and the service had no number left for the day. Now
// the holder gets its burst, then 429 with Retry-After, and every other
// client still gets the next number: refusals take none.
func TestOneTokenCannotBlockService(t *testing.T) {
	rg := newRig(t, nil)
	created, limited := 0, 0
	for range 999 {
		code, h := rg.do(t, "POST", "/api/queue/tickets", "kiosk", `{"service":"A","priority":"normal"}`, nil)
		switch code {
		case http.StatusCreated:
			created++
		case http.StatusTooManyRequests:
			limited++
			if h.Get("Retry-After") != "10" { // 6 a minute: one every 10 s
				t.Fatalf("Retry-After %q", h.Get("Retry-After"))
			}
		default:
			t.Fatalf("HTTP %d", code)
		}
	}
	if created != DefaultIssueBurst || limited != 999-DefaultIssueBurst {
		t.Fatalf("%d issued, %d refused; want the burst of %d issued", created, limited, DefaultIssueBurst)
	}
	var tk queue.Ticket
	if got := rg.call(t, "POST", "/api/queue/tickets", "kiosk2", `{"service":"A","priority":"normal"}`, &tk); got != http.StatusCreated {
		t.Fatalf("after one client's 999 requests another client gets HTTP %d: the service is blocked for the day", got)
	}
	if want := fmt.Sprintf("A%03d", DefaultIssueBurst+1); tk.ID != want {
		t.Fatalf("next ticket %s, want %s: a refusal took a number", tk.ID, want)
	}
	if r := rg.api.Refusals()[RefusedIssueRate]; r != float64(limited) {
		t.Fatalf("counted %v issue_rate refusals, want %d", r, limited)
	}
}

// TestDailyCap lets a client issue at its rate all day: it stops at its
// daily cap for the service (429, Retry-After until the 05:00 reset), keeps
// issuing for other services, other clients are not affected, and the
// next service day starts a new count.
func TestDailyCap(t *testing.T) {
	rg := newRig(t, func(c *Config) { c.Limits = IssueLimits{DailyCap: 5} })
	issue := func(client, service string) (int, http.Header) {
		rg.clk.Advance(10 * time.Second) // the sustained rate: never the bucket
		return rg.do(t, "POST", "/api/queue/tickets", client, `{"service":"`+service+`"}`, nil)
	}
	for i := range 5 {
		if code, _ := issue("kiosk", "A"); code != http.StatusCreated {
			t.Fatalf("ticket %d: HTTP %d", i+1, code)
		}
	}
	code, h := issue("kiosk", "A")
	// 08:01:00 → 05:00 tomorrow is 20 h 59 min.
	if code != http.StatusTooManyRequests || h.Get("Retry-After") != strconv.Itoa(20*3600+59*60) {
		t.Fatalf("sixth ticket: HTTP %d, Retry-After %q", code, h.Get("Retry-After"))
	}
	if rg.api.Refusals()[RefusedDailyCap] != 1 {
		t.Fatalf("refusals %v", rg.api.Refusals())
	}
	if code, _ := issue("kiosk", "B"); code != http.StatusCreated {
		t.Fatalf("other service: HTTP %d", code)
	}
	if code, _ := issue("kiosk2", "A"); code != http.StatusCreated {
		t.Fatalf("other client: HTTP %d", code)
	}
	var b queue.Board
	if rg.call(t, "GET", "/api/queue/board", "disp", "", &b); b.Services[0].LastIssued != 6 {
		t.Fatalf("A numbers taken %d, want 6 (the refusal took none)", b.Services[0].LastIssued)
	}
	rg.clk.Advance(21 * time.Hour) // past 05:00: a new service day
	if code, _ := issue("kiosk", "A"); code != http.StatusCreated {
		t.Fatalf("next day: HTTP %d", code)
	}
}

// TestDailyCapForwardOnly: a clock stepped back across the reset time
// keeps the service day's counts (the engine keeps its day too), so the
// cap is not handed out a second time, and Retry-After names the next
// reset the clock will reach; past it a new count starts.
func TestDailyCapForwardOnly(t *testing.T) {
	rg := newRig(t, func(c *Config) { c.Limits = IssueLimits{DailyCap: 2} })
	rg.clk.Advance(21*time.Hour + 10*time.Minute) // 23/11 05:10
	issue := func() (int, http.Header) {
		rg.clk.Advance(10 * time.Second)
		return rg.do(t, "POST", "/api/queue/tickets", "kiosk", `{"service":"A"}`, nil)
	}
	for i := range 2 {
		if code, _ := issue(); code != http.StatusCreated {
			t.Fatalf("ticket %d: HTTP %d", i+1, code)
		}
	}
	rg.clk.Advance(-30 * time.Minute) // stepped back to 04:40:20, before the reset
	code, h := issue()
	// 04:40:30 → 05:00 on 24/11 is 24 h 19 min 30 s.
	if code != http.StatusTooManyRequests || h.Get("Retry-After") != strconv.Itoa(24*3600+19*60+30) {
		t.Fatalf("after the step back: HTTP %d, Retry-After %q", code, h.Get("Retry-After"))
	}
	rg.clk.Advance(24*time.Hour + 20*time.Minute) // past 05:00 on 24/11
	if code, _ := issue(); code != http.StatusCreated {
		t.Fatalf("next day: HTTP %d", code)
	}
}

// TestIssueRate refills the bucket at the configured rate.
func TestIssueRate(t *testing.T) {
	rg := newRig(t, func(c *Config) {
		c.Limits = IssueLimits{PerMinute: 2, Burst: 2}
		c.Clients[1].Limits = IssueLimits{PerMinute: 60, Burst: 1} // kiosk's own
	})
	body := `{"service":"A"}`
	for i, want := range []int{201, 201, 429} {
		if code, _ := rg.do(t, "POST", "/api/queue/tickets", "kiosk2", body, nil); code != want {
			t.Fatalf("kiosk2 request %d: HTTP %d, want %d", i+1, code, want)
		}
	}
	rg.clk.Advance(29 * time.Second)
	if code, h := rg.do(t, "POST", "/api/queue/tickets", "kiosk2", body, nil); code != 429 || h.Get("Retry-After") != "1" {
		t.Fatalf("29 s later: HTTP %d, Retry-After %q", code, h.Get("Retry-After"))
	}
	rg.clk.Advance(time.Second)
	if code, _ := rg.do(t, "POST", "/api/queue/tickets", "kiosk2", body, nil); code != 201 {
		t.Fatalf("30 s later: HTTP %d", code)
	}
	for i, want := range []int{201, 429} {
		if code, _ := rg.do(t, "POST", "/api/queue/tickets", "kiosk", body, nil); code != want {
			t.Fatalf("kiosk request %d: HTTP %d, want %d (its own limits)", i+1, code, want)
		}
	}
}

// TestFailedIssueKeepsTheSlot: a ticket the engine could not journal (or
// for an unknown service) does not count against the client.
func TestFailedIssueKeepsTheSlot(t *testing.T) {
	rg := newRig(t, func(c *Config) { c.Limits = IssueLimits{Burst: 1, DailyCap: 1} })
	if code := rg.call(t, "POST", "/api/queue/tickets", "kiosk", `{"service":"Z"}`, nil); code != 404 {
		t.Fatalf("unknown service: HTTP %d", code)
	}
	rg.journal.fail.Store(true)
	if code := rg.call(t, "POST", "/api/queue/tickets", "kiosk", `{"service":"A"}`, nil); code != 503 {
		t.Fatalf("journal failure: HTTP %d", code)
	}
	rg.journal.fail.Store(false)
	var tk queue.Ticket
	if code := rg.call(t, "POST", "/api/queue/tickets", "kiosk", `{"service":"A"}`, &tk); code != 201 || tk.ID != "A001" {
		t.Fatalf("after the failures: HTTP %d %s", code, tk.ID)
	}
	if code := rg.call(t, "POST", "/api/queue/tickets", "kiosk", `{"service":"A"}`, nil); code != 429 {
		t.Fatalf("the cap still holds: HTTP %d", code)
	}
}

// TestRequestRate limits any endpoint per client.
func TestRequestRate(t *testing.T) {
	rg := newRig(t, func(c *Config) { c.RequestsPerSecond = 1 })
	for i, want := range []int{200, 200, 429} {
		if code := rg.call(t, "GET", "/api/queue/services", "disp", "", nil); code != want {
			t.Fatalf("request %d: HTTP %d, want %d", i+1, code, want)
		}
	}
	if code := rg.call(t, "GET", "/api/queue/services", "staff", "", nil); code != 200 {
		t.Fatalf("another client: HTTP %d", code)
	}
	rg.clk.Advance(time.Second)
	if code := rg.call(t, "GET", "/api/queue/services", "disp", "", nil); code != 200 {
		t.Fatalf("a second later: HTTP %d", code)
	}
}

// TestStreamsPerClient caps a client's open event streams.
func TestStreamsPerClient(t *testing.T) {
	rg := newRig(t, func(c *Config) { c.StreamsPerClient = 1 })
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	first := openEvents(t, ctx, rg, "disp")
	sseEvent(t, bufio.NewReader(first.Body))
	if code := rg.call(t, "GET", "/api/queue/events", "disp", "", nil); code != 429 {
		t.Fatalf("second stream: HTTP %d", code)
	}
	first.Body.Close()
	cancel()
	deadline := time.Now().Add(5 * time.Second)
	for {
		resp := openEvents(t, context.Background(), rg, "disp")
		resp.Body.Close()
		if resp.StatusCode == 200 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("stream slot not freed: HTTP %d", resp.StatusCode)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func openEvents(t *testing.T, ctx context.Context, rg *rig, client string) *http.Response {
	t.Helper()
	req, _ := http.NewRequestWithContext(ctx, "GET", rg.URL+"/api/queue/events", nil)
	req.Header.Set("Authorization", "Bearer "+rg.tok[client])
	resp, err := rg.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

// TestServiceDayMatchesEngine: the daily cap counts in the engine's days.
func TestServiceDayMatchesEngine(t *testing.T) {
	for _, reset := range []time.Duration{0, 5 * time.Hour, 23*time.Hour + 30*time.Minute} {
		clk := &clock{now: time.Date(2026, 12, 31, 0, 0, 0, 0, ict)}
		e, err := queue.Open(context.Background(), queue.Config{Services: []queue.Service{{Code: "A", Name: "A", Counters: []string{"1"}}},
			ResetAt: reset, Location: ict, Now: clk.Now}, &queue.MemoryJournal{})
		if err != nil {
			t.Fatal(err)
		}
		api, err := New(e, Config{Clients: []Client{{Name: "k", Token: randomToken(t), Role: Kiosk}}, ResetAt: reset, Location: ict, Now: clk.Now})
		if err != nil {
			t.Fatal(err)
		}
		for range 100 {
			clk.Advance(17 * time.Minute)
			b, _ := e.Board(context.Background())
			day, until := api.serviceDay(clk.Now())
			if day != b.Day {
				t.Fatalf("reset %v at %v: API day %s, engine day %s", reset, clk.Now(), day, b.Day)
			}
			nextDay, _ := api.serviceDay(clk.Now().Add(until))
			sameDay, _ := api.serviceDay(clk.Now().Add(until - time.Nanosecond))
			if until <= 0 || until > 24*time.Hour || nextDay == day || sameDay != day {
				t.Fatalf("reset %v at %v: next day in %v", reset, clk.Now(), until)
			}
		}
	}
}

func TestNewRefuses(t *testing.T) {
	e, err := queue.Open(context.Background(), queue.Config{Services: []queue.Service{{Code: "A", Name: "A", Counters: []string{"1"}}}}, &queue.MemoryJournal{})
	if err != nil {
		t.Fatal(err)
	}
	good := randomToken(t)
	for name, cs := range map[string][]Client{
		"no clients":      nil,
		"no name":         {{Token: good, Role: Kiosk}},
		"same name":       {{Name: "a", Token: good, Role: Kiosk}, {Name: "a", Token: randomToken(t), Role: Kiosk}},
		"same token":      {{Name: "a", Token: good, Role: Kiosk}, {Name: "b", Token: good, Role: Display}},
		"example token":   {{Name: "a", Token: "display-board-tang2-7c1f9a", Role: Display}},
		"short token":     {{Name: "a", Token: good[:31], Role: Display}},
		"no role":         {{Name: "a", Token: good}},
		"cap of 999":      {{Name: "a", Token: good, Role: Kiosk, Limits: IssueLimits{DailyCap: 999}}},
		"old inline role": {{Name: "a", Token: good, Role: Role(7)}},
	} {
		if _, err := New(e, Config{Clients: cs}); err == nil {
			t.Errorf("%s: New accepted it", name)
		}
	}
}

func TestCheckToken(t *testing.T) {
	for _, tc := range []struct {
		tok string
		ok  bool
	}{
		{"7c1f9a3b8e2d41f0c6a95e7d2b4c8a1f", true},                                 // openssl rand -hex 16
		{"3f9c2a7e1b8d4c6f0a5e9b2d7c1f8a4e6b3d9c0f2e7a1b5d8c4f6a9e0b3c7d2f", true}, // -hex 32
		{"q2Yv9Lx7TzR4mWb1Nc8Kd3Hf6Gj0PsEa5UoIiBn+/w=", true},                      // -base64 32
		{"display-board-tang2-7c1f9a", false},                                      // the old example, too short
		{"counter-staff-noi-3b8e2d41-aaaaaaaaa", false},                            // the old example, padded
		{"REPLACE-WITH-A-RANDOM-TOKEN-1234567", false},
		{"this-is-an-example-token-for-the-board", false},
		{"k3x9q2m7k3x9q2m7k3x9q2m7k3x9q2m7", false},    // a repeated pattern
		{"k7Q0000000000x9Lp2Wc4Re6Ty8Ui1Oa3Sd", false}, // a long run
		{"0123456789abcdefghijklmnopqrstuv", false},    // counting
		{"aaaabbbbaaaabbbbaaaabbbbaaaabbbX", false},    // little entropy
		{"7c1f9a3b8e2d41f0 6a95e7d2b4c8a1f", false},    // a space
		{"7c1f9a3b8e2d41f0c6a95e7d2b4c8a1", false},     // 31 characters
		{strings.Repeat("ab1", 200), false},
		{strings.Repeat("a", 600), false},
	} {
		err := CheckToken(tc.tok)
		if (err == nil) != tc.ok || (err != nil && !errors.Is(err, ErrWeakToken)) {
			t.Errorf("CheckToken(%q) = %v, want ok %v", tc.tok, err, tc.ok)
		}
	}
	// Random tokens of the minimum length pass (a seeded run: the same
	// tokens every time).
	rng := mrand.New(mrand.NewPCG(1, 2))
	buf := make([]byte, 16)
	for i := range 20000 {
		for j := range buf {
			buf[j] = byte(rng.Uint32())
		}
		if err := CheckToken(hex.EncodeToString(buf)); err != nil {
			t.Fatalf("random token %d %x: %v", i, buf, err)
		}
	}
}

// FuzzCheckToken: no input panics, and an accepted token is long enough
// and sendable in a header.
func FuzzCheckToken(f *testing.F) {
	f.Add("7c1f9a3b8e2d41f0c6a95e7d2b4c8a1f")
	f.Add("display-board-tang2-7c1f9a")
	f.Add(strings.Repeat("\xff", 40))
	f.Fuzz(func(t *testing.T, tok string) {
		if CheckToken(tok) == nil && (len(tok) < MinTokenLen || len(tok) > MaxTokenLen || strings.ContainsAny(tok, " \r\n\t")) {
			t.Fatalf("accepted %q", tok)
		}
	})
}

func TestReadTokenFile(t *testing.T) {
	dir := t.TempDir()
	tok := randomToken(t)
	write := func(name, content string, mode os.FileMode) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), mode); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(p, mode); err != nil {
			t.Fatal(err)
		}
		return p
	}
	if got, err := ReadTokenFile(write("ok.token", tok+"\n", 0o640)); err != nil || got != tok {
		t.Fatalf("ReadTokenFile = %q, %v", got, err)
	}
	if _, err := ReadTokenFile(write("open.token", tok, 0o644)); !errors.Is(err, ErrExposedFile) {
		t.Fatalf("world-readable file: %v", err)
	}
	if _, err := ReadTokenFile(write("weak.token", "display-board-tang2-7c1f9a\n", 0o600)); !errors.Is(err, ErrWeakToken) {
		t.Fatalf("weak token: %v", err)
	}
	if _, err := ReadTokenFile(filepath.Join(dir, "missing")); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("missing file: %v", err)
	}
}

// sseEvent reads one event (skipping ping comments) from r.
func sseEvent(t *testing.T, r *bufio.Reader) (id, event, data string) {
	t.Helper()
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			t.Fatalf("SSE read: %v", err)
		}
		line = strings.TrimRight(line, "\n")
		switch {
		case line == "" && event != "":
			return id, event, data
		case strings.HasPrefix(line, "id: "):
			id = line[4:]
		case strings.HasPrefix(line, "event: "):
			event = line[7:]
		case strings.HasPrefix(line, "data: "):
			data = line[6:]
		}
	}
}

func TestEvents(t *testing.T) {
	rg := newRig(t, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	resp := openEvents(t, ctx, rg, "disp")
	defer resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); resp.StatusCode != 200 || ct != "text/event-stream" {
		t.Fatalf("HTTP %d %s", resp.StatusCode, ct)
	}
	r := bufio.NewReader(resp.Body)
	if id, ev, data := sseEvent(t, r); ev != "board" || id != "2026-11-22/0" || !strings.Contains(data, `"Tiếp đón"`) {
		t.Fatalf("first event %s %s %s", id, ev, data)
	}
	rg.call(t, "POST", "/api/queue/tickets", "staff", `{"service":"B","priority":"child_under_6"}`, nil)
	rg.call(t, "POST", "/api/queue/counters/P101/next", "staff", "", nil)
	for i, want := range []string{"issued", "called"} {
		id, ev, data := sseEvent(t, r)
		var e queue.Event
		if err := json.Unmarshal([]byte(data), &e); err != nil || ev != want || e.Ticket != "B001" || id != "2026-11-22/"+string(rune('1'+i)) {
			t.Fatalf("event %d: %s %s %s (%v)", i, id, ev, data, err)
		}
	}
	// Heartbeats keep arriving while idle.
	time.Sleep(50 * time.Millisecond)
	line, err := r.ReadString('\n')
	if err != nil || line != ": ping\n" {
		t.Fatalf("heartbeat %q, %v", line, err)
	}
}

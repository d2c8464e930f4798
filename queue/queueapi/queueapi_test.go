package queueapi

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/kiosk06/kiosk/queue"
)

func newServer(t *testing.T) *httptest.Server {
	t.Helper()
	now := time.Date(2026, 11, 22, 8, 0, 0, 0, time.FixedZone("ICT", 7*3600))
	e, err := queue.Open(context.Background(), queue.Config{
		Services: []queue.Service{
			{Code: "A", Name: "Tiếp đón", Counters: []string{"Q1"}},
			{Code: "B", Name: "Khám nội", Counters: []string{"P101"}},
		},
		Now:    func() time.Time { return now },
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
	}, &queue.MemoryJournal{})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(New(e, Config{
		Tokens:    map[string]Role{"disp": Display, "kiosk": Kiosk, "staff": Staff},
		Heartbeat: 20 * time.Millisecond,
		Logger:    slog.New(slog.NewTextHandler(io.Discard, nil)),
	}))
	t.Cleanup(srv.Close)
	return srv
}

// call does one request and decodes a JSON reply into out (if non-nil).
func call(t *testing.T, srv *httptest.Server, method, path, token, body string, out any) int {
	t.Helper()
	req, _ := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if out != nil && resp.StatusCode < 300 && resp.StatusCode != http.StatusNoContent {
		if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
			t.Fatalf("%s %s: %v", method, path, err)
		}
	}
	return resp.StatusCode
}

func TestAPI(t *testing.T) {
	srv := newServer(t)
	var tk queue.Ticket
	steps := []struct {
		name, method, path, token, body string
		want                            int
		out                             any
		check                           func() bool
	}{
		{"no token", "GET", "/api/queue/board", "", "", 401, nil, nil},
		{"unknown token", "GET", "/api/queue/board", "nope", "", 401, nil, nil},
		{"display may not issue", "POST", "/api/queue/tickets", "disp", `{"service":"A","priority":"normal"}`, 403, nil, nil},
		{"kiosk may not call", "POST", "/api/queue/counters/Q1/next", "kiosk", "", 403, nil, nil},
		{"issue", "POST", "/api/queue/tickets", "kiosk", `{"service":"A","priority":"normal"}`, 201, &tk,
			func() bool { return tk.ID == "A001" && tk.State == queue.Waiting }},
		{"issue priority", "POST", "/api/queue/tickets", "kiosk", `{"service":"A","priority":"age_75"}`, 201, &tk,
			func() bool { return tk.ID == "A002" && tk.Priority == queue.Age75 && tk.Ahead == 0 }},
		{"ahead", "GET", "/api/queue/tickets/A001", "disp", "", 200, &tk, func() bool { return tk.Ahead == 1 && tk.Wait == 5*time.Minute }},
		{"bad priority", "POST", "/api/queue/tickets", "kiosk", `{"service":"A","priority":"vip"}`, 400, nil, nil},
		{"unknown field", "POST", "/api/queue/tickets", "kiosk", `{"service":"A","x":1}`, 400, nil, nil},
		{"unknown service", "POST", "/api/queue/tickets", "kiosk", `{"service":"Z"}`, 404, nil, nil},
		{"next", "POST", "/api/queue/counters/Q1/next", "staff", "", 200, &tk, func() bool { return tk.ID == "A002" && tk.Counter == "Q1" }},
		{"recall", "POST", "/api/queue/counters/Q1/recall", "staff", "", 200, &tk, func() bool { return tk.Recalls == 1 }},
		{"no-show", "POST", "/api/queue/counters/Q1/no-show", "staff", "", 200, &tk, func() bool { return tk.State == queue.NoShow }},
		{"complete with nobody called", "POST", "/api/queue/counters/Q1/complete", "staff", "", 409, nil, nil},
		{"next again", "POST", "/api/queue/counters/Q1/next", "staff", "", 200, &tk, func() bool { return tk.ID == "A001" }},
		{"transfer", "POST", "/api/queue/tickets/A001/transfer", "staff", `{"service":"B"}`, 200, &tk, func() bool { return tk.Service == "B" }},
		{"empty line", "POST", "/api/queue/counters/Q1/next", "staff", "", 204, nil, nil},
		{"room calls", "POST", "/api/queue/counters/P101/next", "staff", "", 200, &tk, func() bool { return tk.ID == "A001" }},
		{"complete", "POST", "/api/queue/counters/P101/complete", "staff", "", 200, &tk, func() bool { return tk.State == queue.Completed }},
		{"issue to cancel", "POST", "/api/queue/tickets", "staff", `{"service":"B","priority":"pregnant"}`, 201, &tk, nil},
		{"cancel", "DELETE", "/api/queue/tickets/B001", "staff", "", 200, &tk, func() bool { return tk.State == queue.Cancelled }},
		{"cancel again", "DELETE", "/api/queue/tickets/B001", "staff", "", 409, nil, nil},
		{"unknown ticket", "GET", "/api/queue/tickets/A999", "disp", "", 404, nil, nil},
		{"unknown counter", "POST", "/api/queue/counters/X/next", "staff", "", 404, nil, nil},
	}
	for _, s := range steps {
		if got := call(t, srv, s.method, s.path, s.token, s.body, s.out); got != s.want {
			t.Fatalf("%s: HTTP %d, want %d", s.name, got, s.want)
		}
		if s.check != nil && !s.check() {
			t.Fatalf("%s: got %+v", s.name, tk)
		}
	}
	var b queue.Board
	if call(t, srv, "GET", "/api/queue/board", "disp", "", &b) != 200 || len(b.Services) != 2 || b.Services[0].LastIssued != 2 || b.Seq == 0 {
		t.Fatalf("board %+v", b)
	}
	var svcs []queue.Service
	if call(t, srv, "GET", "/api/queue/services", "disp", "", &svcs) != 200 || len(svcs) != 2 || svcs[1].Name != "Khám nội" {
		t.Fatalf("services %+v", svcs)
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
	srv := newServer(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", srv.URL+"/api/queue/events", nil)
	req.Header.Set("Authorization", "Bearer disp")
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); resp.StatusCode != 200 || ct != "text/event-stream" {
		t.Fatalf("HTTP %d %s", resp.StatusCode, ct)
	}
	r := bufio.NewReader(resp.Body)
	if id, ev, data := sseEvent(t, r); ev != "board" || id != "2026-11-22/0" || !strings.Contains(data, `"Tiếp đón"`) {
		t.Fatalf("first event %s %s %s", id, ev, data)
	}
	call(t, srv, "POST", "/api/queue/tickets", "kiosk", `{"service":"B","priority":"child_under_6"}`, nil)
	call(t, srv, "POST", "/api/queue/counters/P101/next", "staff", "", nil)
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

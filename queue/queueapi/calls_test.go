package queueapi

import (
	"bufio"
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/kiosk06/kiosk/queue"
	"github.com/kiosk06/kiosk/queue/staffcall"
)

// TestStaffCalls: a kiosk's help request reaches the staff client whose
// event stream is open (and only staff: the display's stream carries no
// calls), says how many it reached, and the kiosk sees the acknowledgement.
// With nobody listening the call says it reached nobody.
func TestStaffCalls(t *testing.T) {
	desk := staffcall.New(nil)
	rg := newRig(t, func(c *Config) { c.Desk = desk })
	var c staffcall.Call
	if code := rg.call(t, "POST", "/api/queue/calls", "kiosk", `{"kind":"help","reason":"patient","ref":"H001"}`, &c); code != 201 || c.Delivered != 0 {
		t.Fatalf("nobody listening: %d %+v", code, c)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	staff := openEvents(t, ctx, rg, "p101")
	defer staff.Body.Close()
	sr := bufio.NewReader(staff.Body)
	if _, ev, _ := sseEvent(t, sr); ev != "board" {
		t.Fatalf("staff stream starts with %s", ev)
	}
	if _, ev, data := sseEvent(t, sr); ev != "calls" || !json.Valid([]byte(data)) {
		t.Fatalf("staff stream: %s %s", ev, data)
	}
	disp := openEvents(t, ctx, rg, "disp")
	defer disp.Body.Close()
	dr := bufio.NewReader(disp.Body)
	sseEvent(t, dr) // board

	if code := rg.call(t, "POST", "/api/queue/calls", "kiosk2", `{"kind":"device","reason":"printer_paper_end","ticket":"A004"}`, &c); code != 201 || c.Delivered != 1 || c.Kiosk != "kiosk2" {
		t.Fatalf("raise: %d %+v", code, c)
	}
	var seen staffcall.Call
	if _, ev, data := sseEvent(t, sr); ev != "call" || json.Unmarshal([]byte(data), &seen) != nil || seen.ID != c.ID {
		t.Fatalf("staff stream: %s %s", ev, data)
	}
	for _, step := range []struct {
		name, method, path, client, body string
		want                             int
	}{
		{"display may not raise", "POST", "/api/queue/calls", "disp", `{"kind":"help","reason":"patient"}`, 403},
		{"bad kind", "POST", "/api/queue/calls", "kiosk", `{"kind":"party","reason":"patient"}`, 400},
		{"another kiosk's call", "GET", "/api/queue/calls/" + c.ID, "kiosk", "", 404},
		{"kiosk may not ack", "POST", "/api/queue/calls/" + c.ID + "/ack", "kiosk2", "", 403},
		{"own call", "GET", "/api/queue/calls/" + c.ID, "kiosk2", "", 200},
		{"unknown call", "POST", "/api/queue/calls/C9999/ack", "staff", "", 404},
	} {
		if got := rg.call(t, step.method, step.path, step.client, step.body, nil); got != step.want {
			t.Fatalf("%s: HTTP %d, want %d", step.name, got, step.want)
		}
	}
	var open []staffcall.Call
	if rg.call(t, "GET", "/api/queue/calls", "staff", "", &open); len(open) != 2 {
		t.Fatalf("open calls: %+v", open)
	}
	if code := rg.call(t, "POST", "/api/queue/calls/"+c.ID+"/ack", "p101", "", &c); code != 200 || c.AckedBy != "p101" {
		t.Fatalf("ack: %d %+v", code, c)
	}
	if _, ev, data := sseEvent(t, sr); ev != "call" || json.Unmarshal([]byte(data), &seen) != nil || seen.Open() {
		t.Fatalf("staff stream after ack: %s %s", ev, data)
	}
	if rg.call(t, "GET", "/api/queue/calls/"+c.ID, "kiosk2", "", &c); c.Open() {
		t.Fatalf("kiosk sees %+v", c)
	}
	// The display's stream got neither call: its next event is the queue's.
	rg.call(t, "POST", "/api/queue/tickets", "kiosk", `{"service":"A","priority":"normal"}`, nil)
	if _, ev, _ := sseEvent(t, dr); ev != "issued" {
		t.Fatalf("display stream: %s", ev)
	}
}

// TestAdoptOverAPI: a kiosk adopts its offline number under its own name;
// another kiosk cannot take the same number; the list shows it.
func TestAdoptOverAPI(t *testing.T) {
	rg := newRig(t, nil)
	body := `{"id":"B-A001","service":"A","priority":"normal","issued":"2026-11-22T07:59:00+07:00"}`
	var tk queue.Ticket
	for range 2 {
		if code := rg.call(t, "POST", "/api/queue/tickets/adopt", "kiosk", body, &tk); code != 200 || tk.Origin != "kiosk" {
			t.Fatalf("adopt: %d %+v", code, tk)
		}
	}
	if code := rg.call(t, "POST", "/api/queue/tickets/adopt", "kiosk2", body, nil); code != 409 {
		t.Fatalf("another kiosk: %d", code)
	}
	if code := rg.call(t, "POST", "/api/queue/tickets/adopt", "disp", body, nil); code != 403 {
		t.Fatalf("display: %d", code)
	}
	if code := rg.call(t, "POST", "/api/queue/tickets/adopt", "kiosk", `{"id":"A001","service":"A","priority":"normal"}`, nil); code != 400 {
		t.Fatalf("a host-shaped number: %d", code)
	}
	var all []queue.Ticket
	if rg.call(t, "GET", "/api/queue/tickets", "disp", "", &all); len(all) != 1 || all[0].ID != "B-A001" {
		t.Fatalf("tickets: %+v", all)
	}
}

package queue

import (
	"context"
	"testing"
	"time"
)

// issueIDs issues one normal ticket of each service and returns the IDs.
func issueIDs(t *testing.T, e *Engine, services ...string) []string {
	t.Helper()
	var out []string
	for _, s := range services {
		out = append(out, ok(t)(e.Issue(context.Background(), s, Normal)).ID)
	}
	return out
}

func wantIDs(t *testing.T, what string, got []string, want ...string) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %v, want %v", what, got, want)
	}
	for i := range got {
		if got[i] != want[i] {
			t.Fatalf("%s: %v, want %v", what, got, want)
		}
	}
}

// TestServiceDayForwardOnly: a wall clock stepped back across the reset
// time keeps the service day (numbers go on increasing; yesterday's queue
// is not reloaded); stepped forward past the next reset, a new day starts
// at 001.
func TestServiceDayForwardOnly(t *testing.T) {
	ctx := context.Background()
	c := &clock{now: time.Date(2026, 11, 23, 5, 10, 0, 0, ict)}
	j := &MemoryJournal{}
	e := open(t, c, j)
	wantIDs(t, "first", issueIDs(t, e, "A", "A"), "A001", "A002")

	c.now = time.Date(2026, 11, 23, 4, 50, 0, 0, ict) // stepped back before the 05:00 reset
	wantIDs(t, "stepped back", issueIDs(t, e, "A"), "A003")
	if _, err := e.Get(ctx, "A001"); err != nil {
		t.Fatalf("the day's first ticket after the step back: %v", err)
	}

	// A restart while the clock is still behind opens the journal's latest
	// day, not the clock's.
	e = open(t, c, j)
	wantIDs(t, "restarted behind", issueIDs(t, e, "A"), "A004")

	c.now = time.Date(2026, 11, 24, 5, 10, 0, 0, ict) // stepped forward past the next reset
	wantIDs(t, "stepped forward", issueIDs(t, e, "A"), "A001")
}

// TestEventTimesForwardOnly: a ticket issued after the clock stepped back
// takes its place in line after the ones issued before (its time is the
// day's latest, not the stepped-back clock's), and a service time is never
// negative.
func TestEventTimesForwardOnly(t *testing.T) {
	ctx := context.Background()
	c := &clock{now: time.Date(2026, 11, 23, 9, 0, 0, 0, ict)}
	e := open(t, c, &MemoryJournal{})
	a := ok(t)(e.Issue(ctx, "A", Normal))
	c.Advance(time.Minute)
	c.now = c.now.Add(-30 * time.Minute) // stepped back
	cc := ok(t)(e.Issue(ctx, "C", Normal))
	if cc.Issued.Before(a.Issued) {
		t.Fatalf("C001 issued %v, before A001's %v", cc.Issued, a.Issued)
	}
	if got := ok(t)(e.CallNext(ctx, "Q2")).ID; got != "A001" {
		t.Fatalf("Q2 called %s first, want A001 (in line first)", got)
	}
	c.Advance(-10 * time.Minute) // stepped back while A001 is served
	ok(t)(e.Complete(ctx, "Q2"))
	e.mu.Lock()
	avg := e.d.average("A", time.Hour)
	e.mu.Unlock()
	if avg < 0 {
		t.Fatalf("average service time %v after a step back", avg)
	}
}

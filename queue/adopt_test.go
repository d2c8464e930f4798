package queue

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"
)

// TestAdoptOfflineNumbers: numbers a kiosk issued while the host was
// unreachable join the line at their issue time, are called like any
// other, survive a replay, and adopting one again changes nothing.
func TestAdoptOfflineNumbers(t *testing.T) {
	ctx := context.Background()
	c := &clock{now: time.Date(2026, 11, 22, 8, 0, 0, 0, ict)}
	j := &MemoryJournal{}
	e := open(t, c, j)
	ok(t)(e.Issue(ctx, "A", Normal)) // A001 at 08:00
	offlineAt := c.Now().Add(time.Minute)
	c.Advance(5 * time.Minute)
	ok(t)(e.Issue(ctx, "A", Normal)) // A002 at 08:05
	b := ok(t)(e.Adopt(ctx, "B-A001", "A", Normal, offlineAt, "kiosk-b"))
	if b.Ahead != 1 || b.Origin != "kiosk-b" || b.Number != 1 {
		t.Fatalf("adopted: %+v, want 1 ahead (A001 was issued before it)", b)
	}
	again := ok(t)(e.Adopt(ctx, "B-A001", "A", Normal, offlineAt, "kiosk-b"))
	if again.ID != b.ID {
		t.Fatalf("second adopt: %+v", again)
	}
	if _, err := e.Adopt(ctx, "B-A001", "A", Normal, offlineAt, "kiosk-c"); !errors.Is(err, ErrBadState) {
		t.Fatalf("another kiosk's number: %v", err)
	}
	for _, bad := range []string{"A001", "B-B001", "B-A01", "b-A001", "B-A000", "TOOLONG-A001"} {
		if _, err := e.Adopt(ctx, bad, "A", Normal, offlineAt, "kiosk-b"); !errors.Is(err, ErrInvalid) {
			t.Errorf("adopt %q: %v, want ErrInvalid", bad, err)
		}
	}
	var called []string
	for range 3 {
		called = append(called, ok(t)(e.CallNext(ctx, "Q1")).ID)
	}
	if want := []string{"A001", "B-A001", "A002"}; !slices.Equal(called, want) {
		t.Fatalf("call order %v, want %v", called, want)
	}
	// The host's own numbering is untouched: the next is A003.
	if n := ok(t)(e.Issue(ctx, "A", Normal)); n.ID != "A003" {
		t.Fatalf("next host number %s", n.ID)
	}
	r := open(t, c, j)
	got := ok(t)(r.Get(ctx, "B-A001"))
	if got.State != Completed || got.Origin != "kiosk-b" {
		t.Fatalf("after replay: %+v", got)
	}
	all, err := r.Tickets(ctx)
	if err != nil || len(all) != 4 || all[0].ID != "A001" || all[1].ID != "B-A001" {
		t.Fatalf("tickets: %+v %v", all, err)
	}
}

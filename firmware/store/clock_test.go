package store

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

// TestClockFloor: a board without a real-time clock boots in 1970 (here:
// a clock that reads before this build's commit, or before the newest
// record less ClockSlack). Nothing is recorded then — a sale or a ticket
// would carry a false date and the day's limits would restart — and
// Check says why; with the check off (tools, fixed-time tests) all goes.
func TestClockFloor(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	o := testOptions(t, dir)

	// The build is "from the future": the clock reads before its commit.
	o.ClockFloor = time.Now().Add(24 * time.Hour)
	s := openT(t, o)
	_, err := s.Append(ctx, rec("queue.ticket", 1))
	if !errors.Is(err, ErrClock) || !errors.Is(err, ErrUnavailable) || !strings.Contains(err.Error(), "set the time") {
		t.Fatalf("append before the floor: %v", err)
	}
	if err := s.Check(); !errors.Is(err, ErrClock) {
		t.Fatalf("Check before the floor: %v", err)
	}
	if ob, _ := s.Outbox(ctx); ob.LastSeq != 0 {
		t.Fatalf("a record was written: %+v", ob)
	}
	s.Close()

	// The check off: a record stamped two hours ahead (a clock that ran
	// fast) is written.
	o.ClockFloor = time.Time{}
	s = openT(t, o)
	r := rec("queue.ticket", 2)
	r.CreatedAt = time.Now().Add(2 * time.Hour)
	if _, err := s.Append(ctx, r); err != nil {
		t.Fatal(err)
	}
	s.Close()

	// On again with an old build: the newest record (2 h ahead) less the
	// slack (1 h) is the floor, so now is an hour too early.
	o.ClockFloor = time.Now().Add(-30 * 24 * time.Hour)
	s = openT(t, o)
	if f := s.ClockFloor(); f.Before(time.Now().Add(50*time.Minute)) || f.After(time.Now().Add(70*time.Minute)) {
		t.Fatalf("floor %v, want the newest record less %v", f, ClockSlack)
	}
	if _, err := s.Append(ctx, rec("queue.ticket", 3)); !errors.Is(err, ErrClock) {
		t.Fatalf("append an hour before the floor: %v", err)
	}
	s.Close()

	// A plausible clock: the build is older and no record is ahead.
	o2 := testOptions(t, t.TempDir())
	o2.ClockFloor = time.Now().Add(-30 * 24 * time.Hour)
	s = openT(t, o2)
	if _, err := s.Append(ctx, rec("queue.ticket", 4)); err != nil || s.Check() != nil {
		t.Fatalf("plausible clock: append %v, check %v", err, s.Check())
	}
}

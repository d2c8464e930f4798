package store

import (
	"context"
	"fmt"
	"time"
)

// ClockSlack is how far the wall clock may read before the newest record
// and still be taken as right: an NTP correction that steps a fast clock
// back, or records stamped by a device whose clock ran ahead.
const ClockSlack = time.Hour

// setClockFloor raises Options.ClockFloor to the newest record's time less
// ClockSlack, when the check is on.
func (s *Store) setClockFloor(ctx context.Context) error {
	if s.opts.ClockFloor.IsZero() {
		return nil
	}
	s.floor = s.opts.ClockFloor
	var newest *int64
	if err := s.db.QueryRowContext(ctx, `SELECT MAX(created_ns) FROM records`).Scan(&newest); err != nil {
		return fmt.Errorf("store: clock floor: %w", err)
	}
	if newest != nil {
		if t := time.Unix(0, *newest).Add(-ClockSlack); t.After(s.floor) {
			s.floor = t
		}
	}
	if err := s.ClockCheck(); err != nil {
		s.log.Error("store: the clock is not plausible: nothing is recorded until the time is set (NTP)", "err", err)
	}
	return nil
}

// ClockFloor is the earliest wall-clock time the store takes records at
// (zero: no check).
func (s *Store) ClockFloor() time.Time { return s.floor }

// ClockCheck says whether the wall clock is plausible now: nil, or ErrClock
// naming the clock's reading and the floor.
func (s *Store) ClockCheck() error {
	if s.floor.IsZero() {
		return nil
	}
	if now := time.Now(); now.Before(s.floor) {
		return fmt.Errorf("%w: it reads %s, before %s (this build's commit, or the newest record less %v): set the time",
			ErrClock, now.UTC().Format(time.RFC3339), s.floor.UTC().Format(time.RFC3339), ClockSlack)
	}
	return nil
}

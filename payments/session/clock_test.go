package session

import (
	"context"
	"testing"
	"time"
)

// TestRestoredDeadlineNotExtended: a session restored after a restart keeps
// its recorded deadline, but a wall clock stepped back since does not give
// it more than its whole window from the restart: the QR expires.
func TestRestoredDeadlineNotExtended(t *testing.T) {
	for _, tc := range []struct {
		name       string
		pass, jump time.Duration // before the restart: time passing, then a wall-clock step
		expiresIn  time.Duration // after the restart
	}{
		{"clock right", 2 * time.Minute, 0, 3 * time.Minute},
		{"clock stepped back an hour", 2 * time.Minute, -time.Hour, 5 * time.Minute},
		{"clock stepped back a minute", 2 * time.Minute, -time.Minute, 4 * time.Minute},
		{"clock stepped forward past the deadline", time.Minute, time.Hour, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			ctx := context.Background()
			s := f.shown(t, 50000)
			f.clock.Advance(tc.pass)
			f.clock.Advance(tc.jump) // the fake clock has only a wall part
			m2, err := New(f.config(), f.rec, f.print)
			if err != nil {
				t.Fatal(err)
			}
			if err := m2.Restore(ctx); err != nil {
				t.Fatal(err)
			}
			if tc.expiresIn > 0 {
				f.clock.Advance(tc.expiresIn - time.Second)
				if got, err := m2.Get(ctx, s.Ref); err != nil || got.State != QRShown {
					t.Fatalf("a second before: %s, %v", got.State, err)
				}
			}
			f.clock.Advance(time.Second)
			if err := m2.Sweep(ctx); err != nil {
				t.Fatal(err)
			}
			if got, err := m2.Get(ctx, s.Ref); err != nil || got.State != Expired {
				t.Fatalf("at the deadline: %s, %v", got.State, err)
			}
		})
	}
}

package queue

import (
	"context"
	"testing"
	"time"
)

// FuzzReplay feeds arbitrary (possibly corrupt or reordered) journals to
// Open: it must return an error or a usable engine, never panic.
func FuzzReplay(f *testing.F) {
	f.Add([]byte{0, 0, 1, 0, 2, 1, 6, 0})
	f.Add([]byte{0, 1, 0, 0, 1, 1, 3, 1, 4, 0, 5, 2})
	kinds := []EventKind{EvIssued, EvCalled, EvRecalled, EvNoShow, EvTransferred, EvCompleted, EvCancelled, "bogus"}
	f.Fuzz(func(t *testing.T, b []byte) {
		c := &clock{now: time.Date(2026, 11, 22, 9, 0, 0, 0, ict)}
		day := "2026-11-22"
		j := &MemoryJournal{}
		for i := 0; i+1 < len(b) && i < 400; i += 2 {
			n := int(b[i+1]%4) + 1
			svc := string(rune('A' + b[i+1]%4)) // D is not configured
			e := Event{Day: day, Seq: int64(i/2 + 1), At: c.now, Kind: kinds[b[i]%8], Ticket: svc + "00" + string(rune('0'+n)),
				Service: svc, Number: n, Priority: Priority(b[i+1] % 8), Counter: []string{"Q1", "Q2", "P101", "X"}[b[i]%4]}
			_ = j.Append(context.Background(), e)
		}
		e, err := Open(context.Background(), testConfig(c), j)
		if err != nil {
			return
		}
		ctx := context.Background()
		_, _ = e.Board(ctx)
		for _, id := range []string{"A001", "B001", "D001"} {
			_, _ = e.Get(ctx, id)
		}
		_, _ = e.CallNext(ctx, "Q2")
		_, _ = e.Issue(ctx, "A", Normal)
	})
}

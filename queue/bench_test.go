package queue

import (
	"context"
	"testing"
	"time"
)

// BenchmarkIssue measures Issue with an in-memory journal: the engine's
// own cost per ticket (the durable journal adds the store's fsync).
func BenchmarkIssue(b *testing.B) {
	ctx := context.Background()
	c := &clock{now: time.Date(2026, 11, 22, 7, 0, 0, 0, ict)}
	cfg := testConfig(c)
	e, _ := Open(ctx, cfg, &MemoryJournal{})
	n := 0
	for b.Loop() {
		if n == 999 { // a new service day every 999 tickets
			c.Advance(24 * time.Hour)
			n = 0
		}
		if _, err := e.Issue(ctx, "A", Priority(n%7)); err != nil {
			b.Fatal(err)
		}
		n++
	}
}

// BenchmarkCallNext measures a call with 200 people waiting in mixed classes.
func BenchmarkCallNext(b *testing.B) {
	ctx := context.Background()
	c := &clock{now: time.Date(2026, 11, 22, 7, 0, 0, 0, ict)}
	e, _ := Open(ctx, testConfig(c), &MemoryJournal{})
	for i := range 200 {
		if _, err := e.Issue(ctx, "A", Priority(i%7)); err != nil {
			b.Fatal(err)
		}
	}
	for b.Loop() {
		if _, err := e.CallNext(ctx, "Q1"); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		tk, _ := e.Complete(ctx, "Q1")
		if _, err := e.Issue(ctx, "A", tk.Priority); err != nil { // keep 200 waiting
			c.Advance(24 * time.Hour)
			for i := range 200 {
				_, _ = e.Issue(ctx, "A", Priority(i%7))
			}
		}
		b.StartTimer()
	}
}

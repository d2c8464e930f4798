package queue

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"
)

var errCrash = errors.New("simulated kill -9")

// crashJournal is a MemoryJournal that "dies" at its n-th Append: either
// before the event is durable (lost) or after it is durable but before
// Append returns (the caller never learns it succeeded). After the crash
// every call fails, as a dead process would.
type crashJournal struct {
	mem     *MemoryJournal
	n       int
	durable bool
	calls   int
	dead    bool
}

func (c *crashJournal) Append(ctx context.Context, e Event) error {
	if c.dead {
		return errCrash
	}
	c.calls++
	if c.calls == c.n {
		c.dead = true
		if c.durable {
			_ = c.mem.Append(ctx, e)
		}
		return errCrash
	}
	return c.mem.Append(ctx, e)
}

func (c *crashJournal) Replay(ctx context.Context, day string) ([]Event, error) {
	return c.mem.Replay(ctx, day)
}

func (c *crashJournal) LatestDay(ctx context.Context) (string, error) {
	return c.mem.LatestDay(ctx)
}

// crashScript is a morning at a clinic: issues across services and
// priorities, calls, recalls, no-shows, transfers, completions, cancels.
func crashScript() []func(context.Context, *Engine) (Ticket, error) {
	issue := func(s string, p Priority) func(context.Context, *Engine) (Ticket, error) {
		return func(ctx context.Context, e *Engine) (Ticket, error) { return e.Issue(ctx, s, p) }
	}
	call := func(c string) func(context.Context, *Engine) (Ticket, error) {
		return func(ctx context.Context, e *Engine) (Ticket, error) { return e.CallNext(ctx, c) }
	}
	return []func(context.Context, *Engine) (Ticket, error){
		issue("A", Normal), issue("A", Age75), issue("B", Normal), issue("A", Normal), call("Q1"),
		issue("A", ChildUnder6), call("Q2"),
		func(ctx context.Context, e *Engine) (Ticket, error) { return e.Recall(ctx, "Q1") },
		issue("C", Normal), call("P101"), call("Q1"),
		func(ctx context.Context, e *Engine) (Ticket, error) { return e.NoShow(ctx, "Q2") },
		issue("A", Emergency), issue("B", Pregnant),
		func(ctx context.Context, e *Engine) (Ticket, error) { return e.Transfer(ctx, "A001", "B") },
		call("P101"), issue("A", Normal),
		func(ctx context.Context, e *Engine) (Ticket, error) { return e.Cancel(ctx, "A003") },
		call("Q3"), call("Q1"), issue("A", Normal), issue("C", RevolutionaryMerit),
		func(ctx context.Context, e *Engine) (Ticket, error) { return e.Complete(ctx, "P101") },
		call("Q2"), issue("B", Normal), issue("A", Normal),
	}
}

// TestCrashAtEveryAppend kills the engine at every journal append of the
// script, in both halves (before and after the event is durable), restarts
// from the journal, retries the interrupted operation and finishes the
// script. Numbers must stay contiguous per service with no duplicate, every
// ticket handed out before the crash must survive unchanged, and the
// replayed state must equal the live one.
func TestCrashAtEveryAppend(t *testing.T) {
	ctx := context.Background()
	script := crashScript()
	// Count the appends of an uninterrupted run.
	c := &clock{now: time.Date(2026, 11, 22, 7, 0, 0, 0, ict)}
	ref := &MemoryJournal{}
	e := open(t, c, ref)
	for _, op := range script {
		c.Advance(30 * time.Second)
		if _, err := op(ctx, e); err != nil && !errors.Is(err, ErrEmpty) {
			t.Fatal(err)
		}
	}
	total := len(ref.events)
	if total < len(script) {
		t.Fatalf("script made only %d appends", total)
	}
	for n := 1; n <= total; n++ {
		for _, durable := range []bool{false, true} {
			t.Run(fmt.Sprintf("append%d_durable=%v", n, durable), func(t *testing.T) {
				runCrash(t, script, n, durable)
			})
		}
	}
}

func runCrash(t *testing.T, script []func(context.Context, *Engine) (Ticket, error), n int, durable bool) {
	ctx := context.Background()
	c := &clock{now: time.Date(2026, 11, 22, 7, 0, 0, 0, ict)}
	mem := &MemoryJournal{}
	cj := &crashJournal{mem: mem, n: n, durable: durable}
	e := open(t, c, cj)
	handed := map[string]Ticket{} // tickets returned by Issue
	i := 0
	for ; i < len(script); i++ {
		c.Advance(30 * time.Second)
		tk, err := script[i](ctx, e)
		if errors.Is(err, errCrash) {
			break
		}
		if err != nil && !errors.Is(err, ErrEmpty) {
			t.Fatalf("op %d before crash: %v", i, err)
		}
		if err == nil && tk.Issued.Equal(c.Now()) {
			handed[tk.ID] = tk
		}
	}
	// kill -9: the engine is gone; a new process replays the journal and the
	// user retries the interrupted operation.
	e = open(t, c, mem)
	for ; i < len(script); i++ {
		tk, err := script[i](ctx, e)
		if err != nil && !errors.Is(err, ErrEmpty) && !errors.Is(err, ErrBadState) && !errors.Is(err, ErrNoCurrent) {
			t.Fatalf("op %d after restart: %v", i, err)
		}
		if err == nil && tk.Issued.Equal(c.Now()) {
			if _, dup := handed[tk.ID]; dup {
				t.Fatalf("ticket %s handed out twice", tk.ID)
			}
			handed[tk.ID] = tk
		}
		c.Advance(30 * time.Second)
	}
	// Numbers contiguous per service, starting at 1, each handed-out ticket intact.
	for _, s := range e.cfg.Services {
		last := e.d.issued[s.Code]
		for k := 1; k <= last; k++ {
			id := fmt.Sprintf("%s%03d", s.Code, k)
			tk, ok := e.d.tickets[id]
			if !ok || tk.Number != k || tk.Issuer != s.Code {
				t.Fatalf("number %s missing or wrong after restart", id)
			}
		}
	}
	for id, h := range handed {
		tk, ok := e.d.tickets[id]
		if !ok || tk.Priority != h.Priority || tk.Issuer != h.Issuer || !tk.Issued.Equal(h.Issued) {
			t.Fatalf("handed-out ticket %s lost or changed: %+v", id, tk)
		}
	}
	// At most one ghost: a ticket durable at the crash but never handed out.
	ghosts := 0
	for id := range e.d.tickets {
		if _, ok := handed[id]; !ok {
			ghosts++
		}
	}
	if ghosts > 1 || ghosts == 1 && !durable {
		t.Fatalf("%d tickets never handed out (durable=%v)", ghosts, durable)
	}
	assertReplayEqual(t, c, e, mem)
}

package flowrun

import (
	"context"
	"sync"
	"testing"
	"time"
)

type clock struct {
	mu  sync.Mutex
	now time.Time
	chs []chan time.Time
	ats []time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *clock) After(d time.Duration) <-chan time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	ch := make(chan time.Time, 1)
	c.chs, c.ats = append(c.chs, ch), append(c.ats, c.now.Add(d))
	return ch
}
func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
	for i, at := range c.ats {
		if !at.After(c.now) && c.chs[i] != nil {
			c.chs[i] <- c.now
			c.chs[i] = nil
		}
	}
}

type st struct {
	Seq uint64
	N   int
	Log string
}

// TestLoop: intents change the state; a superseded step's result is
// dropped; a stopped timer never fires; the run's first state is
// published at once.
func TestLoop(t *testing.T) {
	var n int
	var log string
	c := &clock{}
	var l *Loop[st, string]
	var timer *Timer
	l = New(Machine[st, string]{
		Render: func() st { return st{N: n, Log: log} },
		Stamp:  func(s *st, seq uint64) { s.Seq = seq },
		Handle: func(in string) {
			switch in {
			case "inc":
				n++
			case "slow":
				release := make(chan struct{})
				l.Step(func(ctx context.Context, gen uint64) func() {
					<-ctx.Done() // superseded below
					close(release)
					return func() { log += "stale" }
				})
				l.Step(func(ctx context.Context, gen uint64) func() { <-release; return func() { log += "fresh" } })
			case "timer":
				timer = l.After(time.Second, func() { log += "fired" })
			case "stop":
				timer.Stop()
			case "timer2":
				l.After(time.Second, func() { log += "+t2" })
			}
		},
	}, c, nil)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() { _ = l.Run(ctx) }()
	ch, stop := l.Subscribe()
	defer stop()
	wait := func(ok func(st) bool) st {
		t.Helper()
		deadline := time.After(3 * time.Second)
		for {
			select {
			case s := <-ch:
				if ok(s) {
					return s
				}
			case <-deadline:
				t.Fatalf("state not reached; last %+v", l.State())
			}
		}
	}
	wait(func(s st) bool { return s.Seq >= 1 })
	_ = l.SendWait(ctx, "inc")
	if s := l.State(); s.N != 1 {
		t.Fatalf("state %+v", s)
	}
	_ = l.SendWait(ctx, "slow")
	wait(func(s st) bool { return s.Log == "fresh" })
	_ = l.SendWait(ctx, "timer")
	_ = l.SendWait(ctx, "stop")
	_ = l.SendWait(ctx, "timer2")
	c.advance(time.Second)
	s := wait(func(s st) bool { return s.Log != "fresh" })
	if s.Log != "fresh+t2" {
		t.Fatalf("log %q: a stopped timer fired or a stale step applied", s.Log)
	}
}

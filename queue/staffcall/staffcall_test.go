package staffcall

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

func TestRaiseCountsListenersAndAckReachesWaiter(t *testing.T) {
	ctx := context.Background()
	d := New(nil)
	c, err := d.Raise(ctx, Call{Kiosk: "kiosk-1", Kind: KindHelp, Reason: "patient", Ref: "H001"})
	if err != nil {
		t.Fatal(err)
	}
	if c.Delivered != 0 || c.ID == "" || !c.Open() {
		t.Fatalf("nobody listening: %+v", c)
	}
	l1, stop1 := d.Listen()
	defer stop1()
	l2, stop2 := d.Listen()
	defer stop2()
	c2, err := d.Raise(ctx, Call{Kiosk: "kiosk-2", Kind: KindDevice, Reason: "printer_paper_end", Ticket: "A012"})
	if err != nil || c2.Delivered != 2 || c2.ID == c.ID {
		t.Fatalf("two listeners: %+v %v", c2, err)
	}
	if got := <-l1; got.ID != c2.ID {
		t.Fatalf("listener 1 got %+v", got)
	}
	<-l2
	if open := d.Open(ctx); len(open) != 2 || open[0].ID != c.ID {
		t.Fatalf("open: %+v", open)
	}
	done := make(chan Call)
	go func() {
		a, _ := d.Await(ctx, c2.ID)
		done <- a
	}()
	for d.waiting(c2.ID) == 0 {
		time.Sleep(time.Millisecond)
	}
	a, err := d.Ack(ctx, c2.ID, "quay-1")
	if err != nil || a.Open() || a.AckedBy != "quay-1" {
		t.Fatalf("ack: %+v %v", a, err)
	}
	if w := <-done; w.AckedBy != "quay-1" {
		t.Fatalf("waiter got %+v", w)
	}
	if ev := <-l1; ev.ID != c2.ID || ev.Open() {
		t.Fatalf("listener did not see the ack: %+v", ev)
	}
	again, _ := d.Ack(ctx, c2.ID, "quay-2")
	if again.AckedBy != "quay-1" {
		t.Fatalf("a second ack replaced the first: %+v", again)
	}
	if open := d.Open(ctx); len(open) != 1 {
		t.Fatalf("open after ack: %+v", open)
	}
}

func (d *Desk) waiting(id string) int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return len(d.waiters[id])
}

func TestRaiseRefusesBadCalls(t *testing.T) {
	ctx := context.Background()
	d := New(nil)
	for _, c := range []Call{
		{Kiosk: "k", Kind: "party", Reason: "x"},
		{Kind: KindHelp, Reason: "x"},
		{Kiosk: "k", Kind: KindHelp},
		{Kiosk: "k", Kind: KindHelp, Reason: strings.Repeat("x", 65)},
		{Kiosk: "k", Kind: KindHelp, Reason: "\xff"},
	} {
		if _, err := d.Raise(ctx, c); !errors.Is(err, ErrInvalid) {
			t.Errorf("%+v: %v, want ErrInvalid", c, err)
		}
	}
	if _, err := d.Ack(ctx, "C9999", "quay-1"); !errors.Is(err, ErrUnknown) {
		t.Errorf("ack unknown: %v", err)
	}
	for range MaxOpen {
		if _, err := d.Raise(ctx, Call{Kiosk: "k", Kind: KindHelp, Reason: "patient"}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := d.Raise(ctx, Call{Kiosk: "k", Kind: KindHelp, Reason: "patient"}); !errors.Is(err, ErrFull) {
		t.Fatalf("beyond MaxOpen: %v", err)
	}
}

func TestAwaitEndsWithContext(t *testing.T) {
	d := New(nil)
	c, _ := d.Raise(context.Background(), Call{Kiosk: "k", Kind: KindHelp, Reason: "patient"})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := d.Await(ctx, c.ID); !errors.Is(err, context.Canceled) {
		t.Fatalf("await: %v", err)
	}
	if d.waiting(c.ID) != 0 {
		t.Fatal("a cancelled waiter stayed registered")
	}
}

func TestSlowListenerIsDropped(t *testing.T) {
	d := New(nil)
	l, stop := d.Listen()
	defer stop()
	for range listenBuffer + 1 {
		_, _ = d.Raise(context.Background(), Call{Kiosk: "k", Kind: KindHelp, Reason: "patient"})
	}
	n := 0
	for range l {
		n++
	}
	if n != listenBuffer || d.Listeners() != 0 {
		t.Fatalf("got %d calls, %d listeners", n, d.Listeners())
	}
}

package dispenser_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"periph.io/x/conn/v3/gpio"
	"periph.io/x/conn/v3/gpio/gpiotest"

	"github.com/kiosk06/kiosk/drivers/escpos"
	"github.com/kiosk06/kiosk/drivers/escpos/escpossim"
	kgpio "github.com/kiosk06/kiosk/drivers/gpio"
	"github.com/kiosk06/kiosk/firmware/dispenser"
	"github.com/kiosk06/kiosk/firmware/tickets"
)

// fakeQueue numbers tickets A001, A002… and reuses cancelled numbers, as a
// queue that reserves and releases would.
type fakeQueue struct {
	mu        sync.Mutex
	next      int
	issued    []string
	cancelled []string
}

func (f *fakeQueue) Issue(_ context.Context, service string) (tickets.Queue, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.next++
	n := fmt.Sprintf("A%03d", f.next)
	f.issued = append(f.issued, n)
	return tickets.Queue{ID: "T-" + n, Number: n, Service: service, IssuedAt: time.Unix(0, 0), Ahead: f.next - 1}, nil
}

func (f *fakeQueue) Cancel(_ context.Context, id string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.cancelled = append(f.cancelled, id)
	f.next--
	return nil
}

// consumed is the numbers issued and not cancelled.
func (f *fakeQueue) consumed() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.issued) - len(f.cancelled)
}

func setup(t *testing.T) (*escpossim.Sim, *escpos.Printer) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	sim, err := escpossim.Start(ctx, &escpossim.Options{Width: escpos.Width58mm})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sim.Close() })
	dev, _ := escpos.ParseDevice(sim.DeviceString())
	p, err := escpos.Open(dev, &escpos.Options{StatusTimeout: 2 * time.Second, EncoderOptions: escpos.EncoderOptions{Width: escpos.Width58mm}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	return sim, p
}

func TestDispense(t *testing.T) {
	tests := []struct {
		name         string
		paper        escpos.Paper
		cover        bool
		wantErr      error
		wantConsumed int
		wantPages    int
		wantWarning  bool
	}{
		{"ok", escpos.PaperOK, false, nil, 1, 1, false},
		{"near end prints and warns", escpos.PaperNearEnd, false, nil, 1, 1, true},
		{"paper end consumes nothing", escpos.PaperEnd, false, escpos.ErrPaperEnd, 0, 0, false},
		{"cover open consumes nothing", escpos.PaperOK, true, escpos.ErrCoverOpen, 0, 0, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			sim, p := setup(t)
			sim.SetPaper(tc.paper)
			sim.SetCover(tc.cover)
			q := &fakeQueue{}
			d, err := dispenser.New(dispenser.Config{Service: "Phòng khám Nội – Tầng 2", Printer: p, Issuer: q})
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			_, err = d.Dispense(ctx)
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("Dispense err = %v, want %v", err, tc.wantErr)
			}
			if tc.wantErr != nil && !errors.Is(err, dispenser.ErrNotReady) {
				t.Errorf("err %v does not wrap ErrNotReady", err)
			}
			if got := q.consumed(); got != tc.wantConsumed {
				t.Errorf("numbers consumed = %d, want %d", got, tc.wantConsumed)
			}
			if got := len(sim.Pages()); got != tc.wantPages {
				t.Errorf("pages = %d, want %d", got, tc.wantPages)
			}
			h := d.Health()
			if (h.Warning != "") != tc.wantWarning || h.Paper != tc.paper {
				t.Errorf("Health = %+v", h)
			}
		})
	}
}

// paperRunsOut reports the printer ready, then the roll runs out before the
// job starts: the number has been issued and must be cancelled.
type paperRunsOut struct {
	*escpos.Printer
	sim *escpossim.Sim
}

func (p paperRunsOut) Status(ctx context.Context) (escpos.Status, error) {
	st, err := p.Printer.Status(ctx)
	p.sim.SetPaper(escpos.PaperEnd)
	return st, err
}

func TestPaperEndAfterIssueCancelsNumber(t *testing.T) {
	sim, p := setup(t)
	q := &fakeQueue{}
	d, _ := dispenser.New(dispenser.Config{Service: "Khoa Nhi", Printer: paperRunsOut{p, sim}, Issuer: q})
	_, err := d.Dispense(context.Background())
	if !errors.Is(err, escpos.ErrPaperEnd) {
		t.Fatalf("err = %v, want ErrPaperEnd", err)
	}
	if q.consumed() != 0 || len(q.cancelled) != 1 {
		t.Errorf("issued %v cancelled %v: number consumed", q.issued, q.cancelled)
	}
	if h := d.Health(); h.Ready || h.Cancelled != 1 || h.Paper != escpos.PaperEnd {
		t.Errorf("Health = %+v", h)
	}
}

func TestRunButtonPrintsTicket(t *testing.T) {
	sim, p := setup(t)
	pin := &gpiotest.Pin{N: "BTN", EdgesChan: make(chan gpio.Level, 8)}
	btn, err := kgpio.NewButton(pin, 5*time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	ledPin := &gpiotest.Pin{N: "LED"}
	led, _ := kgpio.NewOutput(ledPin, false)
	q := &fakeQueue{}
	d, _ := dispenser.New(dispenser.Config{Service: "Khoa Nhi", Printer: p, Issuer: q, Button: btn, LED: led, Cooldown: 10 * time.Millisecond})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- d.Run(ctx) }()
	pin.EdgesChan <- gpio.Low // press, with a bounce
	pin.EdgesChan <- gpio.High
	pin.EdgesChan <- gpio.Low
	for len(sim.Pages()) == 0 && ctx.Err() == nil {
		time.Sleep(5 * time.Millisecond)
	}
	for ledPin.Read() != gpio.High && ctx.Err() == nil { // ready again after the cooldown
		time.Sleep(5 * time.Millisecond)
	}
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("Run = %v", err)
	}
	if len(sim.Pages()) != 1 || q.consumed() != 1 || d.Health().Issued != 1 {
		t.Errorf("pages %d, consumed %d, health %+v", len(sim.Pages()), q.consumed(), d.Health())
	}
}

// TestClosedServiceIssuesNothing: while staff keep the service closed
// (the staff menu's ServiceOpen) a press takes no number and prints
// nothing; reopened, the next press prints.
func TestClosedServiceIssuesNothing(t *testing.T) {
	sim, p := setup(t)
	var open atomic.Bool
	q := &fakeQueue{}
	d, err := dispenser.New(dispenser.Config{Service: "A", Printer: p, Issuer: q,
		Open: func(s string) bool { return s != "A" || open.Load() }})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := d.Dispense(ctx); !errors.Is(err, dispenser.ErrClosed) {
		t.Fatalf("closed: %v", err)
	}
	if q.consumed() != 0 || len(sim.Pages()) != 0 || d.Health().Refused != 1 {
		t.Fatalf("closed: consumed %d, pages %d, health %+v", q.consumed(), len(sim.Pages()), d.Health())
	}
	open.Store(true)
	if _, err := d.Dispense(ctx); err != nil || q.consumed() != 1 || len(sim.Pages()) != 1 {
		t.Fatalf("reopened: %v, consumed %d, pages %d", err, q.consumed(), len(sim.Pages()))
	}
}

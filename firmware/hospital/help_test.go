package hospital

import (
	"context"
	"strings"
	"sync"
	"testing"

	"github.com/kiosk06/kiosk/drivers/escpos"
	"github.com/kiosk06/kiosk/firmware/records"
	"github.com/kiosk06/kiosk/queue/staffcall"
)

type fakeBeacon struct {
	mu  sync.Mutex
	set []bool
}

func (b *fakeBeacon) Set(on bool) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.set = append(b.set, on)
	return nil
}

func (b *fakeBeacon) levels() []bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]bool(nil), b.set...)
}

func withStaff(d *staffcall.Desk, b Beacon) rigOpt {
	return func(_ *Config, deps *Deps, _ *rig) {
		if d != nil {
			deps.Staff = d
		}
		if b != nil {
			deps.Beacon = b
		}
	}
}

// TestCallStaffReachesNobody is issue 19's finding: with no staff channel
// the screen said staff were coming. Now it says to go to the desk, and the
// outcome is recorded.
func TestCallStaffReachesNobody(t *testing.T) {
	r := newRig(t, noHolder())
	r.toInsurance(adult)
	r.tap(IntentCallStaff)
	s := r.wait("not reached", func(s State) bool { return s.Help != nil && s.Help.Status == HelpNotReached })
	if s.Help.Message.Key != "help.not_reached" || !strings.Contains(s.Help.Message.VI, "quầy tiếp đón") ||
		strings.Contains(s.Help.Message.VI, "Đã gọi") || strings.Contains(s.Title.VI, "Đã gọi") {
		t.Fatalf("help %+v title %+v", s.Help, s.Title)
	}
	r.wait("record", func(State) bool { return len(r.rec.kinds(KindHelpAck)) == 1 })
	if a := payloadOf[records.HospitalHelpAck](r.rec.kinds(KindHelpAck)[0]); a.Outcome != records.HelpUnreached || a.Ref != s.Help.Ref {
		t.Fatalf("outcome %+v", a)
	}
}

// TestCallStaffAcknowledged: a counter screen listening gets the call; the
// kiosk says staff were called, then — once a counter takes it — that staff
// took the request, and records who did.
func TestCallStaffAcknowledged(t *testing.T) {
	desk := staffcall.New(nil)
	counter, stop := desk.Listen()
	defer stop()
	r := newRig(t, noHolder(), withStaff(desk, nil))
	r.toInsurance(adult)
	r.tap(IntentCallStaff)
	s := r.wait("called", func(s State) bool { return s.Help != nil && s.Help.Status == HelpCalled })
	if !strings.Contains(s.Help.Message.VI, "Đã gọi nhân viên") || !strings.Contains(s.Help.Message.VI, s.Help.Ref) {
		t.Fatalf("help %+v", s.Help)
	}
	c := <-counter
	if c.Kind != staffcall.KindHelp || c.Ref != s.Help.Ref || c.Screen != "insurance" || c.Kiosk != "HOSP-01" {
		t.Fatalf("call %+v", c)
	}
	if _, err := desk.Ack(context.Background(), c.ID, "quay-1"); err != nil {
		t.Fatal(err)
	}
	s = r.wait("acknowledged", func(s State) bool { return s.Help != nil && s.Help.Status == HelpAcknowledged })
	if !strings.Contains(s.Help.Message.VI, "Nhân viên đã nhận yêu cầu") {
		t.Fatalf("help %+v", s.Help)
	}
	acks := r.rec.kinds(KindHelpAck)
	if len(acks) != 1 {
		t.Fatalf("acks %+v", acks)
	}
	if a := payloadOf[records.HospitalHelpAck](acks[0]); a.Outcome != records.HelpAcknowledged || a.By != "quay-1" || a.Call != c.ID || a.Delivered != 1 {
		t.Fatalf("ack record %+v", a)
	}
	r.tap(IntentBack)
	r.waitScreen(ScreenInsurance)
}

// TestCallStaffBeacon: with no counter screen open the kiosk's beacon is
// the call: lit while the call is open, off once staff took it.
func TestCallStaffBeacon(t *testing.T) {
	desk := staffcall.New(nil)
	b := &fakeBeacon{}
	r := newRig(t, noHolder(), withStaff(desk, b))
	r.toInsurance(adult)
	r.tap(IntentCallStaff)
	r.wait("called", func(s State) bool { return s.Help != nil && s.Help.Status == HelpCalled })
	if l := b.levels(); len(l) != 1 || !l[0] {
		t.Fatalf("beacon %v", l)
	}
	open := desk.Open(context.Background())
	if len(open) != 1 || open[0].Delivered != 0 {
		t.Fatalf("open %+v", open)
	}
	if _, err := desk.Ack(context.Background(), open[0].ID, "quay-2"); err != nil {
		t.Fatal(err)
	}
	r.wait("acknowledged", func(s State) bool { return s.Help != nil && s.Help.Status == HelpAcknowledged })
	r.wait("beacon off", func(State) bool { l := b.levels(); return len(l) == 2 && !l[1] })
}

// TestPaperOutAlert: the ticket screen says staff were told only once the
// alert reached a counter screen, then that they took it.
func TestPaperOutAlert(t *testing.T) {
	desk := staffcall.New(nil)
	counter, stop := desk.Listen()
	defer stop()
	r := newRig(t, noHolder(), withConfig(func(c *Config) { c.Prepayment = false }), withStaff(desk, nil))
	r.printer.err = escpos.ErrPaperEnd
	r.toClinic(adult)
	r.send(Intent{Kind: IntentChoose, Clinic: "K02"})
	r.waitScreen(ScreenTicket)
	s := r.wait("told", func(s State) bool { return s.Ticket != nil && s.Ticket.Message.Key == "ticket.paper_out" })
	if !strings.Contains(s.Ticket.Message.VI, "B001") {
		t.Fatalf("ticket %+v", s.Ticket)
	}
	c := <-counter
	if c.Kind != staffcall.KindDevice || c.Reason != "printer_paper_end" || c.Ticket != "B001" {
		t.Fatalf("alert %+v", c)
	}
	if _, err := desk.Ack(context.Background(), c.ID, "quay-1"); err != nil {
		t.Fatal(err)
	}
	s = r.wait("acked", func(s State) bool { return s.Ticket != nil && s.Ticket.Message.Key == "ticket.paper_out_acked" })
	if !strings.Contains(s.Ticket.Message.VI, "nhân viên đã nhận yêu cầu") {
		t.Fatalf("ticket %+v", s.Ticket)
	}
}

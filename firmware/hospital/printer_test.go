package hospital

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/kiosk06/kiosk/drivers/escpos"
	"github.com/kiosk06/kiosk/drivers/escpos/escpossim"
)

// TestRealPrinter prints the queue ticket with the real ESC/POS driver on a
// pty to escpossim, then runs out of paper.
func TestRealPrinter(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	sim, err := escpossim.Start(ctx, &escpossim.Options{Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	defer sim.Close()
	dev, err := escpos.ParseDevice(sim.DeviceString())
	if err != nil {
		t.Fatal(err)
	}
	p, err := escpos.Open(dev, &escpos.Options{Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	r := newRig(t, noHolder(), withConfig(func(c *Config) { c.Prepayment = false }), func(_ *Config, d *Deps, _ *rig) { d.Printer = p })

	r.toClinic(adult)
	r.send(Intent{Kind: IntentChoose, Clinic: "K01"})
	s := r.waitScreen(ScreenTicket)
	if !s.Ticket.Printed || len(sim.Pages()) != 1 {
		t.Fatalf("ticket %+v, %d pages, problems %v", s.Ticket, len(sim.Pages()), sim.Problems())
	}
	r.tap(IntentDone)
	r.waitScreen(ScreenGoodbye)

	sim.SetPaper(escpos.PaperEnd)
	r.tapCard(woman)
	r.tap(IntentContinue)
	r.wait("insurance", func(s State) bool { return s.Screen == ScreenInsurance && s.Insurance.Outcome != InsuranceChecking })
	r.tap(IntentContinue)
	r.wait("clinics", func(s State) bool { return s.Screen == ScreenClinic && !s.Clinic.Loading })
	r.send(Intent{Kind: IntentChoose, Clinic: "K01"})
	s = r.waitScreen(ScreenTicket)
	if s.Ticket.Printed || !s.Ticket.PaperOut || s.Ticket.Number != "A002" || len(sim.Pages()) != 1 {
		t.Fatalf("ticket %+v, %d pages", s.Ticket, len(sim.Pages()))
	}
}

package ticketing

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/kiosk06/kiosk/drivers/escpos"
	"github.com/kiosk06/kiosk/drivers/escpos/escpossim"
	"github.com/kiosk06/kiosk/firmware/identity"
	"github.com/kiosk06/kiosk/firmware/records"
	"github.com/kiosk06/kiosk/firmware/store"
	"github.com/kiosk06/kiosk/firmware/ticketing/backend"
	"github.com/kiosk06/kiosk/firmware/ticketing/catalog"
)

// storeRecorder is the kiosk's Recorder: records.Append over the real
// store (SQLite, synchronous=FULL, fsync per record).
type storeRecorder struct{ st *store.Store }

func (s storeRecorder) Record(ctx context.Context, r Record) error {
	_, err := records.Append(ctx, s.st, r.At, r.Payload, r.Personal)
	return err
}

// countingPrinter is the real ESC/POS driver on escpossim over a pty,
// counting the bytes each job sends (for the link's time at a real
// speed: a pty does not throttle).
type countingPrinter struct {
	p     *escpos.Printer
	bytes int
}

func (c *countingPrinter) Print(ctx context.Context, d *escpos.Document) (escpos.Result, error) {
	res, err := c.p.Print(ctx, d)
	c.bytes += res.Bytes
	return res, err
}

// BenchmarkPurchase is the machine's share of a purchase, from "Mua vé" to
// the printed ticket, with the person's choices instantaneous: the card
// read is an instant fake (the chip read over PN532 is
// BenchmarkReadOverPN532 in firmware/identity; add it), the payment is
// confirmed at once (the bank's time is the person's), and the rest is
// real: the simulated backend over TLS on loopback (seat map, hold, sale,
// all signed and verified), nine fsync'd records in the real store, and a
// coach ticket printed through the ESC/POS driver to escpossim. The pty
// does not throttle, so the ticket's bytes are reported and turned into
// the time a 115200-baud serial link and a USB full-speed link need.
// go test -run '^$' -bench Purchase -benchtime 20x ./firmware/ticketing/
func BenchmarkPurchase(b *testing.B) {
	ctx := context.Background()
	clock := &manualClock{now: start}
	sim := newSim(b, clock)
	tk, _ := identity.NewTokenizer(testKey)
	dir := b.TempDir()
	st, err := store.Open(ctx, store.Options{Path: filepath.Join(dir, "k.db"), KeyFile: filepath.Join(dir, "k.key"), DeviceID: "bench", Logger: quiet})
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	ps, err := escpossim.Start(ctx, &escpossim.Options{Dir: b.TempDir(), Width: escpos.Width80mm})
	if err != nil {
		b.Fatal(err)
	}
	defer ps.Close()
	dev, err := escpos.ParseDevice(ps.DeviceString())
	if err != nil {
		b.Fatal(err)
	}
	pr, err := escpos.Open(dev, &escpos.Options{StatusTimeout: 2 * time.Second, EncoderOptions: escpos.EncoderOptions{Width: escpos.Width80mm, ChunkBytes: 4096}})
	if err != nil {
		b.Fatal(err)
	}
	defer pr.Close()
	cp := &countingPrinter{p: pr}
	cl, err := backend.NewClient(backend.ClientConfig{BaseURL: sim.URL(), Token: "kiosk-token", PublicKey: sim.PublicKey(), DeviceID: "bench",
		Now: clock.Now, HTTPClient: sim.Client()})
	if err != nil {
		b.Fatal(err)
	}
	cache, err := backend.OpenCache(b.TempDir(), sim.PublicKey(), quiet)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := cache.Sync(ctx, cl, clock.Now()); err != nil {
		b.Fatal(err)
	}
	ident := &fakeIdentifier{cards: make(chan identity.Identity, 1)}
	pay := &fakePayments{clock: clock, auto: true}
	f, err := New(Config{DeviceID: "bench", Station: "HN-GB", Header: headerForTests, Logger: quiet},
		Deps{Identifier: ident, Backend: cl, Catalogue: cache, Tokens: tk, Printer: cp, Payments: pay, Recorder: storeRecorder{st}, Clock: clock})
	if err != nil {
		b.Fatal(err)
	}
	rctx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- f.Run(rctx) }()
	defer func() { cancel(); <-done }()
	states, unsub := f.Subscribe()
	defer unsub()
	waitB := func(what string, ok func(State) bool) State {
		deadline := time.After(20 * time.Second)
		for {
			select {
			case s := <-states:
				if ok(s) {
					return s
				}
			case <-deadline:
				b.Fatalf("timed out waiting for %s", what)
			}
		}
	}
	idx := cache.Index()
	trips := idx.Search(catalog.Query{Mode: catalog.ModeCoach, From: "HN-GB", To: "VINH", Day: clock.Now(), After: clock.Now().Add(time.Hour)})
	var total, bytes time.Duration
	n := 0
	for i := 0; b.Loop(); i++ {
		trip := trips[(i/40)%len(trips)]
		seat := i % 40
		seatID := fmt.Sprintf("%s%02d", []string{"A", "B"}[seat/20], seat%20+1)
		before := cp.bytes
		t0 := time.Now()
		f.Send(Intent{Kind: IntentStart})
		ident.cards <- adult
		waitB("choose", func(s State) bool { return s.Screen == ScreenChoose })
		f.Send(Intent{Kind: IntentSearch, From: "HN-GB", To: "VINH", Date: trip.Departs.Format("2006-01-02")})
		waitB("trips", func(s State) bool { return s.Choose != nil && s.Choose.Searched })
		f.Send(Intent{Kind: IntentTrip, Departure: trip.Departure.ID})
		waitB("passengers", func(s State) bool { return s.Screen == ScreenPassengers })
		f.Send(Intent{Kind: IntentContinue})
		waitB("seats", func(s State) bool { return s.Screen == ScreenSeats && !s.Seats.Loading })
		f.Send(Intent{Kind: IntentSeat, Seat: seatID})
		waitB("chosen", func(s State) bool { return s.Seats != nil && len(s.Seats.Chosen) == 1 })
		f.Send(Intent{Kind: IntentContinue})
		waitB("fare", func(s State) bool { return s.Screen == ScreenFare })
		f.Send(Intent{Kind: IntentContinue})
		s := waitB("issued", func(s State) bool { return s.Screen == ScreenIssued || s.Screen == ScreenError })
		total += time.Since(t0)
		if s.Screen != ScreenIssued || !s.Issued.Printed {
			b.Fatalf("purchase %d ended on %s %+v", i, s.Screen, s.Error)
		}
		bytes += time.Duration(cp.bytes - before)
		n++
		f.Send(Intent{Kind: IntentDone})
		waitB("goodbye", func(s State) bool { return s.Screen == ScreenGoodbye })
		f.Send(Intent{Kind: IntentDone})
		waitB("welcome", func(s State) bool { return s.Screen == ScreenWelcome })
	}
	per := float64(bytes) / float64(n)
	b.ReportMetric(float64(total.Milliseconds())/float64(n), "machine-ms/op")
	b.ReportMetric(per/1024, "ticket-KiB")
	b.ReportMetric(per*10/115200*1000, "serial115200-ms")
	b.ReportMetric(per*8/12e6*1000, "usbfs-ms")
}

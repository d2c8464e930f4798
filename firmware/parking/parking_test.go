package parking

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kiosk06/kiosk/firmware/identity"
	"github.com/kiosk06/kiosk/payments/tariff"
	pgpio "periph.io/x/conn/v3/gpio"
)

func TestNewCredential(t *testing.T) {
	tk := tokenizer(t)
	q, err := NewCredential(tk, identity.PresentQR(testQR))
	if err != nil || !q.HasCard() || q.Source != "cccd_qr" {
		t.Fatalf("QR: %+v, %v", q, err)
	}
	c, err := NewCredential(tk, identity.Presentation{Method: identity.MethodChip, ID: "001090012345"})
	if err != nil || c.Token != q.Token || c.Source != "cccd_chip" {
		t.Fatalf("chip and QR of one card differ: %+v, %v", c, err)
	}
	for _, bad := range []string{"", "12345", "00109001234X", "0010900123456"} {
		if _, err := NewCredential(tk, identity.Presentation{Method: identity.MethodChip, ID: bad}); !errors.Is(err, ErrUnusable) {
			t.Errorf("chip ID %q: %v", bad, err)
		}
	}
	for _, p := range []identity.Presentation{
		identity.PresentQR("https://vneid.gov.vn/x"),
		identity.PresentQR("ABCDEFGHJK"),
		{Method: identity.MethodUID, UID: []byte{4, 1, 2, 3, 4, 5, 6}},
	} {
		if _, err := NewCredential(tk, p); !errors.Is(err, ErrUnusable) {
			t.Errorf("%s %q: %v", p.Method, p.Other, err)
		}
	}
	// Pinned, computed independently (Python's hmac: HMAC-SHA256 of
	// "cccd:" + the ID number): stored entries carry this hex, so it must
	// never change.
	if want := "cfccf398c1f254a096ac56b8cba632d4e7a08fac338b14146695394868d3cac4"; q.Token.String() != want {
		t.Errorf("token %s, want %s", q.Token, want)
	}
}

func TestNormalizePlate(t *testing.T) {
	tests := []struct{ in, want string }{
		{"29a-123.45", "29A-123.45"},
		{" 29A 12345 ", "29A12345"},
		{"51F-999.99", "51F-999.99"},
		{"ab", ""},
		{strings.Repeat("9", 40), ""},
		{"\xff\xfe", ""},
	}
	for _, tc := range tests {
		got, err := NormalizePlate(tc.in)
		if got != tc.want || (tc.want == "") != (err != nil) {
			t.Errorf("NormalizePlate(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
		}
	}
}

func FuzzNormalizePlate(f *testing.F) {
	for _, s := range []string{"29A-123.45", "", "ĐĐ-12", "\x00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if p, err := NormalizePlate(s); err == nil && (len(p) > MaxPlateLen || len(p) < 4) {
			t.Fatalf("plate %q accepted", p)
		}
	})
}

// TestExitTariffs is the rule table for what each exit costs and how it is
// found (ticket, card, plate = lost ticket).
func TestExitTariffs(t *testing.T) {
	tests := []struct {
		name    string
		vehicle tariff.Vehicle
		stay    time.Duration
		by      string // "ticket", "card", "plate", "lost"
		want    tariff.VND
		lost    bool
	}{
		{"motorbike in grace", tariff.Motorbike, 8 * time.Minute, "ticket", 0, false},
		{"motorbike day", tariff.Motorbike, 3 * time.Hour, "ticket", 5000, false},
		{"motorbike day and night", tariff.Motorbike, 12 * time.Hour, "card", 12000, false},
		{"motorbike lost ticket by plate", tariff.Motorbike, 3 * time.Hour, "plate", 55000, true},
		{"motorbike declared lost", tariff.Motorbike, 3 * time.Hour, "lost", 55000, true},
		{"car 3 hours", tariff.Car, 3 * time.Hour, "ticket", 35000, false},
		{"bicycle day", tariff.Bicycle, time.Hour, "card", 2000, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			st := openStore(t)
			l := newLane(t, st, func(_ *Config, d *Deps) { d.Accounts = &accounts{} })
			cred := credential(t, testQR)
			in := l.enter(t, EntryRequest{Credential: cred, Plate: "29A-123.45", Vehicle: tc.vehicle})
			l.clock.Add(tc.stay)
			req := ExitRequest{Method: MethodAccount, Credential: cred}
			switch tc.by {
			case "ticket":
				req.TicketID = in.TicketID
			case "plate":
				req = ExitRequest{Plate: "29a 123.45", Method: MethodAccount}
			case "lost":
				req.Lost = true
			}
			go l.waitOpenThenPass()
			res, err := l.t.Exit(context.Background(), req)
			if err != nil {
				t.Fatalf("Exit: %v", err)
			}
			if res.Amount != tc.want || res.Lost != tc.lost || res.TicketID != in.TicketID {
				t.Fatalf("exit: %v lost=%v ticket %s; want %v lost=%v ticket %s", res.Amount, res.Lost, res.TicketID, tc.want, tc.lost, in.TicketID)
			}
			if tc.want == 0 && res.Method != MethodFree {
				t.Errorf("free exit paid by %s", res.Method)
			}
		})
	}
}

func TestEntryTicketAndBarrier(t *testing.T) {
	l := newLane(t, openStore(t), nil)
	res := l.enter(t, EntryRequest{Plate: "29A-123.45", Vehicle: tariff.Motorbike})
	if !res.Printed || l.printer.count() != 1 {
		t.Fatal("no ticket printed")
	}
	if txt := l.printer.texts(0); !strings.Contains(txt, "QR:"+res.TicketID) || !strings.Contains(txt, "29A-123.45") {
		t.Fatalf("ticket lacks QR or plate:\n%s", txt)
	}
	if l.relay.Read() != pgpio.Low {
		t.Fatal("barrier left open after the vehicle passed")
	}
	want := []Phase{PhaseTicketIssued, PhaseBarrierOpen, PhaseIdle}
	if got := l.phases(); !slices.Equal(got, want) {
		t.Fatalf("phases %v, want %v", got, want)
	}
	kinds := recordKinds(t, l)
	if !slices.Equal(kinds, []string{KindEntry, KindBarrier, KindBarrier}) {
		t.Fatalf("records %v", kinds)
	}
	// The plate is sealed, not in the clear payload.
	recs, _ := l.store.Records(context.Background(), KindEntry, 0, 10)
	if strings.Contains(string(recs[0].Payload), "29A") || recs[0].Personal[FieldPlate] != "29A-123.45" {
		t.Fatalf("plate handling: payload %s personal %v", recs[0].Payload, recs[0].Personal)
	}
}

func TestBarrierClosesWhenNoVehicleComes(t *testing.T) {
	l := newLane(t, openStore(t), func(c *Config, _ *Deps) { c.BarrierTimeout = 50 * time.Millisecond })
	if _, err := l.t.Entry(context.Background(), EntryRequest{Plate: "29A-123.45", Vehicle: tariff.Car}); err != nil {
		t.Fatal(err)
	}
	if l.relay.Read() != pgpio.Low {
		t.Fatal("barrier open")
	}
	recs, _ := l.store.Records(context.Background(), KindBarrier, 0, 10)
	if len(recs) != 2 || !strings.Contains(string(recs[1].Payload), `"no_vehicle"`) {
		t.Fatalf("barrier records: %v", recs)
	}
}

func TestBarrierStaysOpenWhileVehicleOnLoop(t *testing.T) {
	l := newLane(t, openStore(t), func(c *Config, _ *Deps) { c.BarrierTimeout = 40 * time.Millisecond })
	l.loop.EdgesChan <- pgpio.High // a vehicle waits on the loop before the barrier opens
	time.Sleep(20 * time.Millisecond)
	done := make(chan error, 1)
	go func() {
		_, err := l.t.Entry(context.Background(), EntryRequest{Plate: "29A-123.45", Vehicle: tariff.Car})
		done <- err
	}()
	time.Sleep(150 * time.Millisecond) // well past the barrier timeout
	if l.relay.Read() != pgpio.High {
		t.Fatal("barrier closed on a vehicle")
	}
	l.loop.EdgesChan <- pgpio.Low
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if l.relay.Read() != pgpio.Low {
		t.Fatal("barrier open after the loop cleared")
	}
}

func TestExitVietQR(t *testing.T) {
	l := newLane(t, openStore(t), nil)
	in := l.enter(t, EntryRequest{Plate: "29A-123.45", Vehicle: tariff.Motorbike})
	l.clock.Add(3 * time.Hour)
	// The driver pays as soon as the QR is on screen.
	l.t.cfg.OnState = func(s State) {
		if s.Phase == PhaseAwaitingPayment {
			if s.QRPayload == "" || s.Amount != 5000 {
				t.Errorf("awaiting payment without QR or amount: %+v", s)
			}
			l.pay.pay(s.PayRef, int64(s.Amount))
			go l.waitOpenThenPass()
		}
	}
	res, err := l.t.Exit(context.Background(), ExitRequest{TicketID: in.TicketID})
	if err != nil {
		t.Fatal(err)
	}
	if res.Method != MethodVietQR || res.TxnID != "FT"+res.PayRef || res.Amount != 5000 {
		t.Fatalf("exit %+v", res)
	}
	if l.printer.count() != 2 || !strings.Contains(l.printer.texts(1), res.TxnID) {
		t.Fatal("no receipt with the transaction id")
	}
	if l.relay.Read() != pgpio.Low || l.t.Inside() != 0 {
		t.Fatal("barrier open or vehicle still inside")
	}
	// The same ticket again: already exited, barrier stays shut.
	if _, err := l.t.Exit(context.Background(), ExitRequest{TicketID: in.TicketID}); !errors.Is(err, ErrAlreadyExited) {
		t.Fatalf("second exit: %v", err)
	}
	if l.t.State().Phase != PhaseAlreadyExited {
		t.Fatalf("state %s", l.t.State().Phase)
	}
}

func TestExitPaymentTimeout(t *testing.T) {
	l := newLane(t, openStore(t), func(c *Config, _ *Deps) { c.PaymentTimeout = 80 * time.Millisecond })
	in := l.enter(t, EntryRequest{Plate: "29A-123.45", Vehicle: tariff.Car})
	l.clock.Add(time.Hour)
	_, err := l.t.Exit(context.Background(), ExitRequest{TicketID: in.TicketID})
	if !errors.Is(err, ErrPaymentTimeout) {
		t.Fatalf("err %v", err)
	}
	if l.relay.Read() != pgpio.Low || l.t.Inside() != 1 || l.t.State().Phase != PhasePaymentTimeout {
		t.Fatal("barrier opened or entry released without payment")
	}
	rep, err := l.t.Report(context.Background(), time.Time{})
	if err != nil || rep.Refused["payment_timeout"] != 1 {
		t.Fatalf("report %+v, %v", rep, err)
	}
}

func TestExitCancelPayment(t *testing.T) {
	l := newLane(t, openStore(t), func(c *Config, _ *Deps) { c.PaymentTimeout = 5 * time.Second })
	in := l.enter(t, EntryRequest{Plate: "29A-123.45", Vehicle: tariff.Car})
	l.clock.Add(time.Hour)
	l.t.cfg.OnState = func(s State) {
		if s.Phase == PhaseAwaitingPayment {
			go l.t.CancelPayment()
		}
	}
	start := time.Now()
	if _, err := l.t.Exit(context.Background(), ExitRequest{TicketID: in.TicketID}); !errors.Is(err, ErrPaymentTimeout) {
		t.Fatalf("err %v", err)
	}
	if time.Since(start) > 2*time.Second || l.relay.Read() != pgpio.Low {
		t.Fatal("cancel did not end the wait promptly, or barrier opened")
	}
}

func TestExitUnknownAndAlreadyInside(t *testing.T) {
	l := newLane(t, openStore(t), nil)
	if _, err := l.t.Exit(context.Background(), ExitRequest{TicketID: "NOSUCHTICK"}); !errors.Is(err, ErrUnknownTicket) {
		t.Fatalf("unknown ticket: %v", err)
	}
	cred := credential(t, testQR)
	l.enter(t, EntryRequest{Credential: cred, Vehicle: tariff.Motorbike})
	if _, err := l.t.Entry(context.Background(), EntryRequest{Credential: cred, Vehicle: tariff.Motorbike}); !errors.Is(err, ErrAlreadyInside) {
		t.Fatalf("second entry with the same card: %v", err)
	}
	if _, err := l.t.Entry(context.Background(), EntryRequest{Vehicle: tariff.Motorbike}); !errors.Is(err, ErrUnusable) {
		t.Fatalf("entry without identity: %v", err)
	}
	if _, err := l.t.Entry(context.Background(), EntryRequest{Plate: "29A-1", Vehicle: "truck"}); !errors.Is(err, tariff.ErrUnknownVehicle) {
		t.Fatalf("unknown vehicle: %v", err)
	}
}

func TestExitAccountOfflinePolicy(t *testing.T) {
	tests := []struct {
		name   string
		policy OfflinePolicy
		err    error
		method Method
	}{
		{"deny", PolicyDeny, ErrOffline, ""},
		{"open and record debt", PolicyOpenRecordDebt, nil, MethodDebt},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			acc := &accounts{err: ErrOffline}
			l := newLane(t, openStore(t), func(c *Config, d *Deps) { c.OfflinePolicy = tc.policy; d.Accounts = acc })
			cred := credential(t, testQR)
			l.enter(t, EntryRequest{Credential: cred, Vehicle: tariff.Motorbike})
			l.clock.Add(time.Hour)
			if tc.err == nil {
				go l.waitOpenThenPass()
			}
			res, err := l.t.Exit(context.Background(), ExitRequest{Credential: cred, Method: MethodAccount})
			if !errors.Is(err, tc.err) || res.Method != tc.method && tc.err == nil {
				t.Fatalf("exit %+v, %v", res, err)
			}
			opened := slices.Contains(l.phases()[3:], PhaseBarrierOpen)
			if opened != (tc.err == nil) {
				t.Fatalf("barrier opened = %v", opened)
			}
			rep, _ := l.t.Report(context.Background(), time.Time{})
			if tc.err == nil && (rep.Debt != 5000 || rep.Revenue != 0) {
				t.Fatalf("report %+v", rep)
			}
		})
	}
}

func TestShiftReportAndRestore(t *testing.T) {
	st := openStore(t)
	l := newLane(t, st, func(_ *Config, d *Deps) { d.Accounts = &accounts{} })
	a, b := credential(t, testQR), credential(t, "001090099999||Le Van Thu|01011980|Nam|Hue|01012022")
	l.enter(t, EntryRequest{Credential: a, Vehicle: tariff.Motorbike})
	l.enter(t, EntryRequest{Credential: b, Plate: "51F-999.99", Vehicle: tariff.Car})
	l.enter(t, EntryRequest{Plate: "29A-123.45", Vehicle: tariff.Motorbike})
	l.clock.Add(3 * time.Hour)
	for _, req := range []ExitRequest{{Credential: a, Method: MethodAccount}, {Plate: "51F-999.99", Method: MethodAccount}} {
		go l.waitOpenThenPass()
		if _, err := l.t.Exit(context.Background(), req); err != nil {
			t.Fatal(err)
		}
	}
	rep, err := l.t.PrintReport(context.Background(), time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	// Car 3 h = 35.000 + lost ticket 200.000; motorbike 5.000.
	if rep.Entries != 3 || rep.Exits != 2 || rep.Lost != 1 || rep.Revenue != 240000 || rep.Inside != 1 {
		t.Fatalf("report %+v", rep)
	}
	if txt := l.printer.texts(l.printer.count() - 1); !strings.Contains(txt, "BÁO CÁO CA") || !strings.Contains(txt, "240.000 ₫") {
		t.Fatalf("printed report:\n%s", txt)
	}
	// A restart rebuilds who is inside from the store.
	l2 := newLane(t, st, nil)
	if err := l2.t.Restore(context.Background()); err != nil {
		t.Fatal(err)
	}
	if l2.t.Inside() != 1 {
		t.Fatalf("inside after restore: %d", l2.t.Inside())
	}
	if _, err := l2.t.Entry(context.Background(), EntryRequest{Plate: "29a-123.45", Vehicle: tariff.Motorbike}); !errors.Is(err, ErrAlreadyInside) {
		t.Fatalf("restored plate not inside: %v", err)
	}
}

func recordKinds(t *testing.T, l *lane) []string {
	t.Helper()
	recs, err := l.store.Records(context.Background(), "", 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, r := range recs {
		out = append(out, r.Kind)
	}
	return out
}

// TestTimesInTheConfiguredZone: a device whose system clock runs in UTC
// (a minimal image without /etc/localtime) prints, shows and restores the
// entry time in the configured zone: 01:15 UTC is "08:15" in Hanoi.
func TestTimesInTheConfiguredZone(t *testing.T) {
	st := openStore(t)
	l := newLane(t, st, func(c *Config, _ *Deps) { c.Location = nil }) // the default: Asia/Ho_Chi_Minh
	l.clock.t = time.Date(2026, 11, 22, 1, 15, 0, 0, time.UTC)
	res := l.enter(t, EntryRequest{Plate: "29A-123.45", Vehicle: tariff.Motorbike})
	if txt := l.printer.texts(0); !strings.Contains(txt, "22/11/2026 08:15") {
		t.Fatalf("entry ticket not in the configured zone:\n%s", txt)
	}
	if _, off := res.At.Zone(); off != 7*3600 {
		t.Fatalf("entry time %v", res.At)
	}
	// After a restart the entry comes back from its record in the zone too.
	l2 := newLane(t, st, nil)
	if err := l2.t.Restore(context.Background()); err != nil {
		t.Fatal(err)
	}
	l2.t.mu.Lock()
	e := l2.t.inside[res.TicketID]
	l2.t.mu.Unlock()
	if e == nil || e.At.Format("15:04") != "08:15" {
		t.Fatalf("restored entry %+v", e)
	}
}

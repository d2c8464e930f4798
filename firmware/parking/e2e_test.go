package parking

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/kiosk06/kiosk/firmware/records"
	"github.com/kiosk06/kiosk/firmware/uplink"
	"github.com/kiosk06/kiosk/payments/tariff"
	"github.com/kiosk06/kiosk/tests/collector"
)

// TestEndToEnd runs the profile in-process: entries and exits (VietQR paid
// through a payment back-end, a lost ticket, an already-used ticket) on a
// real store with gpiotest barrier and loop, then one uplink drain to the
// reference collector, which must hold every step.
func TestEndToEnd(t *testing.T) {
	ctx := context.Background()
	st := openStore(t)
	l := newLane(t, st, nil)
	l.t.cfg.OnState = func(s State) {
		if s.Phase == PhaseAwaitingPayment {
			l.pay.pay(s.PayRef, int64(s.Amount))
			go l.waitOpenThenPass()
		}
	}
	a := l.enter(t, EntryRequest{Credential: credential(t, testQR), Vehicle: tariff.Motorbike})
	l.enter(t, EntryRequest{Plate: "51F-999.99", Vehicle: tariff.Car})
	l.clock.Add(90 * time.Minute)
	if _, err := l.t.Exit(ctx, ExitRequest{TicketID: a.TicketID}); err != nil {
		t.Fatal(err)
	}
	if _, err := l.t.Exit(ctx, ExitRequest{Plate: "51F99999"}); err != nil {
		t.Fatal(err)
	}
	if _, err := l.t.Exit(ctx, ExitRequest{TicketID: a.TicketID}); err == nil {
		t.Fatal("used ticket let out twice")
	}
	if _, err := l.t.PrintReport(ctx, time.Time{}); err != nil {
		t.Fatal(err)
	}

	col := collector.New(collector.Options{Token: "t0k"})
	backend := httptest.NewServer(col.Handler())
	defer backend.Close()
	up, err := uplink.New(st, uplink.Options{BaseURL: backend.URL, Token: "t0k", HTTPClient: backend.Client()})
	if err != nil {
		t.Fatal(err)
	}
	defer up.Close()
	if _, err := up.Drain(ctx); err != nil {
		t.Fatal(err)
	}
	counts := map[string]int{}
	for _, r := range col.Records(st.DeviceID()) {
		counts[r.Kind]++
		if r.Kind == KindExit {
			var x records.ParkingExit
			if err := json.Unmarshal(r.Payload, &x); err != nil || x.Amount == 0 || x.Method != string(MethodVietQR) {
				t.Errorf("exit record %s", r.Payload)
			}
		}
	}
	want := map[string]int{KindEntry: 2, KindExit: 2, KindBarrier: 8, KindRefused: 1, KindReport: 1, records.KindPaymentSession: 6}
	for k, n := range want {
		if counts[k] != n {
			t.Errorf("collector has %d %s records, want %d (all: %v)", counts[k], k, n, counts)
		}
	}
}

package ticketing

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kiosk06/kiosk/drivers/escpos"
	"github.com/kiosk06/kiosk/firmware/identity"
	"github.com/kiosk06/kiosk/firmware/records"
	"github.com/kiosk06/kiosk/firmware/ticketing/backend"
	"github.com/kiosk06/kiosk/firmware/ticketing/catalog"
	"github.com/kiosk06/kiosk/payments/session"
	"github.com/kiosk06/kiosk/payments/tariff"
)

// TestBuyCoachSeats: the buyer, a passenger with her own card and a child
// added by ID number take three berths; the elder's concession comes from
// her card, the child's from the typed birth date; everything is durable
// before the tickets print, and the tickets and screens show names and
// ID numbers masked.
func TestBuyCoachSeats(t *testing.T) {
	r := newRig(t, nil, nil, "kiosk-bxgb-01")
	s := r.toChoose(adult)
	if s.Buyer == nil || s.Buyer.Name != "Thu" || s.Buyer.MaskedID != "0010••••••45" || s.Choose.Mode != catalog.ModeCoach {
		t.Fatalf("choose %+v buyer %+v", s.Choose, s.Buyer)
	}
	trip := r.searchCoach(2 * time.Hour)
	r.send(Intent{Kind: IntentTrip, Departure: trip.Departure})
	s = r.waitScreen(ScreenPassengers)
	if len(s.Passengers.List) != 1 || !s.Passengers.List[0].Buyer || !s.Passengers.Named {
		t.Fatalf("passengers %+v", s.Passengers)
	}
	r.tap(IntentAddCard)
	r.identify(elder)
	s = r.wait("elder added", func(s State) bool { return s.Screen == ScreenPassengers && len(s.Passengers.List) == 2 })
	if s.Passengers.List[1].Derived.IsZero() || !strings.Contains(s.Passengers.List[1].Derived.VI, "cao tuổi") {
		t.Fatalf("elder's concession not derived from her card: %+v", s.Passengers.List[1])
	}
	// The same card again is refused.
	r.tap(IntentAddCard)
	r.identify(elder)
	s = r.wait("duplicate refused", func(s State) bool { return s.Screen == ScreenPassengers && !s.Passengers.Notice.IsZero() })
	if len(s.Passengers.List) != 2 {
		t.Fatal("the same card added twice")
	}
	// A child of 8, born 05/03/2018, registered in Hà Nội: 001 3 18 …
	r.tap(IntentAddChild)
	r.send(Intent{Kind: IntentChild, IDNumber: "001318004567", DOB: "05032017"})
	if r.last.Screen != ScreenChild || r.last.Child.Error.Key != "child.mismatch" {
		t.Fatalf("a birth year that contradicts the ID number: %+v", r.last.Child)
	}
	r.send(Intent{Kind: IntentChild, IDNumber: "001318004567", DOB: "05032018"})
	s = r.waitScreen(ScreenPassengers)
	if len(s.Passengers.List) != 3 || s.Passengers.List[2].Kind != KindChild || s.Passengers.List[2].Name != "" || s.Passengers.List[2].MaskedID != "0013••••••67" {
		t.Fatalf("child %+v", s.Passengers.List)
	}
	r.tap(IntentContinue)
	s = r.holdSeats("A01", "A02", "B05")
	if s.Screen != ScreenFare {
		t.Fatalf("after the hold: %s %+v", s.Screen, s.Seats)
	}
	// Base fares HN-GB → Vinh: lower berth 300.000, upper 280.000. Elder
	// 15% off (255.000), child 6–10 25% off (210.000).
	want := []int64{300000, 255000, 210000}
	for i, l := range s.Fare.Lines {
		if l.Price != want[i] {
			t.Errorf("line %d: %+v, want %d", i, l, want[i])
		}
	}
	if s.Fare.Total != 765000 || s.Fare.TotalText != "765.000 ₫" || s.Fare.HoldExpires.IsZero() {
		t.Fatalf("fare %+v", s.Fare)
	}
	r.tap(IntentContinue)
	s = r.wait("QR shown", func(s State) bool { return s.Screen == ScreenPayment && s.Payment.Phase == PaymentWaiting })
	if s.Payment.Amount != 765000 {
		t.Fatalf("payment %+v", s.Payment)
	}
	r.pay.results <- session.Paid
	s = r.waitScreen(ScreenIssued)
	if !s.Issued.Printed || len(s.Issued.Tickets) != 3 || s.Issued.Tickets[0].Seat != "A01" {
		t.Fatalf("issued %+v", s.Issued)
	}
	wantSeq := []string{"identify", "identify", "identify", "identify", "intent/hold", "hold/held", "intent/payment", "payment/paid", "intent/sale",
		"sale/sold", "ticket", "ticket", "ticket"}
	if got := r.rec.sequence(); !slices.Equal(got, wantSeq) {
		t.Fatalf("records\n got %v\nwant %v", got, wantSeq)
	}
	// Every record was durable before the first ticket printed.
	if len(r.print.recsAtPrint) != 3 || r.print.recsAtPrint[0] != len(wantSeq) {
		t.Fatalf("printed with %v records stored, want %d", r.print.recsAtPrint, len(wantSeq))
	}
	tk := r.rec.kinds(records.KindTicketingTicket)
	first := payloadOf[records.TicketingTicket](tk[0])
	if first.Kind != "seat" || first.Seat != "A01" || first.Token != r.tokens.ID(adult.Citizen.ID).String() || first.Price != 300000 ||
		tk[0].Personal[PersonalID] != adult.Citizen.ID || tk[0].Personal[PersonalName] != adult.Citizen.Name {
		t.Fatalf("ticket record %+v %v", first, tk[0].Personal)
	}
	if c := payloadOf[records.TicketingTicket](tk[2]); c.Traveller != KindChild || c.Category != "child" || tk[2].Personal[PersonalDOB] != "05/03/2018" {
		t.Fatalf("child's ticket %+v %v", c, tk[2].Personal)
	}
	checkNoPersonal(t, r, adult, elder)
	texts := r.print.texts()
	if !strings.Contains(texts[0], "N. V. Thu") || !strings.Contains(texts[0], "0010••••••45") || strings.Contains(texts[0], "001090012345") ||
		strings.Contains(texts[0], "Nguyễn Văn Thu") || !strings.Contains(texts[0], "A01") || !strings.Contains(texts[0], "[QR VE1.") {
		t.Fatalf("ticket print:\n%s", texts[0])
	}
	if !strings.Contains(texts[2], "Trẻ em") || !strings.Contains(texts[2], "Trẻ em từ 6 đến dưới 10 tuổi") {
		t.Fatalf("child's ticket print:\n%s", texts[2])
	}
	// The signed code names the ticket and the passenger's token.
	claims, err := backend.OpenTicketCode(r.sim.PublicKey(), s.Issued.Tickets[0].Code)
	if err != nil || claims.Seat != "A01" || claims.Holder != first.Token[:16] {
		t.Fatalf("code %+v %v", claims, err)
	}
	// The backend sold three berths and nothing more; the manifest has them.
	if sold := r.sim.SoldSeats(trip.Departure); len(sold) != 3 {
		t.Fatalf("sold %v", sold)
	}
	r.tap(IntentDone)
	s = r.waitScreen(ScreenGoodbye)
	if s.Buyer != nil {
		t.Fatal("the buyer is still on screen at goodbye")
	}
}

// TestBusPassOffline: with the backend unreachable, a monthly pass sells
// from the cached catalogue: a student's 50% off, the kiosk issues it, the
// records carry it to the backend, which then lists it for validators.
func TestBusPassOffline(t *testing.T) {
	r := newRig(t, nil, nil, "kiosk-bxgb-01")
	r.sim.Offline(true)
	r.cache.Observe(backend.ErrUnavailable, r.clock.Now())
	s := r.toChoose(other)
	if !s.Offline {
		t.Fatal("not shown offline")
	}
	r.send(Intent{Kind: IntentMode, Mode: catalog.ModeBus})
	s = r.last
	if len(s.Choose.Products) != 3 || len(s.Choose.Products[0].Months) != 2 {
		t.Fatalf("products %+v", s.Choose.Products)
	}
	r.send(Intent{Kind: IntentProduct, Product: "BUS-M-ALL", Month: "2026-12"})
	s = r.waitScreen(ScreenPassengers)
	if s.Passengers.Named {
		t.Fatal("a bus pass asks for names")
	}
	r.send(Intent{Kind: IntentCategory, Passenger: 0, Category: "student", Yes: true})
	r.tap(IntentContinue)
	s = r.waitScreen(ScreenFare)
	if s.Fare.Total != 100000 || len(s.Fare.Notes) < 2 {
		t.Fatalf("fare %+v", s.Fare)
	}
	r.tap(IntentContinue)
	r.wait("QR", func(s State) bool { return s.Screen == ScreenPayment && s.Payment.Phase == PaymentWaiting })
	r.pay.results <- session.Paid
	s = r.waitScreen(ScreenIssued)
	if !s.Issued.Offline || s.Issued.Message.Key != "issued.offline" || !strings.HasPrefix(s.Issued.Tickets[0].Code, "VEK1.kiosk-bxgb-01.") {
		t.Fatalf("issued %+v", s.Issued)
	}
	if !strings.Contains(r.print.texts()[0], "sau khi máy đồng bộ") {
		t.Fatalf("the ticket does not say when it works:\n%s", r.print.texts()[0])
	}
	sale := payloadOf[records.TicketingSale](r.rec.kinds(records.KindTicketingSale)[0])
	tk := r.rec.kinds(records.KindTicketingTicket)
	if sale.Outcome != "offline" || len(tk) != 1 || tk[0].Personal != nil {
		t.Fatalf("sale %+v tickets %+v", sale, tk)
	}
	// The record reaches the collector, then the backend: the pass is
	// listed for validators under the buyer's token.
	payload, err := records.Marshal(tk[0].Payload)
	if err != nil {
		t.Fatal(err)
	}
	if err := records.Check(records.KindTicketingTicket, payload); err != nil {
		t.Fatal(err)
	}
	if err := r.sim.Ingest(records.KindTicketingTicket, payload); err != nil {
		t.Fatal(err)
	}
	if st := r.sim.State(); st.PassList != 2 {
		t.Fatalf("pass list version %d", st.PassList)
	}
	checkNoPersonal(t, r, other)
}

// TestSeatsNeedTheBackend: offline, a seat cannot be held: a clear message,
// nothing charged.
func TestSeatsNeedTheBackend(t *testing.T) {
	r := newRig(t, nil, nil, "k1")
	r.toChoose(adult)
	trip := r.searchCoach(time.Hour)
	r.send(Intent{Kind: IntentTrip, Departure: trip.Departure})
	r.waitScreen(ScreenPassengers)
	r.sim.Offline(true)
	r.tap(IntentContinue)
	s := r.waitScreen(ScreenError)
	if s.Error.Code != "seats_unavailable" || !strings.Contains(s.Error.Next.VI, "cần kết nối") {
		t.Fatalf("error %+v", s.Error)
	}
	if len(r.pay.amounts) != 0 {
		t.Fatal("a payment was created")
	}
}

// TestLastSeatTwoKiosks: two kiosks race for the last berth: exactly one
// sale; the other is told the seat was taken and charged nothing.
func TestLastSeatTwoKiosks(t *testing.T) {
	clock := &manualClock{now: start}
	sim := newSim(t, clock)
	a := newRig(t, sim, clock, "kiosk-a")
	b := newRig(t, sim, clock, "kiosk-b")
	a.pay.auto, b.pay.auto = true, true
	var trip TripOption
	for _, r := range []*rig{a, b} {
		r.toChoose(adult)
		trip = r.searchCoach(3 * time.Hour)
		r.send(Intent{Kind: IntentTrip, Departure: trip.Departure})
		r.waitScreen(ScreenPassengers)
		r.tap(IntentContinue)
		r.wait("seat map", func(s State) bool { return s.Screen == ScreenSeats && !s.Seats.Loading })
		r.send(Intent{Kind: IntentSeat, Seat: "B20"})
	}
	var all []string
	for _, car := range a.last.Seats.Cars {
		for _, s := range car.Seats {
			if s.ID != "B20" {
				all = append(all, s.ID)
			}
		}
	}
	sim.Take(trip.Departure, all...)
	var wg sync.WaitGroup
	for _, r := range []*rig{a, b} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			in := Intent{Kind: IntentContinue, done: make(chan struct{})}
			r.flow.Send(in)
			<-in.done
		}()
	}
	wg.Wait()
	var fares, taken []*rig
	for _, r := range []*rig{a, b} {
		s := r.wait("hold answered", func(s State) bool {
			return s.Screen == ScreenFare || s.Screen == ScreenSeats && !s.Seats.Loading && s.Seats.Message.Key == "seats.taken"
		})
		if s.Screen == ScreenFare {
			fares = append(fares, r)
		} else {
			if s.Seats.Message.Key != "seats.taken" {
				t.Fatalf("loser: %+v", s.Seats.Message)
			}
			taken = append(taken, r)
		}
	}
	if len(fares) != 1 || len(taken) != 1 {
		t.Fatalf("%d kiosks held the last seat", len(fares))
	}
	w := fares[0]
	w.tap(IntentContinue)
	w.waitScreen(ScreenIssued)
	if sold := sim.SoldSeats(trip.Departure); len(sold) != 1 || sold["B20"] == "" {
		t.Fatalf("sold %v", sold)
	}
	if st := sim.State(); st.Sales != 1 {
		t.Fatalf("%d sales", st.Sales)
	}
	l := taken[0]
	if len(l.pay.amounts) != 0 || len(l.rec.kinds(records.KindTicketingSale)) != 0 {
		t.Fatal("the losing kiosk charged or sold")
	}
	if h := payloadOf[records.TicketingHold](l.rec.kinds(records.KindTicketingHold)[0]); h.Outcome != "taken" || !slices.Equal(h.Taken, []string{"B20"}) {
		t.Fatalf("loser's hold record %+v", h)
	}
}

// toFare takes the adult to the fare screen of one berth.
func (r *rig) toFare(after time.Duration, seat string) TripOption {
	r.t.Helper()
	r.toChoose(adult)
	trip := r.searchCoach(after)
	r.send(Intent{Kind: IntentTrip, Departure: trip.Departure})
	r.waitScreen(ScreenPassengers)
	r.tap(IntentContinue)
	if s := r.holdSeats(seat); s.Screen != ScreenFare {
		r.t.Fatalf("hold: %+v", s)
	}
	return trip
}

// waitHolds waits until the backend holds n seats.
func (r *rig) waitHolds(n int) {
	r.t.Helper()
	for deadline := time.Now().Add(5 * time.Second); r.sim.State().ActiveHolds != n; time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			r.t.Fatalf("backend holds %d, want %d", r.sim.State().ActiveHolds, n)
		}
	}
}

// waitRecord waits until a record of kind satisfies ok.
func (r *rig) waitRecord(kind string, ok func(Record) bool) Record {
	r.t.Helper()
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		for _, rec := range r.rec.kinds(kind) {
			if ok(rec) {
				return rec
			}
		}
		if time.Now().After(deadline) {
			r.t.Fatalf("no %s record as expected: %v", kind, r.rec.sequence())
		}
	}
}

// TestCancelReleasesHold: cancel on the fare screen releases the seats.
func TestCancelReleasesHold(t *testing.T) {
	r := newRig(t, nil, nil, "k1")
	r.toFare(2*time.Hour, "A05")
	r.waitHolds(1)
	r.tap(IntentCancel)
	r.waitScreen(ScreenWelcome)
	r.waitHolds(0)
	rel := r.waitRecord(records.KindTicketingHold, func(x Record) bool { return payloadOf[records.TicketingHold](x).Outcome == "released" })
	if h := payloadOf[records.TicketingHold](rel); h.Reason != "cancel" || h.Hold == "" {
		t.Fatalf("release %+v", h)
	}
	if ab := r.rec.kinds(records.KindTicketingAbandoned); len(ab) != 1 || !payloadOf[records.TicketingAbandoned](ab[0]).Held {
		t.Fatalf("abandoned %+v", ab)
	}
}

// TestIdleReleasesHoldAndPayment: walking away from the QR screen after
// the payment expired cancels nothing twice and frees the seats.
func TestIdleReleasesHoldAndPayment(t *testing.T) {
	r := newRig(t, nil, nil, "k1")
	r.toFare(2*time.Hour, "A06")
	r.tap(IntentContinue)
	r.wait("QR", func(s State) bool { return s.Screen == ScreenPayment && s.Payment.Phase == PaymentWaiting })
	r.pay.results <- session.Expired
	r.wait("expired", func(s State) bool { return s.Screen == ScreenPayment && s.Payment.Phase == PaymentExpired })
	r.clock.Advance(61 * time.Second)
	r.waitScreen(ScreenWelcome)
	r.waitHolds(0)
	r.waitRecord(records.KindTicketingHold, func(x Record) bool { return payloadOf[records.TicketingHold](x).Reason == "idle" })
}

// TestHoldExpiresDuringPayment: seats that stop being held before the
// money arrives are not sold: the payment is cancelled and the person
// chooses again. (MinHoldLeft normally covers the QR's validity; here the
// payment window is longer than the hold, as with a provider configured
// apart from the kiosk.)
func TestHoldExpiresDuringPayment(t *testing.T) {
	r := newRig(t, nil, nil, "k1", withConfig(func(c *Config) { c.HoldTTL, c.MinHoldLeft = 8*time.Minute, 5*time.Minute }))
	r.pay.window = 15 * time.Minute
	r.toFare(2*time.Hour, "A07")
	r.tap(IntentContinue)
	r.wait("QR", func(s State) bool { return s.Screen == ScreenPayment && s.Payment.Phase == PaymentWaiting })
	r.clock.Advance(8*time.Minute + time.Second)
	s := r.wait("back to the map", func(s State) bool {
		return s.Screen == ScreenSeats && s.Seats.Message.Key == "seats.expired" && !s.Seats.Loading
	})
	if len(r.pay.cancelled) != 1 || !strings.HasSuffix(r.pay.cancelled[0], ":hold_expired") {
		t.Fatalf("payment not cancelled: %v", r.pay.cancelled)
	}
	r.waitRecord(records.KindTicketingHold, func(x Record) bool { return payloadOf[records.TicketingHold](x).Outcome == "expired" })
	if s.Has(IntentContinue) != (len(s.Seats.Chosen) == 1) {
		t.Fatalf("seats %+v", s.Seats)
	}
}

// TestSaleRefusedAfterPayment: the backend's signed refusal after payment
// leaves the money owed back: recorded, said, printed; no ticket.
func TestSaleRefusedAfterPayment(t *testing.T) {
	r := newRig(t, nil, nil, "k1")
	r.toFare(2*time.Hour, "A08")
	r.be.set(&backend.RejectedError{Code: backend.CodeHoldExpired})
	r.tap(IntentContinue)
	r.wait("QR", func(s State) bool { return s.Screen == ScreenPayment && s.Payment.Phase == PaymentWaiting })
	r.pay.results <- session.Paid
	s := r.waitScreen(ScreenError)
	if s.Error.Code != "sale_refused" || !strings.Contains(s.Error.Message.VI, "300.000 ₫") || !strings.Contains(s.Error.Next.VI, "K06VEB") {
		t.Fatalf("error %+v", s.Error)
	}
	due := payloadOf[records.TicketingRefund](r.waitRecord(records.KindTicketingRefund, func(Record) bool { return true }))
	if due.State != "due" || due.Amount != 300000 || due.PaymentRef != "K06VEB" || due.Failure != backend.CodeHoldExpired {
		t.Fatalf("refund %+v", due)
	}
	if len(r.rec.kinds(records.KindTicketingTicket)) != 0 {
		t.Fatal("a ticket was recorded")
	}
	r.tap(IntentCancel)
	r.waitScreen(ScreenWelcome)
	if n := len(r.rec.kinds(records.KindTicketingRefund)); n != 1 {
		t.Fatalf("%d refund records: owed twice", n)
	}
	for deadline := time.Now().Add(5 * time.Second); len(r.print.texts()) == 0; time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("no refund slip")
		}
	}
	if !strings.Contains(r.print.texts()[0], "PHIẾU TRẢ VÉ") {
		t.Fatalf("slip:\n%s", r.print.texts()[0])
	}
}

// TestSaleUnconfirmedThenRetried: the backend does not answer the paid
// sale; the retry (same key) sells once.
func TestSaleUnconfirmedThenRetried(t *testing.T) {
	r := newRig(t, nil, nil, "k1")
	trip := r.toFare(2*time.Hour, "A09")
	r.be.set(fmt.Errorf("%w: connection refused", backend.ErrUnavailable))
	r.tap(IntentContinue)
	r.wait("QR", func(s State) bool { return s.Screen == ScreenPayment && s.Payment.Phase == PaymentWaiting })
	r.pay.results <- session.Paid
	s := r.waitScreen(ScreenError)
	if s.Error.Code != "sale_unconfirmed" || !s.Has(IntentRetry) {
		t.Fatalf("error %+v", s.Error)
	}
	r.be.set(nil)
	r.tap(IntentRetry)
	r.waitScreen(ScreenIssued)
	if sold := r.sim.SoldSeats(trip.Departure); len(sold) != 1 {
		t.Fatalf("sold %v", sold)
	}
	sales := r.rec.sequence()
	if !slices.Contains(sales, "sale/failed") || !slices.Contains(sales, "sale/sold") {
		t.Fatalf("records %v", sales)
	}
}

// TestStoreFullBeforeHold: the hold's intent cannot be stored: nothing is
// held, the kiosk says nothing was charged and returns by itself once the
// store takes records again.
func TestStoreFullBeforeHold(t *testing.T) {
	r := newRig(t, nil, nil, "k1")
	r.toChoose(adult)
	trip := r.searchCoach(2 * time.Hour)
	r.send(Intent{Kind: IntentTrip, Departure: trip.Departure})
	r.waitScreen(ScreenPassengers)
	r.tap(IntentContinue)
	r.wait("seat map", func(s State) bool { return s.Screen == ScreenSeats && !s.Seats.Loading })
	r.send(Intent{Kind: IntentSeat, Seat: "A10"})
	r.rec.setFailIf(func(Record) bool { return true })
	r.tap(IntentContinue)
	s := r.waitScreen(ScreenOutOfService)
	if s.OutOfService.Next.Key != "out_of_service.nothing" || s.Buyer != nil {
		t.Fatalf("oos %+v", s.OutOfService)
	}
	if r.sim.State().ActiveHolds != 0 {
		t.Fatal("seats held without an intent record")
	}
	r.rec.setFailIf(nil)
	r.clock.Advance(31 * time.Second)
	r.waitScreen(ScreenWelcome)
	if svc := r.rec.kinds(records.KindTicketingService); len(svc) != 1 || payloadOf[records.TicketingService](svc[0]).StoppedAt != "ticketing.intent/hold" {
		t.Fatalf("service %+v", svc)
	}
}

// TestStoreFullAfterPayment: the paid sale's intent cannot be stored: no
// sale is made, the screen gives the payment reference for the counter.
func TestStoreFullAfterPayment(t *testing.T) {
	r := newRig(t, nil, nil, "k1")
	r.toFare(2*time.Hour, "A11")
	r.tap(IntentContinue)
	r.wait("QR", func(s State) bool { return s.Screen == ScreenPayment && s.Payment.Phase == PaymentWaiting })
	r.rec.setFailIf(func(x Record) bool { return x.Kind() != records.KindTicketingPayment })
	r.pay.results <- session.Paid
	s := r.waitScreen(ScreenOutOfService)
	if s.OutOfService.Next.Key != "out_of_service.paid" || !strings.Contains(s.OutOfService.Next.VI, "300.000 ₫") {
		t.Fatalf("oos %+v", s.OutOfService)
	}
	if r.sim.State().Sales != 0 {
		t.Fatal("sold without an intent record")
	}
}

// TestPrinterOut: the tickets are sold and recorded; the printer's failure
// is told to staff and the tickets stay on screen with their QR.
func TestPrinterOut(t *testing.T) {
	r := newRig(t, nil, nil, "k1")
	r.print.setErr(fmt.Errorf("escpos: %w", escpos.ErrPaperEnd))
	r.toFare(2*time.Hour, "A12")
	r.tap(IntentContinue)
	r.wait("QR", func(s State) bool { return s.Screen == ScreenPayment && s.Payment.Phase == PaymentWaiting })
	r.pay.results <- session.Paid
	s := r.waitScreen(ScreenIssued)
	if s.Issued.Printed || !s.Issued.PaperOut || s.Issued.Message.Key != "issued.print_failed" || s.Issued.Tickets[0].Code == "" {
		t.Fatalf("issued %+v", s.Issued)
	}
	if h := r.rec.kinds(records.KindTicketingHelp); len(h) != 1 || payloadOf[records.TicketingHelp](h[0]).Reason != "printer_paper_end" {
		t.Fatalf("help %+v", h)
	}
}

// TestCancelTicket: a ticket bought for tomorrow is cancelled by its
// holder: 10% fee (more than 24 h ahead), recorded, slip printed, seat free.
func TestCancelTicket(t *testing.T) {
	r := newRig(t, nil, nil, "k1")
	r.pay.auto = true
	trip := r.toFare(30*time.Hour, "B01")
	r.tap(IntentContinue)
	r.waitScreen(ScreenIssued)
	r.tap(IntentDone)
	r.waitScreen(ScreenGoodbye)
	r.tap(IntentDone)
	r.waitScreen(ScreenWelcome)
	r.tap(IntentManage)
	r.identify(adult)
	s := r.wait("tickets", func(s State) bool { return s.Screen == ScreenTickets && !s.Tickets.Loading })
	if len(s.Tickets.List) != 1 || !s.Tickets.List[0].Refundable || !strings.Contains(s.Tickets.List[0].Quote.VI, "252.000 ₫") {
		t.Fatalf("tickets %+v", s.Tickets)
	}
	r.send(Intent{Kind: IntentTicket, Ticket: s.Tickets.List[0].ID})
	if r.last.Screen != ScreenRefund || r.last.Refund.Fee != 28000 {
		t.Fatalf("quote %+v", r.last.Refund)
	}
	r.tap(IntentConfirm)
	s = r.wait("refunded", func(s State) bool { return s.Screen == ScreenRefund && s.Refund.Phase == RefundDone })
	if s.Refund.Amount != 252000 {
		t.Fatalf("refund %+v", s.Refund)
	}
	rf := payloadOf[records.TicketingRefund](r.waitRecord(records.KindTicketingRefund, func(Record) bool { return true }))
	if rf.State != "approved" || rf.Fee != 28000 || rf.Amount != 252000 || !strings.Contains(rf.Rule, "24 giờ") {
		t.Fatalf("record %+v", rf)
	}
	if sold := r.sim.SoldSeats(trip.Departure); len(sold) != 0 {
		t.Fatalf("seat still sold: %v", sold)
	}
	for deadline := time.Now().Add(5 * time.Second); !slices.ContainsFunc(r.print.texts(), func(s string) bool { return strings.Contains(s, "PHIẾU TRẢ VÉ") }); time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("no refund slip")
		}
	}
}

// TestNotGenuineCard: a cloned card buys nothing.
func TestNotGenuineCard(t *testing.T) {
	r := newRig(t, nil, nil, "k1")
	clone := adult
	clone.Verdict, clone.Reason = identity.NotGenuine, identity.ReasonClone
	r.tap(IntentStart)
	r.identify(clone)
	s := r.waitScreen(ScreenError)
	if s.Error.Code != "card_not_accepted" || s.Buyer != nil {
		t.Fatalf("%+v", s)
	}
	id := payloadOf[records.TicketingIdentify](r.rec.kinds(records.KindTicketingIdentify)[0])
	if id.Verdict != "not_genuine" || id.Token != "" {
		t.Fatalf("record %+v", id)
	}
}

// TestFreeRideNoPayment: an elder's bus ride is free (the operator's 100%
// from her card): no payment, a ticket all the same.
func TestFreeRideNoPayment(t *testing.T) {
	r := newRig(t, nil, nil, "k1")
	r.toChoose(elder)
	r.send(Intent{Kind: IntentMode, Mode: catalog.ModeBus})
	r.send(Intent{Kind: IntentProduct, Product: "BUS-R-47"})
	r.waitScreen(ScreenPassengers)
	r.tap(IntentContinue)
	s := r.waitScreen(ScreenFare)
	if s.Fare.Total != 0 {
		t.Fatalf("fare %+v", s.Fare)
	}
	r.tap(IntentContinue)
	if s = r.waitScreen(ScreenIssued); !s.Issued.Printed {
		t.Fatalf("issued %+v", s.Issued)
	}
	if len(r.pay.amounts) != 0 {
		t.Fatal("a free ride was charged")
	}
	tk := payloadOf[records.TicketingTicket](r.rec.kinds(records.KindTicketingTicket)[0])
	if tk.Kind != "ride" || tk.Route != "47" || tk.Price != 0 || tk.Category != "elderly" {
		t.Fatalf("ticket %+v", tk)
	}
	sale := payloadOf[records.TicketingSale](r.rec.kinds(records.KindTicketingSale)[0])
	if sale.Method != "free" || sale.Outcome != "sold" {
		t.Fatalf("sale %+v", sale)
	}
}

func TestParseChild(t *testing.T) {
	now := start
	loc := tariff.Location()
	for _, tc := range []struct {
		id, dob string
		err     error
		sex     string
	}{
		{"001318004567", "05032018", nil, "Nữ"},
		{"079220001111", "29022020", nil, "Nam"},
		{"001318004567", "05032017", errChildMix, ""},   // year 17 ≠ 18
		{"001118004567", "05032018", errChildMix, ""},   // 1 = 20th century
		{"097318004567", "05032018", errChildMix, ""},   // no province 097
		{"00131800456", "05032018", errChildID, ""},     // 11 digits
		{"00131800456x", "05032018", errChildID, ""},    // not digits
		{"001318004567", "31022018", errChildDOB, ""},   // no 31 February
		{"001312004567", "05032012", errChildAge, ""},   // 14 years old
		{"001327004567", "01012027", errChildDOB, ""},   // born in the future
		{"001320004567", "2020-03-05", errChildDOB, ""}, // wrong form
	} {
		_, sex, err := parseChild(tc.id, tc.dob, now, loc, 14)
		if !errors.Is(err, tc.err) || err == nil && sex != tc.sex {
			t.Errorf("%s %s: %q %v, want %q %v", tc.id, tc.dob, sex, err, tc.sex, tc.err)
		}
	}
}

func TestMaskName(t *testing.T) {
	for in, want := range map[string]string{"Nguyễn Văn Thu": "N. V. Thu", "Lê Cúc": "L. Cúc", "Ánh": "Ánh", "": "", "  Đặng  Thị   Ý ": "Đ. T. Ý"} {
		if got := maskName(in); got != want {
			t.Errorf("maskName(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestMessages: every text has both languages and the same parameters.
func TestMessages(t *testing.T) {
	for _, k := range messageKeys() {
		m := messages[k]
		if m[0] == "" || m[1] == "" {
			t.Errorf("%s: a language is missing", k)
		}
		if strings.Count(m[0], "%") != strings.Count(m[1], "%") {
			t.Errorf("%s: parameters differ between the languages", k)
		}
	}
}

// TestIntentJSON: an intent survives the --control socket's JSON (unknown
// fields refused) and its log value hides typed digits.
func TestIntentJSON(t *testing.T) {
	in := Intent{Kind: IntentChild, IDNumber: "001318004567", DOB: "05032018", Passenger: 2, Category: "student", Yes: true, Mode: catalog.ModeBus,
		Month: "2026-12", Seat: "A01", Departure: "d", Product: "p", Ticket: "t", From: "a", To: "b", Date: "2026-11-22", Digits: "123456", Lang: LangEN}
	b, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	dec := json.NewDecoder(strings.NewReader(string(b)))
	dec.DisallowUnknownFields()
	var out Intent
	if err := dec.Decode(&out); err != nil {
		t.Fatal(err)
	}
	out.done = nil
	if !reflectEqual(in, out) {
		t.Fatalf("round trip %+v", out)
	}
	if v := in.LogValue().String(); strings.Contains(v, "001318") || strings.Contains(v, "123456") {
		t.Fatalf("log value %s", v)
	}
}

func reflectEqual(a, b Intent) bool {
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	return string(ja) == string(jb)
}

// TestStatesJSON: every state published in a purchase encodes as JSON.
func TestStatesJSON(t *testing.T) {
	r := newRig(t, nil, nil, "k1")
	r.pay.auto = true
	done := make(chan struct{})
	go func() {
		defer close(done)
		ch, unsub := r.flow.Subscribe()
		defer unsub()
		for s := range ch {
			if _, err := json.Marshal(s); err != nil {
				t.Errorf("%s: %v", s.Screen, err)
			}
			if s.Screen == ScreenIssued {
				return
			}
		}
	}()
	r.toFare(2*time.Hour, "A13")
	r.tap(IntentContinue)
	<-done
}

// canIdentifier is a card tapped without its QR: the CAN is asked for and
// the card opens with its own (the last 6 digits of the ID number).
type canIdentifier struct {
	id    identity.Identity
	taps  chan struct{}
	tried chan string
}

func (c *canIdentifier) Acquire(ctx context.Context, req identity.Request) (identity.Identity, error) {
	select {
	case <-c.taps:
	case <-ctx.Done():
		return identity.Identity{}, ctx.Err()
	}
	req.OnEvent(identity.Event{Kind: identity.EventDetected})
	req.OnEvent(identity.Event{Kind: identity.EventNeedCAN})
	for {
		select {
		case can := <-req.CAN:
			c.tried <- can
			if can != c.id.Citizen.ID[6:] {
				req.OnEvent(identity.Event{Kind: identity.EventNeedCAN, WrongCAN: true})
				continue
			}
			id := c.id
			id.Method = identity.MethodChipCAN
			return id, nil
		case <-ctx.Done():
			return identity.Identity{}, ctx.Err()
		}
	}
}

// TestBuyerByCAN: a card without its QR opens with the CAN typed on the
// keypad; a malformed entry never reaches the card, a wrong one is
// counted and recorded without its digits.
func TestBuyerByCAN(t *testing.T) {
	ci := &canIdentifier{id: adult, taps: make(chan struct{}, 1), tried: make(chan string, 4)}
	r := newRig(t, nil, nil, "k1", withIdentifier(ci))
	r.tap(IntentStart)
	ci.taps <- struct{}{}
	if s := r.wait("keypad", func(s State) bool { return s.Screen == ScreenIdentify && s.Identify.NeedCAN }); s.Identify.CANAttemptsLeft != 3 {
		t.Fatalf("keypad %+v", s.Identify)
	}
	r.send(Intent{Kind: IntentCAN, Digits: "12a456"})
	if r.last.Identify.CANError.Key != "identify.can_invalid" {
		t.Fatalf("malformed CAN: %+v", r.last.Identify)
	}
	r.send(Intent{Kind: IntentCAN, Digits: "000000"})
	if got := <-ci.tried; got != "000000" {
		t.Fatalf("card got %q", got)
	}
	if s := r.wait("wrong CAN", func(s State) bool { return s.Screen == ScreenIdentify && s.Identify.CANAttemptsLeft == 2 }); s.Identify.CANError.IsZero() {
		t.Fatalf("no error said: %+v", s.Identify)
	}
	r.send(Intent{Kind: IntentCAN, Digits: "012345"})
	<-ci.tried
	s := r.waitScreen(ScreenChoose)
	b, _ := json.Marshal(s)
	if strings.Contains(string(b), "012345") || strings.Contains(string(b), "000000") {
		t.Fatalf("typed digits in the state: %s", b)
	}
	if c := r.rec.kinds(records.KindTicketingCAN); len(c) != 1 || payloadOf[records.TicketingCAN](c[0]).AttemptsLeft != 2 {
		t.Fatalf("CAN records %+v", c)
	}
	if id := r.rec.kinds(records.KindTicketingIdentify); payloadOf[records.TicketingIdentify](id[len(id)-1]).Method != "chip+can" {
		t.Fatal("method not recorded")
	}
}

// TestShutdownBounded: stopping with seats held releases them, but a
// backend that does not answer holds kioskd's stop for at most the grace.
func TestShutdownBounded(t *testing.T) {
	r := newRig(t, nil, nil, "k1")
	r.toFare(2*time.Hour, "A14")
	r.be.mu.Lock()
	r.be.hang = true
	r.be.mu.Unlock()
	if d := r.stop(); d > shutdownGrace+time.Second {
		t.Fatalf("Run took %s to stop", d)
	}
}

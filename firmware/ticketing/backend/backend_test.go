package backend_test

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kiosk06/kiosk/firmware/ticketing/backend"
	"github.com/kiosk06/kiosk/firmware/ticketing/catalog"
	"github.com/kiosk06/kiosk/firmware/ticketing/ticketingsim"
	"github.com/kiosk06/kiosk/firmware/transit"
	"github.com/kiosk06/kiosk/payments/tariff"
)

// clock is a settable clock shared by the simulator and the clients.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

// morning is 22/11/2026 08:00 in Hà Nội.
var morning = time.Date(2026, 11, 22, 8, 0, 0, 0, tariff.Location())

// quiet discards the cache's log.
var quiet = slog.New(slog.DiscardHandler)

const tokA = "9f2c4e1a0b7d3c5e8f6a1b2c3d4e5f60718293a4b5c6d7e8f9a0b1c2d3e4f506"

func start(t *testing.T) (*ticketingsim.Server, *clock) {
	t.Helper()
	c := &clock{t: morning}
	s, err := ticketingsim.Start(context.Background(), &ticketingsim.Options{Now: c.Now, Token: "sim-token", TLS: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s, c
}

func client(t *testing.T, s *ticketingsim.Server, c *clock, device string) *backend.Client {
	t.Helper()
	cl, err := backend.NewClient(backend.ClientConfig{BaseURL: s.URL(), Token: "sim-token", PublicKey: s.PublicKey(), DeviceID: device,
		Now: c.Now, HTTPClient: s.Client()})
	if err != nil {
		t.Fatal(err)
	}
	return cl
}

// firstCoach is the first coach Giáp Bát → Vinh after now.
func firstCoach(t *testing.T, now time.Time) catalog.Trip {
	t.Helper()
	x, err := catalog.NewIndex(catalog.Sample(now, 66*14))
	if err != nil {
		t.Fatal(err)
	}
	trips := x.Search(catalog.Query{Mode: catalog.ModeCoach, From: "HN-GB", To: "VINH", Day: now, After: now})
	if len(trips) == 0 {
		t.Fatal("no coach")
	}
	return trips[0]
}

func holdReq(trip catalog.Trip, seats ...string) backend.HoldRequest {
	return backend.HoldRequest{Key: backend.NewKey("k1"), Departure: trip.Departure.ID, From: trip.From, To: trip.To, Seats: seats, TTLSeconds: 600}
}

func seatItem(trip catalog.Trip, h backend.Hold, i int) backend.SaleItem {
	return backend.SaleItem{Departure: h.Departure, From: h.From, To: h.To, Seat: h.Seats[i].Seat, Base: h.Seats[i].Fare, Price: h.Seats[i].Fare,
		Passenger: backend.Passenger{Token: tokA, Kind: "card", Name: "Nguyễn Văn Thu", IDNumber: "001090012345", DOB: "1990-03-15", Sex: "Nam"}}
}

func TestHoldSellRefund(t *testing.T) {
	s, c := start(t)
	cl := client(t, s, c, "k1")
	ctx := context.Background()
	trip := firstCoach(t, c.Now().Add(5*time.Hour)) // refundable with a 30% fee
	req := holdReq(trip, "A01", "B02")
	h, err := cl.Hold(ctx, req)
	if err != nil || len(h.Seats) != 2 || h.Seats[0].Fare != 300000 || h.Seats[1].Fare != 280000 || !h.Expires.After(c.Now()) {
		t.Fatalf("hold %+v %v", h, err)
	}
	// The backend's own time of the grant comes with it: the hold's length
	// by its clock (the TTL asked), whatever the kiosk's clock reads.
	if got := h.Expires.Sub(h.Granted); got != 600*time.Second {
		t.Fatalf("hold granted %v, expires %v: %v long, want 10m0s", h.Granted, h.Expires, got)
	}
	// The same key, the same hold.
	again, err := cl.Hold(ctx, req)
	if err != nil || again.ID != h.ID {
		t.Fatalf("retried hold %+v %v", again, err)
	}
	seats, err := cl.Seats(ctx, trip.Departure.ID)
	if err != nil || strings.Join(seats.Taken, ",") != "A01,B02" {
		t.Fatalf("seats %+v %v", seats, err)
	}
	// An elderly passenger pays 15% less on A01; the other pays the base.
	elderly := seatItem(trip, h, 0)
	elderly.Passenger.DOB = "1950-01-01"
	elderly.Category = ""
	elderly.Price = 255000
	items := []backend.SaleItem{elderly, seatItem(trip, h, 1)}
	sale := backend.SaleRequest{Key: backend.NewKey("k1"), Hold: h.ID, Buyer: tokA, Items: items, Total: 535000,
		Payment: backend.Payment{Method: "vietqr", Ref: "K06X", TxnID: "FT1", Amount: 535000, PaidAt: c.Now()}}
	sold, err := cl.Sell(ctx, sale)
	if err != nil || len(sold.Tickets) != 2 || sold.Total != 535000 {
		t.Fatalf("sale %+v %v", sold, err)
	}
	claims, err := backend.OpenTicketCode(s.PublicKey(), sold.Tickets[0].Code)
	if err != nil || claims.Ticket != sold.Tickets[0].ID || claims.Seat != "A01" || claims.Holder != tokA[:16] {
		t.Fatalf("ticket code %+v %v", claims, err)
	}
	// A retried sale returns the same tickets; nothing is sold twice.
	if again, err := cl.Sell(ctx, sale); err != nil || again.Tickets[0].ID != sold.Tickets[0].ID {
		t.Fatalf("retried sale %+v %v", again, err)
	}
	if st := s.State(); st.Sales != 1 || st.Tickets != 2 {
		t.Fatalf("state %+v", st)
	}
	// The manifest lists both passengers.
	m, err := cl.Manifest(ctx, trip.Departure.ID)
	if err != nil || len(m.Passengers) != 2 || m.Passengers[0].IDNumber != "001090012345" || m.Passengers[0].Board != "HN-GB" {
		t.Fatalf("manifest %+v %v", m, err)
	}
	// The holder sees their tickets and cancels one more than 4 h ahead: 30% fee.
	infos, err := cl.Tickets(ctx, tokA)
	if err != nil || len(infos) != 2 || infos[0].Status != "valid" || strings.Contains(infos[0].Passenger, "012345") {
		t.Fatalf("tickets %+v %v", infos, err)
	}
	rf, err := cl.Cancel(ctx, backend.CancelRequest{Key: backend.NewKey("k1"), Ticket: sold.Tickets[1].ID, Holder: tokA, Reason: "passenger"})
	if err != nil || rf.Price != 280000 || rf.Fee != 84000 || rf.Amount != 196000 {
		t.Fatalf("refund %+v %v", rf, err)
	}
	if seats, _ := cl.Seats(ctx, trip.Departure.ID); strings.Join(seats.Taken, ",") != "A01" {
		t.Fatalf("cancelled seat not free: %v", seats.Taken)
	}
	// Too late: less than 4 h before departure.
	c.t = trip.Departs.Add(-time.Hour)
	_, err = cl.Cancel(ctx, backend.CancelRequest{Key: backend.NewKey("k1"), Ticket: sold.Tickets[0].ID, Holder: tokA})
	var rej *backend.RejectedError
	if !errors.As(err, &rej) || rej.Code != backend.CodeNotRefundable {
		t.Fatalf("late cancel: %v", err)
	}
}

func TestSaleRefusals(t *testing.T) {
	s, c := start(t)
	cl := client(t, s, c, "k1")
	ctx := context.Background()
	trip := firstCoach(t, c.Now())
	h, err := cl.Hold(ctx, holdReq(trip, "A03"))
	if err != nil {
		t.Fatal(err)
	}
	item := seatItem(trip, h, 0)
	cheap := item
	cheap.Price = 1000
	_, err = cl.Sell(ctx, backend.SaleRequest{Key: backend.NewKey("k1"), Hold: h.ID, Buyer: tokA, Items: []backend.SaleItem{cheap}, Total: 1000,
		Payment: backend.Payment{Method: "vietqr", Amount: 1000}})
	if !isCode(err, backend.CodeAmountMismatch) {
		t.Fatalf("underpriced: %v", err)
	}
	// The hold expires: the seat is free again and the sale is refused.
	c.Add(11 * time.Minute)
	_, err = cl.Sell(ctx, backend.SaleRequest{Key: backend.NewKey("k1"), Hold: h.ID, Buyer: tokA, Items: []backend.SaleItem{item}, Total: item.Price,
		Payment: backend.Payment{Method: "vietqr", Amount: item.Price}})
	if !isCode(err, backend.CodeHoldExpired) {
		t.Fatalf("expired hold: %v", err)
	}
	if seats, _ := cl.Seats(ctx, trip.Departure.ID); len(seats.Taken) != 0 {
		t.Fatalf("expired hold keeps %v", seats.Taken)
	}
}

func isCode(err error, code string) bool {
	var rej *backend.RejectedError
	return errors.As(err, &rej) && rej.Code == code
}

// TestLastSeatRace: two kiosks, eight tries each, race for the last seat;
// exactly one holds it and exactly one sale is made.
func TestLastSeatRace(t *testing.T) {
	s, c := start(t)
	ctx := context.Background()
	trip := firstCoach(t, c.Now())
	var all []string
	m, _ := catalogSeatMap(t, c.Now(), trip.Departure.SeatMap)
	for _, car := range m.Cars {
		for _, st := range car.Seats {
			all = append(all, st.ID)
		}
	}
	s.Take(trip.Departure.ID, all[1:]...)
	kiosks := []*backend.Client{client(t, s, c, "kiosk-a"), client(t, s, c, "kiosk-b")}
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		sales []backend.Sale
		taken int
	)
	for i := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			cl := kiosks[i%2]
			h, err := cl.Hold(ctx, holdReq(trip, all[0]))
			if errors.Is(err, backend.ErrSeatTaken) {
				mu.Lock()
				taken++
				mu.Unlock()
				return
			}
			if err != nil {
				t.Error(err)
				return
			}
			it := seatItem(trip, h, 0)
			sale, err := cl.Sell(ctx, backend.SaleRequest{Key: backend.NewKey("race"), Hold: h.ID, Buyer: tokA, Items: []backend.SaleItem{it},
				Total: it.Price, Payment: backend.Payment{Method: "vietqr", Amount: it.Price}})
			if err != nil {
				t.Error(err)
				return
			}
			mu.Lock()
			sales = append(sales, sale)
			mu.Unlock()
		}()
	}
	wg.Wait()
	if len(sales) != 1 || taken != 15 || len(s.SoldSeats(trip.Departure.ID)) != 1 {
		t.Fatalf("%d sales, %d refused, sold %v", len(sales), taken, s.SoldSeats(trip.Departure.ID))
	}
}

func catalogSeatMap(t *testing.T, now time.Time, id string) (catalog.SeatMap, bool) {
	x, err := catalog.NewIndex(catalog.Sample(now, 66))
	if err != nil {
		t.Fatal(err)
	}
	return x.SeatMap(id)
}

// TestForgedRepliesRefused: a reply signed with another key is believed
// nowhere — no hold, no catalogue.
func TestForgedRepliesRefused(t *testing.T) {
	s, c := start(t)
	cl := client(t, s, c, "k1")
	ctx := context.Background()
	trip := firstCoach(t, c.Now())
	s.Forge(true)
	if _, err := cl.Hold(ctx, holdReq(trip, "A05")); !errors.Is(err, backend.ErrUnverified) || !errors.Is(err, backend.ErrUnavailable) {
		t.Fatalf("forged hold: %v", err)
	}
	if _, err := cl.Catalogue(ctx, 0); !errors.Is(err, backend.ErrUnverified) {
		t.Fatalf("forged catalogue: %v", err)
	}
	s.Forge(false)
	s.Offline(true)
	if _, err := cl.Seats(ctx, trip.Departure.ID); !errors.Is(err, backend.ErrUnavailable) || errors.Is(err, backend.ErrUnverified) {
		t.Fatalf("offline: %v", err)
	}
}

// TestVerifierBinding: a genuine reply to another request, another kiosk,
// or too old is refused.
func TestVerifierBinding(t *testing.T) {
	pub, priv, _ := ed25519.GenerateKey(rand.Reader)
	now := morning
	v := backend.Verifier{Key: pub, Device: "k1", Now: func() time.Time { return now }}
	mk := func(h backend.Header) []byte {
		h.Kind = backend.KindRelease
		b, err := backend.Sign(priv, struct{ backend.Header }{h})
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	ok := backend.Header{Key: "key-1", Device: "k1", SignedAt: now}
	var out backend.Header
	if err := v.Open(mk(ok), backend.KindRelease, "key-1", &out); err != nil {
		t.Fatal(err)
	}
	for name, h := range map[string]backend.Header{
		"another request": {Key: "key-2", Device: "k1", SignedAt: now},
		"another kiosk":   {Key: "key-1", Device: "k2", SignedAt: now},
		"replayed later":  {Key: "key-1", Device: "k1", SignedAt: now.Add(-10 * time.Minute)},
		"from the future": {Key: "key-1", Device: "k1", SignedAt: now.Add(10 * time.Minute)},
	} {
		if err := v.Open(mk(h), backend.KindRelease, "key-1", &out); !errors.Is(err, backend.ErrUnverified) {
			t.Errorf("%s: %v", name, err)
		}
	}
	if err := v.Open(mk(ok), backend.KindSale, "key-1", &out); !errors.Is(err, backend.ErrUnverified) {
		t.Errorf("a release reply taken for a sale: %v", err)
	}
	var env backend.Envelope
	_ = json.Unmarshal(mk(ok), &env)
	env.Payload = []byte(strings.Replace(string(env.Payload), "k1", "k9", 1))
	tampered, _ := json.Marshal(env)
	if err := v.Open(tampered, backend.KindRelease, "key-1", &out); !errors.Is(err, backend.ErrUnverified) {
		t.Errorf("tampered: %v", err)
	}
}

func TestCache(t *testing.T) {
	s, c := start(t)
	cl := client(t, s, c, "k1")
	ctx := context.Background()
	dir := t.TempDir()
	cache, err := backend.OpenCache(dir, s.PublicKey(), quiet)
	if err != nil || cache.Index() != nil || cache.Status().Usable(c.Now()) {
		t.Fatalf("empty cache: %v", err)
	}
	if changed, err := cache.Sync(ctx, cl, c.Now()); err != nil || !changed || cache.Status().Version != 1 || !cache.Status().Online {
		t.Fatalf("sync: %v %v %+v", changed, err, cache.Status())
	}
	if changed, err := cache.Sync(ctx, cl, c.Now()); err != nil || changed {
		t.Fatalf("second sync: %v %v", changed, err)
	}
	// A new kiosk start reads it from disk, verified.
	again, err := backend.OpenCache(dir, s.PublicKey(), quiet)
	if err != nil || again.Index() == nil || again.Status().Version != 1 || !again.Status().Usable(c.Now()) {
		t.Fatalf("reopened: %v %+v", err, again.Status())
	}
	// A newer catalogue replaces it; then the older one is refused.
	next := catalog.Sample(c.Now(), 66)
	next.Version = 2
	if err := s.Publish(next); err != nil {
		t.Fatal(err)
	}
	raw, err := cl.Catalogue(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	old, _ := os.ReadFile(filepath.Join(dir, "catalogue.env"))
	if changed, err := cache.Install(raw); !changed || err != nil {
		t.Fatalf("install v2: %v %v", changed, err)
	}
	if _, err := cache.Install(old); !errors.Is(err, backend.ErrOlder) {
		t.Fatalf("rollback: %v", err)
	}
	// A file tampered with on disk is refused at start.
	b, _ := os.ReadFile(filepath.Join(dir, "catalogue.env"))
	_ = os.WriteFile(filepath.Join(dir, "catalogue.env"), []byte(strings.Replace(string(b), "A", "B", 1)), 0o600)
	broken, err := backend.OpenCache(dir, s.PublicKey(), quiet)
	if err != nil || broken.Index() != nil || broken.Status().LastError == "" {
		t.Fatalf("tampered cache used: %v %+v", err, broken.Status())
	}
	// Offline: Observe says so.
	s.Offline(true)
	if _, err := cache.Sync(ctx, cl, c.Now()); !errors.Is(err, backend.ErrUnavailable) || cache.Status().Online {
		t.Fatalf("offline sync: %v %+v", err, cache.Status())
	}
	c.Add(8 * 24 * time.Hour)
	if cache.Status().Usable(c.Now()) {
		t.Fatal("a catalogue past its valid_until still usable offline")
	}
}

// TestPassListFromSales: a monthly pass and a ride sold reach the signed
// pass list under the passenger's token; a tap that used the ride drops it.
func TestPassListFromSales(t *testing.T) {
	s, c := start(t)
	cl := client(t, s, c, "k1")
	ctx := context.Background()
	dec := time.Date(2026, 12, 1, 0, 0, 0, 0, tariff.Location())
	items := []backend.SaleItem{
		{Product: "BUS-M-ALL", ValidFrom: dec, Base: 200000, Price: 100000, Category: "student", Passenger: backend.Passenger{Token: tokA, Kind: "card"}},
		{Product: "BUS-R-47", ValidFrom: c.Now(), Base: 7000, Price: 7000, Passenger: backend.Passenger{Token: tokA, Kind: "card"}},
	}
	sale, err := cl.Sell(ctx, backend.SaleRequest{Key: backend.NewKey("k1"), Buyer: tokA, Items: items, Total: 107000,
		Payment: backend.Payment{Method: "vietqr", Amount: 107000}})
	if err != nil {
		t.Fatal(err)
	}
	doc := fetchPassList(t, s, 0)
	if ps := doc.Passes[tokA]; len(ps) != 1 || ps[0].Month != time.December || ps[0].Route != "" {
		t.Fatalf("passes %+v", doc.Passes)
	}
	if rs := doc.Rides[tokA]; len(rs) != 1 || rs[0].Route != "47" || rs[0].Ticket != sale.Tickets[1].ID {
		t.Fatalf("rides %+v", doc.Rides)
	}
	tap := fmt.Sprintf(`{"v":1,"token":%q,"verdict":"accept","reason":"ticket","fare":0,"route":"47","day":"2026-11-22","deny_version":1,"pass_version":%d,"ticket":%q}`,
		tokA, doc.Version, sale.Tickets[1].ID)
	if err := s.Ingest("transit.tap", []byte(tap)); err != nil {
		t.Fatal(err)
	}
	after := fetchPassList(t, s, doc.Version)
	if after.Version <= doc.Version || len(after.Rides[tokA]) != 0 || len(after.Passes[tokA]) != 1 {
		t.Fatalf("after the tap: %+v", after)
	}
}

func fetchPassList(t *testing.T, s *ticketingsim.Server, since uint64) transit.Document {
	t.Helper()
	resp, err := s.Client().Get(fmt.Sprintf("%s/v1/lists/pass?since=%d", s.URL(), since))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body json.RawMessage
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		t.Fatal(err)
	}
	d, err := transit.OpenEnvelope(s.ListPublicKey(), transit.ListPass, body)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func FuzzOpen(f *testing.F) {
	pub, priv, _ := ed25519.GenerateKey(rand.Reader)
	good, _ := backend.Sign(priv, struct{ backend.Header }{backend.Header{Kind: backend.KindRelease, Key: "k", Device: "d", SignedAt: morning}})
	f.Add(good)
	f.Add([]byte(`{"payload":"e30=","signature":""}`))
	v := backend.Verifier{Key: pub, Device: "d", Now: func() time.Time { return morning }}
	f.Fuzz(func(t *testing.T, b []byte) {
		var out struct{ backend.Header }
		_ = v.Open(b, backend.KindRelease, "k", &out)
	})
}

func FuzzOpenTicketCode(f *testing.F) {
	pub, priv, _ := ed25519.GenerateKey(rand.Reader)
	code, _ := backend.MakeTicketCode(priv, backend.TicketClaims{Ticket: "T-1", Operator: "o", From: 1, Until: 2, Holder: "abcd"})
	f.Add(code)
	f.Add("VE1..")
	f.Add("VE1.e30.AAAA")
	f.Fuzz(func(t *testing.T, s string) {
		c, err := backend.OpenTicketCode(pub, s)
		if err == nil && c.Ticket == "" {
			t.Fatal("accepted a code without a ticket")
		}
	})
}

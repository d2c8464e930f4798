package manifest

import (
	"bytes"
	"context"
	"encoding/csv"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kiosk06/kiosk/firmware/records"
	"github.com/kiosk06/kiosk/firmware/store"
	"github.com/kiosk06/kiosk/firmware/ticketing/backend"
	"github.com/kiosk06/kiosk/firmware/ticketing/catalog"
	"github.com/kiosk06/kiosk/firmware/ticketing/ticketingsim"
	"github.com/kiosk06/kiosk/payments/tariff"
)

var morning = time.Date(2026, 11, 22, 8, 0, 0, 0, tariff.Location())

type memStore struct {
	mu   sync.Mutex
	recs []store.Record
}

func (m *memStore) Append(_ context.Context, r store.Record) (store.Seq, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.recs = append(m.recs, r)
	return store.Seq(len(m.recs)), nil
}

// Records implements records.Reader.
func (m *memStore) Records(_ context.Context, kind string, since store.Seq, limit int) ([]store.Record, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []store.Record
	for i, r := range m.recs {
		r.Seq = store.Seq(i + 1)
		if r.Seq > since && (kind == "" || r.Kind == kind) && len(out) < limit {
			out = append(out, r)
		}
	}
	return out, nil
}

const tokA = "9f2c4e1a0b7d3c5e8f6a1b2c3d4e5f60718293a4b5c6d7e8f9a0b1c2d3e4f506"

// TestManifestFromSales: two passengers sold on a coach come out as the
// stay notification's rows, sealed in one ticketing.manifest record.
func TestManifestFromSales(t *testing.T) {
	now := morning
	clock := func() time.Time { return now }
	sim, err := ticketingsim.Start(context.Background(), &ticketingsim.Options{Now: clock, TLS: true, Catalogue: catalog.Sample(now, 66)})
	if err != nil {
		t.Fatal(err)
	}
	defer sim.Close()
	cl, err := backend.NewClient(backend.ClientConfig{BaseURL: sim.URL(), PublicKey: sim.PublicKey(), DeviceID: "pos-1", Now: clock, HTTPClient: sim.Client()})
	if err != nil {
		t.Fatal(err)
	}
	cache, err := backend.OpenCache(t.TempDir(), sim.PublicKey(), slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if _, err := cache.Sync(ctx, cl, now); err != nil {
		t.Fatal(err)
	}
	trips := cache.Index().Search(catalog.Query{Mode: catalog.ModeCoach, From: "HN-GB", To: "VINH", Day: now, After: now.Add(time.Hour)})
	trip := trips[0]
	h, err := cl.Hold(ctx, backend.HoldRequest{Key: backend.NewKey("pos-1"), Departure: trip.Departure.ID, From: "HN-GB", To: "VINH", Seats: []string{"A01", "B01"}, TTLSeconds: 600})
	if err != nil {
		t.Fatal(err)
	}
	items := []backend.SaleItem{
		{Departure: h.Departure, From: "HN-GB", To: "VINH", Seat: "A01", Base: 300000, Price: 300000,
			Passenger: backend.Passenger{Token: tokA, Kind: "card", Name: "Nguyễn Văn Thu", IDNumber: "001090012345", DOB: "1990-03-15", Sex: "Nam"}},
		{Departure: h.Departure, From: "HN-GB", To: "VINH", Seat: "B01", Base: 280000, Price: 210000,
			Passenger: backend.Passenger{Token: strings.Repeat("ab", 32), Kind: "child", IDNumber: "001318004567", DOB: "2018-03-05", Sex: "Nữ"}},
	}
	if _, err := cl.Sell(ctx, backend.SaleRequest{Key: backend.NewKey("pos-1"), Hold: h.ID, Buyer: tokA, Items: items, Total: 510000,
		Payment: backend.Payment{Method: "vietqr", Amount: 510000}}); err != nil {
		t.Fatal(err)
	}
	st := &memStore{}
	m := &Manifester{Backend: cl, Catalogue: cache, Store: st, DeviceID: "pos-1", Station: "HN-GB", Lead: 3 * time.Hour, Now: clock}
	if due := m.Due(); len(due) == 0 || !strings.Contains(strings.Join(due, ","), trip.Departure.ID) {
		t.Fatalf("due %v", due)
	}
	man, err := m.Record(ctx, trip.Departure.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(man.Rows) != 2 {
		t.Fatalf("rows %+v", man.Rows)
	}
	rows, err := csv.NewReader(bytes.NewReader(man.CSV())).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(rows[0], "|") != strings.Join(Header, "|") {
		t.Fatalf("header %v", rows[0])
	}
	r1 := rows[1]
	if r1[1] != "Nguyễn Văn Thu" || r1[2] != "001090012345" || r1[3] != "15/03/1990" || r1[4] != "Nam" ||
		!strings.HasPrefix(r1[5], "Hành khách xe khách tuyến Hà Nội – Vinh, chuyến ") || r1[6] != trip.Departs.Format("02/01/2006 15:04") ||
		r1[7] != trip.Arrives.Format("02/01/2006 15:04") || r1[8] != "Tuyến Hà Nội – Vinh của Nhà xe Hoàng Long" || r1[9] != "A01" ||
		r1[11] != "Bến xe Giáp Bát" || r1[12] != "Bến xe Vinh" {
		t.Fatalf("row 1 %q", r1)
	}
	if rows[2][1] != "" || rows[2][2] != "001318004567" || rows[2][3] != "05/03/2018" || rows[2][4] != "Nữ" {
		t.Fatalf("child's row %q", rows[2])
	}
	if len(st.recs) != 1 {
		t.Fatalf("%d records", len(st.recs))
	}
	rec := st.recs[0]
	var p records.TicketingManifest
	if err := records.Decode(rec, &p); err != nil {
		t.Fatal(err)
	}
	if p.Departure != trip.Departure.ID || p.Travellers != 2 || p.Format != Format || p.Operator != "hoanglong" {
		t.Fatalf("payload %+v", p)
	}
	if bytes.Contains(rec.Payload, []byte("001090012345")) || !strings.Contains(rec.Personal[records.PersonalPassengers], "001090012345") {
		t.Fatalf("the list is not (only) sealed: %s / %v", rec.Payload, rec.Personal)
	}
	if due := m.Due(); strings.Contains(strings.Join(due, ","), trip.Departure.ID) {
		t.Fatal("a recorded manifest is still due")
	}
	// After a restart the store says it is done: not recorded twice.
	m2 := &Manifester{Backend: cl, Catalogue: cache, Store: st, DeviceID: "pos-1", Station: "HN-GB", Lead: 3 * time.Hour, Now: clock}
	if err := m2.Restore(ctx, st); err != nil {
		t.Fatal(err)
	}
	if due := m2.Due(); strings.Contains(strings.Join(due, ","), trip.Departure.ID) {
		t.Fatal("a manifest recorded before the restart is due again")
	}
}

func TestBuildUnknownDeparture(t *testing.T) {
	idx, err := catalog.NewIndex(catalog.Sample(morning, 2))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Build(idx, backend.Manifest{Departure: "nope"}, tariff.Location()); err == nil {
		t.Fatal("built a manifest of an unknown departure")
	}
}

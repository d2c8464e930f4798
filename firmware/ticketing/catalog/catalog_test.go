package catalog

import (
	"encoding/json"
	"errors"
	"runtime"
	"testing"
	"time"

	"github.com/kiosk06/kiosk/payments/tariff"
)

// noon is 22/11/2026 12:00 in Hà Nội.
var noon = time.Date(2026, 11, 22, 12, 0, 0, 0, tariff.Location())

func sampleIndex(t testing.TB, n int) *Index {
	t.Helper()
	x, err := NewIndex(Sample(noon, n))
	if err != nil {
		t.Fatal(err)
	}
	return x
}

func TestSampleRoundTrips(t *testing.T) {
	c := Sample(noon, 200)
	b, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	got, err := Parse(b)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Departures) != 200 || got.Version != 1 {
		t.Fatalf("parsed %d departures, version %d", len(got.Departures), got.Version)
	}
}

func TestSearch(t *testing.T) {
	x := sampleIndex(t, 66*3)
	trips := x.Search(Query{Mode: ModeCoach, From: "HN-GB", To: "VINH", Day: noon, After: noon})
	if len(trips) == 0 {
		t.Fatal("no coach from Giáp Bát to Vinh this afternoon")
	}
	prev := noon
	for _, tr := range trips {
		if tr.Departs.Before(prev) || tr.Departs.In(tariff.Location()).Day() != 22 {
			t.Errorf("trip %s leaves %s: out of order or not on the day", tr.Departure.ID, tr.Departs)
		}
		prev = tr.Departs
		if !tr.Arrives.After(tr.Departs) {
			t.Errorf("trip %s arrives %s before it leaves %s", tr.Departure.ID, tr.Arrives, tr.Departs)
		}
		if len(tr.Fares) != 2 || tr.MinFare() != 280000 {
			t.Errorf("trip %s fares %+v", tr.Departure.ID, tr.Fares)
		}
	}
	// Nothing goes backwards: Vinh to Giáp Bát on this route.
	if got := x.Search(Query{From: "VINH", To: "HN-GB", Day: noon}); len(got) != 0 {
		t.Errorf("found %d trips against the route's direction", len(got))
	}
	// The next day has its own departures; a train segment in the middle.
	tomorrow := noon.AddDate(0, 0, 1)
	trains := x.Search(Query{Mode: ModeTrain, From: "GA-NB", To: "GA-HUE", Day: tomorrow})
	if len(trains) != 6 {
		t.Fatalf("%d trains Ninh Bình → Huế tomorrow, want 6", len(trains))
	}
	if f, ok := trains[0].Departure.Fare("GA-NB", "GA-HUE", "nam_k6"); !ok || f != roundK(90000+(688-115)*1150) {
		t.Errorf("berth fare %d %v", f, ok)
	}
	if got := x.Search(Query{From: "HN-MD", To: "HP", Day: noon, Limit: 3}); len(got) > 3 {
		t.Errorf("limit ignored: %d", len(got))
	}
}

func TestDestinationsAndModes(t *testing.T) {
	x := sampleIndex(t, 66)
	var names []string
	for _, s := range x.Destinations("HN-GB", ModeCoach) {
		names = append(names, s.ID)
	}
	if len(names) != 4 {
		t.Errorf("destinations from Giáp Bát by coach: %v", names)
	}
	if m := x.Modes(); len(m) != 3 || m[0] != ModeCoach || m[2] != ModeBus {
		t.Errorf("modes %v", m)
	}
	if p := x.Products(ModeBus); len(p) != 3 {
		t.Errorf("bus products %d", len(p))
	}
}

func TestRefundFor(t *testing.T) {
	o, _ := sampleIndex(t, 1).Operator("hoanglong")
	dep := noon.Add(48 * time.Hour)
	for _, tc := range []struct {
		before time.Duration
		fee    int
		ok     bool
	}{{48 * time.Hour, 10, true}, {24 * time.Hour, 10, true}, {23 * time.Hour, 30, true}, {4 * time.Hour, 30, true}, {3 * time.Hour, 0, false}, {-time.Hour, 0, false}} {
		r, ok := o.RefundFor(dep, dep.Add(-tc.before))
		if ok != tc.ok || r.FeePercent != tc.fee {
			t.Errorf("%s before: rule %+v %v, want fee %d %v", tc.before, r, ok, tc.fee, tc.ok)
		}
	}
}

func TestValidateRefuses(t *testing.T) {
	for _, tc := range []struct {
		name string
		mod  func(c *Catalogue)
	}{
		{"version 0", func(c *Catalogue) { c.Version = 0 }},
		{"expired before issued", func(c *Catalogue) { c.ValidUntil = c.Issued.Add(-time.Hour) }},
		{"route of unknown operator", func(c *Catalogue) { c.Routes[0].Operator = "nobody" }},
		{"route with unknown stop", func(c *Catalogue) { c.Routes[0].Stops[1] = "X" }},
		{"duplicate departure", func(c *Catalogue) { c.Departures[1].ID = c.Departures[0].ID }},
		{"call out of route order", func(c *Catalogue) {
			c.Departures[0].Calls[1].Stop, c.Departures[0].Calls[2].Stop = c.Departures[0].Calls[2].Stop, c.Departures[0].Calls[1].Stop
		}},
		{"time goes back", func(c *Catalogue) { c.Departures[0].Calls[2].Arrive = c.Departures[0].Calls[0].Depart.Add(-time.Hour) }},
		{"fare against the direction", func(c *Catalogue) {
			c.Departures[0].Fares[0].From, c.Departures[0].Fares[0].To = c.Departures[0].Fares[0].To, c.Departures[0].Fares[0].From
		}},
		{"negative fare", func(c *Catalogue) { c.Departures[0].Fares[0].Amount = -1 }},
		{"fare class not on the map", func(c *Catalogue) { c.Departures[0].Fares[0].Class = "vip" }},
		{"unknown seat map", func(c *Catalogue) { c.Departures[0].SeatMap = "x" }},
		{"seat of unknown class", func(c *Catalogue) { c.SeatMaps[0].Cars[0].Seats[0].Class = "x" }},
		{"repeated seat", func(c *Catalogue) { c.SeatMaps[0].Cars[0].Seats[1].ID = c.SeatMaps[0].Cars[0].Seats[0].ID }},
		{"product of another operator's route", func(c *Catalogue) { c.Products[1].Route = "HL-HN-HP" }},
		{"ride without validity", func(c *Catalogue) { c.Products[2].ValidDays = 0 }},
		{"bad concession", func(c *Catalogue) { c.Operators[0].Concessions[0].Percent = 140 }},
		{"bad refund rule", func(c *Catalogue) { c.Operators[0].Refund[0].FeePercent = 101 }},
		{"seated bus", func(c *Catalogue) { c.Departures[0].Route = "BUS-32" }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := Sample(noon, 2)
			tc.mod(c)
			b, _ := json.Marshal(c)
			if _, err := Parse(b); !errors.Is(err, ErrInvalid) {
				t.Errorf("accepted: %v", err)
			}
		})
	}
}

func FuzzParse(f *testing.F) {
	b, _ := json.Marshal(Sample(noon, 2))
	f.Add(b)
	f.Add([]byte(`{"version":1}`))
	f.Add([]byte(`{"version":1,"departures":[{"id":"x","calls":[{}]}]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		c, err := Parse(b)
		if err != nil {
			return
		}
		x, err := NewIndex(c)
		if err != nil {
			t.Fatalf("parsed but not indexable: %v", err)
		}
		for _, s := range c.Stops {
			for _, d := range x.Destinations(s.ID, "") {
				x.Search(Query{From: s.ID, To: d.ID, Day: noon})
			}
		}
	})
}

// BenchmarkSearch10k: one search among 10,000 departures, and the memory
// the indexed catalogue holds (BENCHMARKS.md).
func BenchmarkSearch10k(b *testing.B) {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	x := sampleIndex(b, 10_000)
	runtime.GC()
	runtime.ReadMemStats(&after)
	heap := float64(after.HeapAlloc-before.HeapAlloc) / (1 << 20)
	queries := []Query{
		{Mode: ModeCoach, From: "HN-GB", To: "VINH"},
		{Mode: ModeTrain, From: "GA-HN", To: "GA-DN"},
		{From: "HN-MD", To: "HP"},
		{Mode: ModeTrain, From: "GA-VINH", To: "GA-HUE"},
	}
	found := 0
	for i := 0; b.Loop(); i++ {
		q := queries[i%len(queries)]
		q.Day = noon.AddDate(0, 0, i%150)
		found += len(x.Search(q))
	}
	if found == 0 {
		b.Fatal("nothing found")
	}
	runtime.KeepAlive(x)
	b.ReportMetric(heap, "heap-MiB")
}

// BenchmarkIndex10k: parsing and indexing a 10,000-departure catalogue
// (what the kiosk does after each catalogue sync and at start).
func BenchmarkIndex10k(b *testing.B) {
	raw, _ := json.Marshal(Sample(noon, 10_000))
	for b.Loop() {
		c, err := Parse(raw)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := NewIndex(c); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(raw))/(1<<20), "json-MiB")
}

package passlist

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"os"
	"testing"
	"time"

	"github.com/kiosk06/kiosk/firmware/records"
	"github.com/kiosk06/kiosk/firmware/transit"
	"github.com/kiosk06/kiosk/payments/tariff"
)

const tok = "9f2c4e1a0b7d3c5e8f6a1b2c3d4e5f60718293a4b5c6d7e8f9a0b1c2d3e4f506"

var nov22 = time.Date(2026, 11, 22, 9, 0, 0, 0, tariff.Location())

// TestGoldenOfflinePass: the records package's golden offline monthly pass
// (what a kiosk uploads) becomes a December pass under its token.
func TestGoldenOfflinePass(t *testing.T) {
	b, err := os.ReadFile("../../records/testdata/ticketing.ticket.v1.monthly_pass.json")
	if err != nil {
		t.Fatal(err)
	}
	l := New()
	changed, err := l.Ingest(records.KindTicketingTicket, b)
	if err != nil || !changed || l.Version() != 2 {
		t.Fatalf("ingest: %v %v v%d", changed, err, l.Version())
	}
	d := l.Document(nov22)
	if ps := d.Passes[tok]; len(ps) != 1 || ps[0].Year != 2026 || ps[0].Month != time.December || ps[0].Route != "" {
		t.Fatalf("passes %+v", d.Passes)
	}
	// The same record again (an upload retried) changes nothing.
	if changed, _ := l.Ingest(records.KindTicketingTicket, b); changed {
		t.Fatal("a retried upload made a new version")
	}
	// A seat ticket is not a bus validator's.
	seat, _ := os.ReadFile("../../records/testdata/ticketing.ticket.v1.seat.json")
	if changed, _ := l.Ingest(records.KindTicketingTicket, seat); changed {
		t.Fatal("a coach seat reached the bus pass list")
	}
	if _, err := l.Ingest(records.KindTicketingTicket, []byte(`{"v":9}`)); err == nil {
		t.Fatal("a record of an unknown version accepted")
	}
	if changed, err := l.Ingest("hospital.help", []byte(`{}`)); changed || err != nil {
		t.Fatalf("another kind: %v %v", changed, err)
	}
}

// TestOfflineDuplicateOfOnlineSale: a kiosk's offline record for a sale key
// the backend already sold (its reply was lost) does not list a second pass.
func TestOfflineDuplicateOfOnlineSale(t *testing.T) {
	l := New()
	dec := time.Date(2026, 12, 1, 0, 0, 0, 0, tariff.Location())
	online := records.TicketingTicket{Ticket: "T-1", Sale: "S-1", Key: "k-1", Kind: "monthly_pass", ValidFrom: dec, Token: tok}
	offline := records.TicketingTicket{Ticket: "k-1-1", Sale: "k-1", Key: "k-1", Kind: "monthly_pass", ValidFrom: dec, Token: tok, Offline: true}
	if !l.AddTicket(online) || l.AddTicket(offline) {
		t.Fatal("dedupe on the sale key failed")
	}
	if ps := l.Document(nov22).Passes[tok]; len(ps) != 1 {
		t.Fatalf("passes %+v", ps)
	}
}

// TestRideLifecycle: a ride is listed until used or expired; the signed
// envelope opens with the list key.
func TestRideLifecycle(t *testing.T) {
	pub, priv, _ := ed25519.GenerateKey(rand.Reader)
	l := New()
	ride := records.TicketingTicket{Ticket: "T-2", Sale: "S-2", Key: "k-2", Kind: "ride", Route: "47", ValidFrom: nov22, ValidTo: nov22.Add(24 * time.Hour), Token: tok}
	l.AddTicket(ride)
	body, err := l.Envelope(priv, nov22)
	if err != nil {
		t.Fatal(err)
	}
	d, err := transit.OpenEnvelope(pub, transit.ListPass, body)
	if err != nil || len(d.Rides[tok]) != 1 || d.Rides[tok][0].Ticket != "T-2" {
		t.Fatalf("%+v %v", d, err)
	}
	if got := l.Document(nov22.Add(25 * time.Hour)); len(got.Rides) != 0 {
		t.Fatal("an expired ride listed")
	}
	v := l.Version()
	if l.MarkUsed(records.TransitTap{Verdict: "deny", Reason: "ticket_used", Ticket: "T-2"}) {
		t.Fatal("a refused tap used the ticket")
	}
	if !l.MarkUsed(records.TransitTap{Verdict: "accept", Reason: "ticket", Ticket: "T-2"}) || l.Version() != v+1 {
		t.Fatal("the used ride stayed")
	}
	if l.AddTicket(ride) {
		t.Fatal("a used ride came back")
	}
	raw, _ := json.Marshal(l.Document(nov22))
	if json.Valid(raw) && len(l.Document(nov22).Rides) != 0 {
		t.Fatal("rides left")
	}
}

package parking

import (
	"context"
	"encoding/json"
	"slices"
	"testing"
	"time"

	"github.com/kiosk06/kiosk/firmware/identity"
	"github.com/kiosk06/kiosk/firmware/records"
	"github.com/kiosk06/kiosk/payments/tariff"
)

// presenter is a Presenter fed by the test; closing it ends RunLane.
type presenter chan identity.Presentation

func (p presenter) Presentations(context.Context) <-chan identity.Presentation { return p }

// TestRunLane: on a "both" lane a CCCD whose vehicle is not inside enters;
// that ticket's QR lets it out (free within the grace period); a scan that
// is neither a ticket nor a CCCD does nothing; on an exit lane an unknown
// CCCD is refused, never admitted.
func TestRunLane(t *testing.T) {
	l := newLane(t, openStore(t), nil)
	src := make(presenter)
	done := make(chan error, 1)
	go func() { done <- l.t.RunLane(context.Background(), src, tokenizer(t), Lane{Vehicle: tariff.Motorbike}) }()

	go l.waitOpenThenPass()
	src <- identity.PresentQR(testQR)
	src <- identity.PresentQR("https://example.com/not-a-ticket")
	entries := payloads(t, l, KindEntry)
	if len(entries) != 1 {
		t.Fatalf("%d entries", len(entries))
	}
	var e records.ParkingEntry
	if err := json.Unmarshal(entries[0], &e); err != nil || e.Source != "cccd_qr" || e.Vehicle != string(tariff.Motorbike) || e.Token != credential(t, testQR).Token.String() {
		t.Fatalf("entry %s", entries[0])
	}
	go l.waitOpenThenPass()
	src <- identity.PresentQR(e.Ticket)
	src <- identity.PresentQR("https://example.com/not-a-ticket")
	close(src)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if n := len(payloads(t, l, KindExit)); n != 1 || l.t.Inside() != 0 {
		t.Fatalf("%d exits, %d inside", n, l.t.Inside())
	}

	exitOnly := make(presenter, 1)
	exitOnly <- identity.PresentQR("001090099999||Le Van Thu|01011980|Nam|Hue|01012022")
	close(exitOnly)
	if err := l.t.RunLane(context.Background(), exitOnly, tokenizer(t), Lane{Mode: LaneExit, Vehicle: tariff.Motorbike}); err != nil {
		t.Fatal(err)
	}
	if n := len(payloads(t, l, KindEntry)); n != 1 || !slices.Contains(l.phases(), PhaseUnknownTicket) {
		t.Fatalf("exit lane: %d entries, phases %v", n, l.phases())
	}
}

// records returns the payloads of kind, waiting briefly for the lane.
func payloads(t *testing.T, l *lane, kind string) [][]byte {
	t.Helper()
	deadline := time.Now().Add(3 * time.Second)
	for {
		recs, err := l.store.Records(context.Background(), kind, 0, 100)
		if err != nil {
			t.Fatal(err)
		}
		if len(recs) > 0 || time.Now().After(deadline) {
			var out [][]byte
			for _, r := range recs {
				out = append(out, r.Payload)
			}
			return out
		}
		time.Sleep(5 * time.Millisecond)
	}
}

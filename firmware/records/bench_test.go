package records_test

import (
	"context"
	"testing"
	"time"

	"github.com/kiosk06/kiosk/firmware/records"
	"github.com/kiosk06/kiosk/firmware/store"
)

// nullAppender stands in for the store: what Append costs before the
// fsync (which dominates a real append: see firmware/store's benchmarks).
type nullAppender struct{ n store.Seq }

func (a *nullAppender) Append(_ context.Context, r store.Record) (store.Seq, error) {
	a.n++
	return a.n, nil
}

// BenchmarkAppendTap is the registry lookup, personal check and encoding
// a transit tap pays on its hot path, without the store.
func BenchmarkAppendTap(b *testing.B) {
	ctx := context.Background()
	a := &nullAppender{}
	tap := records.TransitTap{Token: "9f2c4e1a0b7d3c5e8f6a1b2c3d4e5f60718293a4b5c6d7e8f9a0b1c2d3e4f506", TokenKind: "cccd_chip",
		Verdict: "accept", Reason: "fare", Fare: 7000, Line: "bus.fare", Route: "29", Vehicle: "29B-01", Day: "2026-11-22", DenyVersion: 7, PassVersion: 3}
	at := time.Date(2026, 11, 22, 7, 30, 0, 0, time.UTC)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := records.Append(ctx, a, at, tap, nil); err != nil {
			b.Fatal(err)
		}
	}
}

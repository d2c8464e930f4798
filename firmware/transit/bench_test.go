package transit

import (
	"context"
	"encoding/json"
	"runtime"
	"sync/atomic"
	"testing"

	"github.com/kiosk06/kiosk/firmware/identity"
)

// BenchmarkTap times the hot path: QR payload → token → verdict → durable
// record (real SQLite, synchronous=FULL, fsync) → GPIO feedback.
// go test -run - -bench Tap -benchtime 2000x ./firmware/transit/
func BenchmarkTap(b *testing.B) {
	benchTaps(b, 1, 0)
}

// BenchmarkTapSaturation: four readers tapping back to back.
func BenchmarkTapSaturation(b *testing.B) {
	benchTaps(b, 4, 0)
}

// BenchmarkTapDeny1M: the hot path with a 1,000,000-entry deny list.
func BenchmarkTapDeny1M(b *testing.B) {
	benchTaps(b, 1, 1_000_000)
}

func benchTaps(b *testing.B, workers, deny int) {
	res, err := Bench(context.Background(), BenchOptions{Taps: max(b.N, 100), Concurrency: workers, DenyEntries: deny, Dir: b.TempDir()})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(res.P50ms, "p50-ms")
	b.ReportMetric(res.P99ms, "p99-ms")
	b.ReportMetric(res.Maxms, "max-ms")
	b.ReportMetric(res.TapsPerSec, "taps/s")
}

// BenchmarkDenyLookup1M: one lookup in a 1,000,000-entry deny list (half
// hits, half misses), with the set's memory per entry.
func BenchmarkDenyLookup1M(b *testing.B) {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	s := RandomHashSet(1_000_000)
	runtime.GC()
	runtime.ReadMemStats(&after)
	probes := make([]identity.Token, 1024)
	for i := range probes {
		if i%2 == 0 {
			probes[i] = s.h[i*977%s.Len()]
		} else {
			probes[i] = RandomHashSet(1).h[0]
		}
	}
	var hits atomic.Int64
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		if s.Contains(probes[i&1023]) {
			hits.Add(1)
		}
	}
	b.ReportMetric(float64(s.Bytes())/float64(s.Len()), "set-bytes/entry")
	b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/float64(s.Len()), "heap-bytes/entry")
	runtime.KeepAlive(s)
}

// BenchmarkDenyApplyDelta: a 1,000-entry delta applied to a 1,000,000-entry list.
func BenchmarkDenyApplyDelta(b *testing.B) {
	s := RandomHashSet(1_000_000)
	add := RandomHashSet(1000).h
	for b.Loop() {
		_ = s.Apply(add, s.h[:100])
	}
}

// BenchmarkLoadDeny1M: loading a kept 1,000,000-entry deny snapshot at
// boot: read, verify the Ed25519 signature, decode, build the set.
func BenchmarkLoadDeny1M(b *testing.B) {
	ctx := context.Background()
	_, priv := signKey(b)
	dir, fl := b.TempDir(), &memFloors{}
	ls, _ := newListStore(b, dir, fl)
	body := envelope(b, priv, Document{Name: ListDeny, Version: 1, Full: true, AddBin: raw(RandomHashSet(1_000_000).h...)})
	b.ReportMetric(float64(len(body))/1e6, "file-MB")
	if _, err := ls.Accept(ctx, ListDeny, body, ls.Load(ctx)); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		ls, _ := newListStore(b, dir, fl)
		if l := ls.Load(ctx); l.Deny.Len() != 1_000_000 {
			b.Fatalf("loaded %d entries", l.Deny.Len())
		}
	}
}

// BenchmarkOpenSnapshot1M: verifying and applying a signed 1,000,000-entry
// snapshot as it comes from the back-end (off the hot path).
func BenchmarkOpenSnapshot1M(b *testing.B) {
	pub, priv := signKey(b)
	var bin []byte
	for _, h := range RandomHashSet(1_000_000).h {
		bin = append(bin, h[:]...)
	}
	d := Document{Name: ListDeny, Version: 1, Full: true, AddBin: bin}
	env, err := SignDocument(priv, d)
	if err != nil {
		b.Fatal(err)
	}
	body, _ := json.Marshal(env)
	b.ReportMetric(float64(len(body))/1e6, "body-MB")
	for b.Loop() {
		doc, err := OpenEnvelope(pub, ListDeny, body)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := applyDeny(nil, 0, doc); err != nil {
			b.Fatal(err)
		}
	}
}

package uplink

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kiosk06/kiosk/firmware/store"
	"github.com/kiosk06/kiosk/tests/collector"
)

const backlog = 200_000

// makeBacklog fills a store with n transit taps (one in ten with sealed
// personal fields) and closes it; it returns the database path.
func makeBacklog(b *testing.B, dir string, n int) string {
	b.Helper()
	path := filepath.Join(dir, "k.db")
	s, err := store.Open(context.Background(), store.Options{Path: path, KeyFile: path + ".key",
		DeviceID: device, MaxRecords: 10 * n, Logger: quiet()})
	if err != nil {
		b.Fatal(err)
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	for range 256 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := next.Add(1); i <= int64(n); i = next.Add(1) {
				r := store.Record{Kind: "transit.tap", Payload: json.RawMessage(fmt.Sprintf(
					`{"card":"04A1B2C3D4E5F6","route":"47","stop":"BX-Mien-Dong","fare_vnd":7000,"i":%d}`, i))}
				if i%10 == 0 {
					r.Personal = map[string]string{store.FieldIDNumber: "001099012345"}
				}
				if _, err := s.Append(context.Background(), r); err != nil {
					b.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	if err := s.Close(); err != nil {
		b.Fatal(err)
	}
	return path
}

func copyFile(b *testing.B, from, to string) {
	b.Helper()
	data, err := os.ReadFile(from)
	if err != nil {
		b.Fatal(err)
	}
	if err := os.WriteFile(to, data, 0o600); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkDrain200k drains a 200,000-record backlog (weeks offline) to the
// reference collector on loopback (target ≤ 60 s). Run with -benchtime=1x.
func BenchmarkDrain200k(b *testing.B) {
	t0 := time.Now()
	src := makeBacklog(b, b.TempDir(), backlog)
	b.Logf("backlog of %d built in %v", backlog, time.Since(t0))
	var total time.Duration
	b.ResetTimer()
	for range b.N {
		b.StopTimer()
		path := filepath.Join(b.TempDir(), "k.db")
		copyFile(b, src, path)
		copyFile(b, src+".key", path+".key")
		s, err := store.Open(context.Background(), store.Options{Path: path, KeyFile: path + ".key", Logger: quiet()})
		if err != nil {
			b.Fatal(err)
		}
		col := collector.New(collector.Options{Token: "tok"})
		srv := httptest.NewServer(col)
		u, err := New(s, Options{BaseURL: srv.URL, Token: "tok", Logger: quiet()})
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		start := time.Now()
		res, err := u.Drain(context.Background())
		total += time.Since(start)
		b.StopTimer()
		if err != nil || res.Acked != backlog || col.Stats().Stored != backlog {
			b.Fatalf("drain: %+v %v (collector %+v)", res, err, col.Stats())
		}
		u.Close()
		srv.Close()
		s.Close()
	}
	b.ReportMetric(total.Seconds()/float64(b.N), "s/drain")
	b.ReportMetric(float64(backlog*b.N)/total.Seconds(), "records/s")
}

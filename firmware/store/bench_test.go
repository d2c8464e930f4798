package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// benchPayload is a typical transit tap.
var benchPayload = json.RawMessage(`{"card":"04A1B2C3D4E5F6","route":"47","stop":"BX-Mien-Dong","fare_vnd":7000,"balance_vnd":143000}`)

// appendFunc appends one record durably.
type appendFunc func(ctx context.Context) error

// runLatency calls fn b.N times from w goroutines and reports p50/p99.
func runLatency(b *testing.B, w int, fn appendFunc) {
	ctx := context.Background()
	lat := make([][]time.Duration, w)
	var next atomic.Int64
	var wg sync.WaitGroup
	b.ResetTimer()
	for g := range w {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for next.Add(1) <= int64(b.N) {
				t0 := time.Now()
				if err := fn(ctx); err != nil {
					b.Error(err)
					return
				}
				lat[g] = append(lat[g], time.Since(t0))
			}
		}()
	}
	wg.Wait()
	b.StopTimer()
	var all []time.Duration
	for _, l := range lat {
		all = append(all, l...)
	}
	sort.Slice(all, func(i, j int) bool { return all[i] < all[j] })
	if len(all) == 0 {
		return
	}
	pct := func(p float64) float64 {
		return float64(all[min(len(all)-1, int(p*float64(len(all))))].Microseconds()) / 1000
	}
	b.ReportMetric(pct(0.50), "p50-ms")
	b.ReportMetric(pct(0.99), "p99-ms")
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "records/s")
}

func benchOptions(b *testing.B) Options {
	dir := b.TempDir()
	return Options{Path: filepath.Join(dir, "k.db"), KeyFile: filepath.Join(dir, "k.key"),
		DeviceID: "bench", MaxRecords: 100_000_000, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
}

// BenchmarkAppend measures durable Append latency with group commit against
// a naive baseline (one BEGIN IMMEDIATE…COMMIT per insert on one
// connection), in the same run, with 1, 8 and 64 concurrent writers.
func BenchmarkAppend(b *testing.B) {
	for _, w := range []int{1, 8, 64} {
		b.Run(fmt.Sprintf("group/writers=%d", w), func(b *testing.B) {
			s, err := Open(context.Background(), benchOptions(b))
			if err != nil {
				b.Fatal(err)
			}
			defer s.Close()
			runLatency(b, w, func(ctx context.Context) error {
				_, err := s.Append(ctx, Record{Kind: "transit.tap", Payload: benchPayload})
				return err
			})
		})
		b.Run(fmt.Sprintf("naive/writers=%d", w), func(b *testing.B) {
			o := benchOptions(b)
			db, err := sql.Open("sqlite3", dsn(o.Path, false))
			if err != nil {
				b.Fatal(err)
			}
			defer db.Close()
			db.SetMaxOpenConns(1)
			if _, err := migrate(context.Background(), db); err != nil {
				b.Fatal(err)
			}
			runLatency(b, w, func(ctx context.Context) error { return naiveInsert(ctx, db) })
		})
	}
}

// naiveInsert is the baseline: its own transaction and fsync per record.
func naiveInsert(ctx context.Context, db *sql.DB) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	var last int64
	err = tx.QueryRowContext(ctx, `SELECT last_seq FROM devices WHERE device_id = 'bench'`).Scan(&last)
	if err != nil && err != sql.ErrNoRows {
		return err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO records (device_id, seq, kind, created_ns, boot_id, mono_ns, payload)
		VALUES ('bench', ?, 'transit.tap', ?, 'b', 0, ?)`, last+1, time.Now().UnixNano(), []byte(benchPayload)); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO devices (device_id, last_seq) VALUES ('bench', ?)
		ON CONFLICT (device_id) DO UPDATE SET last_seq = excluded.last_seq`, last+1); err != nil {
		return err
	}
	return tx.Commit()
}

// BenchmarkBytesPerRecord reports the database size per record after a
// checkpoint: 20,000 transit taps, one in ten with sealed personal fields.
func BenchmarkBytesPerRecord(b *testing.B) {
	const n = 20_000
	for range b.N {
		o := benchOptions(b)
		s, err := Open(context.Background(), o)
		if err != nil {
			b.Fatal(err)
		}
		var next atomic.Int64
		var wg sync.WaitGroup
		for range 128 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := next.Add(1); i <= n; i = next.Add(1) {
					r := Record{Kind: "transit.tap", Payload: benchPayload}
					if i%10 == 0 {
						r.Personal = map[string]string{FieldIDNumber: "001099012345", FieldName: "Nguyễn Văn An"}
					}
					if _, err := s.Append(context.Background(), r); err != nil {
						b.Error(err)
						return
					}
				}
			}()
		}
		wg.Wait()
		if _, err := s.db.Exec(`PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
			b.Fatal(err)
		}
		s.Close()
		fi, err := os.Stat(o.Path)
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(fi.Size())/n, "bytes/record")
	}
}

package heartbeat

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"github.com/kiosk06/kiosk/firmware/buildinfo"
	"github.com/kiosk06/kiosk/firmware/store"
	"github.com/kiosk06/kiosk/firmware/uplink"
	"github.com/kiosk06/kiosk/tests/collector"
)

func quiet() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func newStore(t *testing.T, n int) *store.Store {
	t.Helper()
	dir := t.TempDir()
	s, err := store.Open(context.Background(), store.Options{Path: filepath.Join(dir, "k.db"),
		KeyFile: filepath.Join(dir, "k.key"), DeviceID: "hb-test-01", Logger: quiet()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	for i := range n {
		if _, err := s.Append(context.Background(), store.Record{Kind: "diag.txgen", Payload: json.RawMessage(fmt.Sprintf(`{"i":%d}`, i))}); err != nil {
			t.Fatal(err)
		}
	}
	return s
}

func newUploader(t *testing.T, s *store.Store, url string) *uplink.Uploader {
	t.Helper()
	u, err := uplink.New(s, uplink.Options{BaseURL: url, Timeout: 5 * time.Second, Logger: quiet()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { u.Close() })
	return u
}

// TestSnapshotOverHTTPS sends a heartbeat to the reference collector and
// reads back every member a fleet backend relies on.
func TestSnapshotOverHTTPS(t *testing.T) {
	col := collector.New(collector.Options{})
	srv := httptest.NewServer(col)
	defer srv.Close()
	s := newStore(t, 5)
	u := newUploader(t, s, srv.URL)
	board := NewBoard()
	board.Register("nfc", "pn532-uart")
	board.Register("printer", "escpos")
	board.Register("scanner", "scanner")
	board.Set("printer", StateFault, "paper end")
	board.Set("nfc", StateOK, "")
	board.SetPaper("near_end")
	r := New(Options{Store: s, Uplink: u, Devices: board, Paper: board.Paper, Profile: "transit",
		Build: buildinfo.Info{Version: "1.2.3", Commit: "abc"}, Logger: quiet(),
		SystemUptime: func() (time.Duration, bool) { return 90 * time.Minute, true }})
	if err := r.Send(context.Background()); err != nil {
		t.Fatal(err)
	}
	hbs := col.Heartbeats("hb-test-01")
	if len(hbs) != 1 || hbs[0].Via != "https" {
		t.Fatalf("collector heartbeats %+v", hbs)
	}
	var got Snapshot
	if err := json.Unmarshal(hbs[0].Body, &got); err != nil {
		t.Fatal(err)
	}
	if got.Version != "1.2.3" || got.Commit != "abc" || got.Profile != "transit" || got.SystemUptimeS != 5400 || got.UptimeS < 0 {
		t.Fatalf("identity and uptime: %+v", got)
	}
	if len(got.Devices) != 3 || got.Devices[0].Role != "nfc" || got.Devices[0].State != StateOK ||
		got.Devices[1].State != StateFault || got.Devices[1].Detail != "paper end" || got.Devices[2].State != StateUnknown {
		t.Fatalf("devices %+v", got.Devices)
	}
	if got.PrinterPaper != "near_end" || got.Outbox.Pending != 5 || got.Outbox.LastSeq != 5 || got.Store.Epoch != s.Epoch() ||
		!got.Store.Writable || got.Store.Fill <= 0 || got.Uplink.Transport != "https" {
		t.Fatalf("paper, outbox, store, uplink: %+v", got)
	}
	if got.ClockOffsetMS != nil {
		t.Fatalf("a clock offset before any reply: %d", *got.ClockOffsetMS)
	}
	// The reply carried the backend's time: the next snapshot has an offset.
	if _, err := u.Drain(context.Background()); err != nil {
		t.Fatal(err)
	}
	next := r.Snapshot(context.Background())
	if next.ClockOffsetMS == nil || *next.ClockOffsetMS > 1000 || *next.ClockOffsetMS < -1000 ||
		next.Outbox.Pending != 0 || next.Uplink.LastSuccess == "" {
		t.Fatalf("after a drain: %+v", next)
	}
}

// TestClockOffset estimates a backend 90 s ahead, from its reply's time
// and from a Date header alone.
func TestClockOffset(t *testing.T) {
	for _, tc := range []struct {
		name      string
		withTime  bool
		tolerance time.Duration
	}{
		{"reply time", true, 200 * time.Millisecond},
		{"Date header", false, 1200 * time.Millisecond},
	} {
		t.Run(tc.name, func(t *testing.T) {
			const skew = 90 * time.Second
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				now := time.Now().Add(skew).UTC()
				w.Header().Set("Date", now.Format(http.TimeFormat))
				if tc.withTime {
					fmt.Fprintf(w, `{"time":%q}`, now.Format(time.RFC3339Nano))
				}
			}))
			defer srv.Close()
			s := newStore(t, 0)
			u := newUploader(t, s, srv.URL)
			r := New(Options{Store: s, Uplink: u, Logger: quiet()})
			if err := r.Send(context.Background()); err != nil {
				t.Fatal(err)
			}
			c := u.Status().Clock
			if d := (c.Offset - skew).Abs(); d > tc.tolerance || c.Uncertainty > tc.tolerance {
				t.Fatalf("offset %v ± %v, want %v ± %v", c.Offset, c.Uncertainty, skew, tc.tolerance)
			}
		})
	}
}

func TestRunRetriesAFailedHeartbeat(t *testing.T) {
	calls := make(chan int, 10)
	n := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n++
		calls <- n
		if n == 1 {
			http.Error(w, "busy", http.StatusServiceUnavailable)
		}
	}))
	defer srv.Close()
	s := newStore(t, 0)
	u := newUploader(t, s, srv.URL)
	// Interval 50 ms: the retry waits min(interval, max(interval/10, 10 s)).
	r := New(Options{Store: s, Uplink: u, Logger: quiet(), Interval: 50 * time.Millisecond})
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	go func() { _ = r.Run(ctx, time.Millisecond) }()
	for want := 1; want <= 3; want++ {
		select {
		case got := <-calls:
			if got != want {
				t.Fatalf("call %d, want %d", got, want)
			}
		case <-ctx.Done():
			t.Fatalf("only %d heartbeats", want-1)
		}
	}
}

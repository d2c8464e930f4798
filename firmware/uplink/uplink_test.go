package uplink

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kiosk06/kiosk/firmware/store"
	"github.com/kiosk06/kiosk/tests/collector"
)

const device = "kiosk-test-01"

func quiet() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func newStore(t testing.TB) *store.Store {
	t.Helper()
	dir := t.TempDir()
	s, err := store.Open(context.Background(), store.Options{Path: filepath.Join(dir, "k.db"),
		KeyFile: filepath.Join(dir, "k.key"), DeviceID: device, Logger: quiet()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// fill appends n records from 32 goroutines (group commit keeps it fast);
// one in ten carries sealed personal fields.
func fill(t testing.TB, s *store.Store, n int) {
	t.Helper()
	var next atomic.Int64
	var wg sync.WaitGroup
	for range 32 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := next.Add(1) - 1; i < int64(n); i = next.Add(1) - 1 {
				r := store.Record{Kind: "transit.tap", Payload: json.RawMessage(fmt.Sprintf(`{"i":%d,"fare_vnd":7000}`, i))}
				if i%10 == 0 {
					r.Kind = "hospital.registration"
					r.Personal = map[string]string{store.FieldIDNumber: "001099012345", store.FieldName: "Trần Thị Bình"}
				}
				if _, err := s.Append(context.Background(), r); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
}

func newUploader(t testing.TB, s *store.Store, url string, mod func(*Options)) *Uploader {
	t.Helper()
	o := Options{BaseURL: url, Token: "tok", Timeout: 5 * time.Second, Logger: quiet()}
	if mod != nil {
		mod(&o)
	}
	u, err := New(s, o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { u.Close() })
	return u
}

func serve(t testing.TB, opts collector.Options) (*collector.Collector, *httptest.Server) {
	t.Helper()
	c := collector.New(opts)
	srv := httptest.NewServer(c)
	t.Cleanup(srv.Close)
	return c, srv
}

func wantSeqs(t *testing.T, got []int64, n int, skip ...int64) {
	t.Helper()
	want := []int64{}
	for i := int64(1); i <= int64(n); i++ {
		if !contains(skip, i) {
			want = append(want, i)
		}
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("collector seqs: got %d records (first %v), want %d", len(got), got[:min(5, len(got))], len(want))
	}
}

func contains(s []int64, v int64) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

func TestDrainDeliversEverythingOnce(t *testing.T) {
	s := newStore(t)
	fill(t, s, 1234)
	c, srv := serve(t, collector.Options{Token: "tok"})
	u := newUploader(t, s, srv.URL, nil)
	res, err := u.Drain(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if res.Acked != 1234 || res.AckedThrough != 1234 || res.Batches != 3 {
		t.Fatalf("Result %+v; want 1234 acked in 3 batches (≤500 each)", res)
	}
	wantSeqs(t, c.Seqs(device), 1234)
	st := c.Stats()
	if st.Duplicates != 0 || st.Gzipped != 3 {
		t.Fatalf("collector stats %+v", st)
	}
	recs := c.Records(device)
	withPersonal := 0
	for _, r := range recs {
		var p map[string]any
		if err := json.Unmarshal(r.Payload, &p); err != nil {
			t.Fatal(err)
		}
		pers, _ := p["personal"].(map[string]any)
		if (r.Kind == "hospital.registration") != (pers[store.FieldIDNumber] == "001099012345") {
			t.Fatalf("seq %d payload %s: personal fields must travel in payload.personal", r.Seq, r.Payload)
		}
		if pers != nil {
			withPersonal++
		}
	}
	if withPersonal != 124 {
		t.Fatalf("%d records with personal fields, want 124", withPersonal)
	}
	if _, err := time.Parse(time.RFC3339Nano, recs[0].CreatedAt); err != nil || len(recs[0].CreatedAt) != len("2006-01-02T15:04:05.000000000Z") {
		t.Fatalf("created_at %q", recs[0].CreatedAt)
	}
	ob, _ := s.Outbox(context.Background())
	if ob.Pending != 0 || ob.LastAckedSeq != 1234 {
		t.Fatalf("outbox %+v", ob)
	}
	// Draining again is a no-op.
	if res, err := u.Drain(context.Background()); err != nil || res.Batches != 0 {
		t.Fatalf("second drain %+v %v", res, err)
	}
}

func TestSmallBodyNotGzipped(t *testing.T) {
	s := newStore(t)
	if _, err := s.Append(context.Background(), store.Record{Kind: "queue.ticket", Payload: json.RawMessage(`{"n":1}`)}); err != nil {
		t.Fatal(err)
	}
	c, srv := serve(t, collector.Options{Token: "tok"})
	if _, err := newUploader(t, s, srv.URL, nil).Drain(context.Background()); err != nil {
		t.Fatal(err)
	}
	if st := c.Stats(); st.Gzipped != 0 || st.Stored != 1 {
		t.Fatalf("stats %+v: a body ≤ 1 KiB goes uncompressed", st)
	}
}

func TestByteLimitSplitsBatches(t *testing.T) {
	s := newStore(t)
	fill(t, s, 200)
	c, srv := serve(t, collector.Options{Token: "tok"})
	var maxBody int64
	wrap := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		maxBody = max(maxBody, r.ContentLength)
		c.ServeHTTP(w, r)
	})
	srv.Config.Handler = wrap
	u := newUploader(t, s, srv.URL, func(o *Options) { o.MaxBytes = 4096 })
	res, err := u.Drain(context.Background())
	if err != nil || res.Acked != 200 || res.Batches < 5 {
		t.Fatalf("%+v %v", res, err)
	}
	wantSeqs(t, c.Seqs(device), 200)
}

func TestOversizeRecordQuarantined(t *testing.T) {
	s := newStore(t)
	big := fmt.Sprintf(`{"blob":"%s"}`, strings.Repeat("x", 3000))
	for _, p := range []string{`{"n":1}`, big, `{"n":3}`} {
		if _, err := s.Append(context.Background(), store.Record{Kind: "k", Payload: json.RawMessage(p)}); err != nil {
			t.Fatal(err)
		}
	}
	c, srv := serve(t, collector.Options{Token: "tok"})
	res, err := newUploader(t, s, srv.URL, func(o *Options) { o.MaxBytes = 2048 }).Drain(context.Background())
	if err != nil || fmt.Sprint(res.Quarantined) != "[2]" {
		t.Fatalf("%+v %v", res, err)
	}
	wantSeqs(t, c.Seqs(device), 3, 2)
}

func TestQuarantineBisect(t *testing.T) {
	s := newStore(t)
	fill(t, s, 700)
	bad := map[int64]bool{7: true, 499: true, 650: true}
	c, srv := serve(t, collector.Options{Token: "tok", Reject: func(_ string, r collector.Record) bool { return bad[r.Seq] }})
	u := newUploader(t, s, srv.URL, nil)
	res, err := u.Drain(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(res.Quarantined) != "[7 499 650]" {
		t.Fatalf("quarantined %v", res.Quarantined)
	}
	wantSeqs(t, c.Seqs(device), 700, 7, 499, 650)
	ob, _ := s.Outbox(context.Background())
	if ob.Pending != 0 || ob.Quarantined != 3 {
		t.Fatalf("outbox %+v", ob)
	}
	if rej := c.Stats().Rejected; rej > 3*2*10 {
		t.Fatalf("%d rejected requests: bisection should need O(log n) per bad record", rej)
	}
	if st := u.Status(); st.Quarantined != 3 {
		t.Fatalf("status %+v", st)
	}
}

func TestRejectingBackendStopsQuarantining(t *testing.T) {
	s := newStore(t)
	fill(t, s, 100)
	_, srv := serve(t, collector.Options{Token: "tok", Reject: func(string, collector.Record) bool { return true }})
	u := newUploader(t, s, srv.URL, nil)
	_, err := u.Drain(context.Background())
	if !errors.Is(err, ErrRejecting) {
		t.Fatalf("err %v, want ErrRejecting", err)
	}
	_, err = u.Drain(context.Background())
	ob, _ := s.Outbox(context.Background())
	if !errors.Is(err, ErrRejecting) || ob.Quarantined != maxQuarantineRun {
		t.Fatalf("second drain %v, outbox %+v", err, ob)
	}
}

func TestErrorClasses(t *testing.T) {
	tests := []struct {
		name   string
		status int
		body   string
		want   error
	}{
		{"500", 500, "boom", ErrTransient},
		{"503", 503, "", ErrTransient},
		{"429", 429, "", ErrTransient},
		{"401", 401, "", ErrAuth},
		{"403", 403, "", ErrAuth},
		{"200 garbage", 200, "<html>", ErrNoProgress},
		{"200 no field", 200, `{}`, ErrNoProgress},
		{"200 negative", 200, `{"acked_through":-1}`, ErrNoProgress},
		{"200 acks nothing", 200, `{"acked_through":0,"store_epoch":"EPOCH"}`, ErrNoProgress},
		{"200 without the epoch", 200, `{"acked_through":3}`, ErrNoProgress},
		{"200 of another epoch", 200, `{"acked_through":3,"store_epoch":"00000000000000000000000000000000"}`, ErrNoProgress},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := newStore(t)
			fill(t, s, 3)
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.WriteHeader(tc.status)
				io.WriteString(w, strings.ReplaceAll(tc.body, "EPOCH", s.Epoch()))
			}))
			defer srv.Close()
			_, err := newUploader(t, s, srv.URL, nil).Drain(context.Background())
			if !errors.Is(err, tc.want) {
				t.Fatalf("err %v, want %v", err, tc.want)
			}
			if ob, _ := s.Outbox(context.Background()); ob.Pending != 3 || ob.Quarantined != 0 {
				t.Fatalf("outbox %+v: nothing may be acked or quarantined", ob)
			}
		})
	}
}

func TestAckClampedToBatch(t *testing.T) {
	s := newStore(t)
	fill(t, s, 10)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, `{"acked_through":999999,"store_epoch":%q}`, s.Epoch())
	}))
	defer srv.Close()
	res, err := newUploader(t, s, srv.URL, nil).Drain(context.Background())
	if err != nil || res.AckedThrough != 10 {
		t.Fatalf("%+v %v", res, err)
	}
	if _, err := s.Append(context.Background(), store.Record{Kind: "k", Payload: json.RawMessage(`{}`)}); err != nil {
		t.Fatal(err)
	}
	if ob, _ := s.Outbox(context.Background()); ob.Pending != 1 {
		t.Fatalf("a later record must stay pending: %+v", ob)
	}
}

func TestPartialAckContinues(t *testing.T) {
	s := newStore(t)
	fill(t, s, 50)
	c := collector.New(collector.Options{})
	calls := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls++
		if calls == 1 { // a backend that stored only part of the batch
			fmt.Fprintf(w, `{"acked_through":20,"store_epoch":%q}`, s.Epoch())
			return
		}
		c.ServeHTTP(w, r)
	}))
	defer srv.Close()
	res, err := newUploader(t, s, srv.URL, nil).Drain(context.Background())
	if err != nil || res.AckedThrough != 50 || res.Acked != 50 {
		t.Fatalf("%+v %v", res, err)
	}
	wantSeqs(t, c.Seqs(device), 50, seqRange(1, 20)...)
}

func seqRange(a, b int64) []int64 {
	var out []int64
	for i := a; i <= b; i++ {
		out = append(out, i)
	}
	return out
}

func TestOneUploaderPerStore(t *testing.T) {
	s := newStore(t)
	u := newUploader(t, s, "http://127.0.0.1:1", nil)
	if _, err := New(s, Options{BaseURL: "http://127.0.0.1:1"}); !errors.Is(err, ErrLocked) {
		t.Fatalf("second uploader: %v, want ErrLocked", err)
	}
	u.Close()
	u2, err := New(s, Options{BaseURL: "http://127.0.0.1:1"})
	if err != nil {
		t.Fatalf("after Close: %v", err)
	}
	u2.Close()
}

func TestBackoff(t *testing.T) {
	lo := func(int64) int64 { return 0 }
	hi := func(n int64) int64 { return n - 1 }
	tests := []struct {
		n      int
		rnd    func(int64) int64
		lo, hi time.Duration
	}{
		{1, lo, time.Second, time.Second},
		{1, hi, time.Second, time.Second},
		{2, lo, time.Second, time.Second},
		{2, hi, 2 * time.Second, 2 * time.Second},
		{5, lo, 8 * time.Second, 8 * time.Second},
		{5, hi, 16 * time.Second, 16 * time.Second},
		{30, lo, 150 * time.Second, 150 * time.Second},
		{30, hi, 5 * time.Minute, 5 * time.Minute},
		{1000, hi, 5 * time.Minute, 5 * time.Minute},
	}
	for _, tc := range tests {
		got := backoff(tc.n, time.Second, 5*time.Minute, tc.rnd)
		if got < tc.lo || got > tc.hi {
			t.Errorf("backoff(%d) = %v, want [%v, %v]", tc.n, got, tc.lo, tc.hi)
		}
	}
}

func TestRunRetriesUntilDelivered(t *testing.T) {
	s := newStore(t)
	fill(t, s, 30)
	c := collector.New(collector.Options{Token: "tok"})
	calls := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls++
		if calls <= 3 {
			http.Error(w, "down", http.StatusServiceUnavailable)
			return
		}
		c.ServeHTTP(w, r)
	}))
	defer srv.Close()
	u := newUploader(t, s, srv.URL, func(o *Options) {
		o.MinBackoff, o.MaxBackoff, o.Interval = time.Millisecond, 10*time.Millisecond, 5*time.Millisecond
	})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- u.Run(ctx) }()
	for ctx.Err() == nil && len(c.Seqs(device)) < 30 {
		time.Sleep(5 * time.Millisecond)
	}
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("Run: %v", err)
	}
	wantSeqs(t, c.Seqs(device), 30)
}

func TestBadBaseURL(t *testing.T) {
	s := newStore(t)
	for _, u := range []string{"", "ftp://x", "collector.example"} {
		if _, err := New(s, Options{BaseURL: u}); err == nil || !strings.Contains(err.Error(), "uplink:") {
			t.Errorf("BaseURL %q: %v", u, err)
		}
	}
}

func FuzzClassify(f *testing.F) {
	const epoch = "0123456789abcdef0123456789abcdef"
	f.Add(200, []byte(`{"acked_through":17,"store_epoch":"`+epoch+`"}`))
	f.Add(200, []byte(`{"acked_through":17}`))
	f.Add(200, []byte(`{"acked_through":null}`))
	f.Add(422, []byte("bad"))
	f.Add(500, []byte{})
	f.Fuzz(func(t *testing.T, status int, body []byte) {
		seq, err := classify(status, body, epoch) // must not panic
		if err == nil && (status != 200 || seq < 0 || !strings.Contains(string(body), epoch)) {
			t.Fatalf("classify(%d, %q) = %d, nil", status, body, seq)
		}
	})
}

package store

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// fixtureID is a synthetic CCCD number; it must never appear in clear on disk or in logs.
const fixtureID = "001099012345"

func testOptions(t testing.TB, dir string) Options {
	t.Helper()
	return Options{
		Path:     filepath.Join(dir, "kiosk.db"),
		KeyFile:  filepath.Join(dir, "seal.key"),
		DeviceID: "kiosk-test-01",
		Logger:   slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})),
	}
}

func openT(t testing.TB, o Options) *Store {
	t.Helper()
	s, err := Open(context.Background(), o)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func rec(kind string, n int) Record {
	return Record{Kind: kind, Payload: json.RawMessage(fmt.Sprintf(`{"n": %d, "amount_vnd": 7000}`, n))}
}

func TestAppendConcurrentGapless(t *testing.T) {
	s := openT(t, testOptions(t, t.TempDir()))
	ctx := context.Background()
	const writers, each = 32, 20
	var mu sync.Mutex
	seen := map[Seq]bool{}
	var wg sync.WaitGroup
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				seq, err := s.Append(ctx, rec("transit.tap", w*each+i))
				if err != nil {
					t.Errorf("Append: %v", err)
					return
				}
				mu.Lock()
				if seen[seq] {
					t.Errorf("seq %d returned twice", seq)
				}
				seen[seq] = true
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	for i := Seq(1); i <= writers*each; i++ {
		if !seen[i] {
			t.Fatalf("seq %d missing: seqs must be gapless", i)
		}
	}
	rs, err := s.Records(ctx, "", 0, 0)
	if err != nil || len(rs) != writers*each {
		t.Fatalf("Records: %d rows, %v", len(rs), err)
	}
	for i, r := range rs {
		if r.Seq != Seq(i+1) || r.DeviceID != "kiosk-test-01" || r.BootID == "" || r.Mono <= 0 {
			t.Fatalf("row %d: %+v", i, r)
		}
	}
}

func TestReopenContinuesSeq(t *testing.T) {
	o := testOptions(t, t.TempDir())
	ctx := context.Background()
	for round := range 3 {
		s, err := Open(ctx, o)
		if err != nil {
			t.Fatal(err)
		}
		seq, err := s.Append(ctx, rec("queue.ticket", round))
		if err != nil || seq != Seq(round+1) {
			t.Fatalf("round %d: seq %d, %v", round, seq, err)
		}
		s.Close()
	}
}

func TestOpenErrors(t *testing.T) {
	dir := t.TempDir()
	o := testOptions(t, dir)
	s := openT(t, o)
	if _, err := s.Append(context.Background(), rec("k", 1)); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(context.Background(), o); !errors.Is(err, ErrLocked) {
		t.Fatalf("second Open: %v, want ErrLocked", err)
	}
	s.Close()
	other := o
	other.DeviceID = "another"
	if _, err := Open(context.Background(), other); !errors.Is(err, ErrDeviceMismatch) {
		t.Fatalf("other device: %v, want ErrDeviceMismatch", err)
	}
	inherit := o
	inherit.DeviceID = ""
	s2 := openT(t, inherit)
	if s2.DeviceID() != o.DeviceID {
		t.Fatalf("DeviceID = %q", s2.DeviceID())
	}
}

func TestAppendInvalid(t *testing.T) {
	s := openT(t, testOptions(t, t.TempDir()))
	big := bytes.Repeat([]byte("a"), maxPayload)
	tests := []struct {
		name string
		r    Record
	}{
		{"empty kind", Record{Payload: json.RawMessage(`{}`)}},
		{"long kind", Record{Kind: string(bytes.Repeat([]byte("k"), 65)), Payload: json.RawMessage(`{}`)}},
		{"not json", Record{Kind: "k", Payload: json.RawMessage(`{nope`)}},
		{"array", Record{Kind: "k", Payload: json.RawMessage(`[1]`)}},
		{"empty payload", Record{Kind: "k"}},
		{"huge payload", Record{Kind: "k", Payload: json.RawMessage(`{"a":"` + string(big) + `"}`)}},
		{"empty personal key", Record{Kind: "k", Payload: json.RawMessage(`{}`), Personal: map[string]string{"": "x"}}},
		{"reserved member", Record{Kind: "k", Payload: json.RawMessage(`{"personal":1}`), Personal: map[string]string{"name": "x"}}},
		{"other device", Record{DeviceID: "x", Kind: "k", Payload: json.RawMessage(`{}`)}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := s.Append(context.Background(), tc.r); !errors.Is(err, ErrInvalid) {
				t.Fatalf("err = %v, want ErrInvalid", err)
			}
		})
	}
	if seq, err := s.Append(context.Background(), rec("k", 1)); err != nil || seq != 1 {
		t.Fatalf("valid after invalid: %d %v (rejections must not consume seqs)", seq, err)
	}
}

func TestSealedPersonalNeverInClear(t *testing.T) {
	dir := t.TempDir()
	o := testOptions(t, dir)
	var logs bytes.Buffer
	o.Logger = slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	o.MaxRecords = 10 // also exercise the capacity warning log line
	s := openT(t, o)
	ctx := context.Background()
	personal := map[string]string{FieldName: "Nguyễn Văn An", FieldIDNumber: fixtureID,
		FieldDateOfBirth: "1999-01-02", FieldPhone: "0912345678"}
	for i := range 9 {
		if _, err := s.Append(ctx, Record{Kind: "hospital.registration",
			Payload: json.RawMessage(`{"clinic":"noi-tong-quat"}`), Personal: personal}); err != nil {
			t.Fatal(err)
		}
		_ = i
	}
	rs, err := s.Records(ctx, "hospital.registration", 0, 10)
	if err != nil || len(rs) != 9 || rs[0].Personal[FieldIDNumber] != fixtureID {
		t.Fatalf("Records: %v %+v", err, rs)
	}
	grepFiles := func(when string) {
		t.Helper()
		for _, p := range []string{o.Path, o.Path + "-wal", o.Path + "-shm"} {
			b, err := os.ReadFile(p)
			if err != nil && !errors.Is(err, os.ErrNotExist) {
				t.Fatal(err)
			}
			if bytes.Contains(b, []byte(fixtureID)) || bytes.Contains(b, []byte("0912345678")) {
				t.Fatalf("%s: personal data in clear in %s", when, filepath.Base(p))
			}
		}
	}
	grepFiles("open")
	s.Close()
	grepFiles("closed")
	if !bytes.Contains(logs.Bytes(), []byte("capacity")) {
		t.Errorf("expected a capacity warning in the logs, got %q", logs.String())
	}
	if bytes.Contains(logs.Bytes(), []byte(fixtureID)) {
		t.Fatal("personal data in logs")
	}
	fi, err := os.Stat(o.KeyFile)
	if err != nil || fi.Mode().Perm() != 0o600 || fi.Size() != keySize {
		t.Fatalf("key file: %v %v", fi.Mode(), err)
	}
	for _, p := range []string{o.Path, o.Path + "-wal"} {
		if fi, err := os.Stat(p); err == nil && fi.Mode().Perm() != 0o600 {
			t.Errorf("%s has mode %v, want 0600", filepath.Base(p), fi.Mode().Perm())
		}
	}
}

func TestKeyFile(t *testing.T) {
	dir := t.TempDir()
	o := testOptions(t, dir)
	s := openT(t, o)
	if _, err := s.Append(context.Background(), Record{Kind: "k", Payload: json.RawMessage(`{}`),
		Personal: map[string]string{FieldIDNumber: fixtureID}}); err != nil {
		t.Fatal(err)
	}
	s.Close()

	if err := os.Chmod(o.KeyFile, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(context.Background(), o); !errors.Is(err, ErrKey) {
		t.Fatalf("world-readable key: %v, want ErrKey", err)
	}
	// Another key cannot unseal (and cannot silently return garbage): the
	// store refuses to open with it at all (TestKeyLostRefused has the rest).
	o.KeyFile = filepath.Join(dir, "other.key")
	if _, err := Open(context.Background(), o); !errors.Is(err, ErrKey) {
		t.Fatalf("wrong key: %v, want ErrKey", err)
	}
	// A key opened with KeyRecovery still never returns garbage.
	o.KeyRecovery = true
	s2 := openT(t, o)
	if _, err := s2.Records(context.Background(), "", 0, 1); !errors.Is(err, ErrKey) {
		t.Fatalf("wrong key: %v, want ErrKey", err)
	}
}

func TestCapacity(t *testing.T) {
	o := testOptions(t, t.TempDir())
	o.MaxRecords = 10
	s := openT(t, o)
	ctx := context.Background()
	for i := range 8 {
		if _, err := s.Append(ctx, rec("k", i)); err != nil {
			t.Fatal(err)
		}
	}
	if c := s.Capacity(); c.Warning || c.Full {
		t.Fatalf("at 80%%: %+v", c)
	}
	if _, err := s.Append(ctx, rec("k", 9)); err != nil {
		t.Fatal(err)
	}
	if c := s.Capacity(); !c.Warning || c.Full {
		t.Fatalf("at 90%%: %+v", c)
	}
	if _, err := s.Append(ctx, rec("k", 10)); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Append(ctx, rec("k", 11)); !errors.Is(err, ErrFull) {
		t.Fatalf("at 100%%: %v, want ErrFull", err)
	}
	if c := s.Capacity(); !c.Full {
		t.Fatalf("Full not reported: %+v", c)
	}
	// Acknowledged rows make room (oldest evicted); unacked never are.
	if n, err := s.Ack(ctx, 4); err != nil || n != 4 {
		t.Fatalf("Ack: %d %v", n, err)
	}
	for i := range 4 {
		if seq, err := s.Append(ctx, rec("k", 12+i)); err != nil || seq != Seq(11+i) {
			t.Fatalf("after ack: %d %v", seq, err)
		}
	}
	if _, err := s.Append(ctx, rec("k", 99)); !errors.Is(err, ErrFull) {
		t.Fatalf("full again: %v", err)
	}
	rs, _ := s.Records(ctx, "", 0, 0)
	if len(rs) != 10 || rs[0].Seq != 5 {
		t.Fatalf("held rows: %d, first %d; want 10 from seq 5", len(rs), rs[0].Seq)
	}
}

func TestDiskFullRefusesCleanly(t *testing.T) {
	o := testOptions(t, t.TempDir())
	o.maxPageCount = 40 // SQLITE_FULL, the same code path as ENOSPC
	s := openT(t, o)
	ctx := context.Background()
	var last Seq
	var err error
	for i := 0; i < 100000; i++ {
		var seq Seq
		seq, err = s.Append(ctx, Record{Kind: "k", Payload: json.RawMessage(fmt.Sprintf(`{"pad":"%0500d"}`, i))})
		if err != nil {
			break
		}
		last = seq
	}
	if !errors.Is(err, ErrFull) {
		t.Fatalf("disk full: %v, want ErrFull", err)
	}
	if _, err := s.Append(ctx, Record{Kind: "k", Payload: json.RawMessage(fmt.Sprintf(`{"pad":"%0500d"}`, 0))}); !errors.Is(err, ErrFull) {
		t.Fatalf("still full: %v", err)
	}
	s.Close()
	o.maxPageCount = 0
	s2 := openT(t, o)
	checkIntegrity(t, s2.db)
	seq, err := s2.Append(ctx, rec("k", 1))
	if err != nil || seq != last+1 {
		t.Fatalf("after space freed: seq %d (last acked %d), %v", seq, last, err)
	}
}

func checkIntegrity(t testing.TB, db *sql.DB) {
	t.Helper()
	var res string
	if err := db.QueryRow("PRAGMA integrity_check").Scan(&res); err != nil || res != "ok" {
		t.Fatalf("integrity_check = %q, %v", res, err)
	}
}

func TestAckQuarantineOutbox(t *testing.T) {
	s := openT(t, testOptions(t, t.TempDir()))
	ctx := context.Background()
	for i := range 10 {
		if _, err := s.Append(ctx, rec("k", i)); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Quarantine(ctx, 3, "422 bad record"); err != nil {
		t.Fatal(err)
	}
	if n, err := s.Ack(ctx, 5); err != nil || n != 4 {
		t.Fatalf("Ack(5) = %d, %v; want 4 (seq 3 quarantined)", n, err)
	}
	p, err := s.Pending(ctx, 100)
	if err != nil || len(p) != 5 || p[0].Seq != 6 {
		t.Fatalf("Pending: %v %d", err, len(p))
	}
	ob, err := s.Outbox(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if ob.Pending != 5 || ob.Quarantined != 1 || ob.LastAckedSeq != 5 || ob.LastSeq != 10 || ob.OldestPendingAge <= 0 {
		t.Fatalf("Outbox: %+v", ob)
	}
	ro, err := ReadOutbox(ctx, s.Path())
	if err != nil || ro.Pending != 5 || ro.DeviceID != s.DeviceID() {
		t.Fatalf("ReadOutbox: %+v %v", ro, err)
	}
	if c := s.Capacity(); c.Unuploaded != 6 || c.Held != 10 {
		t.Fatalf("Capacity: %+v", c)
	}
}

func TestPurgeAfterAckAndRetention(t *testing.T) {
	o := testOptions(t, t.TempDir())
	// Long enough that Ack and the first Purge always fall inside it, even
	// with slow fsyncs on a loaded machine (the disk's p99 has reached 34 ms).
	o.Retention = time.Second
	s := openT(t, o)
	ctx := context.Background()
	for range 3 {
		if _, err := s.Append(ctx, Record{Kind: "k", Payload: json.RawMessage(`{}`),
			Personal: map[string]string{FieldIDNumber: fixtureID}}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.Ack(ctx, 2); err != nil {
		t.Fatal(err)
	}
	if n, _ := s.Purge(ctx); n != 0 {
		t.Fatalf("purged %d inside retention", n)
	}
	time.Sleep(1100 * time.Millisecond)
	if n, err := s.Purge(ctx); err != nil || n != 2 {
		t.Fatalf("Purge = %d, %v; want 2", n, err)
	}
	rs, _ := s.Records(ctx, "", 0, 0)
	if len(rs) != 1 || rs[0].Seq != 3 || rs[0].Personal[FieldIDNumber] != fixtureID {
		t.Fatalf("after purge: %+v (unacked record must stay)", rs)
	}
}

func TestKV(t *testing.T) {
	o := testOptions(t, t.TempDir())
	s := openT(t, o)
	ctx := context.Background()
	if _, err := s.Get(ctx, "queue.day"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Get missing: %v", err)
	}
	for _, v := range []string{"2026-11-22#1", "2026-11-22#2"} {
		if err := s.Put(ctx, "queue.day", []byte(v)); err != nil {
			t.Fatal(err)
		}
	}
	s.Close()
	s2 := openT(t, o)
	if v, err := s2.Get(ctx, "queue.day"); err != nil || string(v) != "2026-11-22#2" {
		t.Fatalf("Get after reopen: %q %v", v, err)
	}
}

func TestCloseThenAppend(t *testing.T) {
	s := openT(t, testOptions(t, t.TempDir()))
	s.Close()
	if _, err := s.Append(context.Background(), rec("k", 1)); !errors.Is(err, ErrClosed) {
		t.Fatalf("after Close: %v", err)
	}
}

func FuzzUnseal(f *testing.F) {
	key, err := createKey(filepath.Join(f.TempDir(), "k"))
	if err != nil {
		f.Fatal(err)
	}
	sl, err := newSealer(key)
	if err != nil {
		f.Fatal(err)
	}
	good, _ := sl.seal("d", 1, map[string]string{"id_number": fixtureID})
	f.Add(good)
	f.Add([]byte{1})
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		if b == nil {
			return
		}
		_, _ = sl.open("d", 1, b) // must not panic
	})
}

func TestClockStamp(t *testing.T) {
	s := openT(t, testOptions(t, t.TempDir()))
	ctx := context.Background()
	jumped := time.Date(2019, 1, 1, 0, 0, 0, 123456789, time.FixedZone("ICT", 7*3600)) // a clock reset to the past
	if _, err := s.Append(ctx, rec("k", 1)); err != nil {
		t.Fatal(err)
	}
	r := rec("k", 2)
	r.CreatedAt = jumped
	if _, err := s.Append(ctx, r); err != nil {
		t.Fatal(err)
	}
	rs, err := s.Records(ctx, "k", 0, 0)
	if err != nil || len(rs) != 2 {
		t.Fatalf("%v %d", err, len(rs))
	}
	if !rs[1].CreatedAt.Equal(jumped) || rs[1].CreatedAt.Location() != time.UTC {
		t.Fatalf("CreatedAt %v, want %v in UTC", rs[1].CreatedAt, jumped)
	}
	// The wall clock went backwards, but boot id and monotonic offset show
	// the true order.
	if rs[0].BootID != rs[1].BootID || rs[1].Mono < rs[0].Mono || rs[0].Mono <= 0 {
		t.Fatalf("boot %q/%q mono %v/%v", rs[0].BootID, rs[1].BootID, rs[0].Mono, rs[1].Mono)
	}
}

func TestAppendCancelledContext(t *testing.T) {
	s := openT(t, testOptions(t, t.TempDir()))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := s.Append(ctx, rec("k", 1)); !errors.Is(err, context.Canceled) {
		t.Fatalf("err %v", err)
	}
	if seq, err := s.Append(context.Background(), rec("k", 2)); err != nil || seq != 1 {
		t.Fatalf("a refused append must not consume a seq: %d %v", seq, err)
	}
}

func TestKVSealed(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	st, err := Open(ctx, Options{Path: filepath.Join(dir, "k.db"), KeyFile: filepath.Join(dir, "k.key"), DeviceID: "dev-1"})
	if err != nil {
		t.Fatal(err)
	}
	secret := []byte(`{"id_hash":"x","slot":3,"note":"001099012345"}`)
	if err := st.PutSealed(ctx, "holder.bindings", secret); err != nil {
		t.Fatal(err)
	}
	got, err := st.GetSealed(ctx, "holder.bindings")
	if err != nil || string(got) != string(secret) {
		t.Fatalf("GetSealed = %q, %v", got, err)
	}
	// A sealed value moved to another key does not open.
	raw, _ := st.Get(ctx, "holder.bindings")
	if err := st.Put(ctx, "other", raw); err != nil {
		t.Fatal(err)
	}
	if _, err := st.GetSealed(ctx, "other"); !errors.Is(err, ErrKey) {
		t.Fatalf("moved sealed value opened: %v", err)
	}
	if _, err := st.GetSealed(ctx, "missing"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("missing key: %v", err)
	}
	st.Close()
	for _, f := range []string{"k.db", "k.db-wal"} {
		b, _ := os.ReadFile(filepath.Join(dir, f))
		if bytes.Contains(b, []byte("001099012345")) {
			t.Fatalf("sealed KV value in clear in %s", f)
		}
	}
}

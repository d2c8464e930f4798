package tests

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	_ "github.com/mattn/go-sqlite3"

	"github.com/kiosk06/kiosk/firmware/store"
	"github.com/kiosk06/kiosk/firmware/uplink"
	"github.com/kiosk06/kiosk/tests/collector"
)

// crashDevice is the device id diag txgen gives a new database.
const crashDevice = "kiosk-diag"

// minDrainRecords is the smallest backlog drained through the fault proxy.
const minDrainRecords = 2000

// TestStoreCrashAndDrain is issue 3's acceptance test: kioskd diag txgen is
// SIGKILLed at random moments (≥5 cycles, ≥200 with KIOSK_SOAK=1); every
// seq it printed as "acked" must be in the database, seqs must be gapless
// and PRAGMA integrity_check must say ok. Then the outbox drains through a
// fault-injecting proxy (and killed diag upload runs) into the reference
// collector, which must end up with every seq exactly once.
func TestStoreCrashAndDrain(t *testing.T) {
	cycles := 5
	if os.Getenv("KIOSK_SOAK") == "1" {
		cycles = 200
	}
	seed := uint64(time.Now().UnixNano())
	if v, err := strconv.ParseUint(os.Getenv("KIOSK_SEED"), 10, 64); err == nil {
		seed = v
	}
	t.Logf("seed %d (KIOSK_SEED=%[1]d reproduces), %d kill cycles", seed, cycles)
	rng := rand.New(rand.NewPCG(seed, 1))
	dir := t.TempDir()
	db := filepath.Join(dir, "kiosk.db")
	start := time.Now()

	acked := map[int64]bool{}
	for c := range cycles {
		got := crashCycle(t, rng, db, c, c == cycles-1 && len(acked) == 0)
		for _, s := range got {
			acked[s] = true
		}
		checkCrashDB(t, db, acked) // after every kill, before the next start
	}
	if len(acked) == 0 {
		t.Fatal("no cycle acknowledged anything: the crash test tested nothing")
	}
	n := checkCrashDB(t, db, acked)
	t.Logf("%d kill cycles in %v: %d records durable, %d printed as acked before a kill",
		cycles, time.Since(start), n, len(acked))
	if n < minDrainRecords { // enough backlog for many batches through the proxy
		out, err := exec.Command(kioskdBin, "diag", "txgen", "--db", db, "--writers", "8",
			"--count", strconv.Itoa(minDrainRecords-n)).CombinedOutput()
		if err != nil {
			t.Fatalf("txgen top-up: %v: %s", err, out)
		}
		n = checkCrashDB(t, db, acked)
	}

	t.Logf("drain starts after %v", time.Since(start))
	drainThroughFaults(t, rng, db, n, seed)
}

// crashCycle runs one txgen child and kills it with SIGKILL at a random
// moment: sometimes while it opens and migrates, mostly mid-stream; late
// forces mid-stream.
func crashCycle(t *testing.T, rng *rand.Rand, db string, cycle int, late bool) []int64 {
	t.Helper()
	writers := []string{"1", "4", "16", "64"}[rng.IntN(4)]
	args := []string{"diag", "txgen", "--db", db, "--count", "100000000", "--writers", writers}
	if cycle%2 == 1 {
		args = append(args, "--personal")
	}
	cmd, lines, stderr := startKioskd(t, "", nil, args...)
	var seqs []int64
	record := func(line string) {
		v, ok := strings.CutPrefix(line, "acked ")
		s, err := strconv.ParseInt(v, 10, 64)
		if !ok || err != nil {
			t.Fatalf("cycle %d: unexpected txgen line %q (stderr %s)", cycle, line, stderr.String())
		}
		seqs = append(seqs, s)
	}
	killAtRandom(t, rng, cycle, cmd, lines, stderr, killPlan{EarlyOneIn: 5, EarlyMax: 30_000 * time.Microsecond, LateMax: 80_000 * time.Microsecond, Late: late}, record)
	return seqs
}

// checkCrashDB checks integrity, gapless seqs and every acked seq present;
// it returns the number of records.
func checkCrashDB(t *testing.T, path string, acked map[int64]bool) int {
	t.Helper()
	if _, err := os.Stat(path); err != nil && len(acked) == 0 {
		return 0 // killed before the database was created
	}
	db, err := sql.Open("sqlite3", "file:"+path+"?_busy_timeout=5000")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var res string
	if err := db.QueryRow("PRAGMA integrity_check").Scan(&res); err != nil || res != "ok" {
		t.Fatalf("integrity_check = %q, %v", res, err)
	}
	var tables int
	if err := db.QueryRow(`SELECT COUNT(*) FROM sqlite_schema WHERE name = 'records'`).Scan(&tables); err != nil {
		t.Fatal(err)
	}
	if tables == 0 && len(acked) == 0 {
		return 0 // killed before the first migration committed
	}
	rows, err := db.Query(`SELECT seq FROM records WHERE device_id = ? ORDER BY seq`, crashDevice)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	present := map[int64]bool{}
	var want int64 = 1
	for rows.Next() {
		var s int64
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		if s != want {
			t.Fatalf("seq gap: found %d, want %d", s, want)
		}
		present[s] = true
		want++
	}
	for s := range acked {
		if !present[s] {
			t.Fatalf("seq %d was printed as acked but is not in the database", s)
		}
	}
	var last int64
	if err := db.QueryRow(`SELECT last_seq FROM devices WHERE device_id = ?`, crashDevice).Scan(&last); err != nil || last != want-1 {
		t.Fatalf("devices.last_seq = %d, %v; want %d", last, err, want-1)
	}
	for _, f := range []string{path, path + "-wal"} {
		b, _ := os.ReadFile(f)
		if bytes.Contains(b, []byte(`"id_number"`)) || bytes.Contains(b, []byte("0010990")) {
			t.Fatalf("%s holds personal fields in clear", filepath.Base(f))
		}
	}
	return int(want - 1)
}

// drainThroughFaults empties the outbox of db into a collector behind a
// fault-injecting proxy: first with diag upload runs that are sometimes
// killed, then with an uplink.Uploader in Run mode.
func drainThroughFaults(t *testing.T, rng *rand.Rand, db string, n int, seed uint64) {
	t.Helper()
	col := collector.New(collector.Options{Token: "crash-token"})
	backend := httptest.NewServer(col)
	defer backend.Close()
	proxy := newFaultProxy(backend.URL, seed)
	front := httptest.NewServer(proxy)
	defer front.Close()

	t0 := time.Now()
	for range 2 {
		cmd := exec.Command(kioskdBin, "diag", "upload", "--db", db, "--url", front.URL,
			"--token", "crash-token", "--timeout", "1s")
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		time.AfterFunc(time.Duration(20+rng.IntN(250))*time.Millisecond, func() { _ = cmd.Process.Signal(syscall.SIGKILL) })
		_ = cmd.Wait() // exit 1 on an injected fault is expected
	}

	t.Logf("diag upload runs done after %v", time.Since(t0))
	s, err := store.Open(context.Background(), store.Options{Path: db, KeyFile: db + ".key",
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	// Small batches (~80 of them): many requests, so every fault fires many times.
	u, err := uplink.New(s, uplink.Options{BaseURL: front.URL, Token: "crash-token", Timeout: 300 * time.Millisecond, MaxRecords: max(20, n/80),
		MinBackoff: 5 * time.Millisecond, MaxBackoff: 50 * time.Millisecond, Interval: 10 * time.Millisecond,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	done := make(chan error, 1)
	go func() { done <- u.Run(ctx) }()
	for ctx.Err() == nil {
		ob, err := s.Outbox(ctx)
		if err == nil && ob.Pending == 0 {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Logf("uploader drained after %v", time.Since(t0))
	cancel()
	<-done
	u.Close()
	s.Close()

	out, err := exec.Command(kioskdBin, "diag", "outbox", "--db", db).Output()
	if err != nil {
		t.Fatalf("diag outbox: %v", err)
	}
	var ob struct {
		Pending      int64 `json:"pending"`
		LastAckedSeq int64 `json:"last_acked_seq"`
		Quarantined  int64 `json:"quarantined"`
	}
	if err := json.Unmarshal(out, &ob); err != nil {
		t.Fatalf("diag outbox output %q: %v", out, err)
	}
	if ob.Pending != 0 || ob.Quarantined != 0 || ob.LastAckedSeq != int64(n) {
		t.Fatalf("outbox after drain: %s", out)
	}
	seqs := col.Seqs(crashDevice)
	if len(seqs) != n {
		t.Fatalf("collector holds %d records, want %d", len(seqs), n)
	}
	for i, s := range seqs {
		if s != int64(i+1) {
			t.Fatalf("collector: seq %d at position %d", s, i)
		}
	}
	st := col.Stats()
	if st.Stored != n || st.Conflicts != 0 {
		t.Fatalf("collector stats %+v: want %d stored, no conflicting resend", st, n)
	}
	t.Logf("drained %d records: collector %+v; faults %v", n, st, proxy.Counts())
	for name, c := range proxy.Counts() {
		if c == 0 {
			t.Errorf("fault %q never fired", name)
		}
	}
}

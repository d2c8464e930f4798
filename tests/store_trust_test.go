package tests

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/kiosk06/kiosk/drivers/scanner/scannersim"
	"github.com/kiosk06/kiosk/tests/collector"
)

// storeRig is a bus validator (transit profile) run by a real kioskd against
// the reference collector, with /healthz and /metrics on a loopback port:
// issue 15's store and key faults are staged around it at process level.
type storeRig struct {
	dir, cfg, db, key string
	device            string
	coll              *collector.Collector
	reject            atomic.Bool // the collector answers 422 to every record
	metrics           string      // host:port
	scan              *scannersim.Sim
}

func newStoreRig(t *testing.T, dataDir string) *storeRig {
	t.Helper()
	r := &storeRig{dir: t.TempDir(), device: "bus-store-1"}
	if dataDir == "" {
		dataDir = filepath.Join(r.dir, "var")
	}
	r.db = filepath.Join(dataDir, "kiosk.db")
	r.key = filepath.Join(r.dir, "credentials", "seal.key")
	if err := os.MkdirAll(filepath.Dir(r.key), 0o700); err != nil {
		t.Fatal(err)
	}
	r.coll = collector.New(collector.Options{Token: "t0ken", Reject: func(string, collector.Record) bool { return r.reject.Load() }})
	srv := httptest.NewServer(r.coll)
	t.Cleanup(srv.Close)
	sc, err := scannersim.Start(context.Background(), &scannersim.Options{Suffix: "\r"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sc.Close() })
	r.scan = sc
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	r.metrics = ln.Addr().String()
	ln.Close()
	r.cfg = filepath.Join(r.dir, "bus.toml")
	doc := `[device]
id = "` + r.device + `"
profile = "transit"
data_dir = "` + dataDir + `"
# the test collector is plain HTTP on loopback; diag tools read this file without --sim
allow_insecure_http = true
[store]
key_file = "` + r.key + `"
min_free_mb = 1
[uplink]
base_url = "` + srv.URL + `"
token = "t0ken"
interval = "200ms"
[metrics]
listen = "` + r.metrics + `"
[devices.scanner]
driver = "scanner"
port = "` + sc.Path() + `"
suffix = "cr"
[devices.led_green]
driver = "gpio-out"
pin = "sim"
[devices.led_red]
driver = "gpio-out"
pin = "sim"
[transit]
route = "47"
[transit.fares]
"47" = 7000
`
	if err := os.WriteFile(r.cfg, []byte(doc), 0o644); err != nil {
		t.Fatal(err)
	}
	return r
}

// kioskd runs a kioskd command to completion.
func (r *storeRig) kioskd(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	cmd := exec.Command(kioskdBin, args...)
	cmd.Dir = r.dir
	var out, errb strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	var ee *exec.ExitError
	switch {
	case errorsAs(err, &ee):
		code = ee.ExitCode()
	case err != nil:
		t.Fatal(err)
	}
	return code, out.String(), errb.String()
}

// runRefused runs `kioskd run` on a store it must refuse: it must exit 1
// before serving; if it reports "ready" instead, it is stopped and the test
// fails.
func (r *storeRig) runRefused(t *testing.T) (code int, stderr string) {
	t.Helper()
	cmd, lines, errb := startKioskd(t, r.dir, nil, "run", "--sim", "--config", r.cfg)
	timeout := time.After(20 * time.Second)
	for {
		select {
		case l, ok := <-lines:
			if !ok {
				err := cmd.Wait()
				var ee *exec.ExitError
				if errorsAs(err, &ee) {
					return ee.ExitCode(), errb.String()
				}
				return 0, errb.String()
			}
			if strings.HasPrefix(l, "ready") {
				stop(t, cmd, syscall.SIGTERM)
				t.Fatalf("kioskd started serving on a store it must refuse; stderr:\n%s", errb)
			}
		case <-timeout:
			t.Fatalf("kioskd neither refused nor served within 20 s; stderr:\n%s", errb)
		}
	}
}

// conditionStops checks the unit's ExecCondition after a refused start:
// exit 1 (systemd then stops the unit instead of restarting it), with the
// reason and the way out.
func (r *storeRig) conditionStops(t *testing.T, remedy string) {
	t.Helper()
	code, _, errs := r.kioskd(t, "diag", "store", "condition", "--config", r.cfg)
	if code != 1 || !strings.Contains(errs, remedy) {
		t.Fatalf("diag store condition after a refused start: exit %d, want 1 naming %s: %s", code, remedy, errs)
	}
}

// conditionPasses checks that the unit's ExecCondition lets kioskd start.
func (r *storeRig) conditionPasses(t *testing.T) {
	t.Helper()
	if code, _, errs := r.kioskd(t, "diag", "store", "condition", "--config", r.cfg); code != 0 {
		t.Fatalf("diag store condition after the recovery: exit %d: %s", code, errs)
	}
}

// txgen appends n records to the database while kioskd is stopped.
func (r *storeRig) txgen(t *testing.T, n int, personal bool) {
	t.Helper()
	args := []string{"diag", "txgen", "--db", r.db, "--key", r.key, "--device-id", r.device, "--count", strconv.Itoa(n), "--writers", "8"}
	if personal {
		args = append(args, "--personal")
	}
	os.MkdirAll(filepath.Dir(r.db), 0o700)
	if code, _, errs := r.kioskd(t, args...); code != 0 {
		t.Fatalf("txgen: exit %d: %s", code, errs)
	}
}

// start runs `kioskd run --sim --config` until ready.
func (r *storeRig) start(t *testing.T) (*exec.Cmd, *syncBuffer) {
	t.Helper()
	cmd, lines, stderr := startKioskd(t, r.dir, nil, "run", "--sim", "--config", r.cfg)
	waitLine(t, lines, "ready", 20*time.Second, stderr)
	go func() {
		for range lines { // keep the pipe drained
		}
	}()
	return cmd, stderr
}

// stop ends kioskd with SIGTERM (or SIGKILL, a watchdog's way).
func stop(t *testing.T, cmd *exec.Cmd, sig syscall.Signal) {
	t.Helper()
	cmd.Process.Signal(sig)
	done := make(chan struct{})
	go func() { cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(8 * time.Second):
		t.Fatal("kioskd did not stop")
	}
}

// healthz returns /healthz's status and body.
func (r *storeRig) healthz(t *testing.T) (int, string) {
	t.Helper()
	resp, err := http.Get("http://" + r.metrics + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// metric reads one unlabelled kiosk_ metric.
func (r *storeRig) metric(t *testing.T, name string) float64 {
	t.Helper()
	resp, err := http.Get("http://" + r.metrics + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "kiosk_"+name+" "); ok {
			f, err := strconv.ParseFloat(v, 64)
			if err != nil {
				t.Fatalf("%s = %q", name, v)
			}
			return f
		}
	}
	t.Fatalf("no metric kiosk_%s", name)
	return 0
}

// outbox reads the backlog with `diag outbox` (read-only, safe while kioskd runs).
type outboxJSON struct {
	Epoch         string `json:"store_epoch"`
	Pending       int64  `json:"pending"`
	LastSeq       int64  `json:"last_seq"`
	LastAckedSeq  int64  `json:"last_acked_seq"`
	Quarantined   int64  `json:"quarantined"`
	QuarantineRun int64  `json:"quarantine_run"`
}

func (r *storeRig) outbox(t *testing.T) outboxJSON {
	t.Helper()
	code, out, errs := r.kioskd(t, "diag", "outbox", "--db", r.db)
	if code != 0 {
		t.Fatalf("diag outbox: %s", errs)
	}
	var ob outboxJSON
	if err := json.Unmarshal([]byte(out), &ob); err != nil {
		t.Fatalf("diag outbox printed %q", out)
	}
	return ob
}

// eventually polls cond until it holds or d passes.
func eventually(t *testing.T, d time.Duration, what string, cond func() bool, stderr fmt.Stringer) {
	t.Helper()
	for deadline := time.Now().Add(d); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if cond() {
			return
		}
	}
	t.Fatalf("%s: not within %v; kioskd stderr:\n%s", what, d, stderr)
}

// countKind counts the collector's records of kind in epoch ("" = all).
func (r *storeRig) countKind(kind, epoch string) int {
	n := 0
	for _, rec := range r.coll.Records(r.device) {
		if rec.Kind == kind && (epoch == "" || rec.Epoch == epoch) {
			n++
		}
	}
	return n
}

// TestDeletedDatabaseRecordsNotLost is issue 15 §2 through the real
// process: kiosk.db is deleted after 100 records were uploaded; the new
// store's 100 records restart at seq 1. Keyed on (device_id, seq) the
// collector acknowledged and dropped all 100; now every one arrives under
// a new epoch, the collector reports the change, kioskd logs an error and
// raises kiosk_store_epoch_reset.
func TestDeletedDatabaseRecordsNotLost(t *testing.T) {
	r := newStoreRig(t, "")
	r.txgen(t, 100, false)
	cmd, stderr := r.start(t)
	eventually(t, 15*time.Second, "first 100 records uploaded", func() bool { return r.countKind("diag.txgen", "") == 100 }, stderr)
	if v := r.metric(t, "store_epoch_reset"); v != 0 {
		t.Fatalf("kiosk_store_epoch_reset = %v on a first start", v)
	}
	stop(t, cmd, syscall.SIGTERM)
	first := r.coll.Epochs(r.device)[0].Epoch

	for _, f := range []string{r.db, r.db + "-wal", r.db + "-shm"} {
		os.Remove(f)
	}
	cmd, stderr = r.start(t) // kioskd restarts on an empty store
	if !strings.Contains(stderr.String(), "new epoch where another one existed") {
		t.Errorf("kioskd did not log the epoch reset; stderr:\n%s", stderr)
	}
	if v := r.metric(t, "store_epoch_reset"); v != 1 {
		t.Errorf("kiosk_store_epoch_reset = %v, want 1", v)
	}
	// The reset record goes up first and is acknowledged before the stop:
	// a stop in the middle of its upload would send it again (deduplicated
	// by the collector, as designed), which would blur the count below of
	// records the collector took for another's duplicates.
	eventually(t, 15*time.Second, "store.epoch_reset record uploaded and acknowledged", func() bool {
		return r.countKind("store.epoch_reset", "") == 1 && r.outbox(t).Pending == 0
	}, stderr)
	stop(t, cmd, syscall.SIGTERM)
	r.txgen(t, 100, false)
	cmd, stderr = r.start(t)
	defer stop(t, cmd, syscall.SIGTERM)
	eventually(t, 15*time.Second, "second 100 records uploaded", func() bool { return r.countKind("diag.txgen", "") == 200 }, stderr)
	es := r.coll.Epochs(r.device)
	if len(es) != 2 || es[0].Epoch != first || r.countKind("diag.txgen", es[1].Epoch) != 100 {
		t.Fatalf("collector epochs %+v", es)
	}
	if st := r.coll.Stats(); st.EpochChanges != 1 || st.Duplicates != 0 {
		t.Fatalf("collector stats %+v", st)
	}
	if v := r.metric(t, "store_epoch_reset"); v != 1 {
		t.Errorf("kiosk_store_epoch_reset = %v after a restart, want 1 (kept in the database)", v)
	}
	eventually(t, 10*time.Second, "store.epoch_reset record uploaded", func() bool { return r.countKind("store.epoch_reset", es[1].Epoch) == 1 }, stderr)
}

// TestLostSealingKeyRefused is issue 15 §3 through the real process: with
// the sealing key removed kioskd used to make a new key, answer /healthz
// 200 and fail the upload forever at seq 1. Now it refuses to start (exit
// 1) naming the recovery command, makes no key, and after that command the
// records flow without their unreadable personal fields.
func TestLostSealingKeyRefused(t *testing.T) {
	r := newStoreRig(t, "")
	r.txgen(t, 20, true) // sealed ID numbers on every record
	if err := os.Remove(r.key); err != nil {
		t.Fatal(err)
	}
	code, errs := r.runRefused(t)
	if code != 1 || !strings.Contains(errs, "kioskd diag store quarantine-unreadable --config "+r.cfg) {
		t.Fatalf("kioskd run without its sealing key: exit %d, want 1 naming the recovery command; stderr:\n%s", code, errs)
	}
	if _, err := os.Stat(r.key); err == nil {
		t.Fatal("kioskd made a new sealing key")
	}
	r.conditionStops(t, "quarantine-unreadable")
	if code, _, errs := r.kioskd(t, "diag", "store", "check", "--config", r.cfg); code != 1 {
		t.Fatalf("diag store check: exit %d, want 1: %s", code, errs)
	}
	if code, out, errs := r.kioskd(t, "diag", "store", "quarantine-unreadable", "--config", r.cfg); code != 0 || !strings.Contains(out, `"records": 20`) {
		t.Fatalf("quarantine-unreadable: %d %s %s", code, out, errs)
	}
	r.conditionPasses(t)
	r.txgen(t, 5, true) // new records, sealed with the new key
	cmd, stderr := r.start(t)
	defer stop(t, cmd, syscall.SIGTERM)
	eventually(t, 15*time.Second, "the 5 new records uploaded", func() bool { return r.countKind("diag.txgen", "") == 5 }, stderr)
	if code, body := r.healthz(t); code != 200 {
		t.Fatalf("/healthz %d %s", code, body)
	}
	if ob := r.outbox(t); ob.Quarantined != 20 || ob.Pending != 0 {
		t.Fatalf("outbox %+v: want the 20 unreadable quarantined, nothing stuck", ob)
	}
}

// TestQuarantineBudgetSurvivesWatchdogRestarts is issue 15 §5 and the
// wedged-uplink half of §3 through the real process: a backend rejecting
// every record used to get 10 more quarantined at every restart. Now the
// budget is kept in the store; /healthz names the wedged uplink; the
// operator releases the records once the backend is fixed.
func TestQuarantineBudgetSurvivesWatchdogRestarts(t *testing.T) {
	r := newStoreRig(t, "")
	r.reject.Store(true)
	r.txgen(t, 40, false)
	cmd, stderr := r.start(t)
	eventually(t, 15*time.Second, "/healthz names the wedged uplink", func() bool {
		code, body := r.healthz(t)
		return code == 503 && strings.Contains(body, "uplink: wedged")
	}, stderr)
	if v := r.metric(t, "uplink_wedged"); v != 1 {
		t.Fatalf("kiosk_uplink_wedged = %v", v)
	}
	for restart := range 3 { // the watchdog's way: SIGKILL, start again
		stop(t, cmd, syscall.SIGKILL)
		if ob := r.outbox(t); ob.Quarantined != 10 {
			t.Fatalf("after %d restarts: %d quarantined, want 10 in all", restart, ob.Quarantined)
		}
		cmd, stderr = r.start(t)
		eventually(t, 15*time.Second, "wedged again after a restart", func() bool {
			code, _ := r.healthz(t)
			return code == 503
		}, stderr)
	}
	stop(t, cmd, syscall.SIGTERM)
	if ob := r.outbox(t); ob.Quarantined != 10 || ob.QuarantineRun != 10 {
		t.Fatalf("outbox %+v", ob)
	}
	r.reject.Store(false) // the backend is fixed
	if code, out, errs := r.kioskd(t, "diag", "outbox", "release", "--config", r.cfg, "--all"); code != 0 || !strings.Contains(out, `"released": 10`) {
		t.Fatalf("release: %d %s %s", code, out, errs)
	}
	cmd, stderr = r.start(t)
	defer stop(t, cmd, syscall.SIGTERM)
	eventually(t, 20*time.Second, "every record delivered", func() bool { return r.countKind("diag.txgen", "") == 40 }, stderr)
	eventually(t, 5*time.Second, "/healthz ok", func() bool { code, _ := r.healthz(t); return code == 200 }, stderr)
}

// damageRecordLeaf overwrites with garbage a leaf page of the records
// table that holds a record of kind (a WITHOUT ROWID table is an index
// b-tree: leaf pages have type 0x0A, SQLite file format §1.6; payload text
// only appears in the table, not in its indexes).
func damageRecordLeaf(t *testing.T, path, kind string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	const page = 4096
	for p := page; p+page <= len(b); p += page {
		pg := b[p : p+page]
		if pg[0] == 0x0A && strings.Contains(string(pg), kind) && strings.Contains(string(pg), "amount_vnd") {
			f, err := os.OpenFile(path, os.O_WRONLY, 0)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			if _, err := f.WriteAt([]byte(strings.Repeat("\xA5", page)), int64(p)); err != nil {
				t.Fatal(err)
			}
			return
		}
	}
	t.Fatalf("no leaf page of %s records in %s", kind, path)
}

// TestDamagedDatabaseSalvaged is issue 15 §2's last part through the real
// process: a damaged database is refused at start (exit 1) naming the way
// out; `diag store check`, the unit's ExecCondition, exits 1 so systemd
// stops instead of looping; the salvage re-homes every readable record into
// a new epoch; the collector gets what it lacked, and a store.salvage
// record naming the lost seqs.
func TestDamagedDatabaseSalvaged(t *testing.T) {
	r := newStoreRig(t, "")
	r.txgen(t, 30, false)
	cmd, stderr := r.start(t)
	eventually(t, 15*time.Second, "30 uploaded", func() bool { return r.countKind("diag.txgen", "") == 30 }, stderr)
	stop(t, cmd, syscall.SIGTERM)
	args := []string{"diag", "txgen", "--db", r.db, "--key", r.key, "--count", "300", "--kind", "diag.later", "--writers", "8"}
	if code, _, errs := r.kioskd(t, args...); code != 0 {
		t.Fatalf("txgen: %s", errs)
	}
	damageRecordLeaf(t, r.db, "diag.later")

	code, errs := r.runRefused(t)
	if code != 1 || !strings.Contains(errs, "kioskd diag store salvage --config "+r.cfg) {
		t.Fatalf("kioskd run on a damaged database: exit %d, want 1 naming salvage; stderr:\n%s", code, errs)
	}
	r.conditionStops(t, "salvage")
	code, out, errs := r.kioskd(t, "diag", "store", "salvage", "--config", r.cfg)
	if code != 0 {
		t.Fatalf("salvage: exit %d: %s %s", code, out, errs)
	}
	r.conditionPasses(t)
	var rep struct {
		Epoch      string `json:"store_epoch"`
		Rehomed    int    `json:"rehomed"`
		Pending    int    `json:"pending"`
		Unreadable []struct {
			From, To int64
		} `json:"unreadable_seqs"`
	}
	json.Unmarshal([]byte(out), &rep)
	lost, lostLater := 0, 0 // seqs 1-30 are the uploaded diag.txgen, 31-330 diag.later
	for _, u := range rep.Unreadable {
		lost += int(u.To - u.From + 1)
		lostLater += int(u.To - max(u.From, 31) + 1)
	}
	if lostLater <= 0 || rep.Rehomed+lost != 330 {
		t.Fatalf("salvage report %s", out)
	}
	cmd, stderr = r.start(t)
	defer stop(t, cmd, syscall.SIGTERM)
	eventually(t, 20*time.Second, "the salvage record uploaded", func() bool { return r.countKind("store.salvage", rep.Epoch) == 1 }, stderr)
	if got := r.countKind("diag.later", ""); got != 300-lostLater {
		t.Fatalf("collector has %d diag.later records, want the %d readable; salvage report %s", got, 300-lostLater, out)
	}
	if st := r.coll.Stats(); st.Conflicts != 0 || r.countKind("diag.txgen", "") != 30 {
		t.Fatalf("collector stats %+v, %d diag.txgen", st, r.countKind("diag.txgen", ""))
	}
	if code, body := r.healthz(t); code != 200 {
		t.Fatalf("/healthz after the salvage: %d %s", code, body)
	}
}

// TestFullDiskFailsHealth is issue 15 §4 (the store's half) through the
// real process: on a full tmpfs /healthz stayed "ok" and store_fill_ratio 0
// while every append failed. Now /healthz names the full store, the fill
// ratio is 1, free bytes and refused appends show in /metrics, a tap is
// refused (never half-written), and all of it clears when space returns.
func TestFullDiskFailsHealth(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root to mount a small tmpfs (the store's reserve logic is covered by firmware/store TestMinFreeReserve)")
	}
	mnt := t.TempDir()
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", mnt).CombinedOutput(); err != nil {
		t.Skipf("cannot mount tmpfs here: %v %s", err, out)
	}
	t.Cleanup(func() { exec.Command("umount", "-l", mnt).Run() })
	r := newStoreRig(t, filepath.Join(mnt, "var"))
	cmd, stderr := r.start(t)
	defer stop(t, cmd, syscall.SIGTERM)
	if code, body := r.healthz(t); code != 200 {
		t.Fatalf("/healthz with room: %d %s", code, body)
	}
	if v := r.metric(t, "store_fill_ratio"); v >= 0.9 {
		t.Fatalf("store_fill_ratio %v with room", v)
	}

	// Something else fills the disk (a log, a core dump…).
	filler := filepath.Join(mnt, "filler")
	fill := exec.Command("dd", "if=/dev/zero", "of="+filler, "bs=64k")
	fill.Run() // ends with ENOSPC
	code, body := r.healthz(t)
	if code != 503 || !strings.Contains(body, "store_full") {
		t.Fatalf("/healthz on a full disk: %d %q", code, body)
	}
	if v := r.metric(t, "store_fill_ratio"); v != 1 {
		t.Fatalf("store_fill_ratio on a full disk: %v", v)
	}
	if v := r.metric(t, "store_free_bytes"); v >= 1<<20 {
		t.Fatalf("store_free_bytes on a full disk: %v", v)
	}
	if v := r.metric(t, "store_writable"); v != 0 {
		t.Fatalf("store_writable on a full disk: %v", v)
	}
	before := r.outbox(t).LastSeq
	if err := r.scan.Scan("001099012345|013456789|Nguyễn Văn An|15031999|Nam|Số 12 Phố Hàng Bạc, Hà Nội|10012024"); err != nil {
		t.Fatal(err)
	}
	eventually(t, 10*time.Second, "the tap refused as an append", func() bool { return r.metric(t, "store_appends_refused_full_total") >= 1 }, stderr)
	if ob := r.outbox(t); ob.LastSeq != before {
		t.Fatalf("a record was written on a full disk: last seq %d → %d", before, ob.LastSeq)
	}

	os.Remove(filler)
	eventually(t, 5*time.Second, "/healthz ok once space returns", func() bool { code, _ := r.healthz(t); return code == 200 }, stderr)
	if v := r.metric(t, "store_writable"); v != 1 {
		t.Fatalf("store_writable after space returned: %v", v)
	}
}

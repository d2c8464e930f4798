package tests

import (
	"crypto/ed25519"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kiosk06/kiosk/drivers/scanner/scannersim"
	"github.com/kiosk06/kiosk/firmware/identity"
	"github.com/kiosk06/kiosk/firmware/transit"
	"github.com/kiosk06/kiosk/payments/tariff"
	"github.com/kiosk06/kiosk/tests/collector"
)

// TestTransitProfileEndToEnd runs the bus validator profile in a real kioskd
// process: a CCCD QR scanned on a simulated scanner (pty) becomes an offline
// decision, a durable transit.tap record, and an upload to the collector —
// with no ID number anywhere in what is uploaded.
func TestTransitProfileEndToEnd(t *testing.T) {
	dir := t.TempDir()
	coll, url, sc := backendAndScanner(t, "t0ken")

	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	metricsAddr := l.Addr().String()
	l.Close()
	cfg := filepath.Join(dir, "transit.toml")
	os.WriteFile(cfg, []byte(`[device]
id = "bus-e2e-1"
profile = "transit"
data_dir = "`+filepath.Join(dir, "var")+`"
[metrics]
listen = "`+metricsAddr+`"
[uplink]
base_url = "`+url+`"
token = "t0ken"
interval = "200ms"
[devices.scanner]
driver = "scanner"
port = "`+sc.Path()+`"
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
`), 0o644)

	cmd, lines, stderr := startKioskd(t, dir, nil, "run", "--sim", "--config", cfg)
	waitLine(t, lines, "ready", 20*time.Second, stderr)

	const id = "001099012345"
	if err := sc.Scan(id + "|013456789|Nguyễn Văn An|15031999|Nam|Số 12 Phố Hàng Bạc, Hà Nội|10012024"); err != nil {
		t.Fatal(err)
	}
	rec := waitRecord(t, coll, "bus-e2e-1", "transit.tap", 15*time.Second, stderr)
	var tap map[string]any
	json.Unmarshal(rec.Payload, &tap)
	if tap["verdict"] != "accept" {
		t.Errorf("tap verdict %v, payload %s", tap["verdict"], rec.Payload)
	}
	taps := 0
	for _, r := range coll.Records("bus-e2e-1") {
		if r.Kind == "transit.tap" {
			taps++
		}
	}
	if taps != 1 {
		t.Fatalf("one scan gave %d transit.tap records", taps)
	}
	checkUploaded(t, fromCollector(coll.Records("bus-e2e-1")))
	for _, r := range coll.Records("bus-e2e-1") {
		if strings.Contains(string(r.Payload), id) || strings.Contains(string(r.Payload), "Nguyễn") {
			t.Fatalf("personal data uploaded: %s", r.Payload)
		}
	}
	if strings.Contains(stderr.String(), id) {
		t.Fatal("ID number in kioskd's logs")
	}

	// What a fleet dashboard reads: the build, each device up, the verdict
	// latency (the 300 ms promise), appends and uploads.
	r := &transitRig{metrics: "http://" + metricsAddr + "/metrics"}
	// The upload is counted once its reply is back, a moment after the
	// collector stored the record.
	for deadline := time.Now().Add(10 * time.Second); r.metric(`kiosk_operation_duration_seconds_count{op="upload"}`) == "0" && time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
	}
	for name, want := range map[string]string{
		`kiosk_operation_duration_seconds_count{op="transit_verdict"}`: "1",
		`kiosk_transactions_total{kind="transit.tap"}`:                 "1",
		`kiosk_device_up{role="scanner"}`:                              "1",
		`kiosk_device_up{role="led_green"}`:                            "1",
	} {
		if got := r.metric(name); got != want {
			t.Errorf("%s = %q, want %s", name, got, want)
		}
	}
	for _, name := range []string{`kiosk_operation_duration_seconds_count{op="store_append"}`, `kiosk_operation_duration_seconds_count{op="upload"}`} {
		if n, err := strconv.Atoi(r.metric(name)); err != nil || n < 1 {
			t.Errorf("%s = %q, want at least 1", name, r.metric(name))
		}
	}
	if body := r.body(); !strings.Contains(body, `kiosk_build_info{commit=`) || !strings.Contains(body, `profile="transit"`) {
		t.Errorf("no kiosk_build_info for the transit profile")
	}
	cmd.Process.Signal(os.Interrupt)
	cmd.Wait()
}

// listBackend is the transit list service as the back-end runs it:
// GET /v1/lists/{name}?since=V answers a signed delta from V when it has
// one, a signed snapshot for since=0 (or always, with snapshotOnly), 304
// when the client is up to date. replay, when set, is what an attacker
// (or a stale mirror) answers instead: an old, validly signed document.
type listBackend struct {
	mu           sync.Mutex
	priv         ed25519.PrivateKey
	deltas       map[string][]transit.Document // list → deltas; deltas[i] takes version i to i+1
	snapshotOnly bool
	down         bool
	replay       map[string]transit.Document
	auth         []string // Authorization headers received
	requests     int
}

func newListBackend(t *testing.T) (*listBackend, string) {
	t.Helper()
	_, priv, err := ed25519.GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	b := &listBackend{priv: priv, deltas: map[string][]transit.Document{}, replay: map[string]transit.Document{}}
	return b, base64.StdEncoding.EncodeToString(priv.Public().(ed25519.PublicKey))
}

// publish adds a version of list name that blocks add (deny) or grants
// passes (pass).
func (b *listBackend) publish(name string, add []string, passes map[string][]transit.Pass) {
	b.mu.Lock()
	defer b.mu.Unlock()
	n := uint64(len(b.deltas[name]))
	b.deltas[name] = append(b.deltas[name], transit.Document{Name: name, Version: n + 1, Since: n, Add: add, Passes: passes})
}

// snapshot folds versions 1..n of name into one full document.
func (b *listBackend) snapshot(name string, n int) transit.Document {
	add := map[string]bool{}
	passes := map[string][]transit.Pass{}
	for _, d := range b.deltas[name][:n] {
		for _, h := range d.Add {
			add[h] = true
		}
		for h, p := range d.Passes {
			passes[h] = p
		}
	}
	d := transit.Document{Name: name, Version: uint64(n), Full: true, Passes: passes}
	for h := range add {
		d.Add = append(d.Add, h)
	}
	sort.Strings(d.Add)
	return d
}

func (b *listBackend) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.requests++
	b.auth = append(b.auth, r.Header.Get("Authorization"))
	name := path.Base(r.URL.Path)
	since, err := strconv.ParseUint(r.URL.Query().Get("since"), 10, 64)
	if b.down || err != nil || !strings.HasPrefix(r.URL.Path, "/v1/lists/") {
		http.Error(w, "unavailable", http.StatusServiceUnavailable)
		return
	}
	ds := b.deltas[name]
	var d transit.Document
	switch old, ok := b.replay[name]; {
	case ok && since == 0:
		d = old
	case ok || int(since) >= len(ds):
		w.WriteHeader(http.StatusNotModified)
		return
	case since == 0 || b.snapshotOnly:
		d = b.snapshot(name, len(ds))
	default:
		d = ds[since]
	}
	env, err := transit.SignDocument(b.priv, d)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	_ = json.NewEncoder(w).Encode(env)
}

func (b *listBackend) set(f func(b *listBackend)) {
	b.mu.Lock()
	defer b.mu.Unlock()
	f(b)
}

// transitRig is a transit validator's surroundings: collector, scanner,
// list service, token key, data directory; run starts kioskd on them.
type transitRig struct {
	t       *testing.T
	dir     string
	coll    *collector.Collector
	sc      *scannersim.Sim
	lists   *listBackend
	tk      *identity.Tokenizer
	cfg     string
	device  string
	metrics string
}

// newTransitRig writes a transit config whose lists come from listsURL
// (signed with the backend's key) and whose uplink is the collector with
// bearer token "t0ken"; extra is appended to the [transit] section, uplinkExtra to [uplink].
func newTransitRig(t *testing.T, device string, tls bool, uplinkExtra, extra string) *transitRig {
	t.Helper()
	dir := t.TempDir()
	coll, collURL, sc := backendAndScanner(t, "t0ken")
	lb, pub := newListBackend(t)
	var srv *httptest.Server
	if tls {
		srv = httptest.NewTLSServer(lb)
		ca := filepath.Join(dir, "lists-ca.pem")
		if err := os.WriteFile(ca, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw}), 0o644); err != nil {
			t.Fatal(err)
		}
		uplinkExtra += "\nca_file = \"" + ca + "\""
	} else {
		srv = httptest.NewServer(lb)
	}
	t.Cleanup(srv.Close)
	key := make([]byte, 32)
	for i := range key {
		key[i] = byte(i*7 + 1)
	}
	keyFile := filepath.Join(dir, "transit-token.key")
	if err := os.WriteFile(keyFile, []byte(hex.EncodeToString(key)), 0o600); err != nil {
		t.Fatal(err)
	}
	tk, err := identity.NewTokenizer(key)
	if err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	metricsAddr := l.Addr().String()
	l.Close()
	cfg := filepath.Join(dir, "transit.toml")
	err = os.WriteFile(cfg, []byte(`[device]
id = "`+device+`"
profile = "transit"
data_dir = "`+filepath.Join(dir, "var")+`"
[metrics]
listen = "`+metricsAddr+`"
[uplink]
base_url = "`+collURL+`"
token = "t0ken"
interval = "200ms"
`+uplinkExtra+`
[devices.scanner]
driver = "scanner"
port = "`+sc.Path()+`"
suffix = "cr"
[transit]
route = "47"
token_key_file = "`+keyFile+`"
lists_url = "`+srv.URL+`"
lists_public_key = "`+pub+`"
`+extra+`
[transit.fares]
"47" = 7000
`), 0o644)
	if err != nil {
		t.Fatal(err)
	}
	return &transitRig{t: t, dir: dir, coll: coll, sc: sc, lists: lb, tk: tk, cfg: cfg, device: device, metrics: "http://" + metricsAddr + "/metrics"}
}

// listsDir is where the validator keeps its lists (the default under data_dir).
func (r *transitRig) listsDir() string { return filepath.Join(r.dir, "var", "lists") }

// run starts kioskd, waits for ready and for the first list sync to end
// (or, with sync false, only for ready); stop ends it.
func (r *transitRig) run(sync bool) (stderr *syncBuffer, stop func()) {
	r.t.Helper()
	cmd, lines, stderr := startKioskd(r.t, r.dir, nil, "run", "--sim", "--config", r.cfg)
	waitLine(r.t, lines, "ready", 20*time.Second, stderr)
	stop = func() {
		cmd.Process.Signal(os.Interrupt)
		cmd.Wait()
	}
	if !sync {
		return stderr, stop
	}
	for deadline := time.Now().Add(15 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		s := stderr.String()
		if strings.Contains(s, "transit: lists updated") || strings.Contains(s, "transit: list sync failed") {
			return stderr, stop
		}
		if time.Now().After(deadline) {
			stop()
			r.t.Fatalf("no list sync within 15 s; stderr:\n%s", s)
		}
	}
}

// tap scans the CCCD QR of id and returns the tap record that reached the
// collector.
func (r *transitRig) tap(id string, stderr *syncBuffer) map[string]any {
	r.t.Helper()
	before := r.taps()
	if err := r.sc.Scan(id + "|013456789|Nguyễn Văn An|15031999|Nam|Số 12 Phố Hàng Bạc, Hà Nội|10012024"); err != nil {
		r.t.Fatal(err)
	}
	for deadline := time.Now().Add(15 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if taps := r.taps(); len(taps) > len(before) {
			return taps[len(taps)-1]
		}
	}
	r.t.Fatalf("no tap record within 15 s; stderr:\n%s", stderr)
	return nil
}

func (r *transitRig) taps() []map[string]any {
	var out []map[string]any
	for _, rec := range r.coll.Records(r.device) {
		if rec.Kind == transit.RecordKind {
			var m map[string]any
			_ = json.Unmarshal(rec.Payload, &m)
			out = append(out, m)
		}
	}
	return out
}

// body is the /metrics exposition ("" when unreachable).
func (r *transitRig) body() string {
	resp, err := http.Get(r.metrics)
	if err != nil {
		return ""
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}

// metric returns the value of the exposition line that starts with name
// (e.g. `kiosk_transit_list_faults{list="deny"}`), or "" when absent.
func (r *transitRig) metric(name string) string {
	for _, l := range strings.Split(r.body(), "\n") {
		if v, ok := strings.CutPrefix(l, name+" "); ok {
			return v
		}
	}
	return ""
}

// newestFile is the most recently written file under dir whose name holds sub.
func newestFile(t *testing.T, dir, sub string) string {
	t.Helper()
	var best string
	var bestT time.Time
	_ = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.Contains(p[len(dir):], sub) {
			return nil
		}
		if fi, err := d.Info(); err == nil && !fi.ModTime().Before(bestT) {
			best, bestT = p, fi.ModTime()
		}
		return nil
	})
	if best == "" {
		t.Fatalf("no %s file under %s", sub, dir)
	}
	return best
}

// The holders in these tests: X is blocked since version 1 of the deny
// list, Y only since version 2; P holds a monthly pass on a forged file.
const (
	holderX = "001099000011"
	holderY = "001099000022"
	holderP = "001099000033"
)

// TestTransitListsCorruptFileFallsBack is issue 15: a corrupt deny list
// file stopped the validator starting. Now the newest file fails its
// signature check at load, the validator falls back to the previous good
// generation, raises an alert (error log and metric) and keeps deciding.
// The list service is reached over TLS trusted only through uplink.ca_file.
func TestTransitListsCorruptFileFallsBack(t *testing.T) {
	r := newTransitRig(t, "bus-lists-corrupt", true, "", "")
	x, y := r.tk.ID(holderX).String(), r.tk.ID(holderY).String()
	r.lists.publish(transit.ListDeny, []string{x}, nil)
	r.lists.publish(transit.ListPass, nil, nil)
	stderr, stop := r.run(true)
	if !strings.Contains(stderr.String(), "transit: lists updated") {
		stop()
		t.Fatalf("first sync failed; stderr:\n%s", stderr)
	}
	stop()

	// Version 2 arrives as a fresh snapshot: version 1 stays as the
	// previous generation.
	r.lists.publish(transit.ListDeny, []string{y}, nil)
	r.lists.set(func(b *listBackend) { b.snapshotOnly = true })
	stderr, stop = r.run(true)
	if tap := r.tap(holderY, stderr); tap["reason"] != "deny_list" || tap["deny_version"] != 2.0 {
		stop()
		t.Fatalf("version 2 not in use: %v", tap)
	}
	stop()

	f := newestFile(t, r.listsDir(), "deny")
	b, err := os.ReadFile(f)
	if err != nil {
		t.Fatal(err)
	}
	b[len(b)/2] ^= 0x01
	if err := os.WriteFile(f, b, 0o600); err != nil {
		t.Fatal(err)
	}
	r.lists.set(func(b *listBackend) { b.down = true })

	cmd, lines, stderr := startKioskd(t, r.dir, nil, "run", "--sim", "--config", r.cfg)
	waitLine(t, lines, "ready", 20*time.Second, stderr)
	defer func() { cmd.Process.Signal(os.Interrupt); cmd.Wait() }()
	if tap := r.tap(holderX, stderr); tap["reason"] != "deny_list" || tap["deny_version"] != 1.0 {
		t.Fatalf("after the corrupt file: %v, want a deny on the previous generation (version 1); stderr:\n%s", tap, stderr)
	}
	if tap := r.tap(holderY, stderr); tap["verdict"] != "accept" || tap["deny_version"] != 1.0 {
		t.Fatalf("Y on version 1: %v", tap)
	}
	if !strings.Contains(stderr.String(), "transit: list file refused") {
		t.Errorf("no alert in the log; stderr:\n%s", stderr)
	}
	if v := r.metric(`kiosk_transit_list_faults{list="deny"}`); v == "" || v == "0" {
		t.Errorf("kiosk_transit_list_faults{list=\"deny\"} = %q, want > 0", v)
	}
	if v := r.metric(`kiosk_transit_list_degraded{list="deny"}`); v != "1" {
		t.Errorf("kiosk_transit_list_degraded{list=\"deny\"} = %q, want 1", v)
	}
}

// TestTransitListsRollbackRefused is issue 15: deleting the deny list file
// reset the held version to 0, so an old, validly signed snapshot (replayed
// by an attacker or a stale mirror) was accepted. The version floor lives in
// the store: the old snapshot is refused with an alert.
func TestTransitListsRollbackRefused(t *testing.T) {
	r := newTransitRig(t, "bus-lists-rollback", false, "", "")
	x, y := r.tk.ID(holderX).String(), r.tk.ID(holderY).String()
	r.lists.publish(transit.ListDeny, []string{x}, nil)
	r.lists.publish(transit.ListDeny, []string{y}, nil)
	r.lists.publish(transit.ListPass, nil, nil)
	stderr, stop := r.run(true)
	if tap := r.tap(holderY, stderr); tap["reason"] != "deny_list" || tap["deny_version"] != 2.0 {
		stop()
		t.Fatalf("version 2 not in use: %v", tap)
	}
	stop()

	ents, err := os.ReadDir(r.listsDir())
	if err != nil || len(ents) == 0 {
		t.Fatalf("lists dir: %v, %d entries", err, len(ents))
	}
	for _, e := range ents {
		if err := os.RemoveAll(filepath.Join(r.listsDir(), e.Name())); err != nil {
			t.Fatal(err)
		}
	}
	old := r.lists.snapshot(transit.ListDeny, 1)
	r.lists.set(func(b *listBackend) { b.replay[transit.ListDeny] = old })

	stderr, stop = r.run(true)
	defer stop()
	if tap := r.tap(holderX, stderr); tap["deny_version"] == 1.0 {
		t.Fatalf("rolled back to deny list version 1: %v; stderr:\n%s", tap, stderr)
	}
	if !strings.Contains(stderr.String(), "below the version floor") {
		t.Errorf("no rollback alert; stderr:\n%s", stderr)
	}
	if v := r.metric(`kiosk_transit_list_degraded{list="deny"}`); v != "1" {
		t.Errorf("kiosk_transit_list_degraded{list=\"deny\"} = %q, want 1", v)
	}
}

// TestTransitForgedPassFileIgnored is issue 15: pass.json was loaded
// unsigned, so a forged {"version":999,…} granted passes and blocked every
// real update (999 was "newer" than anything the back-end sent).
func TestTransitForgedPassFileIgnored(t *testing.T) {
	r := newTransitRig(t, "bus-lists-forged", false, "", "")
	now := time.Now().In(tariff.Location())
	p := r.tk.ID(holderP).String()
	if err := os.MkdirAll(r.listsDir(), 0o750); err != nil {
		t.Fatal(err)
	}
	forged := fmt.Sprintf(`{"version":999,"passes":{%q:[{"route":"","year":%d,"month":%d}]}}`, p, now.Year(), now.Month())
	if err := os.WriteFile(filepath.Join(r.listsDir(), "pass.json"), []byte(forged), 0o600); err != nil {
		t.Fatal(err)
	}
	r.lists.publish(transit.ListDeny, nil, nil)
	r.lists.publish(transit.ListPass, nil, nil)
	stderr, stop := r.run(true)
	defer stop()
	tap := r.tap(holderP, stderr)
	if tap["reason"] != "fare" || tap["pass_version"] != 1.0 {
		t.Fatalf("with a forged pass.json: %v, want a fare on the signed pass list version 1; stderr:\n%s", tap, stderr)
	}
}

// TestTransitListsTokenStaysHome is issue 15: the list syncer sent the
// uplink's bearer token to whatever host lists_url named. Now the uplink
// token goes only to the uplink's own origin; another host gets the
// [transit] lists_token when one is configured, else nothing.
func TestTransitListsTokenStaysHome(t *testing.T) {
	for _, tc := range []struct {
		name, extra, want string
	}{
		{"no lists token", "", ""},
		{"lists token", `lists_token = "l1sts"`, "Bearer l1sts"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := newTransitRig(t, "bus-lists-token", false, "", tc.extra)
			r.lists.publish(transit.ListDeny, nil, nil)
			r.lists.publish(transit.ListPass, nil, nil)
			stderr, stop := r.run(true)
			stop()
			r.lists.mu.Lock()
			defer r.lists.mu.Unlock()
			if r.lists.requests == 0 {
				t.Fatalf("no list request; stderr:\n%s", stderr)
			}
			for _, a := range r.lists.auth {
				if a != tc.want {
					t.Fatalf("list service got Authorization %q, want %q", a, tc.want)
				}
			}
		})
	}
}

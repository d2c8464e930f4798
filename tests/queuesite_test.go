package tests

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kiosk06/kiosk/firmware/hospital"
	"github.com/kiosk06/kiosk/firmware/profile"
	"github.com/kiosk06/kiosk/firmware/simrig"
	"github.com/kiosk06/kiosk/queue"
	"github.com/kiosk06/kiosk/queue/staffcall"
)

// siteRig is one site: a queue host (a hospital kioskd serving the queue
// API over TLS with the staff-call desk) and two client kiosks (hospital
// kioskd, --sim, a dispenser button and, on kiosk A, a beacon), each with
// its own token; a counter (staff) and a board (display) token for the
// test. Everything runs as real processes.
type siteRig struct {
	*queueAPIRig
	hostDir string
	kiosks  map[string]*siteKiosk
}

type siteKiosk struct {
	name, dir string
	cmd       *exec.Cmd
	stderr    *syncBuffer
	cc        *controlClient
}

func siteConfig(id, dataDir, extra string) string {
	return `[device]
id = "` + id + `"
profile = "hospital"
data_dir = "` + dataDir + `"

[uplink]
base_url = ""
interval = "1s"

[devices.nfc]
driver = "pn532-uart"
port = "sim"

[devices.scanner]
driver = "scanner"
port = "sim"

[devices.printer]
driver = "escpos"
port = "sim"
width = 576

[devices.button]
driver = "gpio-in"
pin = "sim"

[hospital]
name = "BỆNH VIỆN MÔ PHỎNG"

[ui]
enabled = false
` + extra
}

func newSiteRig(t *testing.T) *siteRig {
	t.Helper()
	r := &siteRig{queueAPIRig: newQueueAPIRig(t, ""), kiosks: map[string]*siteKiosk{}}
	for _, name := range []string{"kiosk-a", "kiosk-b", "quay-1", "bang-sanh"} {
		b := make([]byte, 32)
		rand.Read(b)
		r.tok[name] = hex.EncodeToString(b)
		if err := os.WriteFile(filepath.Join(r.dir, name+".token"), []byte(r.tok[name]+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	r.hostDir = filepath.Join(r.dir, "host")
	os.MkdirAll(r.hostDir, 0o755)
	host := siteConfig("queue-host", filepath.Join(r.hostDir, "var"), `
[queue]
api_listen = "`+r.addr+`"
tls_cert = "`+filepath.Join(r.dir, "queue.crt")+`"
tls_key = "`+filepath.Join(r.dir, "queue.key")+`"
requests_per_second = 100

[[queue.clients]]
name = "kiosk-a"
role = "kiosk"
token_file = "../kiosk-a.token"

[[queue.clients]]
name = "kiosk-b"
role = "kiosk"
token_file = "../kiosk-b.token"

[[queue.clients]]
name = "quay-1"
role = "staff"
token_file = "../quay-1.token"

[[queue.clients]]
name = "bang-sanh"
role = "display"
token_file = "../bang-sanh.token"
`)
	if err := os.WriteFile(filepath.Join(r.hostDir, "kiosk.toml"), []byte(host), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, k := range []struct{ name, prefix, extra string }{
		{"kiosk-a", "KA-", "\n[devices.beacon]\ndriver = \"gpio-out\"\npin = \"sim\"\n"},
		{"kiosk-b", "KB-", ""},
	} {
		dir := filepath.Join(r.dir, k.name)
		os.MkdirAll(dir, 0o755)
		cfg := siteConfig(k.name, filepath.Join(dir, "var"), k.extra+`
[queue]
host = "https://`+r.addr+`"
host_token_file = "../`+k.name+`.token"
host_ca = "`+filepath.Join(r.dir, "ca.pem")+`"
offline_prefix = "`+k.prefix+`"
`)
		if err := os.WriteFile(filepath.Join(dir, "kiosk.toml"), []byte(cfg), 0o644); err != nil {
			t.Fatal(err)
		}
		r.kiosks[k.name] = &siteKiosk{name: k.name, dir: dir}
	}
	return r
}

// startHost starts (or restarts) the queue host.
func (r *siteRig) startHost(t *testing.T) (*exec.Cmd, *syncBuffer) {
	t.Helper()
	cmd, lines, stderr := startKioskd(t, r.hostDir, []string{"DISPLAY=", "WAYLAND_DISPLAY="}, "run", "--sim", "--config", "kiosk.toml")
	waitLine(t, lines, "ready", 30*time.Second, stderr)
	return cmd, stderr
}

func (r *siteRig) startKiosk(t *testing.T, k *siteKiosk) {
	t.Helper()
	sock := filepath.Join(k.dir, "control.sock")
	cmd, lines, stderr := startKioskd(t, k.dir, []string{"DISPLAY=", "WAYLAND_DISPLAY="}, "run", "--sim", "--config", "kiosk.toml", "--control", sock)
	waitLine(t, lines, "ready", 30*time.Second, stderr)
	k.cmd, k.stderr, k.cc = cmd, stderr, dialControl(t, sock)
}

// hostTickets lists the host's tickets of the day.
func (r *siteRig) hostTickets(t *testing.T) ([]queue.Ticket, error) {
	req, _ := http.NewRequest("GET", "https://"+r.addr+"/api/queue/tickets", nil)
	req.Header.Set("Authorization", "Bearer "+r.tok["bang-sanh"])
	resp, err := r.https.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	var ts []queue.Ticket
	if err := json.NewDecoder(resp.Body).Decode(&ts); err != nil {
		return nil, fmt.Errorf("HTTP %d: %v", resp.StatusCode, err)
	}
	return ts, nil
}

// press presses kiosk k's dispenser button, after its cooldown (1 s after
// a ticket, presses are ignored), and waits until done says the number was
// issued.
func press(t *testing.T, k *siteKiosk, done func() bool) {
	t.Helper()
	time.Sleep(1100 * time.Millisecond)
	deadline := time.After(20 * time.Second)
	k.cc.simOK(deadline, k.stderr, profile.SimCommand{Sim: profile.SimPress, Role: "button"})
	siteWait(t, 20*time.Second, k.name+"'s number", done, k.stderr.String)
}

// siteWait is waitFor at a pace the host's request rate allows.
func siteWait(t *testing.T, d time.Duration, what string, cond func() bool, diag func() string) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("not %s within %v; %s", what, d, tail(diag(), 4000))
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// TestSiteQueueKillHost is issue 19's "one queue for many kiosks" through
// real processes: two kiosks take numbers from one host; the host is
// killed (-9) in the middle; the kiosks go on with their own prefixed
// numbers; the host comes back and adopts every one of them, so the
// counter calls them all — and no number was handed out twice.
func TestSiteQueueKillHost(t *testing.T) {
	t.Parallel() // waits on kioskd processes of its own (directory, ports, broker): runs beside the others
	r := newSiteRig(t)
	host, hostErr := r.startHost(t)
	for _, k := range r.kiosks {
		r.startKiosk(t, k)
	}
	a, b := r.kiosks["kiosk-a"], r.kiosks["kiosk-b"]
	count := func() int {
		ts, err := r.hostTickets(t)
		if err != nil {
			t.Logf("host tickets: %v", err)
		}
		return len(ts)
	}
	for i := 1; i <= 2; i++ {
		press(t, a, func() bool { return count() == 2*i-1 })
		press(t, b, func() bool { return count() == 2*i })
	}
	if err := host.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	host.Wait()
	offline := func(k *siteKiosk) int { return strings.Count(k.stderr.String(), "offline number issued") }
	for i := 1; i <= 3; i++ {
		press(t, a, func() bool { return offline(a) == i })
		press(t, b, func() bool { return offline(b) == i })
	}
	_, hostErr = r.startHost(t)
	var ts []queue.Ticket
	siteWait(t, 30*time.Second, "every offline number at the host", func() bool {
		var err error
		ts, err = r.hostTickets(t)
		return err == nil && len(ts) == 10
	}, func() string { return fmt.Sprintf("host has %d: %v\nhost:\n%s", len(ts), ts, hostErr) })
	seen := map[string]bool{}
	for _, tk := range ts {
		if seen[tk.ID] {
			t.Fatalf("%s twice: %v", tk.ID, ts)
		}
		seen[tk.ID] = true
	}
	for _, want := range []string{"A001", "A002", "A003", "A004", "KA-A001", "KA-A002", "KA-A003", "KB-A001", "KB-A002", "KB-A003"} {
		if !seen[want] {
			t.Errorf("%s missing at the host: %v", want, ts)
		}
	}
	// The counter calls every one of them, offline numbers at their place.
	var called []string
	for {
		code, _, body := r.do(t, r.https, "https://"+r.addr, "quay-1", "POST", "/api/queue/counters/1/next", "")
		if code == http.StatusNoContent {
			break
		}
		var tk queue.Ticket
		if code != 200 || json.Unmarshal(body, &tk) != nil {
			t.Fatalf("next: %d %s", code, body)
		}
		called = append(called, tk.ID)
	}
	if len(called) != 10 || called[0] != "A001" || called[4] != "KA-A001" {
		t.Fatalf("called %v", called)
	}
}

// TestSiteHelpAcknowledged is the end-to-end test: two kiosks and
// one counter on one queue host; a patient at kiosk A presses "Gọi nhân
// viên"; the counter's event stream gets the call at once, the kiosk's
// beacon lights, the screen says staff were called; the counter takes the
// call and the kiosk's screen says "Nhân viên đã nhận yêu cầu", the beacon
// goes off, and the kiosk records the acknowledgement. Kiosk B's numbers
// come from the same numbering.
func TestSiteHelpAcknowledged(t *testing.T) {
	t.Parallel() // waits on kioskd processes of its own (directory, ports, broker): runs beside the others
	r := newSiteRig(t)
	_, hostErr := r.startHost(t)
	for _, k := range r.kiosks {
		r.startKiosk(t, k)
	}
	a, b := r.kiosks["kiosk-a"], r.kiosks["kiosk-b"]
	count := func() int {
		ts, err := r.hostTickets(t)
		if err != nil {
			t.Logf("host tickets: %v", err)
		}
		return len(ts)
	}
	press(t, a, func() bool { return count() == 1 })
	press(t, b, func() bool { return count() == 2 })

	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", "https://"+r.addr+"/api/queue/events", nil)
	req.Header.Set("Authorization", "Bearer "+r.tok["quay-1"])
	stream := &http.Client{Transport: r.https.Transport}
	resp, err := stream.Do(req)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("counter stream: %v %v", err, resp)
	}
	defer resp.Body.Close()
	calls, listening := make(chan staffcall.Call, 8), make(chan struct{})
	go func() {
		sc := bufio.NewScanner(resp.Body)
		event := ""
		for sc.Scan() {
			l := sc.Text()
			if v, ok := strings.CutPrefix(l, "event: "); ok {
				if event = v; v == "calls" { // the desk has this counter as a listener
					close(listening)
				}
			}
			if v, ok := strings.CutPrefix(l, "data: "); ok && event == "call" {
				var c staffcall.Call
				if json.Unmarshal([]byte(v), &c) == nil {
					calls <- c
				}
			}
		}
	}()
	select {
	case <-listening:
	case <-time.After(10 * time.Second):
		t.Fatalf("the counter's stream sent no calls; host:\n%s", hostErr)
	}

	deadline := time.After(60 * time.Second)
	state := func(what string, ok func(*hospital.State) bool) *hospital.State {
		l := a.cc.await(deadline, what, a.stderr, func(l profileLine) bool {
			if l.State == nil {
				return false
			}
			var s hospital.State
			return json.Unmarshal(l.State, &s) == nil && ok(&s)
		})
		var s hospital.State
		json.Unmarshal(l.State, &s)
		return &s
	}
	a.cc.intent(hospital.Intent{Kind: hospital.IntentStart}) // the kiosk waits on its welcome screen
	state("identify", func(s *hospital.State) bool { return s.Has(hospital.IntentCallStaff) })
	a.cc.intent(hospital.Intent{Kind: hospital.IntentCallStaff})
	s := state("called", func(s *hospital.State) bool { return s.Help != nil && s.Help.Status == hospital.HelpCalled })
	if !strings.Contains(s.Help.Message.VI, "Đã gọi nhân viên") {
		t.Fatalf("help %+v", s.Help)
	}
	var c staffcall.Call
	select {
	case c = <-calls:
	case <-time.After(10 * time.Second):
		t.Fatal("the counter's stream got no call")
	}
	if c.Kiosk != "kiosk-a" || c.Kind != staffcall.KindHelp || c.Ref != s.Help.Ref || c.Delivered != 1 {
		t.Fatalf("call %+v", c)
	}
	pins := a.cc.simOK(deadline, a.stderr, profile.SimCommand{Sim: simrig.QueryPins})
	if !pins.Pins["beacon"] {
		t.Fatalf("beacon not lit: %v", pins.Pins)
	}
	r.pagesInBrowser(t, c)
	code, _, body := r.do(t, r.https, "https://"+r.addr, "quay-1", "POST", "/api/queue/calls/"+c.ID+"/ack", "")
	if code != 200 {
		t.Fatalf("ack: %d %s", code, body)
	}
	s = state("acknowledged", func(s *hospital.State) bool { return s.Help != nil && s.Help.Status == hospital.HelpAcknowledged })
	if !strings.Contains(s.Help.Message.VI, "Nhân viên đã nhận yêu cầu") {
		t.Fatalf("help %+v", s.Help)
	}
	siteWait(t, 10*time.Second, "the beacon off", func() bool {
		return !a.cc.simOK(deadline, a.stderr, profile.SimCommand{Sim: simrig.QueryPins}).Pins["beacon"]
	}, a.stderr.String)
	siteWait(t, 20*time.Second, "the acknowledgement uploaded", func() bool {
		l := a.cc.simOK(deadline, a.stderr, profile.SimCommand{Sim: simrig.QueryRecords})
		return l.Kinds["hospital.help_ack"] == 1 && l.Kinds["hospital.help"] == 1
	}, a.stderr.String)
	_ = b
}

// pagesInBrowser opens the counter screen and the board in headless
// Chromium, when installed, while call c is open: the counter shows the
// help request and the number it serves, the board the numbers waiting and
// the estimated wait. With KIOSK_SCREENS_DIR set it saves their
// screenshots there (docs/screens).
func (r *siteRig) pagesInBrowser(t *testing.T, c staffcall.Call) {
	t.Helper()
	chromium, err := exec.LookPath("chromium")
	if err != nil {
		t.Fatal("chromium is not installed (make deps installs it): the counter and board pages cannot be seen in a browser")
	}
	// The counter serves a number, so both pages have something to show.
	if code, _, body := r.do(t, r.https, "https://"+r.addr, "quay-1", "POST", "/api/queue/counters/1/next", ""); code != 200 {
		t.Fatalf("next: %d %s", code, body)
	}
	run := func(page, client string, args ...string) string {
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()
		url := "https://" + r.addr + "/queue/" + page + "#token=" + r.tok[client]
		all := append([]string{"--headless", "--no-sandbox", "--disable-gpu", "--ignore-certificate-errors",
			"--user-data-dir=" + t.TempDir(), "--window-size=1280,800", "--virtual-time-budget=3000"}, args...)
		out, err := exec.CommandContext(ctx, chromium, append(all, url)...).Output()
		if err != nil {
			t.Fatalf("chromium %s: %v", page, err)
		}
		return string(out)
	}
	dom := run("counter", "quay-1", "--dump-dom")
	for _, want := range []string{"Người bệnh cần hỗ trợ (mã " + c.Ref + ") — máy kiosk-a", `data-call="` + c.ID + `"`, ">A001<"} {
		if !strings.Contains(dom, want) {
			t.Errorf("counter page lacks %q:\n%s", want, dom)
		}
	}
	dom = run("board", "bang-sanh", "--dump-dom")
	for _, want := range []string{"A001", "Mời đến quầy / phòng 1", "A002", "Khoảng 5 phút"} {
		if !strings.Contains(dom, want) {
			t.Errorf("board page lacks %q:\n%s", want, dom)
		}
	}
	if dir := os.Getenv("KIOSK_SCREENS_DIR"); dir != "" {
		abs, _ := filepath.Abs(dir)
		run("counter", "quay-1", "--screenshot="+filepath.Join(abs, "queue-counter.png"))
		run("board", "bang-sanh", "--screenshot="+filepath.Join(abs, "queue-board.png"), "--window-size=1920,1080")
	}
}

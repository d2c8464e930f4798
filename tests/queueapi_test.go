package tests

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kiosk06/kiosk/queue"
)

// TestQueueAPIConfigCheck is issue 15's finding at the command line: the
// hospital example's [queue] section bound 0.0.0.0:8407 over plain HTTP
// with literal tokens and `kioskd config check` said ok. Such a section is
// refused now (exit 2, naming both keys, echoing no token), and the
// example shipped today passes.
func TestQueueAPIConfigCheck(t *testing.T) {
	dir := t.TempDir()
	old := filepath.Join(dir, "old.toml")
	os.WriteFile(old, []byte(`[device]
id = "bvtw-hue-kiosk-03"
profile = "hospital"

[queue]
api_listen = "0.0.0.0:8407"

[queue.tokens]
"display-board-tang2-7c1f9a" = "display"
"counter-staff-noi-3b8e2d41" = "staff"
`), 0o644)
	out, err := exec.CommandContext(context.Background(), kioskdBin, "config", "check", old).CombinedOutput()
	var ee *exec.ExitError
	if !errorsAs(err, &ee) || ee.ExitCode() != 2 {
		t.Fatalf("old example: %v, want exit 2; output:\n%s", err, out)
	}
	for _, want := range []string{"old.toml:6: queue.api_listen", "old.toml:8: queue.tokens"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(string(out), "7c1f9a") || strings.Contains(string(out), "3b8e2d41") {
		t.Errorf("a token echoed:\n%s", out)
	}
	example := filepath.Join("..", "firmware", "config", "examples", "hospital.toml")
	if out, err := exec.CommandContext(context.Background(), kioskdBin, "config", "check", example).CombinedOutput(); err != nil {
		t.Fatalf("the shipped example: %v\n%s", err, out)
	}
}

// queueAPIRig is a hospital kioskd (simulated devices) serving the queue
// API over TLS on a free loopback port, with metrics on another.
type queueAPIRig struct {
	dir, addr, metrics string
	tok                map[string]string // client name → token
	https              *http.Client      // trusts the test CA (as curl --cacert)
}

// newQueueAPIRig writes the CA, the API's certificate and key, the token
// files and the configuration, with clients as its [[queue.clients]]
// entries, into a fresh directory. A client may issue 3 tickets back to
// back, then one every 10 minutes: the test never waits that long.
func newQueueAPIRig(t *testing.T, clients string) *queueAPIRig {
	t.Helper()
	r := &queueAPIRig{dir: t.TempDir(), addr: freeLoopback(t), metrics: freeLoopback(t), tok: map[string]string{}}
	ca, cert, key := writeServerPKI(t, r.dir)
	for _, name := range []string{"attacker", "kiosk-sanh", "bang-tang2"} {
		b := make([]byte, 32)
		rand.Read(b)
		r.tok[name] = hex.EncodeToString(b)
		if err := os.WriteFile(filepath.Join(r.dir, name+".token"), []byte(r.tok[name]+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	cfg := `[device]
id = "queue-e2e-1"
profile = "hospital"
data_dir = "` + filepath.Join(r.dir, "var") + `"

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

[hospital]
name = "BỆNH VIỆN MÔ PHỎNG"

[ui]
enabled = false

[metrics]
listen = "` + r.metrics + `"

[queue]
api_listen = "` + r.addr + `"
tls_cert = "` + cert + `"
tls_key = "` + key + `"
issue_per_minute = 0.1
issue_burst = 3
issue_daily_cap = 5
` + clients
	if err := os.WriteFile(filepath.Join(r.dir, "kiosk.toml"), []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	pemCA, _ := os.ReadFile(ca)
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(pemCA)
	r.https = &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}, Timeout: 10 * time.Second}
	return r
}

const queueAPIClients = `
[[queue.clients]]
name = "attacker"
role = "kiosk"
token_file = "attacker.token"

[[queue.clients]]
name = "kiosk-sanh"
role = "kiosk"
token_file = "kiosk-sanh.token"

[[queue.clients]]
name = "bang-tang2"
role = "display"
token_file = "bang-tang2.token"
`

// do sends one request as client and returns the status, headers and body.
func (r *queueAPIRig) do(t *testing.T, c *http.Client, url, client, method, path, body string) (int, http.Header, []byte) {
	t.Helper()
	req, _ := http.NewRequest(method, url+path, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+r.tok[client])
	resp, err := c.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, b
}

// TestQueueAPIOverTLS runs the hospital kioskd with its queue API over
// TLS and replays issue 15's attack through the real process: a plain
// HTTP request is refused and takes no number; one kiosk token fires 999
// ticket requests and gets its burst of 3, the rest answered 429 with
// Retry-After; another kiosk still gets the next number, the board shows
// no number lost to the refusals, and the metrics count them.
func TestQueueAPIOverTLS(t *testing.T) {
	r := newQueueAPIRig(t, queueAPIClients)
	cmd, lines, stderr := startKioskd(t, r.dir, []string{"DISPLAY=", "WAYLAND_DISPLAY="}, "run", "--sim", "--config", "kiosk.toml")
	waitLine(t, lines, "ready", 30*time.Second, stderr)
	base := "https://" + r.addr
	issue := `{"service":"A","priority":"normal"}`

	code, _, body := r.do(t, &http.Client{Timeout: 10 * time.Second}, "http://"+r.addr, "attacker", "POST", "/api/queue/tickets", issue)
	if code != http.StatusBadRequest || !strings.Contains(string(body), "HTTPS") {
		t.Fatalf("plain HTTP: %d %s", code, body)
	}

	created, limited := 0, 0
	for i := range 999 {
		code, h, body := r.do(t, r.https, base, "attacker", "POST", "/api/queue/tickets", issue)
		switch code {
		case http.StatusCreated:
			created++
		case http.StatusTooManyRequests:
			limited++
			if ra := h.Get("Retry-After"); ra == "" || ra == "0" {
				t.Fatalf("request %d: 429 without Retry-After: %s", i+1, body)
			}
		default:
			t.Fatalf("request %d: HTTP %d %s; stderr:\n%s", i+1, code, body, stderr)
		}
	}
	if created != 3 || limited != 996 {
		t.Fatalf("one token: %d issued, %d refused; want 3 and 996", created, limited)
	}
	var tk queue.Ticket
	code, _, body = r.do(t, r.https, base, "kiosk-sanh", "POST", "/api/queue/tickets", issue)
	if err := json.Unmarshal(body, &tk); code != http.StatusCreated || err != nil || tk.ID != "A004" {
		t.Fatalf("another kiosk after the attack: HTTP %d %s (want A004: the plain request and the refusals took no number)", code, body)
	}
	var b queue.Board
	code, _, body = r.do(t, r.https, base, "bang-tang2", "GET", "/api/queue/board", "")
	if err := json.Unmarshal(body, &b); code != 200 || err != nil || b.Services[0].LastIssued != 4 {
		t.Fatalf("board: HTTP %d %s", code, body)
	}
	if code, _, _ := r.do(t, r.https, base, "bang-tang2", "POST", "/api/queue/tickets", issue); code != http.StatusForbidden {
		t.Fatalf("display issuing: HTTP %d", code)
	}

	resp, err := http.Get("http://" + r.metrics + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	m, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	// At the loop's pace most refusals come from the request rate (10 a
	// second), the rest from the issue rate; together every one.
	if v := metricValues(string(m), "kiosk_queue_api_refusals"); v[`reason="issue_rate"`] < 1 || v[`reason="issue_rate"`]+v[`reason="request_rate"`] != 996 {
		t.Errorf("refusals by reason %v, want issue_rate and request_rate adding to 996", v)
	}
	if v := metricValues(string(m), "kiosk_queue_api_client_refusals"); v[`client="attacker"`] != 996 || v[`client="bang-tang2"`] != 1 {
		t.Errorf("refusals by client %v", v)
	}
	logs := stderr.String()
	for name, tok := range r.tok {
		if strings.Contains(logs, tok) {
			t.Fatalf("%s's token in kioskd's log", name)
		}
	}
	n := 0
	for _, l := range strings.Split(logs, "\n") {
		if strings.Contains(l, "request refused") && strings.Contains(l, "attacker") {
			n++
		}
	}
	if n != 2 {
		t.Errorf("%d refusal log lines for the attacker's 996 refusals, want 2 (one a minute per reason):\n%s", n, logs)
	}
	cmd.Process.Signal(os.Interrupt)
	if err := cmd.Wait(); err != nil {
		t.Fatalf("exit: %v; stderr:\n%s", err, stderr)
	}
}

// TestQueueAPIWeakTokenFile: kioskd refuses to start with a token file an
// attacker could guess (the old example's token) or other users can read,
// and says which client and why.
func TestQueueAPIWeakTokenFile(t *testing.T) {
	for name, prep := range map[string]func(dir string){
		"weak token": func(dir string) {
			os.WriteFile(filepath.Join(dir, "attacker.token"), []byte("counter-staff-noi-3b8e2d41\n"), 0o600)
		},
		"world-readable": func(dir string) { os.Chmod(filepath.Join(dir, "attacker.token"), 0o644) },
	} {
		t.Run(name, func(t *testing.T) {
			r := newQueueAPIRig(t, queueAPIClients)
			prep(r.dir)
			cmd, lines, stderr := startKioskd(t, r.dir, []string{"DISPLAY=", "WAYLAND_DISPLAY="}, "run", "--sim", "--config", "kiosk.toml")
			for range lines {
			}
			err := cmd.Wait()
			var ee *exec.ExitError
			if !errorsAs(err, &ee) || ee.ExitCode() == 0 {
				t.Fatalf("kioskd ran: %v", err)
			}
			want := map[string]string{"weak token": "weak token", "world-readable": "open to other users"}[name]
			if msg := stderr.String(); !strings.Contains(msg, "queue client attacker") || !strings.Contains(msg, want) {
				t.Fatalf("stderr does not say which client and why:\n%s", msg)
			}
		})
	}
}

// freeLoopback is a 127.0.0.1 address whose port was free a moment ago.
func freeLoopback(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// writeServerPKI writes a throw-away CA and a certificate for 127.0.0.1
// with its key (mode 0600) into dir.
func writeServerPKI(t *testing.T, dir string) (ca, cert, key string) {
	t.Helper()
	caKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	caTmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "e2e queue CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	caCert, _ := x509.ParseCertificate(caDER)
	k, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "queue-e2e-1"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}, KeyUsage: x509.KeyUsageDigitalSignature,
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, caCert, &k.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	kder, _ := x509.MarshalECPrivateKey(k)
	write := func(name, typ string, b []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: b}), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	return write("ca.pem", "CERTIFICATE", caDER), write("queue.crt", "CERTIFICATE", der), write("queue.key", "EC PRIVATE KEY", kder)
}

// metricValues maps the label sets of metric name to their values in a
// Prometheus text exposition.
func metricValues(text, name string) map[string]float64 {
	out := map[string]float64{}
	for _, l := range strings.Split(text, "\n") {
		rest, ok := strings.CutPrefix(l, name+"{")
		if !ok {
			continue
		}
		labels, value, ok := strings.Cut(rest, "} ")
		var v float64
		if _, err := fmt.Sscan(value, &v); ok && err == nil {
			out[labels] = v
		}
	}
	return out
}

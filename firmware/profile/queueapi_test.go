package profile

import (
	"bufio"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"io"
	"log/slog"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kiosk06/kiosk/firmware/config"
	"github.com/kiosk06/kiosk/firmware/metrics"
	"github.com/kiosk06/kiosk/queue"
	"github.com/kiosk06/kiosk/queue/queueapi"
)

// writeToken writes a fresh random token to dir/name with mode and
// returns it.
func writeToken(t *testing.T, dir, name string, mode os.FileMode) string {
	t.Helper()
	b := make([]byte, 32)
	rand.Read(b)
	tok := hex.EncodeToString(b)
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(tok+"\n"), mode); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(p, mode); err != nil {
		t.Fatal(err)
	}
	return tok
}

func TestQueueClients(t *testing.T) {
	cfgDir, credDir := t.TempDir(), t.TempDir()
	abs := writeToken(t, cfgDir, "abs.token", 0o600)
	rel := writeToken(t, cfgDir, "rel.token", 0o640)
	cred := writeToken(t, credDir, "rel.token", 0o400)
	q := config.Queue{Clients: []config.QueueClient{
		{Name: "board", Role: "display", TokenFile: filepath.Join(cfgDir, "abs.token")},
		{Name: "kiosk", Role: "kiosk", TokenFile: "rel.token", Priorities: []string{"age_75"}, IssueDailyCap: 300},
		{Name: "p201", Role: "staff", TokenFile: "rel.token", Counters: []string{"P201"}},
	}}
	cfgFile := filepath.Join(cfgDir, "kiosk.toml")
	for _, tc := range []struct {
		credDir, want string
	}{{"", rel}, {credDir, cred}} {
		cs, err := queueClients(q, cfgFile, tc.credDir)
		if err != nil {
			t.Fatal(err)
		}
		if cs[0].Token != abs || cs[0].Role != queueapi.Display || cs[1].Token != tc.want || cs[1].Role != queueapi.Kiosk ||
			cs[1].Priorities[0] != queue.Age75 || cs[1].Limits.DailyCap != 300 || cs[2].Role != queueapi.Staff || cs[2].Counters[0] != "P201" {
			t.Fatalf("credentials dir %q: %+v", tc.credDir, cs)
		}
	}
	writeToken(t, cfgDir, "open.token", 0o644)
	os.WriteFile(filepath.Join(cfgDir, "weak.token"), []byte("display-board-tang2-7c1f9a\n"), 0o600)
	for file, want := range map[string]error{"open.token": queueapi.ErrExposedFile, "weak.token": queueapi.ErrWeakToken, "none.token": os.ErrNotExist} {
		q := config.Queue{Clients: []config.QueueClient{{Name: "bad", Role: "display", TokenFile: file}}}
		if _, err := queueClients(q, cfgFile, ""); !errors.Is(err, want) || !strings.Contains(err.Error(), "queue client bad") {
			t.Errorf("%s: %v, want %v naming the client", file, err, want)
		}
	}
}

// serverPKI writes a CA and a server certificate for 127.0.0.1 valid until
// notAfter into dir.
func serverPKI(t *testing.T, dir string, notAfter time.Time) (ca, cert, key string) {
	t.Helper()
	caKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	caTmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "test CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(48 * time.Hour), IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign}
	caDER, _ := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	caCert, _ := x509.ParseCertificate(caDER)
	k, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "kiosk"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: notAfter, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		KeyUsage: x509.KeyUsageDigitalSignature, IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}}
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

// TestServeQueueAPI starts the API as the hospital profile does, over TLS:
// the board over HTTPS, plain HTTP refused, the issue limit with its
// metric, and a stop that does not wait for an open event stream.
func TestServeQueueAPI(t *testing.T) {
	dir := t.TempDir()
	ca, cert, key := serverPKI(t, dir, time.Now().Add(24*time.Hour))
	kioskTok := writeToken(t, dir, "kiosk.token", 0o600)
	addr := freeAddr(t)
	cfg := config.Default()
	cfg.File = filepath.Join(dir, "kiosk.toml")
	cfg.Queue = config.Queue{APIListen: addr, TLSCert: cert, TLSKey: key,
		IssuePerMinute: 1, IssueBurst: 2, IssueDailyCap: 50, RequestsPerSecond: 100, StreamsPerClient: 2,
		Clients: []config.QueueClient{{Name: "kiosk-sanh", Role: "kiosk", TokenFile: "kiosk.token"}}}
	var logs logBuffer
	e := &Env{Config: cfg, Log: slog.New(slog.NewJSONHandler(&logs, nil)), Metrics: metrics.New()}
	eng, err := queue.Open(context.Background(), queue.Config{Services: []queue.Service{{Code: "A", Name: "Khám", Counters: []string{"1"}}}}, &queue.MemoryJournal{})
	if err != nil {
		t.Fatal(err)
	}
	c, err := serveQueueAPI(eng, nil, *e)
	if err != nil {
		t.Fatal(err)
	}
	stopped := false
	defer func() {
		if !stopped {
			c.Stop(context.Background())
		}
	}()
	if !strings.Contains(logs.String(), "certificate expires soon") {
		t.Errorf("no expiry warning for a certificate ending tomorrow:\n%s", logs.String())
	}

	pemCA, _ := os.ReadFile(ca)
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(pemCA)
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}, Timeout: 5 * time.Second}
	do := func(c *http.Client, scheme, method, path, body string) (*http.Response, error) {
		req, _ := http.NewRequest(method, scheme+"://"+addr+path, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+kioskTok)
		return c.Do(req)
	}
	var codes []int
	for range 4 {
		resp, err := do(client, "https", "POST", "/api/queue/tickets", `{"service":"A"}`)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		codes = append(codes, resp.StatusCode)
	}
	if codes[0] != 201 || codes[1] != 201 || codes[2] != 429 || codes[3] != 429 {
		t.Fatalf("issue codes %v, want 201 201 429 429", codes)
	}
	resp, err := do(&http.Client{Timeout: 5 * time.Second}, "http", "POST", "/api/queue/tickets", `{"service":"A"}`)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 400 || !strings.Contains(string(body), "HTTPS") {
		t.Fatalf("plain HTTP: %d %s", resp.StatusCode, body)
	}
	if b, _ := eng.Board(context.Background()); b.Services[0].LastIssued != 2 {
		t.Fatalf("%d numbers taken, want 2", b.Services[0].LastIssued)
	}
	rec := httptest.NewRecorder()
	e.Metrics.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	for _, want := range []string{`kiosk_queue_api_refusals{reason="issue_rate"} 2`, `kiosk_queue_api_client_refusals{client="kiosk-sanh"} 2`} {
		if !strings.Contains(rec.Body.String(), want) {
			t.Errorf("metrics lack %s", want)
		}
	}
	if strings.Contains(logs.String(), kioskTok) {
		t.Fatal("a token in the log")
	}

	// An open event stream does not hold the stop.
	resp, err = do(client, "https", "GET", "/api/queue/events", "")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if line, err := bufio.NewReader(resp.Body).ReadString('\n'); err != nil || !strings.HasPrefix(line, "id: ") {
		t.Fatalf("stream: %q %v", line, err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	start := time.Now()
	stopped = true
	if err := c.Stop(ctx); err != nil || time.Since(start) > time.Second {
		t.Fatalf("stop with an open stream: %v after %v", err, time.Since(start))
	}
}

func TestServeQueueAPIRefuses(t *testing.T) {
	dir := t.TempDir()
	writeToken(t, dir, "k.token", 0o600)
	_, cert, key := serverPKI(t, dir, time.Now().Add(365*24*time.Hour))
	os.Chmod(key, 0o644)
	clients := []config.QueueClient{{Name: "k", Role: "kiosk", TokenFile: filepath.Join(dir, "k.token")}}
	eng, _ := queue.Open(context.Background(), queue.Config{Services: []queue.Service{{Code: "A", Name: "Khám", Counters: []string{"1"}}}}, &queue.MemoryJournal{})
	for name, tc := range map[string]struct {
		q    config.Queue
		want error
	}{
		// config check refuses these first; the wiring refuses them again.
		"plain HTTP on the LAN": {config.Queue{APIListen: "0.0.0.0:0", Clients: clients}, errQueuePlainHTTP},
		"exposed TLS key":       {config.Queue{APIListen: "127.0.0.1:0", TLSCert: cert, TLSKey: key, Clients: clients}, queueapi.ErrExposedFile},
		"no clients":            {config.Queue{APIListen: "127.0.0.1:0"}, queueapi.ErrConfig},
	} {
		cfg := config.Default()
		cfg.Queue = tc.q
		c, err := serveQueueAPI(eng, nil, Env{Config: cfg, Log: slog.New(slog.DiscardHandler), Metrics: metrics.New()})
		if !errors.Is(err, tc.want) {
			t.Errorf("%s: %v, want %v", name, err, tc.want)
		}
		if err == nil {
			c.Stop(context.Background())
		}
	}
}

func TestCheckCertExpiry(t *testing.T) {
	now := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		left time.Duration
		want string
	}{{-time.Hour, "has expired"}, {10 * 24 * time.Hour, "expires soon"}, {90 * 24 * time.Hour, ""}} {
		var logs logBuffer
		checkCertExpiry(slog.New(slog.NewTextHandler(&logs, nil)), &x509.Certificate{NotAfter: now.Add(tc.left)}, now)
		if got := logs.String(); (tc.want == "") != (got == "") || !strings.Contains(got, tc.want) {
			t.Errorf("%v left: log %q, want %q", tc.left, got, tc.want)
		}
	}
}

// logBuffer collects log output written from many goroutines.
type logBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

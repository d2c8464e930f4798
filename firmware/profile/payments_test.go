package profile

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
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
	"testing"
	"time"

	"github.com/kiosk06/kiosk/firmware/config"
	"github.com/kiosk06/kiosk/firmware/metrics"
	"github.com/kiosk06/kiosk/firmware/netclient"
	"github.com/kiosk06/kiosk/payments/session"
	"github.com/kiosk06/kiosk/payments/session/sessionfake"
)

const payAccount = "0011001234567"

// payEnv is a device configuration with a checksum key file, for
// StartPayments.
func payEnv(t *testing.T) (*Env, []byte) {
	t.Helper()
	dir := t.TempDir()
	key := []byte("9a0b1c2d3e4f5061728394a5b6c7d8e9f0a1b2c3d4e5f60718293a4b5c6d7e8f")
	kf := filepath.Join(dir, "payment-confirm.key")
	if err := os.WriteFile(kf, append(key, '\n'), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg := config.Default()
	cfg.Device.ID, cfg.Device.DataDir = "kiosk-pay-1", dir
	cfg.Payments.ConfirmKeyFile, cfg.Payments.MaxAge, cfg.Payments.ClockSkew = kf, config.Duration(5*time.Minute), config.Duration(2*time.Minute)
	cfg.Payments.Timeout = config.Duration(5 * time.Second)
	return &Env{Config: cfg, Log: slog.New(slog.DiscardHandler), Metrics: metrics.New()}, key
}

func payConfig(base string) session.Config {
	return session.Config{DeviceID: "kiosk-pay-1", RefPrefix: "BV", BIN: "970436", Account: payAccount, Name: "BENH VIEN", BaseURL: base,
		PollInitial: 10 * time.Millisecond, PollMax: 20 * time.Millisecond}
}

func stopAll(t *testing.T, parts []Component) {
	t.Helper()
	for _, c := range parts {
		if err := c.Stop(context.Background()); err != nil {
			t.Error(err)
		}
	}
}

func shownSession(t *testing.T, mgr *session.Manager) session.Info {
	t.Helper()
	ctx := context.Background()
	s, err := mgr.Create(ctx, 50000, "Vien phi")
	if err != nil {
		t.Fatal(err)
	}
	if s, err = mgr.Shown(ctx, s.Ref); err != nil {
		t.Fatal(err)
	}
	return s
}

// The payment client trusts the configured CA (not the system roots),
// sends the configured bearer token and believes only the signed reply.
func TestPaymentClientTLSAndToken(t *testing.T) {
	e, key := payEnv(t)
	fake := sessionfake.New(sessionfake.Options{Key: key, Account: payAccount, Token: "pay-token-1", TLS: true})
	defer fake.Close()
	ca := filepath.Join(e.Config.Device.DataDir, "ca.pem")
	if err := os.WriteFile(ca, fake.CertPEM(), 0o600); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()

	// Without the CA the back-end's certificate is not trusted: no reply at all.
	mgr, parts, err := StartPayments(ctx, *e, payConfig(fake.URL()), &session.MemoryRecorder{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	s := shownSession(t, mgr)
	fake.Pay(s.Ref, 50000)
	if got, err := mgr.Poll(ctx, s.Ref); !errors.Is(err, session.ErrBackend) || !strings.Contains(err.Error(), "certificate") || got.State == session.Paid {
		t.Fatalf("poll without the CA: %s, %v", got.State, err)
	}
	stopAll(t, parts)

	e.Config.Payments.CAFile, e.Config.Payments.Token = ca, "pay-token-1"
	e.Metrics = metrics.New() // a process starts its payments once
	mgr, parts, err = StartPayments(ctx, *e, payConfig(fake.URL()), &session.MemoryRecorder{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer stopAll(t, parts)
	s = shownSession(t, mgr)
	fake.Forge(s.Ref, sessionfake.Unsigned, 50000)
	if got, err := mgr.Poll(ctx, s.Ref); !errors.Is(err, session.ErrUnauthorized) || got.State != session.QRShown {
		t.Fatalf("unsigned reply over TLS: %s, %v", got.State, err)
	}
	fake.Forge(s.Ref, sessionfake.Genuine, 0)
	fake.Pay(s.Ref, 50000)
	if got, err := mgr.Poll(ctx, s.Ref); err != nil || got.State != session.Paid {
		t.Fatalf("signed reply over TLS: %s, %v", got.State, err)
	}
	if !strings.Contains(scrape(e), `kiosk_payment_confirmations_rejected{reason="bad_signature"} 1`) {
		t.Errorf("metrics:\n%s", scrape(e))
	}
}

func scrape(e *Env) string {
	rec := httptest.NewRecorder()
	e.Metrics.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	b, _ := io.ReadAll(rec.Body)
	return string(b)
}

// The uplink's TLS files and token serve the payment back-end only when it
// is the uplink's own origin.
func TestPaymentTransportFallback(t *testing.T) {
	dir := t.TempDir()
	tok := filepath.Join(dir, "uplink.token")
	if err := os.WriteFile(tok, []byte("uplink-secret\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg := config.Default()
	cfg.Uplink = config.Uplink{BaseURL: "https://backend.example.vn", TokenFile: tok, CAFile: "/etc/u/ca.pem", ClientCert: "/etc/u/c.pem", ClientKey: "/etc/u/k.pem"}
	uplinkTLS := netclient.TLS{CAFile: "/etc/u/ca.pem", ClientCert: "/etc/u/c.pem", ClientKey: "/etc/u/k.pem"}
	for _, tc := range []struct {
		name, base string
		own        config.Payments
		tls        netclient.TLS
		token      string
	}{
		{"same origin", "https://backend.example.vn/pay", config.Payments{}, uplinkTLS, "uplink-secret"},
		{"same origin, own token and CA", "https://backend.example.vn:443", config.Payments{Token: "p", CAFile: "/p/ca.pem"},
			netclient.TLS{CAFile: "/p/ca.pem", ClientCert: "/etc/u/c.pem", ClientKey: "/etc/u/k.pem"}, "p"},
		{"another server", "https://pay.example.vn", config.Payments{}, netclient.TLS{}, ""},
		{"another port", "https://backend.example.vn:8443", config.Payments{Token: "p"}, netclient.TLS{}, "p"},
	} {
		cfg.Payments = tc.own
		gotTLS, gotTok, err := paymentTransport(cfg, tc.base)
		if err != nil || gotTLS != tc.tls || gotTok != tc.token {
			t.Errorf("%s: %+v %q %v; want %+v %q", tc.name, gotTLS, gotTok, err, tc.tls, tc.token)
		}
	}
}

// The push hook listens only when [payments] push_listen is set, over TLS,
// and believes what a poll would: signed, fresh, this device's account.
func TestPaymentPushListener(t *testing.T) {
	e, key := payEnv(t)
	fake := sessionfake.New(sessionfake.Options{Key: key, Account: payAccount})
	defer fake.Close()
	ctx := context.Background()
	addr := freeAddr(t)

	_, parts, err := StartPayments(ctx, *e, payConfig(fake.URL()), &session.MemoryRecorder{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(parts) != 1 {
		t.Fatalf("%d components without push_listen, want the sweep only", len(parts))
	}
	if c, err := net.Dial("tcp", addr); err == nil {
		c.Close()
		t.Fatal("something listens on the push address without push_listen")
	}
	stopAll(t, parts)

	certPEM, cert, keyFile := selfSigned(t, e.Config.Device.DataDir)
	e.Config.Payments.PushListen, e.Config.Payments.PushCert, e.Config.Payments.PushKey = addr, cert, keyFile
	e.Metrics = metrics.New()
	mgr, parts, err := StartPayments(ctx, *e, payConfig(fake.URL()), &session.MemoryRecorder{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer stopAll(t, parts)
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(certPEM)
	client := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, ServerName: "localhost"}}}
	push := func(body []byte) int {
		t.Helper()
		resp, err := client.Post("https://"+addr+pushPath, "application/json", bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	s := shownSession(t, mgr)
	for _, f := range []sessionfake.Forgery{sessionfake.Unsigned, sessionfake.WrongKey, sessionfake.Tampered, sessionfake.Stale, sessionfake.WrongAccount} {
		fake.Forge(s.Ref, f, 50000)
		body, _ := fake.Reply(s.Ref)
		if code := push(body); code != http.StatusUnauthorized {
			t.Errorf("%s push: HTTP %d, want 401", f, code)
		}
	}
	if got, _ := mgr.Get(ctx, s.Ref); got.State != session.QRShown {
		t.Fatalf("after forged pushes: %s", got.State)
	}
	fake.Forge(s.Ref, sessionfake.Genuine, 0)
	fake.Pay(s.Ref, 50000)
	body, _ := fake.Reply(s.Ref)
	if code := push(body); code != http.StatusOK {
		t.Fatalf("genuine push: HTTP %d", code)
	}
	if got, _ := mgr.Get(ctx, s.Ref); got.State != session.Paid {
		t.Fatalf("after the genuine push: %s", got.State)
	}
	// Plain HTTP is not served on the TLS listener.
	if resp, err := http.Post("http://"+addr+pushPath, "application/json", bytes.NewReader(body)); err == nil {
		resp.Body.Close()
		if resp.StatusCode == http.StatusOK {
			t.Fatal("the push listener answered plain HTTP")
		}
	}
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// selfSigned writes a certificate for localhost/127.0.0.1 and its key.
func selfSigned(t *testing.T, dir string) (certPEM []byte, certFile, keyFile string) {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "kiosk push"}, DNSNames: []string{"localhost"},
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}, NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true, IsCA: true}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &k.PublicKey, k)
	if err != nil {
		t.Fatal(err)
	}
	kb, err := x509.MarshalECPrivateKey(k)
	if err != nil {
		t.Fatal(err)
	}
	certPEM = pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	certFile, keyFile = filepath.Join(dir, "push.crt"), filepath.Join(dir, "push.key")
	if err := os.WriteFile(certFile, certPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kb}), 0o600); err != nil {
		t.Fatal(err)
	}
	return certPEM, certFile, keyFile
}

package queueapi

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"io"
	"log"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// testPKI writes a throw-away CA, a server certificate for 127.0.0.1 and a
// client certificate into dir and returns their paths.
type testPKI struct{ ca, serverCert, serverKey, clientCert, clientKey string }

func newTestPKI(t *testing.T, dir string) testPKI {
	t.Helper()
	caKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	caTmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "queue test CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	ca, _ := x509.ParseCertificate(caDER)
	write := func(name string, typ string, der []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	issue := func(serial int64, name string, usage x509.ExtKeyUsage) (string, string) {
		key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		tmpl := &x509.Certificate{SerialNumber: big.NewInt(serial), Subject: pkix.Name{CommonName: name},
			NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
			ExtKeyUsage: []x509.ExtKeyUsage{usage}, KeyUsage: x509.KeyUsageDigitalSignature,
			IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &key.PublicKey, caKey)
		if err != nil {
			t.Fatal(err)
		}
		kder, _ := x509.MarshalECPrivateKey(key)
		return write(name+".crt", "CERTIFICATE", der), write(name+".key", "EC PRIVATE KEY", kder)
	}
	p := testPKI{ca: write("ca.pem", "CERTIFICATE", caDER)}
	p.serverCert, p.serverKey = issue(2, "server", x509.ExtKeyUsageServerAuth)
	p.clientCert, p.clientKey = issue(3, "client", x509.ExtKeyUsageClientAuth)
	return p
}

// tlsClient trusts the test CA and presents cert/key when given.
func tlsClient(t *testing.T, p testPKI, withCert bool) *http.Client {
	t.Helper()
	pem, _ := os.ReadFile(p.ca)
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(pem)
	cfg := &tls.Config{RootCAs: pool}
	if withCert {
		c, err := tls.LoadX509KeyPair(p.clientCert, p.clientKey)
		if err != nil {
			t.Fatal(err)
		}
		cfg.Certificates = []tls.Certificate{c}
	}
	return &http.Client{Transport: &http.Transport{TLSClientConfig: cfg}, Timeout: 5 * time.Second}
}

func get(c *http.Client, url, token string) (int, string, error) {
	req, _ := http.NewRequest("GET", url+"/api/queue/board", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := c.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), nil
}

// TestServerTLS serves the API with ServerTLS: a client that trusts the CA
// gets the board; plain HTTP to the same port is answered 400 and never
// reaches the API; with a client CA, a client without a certificate is
// refused in the handshake.
func TestServerTLS(t *testing.T) {
	p := newTestPKI(t, t.TempDir())
	for _, mutual := range []bool{false, true} {
		rg := newRig(t, nil)
		rg.Close()
		clientCA := ""
		if mutual {
			clientCA = p.ca
		}
		cfg, err := ServerTLS(p.serverCert, p.serverKey, clientCA)
		if err != nil {
			t.Fatal(err)
		}
		srv := httptest.NewUnstartedServer(rg.api)
		srv.TLS = cfg
		srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the refused handshakes are expected
		srv.StartTLS()
		defer srv.Close()

		if code, body, err := get(tlsClient(t, p, mutual), srv.URL, rg.tok["disp"]); err != nil || code != 200 {
			t.Fatalf("mutual %v: HTTPS: %d %s %v", mutual, code, body, err)
		}
		plain := strings.Replace(srv.URL, "https://", "http://", 1)
		if code, body, err := get(&http.Client{Timeout: 5 * time.Second}, plain, rg.tok["disp"]); err != nil || code != 400 || !strings.Contains(body, "HTTPS") {
			t.Fatalf("mutual %v: plain HTTP: %d %q %v", mutual, code, body, err)
		}
		if _, _, err := get(&http.Client{Timeout: 5 * time.Second}, srv.URL, rg.tok["disp"]); err == nil {
			t.Fatalf("mutual %v: a client without the CA accepted the server", mutual)
		}
		if mutual {
			if code, _, err := get(tlsClient(t, p, false), srv.URL, rg.tok["disp"]); err == nil {
				t.Fatalf("no client certificate: HTTP %d", code)
			}
		}
	}
}

func TestServerTLSFiles(t *testing.T) {
	dir := t.TempDir()
	p := newTestPKI(t, dir)
	if err := os.Chmod(p.serverKey, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := ServerTLS(p.serverCert, p.serverKey, ""); !errors.Is(err, ErrExposedFile) {
		t.Fatalf("world-readable key: %v", err)
	}
	os.Chmod(p.serverKey, 0o600)
	for name, files := range map[string][3]string{
		"missing key":      {p.serverCert, filepath.Join(dir, "none.key"), ""},
		"key of another":   {p.serverCert, p.clientKey, ""},
		"client CA no PEM": {p.serverCert, p.serverKey, p.serverKey},
		"client CA absent": {p.serverCert, p.serverKey, filepath.Join(dir, "none.pem")},
	} {
		if _, err := ServerTLS(files[0], files[1], files[2]); err == nil {
			t.Errorf("%s: ServerTLS accepted it", name)
		}
	}
}

package uplink

import (
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
	"log"
	"math/big"
	"net"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/kiosk06/kiosk/tests/collector"
)

// testPKI is a throw-away CA with one server and one client certificate.
type testPKI struct {
	caPEM                []byte
	server               tls.Certificate
	clientCert, clientKy []byte
	pool                 *x509.CertPool
}

func newTestPKI(t *testing.T) *testPKI {
	t.Helper()
	caKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	caTmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "kiosk06 test CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	ca, _ := x509.ParseCertificate(caDER)
	issue := func(serial int64, usage x509.ExtKeyUsage, ip net.IP) ([]byte, []byte) {
		key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		tmpl := &x509.Certificate{SerialNumber: big.NewInt(serial), Subject: pkix.Name{CommonName: "leaf"},
			NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
			ExtKeyUsage: []x509.ExtKeyUsage{usage}, KeyUsage: x509.KeyUsageDigitalSignature}
		if ip != nil {
			tmpl.IPAddresses = []net.IP{ip}
		}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &key.PublicKey, caKey)
		if err != nil {
			t.Fatal(err)
		}
		kder, _ := x509.MarshalECPrivateKey(key)
		return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
			pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kder})
	}
	sc, sk := issue(2, x509.ExtKeyUsageServerAuth, net.IPv4(127, 0, 0, 1))
	server, err := tls.X509KeyPair(sc, sk)
	if err != nil {
		t.Fatal(err)
	}
	cc, ck := issue(3, x509.ExtKeyUsageClientAuth, nil)
	pool := x509.NewCertPool()
	pool.AddCert(ca)
	return &testPKI{caPEM: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER}),
		server: server, clientCert: cc, clientKy: ck, pool: pool}
}

func writeFile(t *testing.T, dir, name string, b []byte) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestMutualTLS(t *testing.T) {
	pki := newTestPKI(t)
	col := collector.New(collector.Options{Token: "tok"})
	srv := httptest.NewUnstartedServer(col)
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{pki.server},
		ClientAuth: tls.RequireAndVerifyClientCert, ClientCAs: pki.pool}
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the refused handshake is expected
	srv.StartTLS()
	defer srv.Close()
	dir := t.TempDir()
	ca := writeFile(t, dir, "ca.pem", pki.caPEM)
	cert := writeFile(t, dir, "client.pem", pki.clientCert)
	key := writeFile(t, dir, "client.key", pki.clientKy)

	t.Run("without client certificate", func(t *testing.T) {
		s := newStore(t)
		fill(t, s, 5)
		u := newUploader(t, s, srv.URL, func(o *Options) { o.CAFile = ca })
		if _, err := u.Drain(context.Background()); !errors.Is(err, ErrTransient) {
			t.Fatalf("err %v, want a refused handshake (ErrTransient)", err)
		}
	})
	t.Run("with client certificate", func(t *testing.T) {
		s := newStore(t)
		fill(t, s, 5)
		u := newUploader(t, s, srv.URL, func(o *Options) { o.CAFile, o.ClientCert, o.ClientKey = ca, cert, key })
		if res, err := u.Drain(context.Background()); err != nil || res.Acked != 5 {
			t.Fatalf("%+v %v", res, err)
		}
	})
	t.Run("bad files", func(t *testing.T) {
		s := newStore(t)
		for _, o := range []Options{
			{BaseURL: srv.URL, CAFile: filepath.Join(dir, "missing.pem")},
			{BaseURL: srv.URL, CAFile: key},
			{BaseURL: srv.URL, ClientCert: cert},
		} {
			if u, err := New(s, o); err == nil {
				u.Close()
				t.Errorf("New(%+v) accepted bad TLS files", o)
			}
		}
	})
}

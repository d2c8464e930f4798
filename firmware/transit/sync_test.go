package transit

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
)

// syncer is a Syncer for srv with a fresh list store in dir.
func syncer(t *testing.T, srv *httptest.Server, dir string) *Syncer {
	t.Helper()
	ls, _ := newListStore(t, dir, &memFloors{})
	ls.Load(context.Background())
	return &Syncer{BaseURL: srv.URL, Client: srv.Client(), Store: ls}
}

func TestSync(t *testing.T) {
	_, priv := signKey(t)
	tk := tokenizer(t)
	blocked := tk.ID("001090012345")
	pass := tk.ID("001090099999")
	srv := &listServer{priv: priv, versions: map[string][]Document{
		ListDeny: {{Name: ListDeny, Version: 1, Since: 0, Add: hexes(blocked, h(5))}},
		ListPass: {{Name: ListPass, Version: 1, Since: 0, Passes: map[string][]Pass{pass.String(): {{Route: "47", Year: 2026, Month: 11}}}}},
	}}
	hs := httptest.NewServer(srv)
	defer hs.Close()
	dir := t.TempDir()
	v, _ := newTestValidator(t, &memStore{}, nil, nil)
	sy := syncer(t, hs, dir)
	ctx := context.Background()

	res, err := sy.Sync(ctx, v)
	if err != nil || res.DenyVersion != 1 || res.DenyEntries != 2 || res.PassVersion != 1 || !res.Updated {
		t.Fatalf("first sync: %+v, %v", res, err)
	}
	// A delta: unblock h(5), block h(6).
	srv.publish(ListDeny, Document{Add: hexes(h(6)), Remove: hexes(h(5))})
	res, err = sy.Sync(ctx, v)
	if err != nil || res.DenyVersion != 2 || !v.Lists().Deny.Contains(h(6)) || v.Lists().Deny.Contains(h(5)) {
		t.Fatalf("delta sync: %+v, %v", res, err)
	}
	// Up to date: 304, nothing changes.
	if res, err = sy.Sync(ctx, v); err != nil || res.Updated {
		t.Fatalf("idle sync: %+v, %v", res, err)
	}
	if got := srv.requests[len(srv.requests)-2]; got != "/v1/lists/deny?since=2" {
		t.Errorf("request %q", got)
	}
	// A reboot keeps the lists.
	ls, _ := newListStore(t, dir, sy.Store.floors)
	l := ls.Load(ctx)
	if l.DenyVersion != 2 || !l.Deny.Contains(blocked) || l.PassVersion != 1 || len(l.Pass[pass]) != 1 {
		t.Fatalf("after reboot: %+v", l)
	}
	// A forged list (wrong key) is refused and the held lists stay.
	_, forger := signKey(t)
	forger = append([]byte(nil), forger...)
	forger[0] ^= 1
	srv.mu.Lock()
	srv.priv = forger
	srv.mu.Unlock()
	srv.publish(ListDeny, Document{Remove: hexes(blocked)})
	if _, err := sy.Sync(ctx, v); !errors.Is(err, ErrBadList) || !v.Lists().Deny.Contains(blocked) {
		t.Fatalf("forged list: %v", err)
	}
}

func TestSyncGapRefetchesSnapshot(t *testing.T) {
	_, priv := signKey(t)
	srv := &listServer{priv: priv, versions: map[string][]Document{
		ListDeny: {{Name: ListDeny, Version: 1, Add: hexes(h(1))}},
	}}
	hs := httptest.NewServer(srv)
	defer hs.Close()
	v, _ := newTestValidator(t, &memStore{}, nil, nil)
	sy := syncer(t, hs, t.TempDir())
	srv.publish(ListDeny, Document{Add: hexes(h(2))})
	if _, err := sy.Sync(context.Background(), v); err != nil || v.Lists().DenyVersion != 2 {
		t.Fatalf("sync: %v, v%d", err, v.Lists().DenyVersion)
	}
	srv.mu.Lock()
	// The next delta does not follow version 2: the syncer must fetch a snapshot.
	srv.versions[ListDeny] = append(srv.versions[ListDeny], Document{Name: ListDeny, Version: 3, Since: 7, Add: hexes(h(3))})
	srv.mu.Unlock()
	if _, err := sy.Sync(context.Background(), v); err != nil || v.Lists().DenyVersion != 3 || !v.Lists().Deny.Contains(h(3)) {
		t.Fatalf("gap not healed by a snapshot: %v, v%d", err, v.Lists().DenyVersion)
	}
	if last := srv.requests[len(srv.requests)-2]; last != "/v1/lists/deny?since=0" {
		t.Errorf("no snapshot refetch: %v", srv.requests)
	}
}

// TestSyncListsIndependent: a deny list the store refuses does not keep the
// pass list from updating.
func TestSyncListsIndependent(t *testing.T) {
	_, priv := signKey(t)
	srv := &listServer{priv: priv, versions: map[string][]Document{
		ListDeny: {{Name: ListDeny, Version: 1, Add: hexes(h(1))}, {Name: ListDeny, Version: 2, Since: 1}},
		ListPass: {{Name: ListPass, Version: 1}},
	}}
	hs := httptest.NewServer(srv)
	defer hs.Close()
	v, _ := newTestValidator(t, &memStore{}, nil, nil)
	sy := syncer(t, hs, t.TempDir())
	if _, err := sy.Sync(context.Background(), v); err != nil {
		t.Fatal(err)
	}
	srv.mu.Lock()
	srv.replay = map[string]Document{ListDeny: {Name: ListDeny, Version: 1, Full: true, Add: hexes(h(1))}}
	srv.mu.Unlock()
	srv.publish(ListPass, Document{})
	_, err := sy.Sync(context.Background(), v)
	if !errors.Is(err, ErrRollback) || v.Lists().PassVersion != 2 || v.Lists().DenyVersion != 2 {
		t.Fatalf("err %v, deny v%d, pass v%d", err, v.Lists().DenyVersion, v.Lists().PassVersion)
	}
}

// TestNewSyncerToken is issue 15: the uplink token was sent to whatever
// host lists_url named. It goes to the uplink's origin only; another host
// gets transit.lists_token (or its file) when set, else nothing.
func TestNewSyncerToken(t *testing.T) {
	_, priv := signKey(t)
	serve := func() (*listServer, *httptest.Server) {
		s := &listServer{priv: priv, versions: map[string][]Document{ListDeny: {{Name: ListDeny, Version: 1}}}}
		hs := httptest.NewServer(s)
		t.Cleanup(hs.Close)
		return s, hs
	}
	home, homeSrv := serve()       // the uplink's own origin
	foreign, foreignSrv := serve() // another host
	dir := t.TempDir()
	uplinkFile := filepath.Join(dir, "uplink.token")
	listsFile := filepath.Join(dir, "lists.token")
	_ = os.WriteFile(uplinkFile, []byte("up-from-file\n"), 0o600)
	_ = os.WriteFile(listsFile, []byte("lists-from-file\n"), 0o600)
	tests := []struct {
		name   string
		tr     Section
		up     config.Uplink
		server *listServer
		want   string
	}{
		{"default lists_url is the uplink", Section{}, config.Uplink{BaseURL: homeSrv.URL, Token: "up"}, home, "Bearer up"},
		{"same origin, other path", Section{ListsURL: homeSrv.URL + "/transit"}, config.Uplink{BaseURL: homeSrv.URL + "/collector", Token: "up"}, home, "Bearer up"},
		{"uplink token file", Section{}, config.Uplink{BaseURL: homeSrv.URL, TokenFile: uplinkFile}, home, "Bearer up-from-file"},
		{"foreign host", Section{ListsURL: foreignSrv.URL}, config.Uplink{BaseURL: homeSrv.URL, Token: "up"}, foreign, ""},
		{"foreign host, uplink token file", Section{ListsURL: foreignSrv.URL}, config.Uplink{BaseURL: homeSrv.URL, TokenFile: uplinkFile}, foreign, ""},
		{"foreign host, lists token", Section{ListsURL: foreignSrv.URL, ListsToken: "lt"}, config.Uplink{BaseURL: homeSrv.URL, Token: "up"}, foreign, "Bearer lt"},
		{"foreign host, lists token file", Section{ListsURL: foreignSrv.URL, ListsToken: "lt", ListsTokenFile: listsFile}, config.Uplink{BaseURL: homeSrv.URL, Token: "up"}, foreign, "Bearer lists-from-file"},
		{"other scheme", Section{ListsURL: strings.Replace(homeSrv.URL, "http://", "https://", 1)}, config.Uplink{BaseURL: homeSrv.URL, Token: "up"}, nil, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ls, _ := newListStore(t, t.TempDir(), &memFloors{})
			sy, err := NewSyncer(tc.tr, tc.up, ls, nil)
			if err != nil {
				t.Fatal(err)
			}
			if sy.Token != strings.TrimPrefix(tc.want, "Bearer ") {
				t.Fatalf("token %q, want %q", sy.Token, tc.want)
			}
			if tc.server == nil {
				return
			}
			tc.server.mu.Lock()
			tc.server.auth = nil
			tc.server.mu.Unlock()
			v, _ := newTestValidator(t, &memStore{}, nil, nil)
			ls.Load(context.Background())
			if _, err := sy.Sync(context.Background(), v); err != nil {
				t.Fatal(err)
			}
			tc.server.mu.Lock()
			defer tc.server.mu.Unlock()
			for _, a := range tc.server.auth {
				if a != tc.want {
					t.Fatalf("server got Authorization %q, want %q", a, tc.want)
				}
			}
		})
	}
	if _, err := NewSyncer(Section{ListsTokenFile: filepath.Join(dir, "none")}, config.Uplink{BaseURL: homeSrv.URL}, &ListStore{}, nil); err == nil {
		t.Error("a missing lists_token_file accepted")
	}
}

// TestSyncRefusesCrossOriginRedirect: a redirect to another host would
// carry the token there; the syncer does not follow it.
func TestSyncRefusesCrossOriginRedirect(t *testing.T) {
	_, priv := signKey(t)
	foreign := &listServer{priv: priv, versions: map[string][]Document{ListDeny: {{Name: ListDeny, Version: 1}}}}
	fs := httptest.NewServer(foreign)
	defer fs.Close()
	home := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, fs.URL+r.URL.RequestURI(), http.StatusFound)
	}))
	defer home.Close()
	ls, _ := newListStore(t, t.TempDir(), &memFloors{})
	ls.Load(context.Background())
	sy, err := NewSyncer(Section{}, config.Uplink{BaseURL: home.URL, Token: "up"}, ls, nil)
	if err != nil {
		t.Fatal(err)
	}
	v, _ := newTestValidator(t, &memStore{}, nil, nil)
	if _, err := sy.Sync(context.Background(), v); !errors.Is(err, ErrCrossOrigin) {
		t.Fatalf("err %v, want ErrCrossOrigin", err)
	}
	foreign.mu.Lock()
	defer foreign.mu.Unlock()
	if len(foreign.requests) != 0 {
		t.Fatalf("the other host was asked: %v (Authorization %q)", foreign.requests, foreign.auth)
	}
}

// testPKI is a CA with a server certificate for 127.0.0.1 and a client
// certificate, as PEM files in a directory.
type testPKI struct {
	caFile, clientCert, clientKey string
	pool                          *x509.CertPool
	server                        tls.Certificate
}

func newTestPKI(t *testing.T) testPKI {
	t.Helper()
	dir := t.TempDir()
	key := func() *ecdsa.PrivateKey {
		k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		return k
	}
	caKey := key()
	now := time.Now()
	caTmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "kiosk06 test CA"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(time.Hour), IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	ca, _ := x509.ParseCertificate(caDER)
	issue := func(serial int64, usage x509.ExtKeyUsage) ([]byte, *ecdsa.PrivateKey) {
		k := key()
		tmpl := &x509.Certificate{SerialNumber: big.NewInt(serial), Subject: pkix.Name{CommonName: "leaf"},
			NotBefore: now.Add(-time.Hour), NotAfter: now.Add(time.Hour), ExtKeyUsage: []x509.ExtKeyUsage{usage},
			KeyUsage: x509.KeyUsageDigitalSignature, IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &k.PublicKey, caKey)
		if err != nil {
			t.Fatal(err)
		}
		return der, k
	}
	writePEM := func(name, typ string, der []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	srvDER, srvKey := issue(2, x509.ExtKeyUsageServerAuth)
	cliDER, cliKey := issue(3, x509.ExtKeyUsageClientAuth)
	cliKeyDER, _ := x509.MarshalECPrivateKey(cliKey)
	p := testPKI{
		caFile:     writePEM("ca.pem", "CERTIFICATE", caDER),
		clientCert: writePEM("client.pem", "CERTIFICATE", cliDER),
		clientKey:  writePEM("client.key", "EC PRIVATE KEY", cliKeyDER),
		pool:       x509.NewCertPool(),
		server:     tls.Certificate{Certificate: [][]byte{srvDER}, PrivateKey: srvKey},
	}
	p.pool.AddCert(ca)
	return p
}

// TestNewSyncerTLS is issue 15: the syncer ignored the uplink's CA and
// client certificate. A list service whose certificate only the configured
// CA vouches for, and which requires a client certificate, is reached; one
// whose certificate that CA did not issue is refused.
func TestNewSyncerTLS(t *testing.T) {
	_, priv := signKey(t)
	pki := newTestPKI(t)
	ls := func() *listServer {
		return &listServer{priv: priv, versions: map[string][]Document{ListDeny: {{Name: ListDeny, Version: 1}}}}
	}
	trusted := httptest.NewUnstartedServer(ls())
	trusted.TLS = &tls.Config{Certificates: []tls.Certificate{pki.server}, ClientAuth: tls.RequireAndVerifyClientCert, ClientCAs: pki.pool}
	trusted.StartTLS()
	defer trusted.Close()
	stranger := httptest.NewTLSServer(ls()) // httptest's own certificate
	defer stranger.Close()
	up := config.Uplink{CAFile: pki.caFile, ClientCert: pki.clientCert, ClientKey: pki.clientKey}

	for _, tc := range []struct {
		name string
		url  string
		up   config.Uplink
		ok   bool
	}{
		{"configured CA and client certificate", trusted.URL, up, true},
		{"no client certificate", trusted.URL, config.Uplink{CAFile: pki.caFile}, false},
		{"server not issued by the CA", stranger.URL, up, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			store, _ := newListStore(t, t.TempDir(), &memFloors{})
			store.Load(context.Background())
			tc.up.BaseURL = tc.url
			sy, err := NewSyncer(Section{}, tc.up, store, nil)
			if err != nil {
				t.Fatal(err)
			}
			v, _ := newTestValidator(t, &memStore{}, nil, nil)
			_, err = sy.Sync(context.Background(), v)
			if (err == nil) != tc.ok || (tc.ok && v.Lists().DenyVersion != 1) {
				t.Fatalf("sync: %v, deny v%d; want ok %v", err, v.Lists().DenyVersion, tc.ok)
			}
		})
	}
	if _, err := NewSyncer(Section{}, config.Uplink{BaseURL: trusted.URL, CAFile: filepath.Join(t.TempDir(), "none.pem")}, &ListStore{}, nil); err == nil {
		t.Error("a missing CA file accepted")
	}
}

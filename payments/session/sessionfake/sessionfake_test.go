package sessionfake_test

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"log/slog"
	"net/http"
	"testing"
	"time"

	"github.com/kiosk06/kiosk/payments/session"
	"github.com/kiosk06/kiosk/payments/session/sessionfake"
)

var key = []byte("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef")

const account = "0011001234567"

func manager(t *testing.T, fake *sessionfake.Server, client *http.Client, token string) *session.Manager {
	t.Helper()
	mgr, err := session.New(session.Config{DeviceID: "dev-1", RefPrefix: "BV", BIN: "970436", Account: account,
		Name: "BENH VIEN", City: "HA NOI", BaseURL: fake.URL(), HTTPClient: client, Token: token, ConfirmKey: key,
		PollInitial: 10 * time.Millisecond, PollMax: 20 * time.Millisecond, Logger: slog.New(slog.DiscardHandler)},
		&session.MemoryRecorder{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	return mgr
}

func shown(t *testing.T, ctx context.Context, mgr *session.Manager) session.Info {
	t.Helper()
	info, err := mgr.Create(ctx, 50000, "Vien phi 123")
	if err != nil {
		t.Fatal(err)
	}
	if info, err = mgr.Shown(ctx, info.Ref); err != nil {
		t.Fatal(err)
	}
	return info
}

// The real Manager polls the fake over TLS with a bearer token: pending
// until Pay, then paid.
func TestManagerAgainstFake(t *testing.T) {
	fake := sessionfake.New(sessionfake.Options{Key: key, Account: account, Token: "poll-token", TLS: true})
	defer fake.Close()
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(fake.CertPEM()) {
		t.Fatal("no certificate")
	}
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}}}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := manager(t, fake, client, "wrong").Poll(ctx, "BV00000000"); !errors.Is(err, session.ErrBackend) {
		t.Fatalf("poll with the wrong token: %v", err)
	}
	mgr := manager(t, fake, client, "poll-token")
	info := shown(t, ctx, mgr)
	go func() {
		for fake.Polls(info.Ref) < 2 {
			time.Sleep(5 * time.Millisecond)
		}
		fake.Pay(info.Ref, 50000)
	}()
	got, err := mgr.Await(ctx, info.Ref)
	if err != nil || got.State != session.Paid {
		t.Fatalf("Await = %v, %v", got.State, err)
	}
}

// Every forgery the fake can send leaves the session waiting; the genuine
// reply then pays it.
func TestForgeriesDoNotPay(t *testing.T) {
	fake := sessionfake.New(sessionfake.Options{Key: key, Account: account})
	defer fake.Close()
	ctx := context.Background()
	mgr := manager(t, fake, nil, "")
	info := shown(t, ctx, mgr)
	for _, f := range []sessionfake.Forgery{sessionfake.Unsigned, sessionfake.WrongKey, sessionfake.Tampered, sessionfake.Stale, sessionfake.WrongAccount} {
		fake.Forge(info.Ref, f, 50000)
		got, err := mgr.Poll(ctx, info.Ref)
		if !errors.Is(err, session.ErrUnauthorized) || got.State != session.QRShown {
			t.Errorf("%s: %s, %v", f, got.State, err)
		}
		body, _ := fake.Reply(info.Ref)
		if _, err := mgr.ConfirmSigned(ctx, body, ""); !errors.Is(err, session.ErrUnauthorized) {
			t.Errorf("%s pushed: %v", f, err)
		}
	}
	fake.Forge(info.Ref, sessionfake.Genuine, 0)
	fake.Pay(info.Ref, 50000)
	if got, err := mgr.Poll(ctx, info.Ref); err != nil || got.State != session.Paid {
		t.Fatalf("genuine: %s, %v", got.State, err)
	}
}

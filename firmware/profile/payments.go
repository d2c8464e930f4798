package profile

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/kiosk06/kiosk/firmware/config"
	"github.com/kiosk06/kiosk/firmware/netclient"
	"github.com/kiosk06/kiosk/payments/session"
)

// pushPath is where the payment push listener takes signed confirmations.
const pushPath = "/v1/payments/push"

// StartPayments makes the payment session manager of a profile: sc carries
// the beneficiary and the back-end URL, [payments] how confirmations are
// authenticated — the checksum key, TLS with the configured CA and client
// certificate, a bearer token, the freshness window. It restores the
// sessions, sweeps their timeouts, counts rejected confirmations for
// /metrics and, when [payments] push_listen is set, serves the push hook.
//
// The components (the sweep, the push listener) come back even with an
// error, to be stopped.
func StartPayments(ctx context.Context, e Env, sc session.Config, rec session.Recorder, p session.Printer) (*session.Manager, []Component, error) {
	cfg, pc := e.Config, e.Config.Payments
	key, err := OperatorKey(cfg, pc.ConfirmKeyPath(cfg.Device.DataDir, cfg.Sim), session.LoadKey)
	if err != nil {
		return nil, nil, fmt.Errorf("profile: payment confirmation key: %w", err)
	}
	tl, token, err := paymentTransport(cfg, sc.BaseURL)
	if err != nil {
		return nil, nil, err
	}
	client, err := netclient.New(tl, pc.Timeout.D())
	if err != nil {
		return nil, nil, fmt.Errorf("profile: payments: %w", err)
	}
	sc.HTTPClient, sc.Token, sc.ConfirmKey, sc.MaxAge, sc.Logger = client, token, key, pc.MaxAge.D(), e.Log
	sc.ClockSkew = pc.ClockSkew.D()
	if sc.ClockSkew == 0 {
		sc.ClockSkew = -1 // "0s" written: no skew at all (the session's zero means its default)
	}
	mgr, err := session.New(sc, rec, p)
	if err != nil {
		return nil, nil, fmt.Errorf("profile: payments: %w", err)
	}
	if err := mgr.Restore(ctx); err != nil {
		return nil, nil, fmt.Errorf("profile: payments restore: %w", err)
	}
	_ = e.Metrics.LabeledGauge("payment_confirmations_rejected", "Payment confirmations not believed (nothing changed), by reason, since start.", "reason",
		func() map[string]float64 {
			out := map[string]float64{}
			for k, v := range mgr.Rejected() {
				out[k] = float64(v)
			}
			return out
		})
	parts := []Component{Go(ctx, "payment sweep", e.Log, func(c context.Context) error {
		t := time.NewTicker(5 * time.Second)
		defer t.Stop()
		for {
			select {
			case <-c.Done():
				return nil
			case <-t.C:
				_ = mgr.Sweep(c)
			}
		}
	})}
	if pc.PushListen != "" {
		c, err := servePaymentPush(pc, mgr, e)
		if err != nil {
			return nil, parts, err
		}
		parts = append(parts, c)
	}
	return mgr, parts, nil
}

// paymentTransport returns the TLS files and bearer token for the payment
// back-end at base. [payments]' own win; when base has the uplink's origin
// (the default: one back-end for records and payments), empty ones fall
// back to [uplink]'s, and never otherwise — the uplink's token and client
// certificate are not handed to another server.
func paymentTransport(cfg *config.Config, base string) (netclient.TLS, string, error) {
	p, u := cfg.Payments, cfg.Uplink
	tl := netclient.TLS{CAFile: p.CAFile, ClientCert: p.ClientCert, ClientKey: p.ClientKey}
	token, err := Secret(p.Token, p.TokenFile)
	if err != nil {
		return tl, "", fmt.Errorf("profile: payments token: %w", err)
	}
	if !netclient.SameOrigin(base, u.BaseURL) {
		return tl, token, nil
	}
	if tl.CAFile == "" {
		tl.CAFile = u.CAFile
	}
	if tl.ClientCert == "" {
		tl.ClientCert, tl.ClientKey = u.ClientCert, u.ClientKey
	}
	if token == "" {
		if token, err = Secret(u.Token, u.TokenFile); err != nil {
			return tl, "", fmt.Errorf("profile: uplink token: %w", err)
		}
	}
	return tl, token, nil
}

// servePaymentPush serves the push hook on [payments] push_listen: TLS with
// push_cert/push_key (plain only where the configuration allowed it), a
// bounded body, the same signature check as polling.
func servePaymentPush(pc config.Payments, mgr *session.Manager, e Env) (Component, error) {
	mux := http.NewServeMux()
	mux.Handle(pushPath, mgr.PushHandler())
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second, ReadTimeout: 15 * time.Second,
		WriteTimeout: 15 * time.Second, IdleTimeout: time.Minute, MaxHeaderBytes: 16 << 10,
		ErrorLog: slog.NewLogLogger(e.Log.Handler(), slog.LevelDebug)} // handshake noise from scanners
	if pc.PushCert != "" {
		cert, err := tls.LoadX509KeyPair(pc.PushCert, pc.PushKey)
		if err != nil {
			return Component{}, fmt.Errorf("profile: payment push certificate: %w", err)
		}
		srv.TLSConfig = &tls.Config{MinVersion: tls.VersionTLS12, Certificates: []tls.Certificate{cert}}
	} else {
		e.Log.Warn("payment push listener without TLS (allowed by --sim or allow_insecure_http)", "listen", pc.PushListen)
	}
	ln, err := net.Listen("tcp", pc.PushListen)
	if err != nil {
		return Component{}, fmt.Errorf("profile: payment push listener: %w", err)
	}
	if srv.TLSConfig != nil {
		ln = tls.NewListener(ln, srv.TLSConfig)
	}
	e.Log.Info("payment push listener", "addr", ln.Addr().String(), "path", pushPath, "tls", srv.TLSConfig != nil)
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			e.Log.Error("payment push listener stopped", "err", err)
		}
	}()
	return Component{"payment push listener", srv.Shutdown}, nil
}

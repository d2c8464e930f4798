package profile

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/kiosk06/kiosk/firmware/config"
	"github.com/kiosk06/kiosk/queue"
	"github.com/kiosk06/kiosk/queue/queueapi"
	"github.com/kiosk06/kiosk/queue/staffcall"
)

// errQueuePlainHTTP refuses plain HTTP where the configuration did not
// allow it (config check refuses such a file first).
var errQueuePlainHTTP = errors.New("profile: queue API: plain HTTP on a network address needs allow_insecure_http; configure tls_cert and tls_key")

// serveQueueAPI serves the queue API (queue/queueapi) on [queue]
// api_listen: HTTPS with the configured certificate, or plain HTTP only
// where the configuration allows it (a loopback address, or
// allow_insecure_http). Each client's token is read from its token file,
// which must be private to the service and hold a strong token; any
// problem stops the kiosk with an error naming it. Refusals are exported
// as the queue_api_refusals and queue_api_client_refusals metrics.
func serveQueueAPI(eng *queue.Engine, desk *staffcall.Desk, e Env) (Component, error) {
	q := e.Config.Queue
	clients, err := queueClients(q, e.Config.File, os.Getenv("CREDENTIALS_DIRECTORY"))
	if err != nil {
		return Component{}, err
	}
	var tlsCfg *tls.Config
	switch {
	case q.TLSCert != "":
		if tlsCfg, err = queueapi.ServerTLS(q.TLSCert, q.TLSKey, q.ClientCA); err != nil {
			return Component{}, fmt.Errorf("profile: queue API: %w", err)
		}
		checkCertExpiry(e.Log, tlsCfg.Certificates[0].Leaf, time.Now())
	case !q.PlainHTTPAllowed(e.Config.InsecureHTTPAllowed()):
		return Component{}, fmt.Errorf("%w (%s)", errQueuePlainHTTP, q.APIListen)
	case !q.APIOnLoopback():
		e.Log.Warn("queue API serves plain HTTP on a network address: tokens cross the network in clear (allow_insecure_http)", "listen", q.APIListen)
	}
	api, err := queueapi.New(eng, queueapi.Config{
		Clients:           clients,
		Limits:            queueapi.IssueLimits{PerMinute: q.IssuePerMinute, Burst: q.IssueBurst, DailyCap: q.IssueDailyCap},
		RequestsPerSecond: q.RequestsPerSecond,
		StreamsPerClient:  q.StreamsPerClient,
		ResetAt:           q.ResetOffset(),
		Location:          e.Config.Device.Location(),
		Desk:              desk,
		Logger:            e.Log,
	})
	if err != nil {
		return Component{}, fmt.Errorf("profile: queue API: %w", err)
	}
	_ = e.Metrics.LabeledGauge("queue_api_refusals", "Queue API requests refused since start, by reason.", "reason", api.Refusals)
	_ = e.Metrics.LabeledGauge("queue_api_client_refusals", "Queue API requests refused since start, by client name.", "client", api.RefusalsByClient)

	ln, err := net.Listen("tcp", q.APIListen)
	if err != nil {
		return Component{}, fmt.Errorf("profile: queue API: %w", err)
	}
	// Event streams end with base, so a stop does not wait on them.
	base, cancel := context.WithCancel(context.Background())
	srv := &http.Server{
		Handler:           api,
		TLSConfig:         tlsCfg,
		ReadHeaderTimeout: 5 * time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    16 << 10,
		BaseContext:       func(net.Listener) context.Context { return base },
		// Handshake failures and plain HTTP sent to the TLS port.
		ErrorLog: slog.NewLogLogger(e.Log.Handler(), slog.LevelDebug),
	}
	e.Log.Info("queue API listening", "listen", ln.Addr().String(), "tls", tlsCfg != nil,
		"client_certificates", q.ClientCA != "", "clients", len(clients))
	go func() {
		var err error
		if tlsCfg != nil {
			err = srv.ServeTLS(ln, "", "")
		} else {
			err = srv.Serve(ln)
		}
		if !errors.Is(err, http.ErrServerClosed) {
			e.Log.Error("queue API stopped", "err", err)
		}
	}()
	return Component{"queue API", func(ctx context.Context) error {
		cancel()
		// Shutdown waits up to 5 s for a connection that was opened but
		// has sent no request yet (Go issue 22682: a client's spare
		// keep-alive dial is one). No API request needs that long, so
		// after a short grace what is left is closed.
		grace, done := context.WithTimeout(ctx, shutdownGrace)
		defer done()
		err := srv.Shutdown(grace)
		if err != nil && ctx.Err() == nil {
			return srv.Close()
		}
		if err != nil {
			_ = srv.Close()
		}
		return err
	}}, nil
}

// shutdownGrace is how long a stop lets requests in flight finish.
const shutdownGrace = 500 * time.Millisecond

// queueClients reads each [[queue.clients]] entry's token file; a
// relative path is read from credDir (systemd's $CREDENTIALS_DIRECTORY)
// when set, else from the configuration file's directory.
func queueClients(q config.Queue, cfgFile, credDir string) ([]queueapi.Client, error) {
	out := make([]queueapi.Client, 0, len(q.Clients))
	for _, c := range q.Clients {
		path := c.TokenFile
		if !filepath.IsAbs(path) {
			dir := credDir
			if dir == "" {
				dir = filepath.Dir(cfgFile)
			}
			path = filepath.Join(dir, path)
		}
		tok, err := queueapi.ReadTokenFile(path)
		if err != nil {
			return nil, fmt.Errorf("profile: queue client %s: %w", c.Name, err)
		}
		role, err := queueapi.ParseRole(c.Role)
		if err != nil {
			return nil, fmt.Errorf("profile: queue client %s: %w", c.Name, err)
		}
		qc := queueapi.Client{Name: c.Name, Token: tok, Role: role, Counters: c.Counters,
			Limits: queueapi.IssueLimits{PerMinute: c.IssuePerMinute, Burst: c.IssueBurst, DailyCap: c.IssueDailyCap}}
		for _, p := range c.Priorities {
			pr, err := queue.ParsePriority(p)
			if err != nil {
				return nil, fmt.Errorf("profile: queue client %s: %w", c.Name, err)
			}
			qc.Priorities = append(qc.Priorities, pr)
		}
		out = append(out, qc)
	}
	return out, nil
}

// certExpiryWarning is how long before its end the API's certificate is
// reported.
const certExpiryWarning = 30 * 24 * time.Hour

// checkCertExpiry logs a certificate that has expired (clients refuse it)
// or will within certExpiryWarning.
func checkCertExpiry(log *slog.Logger, leaf *x509.Certificate, now time.Time) {
	if leaf == nil {
		return
	}
	switch left := leaf.NotAfter.Sub(now); {
	case left <= 0:
		log.Error("queue API certificate has expired: clients will refuse the connection", "not_after", leaf.NotAfter)
	case left < certExpiryWarning:
		log.Warn("queue API certificate expires soon", "not_after", leaf.NotAfter, "days_left", int(left.Hours()/24))
	}
}

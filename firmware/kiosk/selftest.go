package kiosk

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"sync"
	"time"

	"github.com/kiosk06/kiosk/firmware/config"
	"github.com/kiosk06/kiosk/firmware/store"
)

// StoreCheck is the selftest line for the durable store: read without
// taking the writer or uploader lock, so it is safe while kioskd runs.
type StoreCheck struct {
	Line    string
	Warning bool  // ≥ 90% of the cap, or records quarantined
	Err     error // unreadable, or full (new work is refused)
}

// CheckStore summarises the store's backlog against the configured cap.
func CheckStore(ctx context.Context, cfg *config.Config) StoreCheck {
	if _, err := os.Stat(cfg.Store.Path); errors.Is(err, os.ErrNotExist) {
		return StoreCheck{Line: cfg.Store.Path + ": not created yet (first start)"}
	}
	o, err := store.ReadOutbox(ctx, cfg.Store.Path)
	if err != nil {
		return StoreCheck{Err: err}
	}
	unuploaded := o.Pending + o.Quarantined
	frac := float64(unuploaded) / float64(cfg.Store.MaxRecords)
	c := StoreCheck{Line: fmt.Sprintf("%s: %d pending (oldest %.0f s), %d quarantined, last seq %d, acked through %d, %.0f%% of cap",
		cfg.Store.Path, o.Pending, o.OldestPendingS, o.Quarantined, o.LastSeq, o.LastAckedSeq, 100*frac)}
	switch {
	case frac >= 1:
		c.Err = fmt.Errorf("%s — FULL: new transactions are refused until the backlog uploads", c.Line)
	case frac >= store.WarnFraction:
		c.Warning, c.Line = true, c.Line+" — nearly full: check the uplink"
	case o.Quarantined > 0:
		c.Warning, c.Line = true, c.Line+" — records rejected by the backend: report them"
	}
	return c
}

// BackendCheck is the selftest line of one configured backend.
type BackendCheck struct {
	Key  string // the configuration key, e.g. "uplink.base_url"
	Addr string // host:port dialled
	Took time.Duration
	Err  error
}

// CheckBackends dials every backend the configuration names (the
// BackendURLs every client is built from, and the MQTT broker) at once,
// each within timeout: a TCP connection says the network path and the
// service's port answer. TLS, tokens and certificates are the clients'
// own checks when the service runs (their errors are logged and alerted);
// this is the technician's first question — "can this kiosk reach it?".
func CheckBackends(ctx context.Context, cfg *config.Config, timeout time.Duration) []BackendCheck {
	urls := cfg.BackendURLs()
	if cfg.Uplink.BrokerURL != "" {
		urls = append(urls, config.BackendURL{Key: "uplink.broker_url", URL: cfg.Uplink.BrokerURL})
	}
	out := make([]BackendCheck, len(urls))
	var wg sync.WaitGroup
	for i, u := range urls {
		out[i].Key = u.Key
		addr, err := dialAddr(u.URL)
		if err != nil {
			out[i].Err = err
			continue
		}
		out[i].Addr = addr
		wg.Add(1)
		go func() {
			defer wg.Done()
			dctx, cancel := context.WithTimeout(ctx, timeout)
			defer cancel()
			start := time.Now()
			c, err := (&net.Dialer{}).DialContext(dctx, "tcp", addr)
			out[i].Took = time.Since(start)
			if err != nil {
				var oe *net.OpError // "dial tcp ADDR: …" repeats the address the line names
				if errors.As(err, &oe) && oe.Err != nil {
					err = oe.Err
				}
				out[i].Err = err
				return
			}
			_ = c.Close()
		}()
	}
	wg.Wait()
	return out
}

// dialAddr is the host:port a backend URL is reached at (the scheme's
// port when the URL names none).
func dialAddr(raw string) (string, error) {
	u, err := url.Parse(raw)
	if err != nil || u.Hostname() == "" {
		return "", fmt.Errorf("not a URL with a host: %q", raw)
	}
	if p := u.Port(); p != "" {
		return net.JoinHostPort(u.Hostname(), p), nil
	}
	port, ok := map[string]string{"https": "443", "http": "80", "mqtts": "8883", "mqtt": "1883"}[u.Scheme]
	if !ok {
		return "", fmt.Errorf("unknown scheme %q", u.Scheme)
	}
	return net.JoinHostPort(u.Hostname(), port), nil
}

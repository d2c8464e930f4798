package kiosk

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/kiosk06/kiosk/firmware/config"
	"github.com/kiosk06/kiosk/firmware/metrics"
	"github.com/kiosk06/kiosk/firmware/store"
	"github.com/kiosk06/kiosk/firmware/uplink"
)

// openStore opens the durable store and exposes its backlog and fill level.
func openStore(ctx context.Context, cfg *config.Config, m *metrics.Metrics, log *slog.Logger) (*store.Store, error) {
	st, err := store.Open(ctx, store.Options{
		Path: cfg.Store.Path, KeyFile: cfg.Store.KeyFile, DeviceID: cfg.Device.ID,
		MaxRecords: cfg.Store.MaxRecords, Retention: cfg.Store.Retention.D(), Logger: log,
	})
	if err != nil {
		return nil, fmt.Errorf("kiosk: store: %w", err)
	}
	outbox := func() store.Outbox {
		qctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		o, _ := st.Outbox(qctx)
		return o
	}
	_ = m.Gauge("outbox_pending_records", "Records not yet acknowledged by the backend.", func() float64 { return float64(outbox().Pending) })
	_ = m.Gauge("outbox_oldest_pending_seconds", "Age of the oldest record awaiting upload.", func() float64 { return outbox().OldestPendingS })
	_ = m.Gauge("outbox_quarantined_records", "Records the backend rejected (kept, never resent).", func() float64 { return float64(outbox().Quarantined) })
	_ = m.Gauge("store_fill_ratio", "Unuploaded records against the configured cap (refuses new work at 1).", func() float64 { return st.Capacity().Fraction })
	m.HealthCheck("store", func() error {
		if c := st.Capacity(); c.Full {
			return fmt.Errorf("full: %d unuploaded records (cap %d)", c.Unuploaded, c.Max)
		}
		return nil
	})
	return st, nil
}

// uplinkToken reads the bearer token from the config or its file.
func uplinkToken(u config.Uplink) (string, error) {
	if u.TokenFile == "" {
		return u.Token, nil
	}
	b, err := os.ReadFile(u.TokenFile)
	if err != nil {
		return "", fmt.Errorf("kiosk: uplink token: %w", err)
	}
	return strings.TrimSpace(string(b)), nil
}

// startUplink starts the store-and-forward uploader in the background.
func startUplink(ctx context.Context, cfg *config.Config, st *store.Store, m *metrics.Metrics, log *slog.Logger) (component, error) {
	token, err := uplinkToken(cfg.Uplink)
	if err != nil {
		return component{}, err
	}
	up, err := uplink.New(st, uplink.Options{
		BaseURL: cfg.Uplink.BaseURL, Token: token, ClientCert: cfg.Uplink.ClientCert, ClientKey: cfg.Uplink.ClientKey,
		CAFile: cfg.Uplink.CAFile, Interval: cfg.Uplink.Interval.D(), Timeout: cfg.Uplink.Timeout.D(), Logger: log,
	})
	if err != nil {
		return component{}, fmt.Errorf("kiosk: uplink: %w", err)
	}
	_ = m.Gauge("uplink_consecutive_failures", "Upload attempts failed in a row.", func() float64 { return float64(up.Status().ConsecutiveFailures) })
	rctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := up.Run(rctx); err != nil && !errors.Is(err, context.Canceled) {
			log.Error("uplink stopped", "err", err)
		}
	}()
	return component{"uplink", func(sctx context.Context) error {
		cancel()
		select {
		case <-done:
		case <-sctx.Done():
		}
		return up.Close()
	}}, nil
}

// startPurge deletes acknowledged records past retention every hour.
func startPurge(ctx context.Context, st *store.Store, log *slog.Logger) component {
	rctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(time.Hour)
		defer t.Stop()
		for {
			if n, err := st.Purge(rctx); err != nil && rctx.Err() == nil {
				log.Warn("purge", "err", err)
			} else if n > 0 {
				log.Info("purged acknowledged records past retention", "records", n)
			}
			select {
			case <-rctx.Done():
				return
			case <-t.C:
			}
		}
	}()
	return component{"purge", func(context.Context) error { cancel(); <-done; return nil }}
}

package kiosk

import (
	"context"
	"log/slog"

	"github.com/kiosk06/kiosk/firmware/config"
	"github.com/kiosk06/kiosk/firmware/downlink"
	"github.com/kiosk06/kiosk/firmware/heartbeat"
	"github.com/kiosk06/kiosk/firmware/metrics"
	"github.com/kiosk06/kiosk/firmware/profile"
	"github.com/kiosk06/kiosk/firmware/remoteconfig"
)

// ErrRestart is Run's error when kioskd must exit and be started again to
// take a configuration (a remote configuration bundle was written, or one
// that failed was rolled back): firmware/cmd/kioskd exits with its restart
// code and systemd (Restart=always) starts it again.
var ErrRestart = remoteconfig.ErrRestart

// beginRemoteConfig runs remote configuration's start checks (before the
// store opens: a bundle that failed the last start is rolled back here).
func beginRemoteConfig(cfg *config.Config, profiles *profile.Registry, restart func(), log *slog.Logger) (*remoteconfig.Manager, error) {
	opts := config.Options{Sim: cfg.Sim}
	if profiles != nil {
		opts = profiles.Config(cfg.Sim)
	}
	return remoteconfig.Begin(remoteconfig.Options{
		Config: cfg, Restart: restart, Log: log,
		Parse: func(file string, doc []byte) (*config.Config, error) { return config.Parse(file, doc, opts) },
	})
}

// serveRemoteConfig registers the downlink's config handler and the
// remote configuration's metrics.
func serveRemoteConfig(ctx context.Context, rc *remoteconfig.Manager, down *downlink.Mux, m *metrics.Metrics) error {
	_ = m.Gauge("config_drift", "1 when the running configuration is not the last remote configuration bundle applied (edited on the device).", func() float64 {
		if rc.Status().Drift {
			return 1
		}
		return 0
	})
	_ = m.Gauge("config_version", "The version of the last remote configuration bundle kept (0: none).", func() float64 {
		return float64(rc.Status().AppliedVersion)
	})
	// Handle waits while a bundle is tried; in its own goroutine, so that
	// held messages do not hold up the start.
	errc := make(chan error, 1)
	go func() { errc <- down.Handle(ctx, downlink.Config, rc.Handle) }()
	select {
	case err := <-errc:
		return err
	default:
		return nil
	}
}

// configStatus is the heartbeat's view of remote configuration.
// managed says whether the managed configuration runs (config.Managed).
func configStatus(rc *remoteconfig.Manager, managed bool) func() *heartbeat.Config {
	running := "base"
	if managed {
		running = "managed"
	}
	return func() *heartbeat.Config {
		s := rc.Status()
		return &heartbeat.Config{RemoteEnabled: s.Enabled, SHA256: s.RunningSHA256, AppliedVersion: s.AppliedVersion,
			AppliedSHA256: s.AppliedSHA256, Trying: s.Trying, Drift: s.Drift, Running: running}
	}
}

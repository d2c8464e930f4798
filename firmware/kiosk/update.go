package kiosk

import (
	"context"
	"crypto/ed25519"
	"log/slog"
	"time"

	"github.com/kiosk06/kiosk/firmware/buildinfo"
	"github.com/kiosk06/kiosk/firmware/config"
	"github.com/kiosk06/kiosk/firmware/downlink"
	"github.com/kiosk06/kiosk/firmware/heartbeat"
	"github.com/kiosk06/kiosk/firmware/store"
	"github.com/kiosk06/kiosk/firmware/update"
)

// flushEvery is how often kioskd writes the updater's waiting records
// (update.applied once the gate passed, while this kioskd runs).
const flushEvery = 10 * time.Second

// updateKey is the trigger key of [update] (nil: updates off).
func updateKey(cfg *config.Config, log *slog.Logger) ed25519.PublicKey {
	if !cfg.Update.Enabled {
		return nil
	}
	k, err := update.LoadKey(cfg.Update.PublicKeyFile)
	if err != nil {
		log.Error("update: off: the trigger key cannot be read", "err", err)
		return nil
	}
	return k
}

// installedVersion is the kiosk06 package's version as dpkg has it, or
// this binary's stamped version where kioskd is not installed from the
// package.
func installedVersion(ctx context.Context) string {
	if v, err := (update.System{}).Installed(ctx); err == nil && v != "" {
		return v
	}
	v := buildinfo.Get(false).Version
	if update.ValidVersion(v) != nil {
		return ""
	}
	return v
}

// serveUpdates registers the downlink's update handler (it checks a
// trigger and leaves it for kiosk06-update.path to start the updater:
// kioskd runs unprivileged and cannot install) and writes the updater's
// records to the store, now and every flushEvery.
func serveUpdates(ctx context.Context, cfg *config.Config, st *store.Store, down *downlink.Mux, log *slog.Logger) component {
	recv := update.NewReceiver(update.ReceiverOptions{DeviceID: cfg.Device.ID, DataDir: cfg.Device.DataDir, StateDir: cfg.Update.StateDir,
		Key: updateKey(cfg, log), Installed: installedVersion(ctx), Recorder: update.StoreRecorder{Store: st}, Log: log})
	if err := down.Handle(ctx, downlink.Update, recv.Handle); err != nil {
		log.Error("update: no downlink handler", "err", err)
	}
	rctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(flushEvery)
		defer t.Stop()
		for {
			if n, err := update.Flush(rctx, st, cfg.Device.DataDir, cfg.Update.StateDir); err != nil {
				log.Warn("update: the updater's records not written yet", "err", err)
			} else if n > 0 {
				log.Info("update: the updater's records written", "records", n)
			}
			select {
			case <-rctx.Done():
				return
			case <-t.C:
			}
		}
	}()
	return component{"updates", func(context.Context) error { cancel(); <-done; return nil }}
}

// updateStatus is the heartbeat's view of updates.
func updateStatus(cfg *config.Config) func() *heartbeat.Update {
	return func() *heartbeat.Update {
		u := &heartbeat.Update{Enabled: cfg.Update.Enabled, Installed: installedVersion(context.Background())}
		s, err := update.ReadStatus(cfg.Device.DataDir, cfg.Update.StateDir)
		if err != nil {
			return u
		}
		u.Floor = s.Floor
		if a := s.Applying; a != nil {
			u.Applying, u.Step = a.Version, a.Step
		}
		if l := s.Last; l != nil {
			u.Last, u.LastVersion, u.LastReason, u.LastAt = l.Outcome, l.Version, l.Reason, l.At
		}
		return u
	}
}

// Package kiosk owns the device's lifecycle: it wires a checked configuration
// into a running device (data directory, durable store, uploader, purge,
// metrics, the configured devices opened on demand, identity acquisition),
// looks the configured profile up in the registry it is handed and starts
// it, opens the voice of [audio] (firmware/voicekit: the loudspeaker the
// profile calls numbers on and the screens speak on), hands what runs to
// the UI and control hooks, reports readiness to
// systemd and the console, pings the watchdog while healthy, and stops
// everything within the stop timeout when its context is cancelled.
//
// It is pure wiring: it knows no profile by name and has no per-profile
// switch. It may import firmware/… packages (firmware/profile for the
// contract) and drivers; it must not import a profile package
// (firmware/hospital, transit, parking, …), Fyne (the UI is handed in by
// firmware/cmd/kioskd) nor firmware/simrig.
package kiosk

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/kiosk06/kiosk/firmware/buildinfo"
	"github.com/kiosk06/kiosk/firmware/config"
	"github.com/kiosk06/kiosk/firmware/devices"
	"github.com/kiosk06/kiosk/firmware/downlink"
	"github.com/kiosk06/kiosk/firmware/heartbeat"
	"github.com/kiosk06/kiosk/firmware/identity"
	"github.com/kiosk06/kiosk/firmware/metrics"
	"github.com/kiosk06/kiosk/firmware/profile"
	"github.com/kiosk06/kiosk/firmware/sdnotify"
	"github.com/kiosk06/kiosk/firmware/speech"
)

// Options configures Run.
type Options struct {
	Config *config.Config
	// Profiles are the profiles this kioskd runs (firmware/cmd/kioskd's
	// one list); Config.Device.Profile is looked up in it.
	Profiles *profile.Registry
	Log      *slog.Logger
	Notify   *sdnotify.Notifier
	// Ready is called once, when the device is serving.
	Ready func()
	// UI, when set, renders what the profile runs: its Screen, and under
	// --sim the simulator panel with its controls (built with Fyne by
	// firmware/cmd/kioskd). It blocks until the window closes or ctx ends;
	// it decides itself whether it has anything to show.
	UI func(ctx context.Context, r *profile.Running) error
	// Control, when set, serves a control channel over what the profile
	// runs (firmware/cmd/kioskd's --control socket under --sim), from
	// before Ready until the device stops; stop ends it.
	Control func(ctx context.Context, r *profile.Running) (stop func() error, err error)
	// Pins resolves GPIO pins (nil: a new resolver); a simulated run and
	// tests pass their own to drive simulated pins.
	Pins *devices.Pins
	// ChipKeys are chip access keys known beforehand, for the fast path of
	// profiles that decide each tap on its own (identity.Sources.Keys; nil:
	// none). A simulated run hands the keys of its virtual cards.
	ChipKeys identity.KeyFinder
	// StopTimeout bounds the graceful stop; 0 means 4 s (systemd and
	// `make run` expect an exit within 5 s of SIGTERM).
	StopTimeout time.Duration
	// Getenv reads the environment ($CREDENTIALS_DIRECTORY: the sealing
	// key); nil means os.Getenv.
	Getenv func(string) string
	// Voices are the voice books the kiosk's calls are said from
	// (ui/voice, handed in by firmware/cmd/kioskd); nil: the kiosk does not
	// speak (a build without them).
	Voices speech.Voices
	// AudioSim is the simulated loudspeaker's device string ("sim:<socket>",
	// firmware/simrig's audiosim) for [audio] device = "sim".
	AudioSim string
}

// component is one running part of the device.
type component struct {
	name string
	stop func(ctx context.Context) error
}

// Run starts the device and blocks until ctx is cancelled, then stops it.
func Run(ctx context.Context, opt Options) error {
	cfg, log := opt.Config, opt.Log
	if opt.StopTimeout == 0 {
		opt.StopTimeout = 4 * time.Second
	}
	if err := os.MkdirAll(cfg.Device.DataDir, 0o700); err != nil {
		return fmt.Errorf("kiosk: data dir: %w", err)
	}
	// Remote configuration (issue 22.3) may end the run to restart with
	// a new configuration, or roll back one that failed the last start.
	ctx, restart := context.WithCancelCause(ctx)
	defer restart(nil)
	rc, err := beginRemoteConfig(cfg, opt.Profiles, func() { restart(ErrRestart) }, log)
	if err != nil {
		return err
	}
	defer rc.Close()
	var parts []component
	stopAll := func() error {
		sctx, cancel := context.WithTimeout(context.Background(), opt.StopTimeout)
		defer cancel()
		var errs []error
		for i := len(parts) - 1; i >= 0; i-- {
			if err := parts[i].stop(sctx); err != nil {
				errs = append(errs, fmt.Errorf("%s: %w", parts[i].name, err))
			}
		}
		return errors.Join(errs...)
	}

	log.Info("kioskd starting", "device", cfg.Device.ID, "profile", cfg.Device.Profile, "sim", cfg.Sim)
	if cfg.Device.AllowInsecureHTTP && !cfg.Sim {
		log.Warn("allow_insecure_http is set: plain http:// backends can be read and forged on the network", "keys", cfg.InsecureURLs())
	}
	m := metrics.New()
	build := buildinfo.Get(false)
	_ = m.BuildInfo(build.Version, build.Commit, build.GoVersion, cfg.Device.Profile)
	if cfg.Metrics.Listen != "" {
		// Metrics are for technicians; a taken port must not stop a kiosk.
		if stop, err := m.Serve(ctx, cfg.Metrics.Listen, log); err != nil {
			log.Error("metrics endpoint not started", "err", err)
		} else {
			parts = append(parts, component{"metrics", stop})
		}
	}
	if opt.Getenv == nil {
		opt.Getenv = os.Getenv
	}
	st, err := openStore(ctx, cfg, opt.Getenv, m, log)
	if err != nil {
		_ = stopAll()
		return rc.StartFailed(ctx, err)
	}
	parts = append(parts, component{"store", func(context.Context) error { return st.Close() }})
	if err := rc.Attach(ctx, st); err != nil {
		log.Error("remote config", "err", err)
	}
	parts = append(parts, startPurge(ctx, st, log))
	// Issue 22: the heartbeat reports board (device health, paper); the
	// downlink's config/lists/update handlers register on down.
	board, down := heartbeat.NewBoard(), downlink.NewMux(log)
	for role, spec := range cfg.Devices {
		board.Register(role, spec.Driver)
	}
	_ = m.LabeledGauge("device_up", "1 when the device's last check was ok (opened, answering), 0 when faulted or not checked yet.", "role", func() map[string]float64 {
		out := map[string]float64{}
		for _, d := range board.DeviceHealth() {
			out[d.Role] = 0
			if d.State == heartbeat.StateOK {
				out[d.Role] = 1
			}
		}
		return out
	})
	if cfg.Uplink.Configured() {
		up, err := startUplink(ctx, cfg, st, m, board, down, configStatus(rc, cfg.Managed != ""), updateStatus(cfg), log)
		if err != nil {
			_ = stopAll()
			return rc.StartFailed(ctx, err)
		}
		parts = append(parts, up)
	} else {
		log.Warn("no uplink configured: records stay on the device", "store", cfg.Store.Path)
	}

	if opt.Pins == nil {
		opt.Pins = devices.NewPins(nil)
	}
	// The voice is stopped after the profile: components stop in reverse.
	kit := openVoice(cfg, opt.Voices, opt.AudioSim, log)
	if kit != nil {
		parts = append(parts, voiceComponent(kit))
	}
	running, flows, err := startProfile(ctx, opt.Profiles, &env{cfg: cfg, log: log, store: st, m: m, pins: opt.Pins, keys: opt.ChipKeys, health: board, down: down, voice: kit,
		restart: func() { restart(ErrRestart) }})
	parts = append(parts, flows...)
	if err != nil {
		_ = stopAll()
		return rc.StartFailed(ctx, err)
	}
	if opt.Control != nil {
		stop, err := opt.Control(ctx, running)
		if err != nil {
			_ = stopAll()
			return err
		}
		parts = append(parts, component{"control", func(context.Context) error { return stop() }})
	}

	rc.Started(ctx)
	if err := serveRemoteConfig(ctx, rc, down, m); err != nil {
		log.Error("remote config: no downlink handler", "err", err)
	}
	parts = append(parts, serveUpdates(ctx, cfg, st, down, log))
	if opt.Ready != nil {
		opt.Ready()
	}
	if err := opt.Notify.Ready("serving " + cfg.Device.Profile); err != nil {
		log.Warn("sd_notify READY failed", "err", err)
	}
	wdCtx, wdCancel := context.WithCancel(ctx)
	// The watchdog follows liveness only: an alert (store full, uplink
	// wedged) fails /healthz but a restart would not cure it.
	go opt.Notify.RunWatchdog(wdCtx, m.Live)

	if opt.UI != nil {
		// The UI runs on this (the main) goroutine until the window closes
		// or ctx ends; closing the kiosk window stops the device.
		if err := opt.UI(ctx, running); err != nil {
			log.Error("ui", "err", err)
		}
	} else {
		<-ctx.Done()
	}
	wdCancel()
	log.Info("kioskd stopping")
	_ = opt.Notify.Stopping()
	if err := stopAll(); err != nil {
		log.Error("stop", "err", err)
		return err
	}
	log.Info("kioskd stopped")
	if errors.Is(context.Cause(ctx), ErrRestart) {
		return ErrRestart
	}
	return nil
}

package kiosk

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/kiosk06/kiosk/firmware/config"
	"github.com/kiosk06/kiosk/firmware/devices"
	"github.com/kiosk06/kiosk/firmware/downlink"
	"github.com/kiosk06/kiosk/firmware/heartbeat"
	"github.com/kiosk06/kiosk/firmware/identity"
	"github.com/kiosk06/kiosk/firmware/metrics"
	"github.com/kiosk06/kiosk/firmware/profile"
	"github.com/kiosk06/kiosk/firmware/store"
	"github.com/kiosk06/kiosk/firmware/voicekit"
)

// env is what the kiosk builds a profile's profile.Env from.
type env struct {
	cfg   *config.Config
	log   *slog.Logger
	store *store.Store
	m     *metrics.Metrics
	pins  *devices.Pins
	// keys are chip access keys known beforehand (Options.ChipKeys).
	keys identity.KeyFinder
	// health is what the heartbeat reports of each device (nil: nothing);
	// down is the downlink stream handlers register on (issue 22).
	health *heartbeat.Board
	down   *downlink.Mux
	// voice is the kiosk's voice (nil: silent).
	voice *voicekit.Kit
	// restart ends the run with ErrRestart (profile.Env.Restart).
	restart func()
}

// goComponent runs f until its context is cancelled; stop waits for it.
func goComponent(ctx context.Context, name string, log *slog.Logger, f func(context.Context) error) component {
	c := profile.Go(ctx, name, log, f)
	return component{c.Name, c.Stop}
}

// startProfile looks the configured profile up and starts it over the
// kiosk's store, metrics, devices and identity acquisition. The
// components come back even with an error, to be stopped: the profile's
// own first in reverse, then the devices it opened.
func startProfile(ctx context.Context, reg *profile.Registry, e *env) (*profile.Running, []component, error) {
	if reg == nil {
		return nil, nil, errors.New("kiosk: no profiles registered")
	}
	p, err := reg.Lookup(e.cfg.Device.Profile)
	if err != nil {
		return nil, nil, fmt.Errorf("kiosk: %w", err)
	}
	devs := newDeviceSet(ctx, e)
	parts := []component{{"devices", devs.close}}
	r, err := p.Start(ctx, profile.Env{
		Config: e.cfg, Section: e.cfg.Section(p.Name()), Log: e.log, Store: e.store, Metrics: e.m,
		Devices: devs, Identity: e.acquirer(devs), Calls: callsOf(e.voice, e.log),
		Restart: e.restart,
	})
	if r != nil {
		for _, c := range r.Components {
			parts = append(parts, component{c.Name, c.Stop})
		}
	}
	if err != nil {
		return nil, parts, err
	}
	if r == nil {
		r = &profile.Running{}
	}
	r.Profile = p.Name()
	if e.voice != nil {
		r.Speech = e.voice.Engine
	}
	e.log.Info("profile started", "profile", r.Profile, "screen", r.Screen != nil, "records", r.Records)
	return r, parts, nil
}

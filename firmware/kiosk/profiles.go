package kiosk

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"

	"github.com/kiosk06/kiosk/drivers/gpio"
	"github.com/kiosk06/kiosk/drivers/nfc"
	"github.com/kiosk06/kiosk/drivers/scanner"
	"github.com/kiosk06/kiosk/firmware/config"
	"github.com/kiosk06/kiosk/firmware/devices"
	"github.com/kiosk06/kiosk/firmware/hospital"
	"github.com/kiosk06/kiosk/firmware/metrics"
	"github.com/kiosk06/kiosk/firmware/parking"
	"github.com/kiosk06/kiosk/firmware/store"
	"github.com/kiosk06/kiosk/firmware/transit"
)

// env is what a profile is started with.
type env struct {
	cfg   *config.Config
	log   *slog.Logger
	store *store.Store
	m     *metrics.Metrics
	pins  *devices.Pins
}

// goComponent runs f until its context is cancelled; stop waits for it.
func goComponent(ctx context.Context, name string, log *slog.Logger, f func(context.Context) error) component {
	rctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := f(rctx); err != nil && !errors.Is(err, context.Canceled) {
			log.Error(name+" stopped", "err", err)
		}
	}()
	return component{name, func(sctx context.Context) error {
		cancel()
		select {
		case <-done:
			return nil
		case <-sctx.Done():
			return fmt.Errorf("%s did not stop in time", name)
		}
	}}
}

// Screens are what a profile offers a UI to render (nil fields: none).
type Screens struct {
	// Hospital is the self-registration flow.
	Hospital *hospital.Flow
	// Parking is the exit lane and ParkingStates its state changes (newest
	// last; states are dropped rather than block the lane).
	Parking       *parking.Terminal
	ParkingStates <-chan parking.State
}

func (s Screens) any() bool { return s.Hospital != nil || s.Parking != nil }

// startProfile starts what the configured profile runs and returns the
// screens a UI may render.
func startProfile(ctx context.Context, e *env) ([]component, Screens, error) {
	switch e.cfg.Device.Profile {
	case config.ProfileTransit:
		parts, err := startTransit(ctx, e)
		return parts, Screens{}, err
	case config.ProfileParking:
		return startParking(ctx, e)
	case config.ProfileHospital:
		parts, flow, err := startHospital(ctx, e)
		return parts, Screens{Hospital: flow}, err
	}
	return nil, Screens{}, fmt.Errorf("kiosk: unknown profile %q", e.cfg.Device.Profile)
}

// operatorKey loads an operator HMAC key; with --sim a development key is
// made on first start (never on a real device: the operator provides it).
func operatorKey(cfg *config.Config, path string, load func(string) ([]byte, error)) ([]byte, error) {
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) && cfg.Sim {
		k := make([]byte, 32)
		if _, err := rand.Read(k); err != nil {
			return nil, err
		}
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			return nil, err
		}
		if err := os.WriteFile(path, []byte(hex.EncodeToString(k)), 0o600); err != nil {
			return nil, err
		}
	}
	return load(path)
}

// output opens a gpio-out role if configured (nil otherwise).
func (e *env) output(role string) (*gpio.Output, error) {
	spec, ok := e.cfg.Devices[role]
	if !ok {
		return nil, nil
	}
	pin, err := e.pins.Pin(role, spec)
	if err != nil {
		return nil, err
	}
	return gpio.NewOutput(pin, spec.ActiveLow)
}

// inputs opens the configured card reader and scanner (either may be nil).
func (e *env) inputs(ctx context.Context) (nfc.Reader, *scanner.Scanner, []component, error) {
	var parts []component
	var reader nfc.Reader
	var sc *scanner.Scanner
	if spec, ok := e.cfg.Devices["nfc"]; ok {
		r, err := devices.OpenNFC(ctx, spec, e.log)
		if err != nil {
			return nil, nil, nil, fmt.Errorf("kiosk: nfc: %w", err)
		}
		reader = r
		parts = append(parts, component{"nfc", func(context.Context) error { return r.Close() }})
	}
	if spec, ok := e.cfg.Devices["scanner"]; ok {
		s, err := devices.OpenScanner(spec, e.log)
		if err != nil {
			return nil, nil, nil, fmt.Errorf("kiosk: scanner: %w", err)
		}
		sc = s
		parts = append(parts, component{"scanner", func(context.Context) error { return s.Close() }})
	}
	return reader, sc, parts, nil
}

// qrSource adapts the scanner driver to the flows' QR input.
type qrSource struct{ s *scanner.Scanner }

func (q qrSource) ReadQR(ctx context.Context) (string, error) {
	sc, err := q.s.Next(ctx)
	return sc.Text, err
}

func startTransit(ctx context.Context, e *env) ([]component, error) {
	cfg := e.cfg
	key, err := operatorKey(cfg, cfg.Transit.KeyFile(cfg.Device.DataDir), transit.LoadKey)
	if err != nil {
		return nil, fmt.Errorf("kiosk: transit token key: %w", err)
	}
	ls := transit.ListStore{Dir: cfg.Transit.ListsPath(cfg.Device.DataDir)}
	lists, err := ls.Load()
	if err != nil {
		return nil, fmt.Errorf("kiosk: transit lists: %w", err)
	}
	tok, err := transit.NewTokenizer(key, cfg.Transit.AllowUID, nil)
	if err != nil {
		return nil, err
	}
	fb := &transit.GPIOFeedback{}
	for role, out := range map[string]**gpio.Output{"led_green": &fb.Green, "led_red": &fb.Red, "buzzer": &fb.Buzzer} {
		if *out, err = e.output(role); err != nil {
			return nil, fmt.Errorf("kiosk: %s: %w", role, err)
		}
	}
	tc := transit.ConfigFrom(cfg.Transit)
	tc.Logger = e.log
	v, err := transit.New(tc, transit.Deps{Store: e.store, Tokens: tok, Feedback: fb, Lists: lists})
	if err != nil {
		return nil, err
	}
	if err := v.Restore(ctx); err != nil {
		return nil, fmt.Errorf("kiosk: transit restore: %w", err)
	}
	reader, sc, parts, err := e.inputs(ctx)
	if err != nil {
		return nil, err
	}
	if pk := cfg.Transit.PublicKey(); pk != nil {
		base := cfg.Transit.ListsURL
		if base == "" {
			base = cfg.Uplink.BaseURL
		}
		token, _ := uplinkToken(cfg.Uplink)
		sy := transit.Syncer{BaseURL: base, PublicKey: pk, Token: token, Store: ls, Logger: e.log}
		parts = append(parts, goComponent(ctx, "transit lists", e.log, func(c context.Context) error {
			return sy.Run(c, v, cfg.Transit.SyncInterval.D())
		}))
	} else {
		e.log.Warn("transit: no lists_public_key: deny and pass lists are not synced")
	}
	src := transit.Sources{Reader: reader}
	if sc != nil {
		src.QR = qrSource{sc}
	}
	parts = append(parts, goComponent(ctx, "transit validator", e.log, func(c context.Context) error { return v.Run(c, src) }))
	return parts, nil
}

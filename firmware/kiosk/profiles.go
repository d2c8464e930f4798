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
	"github.com/kiosk06/kiosk/firmware/downlink"
	"github.com/kiosk06/kiosk/firmware/heartbeat"
	"github.com/kiosk06/kiosk/firmware/hospital"
	"github.com/kiosk06/kiosk/firmware/identity"
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
	// health is what the heartbeat reports of each device (nil: nothing);
	// down is the downlink stream handlers register on (issue 22).
	health *heartbeat.Board
	down   *downlink.Mux
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

// qrSource adapts the scanner driver to identity.QRSource.
type qrSource struct{ s *scanner.Scanner }

func (q qrSource) ReadQR(ctx context.Context) (string, error) {
	sc, err := q.s.Next(ctx)
	return sc.Text, err
}

func startTransit(ctx context.Context, e *env) ([]component, error) {
	cfg := e.cfg
	key, err := operatorKey(cfg, cfg.Transit.KeyFile(cfg.Device.DataDir), identity.LoadKey)
	if err != nil {
		return nil, fmt.Errorf("kiosk: transit token key: %w", err)
	}
	ls, lists, err := transitLists(ctx, e)
	if err != nil {
		return nil, err
	}
	tok, err := identity.NewTokenizer(key)
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
	switch {
	case ls == nil:
	case cfg.Transit.ListsURL == "" && cfg.Uplink.BaseURL == "":
		e.log.Warn("transit: no lists_url or uplink.base_url: deny and pass lists are not synced")
	default:
		sy, err := transit.NewSyncer(cfg.Transit, cfg.Uplink, ls, e.log)
		if err != nil {
			return nil, fmt.Errorf("kiosk: %w", err)
		}
		parts = append(parts, goComponent(ctx, "transit lists", e.log, func(c context.Context) error {
			return sy.Run(c, v, cfg.Transit.SyncInterval.D())
		}))
	}
	acq := e.acquirer(reader, sc, identity.Policy{StaticUID: cfg.Transit.AllowUID}, identity.Options{})
	parts = append(parts, goComponent(ctx, "transit validator", e.log, func(c context.Context) error { return v.Run(c, acq) }))
	return parts, nil
}

// transitLists opens the signed deny and pass lists and exposes their state
// as metrics. A corrupt or missing list never stops the validator: the list
// store falls back to the last good files with an alert (error log,
// kiosk_transit_list_faults, kiosk_transit_list_degraded). Without
// lists_public_key nothing can be verified: both lists stay empty (every
// pass holder pays the fare) and ls is nil.
func transitLists(ctx context.Context, e *env) (*transit.ListStore, *transit.Lists, error) {
	pk := e.cfg.Transit.PublicKey()
	if pk == nil {
		e.log.Warn("transit: no lists_public_key: no deny or pass list is loaded or synced; pass holders pay the fare")
		return nil, nil, nil
	}
	ls, err := transit.NewListStore(e.cfg.Transit.ListsPath(e.cfg.Device.DataDir), pk, e.store, e.log)
	if err != nil {
		return nil, nil, fmt.Errorf("kiosk: %w", err)
	}
	lists := ls.Load(ctx)
	gauge := func(f func(transit.ListStatus) float64) func() map[string]float64 {
		return func() map[string]float64 {
			out := map[string]float64{}
			for _, s := range ls.Status() {
				out[s.Name] = f(s)
			}
			return out
		}
	}
	_ = e.m.LabeledGauge("transit_list_version", "Version of each transit list in use (0: none).", "list",
		gauge(func(s transit.ListStatus) float64 { return float64(s.Version) }))
	_ = e.m.LabeledGauge("transit_list_floor", "Highest version of each transit list ever accepted.", "list",
		gauge(func(s transit.ListStatus) float64 { return float64(s.Floor) }))
	_ = e.m.LabeledGauge("transit_list_faults", "Transit list files or documents refused since start (corrupt, forged, below the version floor).", "list",
		gauge(func(s transit.ListStatus) float64 { return float64(s.Faults) }))
	_ = e.m.LabeledGauge("transit_list_degraded", "1 while a transit list is missing or older than its version floor.", "list",
		gauge(func(s transit.ListStatus) float64 {
			if s.Degraded != "" {
				return 1
			}
			return 0
		}))
	return ls, lists, nil
}

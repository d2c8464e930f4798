//go:build sim

package main

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/kiosk06/kiosk/drivers/emrtd/testpki"
	"github.com/kiosk06/kiosk/firmware/config"
	"github.com/kiosk06/kiosk/firmware/kiosk"
	"github.com/kiosk06/kiosk/firmware/profile"
	"github.com/kiosk06/kiosk/firmware/simrig"
)

// simBuilt: this kioskd carries the simulator (built with -tags sim: `make
// run`, the tests). Only this file imports firmware/simrig, and through it
// the …sim packages, testpki, the fakes and the collector.
const simBuilt = true

// rigSim is the simulator of a --sim run: firmware/simrig's rig.
type rigSim struct{ *simrig.Rig }

func (r rigSim) readyLines() []string {
	var out []string
	for _, d := range r.Devices() {
		out = append(out, fmt.Sprintf("sim %-12s %-11s %s", d.Role, d.Driver, d.Spec))
	}
	return out
}

// startSim starts a simulator for every device of cfg whose port (bus, pin)
// is "sim" and the fake back-ends prof asks for, writing under dir; with
// opts it hands the kiosk the rig's pins and chip keys, and with control
// the --control socket.
func startSim(ctx context.Context, cfg *config.Config, prof profile.Profile, dir string, log *slog.Logger, control string, opts *kiosk.Options) (simulator, error) {
	rig, err := simrig.Start(ctx, cfg, simrig.Options{Dir: dir, Logger: log, Profile: prof})
	if err != nil {
		return nil, err
	}
	if opts != nil {
		opts.Pins, opts.ChipKeys, opts.AudioSim = rig.Pins, rig.ChipKeys(), rig.AudioDevice()
		if control != "" {
			opts.Control = func(ctx context.Context, r *profile.Running) (func() error, error) {
				stop, err := rig.ServeControl(ctx, control, r)
				if err == nil {
					log.Info("control socket ready", "path", control, "profile", r.Profile)
				}
				return stop, err
			}
		}
	}
	return rigSim{rig}, nil
}

func cmdSim(ctx context.Context, e *env, args []string) int {
	fs := newFlags(e, "sim", "kioskd sim [--dir DIR]")
	dir := fs.String("dir", "./var/sim", "where simulators write their output (printed pages …)")
	if code, ok := parseFlags(fs, e, args); !ok {
		return code
	}
	cfg, err := config.SimDefault(e.registry())
	if err != nil {
		return failf(e, exitFailure, "sim: %v", err)
	}
	log := processLogger(e, cfg)
	ctx, stop := signalContext(ctx)
	defer stop()
	prof, err := e.registry().Lookup(cfg.Device.Profile)
	if err != nil {
		return failf(e, exitFailure, "sim: %v", err)
	}
	rig, err := simrig.Start(ctx, cfg, simrig.Options{Dir: *dir, Logger: log, Profile: prof})
	if err != nil {
		return failf(e, exitFailure, "sim: %v", err)
	}
	defer rig.Close()
	// A genuine virtual CCCD waits in the reader's field, so the printed
	// device strings work with `kioskd diag nfc` and `diag read-card` at once.
	if err := rig.TapCard(testpki.Adult, testpki.Genuine, 0); err != nil {
		return failf(e, exitFailure, "sim: %v", err)
	}
	printReady(e, rigSim{rig})
	if c, err := rig.Card(testpki.Adult, testpki.Genuine); err == nil {
		fmt.Fprintf(e.stdout, "card %s genuine CCCD in the field; QR %q; trust %s\n", "nfc", simrig.QRPayload(c), rig.TrustDir)
	}
	<-ctx.Done()
	return exitOK
}

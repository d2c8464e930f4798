// Package simrig starts the device side of every simulated device for
// `kioskd run --sim` and `kioskd sim`: each driver's …sim package on its own
// pseudo-terminal (pn532sim with a virtual CCCD, scannersim, escpossim,
// fingerprintsim). It rewrites the configuration so that devices whose port
// is "sim" point at those ptys, and exposes the simulators for the simulator
// panel and end-to-end tests.
//
// It is development and test tooling wired in by firmware/cmd/kioskd only;
// production code paths (flows, drivers) must not import it.
package simrig

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sort"

	"github.com/kiosk06/kiosk/drivers/escpos/escpossim"
	"github.com/kiosk06/kiosk/drivers/fingerprint/fingerprintsim"
	"github.com/kiosk06/kiosk/firmware/config"
)

// Device is one running simulator.
type Device struct {
	Role   string // config role: nfc, printer, …
	Driver string // config driver
	Path   string // the pty the driver opens
	// Spec is the device string the matching `kioskd diag` tool accepts,
	// e.g. "pn532:uart:/dev/pts/3@115200".
	Spec string
}

// Rig holds the running simulators. The typed fields are the simulators
// themselves, for the simulator panel and end-to-end tests (nil when that
// device is not simulated).
type Rig struct {
	Dir         string // where simulators write their output (printed pages …)
	Printer     *escpossim.Sim
	Fingerprint *fingerprintsim.Sim

	devices []Device
	closers []func() error
	log     *slog.Logger
}

// Start starts a simulator for every device of cfg whose port (or bus) is
// "sim", and points cfg at them. dir receives simulator output.
func Start(ctx context.Context, cfg *config.Config, dir string, log *slog.Logger) (*Rig, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("simrig: %w", err)
	}
	r := &Rig{Dir: dir, log: log}
	roles := make([]string, 0, len(cfg.Devices))
	for role, spec := range cfg.Devices {
		if spec.IsSim() {
			roles = append(roles, role)
		}
	}
	sort.Strings(roles)
	for _, role := range roles {
		spec := cfg.Devices[role]
		d, err := r.start(ctx, role, &spec)
		if err != nil {
			r.Close()
			return nil, fmt.Errorf("simrig: %s (%s): %w", role, spec.Driver, err)
		}
		cfg.Devices[role] = spec
		r.devices = append(r.devices, d)
	}
	return r, nil
}

// start launches the simulator for one device and rewrites its spec.
func (r *Rig) start(ctx context.Context, role string, spec *config.DeviceSpec) (Device, error) {
	d := Device{Role: role, Driver: spec.Driver}
	switch spec.Driver {
	case "escpos":
		sim, err := escpossim.Start(ctx, &escpossim.Options{Dir: r.OutputDir(role), Width: spec.Width, Baud: spec.Baud, Logger: r.log})
		if err != nil {
			return d, err
		}
		r.Printer = sim
		r.closers = append(r.closers, sim.Close)
		d.Path, d.Spec = sim.Path(), sim.DeviceString()
	case "r30x":
		sim, err := fingerprintsim.Start(ctx, fingerprintsim.Options{Address: uint32(spec.Address), Password: uint32(spec.Password), Baud: spec.Baud, Logger: r.log})
		if err != nil {
			return d, err
		}
		r.Fingerprint = sim
		r.closers = append(r.closers, sim.Close)
		d.Path, d.Spec = sim.Path(), sim.DeviceString()
	default:
		return d, fmt.Errorf("no simulator for driver %q", spec.Driver)
	}
	spec.Port = d.Path
	return d, nil
}

// Devices lists the running simulators in role order.
func (r *Rig) Devices() []Device { return append([]Device(nil), r.devices...) }

// OutputDir is where simulator output of one role goes.
func (r *Rig) OutputDir(role string) string { return filepath.Join(r.Dir, role) }

// Close stops every simulator.
func (r *Rig) Close() error {
	var errs []error
	for i := len(r.closers) - 1; i >= 0; i-- {
		errs = append(errs, r.closers[i]())
	}
	r.closers = nil
	return errors.Join(errs...)
}

package kiosk

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/kiosk06/kiosk/drivers/escpos"
	"github.com/kiosk06/kiosk/drivers/fingerprint"
	"github.com/kiosk06/kiosk/drivers/gpio"
	"github.com/kiosk06/kiosk/drivers/nfc"
	"github.com/kiosk06/kiosk/drivers/scanner"
	"github.com/kiosk06/kiosk/firmware/devices"
	"github.com/kiosk06/kiosk/firmware/heartbeat"
	"github.com/kiosk06/kiosk/firmware/profile"
)

// deviceSet opens the configured roles on demand for a profile
// (profile.Devices): each once, closed in reverse order by close. A
// printer's paper state is watched while it is open.
type deviceSet struct {
	ctx context.Context
	e   *env

	mu     sync.Mutex
	opened map[string]any
	stops  []component
}

func newDeviceSet(ctx context.Context, e *env) *deviceSet {
	return &deviceSet{ctx: ctx, e: e, opened: map[string]any{}}
}

var _ profile.Devices = (*deviceSet)(nil)

// Configured implements profile.Devices.
func (d *deviceSet) Configured(role string) bool { _, ok := d.e.cfg.Devices[role]; return ok }

// open returns role's device, opening it with f the first time. f returns
// the device and what stops it.
func open[T any](d *deviceSet, role string, f func() (T, []component, error)) (T, error) {
	var zero T
	if !d.Configured(role) {
		return zero, nil
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if v, ok := d.opened[role]; ok {
		t, ok := v.(T)
		if !ok {
			return zero, fmt.Errorf("kiosk: %s is already open as %T", role, v)
		}
		return t, nil
	}
	t, stops, err := f()
	if err != nil {
		d.e.health.Set(role, heartbeat.StateFault, "open failed")
		return zero, fmt.Errorf("kiosk: %s: %w", role, err)
	}
	if _, watched := d.opened[role]; !watched && d.e.health.State(role) == heartbeat.StateUnknown {
		d.e.health.Set(role, heartbeat.StateOK, "opened") // a monitor (the printer's paper poll) may refine it
	}
	d.opened[role] = t
	d.stops = append(d.stops, stops...)
	return t, nil
}

func closer(name string, c func() error) component {
	return component{name, func(context.Context) error { return c() }}
}

// Reader implements profile.Devices.
func (d *deviceSet) Reader(ctx context.Context) (nfc.Reader, error) {
	return open(d, "nfc", func() (nfc.Reader, []component, error) {
		r, err := devices.OpenNFC(ctx, d.e.cfg.Devices["nfc"], d.e.log)
		if err != nil {
			return nil, nil, err
		}
		return r, []component{closer("nfc", r.Close)}, nil
	})
}

// Scanner implements profile.Devices.
func (d *deviceSet) Scanner() (*scanner.Scanner, error) {
	return open(d, "scanner", func() (*scanner.Scanner, []component, error) {
		s, err := devices.OpenScanner(d.e.cfg.Devices["scanner"], d.e.log)
		if err != nil {
			return nil, nil, err
		}
		return s, []component{closer("scanner", s.Close)}, nil
	})
}

// Printer implements profile.Devices.
func (d *deviceSet) Printer() (*escpos.Printer, error) {
	return open(d, "printer", func() (*escpos.Printer, []component, error) {
		p, err := escpos.Open(devices.PrinterOptions(d.e.cfg.Devices["printer"], d.e.log))
		if err != nil {
			return nil, nil, err
		}
		return p, []component{closer("printer", p.Close), monitorPrinter(d.ctx, d.e, p, 30*time.Second)}, nil
	})
}

// Fingerprint implements profile.Devices.
func (d *deviceSet) Fingerprint(ctx context.Context) (*fingerprint.Dev, error) {
	return open(d, "fingerprint", func() (*fingerprint.Dev, []component, error) {
		dev, opts := devices.FingerprintDevice(d.e.cfg.Devices["fingerprint"], d.e.log)
		m, err := fingerprint.Open(ctx, dev, opts)
		if err != nil {
			return nil, nil, err
		}
		return m, []component{closer("fingerprint", m.Close)}, nil
	})
}

// Output implements profile.Devices.
func (d *deviceSet) Output(role string) (*gpio.Output, error) {
	return open(d, role, func() (*gpio.Output, []component, error) {
		spec := d.e.cfg.Devices[role]
		pin, err := d.e.pins.Pin(role, spec)
		if err != nil {
			return nil, nil, err
		}
		o, err := gpio.NewOutput(pin, spec.ActiveLow)
		return o, nil, err
	})
}

// Button implements profile.Devices.
func (d *deviceSet) Button(role string) (*gpio.Button, error) {
	return open(d, role, func() (*gpio.Button, []component, error) {
		spec := d.e.cfg.Devices[role]
		pin, err := d.e.pins.Pin(role, spec)
		if err != nil {
			return nil, nil, err
		}
		b, err := gpio.NewButton(pin, spec.Debounce.D())
		return b, nil, err
	})
}

// Loop implements profile.Devices.
func (d *deviceSet) Loop(role string) (*gpio.LoopSensor, error) {
	return open(d, role, func() (*gpio.LoopSensor, []component, error) {
		spec := d.e.cfg.Devices[role]
		pin, err := d.e.pins.Pin(role, spec)
		if err != nil {
			return nil, nil, err
		}
		l, err := gpio.NewLoopSensor(pin, spec.ActiveLow, spec.Debounce.D())
		return l, nil, err
	})
}

// close stops the monitors and closes every device opened, in reverse.
func (d *deviceSet) close(ctx context.Context) error {
	d.mu.Lock()
	stops := d.stops
	d.stops = nil
	d.mu.Unlock()
	var errs []error
	for i := len(stops) - 1; i >= 0; i-- {
		if err := stops[i].stop(ctx); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", stops[i].name, err))
		}
	}
	return errors.Join(errs...)
}

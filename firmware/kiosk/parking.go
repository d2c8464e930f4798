package kiosk

import (
	"context"
	"fmt"
	"time"

	"github.com/kiosk06/kiosk/drivers/escpos"
	"github.com/kiosk06/kiosk/drivers/gpio"
	"github.com/kiosk06/kiosk/firmware/devices"
	"github.com/kiosk06/kiosk/firmware/identity"
	"github.com/kiosk06/kiosk/firmware/parking"
	"github.com/kiosk06/kiosk/firmware/records"
	"github.com/kiosk06/kiosk/payments/tariff"
)

func startParking(ctx context.Context, e *env) ([]component, Screens, error) {
	parts, term, states, err := startParkingLane(ctx, e)
	return parts, Screens{Parking: term, ParkingStates: states}, err
}

func startParkingLane(ctx context.Context, e *env) ([]component, *parking.Terminal, <-chan parking.State, error) {
	cfg := e.cfg
	key, err := operatorKey(cfg, cfg.Parking.KeyFile(cfg.Device.DataDir), identity.LoadKey)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("kiosk: parking token key: %w", err)
	}
	tokens, err := identity.NewTokenizer(key)
	if err != nil {
		return nil, nil, nil, err
	}
	var parts []component
	deps := parking.Deps{Store: e.store}
	if spec, ok := cfg.Devices["printer"]; ok {
		p, err := escpos.Open(devices.PrinterOptions(spec, e.log))
		if err != nil {
			return parts, nil, nil, fmt.Errorf("kiosk: printer: %w", err)
		}
		deps.Printer = p
		parts = append(parts, component{"printer", func(context.Context) error { return p.Close() }},
			monitorPrinter(ctx, e, p, 30*time.Second))
	}
	if barrier, err := e.output("barrier"); err != nil {
		return parts, nil, nil, fmt.Errorf("kiosk: barrier: %w", err)
	} else if barrier != nil {
		deps.Barrier = barrier
	}
	if spec, ok := cfg.Devices["loop"]; ok {
		pin, err := e.pins.Pin("loop", spec)
		if err != nil {
			return parts, nil, nil, fmt.Errorf("kiosk: loop: %w", err)
		}
		loop, err := gpio.NewLoopSensor(pin, spec.ActiveLow, spec.Debounce.D())
		if err != nil {
			return parts, nil, nil, fmt.Errorf("kiosk: loop: %w", err)
		}
		deps.Loop = loop
	}
	if cfg.Parking.PaymentBIN != "" {
		mgr, c, err := startPayments(ctx, e, parking.SessionConfigFrom(cfg.Parking, cfg.Device.ID, cfg.Uplink.BaseURL), records.NewSessionRecorder(e.store), nil)
		parts = append(parts, c...)
		if err != nil {
			return parts, nil, nil, err
		}
		deps.VietQR = mgr
	}
	pc := parking.ConfigFrom(cfg.Parking)
	pc.Logger = e.log
	states := make(chan parking.State, 16)
	pc.OnState = func(s parking.State) {
		e.log.Info("parking lane", "phase", s.Phase, "message", s.Message)
		for {
			select {
			case states <- s:
				return
			default: // full: drop the oldest, the screen wants the newest
				select {
				case <-states:
				default:
				}
			}
		}
	}
	term, err := parking.New(pc, deps)
	if err != nil {
		return parts, nil, nil, err
	}
	if err := term.Restore(ctx); err != nil {
		return parts, nil, nil, fmt.Errorf("kiosk: parking restore: %w", err)
	}
	_, sc, in, err := e.inputs(ctx)
	if err != nil {
		return parts, nil, nil, err
	}
	parts = append(parts, in...)
	if sc == nil {
		e.log.Warn("parking: no scanner configured: the lane waits for the attendant screen")
		return parts, term, states, nil
	}
	// The lane takes the scanner only, as before: ticket QRs and CCCD QRs.
	acq := e.acquirer(nil, sc, identity.Policy{}, identity.Options{})
	lane := parking.Lane{Mode: cfg.Parking.Lane, Vehicle: tariff.Vehicle(cfg.Parking.Vehicle)}
	parts = append(parts, goComponent(ctx, "parking lane", e.log, func(c context.Context) error {
		return term.RunLane(c, acq, tokens, lane)
	}))
	return parts, term, states, nil
}

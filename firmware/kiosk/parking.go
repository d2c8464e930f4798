package kiosk

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"time"

	"github.com/kiosk06/kiosk/drivers/cccd"
	"github.com/kiosk06/kiosk/drivers/escpos"
	"github.com/kiosk06/kiosk/drivers/gpio"
	"github.com/kiosk06/kiosk/firmware/devices"
	"github.com/kiosk06/kiosk/firmware/parking"
	"github.com/kiosk06/kiosk/payments/tariff"
)

// parkingTicketID is what the QR on a parking ticket carries.
var parkingTicketID = regexp.MustCompile(`^[A-Z2-7]{10}$`)

func startParking(ctx context.Context, e *env) ([]component, Screens, error) {
	parts, term, states, err := startParkingLane(ctx, e)
	return parts, Screens{Parking: term, ParkingStates: states}, err
}

func startParkingLane(ctx context.Context, e *env) ([]component, *parking.Terminal, <-chan parking.State, error) {
	cfg := e.cfg
	key, err := operatorKey(cfg, cfg.Parking.KeyFile(cfg.Device.DataDir), parking.LoadKey)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("kiosk: parking token key: %w", err)
	}
	ident, err := parking.NewIdentifier(key)
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
		mgr, c, err := startPayments(ctx, e, parking.SessionConfigFrom(cfg.Parking, cfg.Device.ID, cfg.Uplink.BaseURL), parking.SessionRecorder{Store: e.store}, nil)
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
	lane := laneRules{lane: cfg.Parking.Lane, vehicle: tariff.Vehicle(cfg.Parking.Vehicle)}
	parts = append(parts, goComponent(ctx, "parking lane", e.log, func(c context.Context) error {
		return runParkingLane(c, term, ident, qrSource{sc}, lane, e)
	}))
	return parts, term, states, nil
}

// runParkingLane turns scans into lane intents: a ticket's QR is an exit; a
// CCCD QR is an entry or an exit depending on the lane ("both": an exit
// when that driver's vehicle is inside, else an entry).
// laneRules is what an unattended lane does with a CCCD.
type laneRules struct {
	lane    string // entry, exit or both
	vehicle tariff.Vehicle
}

func runParkingLane(ctx context.Context, term *parking.Terminal, ident *parking.Identifier, src qrSource, lane laneRules, e *env) error {
	for {
		text, err := src.ReadQR(ctx)
		if ctx.Err() != nil {
			return nil
		}
		if err != nil {
			e.log.Warn("parking: scanner", "err", err)
			time.Sleep(500 * time.Millisecond)
			continue
		}
		if parkingTicketID.MatchString(text) {
			_, err = term.Exit(ctx, parking.ExitRequest{TicketID: text})
		} else if cred, qerr := ident.FromQR(text); qerr == nil {
			err = parkingCredential(ctx, term, cred, lane)
		} else if errors.Is(qerr, cccd.ErrUnsupportedQR) || errors.Is(qerr, cccd.ErrBadQR) {
			e.log.Info("parking: scan is neither a ticket nor a CCCD", "err", qerr)
			continue
		} else {
			err = qerr
		}
		if err != nil {
			e.log.Warn("parking: lane", "err", err)
		}
	}
}

func parkingCredential(ctx context.Context, term *parking.Terminal, cred parking.Credential, lane laneRules) error {
	if lane.lane == "exit" {
		_, err := term.Exit(ctx, parking.ExitRequest{Credential: cred})
		return err
	}
	if lane.lane == "both" {
		_, err := term.Exit(ctx, parking.ExitRequest{Credential: cred})
		if !errors.Is(err, parking.ErrUnknownTicket) {
			return err
		}
	}
	_, err := term.Entry(ctx, parking.EntryRequest{Credential: cred, Vehicle: lane.vehicle})
	return err
}

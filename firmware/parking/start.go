package parking

import (
	"context"
	"fmt"

	"github.com/kiosk06/kiosk/firmware/config"
	"github.com/kiosk06/kiosk/firmware/identity"
	"github.com/kiosk06/kiosk/firmware/profile"
	"github.com/kiosk06/kiosk/firmware/records"
	"github.com/kiosk06/kiosk/firmware/staffmenu"
	"github.com/kiosk06/kiosk/payments/tariff"
)

// Name is the profile's name: [device] profile = "parking" and its
// [parking] table.
const Name = "parking"

// Profile is the parking lane as a device profile (firmware/profile): the
// printer, barrier relay and loop sensor, VietQR exits, and the unattended
// lane over the scanner, and the staff menu when [admin] names a PIN
// file. Its Screen streams the lane's State and takes the attendant's
// Intents.
type Profile struct{}

var _ profile.Profile = Profile{}

// Name implements profile.Profile.
func (Profile) Name() string { return Name }

// Section implements profile.Profile: the [parking] table.
func (Profile) Section() config.Section { return &Section{} }

// Start implements profile.Profile.
func (Profile) Start(ctx context.Context, e profile.Env) (*profile.Running, error) {
	cfg := e.Config
	sec, ok := e.Section.(*Section)
	if !ok {
		return nil, fmt.Errorf("parking: the [parking] section is %T", e.Section)
	}
	r := &profile.Running{Records: []string{KindEntry, KindExit, KindBarrier, KindRefused, KindReport, KindIntent, records.KindPaymentSession}}
	key, err := profile.OperatorKey(cfg, sec.KeyFile(cfg.Device.DataDir), identity.LoadKey)
	if err != nil {
		return r, fmt.Errorf("parking: token key: %w", err)
	}
	tokens, err := identity.NewTokenizer(key)
	if err != nil {
		return r, err
	}
	deps := Deps{Store: e.Store}
	var staffPrinter staffmenu.Printer
	if p, err := e.Devices.Printer(); err != nil {
		return r, err
	} else if p != nil {
		deps.Printer, staffPrinter = p, p
	}
	if b, err := e.Devices.Output("barrier"); err != nil {
		return r, err
	} else if b != nil {
		deps.Barrier = b
	}
	if l, err := e.Devices.Loop("loop"); err != nil {
		return r, err
	} else if l != nil {
		deps.Loop = l
	}
	if sec.PaymentBIN != "" {
		mgr, c, err := profile.StartPayments(ctx, e, SessionConfigFrom(*sec, cfg.Device.ID, cfg.Uplink.BaseURL), records.NewSessionRecorder(e.Store), nil)
		r.Add(c...)
		if err != nil {
			return r, err
		}
		deps.VietQR = mgr
	}
	// The staff menu (no [admin] pin_file: none, and no staff button): the
	// lane's directions are its services; a lane has no staff-call desk.
	menu, err := profile.StaffMenu(ctx, e, staffmenu.Config{Profile: Name, Site: sec.Header, Printer: staffPrinter,
		Kinds: r.Records, Services: Services(sec.Lane)})
	if err != nil {
		return r, fmt.Errorf("parking: %w", err)
	}
	deps.Staff = menu
	pc := ConfigFrom(*sec)
	pc.Logger = e.Log
	pc.Location = cfg.Device.Location()
	pc.OnState = func(s State) { e.Log.Info("parking lane", "phase", s.Phase, "message", s.Message) }
	term, err := New(pc, deps)
	if err != nil {
		return r, err
	}
	if err := term.Restore(ctx); err != nil {
		return r, fmt.Errorf("parking: restore: %w", err)
	}
	lane := Lane{Mode: sec.Lane, Vehicle: tariff.Vehicle(sec.Vehicle)}
	r.Add(profile.Go(ctx, "parking intents", e.Log, func(c context.Context) error { return term.Serve(c, lane) }))
	r.Screen = profile.NewScreen[State, Intent](Name, term)
	r.Sim = simControls()
	if !e.Devices.Configured("scanner") {
		e.Log.Warn("parking: no scanner configured: the lane waits for the attendant screen")
		return r, nil
	}
	// The lane takes the scanner only: ticket QRs and CCCD QRs.
	acq, err := e.Identity(ctx, profile.IdentityNeed{Scanner: true})
	if err != nil {
		return r, err
	}
	r.Add(profile.Go(ctx, "parking lane", e.Log, func(c context.Context) error {
		return term.RunLane(c, acq, tokens, lane)
	}))
	return r, nil
}

// simControls are the lane's scenarios on the simulator panel: a vehicle
// over the loop, the driver's CCCD or ticket under the scanner, the VietQR
// transfer.
func simControls() []profile.SimGroup {
	one := func(label string, c profile.SimCommand) profile.SimAction {
		return profile.SimAction{Label: label, Commands: []profile.SimCommand{c}}
	}
	return []profile.SimGroup{{Title: "Xe và tài xế", Actions: []profile.SimAction{
		one("Xe đến: quét QR thẻ CCCD của tài xế", profile.SimCommand{Sim: profile.SimScan, Citizen: "adult"}),
		one("Xe vào vòng từ (dưới barrier)", profile.SimCommand{Sim: profile.SimInput, Role: "loop", On: true}),
		one("Xe rời vòng từ", profile.SimCommand{Sim: profile.SimInput, Role: "loop"}),
		one("Xe ra: quét QR trên vé vừa in", profile.SimCommand{Sim: profile.SimScanPrinted}),
		one("Tài xế chuyển khoản VietQR", profile.SimCommand{Sim: profile.SimPay}),
	}}}
}

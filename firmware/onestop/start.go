package onestop

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/kiosk06/kiosk/firmware/config"
	"github.com/kiosk06/kiosk/firmware/identity"
	"github.com/kiosk06/kiosk/firmware/netclient"
	"github.com/kiosk06/kiosk/firmware/onestop/backend"
	"github.com/kiosk06/kiosk/firmware/profile"
	"github.com/kiosk06/kiosk/firmware/records"
	"github.com/kiosk06/kiosk/firmware/staffmenu"
	"github.com/kiosk06/kiosk/firmware/tickets"
)

// Name is the profile's name: [device] profile = "onestop" and its
// [onestop] table.
const Name = "onestop"

// Profile is the one-stop public-service kiosk as a device profile
// (firmware/profile): the queue (and a ticket dispenser when a button is
// fitted), the printer, the one-stop system's client with the offline
// catalogue kept in sync, the card reader and scanner (provincial-app QRs
// split off to the flow), the staff menu when [admin] names a PIN file,
// and the Flow as the profile's Screen.
type Profile struct{}

var _ profile.Profile = Profile{}

// Name implements profile.Profile.
func (Profile) Name() string { return Name }

// Section implements profile.Profile: the [onestop] table.
func (Profile) Section() config.Section { return &Section{} }

// RecordKinds are the record kinds the one-stop kiosk writes: the flow's
// and the queue's.
func RecordKinds() []string {
	return []string{records.KindOnestopSignIn, records.KindOnestopIntent, records.KindOnestopDossier, records.KindOnestopTicket,
		records.KindOnestopLookup, records.KindOnestopSupport, records.KindOnestopAbandoned, records.KindOnestopService,
		records.KindQueueEvent}
}

// Start implements profile.Profile.
func (Profile) Start(ctx context.Context, e profile.Env) (*profile.Running, error) {
	cfg := e.Config
	sec, ok := e.Section.(*Section)
	if !ok {
		return nil, fmt.Errorf("onestop: the [onestop] section is %T", e.Section)
	}
	r := &profile.Running{Records: RecordKinds()}
	if err := checkCounters(cfg, sec); err != nil {
		return r, err
	}
	sys, err := systemClient(e, sec)
	if err != nil {
		return r, err
	}
	eng, qc, err := profile.StartQueue(ctx, e)
	r.Add(qc...)
	if err != nil {
		return r, err
	}
	printer, err := e.Devices.Printer()
	if err != nil {
		return r, err
	}
	if printer == nil {
		return r, errors.New("onestop: the onestop profile needs [devices.printer] for receipt slips and queue numbers")
	}
	header := tickets.Header{Name: sec.Office, Address: sec.Address, Phone: sec.Phone}
	// The staff menu's services are the counters ([queue] services) the
	// kiosk files dossiers and issues numbers for. No Calls: the one-stop
	// flow raises no staff calls (its help desk is the one-stop system's
	// support request), so "paper changed" is only recorded. The
	// dispenser's button asks it too: a closed counter's issues nothing.
	services := make([]string, 0, len(cfg.Queue.Services))
	for _, s := range cfg.Queue.Services {
		services = append(services, s.Code)
	}
	menu, err := profile.StaffMenu(ctx, e, staffmenu.Config{Profile: Name, Site: sec.Office, Printer: printer, Kinds: RecordKinds(), Services: services})
	if err != nil {
		return r, fmt.Errorf("onestop: %w", err)
	}
	dq := sec.DispenserQueue
	if dq == "" {
		dq = cfg.Queue.Services[0].Code
	}
	if c, err := profile.StartDispenser(ctx, e, eng, printer, header, dq, serviceOpen(menu)); err != nil {
		return r, err
	} else if c != nil {
		r.Add(*c)
	}

	keeper := NewCatalogueKeeper(sys, sec.CachePath(cfg.Device.DataDir), e.Log)
	r.Add(profile.Go(ctx, "onestop catalogue sync", e.Log, func(c context.Context) error { return keeper.Run(c, sec.CatalogueSync.D()) }))

	apps := sec.AppQRs()
	var split *QRSplit
	need := profile.IdentityNeed{Reader: true, Scanner: true, Verify: true,
		Policy: identity.Policy{CANWait: sec.CANWait.D(), QRAlone: sec.AllowUnverified}}
	if len(apps) > 0 {
		var splitErr error
		need.QRFilter = func(src identity.QRSource) identity.QRSource {
			split, splitErr = NewQRSplit(src, apps)
			if splitErr != nil {
				return src
			}
			return split
		}
		defer func() {
			if splitErr != nil {
				e.Log.Error("onestop: provincial-app QRs are not split off", "err", splitErr)
			}
		}()
	}
	ident, err := e.Identity(ctx, need)
	if err != nil {
		return r, err
	}
	deps := Deps{Identifier: ident, System: sys, Catalogues: keeper, Queue: eng, Printer: printer, Recorder: StoreRecorder(e.Store), Staff: menu}
	if split != nil {
		r.Add(profile.Go(ctx, "onestop qr split", e.Log, split.Run))
		deps.AppQRs = split.App()
	} else if len(apps) > 0 {
		e.Log.Warn("onestop: no scanner configured: provincial-app QRs cannot sign in")
	}
	fc := Config{DeviceID: cfg.Device.ID, Header: header, AppQRs: apps, AllowUnverified: sec.AllowUnverified,
		CANAttempts: sec.CANAttempts, SkipQueueOnSubmit: sec.SkipQueueOnSubmit, CounterNames: sec.Counters,
		IdleTimeout: cfg.UI.IdleTimeout.D(), SupportPoll: sec.SupportPoll.D(), StepTimeout: sec.Timeout.D() * 2,
		Location: cfg.Device.Location(), Logger: e.Log}
	flow, err := New(fc, deps)
	if err != nil {
		return r, err
	}
	r.Add(profile.Go(ctx, "onestop flow", e.Log, flow.Run))
	r.Screen = profile.NewScreen[State, Intent](Name, flow)
	r.Sim = sec.simControls()
	return r, nil
}

// checkCounters: every counter named is a [queue] service.
func checkCounters(cfg *config.Config, sec *Section) error {
	var codes []string
	for _, s := range cfg.Queue.Services {
		codes = append(codes, s.Code)
	}
	for letter := range sec.Counters {
		if !slices.Contains(codes, letter) {
			return fmt.Errorf("onestop: [onestop] counters names %q, which is not a [queue] service (%v)", letter, codes)
		}
	}
	if sec.DispenserQueue != "" && !slices.Contains(codes, sec.DispenserQueue) {
		return fmt.Errorf("onestop: [onestop] dispenser_queue %q is not a [queue] service (%v)", sec.DispenserQueue, codes)
	}
	return nil
}

// systemClient is the one-stop system's client over the section's TLS
// settings and token.
func systemClient(e profile.Env, sec *Section) (*backend.Client, error) {
	if sec.BackendURL == "" {
		return nil, errors.New("onestop: the onestop profile needs [onestop] backend_url (the one-stop information system)")
	}
	token, err := profile.Secret(sec.Token, sec.TokenFile)
	if err != nil {
		return nil, fmt.Errorf("onestop: backend token: %w", err)
	}
	hc, err := netclient.New(netclient.TLS{CAFile: sec.CAFile, ClientCert: sec.ClientCert, ClientKey: sec.ClientKey}, 0) // the client bounds each request
	if err != nil {
		return nil, fmt.Errorf("onestop: backend TLS: %w", err)
	}
	return backend.New(backend.Config{BaseURL: sec.BackendURL, Token: token, Timeout: sec.Timeout.D(), HTTPClient: hc, Logger: e.Log})
}

// simControls are the kiosk's scenarios on the simulator panel (besides the
// rig's own card and printer controls): citizens presenting their card as
// at the kiosk (the QR scanned, then the card tapped and taken back), the
// person someone acts for, a provincial app's QR, and the help desk.
func (s *Section) simControls() []profile.SimGroup {
	present := func(label, who string) profile.SimAction {
		return profile.SimAction{Label: label, Commands: []profile.SimCommand{
			{Sim: profile.SimScan, Citizen: who}, {Sim: profile.SimTap, Citizen: who, Once: true}}}
	}
	citizens := profile.SimGroup{Title: "Công dân", Actions: []profile.SimAction{
		present("Công dân: quét QR rồi chạm thẻ CCCD", "adult"),
		present("Người cao tuổi: quét QR rồi chạm thẻ", "elderly"),
		present("Người được làm hộ: quét QR rồi chạm thẻ của họ", "second-adult"),
		{Label: "Thẻ giả (DG13 bị sửa): quét QR rồi chạm thẻ", Commands: []profile.SimCommand{
			{Sim: profile.SimScan, Variant: "dg13-altered"}, {Sim: profile.SimTap, Variant: "dg13-altered", Once: true}}},
	}}
	if s.simAppQR != "" {
		name := s.Apps[0].Name
		citizens.Actions = append(citizens.Actions, profile.SimAction{Label: "Quét mã QR " + name + " trên điện thoại (người cao tuổi)",
			Commands: []profile.SimCommand{{Sim: profile.SimScan, Text: s.simAppQR}}})
	}
	return []profile.SimGroup{citizens, {Title: "Bộ phận hỗ trợ", Actions: []profile.SimAction{
		{Label: "Cán bộ nhận cuộc gọi hỗ trợ", Commands: []profile.SimCommand{{Sim: profile.SimBackend, Action: "onestop.accept_support"}}},
	}}}
}

// serviceOpen is the dispenser's view of the staff menu's services (nil:
// no menu, every counter open).
func serviceOpen(m *staffmenu.Menu) func(string) bool {
	if m == nil {
		return nil
	}
	return m.ServiceOpen
}

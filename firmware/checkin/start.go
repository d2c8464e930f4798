package checkin

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/kiosk06/kiosk/drivers/fingerprint"
	"github.com/kiosk06/kiosk/firmware/config"
	"github.com/kiosk06/kiosk/firmware/identity"
	"github.com/kiosk06/kiosk/firmware/profile"
	"github.com/kiosk06/kiosk/firmware/records"
	"github.com/kiosk06/kiosk/firmware/staffmenu"
	"github.com/kiosk06/kiosk/firmware/tickets"
)

// Name is the profile's name: [device] profile = "checkin" and its
// [checkin] table.
const Name = "checkin"

// Profile is the identity check-in point as a device profile
// (firmware/profile): the card reader and scanner, the fingerprint module
// with the holder bindings, the printer (optional), the roster of an
// attendance point, and the Flow as the profile's Screen.
type Profile struct{}

var _ profile.Profile = Profile{}

// Name implements profile.Profile.
func (Profile) Name() string { return Name }

// Section implements profile.Profile: the [checkin] table.
func (Profile) Section() config.Section { return &Section{} }

// RecordKinds are the record kinds a check-in point writes.
func RecordKinds() []string {
	return []string{records.KindCheckinRead, records.KindCheckinHolder, records.KindCheckinLodging, records.KindCheckinVerify,
		records.KindCheckinAttendance, records.KindCheckinGate, records.KindCheckinReport, records.KindCheckinService,
		records.KindIdentityHolder}
}

// Start implements profile.Profile.
func (Profile) Start(ctx context.Context, e profile.Env) (*profile.Running, error) {
	cfg := e.Config
	sec, ok := e.Section.(*Section)
	if !ok {
		return nil, fmt.Errorf("checkin: the [checkin] section is %T", e.Section)
	}
	r := &profile.Running{Records: RecordKinds()}
	mode := Mode(sec.Mode)
	var roster *Roster
	if mode == ModeAttendance {
		if sec.RosterFile == "" {
			return r, errors.New("checkin: an attendance point needs [checkin] roster_file")
		}
		f, err := os.Open(sec.RosterFile)
		if err != nil {
			return r, fmt.Errorf("checkin: roster: %w", err)
		}
		roster, err = ParseRoster(sec.Session, f)
		f.Close()
		if err != nil {
			return r, err
		}
	}
	exports := sec.Exports(cfg.Device.DataDir)
	if err := os.MkdirAll(exports, 0o750); err != nil {
		return r, fmt.Errorf("checkin: export dir: %w", err)
	}
	deps := Deps{Roster: roster, Store: e.Store}
	// The staff menu's printer: nil hides the test page, reprint and
	// "paper changed" (a typed nil would not).
	var staffPrinter staffmenu.Printer
	if p, err := e.Devices.Printer(); err != nil {
		return r, err
	} else if p != nil {
		deps.Printer, staffPrinter = p, p
	}
	var flow *Flow
	holder, err := holderVerifier(ctx, e, func(s fingerprint.Step) {
		if flow != nil {
			flow.FingerPrompt(string(s))
		}
	})
	if err != nil {
		return r, err
	}
	if holder != nil {
		deps.Holder = holder
	} else if sec.RequireFingerprint || sec.Enrol {
		return r, errors.New("checkin: [checkin] require_fingerprint and enrol need [devices.fingerprint]")
	}
	ident, err := e.Identity(ctx, profile.IdentityNeed{Reader: true, Scanner: true, Verify: true,
		Policy: identity.Policy{CANWait: sec.CANWait.D(), QRAlone: sec.AllowUnverified}})
	if err != nil {
		return r, err
	}
	deps.Identifier = ident
	fc := Config{DeviceID: cfg.Device.ID, Mode: mode, Site: sec.Site, SiteID: sec.SiteID,
		Header:  tickets.Header{Name: firstOf(sec.Establishment, sec.Site), Address: sec.Address, Phone: sec.Phone},
		Address: sec.Address, Purpose: sec.Purpose, Room: sec.Room, Capacity: sec.Capacity, Direction: sec.Direction,
		AllowUnverified: sec.AllowUnverified, Enrol: sec.Enrol, ConsentVersion: sec.ConsentVersion, ExportDir: exports, ResultDelay: sec.ResultDelay.D(),
		Location: cfg.Device.Location(), Logger: e.Log}
	// The staff menu (nil without [admin] pin_file): its services are the
	// mode's (staff.go), its report counts the point's records.
	session := ""
	if roster != nil {
		session = roster.Session
	}
	deps.Staff, err = profile.StaffMenu(ctx, e, staffmenu.Config{Profile: Name, Site: sec.Site, Printer: staffPrinter,
		Kinds: RecordKinds(), Services: Services(mode, sec.Direction, session)})
	if err != nil {
		return r, err
	}
	flow, err = New(fc, deps)
	if err != nil {
		return r, err
	}
	r.Add(profile.Go(ctx, "checkin flow", e.Log, flow.Run))
	r.Screen = profile.NewScreen[State, Intent](Name, flow)
	r.Sim = simControls(mode, holder != nil)
	return r, nil
}

// The simulated fingers of the panel's controls (the rig's fingerprint
// group names the same): the card holder's enrolled finger and another
// person's.
const (
	SimHolderFinger   = "holder-right-index"
	SimImpostorFinger = "someone-else"
)

// holderVerifier opens the fingerprint module (if configured) and the
// holder bindings over the store; nil when there is no module.
func holderVerifier(ctx context.Context, e profile.Env, prompt func(fingerprint.Step)) (*identity.Holder, error) {
	mod, err := e.Devices.Fingerprint(ctx)
	if err != nil || mod == nil {
		return nil, err
	}
	key, err := profile.OperatorKey(e.Config, e.Config.Device.DataDir+"/holder.key", func(p string) ([]byte, error) {
		b, err := os.ReadFile(p)
		if err != nil {
			return nil, err
		}
		return []byte(strings.TrimSpace(string(b))), nil
	})
	if err != nil {
		return nil, fmt.Errorf("checkin: holder key: %w", err)
	}
	hs := records.NewHolderStore(e.Store)
	return identity.NewHolder(mod, hs, hs, identity.HolderOptions{DeviceKey: key, Prompt: prompt})
}

// simControls are the point's scenarios on the simulator panel: people
// presenting their card (QR, then the chip), a forged card; with a
// fingerprint module (finger), the card with the holder's own finger and
// the card with someone else's (an impostor: "thi hộ") in one tap — the
// finger is on the sensor when the point asks for it (or enrols it).
func simControls(mode Mode, finger bool) []profile.SimGroup {
	present := func(label, who, variant string) profile.SimAction {
		return profile.SimAction{Label: label, Commands: []profile.SimCommand{
			{Sim: profile.SimScan, Citizen: who, Variant: variant}, {Sim: profile.SimTap, Citizen: who, Variant: variant, Once: true}}}
	}
	people := profile.SimGroup{Title: "Người đến", Actions: []profile.SimAction{
		present("Người lớn: quét QR rồi chạm thẻ CCCD", "adult", "genuine"),
		present("Người cao tuổi: quét QR rồi chạm thẻ", "elderly", "genuine"),
		present("Người thứ hai: quét QR rồi chạm thẻ", "second-adult", "genuine"),
		present("Thẻ giả (DG13 bị sửa)", "adult", "dg13-altered"),
	}}
	if mode == ModeAttendance {
		people.Title = "Thí sinh (danh sách: người lớn và người cao tuổi)"
	}
	groups := []profile.SimGroup{people}
	if !finger {
		return groups
	}
	withFinger := func(label, finger string) profile.SimAction {
		a := present(label, "adult", "genuine")
		a.Commands = append([]profile.SimCommand{{Sim: profile.SimFinger, Finger: finger}}, a.Commands...)
		return a
	}
	return append(groups, profile.SimGroup{Title: "Thẻ và vân tay", Actions: []profile.SimAction{
		withFinger("Người lớn: thẻ và ngón tay của chính mình", SimHolderFinger),
		withFinger("Người khác mang thẻ của người lớn (vân tay không khớp)", SimImpostorFinger),
		{Label: "Nhấc ngón tay khỏi cảm biến", Commands: []profile.SimCommand{{Sim: profile.SimFinger}}},
	}})
}

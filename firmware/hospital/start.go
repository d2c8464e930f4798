package hospital

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"github.com/kiosk06/kiosk/drivers/escpos"
	"github.com/kiosk06/kiosk/drivers/fingerprint"
	"github.com/kiosk06/kiosk/firmware/admin"
	"github.com/kiosk06/kiosk/firmware/bhyt"
	"github.com/kiosk06/kiosk/firmware/config"
	"github.com/kiosk06/kiosk/firmware/his"
	"github.com/kiosk06/kiosk/firmware/identity"
	"github.com/kiosk06/kiosk/firmware/profile"
	"github.com/kiosk06/kiosk/firmware/records"
	"github.com/kiosk06/kiosk/firmware/staffmenu"
	"github.com/kiosk06/kiosk/firmware/store"
	"github.com/kiosk06/kiosk/firmware/tickets"
	"github.com/kiosk06/kiosk/payments/session"
)

// Name is the profile's name: [device] profile = "hospital" and its
// [hospital] table.
const Name = "hospital"

// Profile is the hospital self-registration kiosk as a device profile
// (firmware/profile): it starts the queue, the printer (and the ticket
// dispenser when a button is fitted), the BHYT and HIS clients, VietQR
// prepayment, the fingerprint holder check and the card acquisition, and
// runs the Flow as the profile's Screen.
type Profile struct{}

var _ profile.Profile = Profile{}

// Name implements profile.Profile.
func (Profile) Name() string { return Name }

// Section implements profile.Profile: the [hospital] table.
func (Profile) Section() config.Section { return &Section{} }

// Start implements profile.Profile.
func (Profile) Start(ctx context.Context, e profile.Env) (*profile.Running, error) {
	cfg := e.Config
	sec, ok := e.Section.(*Section)
	if !ok {
		return nil, fmt.Errorf("hospital: the [hospital] section is %T", e.Section)
	}
	r := &profile.Running{Records: RecordKinds()}

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
		return r, errors.New("hospital: the hospital profile needs [devices.printer] for queue tickets")
	}
	header := tickets.Header{Name: sec.Name, Address: sec.Address, Phone: sec.Phone}

	// The button's service may be closed from the admin menu: it asks the
	// flow, which exists once Start has made it (until then, and without
	// an admin menu, every service is open).
	var started atomic.Pointer[Flow]
	open := func(s string) bool {
		f := started.Load()
		return f == nil || f.ServiceOpen(s)
	}
	if c, err := profile.StartDispenser(ctx, e, eng, printer, header, sec.DefaultQueue, open); err != nil {
		return r, err
	} else if c != nil {
		r.Add(*c)
	}

	insurance, err := insuranceChecker(e)
	if err != nil {
		return r, err
	}
	if cfg.HIS.BaseURL == "" {
		return r, errors.New("hospital: the hospital profile needs [his] base_url")
	}
	hisToken, err := profile.Secret(cfg.HIS.Token, cfg.HIS.TokenFile)
	if err != nil {
		return r, fmt.Errorf("hospital: his token: %w", err)
	}
	hisClient, err := his.New(his.Config{BaseURL: cfg.HIS.BaseURL, Token: hisToken, Timeout: cfg.HIS.Timeout.D(), Logger: e.Log})
	if err != nil {
		return r, err
	}

	var payments Payments
	receipts := NewReceipts(printer, header, cfg.Device.Location())
	if sec.Prepayment && cfg.Payments.BIN != "" {
		mgr, c, err := paymentManager(ctx, e, receipts)
		r.Add(c...)
		if err != nil {
			return r, err
		}
		payments = mgr
	}

	var flow *Flow
	holder, err := holderVerifier(ctx, e, func(s fingerprint.Step) {
		if flow != nil {
			flow.FingerPrompt(FingerStep(s))
		}
	})
	if err != nil {
		return r, err
	}

	// A QR alone registers an unverified patient ([hospital]
	// reject_unverified decides whether they may continue).
	ident, err := e.Identity(ctx, profile.IdentityNeed{Reader: true, Scanner: true, Verify: true,
		Policy: identity.Policy{CANWait: sec.CANWait.D(), QRAlone: true}})
	if err != nil {
		return r, err
	}

	hc := Config{
		DeviceID: cfg.Device.ID, Header: header, Prepayment: payments != nil,
		Enrol: EnrolPolicy(sec.EnrolOffer), ConsentVersion: sec.ConsentVersion,
		RejectUnverified: sec.RejectUnverified, HolderAttempts: sec.HolderAttempts, CANAttempts: sec.CANAttempts,
		IdleTimeout: cfg.UI.IdleTimeout.D(), DefaultQueue: sec.DefaultQueue, ClinicQueues: sec.ClinicQueues,
		VisitReason: sec.VisitReason, AddressAs: sec.AddressAs, ResumeCheck: sec.ResumeCheck.D(), AttractVoiceEvery: sec.AttractVoiceEvery.D(), Location: cfg.Device.Location(), Logger: e.Log,
	}
	deps := Deps{Identifier: ident, Insurance: insurance, HIS: hisClient, Queue: eng, Printer: printer,
		Payments: payments, Recorder: storeRecorder{e.Store}, Receipts: receipts}
	if holder != nil {
		deps.Holder = holder
	}
	if eng.HasStaff() {
		deps.Staff = eng
	}
	beacon, err := e.Devices.Output("beacon")
	if err != nil {
		return r, fmt.Errorf("hospital: beacon: %w", err)
	}
	if beacon != nil {
		deps.Beacon = beacon
	}
	if deps.Staff == nil && deps.Beacon == nil {
		e.Log.Warn("no staff channel ([queue] api_listen or host, [devices.beacon]): help requests send patients to the reception desk")
	}
	if pl := adminPolicyOf(e.Config, sec); pl.file != "" {
		desk, err := newAdminDesk(e, pl, printer, restartOf(e))
		if err != nil {
			return r, err
		}
		deps.Admin = desk
	}
	flow, err = New(hc, deps)
	if err != nil {
		return r, err
	}
	started.Store(flow)
	r.Add(profile.Go(ctx, "hospital flow", e.Log, flow.Run))
	r.Screen = profile.NewScreen[State, Intent](Name, flow)
	r.Sim = simControls()
	return r, nil
}

// RecordKinds are the record kinds the hospital kiosk writes: the flow's,
// the queue's, the payment sessions' and the holder check's audit.
func RecordKinds() []string {
	return []string{KindIdentify, KindHolder, KindInsurance, KindRegistration, KindPayment, KindHelp, KindHelpAck, KindAbandoned,
		KindCAN, KindChild, KindIntent, KindService, KindAdmin, records.KindQueueEvent, records.KindPaymentSession, records.KindIdentityHolder}
}

// insuranceChecker is the BHYT client, or, when no gateway is configured,
// a checker that always answers "unavailable" so patients go on as
// fee-paying (the flow's fallback for the ~16% of failed lookups).
func insuranceChecker(e profile.Env) (InsuranceChecker, error) {
	b := e.Config.BHYT
	if b.BaseURL == "" {
		e.Log.Warn("no [bhyt] gateway configured: patients register as fee-paying")
		return noInsurance{}, nil
	}
	pw, err := profile.Secret(b.Password, b.PasswordFile)
	if err != nil {
		return nil, fmt.Errorf("hospital: bhyt password: %w", err)
	}
	return bhyt.New(bhyt.Config{BaseURL: b.BaseURL, Username: b.Username, Password: pw,
		StaffName: b.StaffName, StaffID: b.StaffCCCD, Timeout: b.Timeout.D(), Logger: e.Log})
}

type noInsurance struct{}

func (noInsurance) Check(ctx context.Context, q bhyt.Query) (bhyt.Result, error) {
	return bhyt.Result{Meaning: bhyt.DescribeFailure()}, fmt.Errorf("no gateway configured: %w", bhyt.ErrUnavailable)
}

// paymentManager starts the VietQR sessions of [payments], whose paid
// sessions print their receipt on the kiosk printer.
func paymentManager(ctx context.Context, e profile.Env, receipts *Receipts) (*session.Manager, []profile.Component, error) {
	cfg := e.Config
	base := cfg.Payments.BaseURL
	if base == "" {
		base = cfg.Uplink.BaseURL
	}
	return profile.StartPayments(ctx, e, session.Config{DeviceID: cfg.Device.ID, RefPrefix: cfg.Payments.RefPrefix, BIN: cfg.Payments.BIN,
		Account: cfg.Payments.Account, Name: cfg.Payments.Name, City: cfg.Payments.City, QRTimeout: cfg.Payments.QRTimeout.D(),
		BaseURL: base}, records.NewSessionRecorder(e.Store), receipts)
}

// holderVerifier opens the fingerprint module (if configured) and the
// holder binding over the store. nil when there is no module.
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
		return nil, fmt.Errorf("hospital: holder key: %w", err)
	}
	hs := records.NewHolderStore(e.Store)
	return identity.NewHolder(mod, hs, hs, identity.HolderOptions{DeviceKey: key, Prompt: prompt})
}

// storeRecorder appends the flow's records to the store; it returns once
// the record is durable, or the store's error (store.ErrFull on a full
// disk), on which the flow stops taking patients.
type storeRecorder struct{ st *store.Store }

func (r storeRecorder) Record(ctx context.Context, rec Record) error {
	if _, err := records.Append(ctx, r.st, rec.At, rec.Payload, rec.Personal); err != nil {
		return fmt.Errorf("hospital: record %s: %w", rec.Kind(), err)
	}
	return nil
}

// adminDesk is the admin menu's AdminDesk: the staff PINs and lockout of
// firmware/admin (lockout state in the data directory), the printer's and
// the store's status, the store's records for today's report.
type adminDesk struct {
	*admin.Guard
	st      *store.Store
	printer *escpos.Printer
	kinds   []string
	restart func()
}

// adminPolicy is where the admin menu's PINs come from: [hospital]
// admin_pin_file and its lockout when set, else the [admin] section every
// other profile's staff menu reads (one PIN file for a site's devices).
type adminPolicy struct {
	file, key   string
	maxFailures int
	lockout     time.Duration
}

func adminPolicyOf(c *config.Config, sec *Section) adminPolicy {
	if sec.AdminPINFile != "" {
		return adminPolicy{file: sec.AdminPINFile, key: "[hospital] admin_pin_file", maxFailures: sec.AdminMaxFailures, lockout: sec.AdminLockout.D()}
	}
	return adminPolicy{file: c.Admin.PINFile, key: "[admin] pin_file", maxFailures: c.Admin.MaxFailures, lockout: c.Admin.Lockout.D()}
}

func newAdminDesk(e profile.Env, pl adminPolicy, printer *escpos.Printer, restart func()) (*adminDesk, error) {
	pins, err := admin.LoadPINs(pl.file)
	if err != nil {
		return nil, fmt.Errorf("hospital: %s: %w", pl.key, err)
	}
	g, err := admin.NewGuard(pins, admin.Policy{MaxFailures: pl.maxFailures, Lockout: pl.lockout},
		filepath.Join(e.Config.Device.DataDir, "admin-lockout.json"), nil)
	if err != nil {
		return nil, fmt.Errorf("hospital: admin: %w", err)
	}
	return &adminDesk{Guard: g, st: e.Store, printer: printer, kinds: RecordKinds(), restart: restart}, nil
}

// restartOf is the profile's restart, or a warning where there is none.
func restartOf(e profile.Env) func() {
	if e.Restart != nil {
		return e.Restart
	}
	return func() { e.Log.Warn("hospital: restart asked but this kioskd cannot restart itself") }
}

func (d *adminDesk) CheckPIN(pin string) (admin.Result, error) { return d.Check(pin) }

func (d *adminDesk) Restart() { d.restart() }

func (d *adminDesk) Status(ctx context.Context) DeviceStatus {
	s := DeviceStatus{Printer: "offline"}
	if ps, err := d.printer.Status(ctx); err == nil {
		s.Printer = staffmenu.PrinterState(ps)
	}
	c := d.st.Capacity()
	s.StoreFill = int(c.Fraction*100 + 0.5)
	if ob, err := d.st.Outbox(ctx); err == nil {
		s.Backlog, s.LastAcked = ob.Pending, int64(ob.LastAckedSeq)
		if ob.Pending > 0 {
			s.OldestWait = ob.OldestPendingAge.Truncate(time.Second).String()
		}
	}
	return s
}

// reportPage bounds one read of today's report.
const reportPage = 1000

// Report counts the hospital's records of each kind created since since
// (staffmenu.Count: only the kinds and times are looked at).
func (d *adminDesk) Report(ctx context.Context, since time.Time) ([]ReportLine, error) {
	lines, err := staffmenu.Count(ctx, d.st, d.kinds, since)
	out := make([]ReportLine, 0, len(lines))
	for _, l := range lines {
		out = append(out, ReportLine{Kind: l.Kind, Label: l.Label, Count: l.Count})
	}
	if err != nil {
		return out, fmt.Errorf("hospital: %w", err)
	}
	return out, nil
}

// Closed folds the kiosk's hospital.admin records: a service closed by
// its last service_close with no later service_open.
func (d *adminDesk) Closed(ctx context.Context) ([]string, error) {
	closed := map[string]bool{}
	var from store.Seq
	for {
		recs, err := d.st.Records(ctx, KindAdmin, from, reportPage)
		if err != nil {
			return nil, fmt.Errorf("hospital: admin records: %w", err)
		}
		for _, r := range recs {
			from = r.Seq
			var a records.HospitalAdmin
			if records.Decode(r, &a) != nil || a.Outcome != "ok" {
				continue
			}
			switch a.Action {
			case records.AdminServiceClose:
				closed[a.Detail] = true
			case records.AdminServiceOpen:
				delete(closed, a.Detail)
			}
		}
		if len(recs) < reportPage {
			break
		}
	}
	out := make([]string, 0, len(closed))
	for s := range closed {
		out = append(out, s)
	}
	slices.Sort(out)
	return out, nil
}

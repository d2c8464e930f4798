package ticketing

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/kiosk06/kiosk/firmware/config"
	"github.com/kiosk06/kiosk/firmware/identity"
	"github.com/kiosk06/kiosk/firmware/netclient"
	"github.com/kiosk06/kiosk/firmware/profile"
	"github.com/kiosk06/kiosk/firmware/records"
	"github.com/kiosk06/kiosk/firmware/staffmenu"
	"github.com/kiosk06/kiosk/firmware/ticketing/backend"
	"github.com/kiosk06/kiosk/firmware/ticketing/manifest"
	"github.com/kiosk06/kiosk/firmware/tickets"
	"github.com/kiosk06/kiosk/payments/session"
)

// Name is the profile's name: [device] profile = "ticketing" and its
// [ticketing] table.
const Name = "ticketing"

// Profile is the station kiosk or coach POS that sells tickets and passes
// as a device profile (firmware/profile): the ticket-selling backend's
// client and its signed catalogue cache (synced in the background), the
// printer, VietQR payment ([payments]), card acquisition (reader +
// scanner, CAN keypad) and the Flow as the profile's Screen.
type Profile struct{}

var _ profile.Profile = Profile{}

// Name implements profile.Profile.
func (Profile) Name() string { return Name }

// Section implements profile.Profile: the [ticketing] table.
func (Profile) Section() config.Section { return &Section{} }

// RecordKinds are the record kinds the ticketing kiosk writes: the flow's
// and the payment sessions'.
func RecordKinds() []string {
	return []string{records.KindTicketingIdentify, records.KindTicketingCAN, records.KindTicketingIntent, records.KindTicketingHold,
		records.KindTicketingPayment, records.KindTicketingSale, records.KindTicketingTicket, records.KindTicketingRefund,
		records.KindTicketingHelp, records.KindTicketingAbandoned, records.KindTicketingService, records.KindPaymentSession}
}

// Start implements profile.Profile.
func (Profile) Start(ctx context.Context, e profile.Env) (*profile.Running, error) {
	cfg := e.Config
	sec, ok := e.Section.(*Section)
	if !ok {
		return nil, fmt.Errorf("ticketing: the [ticketing] section is %T", e.Section)
	}
	r := &profile.Running{Records: RecordKinds()}
	pk := sec.PublicKey()
	if sec.BackendURL == "" || pk == nil {
		return r, errors.New("ticketing: [ticketing] backend_url and backend_public_key are required (the ticket-selling backend and the key its replies are signed with)")
	}
	if cfg.Payments.BIN == "" {
		return r, errors.New("ticketing: [payments] bin and account are required: tickets are paid by VietQR")
	}
	key, err := profile.OperatorKey(cfg, sec.KeyFile(cfg.Device.DataDir), identity.LoadKey)
	if err != nil {
		return r, fmt.Errorf("ticketing: token key: %w", err)
	}
	tokens, err := identity.NewTokenizer(key)
	if err != nil {
		return r, fmt.Errorf("ticketing: token key: %w", err)
	}
	token, err := profile.Secret(sec.BackendToken, sec.BackendTokenFile)
	if err != nil {
		return r, fmt.Errorf("ticketing: backend token: %w", err)
	}
	client, err := backend.NewClient(backend.ClientConfig{BaseURL: sec.BackendURL, AllowInsecure: cfg.InsecureHTTPAllowed(), Token: token,
		TLS: netclient.TLS{CAFile: sec.CAFile, ClientCert: sec.ClientCert, ClientKey: sec.ClientKey}, PublicKey: pk,
		DeviceID: cfg.Device.ID, Timeout: sec.Timeout.D()})
	if err != nil {
		return r, fmt.Errorf("ticketing: %w", err)
	}
	cache, err := backend.OpenCache(sec.CachePath(cfg.Device.DataDir), pk, e.Log)
	if err != nil {
		return r, fmt.Errorf("ticketing: %w", err)
	}
	r.Add(profile.Go(ctx, "ticketing catalogue", e.Log, func(c context.Context) error {
		return cache.Run(c, client, sec.SyncInterval.D())
	}))
	printer, err := e.Devices.Printer()
	if err != nil {
		return r, err
	}
	if printer == nil {
		return r, errors.New("ticketing: the ticketing profile needs [devices.printer] for tickets")
	}
	pay, pc, err := paymentManager(ctx, e)
	r.Add(pc...)
	if err != nil {
		return r, err
	}
	// A QR alone identifies an unverified buyer ([ticketing]
	// reject_unverified decides whether they may buy).
	ident, err := e.Identity(ctx, profile.IdentityNeed{Reader: true, Scanner: true, Verify: true,
		Policy: identity.Policy{CANWait: sec.CANWait.D(), QRAlone: true}})
	if err != nil {
		return r, err
	}
	fc := FlowConfig(*sec, cfg, e)
	// The staff menu ([admin] pin_file; none: no staff button): the
	// station's name as the tickets head it, the ticket printer, the
	// kinds of ticket by mode as its services. No staff-call desk here.
	menu, err := profile.StaffMenu(ctx, e, staffmenu.Config{Profile: Name, Site: fc.Header.Name, Printer: printer,
		Kinds: RecordKinds(), Services: Services()})
	if err != nil {
		return r, fmt.Errorf("ticketing: %w", err)
	}
	flow, err := New(fc, Deps{Identifier: ident, Backend: client, Catalogue: cache, Tokens: tokens,
		Printer: printer, Payments: pay, Recorder: storeRecorderOf(e), Staff: menu})
	if err != nil {
		return r, err
	}
	r.Add(profile.Go(ctx, "ticketing flow", e.Log, flow.Run))
	// The station's coach and train departures: each one's passenger list,
	// in the ASM stay-notification shape, recorded (sealed) as it closes.
	man := &manifest.Manifester{Backend: client, Catalogue: cache, Store: e.Store, DeviceID: cfg.Device.ID,
		Station: sec.Station, Location: cfg.Device.Location(), Logger: e.Log}
	if err := man.Restore(ctx, e.Store); err != nil {
		e.Log.Warn("ticketing: manifests already recorded could not be read; some may be recorded twice", "err", err)
	}
	r.Add(profile.Go(ctx, "ticketing manifests", e.Log, func(c context.Context) error { return man.Run(c, time.Minute) }))
	r.Screen = profile.NewScreen[State, Intent](Name, flow)
	r.Sim = simControls()
	return r, nil
}

// FlowConfig is the flow's Config from the [ticketing] table and the
// shared sections ([device] time zone, [ui] idle timeout).
func FlowConfig(sec Section, cfg *config.Config, e profile.Env) Config {
	header := tickets.Header{Name: sec.Name, Address: sec.Address, Phone: sec.Phone}
	if header.Name == "" {
		header.Name = sec.Operator
	}
	return Config{DeviceID: cfg.Device.ID, Header: header, Station: sec.Station, MaxTravellers: sec.MaxTravellers,
		HoldTTL: sec.HoldTTL.D(), MinHoldLeft: sec.MinHoldLeft.D(), ChildMaxAge: sec.ChildMaxAge,
		RejectUnverified: sec.RejectUnverified, NoOfflineSales: sec.OfflineSales == OfflineNone, CANAttempts: sec.CANAttempts,
		IdleTimeout: cfg.UI.IdleTimeout.D(), Location: cfg.Device.Location(), Logger: e.Log}
}

// paymentManager starts the VietQR sessions of [payments]: the ticket is
// the receipt, so paid sessions print nothing of their own.
func paymentManager(ctx context.Context, e profile.Env) (*session.Manager, []profile.Component, error) {
	cfg := e.Config
	base := cfg.Payments.BaseURL
	if base == "" {
		base = cfg.Uplink.BaseURL
	}
	return profile.StartPayments(ctx, e, session.Config{DeviceID: cfg.Device.ID, RefPrefix: cfg.Payments.RefPrefix, BIN: cfg.Payments.BIN,
		Account: cfg.Payments.Account, Name: cfg.Payments.Name, City: cfg.Payments.City, QRTimeout: cfg.Payments.QRTimeout.D(),
		BaseURL: base}, records.NewSessionRecorder(e.Store), nil)
}

// storeRecorderOf appends the flow's records to the store (through
// records.Append: the flow itself never sees the store); it returns once
// the record is durable, or the store's error (store.ErrFull on a full
// disk), on which the flow stops selling.
func storeRecorderOf(e profile.Env) Recorder {
	return recorderFunc(func(ctx context.Context, rec Record) error {
		if _, err := records.Append(ctx, e.Store, rec.At, rec.Payload, rec.Personal); err != nil {
			return fmt.Errorf("ticketing: record %s: %w", rec.Kind(), err)
		}
		return nil
	})
}

// recorderFunc is a function as a Recorder.
type recorderFunc func(ctx context.Context, rec Record) error

func (f recorderFunc) Record(ctx context.Context, rec Record) error { return f(ctx, rec) }

// simControls are the ticketing kiosk's scenarios on the simulator panel:
// buyers and passengers presenting their card (QR scanned, then the card
// tapped), the VietQR transfer, the backend going offline.
func simControls() []profile.SimGroup {
	present := func(label, who string) profile.SimAction {
		return profile.SimAction{Label: label, Commands: []profile.SimCommand{
			{Sim: profile.SimScan, Citizen: who},
			{Sim: profile.SimTap, Citizen: who},
		}}
	}
	one := func(label string, c profile.SimCommand) profile.SimAction {
		return profile.SimAction{Label: label, Commands: []profile.SimCommand{c}}
	}
	return []profile.SimGroup{
		{Title: "Hành khách", Actions: []profile.SimAction{
			present("Người mua: quét QR rồi chạm thẻ CCCD", "adult"),
			present("Người cao tuổi: quét QR rồi chạm thẻ", "elderly"),
			present("Người đi cùng: quét QR rồi chạm thẻ", "second-adult"),
			one("Chỉ quét QR thẻ CCCD (không chạm)", profile.SimCommand{Sim: profile.SimScan, Citizen: "adult"}),
			one("Hành khách rút thẻ ra", profile.SimCommand{Sim: profile.SimRemove}),
		}},
		{Title: "Thanh toán và hệ thống bán vé", Actions: []profile.SimAction{
			one("Cổng thanh toán xác nhận chuyển khoản (có chữ ký)", profile.SimCommand{Sim: profile.SimPay}),
			one("Hệ thống bán vé mất kết nối", profile.SimCommand{Sim: profile.SimOutage, Role: SimBackendName, On: true}),
			one("Hệ thống bán vé hoạt động lại", profile.SimCommand{Sim: profile.SimOutage, Role: SimBackendName}),
		}},
	}
}

// SimBackendName is the simulated ticket-selling backend's name for
// profile.SimOutage.
const SimBackendName = "ticketing"

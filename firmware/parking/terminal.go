package parking

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/kiosk06/kiosk/drivers/escpos"
	"github.com/kiosk06/kiosk/firmware/identity"
	"github.com/kiosk06/kiosk/firmware/profile"
	"github.com/kiosk06/kiosk/firmware/records"
	"github.com/kiosk06/kiosk/firmware/staffmenu"
	"github.com/kiosk06/kiosk/firmware/store"
	"github.com/kiosk06/kiosk/firmware/tickets"
	"github.com/kiosk06/kiosk/payments/session"
	"github.com/kiosk06/kiosk/payments/tariff"
)

// Record kinds written by the terminal; their payloads are the
// firmware/records types named beside them, which own the wire format.
const (
	KindEntry   = records.KindParkingEntry   // records.ParkingEntry: a vehicle came in (ticket issued)
	KindExit    = records.KindParkingExit    // records.ParkingExit: a vehicle paid (or was let) out
	KindBarrier = records.KindParkingBarrier // records.ParkingBarrier: the barrier opened or closed
	KindRefused = records.KindParkingRefused // records.ParkingRefused: an exit or entry that did not happen, and why
	KindReport  = records.KindParkingReport  // records.ParkingReport: a shift report was printed
	// KindIntent (records.ParkingIntent) is written before a side effect
	// that has no record of its own to precede it — charging a
	// CCCD-linked account (Action "charge") — and the charge is made only
	// once it is durable. (The entry record precedes the ticket and the
	// barrier, the barrier's "open" record the relay, the exit record the
	// barrier and receipt, the payment session's "created" transition the
	// VietQR code.)
	KindIntent = records.KindParkingIntent
)

// FieldPlate is the sealed personal field holding the licence plate.
const FieldPlate = records.PersonalPlate

// OfflinePolicy says what the exit does when an account payment cannot reach
// the back-end.
type OfflinePolicy string

// Offline policies.
const (
	// PolicyDeny keeps the barrier closed and asks for the attendant.
	PolicyDeny OfflinePolicy = "deny"
	// PolicyOpenRecordDebt opens and records a debt against the CCCD token,
	// settled by the back-end later.
	PolicyOpenRecordDebt OfflinePolicy = "open_record_debt"
)

// Method is how an exit is paid.
type Method string

// Payment methods.
const (
	MethodVietQR  Method = "vietqr"
	MethodAccount Method = "account" // CCCD-linked account
	MethodFree    Method = "free"    // nothing to pay (grace period)
	MethodDebt    Method = "debt"    // offline, opened per PolicyOpenRecordDebt
)

// Store is what the terminal needs of firmware/store (*store.Store).
type Store interface {
	Append(ctx context.Context, r store.Record) (store.Seq, error)
	Records(ctx context.Context, kind string, since store.Seq, limit int) ([]store.Record, error)
}

// Printer prints slips (*escpos.Printer).
type Printer interface {
	Print(ctx context.Context, doc *escpos.Document) (escpos.Result, error)
}

// Relay is the barrier's relay output (*gpio.Output): on = open.
type Relay interface {
	Set(on bool) error
}

// Loop is the vehicle loop sensor under the barrier (*gpio.LoopSensor).
type Loop interface {
	Present() bool
	Next(ctx context.Context) (bool, error)
}

// VietQR is the payment session manager (*session.Manager).
type VietQR interface {
	Create(ctx context.Context, amount int64, purpose string) (session.Info, error)
	Shown(ctx context.Context, ref string) (session.Info, error)
	Await(ctx context.Context, ref string) (session.Info, error)
	Cancel(ctx context.Context, ref, reason string) (session.Info, error)
}

// Accounts charges a CCCD-linked account. Charge returns the provider's
// transaction id; an unreachable back-end is an error wrapping ErrOffline.
// The lead wires it to the operator's account service.
type Accounts interface {
	Charge(ctx context.Context, token identity.Token, amount tariff.VND, ref string) (txnID string, err error)
}

// Config holds the lane's rules.
type Config struct {
	Gate           string
	Header         tickets.Header
	Tariff         tariff.Parking
	PaymentTimeout time.Duration // default 3 min
	BarrierTimeout time.Duration // default 60 s
	OfflinePolicy  OfflinePolicy // default PolicyDeny
	// Now reads the wall clock: what the lane records, prints and shows,
	// and the day and night windows (nil: time.Now).
	Now func() time.Time
	// Mono reads the time since boot and BootID names the boot (nil and
	// "": store.SinceBoot, CLOCK_BOOTTIME — what the store stamps records'
	// Mono with — and store.BootID()). Stays are measured on it: see the
	// package doc, "Time". Tests set them to step the wall clock alone.
	Mono   func() time.Duration
	BootID string
	// Location is the configured time zone ([device] timezone; default
	// Asia/Ho_Chi_Minh): every time the lane shows, prints and records is
	// in it, whatever zone the system clock is set to (a device image
	// running in UTC printed 01:15 for an 08:15 entry).
	Location *time.Location
	Logger   *slog.Logger
	// OnState receives every state change (the screen); called synchronously,
	// it must not block.
	OnState func(State)
}

// Deps are the terminal's devices and services; Printer, Barrier, Loop,
// VietQR, Accounts and Staff may be nil (the step is skipped or the method
// refused).
type Deps struct {
	Store    Store // required
	Printer  Printer
	Barrier  Relay
	Loop     Loop
	VietQR   VietQR
	Accounts Accounts
	// Staff is the lane's staff menu (profile.StaffMenu; nil: no [admin]
	// pin_file, no staff button). See staff.go.
	Staff *staffmenu.Menu
}

// entry is a vehicle inside.
type entry struct {
	Ticket  string
	Plate   string
	Token   identity.Token
	Vehicle tariff.Vehicle
	At      time.Time
	// Boot and Mono are the entry record's boot and time since boot: a
	// stay in the same boot is measured on them.
	Boot string
	Mono time.Duration
}

// Terminal runs one lane (entry, exit or both). Entry and Exit serialise:
// a lane serves one vehicle at a time.
type Terminal struct {
	cfg  Config
	deps Deps
	log  *slog.Logger

	lane sync.Mutex // held for a whole entry or exit, and while the staff menu is open

	mu      sync.Mutex
	inside  map[string]*entry // ticket → entry
	byToken map[identity.Token]string
	byPlate map[string]string
	exited  map[string]bool
	state   State
	cancel  context.CancelFunc // cancels a payment wait
	// down is set while the last append failed (full or failing store):
	// the lane shows PhaseOutOfService instead of idle. Every vehicle
	// still tries, and the first record stored clears it.
	down bool
	// barrierOpen is the barrier relay's last state set.
	barrierOpen bool
	// staffOpen: the staff menu is open (it holds lane meanwhile);
	// serving: a vehicle holds lane (takeLane).
	staffOpen, serving bool
	// staffMu is held for every call of the staff menu (Deps.Staff): it is
	// the menu's "loop" (staff.go). Order: lane, then staffMu, then mu.
	staffMu sync.Mutex
	// states fan the published states out (Subscribe); intents queue the
	// screen's intents for Serve.
	states  *profile.States[State]
	intents chan Intent
	// unrecorded holds exits paid whose exit record could not be stored
	// (ticket → payment), so that a retry does not take the money twice.
	// It lives in memory: after a restart the payment's own records (the
	// session's transitions, the charge intent) are what staff reconcile.
	unrecorded map[string]paidExit
	// lastMono is, per earlier boot, the latest time since boot of the
	// records Restore read: a stay that began in that boot lasted at
	// least until then (Restore).
	lastMono map[string]time.Duration
}

// paidExit is a payment taken for an exit that could not be recorded.
type paidExit struct {
	res ExitResult
	ch  tariff.Charge
	m   stay
}

// New makes a Terminal. Call Restore after a restart.
func New(cfg Config, deps Deps) (*Terminal, error) {
	if deps.Store == nil {
		return nil, errors.New("parking: New: Store is required")
	}
	if len(cfg.Tariff.Rates) == 0 {
		return nil, fmt.Errorf("parking: New: %w: no rates", tariff.ErrConfig)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Location == nil {
		cfg.Location = tariff.Location()
	}
	if cfg.Mono == nil {
		cfg.Mono = store.SinceBoot
	}
	if cfg.BootID == "" {
		cfg.BootID = store.BootID()
	}
	clock, loc := cfg.Now, cfg.Location
	cfg.Now = func() time.Time { return clock().In(loc) }
	if cfg.PaymentTimeout <= 0 {
		cfg.PaymentTimeout = 3 * time.Minute
	}
	if cfg.BarrierTimeout <= 0 {
		cfg.BarrierTimeout = time.Minute
	}
	if cfg.OfflinePolicy == "" {
		cfg.OfflinePolicy = PolicyDeny
	}
	t := &Terminal{cfg: cfg, deps: deps, log: cfg.Logger, inside: map[string]*entry{}, byToken: map[identity.Token]string{},
		byPlate: map[string]string{}, exited: map[string]bool{}, unrecorded: map[string]paidExit{}, lastMono: map[string]time.Duration{}, state: State{Phase: PhaseIdle, Message: msgIdle, StaffOffered: deps.Staff != nil},
		intents: make(chan Intent, 4)}
	t.states = profile.NewStates(t.state)
	if t.log == nil {
		t.log = slog.Default()
	}
	return t, nil
}

// newTicketID is 10 base32 characters (50 random bits): what the ticket's
// QR carries.
func newTicketID() string {
	var b [7]byte
	_, _ = rand.Read(b[:])
	return base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b[:])[:10]
}

// read reads the lane's clocks: the wall time, the boot and the time since
// it.
func (t *Terminal) read() records.Clock {
	return records.Clock{At: t.cfg.Now(), BootID: t.cfg.BootID, Mono: t.cfg.Mono()}
}

// appendRecord makes one step durable, now; plate ("" if none) is sealed.
func (t *Terminal) appendRecord(ctx context.Context, payload records.Payload, plate string) (store.Seq, error) {
	return t.appendRecordAt(ctx, t.read(), payload, plate)
}

// appendRecordAt makes one step durable, stamped c.
func (t *Terminal) appendRecordAt(ctx context.Context, c records.Clock, payload records.Payload, plate string) (store.Seq, error) {
	kind := payload.RecordKind()
	seq, err := records.AppendStamped(ctx, t.deps.Store, c, payload, records.Personal{FieldPlate: plate})
	t.mu.Lock()
	t.down = err != nil
	t.mu.Unlock()
	if err != nil {
		t.log.Error("parking: record not stored: lane out of service", "kind", kind, "err", err)
		return 0, fmt.Errorf("parking: record %s: %w", kind, err)
	}
	return seq, nil
}

// idle publishes the waiting state after a vehicle: idle, or out of
// service while records cannot be stored (an out-of-service state already
// shown stays: it may say the driver has paid).
func (t *Terminal) idle() {
	t.mu.Lock()
	down, shown := t.down, t.state.Phase
	t.mu.Unlock()
	switch {
	case !down:
		t.publish(State{Phase: PhaseIdle})
	case shown != PhaseOutOfService:
		t.publish(State{Phase: PhaseOutOfService})
	}
}

// refuse records why a vehicle was not let through, publishes it and
// returns err. When even that cannot be recorded the lane shows it is out
// of service.
func (t *Terminal) refuse(ctx context.Context, lane, ticket, reason string, amount tariff.VND, ph Phase, err error) error {
	if _, rerr := t.appendRecord(ctx, &records.ParkingRefused{Gate: t.cfg.Gate, Lane: lane, Ticket: ticket, Reason: reason, Amount: int64(amount)}, ""); rerr != nil {
		t.publish(State{Phase: PhaseOutOfService, Lane: lane, TicketID: ticket, Amount: amount})
		return errors.Join(err, rerr)
	}
	t.publish(State{Phase: ph, Lane: lane, TicketID: ticket, Amount: amount})
	return err
}

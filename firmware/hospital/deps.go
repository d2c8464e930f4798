package hospital

import (
	"context"
	"time"

	"github.com/kiosk06/kiosk/drivers/escpos"
	"github.com/kiosk06/kiosk/firmware/bhyt"
	"github.com/kiosk06/kiosk/firmware/identity"
	"github.com/kiosk06/kiosk/payments/session"
	"github.com/kiosk06/kiosk/queue"
)

// Identifier acquires who is at the kiosk; *identity.Acquirer implements
// it. The flow always hands it a CAN channel and an event hook:
//
// Acquire waits for a card tap or a QR scan and returns the identity with
// its verdict and method, reporting identity.Events (from any goroutine)
// while it works. When a card is on the reader and no QR code came it
// reports EventNeedCAN and waits for digits on req.CAN (6 ASCII digits; the
// flow validates them first), for a QR scan (which wins), for the card to
// leave the reader (an error wrapping identity.ErrCardRemoved) or for ctx.
// A CAN the card refuses is reported as EventNeedCAN with WrongCAN and the
// digits awaited again; the flow decides when to stop asking (it cancels
// ctx). It must not log or keep the digits. Any other error means the read
// failed (card removed, unreadable QR): the flow says so and calls Acquire
// again.
type Identifier interface {
	Acquire(ctx context.Context, req identity.Request) (identity.Identity, error)
}

// HolderVerifier proves the person is the card holder; *identity.Holder
// implements it. Errors: identity.ErrNotEnrolled (no binding: the consent
// offer), identity.ErrNotVerified (mismatch), identity.ErrModuleAbsent (no
// module: the check is skipped). Its fingerprint prompts reach the screen
// through Flow.FingerPrompt (wire HolderOptions.Prompt to it).
type HolderVerifier interface {
	Verify(ctx context.Context, id string) (identity.VerifyResult, error)
	Enrol(ctx context.Context, id string, consent identity.Consent) (identity.Binding, error)
}

// InsuranceChecker looks a health-insurance card up; *bhyt.Client implements it.
// It must return a usable Result even with an error (bhyt.Client does).
type InsuranceChecker interface {
	Check(ctx context.Context, q bhyt.Query) (bhyt.Result, error)
}

// Queue issues numbered tickets; *queue.Engine implements it.
type Queue interface {
	Issue(ctx context.Context, service string, p queue.Priority) (queue.Ticket, error)
}

// Printer prints a slip; *escpos.Printer implements it. escpos.ErrPaperEnd
// is reported to the patient as "paper out".
type Printer interface {
	Print(ctx context.Context, doc *escpos.Document) (escpos.Result, error)
}

// Payments runs VietQR payment sessions; *session.Manager implements it.
// The session's own Printer prints the payment receipt once it is paid.
type Payments interface {
	Create(ctx context.Context, amount int64, purpose string) (session.Info, error)
	Shown(ctx context.Context, ref string) (session.Info, error)
	Await(ctx context.Context, ref string) (session.Info, error)
	Cancel(ctx context.Context, ref, reason string) (session.Info, error)
}

// Record kinds written through Recorder.
const (
	KindIdentify     = "hospital.identify"     // a card was read: verdict, method
	KindHolder       = "hospital.holder"       // holder check outcome
	KindInsurance    = "hospital.insurance"    // BHYT lookup outcome
	KindRegistration = "hospital.registration" // HIS registration + ticket (ok or failed)
	KindPayment      = "hospital.payment"      // payment outcome on the kiosk
	KindHelp         = "hospital.help"         // a call-staff request
	KindAbandoned    = "hospital.abandoned"    // idle timeout or cancel before the end
	KindCAN          = "hospital.can"          // the card refused a typed CAN: attempts left (never the digits)
	// KindIntent is written before every side effect outside the kiosk
	// (Payload "action": ActionHISVisit, ActionQueueTicket or
	// ActionPayment, with the visit's idempotency key "key"); the side
	// effect happens only once it is durable. An intent without a later
	// outcome record (KindRegistration, KindPayment) is what a
	// reconciliation looks for after a crash or a failing store.
	KindIntent = "hospital.intent"
	// KindService is written when the kiosk takes patients again after
	// it stopped because a record could not be stored ("state":
	// "resumed", "stopped_at", "since", "failed_records").
	KindService = "hospital.service"
)

// Actions named by a KindIntent record.
const (
	ActionHISVisit    = "his_visit"    // register the visit in the HIS
	ActionQueueTicket = "queue_ticket" // issue a queue number and print the ticket
	ActionPayment     = "payment"      // create a VietQR payment session and show its code
)

// Personal field names in Record.Personal (the store's conventional names:
// firmware/store seals these at rest).
const (
	PersonalName    = "name"
	PersonalID      = "id_number"
	PersonalDOB     = "date_of_birth"
	PersonalAddress = "address"
	PersonalCard    = "bhyt_card"       // health-insurance card number
	PersonalAgentID = "agent_id_number" // who registered on the patient's behalf
)

// Record is one durable outcome. Payload holds no personal data (it is
// stored and uploaded in clear); Personal holds the fields the store seals.
type Record struct {
	Kind     string
	At       time.Time
	Payload  map[string]any
	Personal map[string]string
}

// Recorder makes records durable; start.go adapts firmware/store to it
// (Kind → store.Record.Kind, Payload → JSON, Personal → sealed fields).
// Record must return only once the record is durable; an error means it is
// not, and the flow stops taking patients until a record can be written
// again (doc.go).
type Recorder interface {
	Record(ctx context.Context, r Record) error
}

// Clock is the flow's time source; tests inject a manual clock.
type Clock interface {
	Now() time.Time
	// After returns a channel that receives once d has passed.
	After(d time.Duration) <-chan time.Time
}

// SystemClock is the real clock.
type SystemClock struct{}

// Now returns time.Now().
func (SystemClock) Now() time.Time { return time.Now() }

// After returns time.After(d).
func (SystemClock) After(d time.Duration) <-chan time.Time { return time.After(d) }

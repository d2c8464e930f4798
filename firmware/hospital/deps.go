package hospital

import (
	"context"
	"time"

	"github.com/kiosk06/kiosk/drivers/escpos"
	"github.com/kiosk06/kiosk/firmware/bhyt"
	"github.com/kiosk06/kiosk/firmware/identity"
	"github.com/kiosk06/kiosk/firmware/records"
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

// CardWatcher is implemented by an Identifier that can keep the card it
// read selected (identity.Request.Hold) and tell when it has left the
// reader; *identity.Acquirer does. With one, the flow asks for every card
// to be held and, before waiting for the next patient, waits for the last
// card to be taken (AwaitRemoval), so a card left lying on the reader is
// never registered twice. stillThere is called once if the card is still
// there; the flow then sets State.CardLeft.
type CardWatcher interface {
	AwaitRemoval(ctx context.Context, stillThere func()) error
}

// HolderVerifier proves the person is the card holder; *identity.Holder
// implements it. Errors: identity.ErrNotEnrolled (no binding: the consent
// offer), identity.ErrNotVerified (mismatch), identity.ErrModuleAbsent (no
// module: the check is skipped). Its fingerprint prompts reach the screen
// through Flow.FingerPrompt (wire HolderOptions.Prompt to it).
type HolderVerifier interface {
	// Enrolled reports whether id has a binding, without the module, so
	// the patient is asked the right question first.
	Enrolled(ctx context.Context, id string) (bool, error)
	Verify(ctx context.Context, id string) (identity.VerifyResult, error)
	Enrol(ctx context.Context, id string, consent identity.Consent) (identity.Binding, error)
	// Delete erases id's template and binding (the erasure the consent
	// text promises); identity.ErrNotEnrolled when there is none.
	Delete(ctx context.Context, id string) error
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

// Record kinds written through Recorder; their payloads are the
// firmware/records types named beside them, which own the wire format.
const (
	KindIdentify     = records.KindHospitalIdentify     // records.HospitalIdentify: a card was read: verdict, method
	KindHolder       = records.KindHospitalHolder       // records.HospitalHolder: holder check outcome
	KindInsurance    = records.KindHospitalInsurance    // records.HospitalInsurance: BHYT lookup outcome
	KindRegistration = records.KindHospitalRegistration // records.HospitalRegistration: HIS registration + ticket (ok or failed)
	KindPayment      = records.KindHospitalPayment      // records.HospitalPayment: payment outcome on the kiosk
	KindHelp         = records.KindHospitalHelp         // records.HospitalHelp: a call-staff request
	KindHelpAck      = records.KindHospitalHelpAck      // records.HospitalHelpAck: staff took the request, or it reached nobody
	KindAbandoned    = records.KindHospitalAbandoned    // records.HospitalAbandoned: idle timeout or cancel before the end
	KindChild        = records.KindHospitalChild        // records.HospitalChild: a child without a card registered by a parent
	KindCAN          = records.KindHospitalCAN          // records.HospitalCAN: the card refused a typed CAN: attempts left (never the digits)
	// KindIntent (records.HospitalIntent) is written before every side
	// effect outside the kiosk (Action: ActionHISVisit, ActionQueueTicket
	// or ActionPayment, with the visit's idempotency key Key); the side
	// effect happens only once it is durable. An intent without a later
	// outcome record (KindRegistration, KindPayment) is what a
	// reconciliation looks for after a crash or a failing store.
	KindIntent = records.KindHospitalIntent
	// KindService (records.HospitalService) is written when the kiosk
	// takes patients again after it stopped because a record could not be
	// stored (State "resumed", StoppedAt, Since, FailedRecords).
	KindService = records.KindHospitalService
	// KindAdmin (records.HospitalAdmin) is the admin menu's audit: every
	// PIN entered, lockout, action and logout (admin.go).
	KindAdmin = records.KindHospitalAdmin
)

// Actions named by a KindIntent record.
const (
	ActionHISVisit    = records.ActionHISVisit    // register the visit in the HIS
	ActionQueueTicket = records.ActionQueueTicket // issue a queue number and print the ticket
	ActionPayment     = records.ActionPayment     // create a VietQR payment session and show its code
)

// Personal field names in Record.Personal (firmware/records' names, which
// firmware/store seals at rest).
const (
	PersonalName    = records.PersonalName
	PersonalID      = records.PersonalIDNumber
	PersonalDOB     = records.PersonalDateOfBirth
	PersonalAddress = records.PersonalAddress
	PersonalCard    = records.PersonalBHYTCard      // health-insurance card number
	PersonalAgentID = records.PersonalAgentIDNumber // who registered on the patient's behalf
)

// Record is one durable outcome. Payload is the kind's firmware/records
// type (a pointer, stamped with the device id and At) and holds no personal
// data: it is stored and uploaded in clear. Personal holds the fields the
// store seals.
type Record struct {
	At       time.Time
	Payload  records.Payload
	Personal records.Personal
}

// Kind is the record's kind (its payload's).
func (r Record) Kind() string { return r.Payload.RecordKind() }

// Recorder makes records durable; start.go adapts firmware/store to it with
// records.Append (Payload → the kind's wire JSON, Personal → sealed fields,
// At → the record's created_at). Record must return only once the record is
// durable; an error means it is not, and the flow stops taking patients
// until a record can be written again (doc.go).
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

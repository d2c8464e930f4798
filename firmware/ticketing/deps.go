package ticketing

import (
	"context"
	"time"

	"github.com/kiosk06/kiosk/drivers/escpos"
	"github.com/kiosk06/kiosk/firmware/identity"
	"github.com/kiosk06/kiosk/firmware/records"
	"github.com/kiosk06/kiosk/firmware/ticketing/backend"
	"github.com/kiosk06/kiosk/firmware/ticketing/catalog"
	"github.com/kiosk06/kiosk/payments/session"
)

// Identifier acquires who is at the kiosk; *identity.Acquirer implements
// it (see firmware/hospital.Identifier for the CAN contract, which this
// flow keeps the same way).
type Identifier interface {
	Acquire(ctx context.Context, req identity.Request) (identity.Identity, error)
}

// Catalogue is where the flow reads what it sells; *backend.Cache
// implements it (kept up to date by its Run beside the flow).
type Catalogue interface {
	// Index is the catalogue in use (nil: none yet).
	Index() *catalog.Index
	// Status says whether the backend answered lately and until when the
	// catalogue may sell offline.
	Status() backend.CacheStatus
	// Observe tells it the outcome of the flow's own backend calls.
	Observe(err error, now time.Time)
}

// Printer prints a slip; *escpos.Printer implements it.
type Printer interface {
	Print(ctx context.Context, doc *escpos.Document) (escpos.Result, error)
}

// Payments runs VietQR payment sessions; *session.Manager implements it.
type Payments interface {
	Create(ctx context.Context, amount int64, purpose string) (session.Info, error)
	Shown(ctx context.Context, ref string) (session.Info, error)
	Await(ctx context.Context, ref string) (session.Info, error)
	Cancel(ctx context.Context, ref, reason string) (session.Info, error)
}

// Record is one durable outcome: the kind's firmware/records payload
// (stamped with the device id and At; no personal data) and the sealed
// fields.
type Record struct {
	At       time.Time
	Payload  records.Payload
	Personal records.Personal
}

// Kind is the record's kind (its payload's).
func (r Record) Kind() string { return r.Payload.RecordKind() }

// Recorder makes records durable; firmware/kiosk adapts firmware/store to it
// with records.Append. Record returns only once the record is durable; an
// error means it is not, and the kiosk stops selling until a record can be
// written again.
type Recorder interface {
	Record(ctx context.Context, r Record) error
}

// Clock is the flow's time source; tests inject a manual clock.
type Clock interface {
	Now() time.Time
	After(d time.Duration) <-chan time.Time
}

// SystemClock is the real clock.
type SystemClock struct{}

// Now returns time.Now().
func (SystemClock) Now() time.Time { return time.Now() }

// After returns time.After(d).
func (SystemClock) After(d time.Duration) <-chan time.Time { return time.After(d) }

// Personal field names in Record.Personal.
const (
	PersonalName = records.PersonalName
	PersonalID   = records.PersonalIDNumber
	PersonalDOB  = records.PersonalDateOfBirth
)

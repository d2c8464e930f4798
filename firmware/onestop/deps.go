package onestop

import (
	"context"
	"time"

	"github.com/kiosk06/kiosk/drivers/escpos"
	"github.com/kiosk06/kiosk/firmware/identity"
	"github.com/kiosk06/kiosk/firmware/onestop/catalog"
	"github.com/kiosk06/kiosk/firmware/records"
	"github.com/kiosk06/kiosk/queue"
)

// Identifier acquires the card at the kiosk; *identity.Acquirer implements
// it (see firmware/hospital.Identifier for the CAN contract, which is the
// same here).
type Identifier interface {
	Acquire(ctx context.Context, req identity.Request) (identity.Identity, error)
}

// Catalogues gives the catalogue currently held (nil: none yet);
// *CatalogueKeeper implements it.
type Catalogues interface {
	Current() *catalog.Catalogue
}

// Queue issues numbers; *queue.Engine implements it, and so does
// queue/queueapi's Issuer for a kiosk that takes numbers from the office's
// shared queue over its API.
type Queue interface {
	Issue(ctx context.Context, service string, p queue.Priority) (queue.Ticket, error)
}

// Printer prints a slip; *escpos.Printer implements it. escpos.ErrPaperEnd
// is shown as "paper out".
type Printer interface {
	Print(ctx context.Context, doc *escpos.Document) (escpos.Result, error)
}

// Record is one durable outcome: the kind's firmware/records payload (no
// personal data) and the fields the store seals.
type Record struct {
	At       time.Time
	Payload  records.Payload
	Personal records.Personal
}

// Recorder makes records durable (firmware/kiosk adapts the store with
// records.Append); Record returns only once the record is fsync'd.
type Recorder interface {
	Record(ctx context.Context, r Record) error
}

// RecorderFunc adapts a function to Recorder.
type RecorderFunc func(ctx context.Context, r Record) error

// Record implements Recorder.
func (f RecorderFunc) Record(ctx context.Context, r Record) error { return f(ctx, r) }

// StoreRecorder is the Recorder over a records.Appender (*store.Store).
func StoreRecorder(a records.Appender) Recorder {
	return RecorderFunc(func(ctx context.Context, r Record) error {
		_, err := records.Append(ctx, a, r.At, r.Payload, r.Personal)
		return err
	})
}

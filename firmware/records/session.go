package records

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/kiosk06/kiosk/firmware/store"
	"github.com/kiosk06/kiosk/payments/session"
)

// SessionRecorder is the payment sessions' recorder on the durable store:
// every transition is one "payment.session" record, so the backend sees
// each payment's whole life (created, shown, paid with the provider's
// transaction id, expired …) keyed by its reconciliation reference.
type SessionRecorder struct{ st *store.Store }

// NewSessionRecorder returns the recorder over st.
func NewSessionRecorder(st *store.Store) *SessionRecorder { return &SessionRecorder{st: st} }

// Record stores t; it returns once the record is fsync'd.
func (r *SessionRecorder) Record(ctx context.Context, t session.Transition) error {
	return appendJSON(ctx, r.st, KindPaymentSession, t, nil)
}

// Load returns every recorded transition still in the store, in order.
func (r *SessionRecorder) Load(ctx context.Context) ([]session.Transition, error) {
	var out []session.Transition
	err := scan(ctx, r.st, KindPaymentSession, func(rec store.Record) error {
		var t session.Transition
		if err := json.Unmarshal(rec.Payload, &t); err != nil {
			return fmt.Errorf("records: payment transition seq %d: %w", rec.Seq, err)
		}
		out = append(out, t)
		return nil
	})
	return out, err
}

var _ session.Recorder = (*SessionRecorder)(nil)

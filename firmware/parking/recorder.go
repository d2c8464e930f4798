package parking

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/kiosk06/kiosk/firmware/store"
	"github.com/kiosk06/kiosk/payments/session"
)

// KindPayment is the record kind of payment session transitions.
const KindPayment = "payment.session"

// SessionRecorder makes payments/session transitions durable in the store
// (session.Recorder), so the exit lane's VietQR sessions survive a restart.
type SessionRecorder struct{ Store Store }

// Record implements session.Recorder: it returns after the append is durable.
func (r SessionRecorder) Record(ctx context.Context, t session.Transition) error {
	b, err := json.Marshal(t)
	if err != nil {
		return fmt.Errorf("parking: payment record: %w", err)
	}
	_, err = r.Store.Append(ctx, store.Record{Kind: KindPayment, CreatedAt: t.At, Payload: b})
	if err != nil {
		return fmt.Errorf("parking: payment record: %w", err)
	}
	return nil
}

// Load implements session.Recorder.
func (r SessionRecorder) Load(ctx context.Context) ([]session.Transition, error) {
	var out []session.Transition
	var bad error
	err := scan(ctx, r.Store, KindPayment, func(rec store.Record) {
		var t session.Transition
		if err := json.Unmarshal(rec.Payload, &t); err != nil && bad == nil {
			bad = fmt.Errorf("parking: payment record %d: %w", rec.Seq, err)
			return
		}
		out = append(out, t)
	})
	if err == nil {
		err = bad
	}
	return out, err
}

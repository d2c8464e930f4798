package records

import (
	"context"
	"fmt"
	"time"

	"github.com/kiosk06/kiosk/firmware/store"
	"github.com/kiosk06/kiosk/payments/session"
)

// KindPaymentSession is the record kind of payment session transitions.
// SessionRecorder is its only writer, for every profile that takes VietQR
// payments.
const KindPaymentSession = "payment.session"

// PaymentSession is the payload of payment.session: one transition of a
// VietQR session (payments/session.Transition on the wire).
type PaymentSession struct {
	Ref      string    `json:"ref"`               // the reconciliation reference (VietQR tag 62)
	Seq      int       `json:"seq"`               // 1 for creation, then +1 per transition of this session
	From     string    `json:"from,omitempty"`    // the state left ("" on creation)
	To       string    `json:"to"`                // created, qr_shown, paid, expired, cancelled, failed
	At       time.Time `json:"at"`                // when
	Reason   string    `json:"reason,omitempty"`  // why (cancel, expiry, failure)
	Amount   int64     `json:"amount"`            // VND expected (creation) or received (paid)
	TxnID    string    `json:"txn_id,omitempty"`  // the provider's transaction id (paid, failed)
	Payload  string    `json:"payload,omitempty"` // the VietQR payload shown (creation only)
	Purpose  string    `json:"purpose,omitempty"` // what is paid for (creation only)
	Deadline time.Time `json:"deadline"`          // when the current state times out (zero: never)
}

// RecordKind implements Payload.
func (PaymentSession) RecordKind() string { return KindPaymentSession }

// PaymentSessionOf is t's payload.
func PaymentSessionOf(t session.Transition) PaymentSession {
	return PaymentSession{Ref: t.Ref, Seq: t.Seq, From: string(t.From), To: string(t.To), At: t.At, Reason: t.Reason,
		Amount: t.Amount, TxnID: t.TxnID, Payload: t.Payload, Purpose: t.Purpose, Deadline: t.Deadline}
}

// Transition is the session transition p records.
func (p PaymentSession) Transition() session.Transition {
	return session.Transition{Ref: p.Ref, Seq: p.Seq, From: session.State(p.From), To: session.State(p.To), At: p.At, Reason: p.Reason,
		Amount: p.Amount, TxnID: p.TxnID, Payload: p.Payload, Purpose: p.Purpose, Deadline: p.Deadline}
}

// SessionRecorder is the payment sessions' recorder on the durable store:
// every transition is one "payment.session" record, so the backend sees
// each payment's whole life (created, shown, paid with the provider's
// transaction id, expired …) keyed by its reconciliation reference.
type SessionRecorder struct{ st Store }

// NewSessionRecorder returns the recorder over st (a *store.Store).
func NewSessionRecorder(st Store) *SessionRecorder { return &SessionRecorder{st: st} }

// Record stores t, created at t.At; it returns once the record is fsync'd.
func (r *SessionRecorder) Record(ctx context.Context, t session.Transition) error {
	_, err := Append(ctx, r.st, t.At, PaymentSessionOf(t), nil)
	return err
}

// Load returns every recorded transition still in the store, in order.
func (r *SessionRecorder) Load(ctx context.Context) ([]session.Transition, error) {
	var out []session.Transition
	err := Scan(ctx, r.st, KindPaymentSession, func(rec store.Record) error {
		var p PaymentSession
		if err := Decode(rec, &p); err != nil {
			return fmt.Errorf("records: payment transition seq %d: %w", rec.Seq, err)
		}
		out = append(out, p.Transition())
		return nil
	})
	return out, err
}

var _ session.Recorder = (*SessionRecorder)(nil)

// Package session runs VietQR payment sessions on a device:
//
//	created → qr_shown → paid | expired | cancelled | failed
//
// A session gets a short alphanumeric reconciliation reference, unique per
// device, carried in the VietQR bill number (tag 62.01) and at the start of
// the purpose (tag 62.08, which most banking apps copy into the transfer
// memo that payment back-ends such as payOS, Casso or SePay match on).
// Confirmation comes from the device's back-end, by polling
// GET {base_url}/v1/payments/{ref} with exponential backoff and by a push
// hook; both paths are idempotent: a provider transaction ID is applied
// once, however often webhooks are retried.
//
// Nothing from the network is believed unless proven: a reply or push must
// carry the transaction signed with the back-end's checksum key the way
// payOS signs its webhooks (HMAC-SHA256 over the sorted key=value form,
// signed.go), name this session's reference and beneficiary account, and
// be fresh (signed within MaxAge, nothing dated in the future beyond
// ClockSkew, the transfer not older than the session). A confirmation that
// fails any check changes nothing, is logged without personal data and is
// counted (Manager.Rejected).
//
// Every transition is handed to a Recorder, which must make it durable
// before returning; only then does the session change state. A paid
// session prints a receipt through a Printer.
//
// This package imports payments/vietqr and the standard library only: it
// must not import the store, the printer driver or any UI.
package session

import (
	"context"
	"errors"
	"time"
)

// State is a payment session state.
type State string

// Session states.
const (
	Created   State = "created"
	QRShown   State = "qr_shown"
	Paid      State = "paid"
	Expired   State = "expired"
	Cancelled State = "cancelled"
	Failed    State = "failed"
)

// Terminal reports whether no further transition is allowed, except a late
// confirmation of an expired session (see Manager.Confirm).
func (s State) Terminal() bool {
	return s == Paid || s == Expired || s == Cancelled || s == Failed
}

// Sentinel errors callers branch on.
var (
	ErrUnknownRef   = errors.New("session: unknown reference")
	ErrBadState     = errors.New("session: transition not allowed")
	ErrConflict     = errors.New("session: a different transaction already paid this session")
	ErrBackend      = errors.New("session: back-end error")
	ErrInvalid      = errors.New("session: invalid request")
	ErrUnauthorized = errors.New("session: unauthorized")
)

// Transition is one recorded state change.
type Transition struct {
	Ref      string    `json:"ref"`
	Seq      int       `json:"seq"` // 1 for creation, then +1 per transition of this session
	From     State     `json:"from,omitempty"`
	To       State     `json:"to"`
	At       time.Time `json:"at"`
	Reason   string    `json:"reason,omitempty"`
	Amount   int64     `json:"amount"`            // VND expected (creation) or received (paid)
	TxnID    string    `json:"txn_id,omitempty"`  // provider transaction ID (paid/failed)
	Payload  string    `json:"payload,omitempty"` // the VietQR payload (creation only)
	Purpose  string    `json:"purpose,omitempty"` // creation only
	Deadline time.Time `json:"deadline"`          // when the current state times out
}

// Recorder persists transitions. Record must return only once t is
// durable (fsync'd): the session changes state only after it returns nil.
// Load returns every recorded transition in recording order, so a Manager
// can be restored after a restart (Manager.Restore).
type Recorder interface {
	Record(ctx context.Context, t Transition) error
	Load(ctx context.Context) ([]Transition, error)
}

// Receipt is what a paid session prints. It holds no personal data.
type Receipt struct {
	DeviceID string
	Ref      string
	Amount   int64 // VND
	TxnID    string
	PaidAt   time.Time
	Purpose  string
	Bank     string // short bank name of the beneficiary
	Account  string // beneficiary account, masked but for the last 4
}

// Printer prints receipts (the ESC/POS driver implements it).
type Printer interface {
	PrintReceipt(ctx context.Context, r Receipt) error
}

// Info is a snapshot of a session.
type Info struct {
	Ref      string    `json:"ref"`
	State    State     `json:"state"`
	Amount   int64     `json:"amount"`
	Purpose  string    `json:"purpose"`
	Payload  string    `json:"payload"`
	Created  time.Time `json:"created"`
	Deadline time.Time `json:"deadline"`
	TxnID    string    `json:"txn_id,omitempty"`
	Reason   string    `json:"reason,omitempty"`
	seq      int
}

// Confirmation is the back-end's word on a payment: the data object of a
// signed reply or push (signed.go), or an in-process confirmation.
type Confirmation struct {
	Ref           string    `json:"ref"`
	Status        string    `json:"status"` // "pending", "paid" or "failed"
	TransactionID string    `json:"transactionId"`
	Amount        int64     `json:"amount"`        // VND received
	PaidAt        time.Time `json:"paidAt"`        // when the bank booked the transfer
	Account       string    `json:"accountNumber"` // beneficiary account credited
	Reason        string    `json:"reason"`
	SignedAt      time.Time `json:"signedAt"` // when the back-end signed this reply
}

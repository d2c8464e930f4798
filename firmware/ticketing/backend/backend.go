// Package backend is the ticketing kiosk's adapter to the ticket-selling
// backend (seed MH19: "tích hợp đầu đọc với phần mềm bán vé"): the Backend
// interface the flow drives, its wire format, an HTTPS Client for it, and
// the offline Cache of the signed catalogue.
//
// The API (docs/TICKETING.md has the whole of it):
//
//	GET  /v1/ticketing/catalogue?since=V          the catalogue (304: V is current)
//	GET  /v1/ticketing/departures/{id}/seats?key= seats taken or held
//	POST /v1/ticketing/holds                      hold seats (idempotency key, TTL)
//	POST /v1/ticketing/holds/{id}/release         release a hold
//	POST /v1/ticketing/sales                      sell: a hold's seats and/or products
//	GET  /v1/ticketing/tickets?holder=T&key=      a citizen's tickets (to cancel)
//	POST /v1/ticketing/refunds                    cancel a ticket per the operator's rules
//	GET  /v1/ticketing/departures/{id}/manifest?key=  the passenger list (ASM manifest)
//
// Every request that changes something carries an idempotency key the
// kiosk makes (the same key always gets the same answer: a retried hold
// never holds twice, a retried sale never sells twice) and the device id.
//
// Authenticity: seats and money depend on every reply, so every reply —
// errors included — is an Envelope: the reply's JSON bytes and an Ed25519
// signature over exactly those bytes under the backend's key, whose public
// half is configured on the kiosk (the transit lists' scheme). Ed25519
// rather than a shared HMAC key: a kiosk (or anyone who opens one) cannot
// make a reply another kiosk would believe, and the same public key lets
// a conductor's phone check a ticket's QR offline. Each reply names its
// kind, echoes the request's key and device and says when it was signed:
// a reply to another request, another kiosk, or older than MaxAge is
// refused like a forged one (ErrUnverified). Nothing is acted on — no
// seat shown as held, no ticket printed, no refund promised — from a reply
// that did not verify. The transport is TLS 1.2+ with the configured CA
// and client certificate (firmware/netclient) and a bearer token.
//
// The catalogue is signed the same way (without a request key: it is
// kept) and the Cache keeps the envelope byte for byte, verifying it again
// at every load; while the backend cannot be reached the kiosk sells what
// the cached catalogue marks Offline (passes, rides) until its ValidUntil,
// and stops seat sales with a clear message (they need a hold).
//
// It imports firmware/ticketing/catalog and the standard library; it must
// not import the flow, the store, drivers or the UI, and never logs the
// passengers' personal data it carries.
package backend

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Errors callers branch on.
var (
	// ErrUnavailable: the backend could not be asked or did not answer
	// (network, timeout, HTTP 5xx, a reply that does not verify). Nothing
	// is known to have happened: retry with the same key.
	ErrUnavailable = errors.New("backend: ticketing backend unavailable")
	// ErrUnverified: a reply failed its signature or did not answer this
	// request (kind, key, device, age). It wraps ErrUnavailable.
	ErrUnverified = fmt.Errorf("%w: reply not verified", ErrUnavailable)
	// ErrSeatTaken: a signed refusal: a seat asked for is sold or held by
	// someone else (SeatsTakenError lists them).
	ErrSeatTaken = errors.New("backend: seat taken")
	// ErrRejected: a signed refusal of the request itself (RejectedError
	// has the backend's code: hold_expired, amount_mismatch,
	// not_refundable, unknown_ticket …).
	ErrRejected = errors.New("backend: request rejected")
)

// SeatsTakenError is a signed seat_taken refusal.
type SeatsTakenError struct{ Seats []string }

func (e *SeatsTakenError) Error() string { return fmt.Sprintf("backend: seats taken: %v", e.Seats) }

// Unwrap makes errors.Is(err, ErrSeatTaken) hold.
func (e *SeatsTakenError) Unwrap() error { return ErrSeatTaken }

// RejectedError is a signed refusal with the backend's code.
type RejectedError struct{ Code, Message string }

func (e *RejectedError) Error() string { return "backend: rejected: " + e.Code }

// Unwrap makes errors.Is(err, ErrRejected) hold.
func (e *RejectedError) Unwrap() error { return ErrRejected }

// Reply codes of a signed refusal.
const (
	CodeSeatTaken      = "seat_taken"
	CodeHoldExpired    = "hold_expired"
	CodeAmountMismatch = "amount_mismatch"
	CodeNotRefundable  = "not_refundable"
	CodeUnknown        = "unknown" // unknown departure, product, hold or ticket
	CodeInvalid        = "invalid" // a malformed request
)

// Backend is the ticket-selling backend as the flow sees it; *Client
// implements it over HTTPS and ticketingsim serves it for tests and --sim.
// Every method returns only what a verified reply said.
type Backend interface {
	// Catalogue returns the signed catalogue envelope newer than version
	// since (its bytes, for the Cache), or nil when since is current.
	Catalogue(ctx context.Context, since uint64) ([]byte, error)
	// Seats returns the seats of a departure that cannot be held now.
	Seats(ctx context.Context, departure string) (Seats, error)
	// Hold holds seats until the hold's Expires (ErrSeatTaken: some are
	// not free; nothing is held). The same Key returns the same hold.
	Hold(ctx context.Context, r HoldRequest) (Hold, error)
	// Release gives a hold's seats back.
	Release(ctx context.Context, r ReleaseRequest) error
	// Sell sells a hold's seats and/or products, once paid. The same Key
	// returns the same sale.
	Sell(ctx context.Context, r SaleRequest) (Sale, error)
	// Tickets lists the tickets bought by or for a citizen (token).
	Tickets(ctx context.Context, holder string) ([]TicketInfo, error)
	// Cancel cancels a ticket before departure per the operator's rules
	// and returns the refund (ErrRejected not_refundable: too late).
	Cancel(ctx context.Context, r CancelRequest) (Refund, error)
	// Manifest returns a departure's passenger list.
	Manifest(ctx context.Context, departure string) (Manifest, error)
}

// Reply kinds (the "kind" of every signed reply).
const (
	KindCatalogue = "catalogue"
	KindSeats     = "seats"
	KindHold      = "hold"
	KindRelease   = "release"
	KindSale      = "sale"
	KindTickets   = "tickets"
	KindRefund    = "refund"
	KindManifest  = "manifest"
	KindError     = "error"
)

// Header is in every signed reply: what it answers and when it was signed.
type Header struct {
	Kind     string    `json:"kind"`
	Key      string    `json:"key,omitempty"`    // the request's key (every kind but the catalogue)
	Device   string    `json:"device,omitempty"` // the requesting kiosk
	SignedAt time.Time `json:"signed_at"`
}

// Seats is a departure's unavailable seats.
type Seats struct {
	Departure string   `json:"departure"`
	Taken     []string `json:"taken"` // sold, or held by another request
}

// HoldRequest asks to hold seats of a departure for one segment.
type HoldRequest struct {
	Key       string   `json:"key"` // idempotency key: the same key, the same hold
	Device    string   `json:"device"`
	Departure string   `json:"departure"`
	From      string   `json:"from"`
	To        string   `json:"to"`
	Seats     []string `json:"seats"`
	// TTLSeconds is how long the seats are wanted (the backend may give
	// less: Hold.Expires says).
	TTLSeconds int `json:"ttl_seconds"`
}

// HeldSeat is a held seat with its class and the segment's base fare.
type HeldSeat struct {
	Seat  string `json:"seat"`
	Class string `json:"class"`
	Fare  int64  `json:"fare"` // base fare, VND
}

// Hold is a granted hold.
type Hold struct {
	ID        string     `json:"id"`
	Departure string     `json:"departure"`
	From      string     `json:"from"`
	To        string     `json:"to"`
	Seats     []HeldSeat `json:"seats"`
	Expires   time.Time  `json:"expires"`
	// Granted is the backend's own time when it granted the hold (the
	// signed reply's signed_at; zero when the Backend does not say): the
	// hold lasts Expires − Granted, which the kiosk measures on its own
	// monotonic clock, whatever its wall clock reads.
	Granted time.Time `json:"-"`
}

// ReleaseRequest gives a hold back.
type ReleaseRequest struct {
	Key    string `json:"key"`
	Device string `json:"device"`
	Hold   string `json:"hold"`
	Reason string `json:"reason"` // cancel, idle, payment_expired …
}

// Passenger is who travels on one ticket. Token is the keyed citizen
// token (identity.Token hex), which binds the ticket for validators; the
// name, ID number and date of birth are sent only for named tickets
// (coach, train), as operators require, and never logged.
type Passenger struct {
	Token    string `json:"token"`
	Kind     string `json:"kind"` // card (read from their CCCD) or child (ID number typed)
	Name     string `json:"name,omitempty"`
	IDNumber string `json:"id_number,omitempty"`
	DOB      string `json:"dob,omitempty"` // 2006-01-02
	Sex      string `json:"sex,omitempty"` // Nam / Nữ
}

// SaleItem is one ticket to sell: a held seat (Departure, Seat) or a
// product.
type SaleItem struct {
	Departure string    `json:"departure,omitempty"`
	From      string    `json:"from,omitempty"`
	To        string    `json:"to,omitempty"`
	Seat      string    `json:"seat,omitempty"`
	Product   string    `json:"product,omitempty"`
	ValidFrom time.Time `json:"valid_from,omitzero"` // a product's first valid instant
	Passenger Passenger `json:"passenger"`
	Category  string    `json:"category,omitempty"` // the concession applied
	Base      int64     `json:"base"`
	Price     int64     `json:"price"`
}

// Payment says how a sale was paid.
type Payment struct {
	Method string    `json:"method"`           // vietqr, free
	Ref    string    `json:"ref,omitempty"`    // the VietQR session reference
	TxnID  string    `json:"txn_id,omitempty"` // the bank's transaction id (from the signed confirmation)
	Amount int64     `json:"amount"`
	PaidAt time.Time `json:"paid_at,omitzero"`
}

// SaleRequest sells items (paid).
type SaleRequest struct {
	Key     string     `json:"key"`
	Device  string     `json:"device"`
	Hold    string     `json:"hold,omitempty"`
	Buyer   string     `json:"buyer"` // the buyer's citizen token
	Items   []SaleItem `json:"items"`
	Total   int64      `json:"total"`
	Payment Payment    `json:"payment"`
}

// Ticket is one sold ticket.
type Ticket struct {
	ID   string `json:"id"`
	Item int    `json:"item"` // index into the request's Items
	// Code is what the ticket's QR carries, as the backend made it (a
	// conductor checks it with the backend's public key).
	Code       string    `json:"code"`
	Seat       string    `json:"seat,omitempty"`
	ValidFrom  time.Time `json:"valid_from,omitzero"`
	ValidUntil time.Time `json:"valid_until,omitzero"`
}

// Sale is a completed sale.
type Sale struct {
	ID      string   `json:"id"`
	Total   int64    `json:"total"`
	Tickets []Ticket `json:"tickets"`
}

// TicketInfo is a ticket as its holder may see it to cancel it.
type TicketInfo struct {
	ID        string    `json:"id"`
	Sale      string    `json:"sale"`
	Operator  string    `json:"operator"`
	Departure string    `json:"departure,omitempty"`
	From      string    `json:"from,omitempty"`
	To        string    `json:"to,omitempty"`
	Seat      string    `json:"seat,omitempty"`
	Product   string    `json:"product,omitempty"`
	DepartsAt time.Time `json:"departs_at,omitzero"`
	Price     int64     `json:"price"`
	Status    string    `json:"status"` // valid, used, cancelled
	// Passenger is how the ticket names its passenger, masked by the
	// backend ("Nguyễn V. A. – 0010••••••45").
	Passenger string `json:"passenger"`
}

// CancelRequest cancels a ticket.
type CancelRequest struct {
	Key    string `json:"key"`
	Device string `json:"device"`
	Ticket string `json:"ticket"`
	Holder string `json:"holder"` // the citizen token of whoever asks (passenger or buyer)
	Reason string `json:"reason"`
}

// Refund is a cancelled ticket's refund.
type Refund struct {
	Ticket string `json:"ticket"`
	Sale   string `json:"sale"`
	Price  int64  `json:"price"`  // what was paid
	Fee    int64  `json:"fee"`    // kept per the rule
	Amount int64  `json:"amount"` // refunded: Price - Fee
	Rule   string `json:"rule"`   // the rule's text
	// Method is how the money goes back: "original" (to the account that
	// paid, through the payment provider).
	Method string `json:"method"`
}

// ManifestPassenger is one passenger of a departure.
type ManifestPassenger struct {
	Seat     string `json:"seat"`
	Ticket   string `json:"ticket"`
	Name     string `json:"name"`
	IDNumber string `json:"id_number"`
	DOB      string `json:"dob,omitempty"`
	Sex      string `json:"sex,omitempty"`
	Board    string `json:"board"`  // stop id
	Alight   string `json:"alight"` // stop id
}

// Manifest is a departure's passenger list.
type Manifest struct {
	Departure  string              `json:"departure"`
	Passengers []ManifestPassenger `json:"passengers"`
}

package records

import "time"

// Record kinds the ticketing flow writes (firmware/ticketing).
const (
	KindTicketingIdentify  = "ticketing.identify"
	KindTicketingCAN       = "ticketing.can"
	KindTicketingIntent    = "ticketing.intent"
	KindTicketingHold      = "ticketing.hold"
	KindTicketingPayment   = "ticketing.payment"
	KindTicketingSale      = "ticketing.sale"
	KindTicketingTicket    = "ticketing.ticket"
	KindTicketingRefund    = "ticketing.refund"
	KindTicketingManifest  = "ticketing.manifest"
	KindTicketingHelp      = "ticketing.help"
	KindTicketingAbandoned = "ticketing.abandoned"
	KindTicketingService   = "ticketing.service"
)

// Actions named by a ticketing.intent record (ActionPayment is shared with
// the hospital's).
const (
	ActionHold   = "hold"   // hold seats with the ticket-selling backend
	ActionSale   = "sale"   // sell the tickets (after payment) and print them
	ActionRefund = "refund" // cancel a ticket and refund it
)

// TicketingIdentify is the payload of ticketing.identify.
type TicketingIdentify struct {
	Stamp
	Role    string `json:"role"`            // whose card: buyer, passenger (added to a purchase) or holder (cancelling)
	Verdict string `json:"verdict"`         // identity.Verdict: genuine, not_genuine, unverified
	Method  string `json:"method"`          // identity.Method: qr, chip+qr, chip+can; "typed": a child's ID number typed
	Reason  string `json:"reason"`          // identity.Reason ("" if none)
	Token   string `json:"token,omitempty"` // the keyed citizen token (hex); none for a card not accepted
}

// TicketingCAN is the payload of ticketing.can.
type TicketingCAN struct {
	Stamp
	Outcome      string `json:"outcome"`       // "mismatch": the card refused the CAN
	AttemptsLeft int    `json:"attempts_left"` // CANs the kiosk still lets the person type
	Role         string `json:"role"`          // buyer, passenger or holder
}

// TicketingIntent is the payload of ticketing.intent: the flow is about to
// act outside the kiosk. An intent without a later outcome record
// (ticketing.hold, ticketing.payment, ticketing.sale, ticketing.refund) is
// what a reconciliation looks for.
type TicketingIntent struct {
	Stamp
	Action     string   `json:"action"`                // hold, payment, sale or refund
	Key        string   `json:"key"`                   // the backend request's idempotency key (payment: the purchase's)
	Departure  string   `json:"departure,omitempty"`   // hold, sale: the departure
	From       string   `json:"from,omitempty"`        // hold: the boarding stop
	To         string   `json:"to,omitempty"`          // hold: the alighting stop
	Seats      []string `json:"seats,omitempty"`       // hold: the seats asked for
	Hold       string   `json:"hold,omitempty"`        // payment, sale: the seats' hold
	Products   []string `json:"products,omitempty"`    // sale: the seatless products
	Travellers int      `json:"travellers,omitempty"`  // hold, sale: how many travel
	Amount     int64    `json:"amount,omitempty"`      // payment, sale: VND
	Ticket     string   `json:"ticket,omitempty"`      // refund: the ticket
	Purchase   string   `json:"purchase,omitempty"`    // the purchase's key (on every intent of one purchase)
	Offline    bool     `json:"offline,omitempty"`     // sale: issued by the kiosk while the backend was unreachable
	Reference  string   `json:"payment_ref,omitempty"` // sale: the VietQR session reference
}

// TicketingHold is the payload of ticketing.hold.
type TicketingHold struct {
	Stamp
	// held, taken (seats not free: nothing held), failed (no verified
	// answer), released, release_failed, expired
	Outcome   string    `json:"outcome"`
	Key       string    `json:"key"`                  // the hold request's idempotency key
	Purchase  string    `json:"purchase"`             // the purchase's key
	Hold      string    `json:"hold,omitempty"`       // the backend's hold id
	Departure string    `json:"departure"`            // the departure
	Seats     []string  `json:"seats"`                // the seats asked for or held
	Taken     []string  `json:"taken,omitempty"`      // taken: the seats that were not free
	Expires   time.Time `json:"expires,omitzero"`     // held: until when
	Failure   string    `json:"failure,omitempty"`    // failed, release_failed: timeout, unavailable, unverified …
	Reason    string    `json:"reason,omitempty"`     // released: why (cancel, idle, payment_expired …)
	BaseTotal int64     `json:"base_total,omitempty"` // held: the seats' base fares, VND
}

// TicketingPayment is the payload of ticketing.payment.
type TicketingPayment struct {
	Stamp
	// not_created (no session), or the session's state when the kiosk
	// stopped waiting: paid, expired, failed, cancelled
	State    string `json:"state"`
	Purchase string `json:"purchase"`          // the purchase's key
	Ref      string `json:"ref,omitempty"`     // the session's reconciliation reference
	Amount   int64  `json:"amount"`            // VND
	TxnID    string `json:"txn_id,omitempty"`  // paid: the provider's transaction id
	Failure  string `json:"failure,omitempty"` // not_created: why
	Reason   string `json:"reason,omitempty"`  // cancelled: why (idle, cancel, out_of_service …)
}

// TicketingSale is the payload of ticketing.sale.
type TicketingSale struct {
	Stamp
	// sold (the backend's verified sale), offline (issued by the kiosk
	// from the cached catalogue while the backend was unreachable: the
	// backend takes it from this record), refused (the backend's signed
	// refusal after payment: see ticketing.refund), failed (no verified
	// answer)
	Outcome    string `json:"outcome"`
	Key        string `json:"key"`                   // the sale request's idempotency key: the backend dedupes on it
	Purchase   string `json:"purchase"`              // the purchase's key
	Sale       string `json:"sale,omitempty"`        // the backend's sale id (sold), or the kiosk's (offline)
	Hold       string `json:"hold,omitempty"`        // the seats' hold
	Buyer      string `json:"buyer"`                 // the buyer's keyed citizen token
	Amount     int64  `json:"amount"`                // VND
	Method     string `json:"method"`                // vietqr or free
	PaymentRef string `json:"payment_ref,omitempty"` // the VietQR session reference
	TxnID      string `json:"txn_id,omitempty"`      // the bank's transaction id
	Tickets    int    `json:"tickets"`               // tickets sold (one ticketing.ticket each)
	Failure    string `json:"failure,omitempty"`     // refused: the backend's code; failed: timeout, unavailable …
}

// TicketingTicket is the payload of ticketing.ticket: one ticket sold,
// bound to its passenger's keyed citizen token (what validators check).
// It is durable before the ticket prints (a ticketing.help says when the
// print failed). A named ticket (coach, train) seals the passenger's name,
// ID number and date of birth; a pass or ride seals nothing.
type TicketingTicket struct {
	Stamp
	Ticket    string    `json:"ticket"`               // the ticket id
	Sale      string    `json:"sale"`                 // the sale id
	Key       string    `json:"key"`                  // the sale request's idempotency key
	Code      string    `json:"code"`                 // what the ticket's QR carries
	Offline   bool      `json:"offline,omitempty"`    // issued by the kiosk (see ticketing.sale)
	Operator  string    `json:"operator"`             // the operator's id
	Mode      string    `json:"mode"`                 // coach, train or bus
	Kind      string    `json:"kind"`                 // seat, monthly_pass or ride
	Product   string    `json:"product,omitempty"`    // monthly_pass, ride: the product id
	Route     string    `json:"route,omitempty"`      // the route's code on validators ("" = every route)
	Departure string    `json:"departure,omitempty"`  // seat: the departure
	From      string    `json:"from,omitempty"`       // seat: boarding stop
	To        string    `json:"to,omitempty"`         // seat: alighting stop
	Seat      string    `json:"seat,omitempty"`       // seat: the seat or berth
	Class     string    `json:"class,omitempty"`      // seat: its class
	ValidFrom time.Time `json:"valid_from,omitzero"`  // seat: departure; pass: the month's start; ride: the sale
	ValidTo   time.Time `json:"valid_until,omitzero"` // seat: arrival; pass: the month's end; ride: ValidDays later
	Token     string    `json:"token"`                // the passenger's keyed citizen token
	Traveller string    `json:"traveller"`            // card (identified by their CCCD) or child (ID number typed)
	Category  string    `json:"category,omitempty"`   // the concession applied ("" none)
	Base      int64     `json:"base"`                 // VND before the concession
	Price     int64     `json:"price"`                // VND paid
}

// TicketingRefund is the payload of ticketing.refund.
type TicketingRefund struct {
	Stamp
	// approved (the backend cancelled the ticket: Amount goes back),
	// refused (the backend's signed refusal, e.g. not_refundable),
	// failed (no verified answer), due (paid but no ticket issued: the
	// whole payment is owed back)
	State      string `json:"state"`
	Key        string `json:"key"`                   // the request's idempotency key (due: the sale's)
	Ticket     string `json:"ticket,omitempty"`      // the ticket cancelled
	Sale       string `json:"sale,omitempty"`        // its sale
	Price      int64  `json:"price"`                 // VND paid
	Fee        int64  `json:"fee"`                   // VND kept per the operator's rule
	Amount     int64  `json:"amount"`                // VND refunded
	Rule       string `json:"rule,omitempty"`        // the rule applied (its text)
	Method     string `json:"method,omitempty"`      // original: to the account that paid
	PaymentRef string `json:"payment_ref,omitempty"` // due: the VietQR session reference
	TxnID      string `json:"txn_id,omitempty"`      // due: the bank's transaction id
	Failure    string `json:"failure,omitempty"`     // refused: the backend's code; failed, due: why
}

// TicketingManifest is the payload of ticketing.manifest: a departure's
// passenger list in the ASM stay-notification shape
// (firmware/ticketing/manifest); the list itself is sealed (passengers).
type TicketingManifest struct {
	Stamp
	Departure  string    `json:"departure"`         // the departure
	Route      string    `json:"route"`             // its route
	Operator   string    `json:"operator"`          // the operator's id
	Service    string    `json:"service,omitempty"` // train number, coach trip code
	Vehicle    string    `json:"vehicle,omitempty"` // the coach's plate
	DepartsAt  time.Time `json:"departs_at"`        // from its first stop
	Format     string    `json:"format"`            // the sealed list's format: "asm-csv/1"
	Travellers int       `json:"travellers"`        // rows in the sealed list
}

// TicketingHelp is the payload of ticketing.help.
type TicketingHelp struct {
	Stamp
	Screen string `json:"screen"`           // the screen the person was on
	Reason string `json:"reason"`           // passenger (pressed call staff), printer_<failure>, sale_refused, sale_failed
	Ref    string `json:"ref,omitempty"`    // the request's number shown, "H001"
	Ticket string `json:"ticket,omitempty"` // printer failure: the ticket that did not print
}

// TicketingAbandoned is the payload of ticketing.abandoned.
type TicketingAbandoned struct {
	Stamp
	Screen string `json:"screen"` // the screen the person left
	Reason string `json:"reason"` // idle, cancel, payment_timeout …
	Held   bool   `json:"held"`   // seats were held (and released)
}

// TicketingService is the payload of ticketing.service.
type TicketingService struct {
	Stamp
	State         string `json:"state"`          // "resumed"
	StoppedAt     string `json:"stopped_at"`     // the kind (and "/action" of an intent) that could not be stored
	Since         string `json:"since"`          // when the kiosk stopped, RFC 3339 UTC
	FailedRecords int    `json:"failed_records"` // records that could not be stored meanwhile
}

// RecordKind implements Payload.
func (TicketingIdentify) RecordKind() string { return KindTicketingIdentify }

// RecordKind implements Payload.
func (TicketingCAN) RecordKind() string { return KindTicketingCAN }

// RecordKind implements Payload.
func (TicketingIntent) RecordKind() string { return KindTicketingIntent }

// RecordKind implements Payload.
func (TicketingHold) RecordKind() string { return KindTicketingHold }

// RecordKind implements Payload.
func (TicketingPayment) RecordKind() string { return KindTicketingPayment }

// RecordKind implements Payload.
func (TicketingSale) RecordKind() string { return KindTicketingSale }

// RecordKind implements Payload.
func (TicketingTicket) RecordKind() string { return KindTicketingTicket }

// RecordKind implements Payload.
func (TicketingRefund) RecordKind() string { return KindTicketingRefund }

// RecordKind implements Payload.
func (TicketingManifest) RecordKind() string { return KindTicketingManifest }

// RecordKind implements Payload.
func (TicketingHelp) RecordKind() string { return KindTicketingHelp }

// RecordKind implements Payload.
func (TicketingAbandoned) RecordKind() string { return KindTicketingAbandoned }

// RecordKind implements Payload.
func (TicketingService) RecordKind() string { return KindTicketingService }

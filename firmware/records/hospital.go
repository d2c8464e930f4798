package records

import "time"

// Record kinds the hospital flow writes.
const (
	KindHospitalIdentify     = "hospital.identify"
	KindHospitalCAN          = "hospital.can"
	KindHospitalChild        = "hospital.child"
	KindHospitalHolder       = "hospital.holder"
	KindHospitalInsurance    = "hospital.insurance"
	KindHospitalIntent       = "hospital.intent"
	KindHospitalRegistration = "hospital.registration"
	KindHospitalPayment      = "hospital.payment"
	KindHospitalHelp         = "hospital.help"
	KindHospitalHelpAck      = "hospital.help_ack"
	KindHospitalAbandoned    = "hospital.abandoned"
	KindHospitalService      = "hospital.service"
	KindHospitalAdmin        = "hospital.admin"
)

// Stamp is in every hospital.* payload: which kiosk and when, by the
// flow's clock. The flow fills it (SetStamp) as it writes the record.
type Stamp struct {
	DeviceID string    `json:"device_id"` // the kiosk's [device] id
	At       time.Time `json:"at"`        // when, UTC, RFC 3339 with nanoseconds
}

// SetStamp sets the device id and the time (converted to UTC).
func (s *Stamp) SetStamp(deviceID string, at time.Time) { s.DeviceID, s.At = deviceID, at.UTC() }

// HospitalIdentify is the payload of hospital.identify.
type HospitalIdentify struct {
	Stamp
	Verdict  string `json:"verdict"`   // identity.Verdict: genuine, not_genuine, unverified
	Method   string `json:"method"`    // identity.Method: qr, chip+qr, chip+can
	Reason   string `json:"reason"`    // identity.Reason: why not genuine (qr_only, hash_mismatch, clone …; "" if none)
	ForOther bool   `json:"for_other"` // the card is of a person registered by an agent
}

// HospitalCAN is the payload of hospital.can.
type HospitalCAN struct {
	Stamp
	Outcome      string `json:"outcome"`       // "mismatch": the card refused the CAN
	AttemptsLeft int    `json:"attempts_left"` // CANs the kiosk still lets the patient type
	ForOther     bool   `json:"for_other"`     // the card is of a person registered by an agent
}

// HospitalChild is the payload of hospital.child: a child without a card
// registered by a parent (làm hộ) whose card was read; the child's personal
// ID number, name and birth date were typed and checked against each other.
// Both identities are in the sealed fields (the child's as the patient's,
// the parent's as the agent's).
type HospitalChild struct {
	Stamp
	AgentVerdict string `json:"agent_verdict"` // the parent's card: its verdict (as hospital.identify)
	AgentMethod  string `json:"agent_method"`  // how the parent's card was read
	Age          int    `json:"age"`           // the child's age in whole years on the day
}

// HospitalHolder is the payload of hospital.holder.
type HospitalHolder struct {
	Stamp
	// matched, mismatch, not_enrolled, enrolled, declined, enrol_failed,
	// module_absent, skipped_for_other
	Outcome string `json:"outcome"`
	// mismatch only (0 included): fingerprint attempts left, 0 when the
	// check failed
	AttemptsLeft *int `json:"attempts_left,omitempty"`
}

// HospitalInsurance is the payload of hospital.insurance.
type HospitalInsurance struct {
	Stamp
	Code    string `json:"code"`    // the BHYT gateway's result code ("" when it could not be asked)
	Class   string `json:"class"`   // bhyt.Class of the code: valid, warning, invalid, unavailable
	Next    string `json:"next"`    // bhyt.Next: insured, fee_paying or call_staff
	Failure string `json:"failure"` // why the check failed: timeout, auth, unavailable … ("" if it did not)
}

// Actions named by a hospital.intent record.
const (
	ActionHISVisit    = "his_visit"    // register the visit in the HIS
	ActionQueueTicket = "queue_ticket" // issue a queue number and print the ticket
	ActionPayment     = "payment"      // create a VietQR payment session and show its code
)

// HospitalIntent is the payload of hospital.intent. An intent without a
// later outcome record (hospital.registration, hospital.payment) is what a
// reconciliation looks for after a crash or a failing store.
type HospitalIntent struct {
	Stamp
	Action      string `json:"action"`                 // his_visit, queue_ticket or payment
	Key         string `json:"key"`                    // the visit's idempotency key (also on its registration)
	Clinic      string `json:"clinic,omitempty"`       // his_visit, queue_ticket: the clinic's code
	VisitNumber string `json:"visit_number,omitempty"` // queue_ticket, payment: the HIS visit number
	Service     string `json:"service,omitempty"`      // queue_ticket: the queue service
	Priority    string `json:"priority,omitempty"`     // his_visit, queue_ticket: queue.Priority's name
	Ticket      string `json:"ticket,omitempty"`       // payment: the queue ticket
	Amount      int64  `json:"amount,omitempty"`       // payment: VND to pay
	*IntentVisit
}

// IntentVisit is set on a his_visit intent only.
type IntentVisit struct {
	Insured  bool `json:"insured"`   // registered as insured (BHYT)
	ForOther bool `json:"for_other"` // registered by an agent
	// BHYTPending: the BHYT check failed and the patient registered as
	// insured, staff to confirm the card at the counter.
	BHYTPending bool `json:"bhyt_pending,omitempty"`
}

// HospitalRegistration is the payload of hospital.registration.
type HospitalRegistration struct {
	Stamp
	Outcome     string `json:"outcome"`                // ok, his_failed or queue_failed
	Failure     string `json:"failure,omitempty"`      // his_failed, queue_failed: timeout, auth, unavailable, rejected …
	VisitNumber string `json:"visit_number,omitempty"` // ok, queue_failed: the HIS visit number
	Clinic      string `json:"clinic"`                 // the clinic's code
	Key         string `json:"key"`                    // the visit's idempotency key (as on its intents)
	*Registered
}

// Registered is set on a registration whose outcome is "ok".
type Registered struct {
	Ticket   string `json:"ticket"`    // the queue number, "A012"
	Priority string `json:"priority"`  // queue.Priority's name
	Insured  bool   `json:"insured"`   // registered as insured (BHYT)
	BHYTCode string `json:"bhyt_code"` // the BHYT result code ("" if not checked)
	Holder   string `json:"holder"`    // the holder check's outcome (as hospital.holder; "" if left out)
	Printed  bool   `json:"printed"`   // the ticket printed
	Amount   int64  `json:"amount"`    // VND the patient pays (0: nothing)
	ForOther bool   `json:"for_other"` // registered by an agent
	Verdict  string `json:"verdict"`   // the card's verdict (as hospital.identify)
	Method   string `json:"method"`    // how the card was read (as hospital.identify)
	// BHYTPending: registered as insured with the card to be confirmed
	// by staff at the counter (the BHYT check failed).
	BHYTPending bool `json:"bhyt_pending,omitempty"`
}

// HospitalPayment is the payload of hospital.payment.
type HospitalPayment struct {
	Stamp
	// not_created (no session), or the session's state when the kiosk
	// stopped waiting: paid, expired, failed, cancelled
	State       string `json:"state"`
	Ref         string `json:"ref,omitempty"`          // the session's reconciliation reference (none if not created)
	Amount      int64  `json:"amount"`                 // VND
	VisitNumber string `json:"visit_number,omitempty"` // the HIS visit number (not on cancelled)
	Failure     string `json:"failure,omitempty"`      // not_created: why
	Reason      string `json:"reason,omitempty"`       // cancelled: why (idle, cancel, payment_timeout, create_failed …)
	// paid, expired, failed (the kiosk stopped waiting; "" included): the
	// provider's transaction id, "" when there is none
	TxnID *string `json:"txn_id,omitempty"`
}

// HospitalHelp is the payload of hospital.help.
type HospitalHelp struct {
	Stamp
	Screen string `json:"screen"`           // the screen the patient was on
	Reason string `json:"reason"`           // what for: the patient's request, or printer_<failure>
	Ref    string `json:"ref,omitempty"`    // the request's number shown to the patient, "H001"
	Ticket string `json:"ticket,omitempty"` // printer failure: the ticket that did not print
}

// HospitalHelpAck is the payload of hospital.help_ack: what came of a
// help request or device alert (hospital.help) — a member of staff took it,
// or it reached nobody (no staff channel, no listener, no beacon) and the
// patient was sent to the reception desk.
type HospitalHelpAck struct {
	Stamp
	Ref     string `json:"ref,omitempty"`    // the request's number shown to the patient, "H001"
	Ticket  string `json:"ticket,omitempty"` // a device alert: the ticket that did not print
	Call    string `json:"call,omitempty"`   // the staff desk's call id, "C0007" ("" when not raised)
	Outcome string `json:"outcome"`          // HelpAcknowledged or HelpUnreached
	// By is the staff client (a counter's API name, never a person's
	// name) that took the call.
	By string `json:"by,omitempty"`
	// Delivered is how many staff screens the call reached when raised;
	// Beacon whether the kiosk's beacon was lit for it.
	Delivered int  `json:"delivered"`
	Beacon    bool `json:"beacon"`
	// WaitedMS is how long the call waited for staff.
	WaitedMS int64 `json:"waited_ms,omitempty"`
}

// Outcomes of a staff call (HospitalHelpAck.Outcome).
const (
	HelpAcknowledged = "acknowledged"
	HelpUnreached    = "unreached"
)

// HospitalAbandoned is the payload of hospital.abandoned.
type HospitalAbandoned struct {
	Stamp
	Screen     string `json:"screen"`     // the screen the patient left
	Reason     string `json:"reason"`     // idle, cancel, payment_timeout …
	Registered bool   `json:"registered"` // the visit was already registered in the HIS
}

// HospitalService is the payload of hospital.service.
type HospitalService struct {
	Stamp
	State         string `json:"state"`          // "resumed"
	StoppedAt     string `json:"stopped_at"`     // the kind (and "/action" of an intent) that could not be stored
	Since         string `json:"since"`          // when the kiosk stopped, RFC 3339 UTC
	FailedRecords int    `json:"failed_records"` // records that could not be stored meanwhile
}

// HospitalAdmin is the payload of hospital.admin: the audit of the
// kiosk's admin menu (issue 22.6). One record per PIN entered, lockout,
// action and logout; it never holds a PIN or anything about a patient.
type HospitalAdmin struct {
	Stamp
	// Staff is who acted: the PIN file's name of the member of staff
	// logged in (a handle, "" before a login and for a wrong PIN).
	Staff string `json:"staff,omitempty"`
	// Action: login, logout, status, test_page, reprint, paper_changed,
	// service_open, service_close, report, restart.
	Action string `json:"action"`
	// Outcome: ok, failed; for login also wrong_pin, lockout, locked,
	// invalid (admin.Outcome*).
	Outcome string `json:"outcome"`
	// Detail says more without personal data: the queue service letter,
	// the error class, the logout's reason (idle, left), wrong PINs left.
	Detail string `json:"detail,omitempty"`
}

// Admin menu actions (HospitalAdmin.Action).
const (
	AdminLogin        = "login"
	AdminLogout       = "logout"
	AdminStatus       = "status"
	AdminTestPage     = "test_page"
	AdminReprint      = "reprint"
	AdminPaperChanged = "paper_changed"
	AdminServiceOpen  = "service_open"
	AdminServiceClose = "service_close"
	AdminReport       = "report"
	AdminRestart      = "restart"
)

// RecordKind implements Payload.
func (HospitalAdmin) RecordKind() string { return KindHospitalAdmin }

// RecordKind implements Payload.
func (HospitalIdentify) RecordKind() string { return KindHospitalIdentify }

// RecordKind implements Payload.
func (HospitalCAN) RecordKind() string { return KindHospitalCAN }

// RecordKind implements Payload.
func (HospitalChild) RecordKind() string { return KindHospitalChild }

// RecordKind implements Payload.
func (HospitalHolder) RecordKind() string { return KindHospitalHolder }

// RecordKind implements Payload.
func (HospitalInsurance) RecordKind() string { return KindHospitalInsurance }

// RecordKind implements Payload.
func (HospitalIntent) RecordKind() string { return KindHospitalIntent }

// RecordKind implements Payload.
func (HospitalRegistration) RecordKind() string { return KindHospitalRegistration }

// RecordKind implements Payload.
func (HospitalPayment) RecordKind() string { return KindHospitalPayment }

// RecordKind implements Payload.
func (HospitalHelp) RecordKind() string { return KindHospitalHelp }

// RecordKind implements Payload.
func (HospitalHelpAck) RecordKind() string { return KindHospitalHelpAck }

// RecordKind implements Payload.
func (HospitalAbandoned) RecordKind() string { return KindHospitalAbandoned }

// RecordKind implements Payload.
func (HospitalService) RecordKind() string { return KindHospitalService }

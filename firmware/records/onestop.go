package records

// Record kinds the one-stop kiosk (firmware/onestop) writes.
const (
	KindOnestopSignIn    = "onestop.signin"
	KindOnestopIntent    = "onestop.intent"
	KindOnestopDossier   = "onestop.dossier"
	KindOnestopTicket    = "onestop.ticket"
	KindOnestopLookup    = "onestop.lookup"
	KindOnestopSupport   = "onestop.support"
	KindOnestopAbandoned = "onestop.abandoned"
	KindOnestopService   = "onestop.service"
)

// Actions named by an onestop.intent record.
const (
	ActionSubmitDossier = "submit_dossier" // file the dossier with the one-stop system
	ActionOnestopTicket = "queue_ticket"   // issue a queue number and print it
)

// OnestopSignIn is the payload of onestop.signin.
type OnestopSignIn struct {
	Stamp
	Outcome string `json:"outcome"` // ok, or why not: not_genuine, app_rejected, app_unavailable, app_needs_online, unusable_qr
	// identity.Verdict of a card (genuine, not_genuine, unverified); for a
	// provincial-app QR: verified (checked online or by its signature)
	Verdict string `json:"verdict,omitempty"`
	// how: chip+qr, chip+can, qr (identity.Method), app_online or
	// app_signed (the provincial app's QR)
	Method string `json:"method"`
	Reason string `json:"reason,omitempty"` // identity.Reason of a card not genuine or unverified ("" if none)
	// the person signed in is the subject a signed-in agent acts for (làm
	// hộ; the agent's own sign-in has false)
	ForOther bool `json:"for_other"`
}

// OnestopIntent is the payload of onestop.intent: written before the
// action and durable before it starts.
type OnestopIntent struct {
	Stamp
	Action    string `json:"action"`            // submit_dossier or queue_ticket
	Key       string `json:"key"`               // the dossier's idempotency key (also on its onestop.dossier)
	Procedure string `json:"procedure"`         // the procedure's code
	ForOther  bool   `json:"for_other"`         // filed by an agent for the subject
	Counter   string `json:"counter,omitempty"` // queue_ticket: the queue service
	Dossier   string `json:"dossier,omitempty"` // queue_ticket: the dossier code, once filed
}

// OnestopDossier is the payload of onestop.dossier.
type OnestopDossier struct {
	Stamp
	Outcome   string `json:"outcome"`           // ok, rejected (the system refused it) or unavailable (not filed: no answer)
	Failure   string `json:"failure,omitempty"` // rejected, unavailable: the adapter's error class
	Key       string `json:"key"`               // idempotency key (as on the intent)
	Procedure string `json:"procedure"`         // the procedure's code
	// ok: the dossier code (mã hồ sơ) the system gave
	Dossier string `json:"dossier,omitempty"`
	// ok: the appointment date (ngày hẹn trả), YYYY-MM-DD in the office's zone
	Appointment string `json:"appointment,omitempty"`
	Fee         int64  `json:"fee"`         // ok: total fees, VND
	ForOther    bool   `json:"for_other"`   // filed by an agent (both identities are in the sealed fields)
	CardFields  int    `json:"card_fields"` // fields filled from the card (never asked)
	TypedFields int    `json:"typed_fields"`
	Printed     bool   `json:"printed"` // ok: the receipt slip printed
}

// OnestopTicket is the payload of onestop.ticket.
type OnestopTicket struct {
	Stamp
	Outcome   string `json:"outcome"`           // ok, or queue_failed
	Ticket    string `json:"ticket,omitempty"`  // ok: "A012"
	Counter   string `json:"counter"`           // the queue service
	Procedure string `json:"procedure"`         // the procedure's code
	Dossier   string `json:"dossier,omitempty"` // the dossier code when one was filed first
	Printed   bool   `json:"printed"`
}

// OnestopLookup is the payload of onestop.lookup.
type OnestopLookup struct {
	Stamp
	Outcome string `json:"outcome"` // ok or unavailable
	Found   int    `json:"found"`   // dossiers listed
	Printed bool   `json:"printed"` // a status slip was printed
}

// OnestopSupport is the payload of onestop.support.
type OnestopSupport struct {
	Stamp
	State  string `json:"state"`         // requested, accepted, cancelled, closed or failed (not reached)
	Ref    string `json:"ref,omitempty"` // the help desk's request id
	Screen string `json:"screen"`        // where the citizen asked from
	// accepted: the staff member's id (the name is shown, not recorded)
	Staff string `json:"staff,omitempty"`
	// accepted, cancelled: seconds from the request
	WaitSeconds int `json:"wait_s,omitempty"`
}

// OnestopAbandoned is the payload of onestop.abandoned.
type OnestopAbandoned struct {
	Stamp
	Screen string `json:"screen"` // the screen left
	Reason string `json:"reason"` // idle or cancel
	Filed  bool   `json:"filed"`  // a dossier had been filed
}

// OnestopService is the payload of onestop.service.
type OnestopService struct {
	Stamp
	State         string `json:"state"`          // "resumed"
	StoppedAt     string `json:"stopped_at"`     // the kind (and "/action") that could not be stored
	Since         string `json:"since"`          // when the kiosk stopped, RFC 3339 UTC
	FailedRecords int    `json:"failed_records"` // records that could not be stored meanwhile
}

// RecordKind implements Payload.
func (OnestopSignIn) RecordKind() string { return KindOnestopSignIn }

// RecordKind implements Payload.
func (OnestopIntent) RecordKind() string { return KindOnestopIntent }

// RecordKind implements Payload.
func (OnestopDossier) RecordKind() string { return KindOnestopDossier }

// RecordKind implements Payload.
func (OnestopTicket) RecordKind() string { return KindOnestopTicket }

// RecordKind implements Payload.
func (OnestopLookup) RecordKind() string { return KindOnestopLookup }

// RecordKind implements Payload.
func (OnestopSupport) RecordKind() string { return KindOnestopSupport }

// RecordKind implements Payload.
func (OnestopAbandoned) RecordKind() string { return KindOnestopAbandoned }

// RecordKind implements Payload.
func (OnestopService) RecordKind() string { return KindOnestopService }

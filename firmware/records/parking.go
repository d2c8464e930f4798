package records

import "time"

// Record kinds the parking lane writes.
const (
	KindParkingEntry   = "parking.entry"
	KindParkingIntent  = "parking.intent"
	KindParkingExit    = "parking.exit"
	KindParkingBarrier = "parking.barrier"
	KindParkingRefused = "parking.refused"
	KindParkingReport  = "parking.report"
)

// ParkingEntry is the payload of parking.entry; the plate is sealed
// (PersonalPlate).
type ParkingEntry struct {
	Ticket  string    `json:"ticket"`           // the ticket id its QR carries (10 base32 characters)
	Gate    string    `json:"gate"`             // the lane's gate
	Vehicle string    `json:"vehicle"`          // tariff.Vehicle: car, motorbike, bicycle
	Token   string    `json:"token,omitempty"`  // the keyed citizen token (hex) of a CCCD entry, never the ID number
	Source  string    `json:"source,omitempty"` // how the vehicle was identified: plate, cccd_qr or cccd_chip
	At      time.Time `json:"at"`               // when it came in
}

// ParkingIntent is the payload of parking.intent.
type ParkingIntent struct {
	Action string `json:"action"`          // "charge"
	Gate   string `json:"gate"`            // the lane's gate
	Ticket string `json:"ticket"`          // the ticket being paid
	Amount int64  `json:"amount"`          // VND to charge
	Ref    string `json:"ref"`             // the charge's reference, "PK" + ticket
	Token  string `json:"token,omitempty"` // the keyed citizen token of the account charged
}

// ParkingExit is the payload of parking.exit; the plate is sealed
// (PersonalPlate).
type ParkingExit struct {
	Ticket  string    `json:"ticket"`           // the ticket
	Gate    string    `json:"gate"`             // the lane's gate
	Vehicle string    `json:"vehicle"`          // tariff.Vehicle: car, motorbike, bicycle
	EntryAt time.Time `json:"entry_at"`         // when it came in
	ExitAt  time.Time `json:"exit_at"`          // when it paid out
	Lost    bool      `json:"lost"`             // the lost-ticket fee applied
	Amount  int64     `json:"amount"`           // VND charged
	Lines   []string  `json:"lines,omitempty"`  // the tariff lines charged (codes)
	Method  string    `json:"method"`           // vietqr, account, free, debt (offline, settled later)
	Ref     string    `json:"ref,omitempty"`    // the payment's reference
	TxnID   string    `json:"txn_id,omitempty"` // the provider's transaction id
	Token   string    `json:"token,omitempty"`  // the keyed citizen token of a CCCD entry
	// Stay is the stay charged, in seconds, as the lane measured it (not
	// always exit_at − entry_at: the wall clock may have been stepped).
	Stay int64 `json:"stay_s,omitempty"`
	// Measured is how: boot_clock (time since boot, same boot: exact),
	// wall (wall clock, across a reboot), boot_floor (at least until the
	// entry's boot last recorded: the wall clock read less), minimum (the
	// entry reads later than the clock: the first period).
	Measured string `json:"measured,omitempty"`
}

// ParkingBarrier is the payload of parking.barrier.
type ParkingBarrier struct {
	Gate   string `json:"gate"`            // the lane's gate
	Lane   string `json:"lane"`            // entry or exit
	Ticket string `json:"ticket"`          // the vehicle's ticket
	Action string `json:"action"`          // open or close
	Cause  string `json:"cause,omitempty"` // close: cleared, no_vehicle, no_loop, cancelled
}

// ParkingRefused is the payload of parking.refused.
type ParkingRefused struct {
	Gate   string `json:"gate"`             // the lane's gate
	Lane   string `json:"lane"`             // entry or exit
	Ticket string `json:"ticket,omitempty"` // the ticket, when one was found
	// already_inside, already_exited, unknown, tariff_error, no_account,
	// no_vietqr, payment_error, payment_failed, payment_timeout,
	// offline_denied, account_declined
	Reason string `json:"reason"`
	Amount int64  `json:"amount,omitempty"` // VND that was due
}

// ParkingReport is the payload of parking.report.
type ParkingReport struct {
	Gate     string           `json:"gate"`         // the lane's gate
	From     time.Time        `json:"from"`         // the shift's start
	To       time.Time        `json:"to"`           // when the report was made
	Entries  int              `json:"entries"`      // vehicles in
	Exits    int              `json:"exits"`        // vehicles out
	Lost     int              `json:"lost_tickets"` // exits with the lost-ticket fee
	Refused  map[string]int   `json:"refused"`      // refusal reason → count
	Revenue  int64            `json:"revenue"`      // VND collected (debts excluded)
	ByMethod map[string]int64 `json:"by_method"`    // payment method → VND
	Debt     int64            `json:"debt"`         // VND opened offline, to settle
	Inside   int              `json:"inside"`       // vehicles inside when the report was made
}

// RecordKind implements Payload.
func (ParkingEntry) RecordKind() string { return KindParkingEntry }

// RecordKind implements Payload.
func (ParkingIntent) RecordKind() string { return KindParkingIntent }

// RecordKind implements Payload.
func (ParkingExit) RecordKind() string { return KindParkingExit }

// RecordKind implements Payload.
func (ParkingBarrier) RecordKind() string { return KindParkingBarrier }

// RecordKind implements Payload.
func (ParkingRefused) RecordKind() string { return KindParkingRefused }

// RecordKind implements Payload.
func (ParkingReport) RecordKind() string { return KindParkingReport }

package records

// Record kinds the identity check-in point (firmware/checkin) writes. The
// statistics operators report (firmware/checkin/stats) are computed from
// these payloads alone, never from their sealed fields.
const (
	KindCheckinRead       = "checkin.read"
	KindCheckinHolder     = "checkin.holder"
	KindCheckinLodging    = "checkin.lodging"
	KindCheckinVerify     = "checkin.verify"
	KindCheckinAttendance = "checkin.attendance"
	KindCheckinGate       = "checkin.gate"
	KindCheckinReport     = "checkin.report"
	KindCheckinService    = "checkin.service"
)

// CheckinRead is the payload of checkin.read: one card (or QR) read.
type CheckinRead struct {
	Stamp
	Mode    string `json:"mode"`             // lodging, verify, attendance or gate
	Verdict string `json:"verdict"`          // identity.Verdict: genuine, not_genuine, unverified
	Method  string `json:"method"`           // identity.Method: chip+qr, chip+can, qr …
	Reason  string `json:"reason,omitempty"` // identity.Reason ("" if none)
}

// CheckinHolder is the payload of checkin.holder.
type CheckinHolder struct {
	Stamp
	Mode string `json:"mode"`
	// matched, mismatch, not_enrolled (no binding: not checked),
	// module_absent, skipped (staff skipped it), enrolled (no binding: the
	// finger enrolled with the holder's consent), enrol_failed
	Outcome string `json:"outcome"`
}

// CheckinLodging is the payload of checkin.lodging: a guest checked in or
// out (the stay notification's source, Luật Cư trú 2020 Điều 30).
type CheckinLodging struct {
	Stamp
	Action string `json:"action"` // check_in or check_out
	Stay   string `json:"stay"`   // the stay's id (check-in and check-out share it)
	Room   string `json:"room"`
	// check_in: planned arrival and departure; check_out: arrival and the
	// actual departure (YYYY-MM-DD HH:MM, the site's zone)
	From   string `json:"from"`
	To     string `json:"to"`
	Reason string `json:"reason,omitempty"` // lý do lưu trú (check_in)
	// check_in: the guest's card verdict (as checkin.read)
	Verdict string `json:"verdict,omitempty"`
}

// CheckinVerify is the payload of checkin.verify: one customer
// verification (pawnshop, notary, security service).
type CheckinVerify struct {
	Stamp
	Purpose string `json:"purpose,omitempty"` // what for, as configured (cầm đồ, công chứng …)
	// verified (genuine card and, where enrolled, the holder's finger),
	// not_genuine, holder_mismatch or unverified (card not proven genuine)
	Outcome string `json:"outcome"`
	Holder  string `json:"holder"` // the holder check's outcome (as checkin.holder)
}

// CheckinAttendance is the payload of checkin.attendance.
type CheckinAttendance struct {
	Stamp
	Session string `json:"session"` // the exam or class session's id (from its list)
	Outcome string `json:"outcome"` // accepted or refused
	// refused: wrong_person (the fingerprint is not the card holder's),
	// not_on_list, already_checked_in, wrong_room (listed for another
	// room), not_genuine, unverified
	Reason string `json:"reason,omitempty"`
	Room   string `json:"room,omitempty"` // accepted: the candidate's room
}

// CheckinGate is the payload of checkin.gate: one entry or exit.
type CheckinGate struct {
	Stamp
	Site      string `json:"site"`             // the site's id
	Direction string `json:"direction"`        // entry or exit
	Outcome   string `json:"outcome"`          // ok or refused
	Reason    string `json:"reason,omitempty"` // refused: full, already_inside, not_genuine, unverified
	Occupancy int    `json:"occupancy"`        // people inside after it
}

// CheckinReport is the payload of checkin.report: a statistics report
// printed or exported (its numbers, no personal data).
type CheckinReport struct {
	Stamp
	Period   string         `json:"period"` // day, week, month or custom
	From     string         `json:"from"`   // first day, YYYY-MM-DD
	To       string         `json:"to"`     // last day, YYYY-MM-DD
	Format   string         `json:"format"` // print, csv or xlsx
	Complete bool           `json:"complete"`
	Totals   map[string]int `json:"totals"` // the report's totals by row key
}

// CheckinService is the payload of checkin.service.
type CheckinService struct {
	Stamp
	State         string `json:"state"`          // "resumed"
	Since         string `json:"since"`          // when the point stopped, RFC 3339 UTC
	FailedRecords int    `json:"failed_records"` // records that could not be stored meanwhile
}

// RecordKind implements Payload.
func (CheckinService) RecordKind() string { return KindCheckinService }

// RecordKind implements Payload.
func (CheckinRead) RecordKind() string { return KindCheckinRead }

// RecordKind implements Payload.
func (CheckinHolder) RecordKind() string { return KindCheckinHolder }

// RecordKind implements Payload.
func (CheckinLodging) RecordKind() string { return KindCheckinLodging }

// RecordKind implements Payload.
func (CheckinVerify) RecordKind() string { return KindCheckinVerify }

// RecordKind implements Payload.
func (CheckinAttendance) RecordKind() string { return KindCheckinAttendance }

// RecordKind implements Payload.
func (CheckinGate) RecordKind() string { return KindCheckinGate }

// RecordKind implements Payload.
func (CheckinReport) RecordKind() string { return KindCheckinReport }

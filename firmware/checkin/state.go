package checkin

import (
	"log/slog"
	"time"

	"github.com/kiosk06/kiosk/firmware/identity"
	"github.com/kiosk06/kiosk/firmware/staffmenu"
)

// The check-in point's screen contract: states out, intents in, as
// firmware/hospital's. The screen is compact (landscape, staff-operated
// or self-service); exactly the pointer matching Screen is set; Actions
// lists what is offered; Person is the only personal data and is gone when
// the point is ready for the next person.

// Mode is what a check-in point does.
type Mode string

// Modes.
const (
	ModeLodging    Mode = "lodging"    // hotels, guest houses, hospitals' inpatients: check-in/out, stay notification
	ModeVerify     Mode = "verify"     // pawnshops, notaries, security services: verify a customer, log it
	ModeAttendance Mode = "attendance" // exams, driving tests, classes: against the list
	ModeGate       Mode = "gate"       // tourist sites: entries and exits, live occupancy
)

// Screen names a screen.
type Screen string

// Screens.
const (
	ScreenReady        Screen = "ready"   // waiting for a card: the mode's live numbers
	ScreenReading      Screen = "reading" // reading, CAN keypad
	ScreenHolder       Screen = "holder"  // fingerprint
	ScreenLodging      Screen = "lodging" // check-in details: room, departure, reason
	ScreenResult       Screen = "result"  // the verdict and the action's outcome
	ScreenReport       Screen = "report"  // statistics
	ScreenOutOfService Screen = "out_of_service"
	ScreenStaff        Screen = "staff" // the staff menu (firmware/staffmenu): no card is read
)

// Text is a message: key, Vietnamese, English.
type Text struct {
	Key string `json:"key"`
	VI  string `json:"vi"`
	EN  string `json:"en"`
}

// State is what the screen renders.
type State struct {
	Seq     uint64   `json:"seq"`
	Screen  Screen   `json:"screen"`
	Mode    Mode     `json:"mode"`
	Site    string   `json:"site"`
	Title   Text     `json:"title"`
	Actions []Action `json:"actions"`
	// Person is who was read (nil before and after).
	Person *Person `json:"person,omitempty"`

	Ready        *Ready        `json:"ready,omitempty"`
	Reading      *Reading      `json:"reading,omitempty"`
	Holder       *Holder       `json:"holder,omitempty"`
	Lodging      *LodgingForm  `json:"lodging,omitempty"`
	Result       *Result       `json:"result,omitempty"`
	Report       *ReportView   `json:"report,omitempty"`
	OutOfService *OutOfService `json:"out_of_service,omitempty"`
	// Staff is the staff menu's screen (ScreenStaff only).
	Staff *staffmenu.View `json:"staff,omitempty"`
}

// Action is a button.
type Action struct {
	Kind    IntentKind `json:"kind"`
	Label   Text       `json:"label"`
	Primary bool       `json:"primary,omitempty"`
}

// Has reports whether the state offers k.
func (s State) Has(k IntentKind) bool {
	for _, a := range s.Actions {
		if a.Kind == k {
			return true
		}
	}
	return false
}

// Person is what the staff see of the person read.
type Person struct {
	Name     string           `json:"name"`
	MaskedID string           `json:"masked_id"`
	DOB      string           `json:"dob"`
	Verdict  identity.Verdict `json:"verdict"`
	Genuine  Text             `json:"genuine"` // "Thẻ thật" / "Thẻ không hợp lệ" / "Chưa xác thực"
	Holder   string           `json:"holder,omitempty"`
	// Age is the whole years from the birth date today, -1 when unknown:
	// the screen turns large text on for a person of 60 or more.
	Age int `json:"age"`
}

// Ready is the waiting screen with the mode's live numbers.
type Ready struct {
	Message Text `json:"message"`
	// Closed says what staff closed in the staff menu (the check-in of
	// new guests, the entry, the session's check-in); zero when nothing.
	Closed Text `json:"closed,omitzero"`
	// Gate: who is inside, the capacity (0: none), the direction taken.
	Occupancy int    `json:"occupancy,omitempty"`
	Capacity  int    `json:"capacity,omitempty"`
	Direction string `json:"direction,omitempty"` // entry or exit
	// DirectionFixed: the configuration fixes the direction (the staff
	// cannot switch it).
	DirectionFixed bool `json:"direction_fixed,omitempty"`
	// Lodging: guests in the house.
	InHouse int `json:"in_house,omitempty"`
	// Attendance: accepted so far of the list.
	Session  string `json:"session,omitempty"`
	Accepted int    `json:"accepted,omitempty"`
	Listed   int    `json:"listed,omitempty"`
	// Today's reads and genuine ones.
	Reads   int `json:"reads"`
	Genuine int `json:"genuine"`
}

// Reading is the card read.
type Reading struct {
	Step            identity.EventKind `json:"step"`
	Progress        float64            `json:"progress"`
	Message         Text               `json:"message"`
	NeedCAN         bool               `json:"need_can,omitempty"`
	CANError        Text               `json:"can_error,omitzero"`
	CANAttemptsLeft int                `json:"can_attempts_left,omitempty"`
}

// Holder is the fingerprint check, or the offer to enrol the finger
// (Config.Enrol) and the enrolment.
type Holder struct {
	Prompt    string `json:"prompt,omitempty"` // place, lift, again, capture
	Message   Text   `json:"message"`
	Offer     bool   `json:"offer,omitempty"`
	Enrolling bool   `json:"enrolling,omitempty"`
}

// LodgingForm is the check-in details.
type LodgingForm struct {
	Room      string    `json:"room"`
	Departure string    `json:"departure"` // DD/MM/YYYY
	Reason    string    `json:"reason"`
	Reasons   []string  `json:"reasons"`
	Arrival   time.Time `json:"arrival"`
	// NotifyBy is the stay notification's deadline for this arrival.
	NotifyBy time.Time `json:"notify_by"`
	Error    Text      `json:"error,omitzero"`
}

// Result is the outcome shown after a read.
type Result struct {
	OK      bool   `json:"ok"`
	Code    string `json:"code"` // checked_in, checked_out, in_house, verified, accepted, entry, exit, or the refusal's reason
	Message Text   `json:"message"`
	Detail  Text   `json:"detail,omitzero"`
	// Attendance: the candidate's number and room; lodging: the room.
	Number string `json:"number,omitempty"`
	Room   string `json:"room,omitempty"`
	// Gate: occupancy after.
	Occupancy int `json:"occupancy,omitempty"`
}

// ReportRow is one line of a report on screen.
type ReportRow struct {
	Key   string `json:"key"`
	Label string `json:"label"`
	Value string `json:"value"`
}

// ReportView is the statistics screen.
type ReportView struct {
	Period   string      `json:"period"` // day, week, month, last_week, last_month
	Title    string      `json:"title"`
	Range    string      `json:"range"` // "Từ 16/11/2026 đến 22/11/2026"
	Rows     []ReportRow `json:"rows"`
	Note     string      `json:"note,omitempty"`
	Complete bool        `json:"complete"`
	Message  Text        `json:"message"`
	// File is the last export written (its name in the export folder).
	File string `json:"file,omitempty"`
}

// OutOfService is a point that cannot store records.
type OutOfService struct {
	Message Text      `json:"message"`
	Since   time.Time `json:"since"`
}

// IntentKind names what the staff or person did.
type IntentKind string

// Intents.
const (
	IntentCAN       IntentKind = "can"        // Digits
	IntentSkip      IntentKind = "skip"       // staff: skip the fingerprint, or decline the enrolment (recorded)
	IntentEnrol     IntentKind = "enrol"      // staff: the holder consents, enrol the finger
	IntentField     IntentKind = "field"      // lodging form: Key (room, departure, reason) = Value
	IntentConfirm   IntentKind = "confirm"    // lodging: check in
	IntentCheckOut  IntentKind = "check_out"  // lodging: the guest in the house leaves
	IntentDirection IntentKind = "direction"  // gate: Value entry or exit
	IntentContinue  IntentKind = "continue"   // result: next person
	IntentCancel    IntentKind = "cancel"     // drop this person
	IntentReport    IntentKind = "report"     // statistics for Value: day, week, month, last_week, last_month
	IntentPrint     IntentKind = "print"      // report: print
	IntentExport    IntentKind = "export"     // report: Value csv or xlsx
	IntentExportASM IntentKind = "export_asm" // lodging report: the stay notification file, Value csv or xlsx
	IntentBack      IntentKind = "back"
	// IntentStaff opens the staff menu (offered on the ready screen when
	// the point has one); on the staff screen, an intent of any kind with
	// Staff set is the menu's (the rest is ignored there).
	IntentStaff IntentKind = "staff"
)

// Intent is an action.
type Intent struct {
	Kind IntentKind `json:"kind"`
	Key  string     `json:"key,omitempty"`
	// Value is a field's value (lodging), a period, a format, a direction.
	Value string `json:"value,omitempty"`
	// Digits is the CAN (never logged).
	Digits string `json:"digits,omitempty"`
	// Staff is a tap on the staff screen, handed to the menu while it is
	// open (it carries the staff PIN: never logged).
	Staff *staffmenu.Intent `json:"staff,omitempty"`
}

// LogValue keeps typed values out of logs.
func (in Intent) LogValue() slog.Value {
	attrs := []slog.Attr{slog.String("kind", string(in.Kind)), slog.String("key", in.Key)}
	if in.Staff != nil {
		attrs = append(attrs, slog.String("staff", in.Staff.Kind))
	}
	return slog.GroupValue(attrs...)
}

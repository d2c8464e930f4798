package onestop

import (
	"log/slog"
	"time"

	"github.com/kiosk06/kiosk/drivers/cccd"
	"github.com/kiosk06/kiosk/firmware/identity"
	"github.com/kiosk06/kiosk/firmware/onestop/backend"
	"github.com/kiosk06/kiosk/firmware/onestop/catalog"
	"github.com/kiosk06/kiosk/firmware/staffmenu"
)

// This file is the flow's public surface towards a screen: states out,
// intents in, the same contract as firmware/hospital (see its state.go).
// States are values, JSON-encodable; exactly the pointer field matching
// Screen is set (Support may also be set on other screens: the banner of a
// call in progress). Actions lists the buttons offered, in order; an
// intent not offered is ignored. Text carries a key plus Vietnamese and
// English; personal data on screen is limited to Citizen and Subject (name,
// masked ID) and the form's own values, and is gone at sign-out and idle.

// Screen names a screen of the one-stop flow.
type Screen string

// Screens.
const (
	ScreenWelcome    Screen = "welcome"    // "tap your CCCD or scan the app's QR to sign in"
	ScreenIdentify   Screen = "identify"   // reading the card, the CAN keypad, checking the app's QR
	ScreenMenu       Screen = "menu"       // signed in: search, dossiers, act for another, support
	ScreenSearch     Screen = "search"     // search procedures
	ScreenProcedure  Screen = "procedure"  // one procedure: fees, time, counter; register or take a number
	ScreenForm       Screen = "form"       // the form: card fields filled and locked, the rest typed
	ScreenReview     Screen = "review"     // every value before submitting
	ScreenSubmitting Screen = "submitting" // filing the dossier, taking the number, printing
	ScreenReceipt    Screen = "receipt"    // dossier received: code, appointment, fees, number
	ScreenDossiers   Screen = "dossiers"   // the citizen's dossiers and their status
	ScreenTicket     Screen = "ticket"     // a queue number for the procedure's counter
	ScreenSupport    Screen = "support"    // a call to the help desk
	ScreenGoodbye    Screen = "goodbye"    // signed out; back to welcome by itself
	ScreenError      Screen = "error"      // something failed: what, and what to do
	// ScreenOutOfService: a record could not be stored; nothing is done for
	// anyone until one can.
	ScreenOutOfService Screen = "out_of_service"
	// ScreenStaff is the staff menu (firmware/staffmenu; State.Staff):
	// opened from welcome, nobody's card is read until it is left.
	ScreenStaff Screen = "staff"
)

// Lang is a display language.
type Lang string

// Languages.
const (
	LangVI Lang = "vi"
	LangEN Lang = "en"
)

// Text is a user-facing message: a stable key and the Vietnamese and
// English text with parameters filled in.
type Text struct {
	Key string `json:"key"`
	VI  string `json:"vi"`
	EN  string `json:"en"`
}

// In returns the text in language l (Vietnamese for anything but LangEN).
func (t Text) In(l Lang) string {
	if l == LangEN && t.EN != "" {
		return t.EN
	}
	return t.VI
}

// State is everything a screen needs.
type State struct {
	Seq          uint64    `json:"seq"`
	Screen       Screen    `json:"screen"`
	Lang         Lang      `json:"lang"`
	Title        Text      `json:"title"`
	Actions      []Action  `json:"actions"`
	IdleDeadline time.Time `json:"idle_deadline,omitzero"`
	// Citizen is who signed in (the agent when acting for another).
	Citizen *Citizen `json:"citizen,omitempty"`
	// Subject is the person the citizen acts for (làm hộ), nil otherwise.
	Subject *Citizen `json:"subject,omitempty"`

	Welcome      *Welcome       `json:"welcome,omitempty"`
	Identify     *Identify      `json:"identify,omitempty"`
	Menu         *Menu          `json:"menu,omitempty"`
	Search       *Search        `json:"search,omitempty"`
	Procedure    *ProcedureInfo `json:"procedure,omitempty"`
	Form         *Form          `json:"form,omitempty"` // ScreenForm and ScreenReview
	Submitting   *Progress      `json:"submitting,omitempty"`
	Receipt      *Receipt       `json:"receipt,omitempty"`
	Dossiers     *Dossiers      `json:"dossiers,omitempty"`
	Ticket       *Ticket        `json:"ticket,omitempty"`
	Support      *Support       `json:"support,omitempty"`
	Goodbye      *Goodbye       `json:"goodbye,omitempty"`
	Error        *ErrorInfo     `json:"error,omitempty"`
	OutOfService *OutOfService  `json:"out_of_service,omitempty"`
	// Staff is the staff menu's view (ScreenStaff).
	Staff *staffmenu.View `json:"staff,omitempty"`
}

// Has reports whether the state offers an action of kind k.
func (s State) Has(k IntentKind) bool {
	for _, a := range s.Actions {
		if a.Kind == k {
			return true
		}
	}
	return false
}

// Action is a button.
type Action struct {
	Kind    IntentKind `json:"kind"`
	Label   Text       `json:"label"`
	Primary bool       `json:"primary,omitempty"`
}

// Intent returns the intent to send when the button is tapped.
func (a Action) Intent() Intent { return Intent{Kind: a.Kind} }

// Citizen is what the screens show of a signed-in person.
type Citizen struct {
	Name     string `json:"name"`
	MaskedID string `json:"masked_id"` // "0011••••••45"
	// Method: chip+qr, chip+can, qr, app_online, app_signed.
	Method string `json:"method"`
	// Verdict: identity.Verdict for a card, "verified" for an app QR.
	Verdict string `json:"verdict"`
	Note    Text   `json:"note,omitzero"` // how they were identified, in words
	// Age is the whole years from the card's birth date today, -1 when
	// unknown: the screen turns large text on for a person of 60 or more
	// (the birth date itself never leaves the flow).
	Age int `json:"age"`
}

// Welcome is the idle screen.
type Welcome struct {
	Message Text `json:"message"`
	// Apps names the provincial apps whose QR signs in ("Hue-S").
	Apps []string `json:"apps,omitempty"`
}

// Identify is the screen while a card is read or an app QR checked.
type Identify struct {
	Step     identity.EventKind `json:"step"`
	Progress float64            `json:"progress"`
	Message  Text               `json:"message"`
	Retry    bool               `json:"retry,omitempty"`
	// ForOther: reading the card of the person the citizen acts for.
	ForOther        bool `json:"for_other,omitempty"`
	NeedCAN         bool `json:"need_can,omitempty"`
	CANError        Text `json:"can_error,omitzero"`
	CANAttemptsLeft int  `json:"can_attempts_left,omitempty"`
	CANExhausted    bool `json:"can_exhausted,omitempty"`
	// App is set while a provincial app's QR is checked.
	App *AppCheck `json:"app,omitempty"`
}

// AppCheck says how a provincial app's QR is being checked.
type AppCheck struct {
	App string `json:"app"` // "Hue-S"
	// Online: its authenticity can only be checked by the one-stop system
	// (the screen says so: "Đang kiểm tra trực tuyến mã QR Hue-S…").
	Online bool `json:"online"`
}

// Menu is the signed-in home.
type Menu struct {
	Message Text `json:"message"`
	// Catalogue says whether procedures can be searched (false: never
	// synced, no cache).
	Catalogue bool `json:"catalogue"`
}

// ProcedureSummary is a procedure in a list.
type ProcedureSummary struct {
	Code    string `json:"code"`
	Name    string `json:"name"`
	Topic   string `json:"topic"`
	Agency  string `json:"agency"`
	FeeText string `json:"fee_text"` // "20.000 ₫" or "Không thu phí"
	Days    int    `json:"days"`
	Uses    int    `json:"uses"`
}

// Search is the procedure search.
type Search struct {
	Query    string             `json:"query"`
	Topic    string             `json:"topic,omitempty"`
	Agency   string             `json:"agency,omitempty"`
	Topics   []string           `json:"topics"`
	Agencies []string           `json:"agencies"`
	Results  []ProcedureSummary `json:"results"`
	// SyncedAt is when the catalogue was last fetched (it is searched
	// offline); zero with NoCatalogue.
	SyncedAt    time.Time `json:"synced_at,omitzero"`
	NoCatalogue bool      `json:"no_catalogue,omitempty"`
	Message     Text      `json:"message"`
}

// ProcedureInfo is one procedure's page.
type ProcedureInfo struct {
	ProcedureSummary
	FeeNote     string `json:"fee_note,omitempty"`
	Counter     string `json:"counter"`      // queue service letter
	CounterName string `json:"counter_name"` // "Quầy Công an"
	// CardFields are the form's fields the card fills (never asked);
	// TypedFields those the citizen types.
	CardFields  int  `json:"card_fields"`
	TypedFields int  `json:"typed_fields"`
	ForOther    bool `json:"for_other"`
	// Closed: staff closed the procedure's counter (the staff menu's
	// services): neither register nor queue is offered, Notice says why.
	Closed bool `json:"closed,omitempty"`
	Notice Text `json:"notice,omitzero"`
}

// FormField is one field of the form on screen.
type FormField struct {
	Key      string            `json:"key"`
	Label    string            `json:"label"`
	Kind     catalog.FieldKind `json:"kind"`
	Required bool              `json:"required"`
	Options  []string          `json:"options,omitempty"`
	Max      int               `json:"max"`
	// FromCard: filled from the card (or the population database) and
	// locked: shown with the mark "Từ thẻ CCCD", never typed again.
	FromCard bool   `json:"from_card"`
	Value    string `json:"value"`
	Error    Text   `json:"error,omitzero"`
	// Note explains a card field the card did not carry (so it is asked).
	Note Text `json:"note,omitzero"`
}

// Form is the procedure's form (ScreenForm) or its review (ScreenReview).
type Form struct {
	Procedure ProcedureSummary `json:"procedure"`
	Fields    []FormField      `json:"fields"`
	ForOther  bool             `json:"for_other"`
	// Errors is how many fields are wrong or missing (after a submit).
	Errors  int  `json:"errors"`
	Message Text `json:"message"`
}

// Progress is a wait.
type Progress struct {
	Message Text `json:"message"`
}

// FeeLine is a fee on the receipt screen.
type FeeLine struct {
	Name       string `json:"name"`
	Amount     int64  `json:"amount"`
	AmountText string `json:"amount_text"`
}

// Receipt is the dossier received.
type Receipt struct {
	DossierCode string    `json:"dossier_code"`
	Procedure   string    `json:"procedure"`
	Agency      string    `json:"agency,omitempty"`
	ReceivedAt  time.Time `json:"received_at"`
	Appointment time.Time `json:"appointment"`
	Fees        []FeeLine `json:"fees"`
	Total       int64     `json:"total"`
	TotalText   string    `json:"total_text"`
	ForOther    bool      `json:"for_other"`
	// Ticket is the queue number taken with it ("" none or failed).
	Ticket      string `json:"ticket,omitempty"`
	CounterName string `json:"counter_name,omitempty"`
	Printed     bool   `json:"printed"`
	PaperOut    bool   `json:"paper_out,omitempty"`
	Message     Text   `json:"message"`
}

// DossierView is one dossier on screen.
type DossierView struct {
	Code        string                `json:"code"`
	Procedure   string                `json:"procedure"`
	Status      backend.DossierStatus `json:"status"`
	StatusText  Text                  `json:"status_text"`
	ReceivedAt  time.Time             `json:"received_at"`
	Appointment time.Time             `json:"appointment,omitzero"`
	FeeText     string                `json:"fee_text"`
	Paid        bool                  `json:"paid"`
	ByAgent     bool                  `json:"by_agent,omitempty"`
}

// Dossiers is the citizen's dossiers.
type Dossiers struct {
	Loading     bool          `json:"loading"`
	Unavailable bool          `json:"unavailable,omitempty"`
	List        []DossierView `json:"list"`
	Printed     bool          `json:"printed,omitempty"`
	Message     Text          `json:"message"`
}

// Ticket is a queue number taken for a counter.
type Ticket struct {
	Number      string        `json:"number"`
	Counter     string        `json:"counter"`
	CounterName string        `json:"counter_name"`
	Ahead       int           `json:"ahead"`
	Wait        time.Duration `json:"wait"`
	Printed     bool          `json:"printed"`
	PaperOut    bool          `json:"paper_out,omitempty"`
	Message     Text          `json:"message"`
}

// SupportPhase is where a help-desk call is.
type SupportPhase string

// Support phases.
const (
	SupportRequesting SupportPhase = "requesting" // reaching the help desk
	SupportWaiting    SupportPhase = "waiting"    // waiting for a staff member
	SupportAccepted   SupportPhase = "accepted"   // StaffName is coming / answering
	SupportClosed     SupportPhase = "closed"     // the help desk closed it
	SupportFailed     SupportPhase = "failed"     // the help desk could not be reached
)

// Support is a call to the help desk (screen, and banner elsewhere).
type Support struct {
	Phase     SupportPhase `json:"phase"`
	Ref       string       `json:"ref,omitempty"`
	StaffName string       `json:"staff_name,omitempty"`
	Note      string       `json:"note,omitempty"` // "Quầy số 3"
	Since     time.Time    `json:"since"`
	Message   Text         `json:"message"`
}

// Goodbye is the signed-out screen.
type Goodbye struct {
	Message Text `json:"message"`
}

// ErrorInfo is an error: what happened, what to do.
type ErrorInfo struct {
	Code    string `json:"code"`
	Message Text   `json:"message"`
	Next    Text   `json:"next"`
}

// OutOfService is the screen of a kiosk that cannot store records.
type OutOfService struct {
	Code    string    `json:"code"`
	Message Text      `json:"message"`
	Next    Text      `json:"next"`
	Since   time.Time `json:"since"`
}

// IntentKind names what the citizen did.
type IntentKind string

// Intents.
const (
	IntentStart    IntentKind = "start"     // welcome: start
	IntentSearch   IntentKind = "search"    // menu: search procedures to register
	IntentQuery    IntentKind = "query"     // search: Text, Topic, Agency
	IntentChoose   IntentKind = "choose"    // search: Code chosen
	IntentRegister IntentKind = "register"  // procedure: fill its form
	IntentQueue    IntentKind = "queue"     // procedure: take a number for its counter
	IntentField    IntentKind = "field"     // form: Key set to Value
	IntentSubmit   IntentKind = "submit"    // form: check and review
	IntentConfirm  IntentKind = "confirm"   // review: file the dossier
	IntentDossiers IntentKind = "dossiers"  // menu: my dossiers
	IntentPrint    IntentKind = "print"     // dossiers: print the status slip
	IntentForOther IntentKind = "for_other" // menu: act for another person (their card next)
	IntentEndOther IntentKind = "end_other" // menu: stop acting for them
	IntentSupport  IntentKind = "support"   // anywhere signed in: call the help desk
	IntentEndCall  IntentKind = "end_call"  // support: cancel the call
	IntentMenu     IntentKind = "menu"      // back to the menu
	IntentRetry    IntentKind = "retry"     // try the failed step again
	IntentBack     IntentKind = "back"      // previous screen
	IntentSignOut  IntentKind = "sign_out"  // done: wipe and goodbye
	IntentCancel   IntentKind = "cancel"    // abandon: wipe, welcome
	IntentLanguage IntentKind = "language"  // toggle vi/en (or Lang)
	IntentIdle     IntentKind = "idle"      // the UI noticed the idle timeout
	IntentActivity IntentKind = "activity"  // any touch: restarts the idle timer
	IntentCAN      IntentKind = "can"       // identify: Digits typed
	IntentContinue IntentKind = "continue"  // primary "next"
	IntentDone     IntentKind = "done"      // goodbye: back to welcome now
	// IntentStaff on welcome opens the staff menu (when offered); with
	// Intent.Staff set it carries a tap of the staff screen to the menu.
	IntentStaff IntentKind = "staff"
)

// CANLength is how many digits the CAN keypad takes.
const CANLength = cccd.CANLen

// Intent is a user action.
type Intent struct {
	Kind   IntentKind `json:"kind"`
	Text   string     `json:"text,omitempty"`   // IntentQuery
	Topic  string     `json:"topic,omitempty"`  // IntentQuery
	Agency string     `json:"agency,omitempty"` // IntentQuery
	Code   string     `json:"code,omitempty"`   // IntentChoose
	Key    string     `json:"key,omitempty"`    // IntentField
	// Value is a form field's value (IntentField): personal data, never
	// logged.
	Value string `json:"value,omitempty"`
	Lang  Lang   `json:"lang,omitempty"`
	// Digits is the CAN typed (IntentCAN): never logged.
	Digits string `json:"digits,omitempty"`
	// Staff is a tap of the staff screen, handed to the staff menu while
	// it is open and ignored otherwise (its PIN digits are never logged).
	Staff *staffmenu.Intent `json:"staff,omitempty"`
}

// LogValue keeps typed values out of logs.
func (in Intent) LogValue() slog.Value {
	n := len(in.Value) + len(in.Digits)
	attrs := []slog.Attr{slog.String("kind", string(in.Kind)), slog.String("key", in.Key)}
	if in.Staff != nil {
		n += len(in.Staff.Digits)
		attrs = append(attrs, slog.String("staff", in.Staff.Kind))
	}
	return slog.GroupValue(append(attrs, slog.Int("value_len", n))...)
}

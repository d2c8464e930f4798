package hospital

import (
	"log/slog"
	"time"

	"github.com/kiosk06/kiosk/drivers/cccd"
	"github.com/kiosk06/kiosk/firmware/identity"
	"github.com/kiosk06/kiosk/queue"
)

// This file is the flow's public surface towards a screen (ui/ renders it).
// It is kept stable: fields are only ever added.
//
// Contract with the UI:
//
//   - The UI calls Flow.Subscribe and renders every State it receives. States
//     are published from the flow's own goroutine (never the UI's); apply
//     them with fyne.Do. Delivery is "latest wins": a slow subscriber skips
//     intermediate states but always gets the newest one.
//   - State.Screen says which screen to show; exactly the matching pointer
//     field (Welcome for ScreenWelcome, Identify for ScreenIdentify, …) is
//     non-nil. Other pointers are nil.
//   - State.Actions lists the buttons valid on this screen, most important
//     first, each with its label; a tap sends Action.Intent(). At most
//     PrimaryChoices of them (the language toggle aside) are choices the
//     screen shows at once; the rest are marked More, for a "Lựa chọn
//     khác" button. Intents not listed are
//     ignored by the flow, so a stale tap is harmless. Call staff, back,
//     cancel and language are listed when they apply. Two intents are not
//     buttons of Actions but items of the clinic screen: IntentChoose (with
//     Intent.Clinic) and IntentAnswer (with Intent.Question, Intent.Yes).
//     Likewise IntentCAN (with Intent.Digits) is the identify screen's
//     keypad, accepted only while Identify.NeedCAN is set; IntentPIN (with
//     Intent.Digits) and IntentService (with Intent.Service, Intent.Yes)
//     are the admin screen's keypad and service buttons. IntentActivity
//     and IntentIdle are always accepted.
//   - The UI reports taps with Flow.Send(Intent). Every Send counts as user
//     activity and restarts the idle timer; send IntentActivity for touches
//     that are not actions (scrolling, typing on the keypad).
//   - Text shown to users comes from the flow as Text values: a stable Key
//     (for the UI's translation files, e.g. "bhyt.010") plus ready-made
//     Vietnamese (VI) and English (EN) text with parameters already filled
//     in. A UI that has the Key in its translation file may use its own
//     wording; otherwise it shows Text.In(State.Lang). Messages() lists
//     every key the flow uses ("title.*", "action.*", "identify.*",
//     "bhyt.NNN" for each BHYT result code, "bhyt.unavailable", …); an
//     unknown BHYT code arrives as "bhyt.NNN" with VI/EN filled, so always
//     fall back to VI/EN. Texts with parameters carry them already filled.
//     Names from the HIS (clinic names, rooms) are plain Vietnamese strings.
//   - Personal data on screen is limited to State.Patient (name, masked ID,
//     age, sex); it is nil on welcome and after goodbye / timeout / cancel.
//     The digits typed on the CAN keypad belong to the screen until it sends
//     them with IntentCAN; the flow hands them to the card read and keeps
//     them nowhere (not in State, records or logs).

// Screen names a screen of the hospital flow.
type Screen string

// Screens, in the order of a registration.
const (
	ScreenWelcome     Screen = "welcome"     // idle: "tap your CCCD to start"
	ScreenIdentify    Screen = "identify"    // waiting for / reading the card or QR
	ScreenCardResult  Screen = "card_result" // genuine / not genuine / unverified
	ScreenHolder      Screen = "holder"      // fingerprint prompt or enrolment consent
	ScreenInsurance   Screen = "insurance"   // BHYT check running or its result
	ScreenClinic      Screen = "clinic"      // choose a clinic + priority questions
	ScreenRegistering Screen = "registering" // HIS registration + ticket printing in progress
	ScreenTicket      Screen = "ticket"      // queue ticket printed (or shown when paper is out)
	ScreenPayment     Screen = "payment"     // fees + VietQR code, waiting for the transfer
	ScreenReceipt     Screen = "receipt"     // paid
	ScreenGoodbye     Screen = "goodbye"     // done; returns to welcome by itself
	ScreenError       Screen = "error"       // something failed: message + what to do next
	ScreenHelp        Screen = "help"        // a staff member was called
	// ScreenOutOfService: a record could not be made durable (full or
	// failing store), so the kiosk does nothing more for anyone — no card
	// read, no HIS visit, no ticket, no payment — until a record can be
	// written again; it then returns to welcome by itself.
	ScreenOutOfService Screen = "out_of_service"
	// ScreenAdmin is the staff admin menu (admin.go): the PIN keypad, then
	// the menu. Offered on welcome when Deps.Admin is set.
	ScreenAdmin Screen = "admin"
)

// Lang is a display language.
type Lang string

// Languages.
const (
	LangVI Lang = "vi"
	LangEN Lang = "en"
)

// Text is a user-facing message: a stable key for translation files and the
// Vietnamese and English text with parameters filled in.
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

// IsZero reports whether t carries no text.
func (t Text) IsZero() bool { return t.Key == "" && t.VI == "" && t.EN == "" }

// State is everything a screen needs to render. It is a value: the flow never
// changes a State after publishing it (slices are not shared either).
type State struct {
	// Seq increases by one with every published state.
	Seq uint64 `json:"seq"`
	// Screen selects the screen; the matching pointer below is non-nil.
	Screen Screen `json:"screen"`
	// Lang is the language currently chosen (IntentLanguage toggles it).
	Lang Lang `json:"lang"`
	// Title is the screen's heading.
	Title Text `json:"title"`
	// Actions are the buttons to show, in order.
	Actions []Action `json:"actions"`
	// IdleDeadline is when the idle timeout returns to welcome (zero on the
	// welcome screen). The UI may show a countdown in the last seconds.
	IdleDeadline time.Time `json:"idle_deadline,omitzero"`
	// ForOther is true while registering a second person ("làm hộ").
	ForOther bool `json:"for_other"`
	// CardLeft is true while the card read for the last registration is
	// still lying on the reader: no new registration starts until it is
	// taken (or replaced by another card). The hospital kiosk has no
	// buzzer of its own, so the UI beeps (and the voice reminds:
	// CardReminder) for as long as it is set; the goodbye screen says so
	// too.
	CardLeft bool `json:"card_left,omitempty"`
	// CardReminder is the reminder to show and say while CardLeft
	// (“Nhớ lấy lại thẻ Căn cước”); zero otherwise.
	CardReminder Text `json:"card_reminder,omitzero"`
	// Patient is the identified person, for the header of later screens
	// (nil before identification and after the data was wiped).
	Patient *Patient `json:"patient,omitempty"`

	Welcome     *Welcome      `json:"welcome,omitempty"`
	Identify    *Identify     `json:"identify,omitempty"`
	Card        *CardResult   `json:"card,omitempty"`
	Holder      *HolderCheck  `json:"holder,omitempty"`
	Insurance   *Insurance    `json:"insurance,omitempty"`
	Clinic      *ChooseClinic `json:"clinic,omitempty"`
	Registering *Registering  `json:"registering,omitempty"`
	Ticket      *Ticket       `json:"ticket,omitempty"`
	Payment     *Payment      `json:"payment,omitempty"`
	Receipt     *Receipt      `json:"receipt,omitempty"`
	Goodbye     *Goodbye      `json:"goodbye,omitempty"`
	Error       *ErrorInfo    `json:"error,omitempty"`
	Help        *Help         `json:"help,omitempty"`

	OutOfService *OutOfService `json:"out_of_service,omitempty"`
	Admin        *Admin        `json:"admin,omitempty"`
}

// Action is a button: the intent it sends and its label. Primary marks the
// main action of the screen (drawn prominently). Send a.Intent() on tap.
type Action struct {
	Kind IntentKind `json:"kind"`
	// Yes is the answer this button gives (IntentConsent: "Đồng ý" has
	// Yes=true, "Không" Yes=false).
	Yes     bool `json:"yes,omitempty"`
	Label   Text `json:"label"`
	Primary bool `json:"primary,omitempty"`
	// More marks a secondary choice: the screen keeps it behind "Lựa chọn
	// khác" (issue 20: at most PrimaryChoices choices a patient sees at
	// once). It is offered all the same: its intent is accepted.
	More bool `json:"more,omitempty"`
}

// PrimaryChoices is how many of a patient screen's actions are shown as
// choices (the first ones listed, in the order of their importance); the
// others are More. The language toggle is an accessibility control, not a
// choice, and is never More.
const PrimaryChoices = 3

// Intent returns the intent to send when the button is tapped.
func (a Action) Intent() Intent { return Intent{Kind: a.Kind, Yes: a.Yes} }

// Has reports whether the state lists an action of kind k.
func (s State) Has(k IntentKind) bool {
	for _, a := range s.Actions {
		if a.Kind == k {
			return true
		}
	}
	return false
}

// Patient is what the screens may show about the identified person: the name
// (the patient is standing in front of the screen), a masked ID number and
// the age. Wiped on idle timeout and at goodbye.
type Patient struct {
	Name     string `json:"name"`
	MaskedID string `json:"masked_id"` // "0790••••••34"
	Age      int    `json:"age"`       // whole years on the day of the visit; -1 unknown
	Sex      string `json:"sex"`       // "Nam" / "Nữ" as the card prints it
}

// Welcome is the idle screen.
type Welcome struct {
	Message Text `json:"message"` // "Chạm thẻ CCCD hoặc quét mã QR để bắt đầu"
	// Prepayment tells the patient fees are paid at the kiosk by VietQR.
	Prepayment bool `json:"prepayment"`
	// Attract is the loop showing how to use the kiosk while nobody does
	// (attract.go); a tap on it sends IntentStart.
	Attract *Attract `json:"attract,omitempty"`
}

// Identify is the screen while waiting for and reading the card.
type Identify struct {
	// Step is what the card read is doing (identity.EventWaiting,
	// EventDetected, EventNeedCAN, EventReading, EventVerifying, EventDone).
	Step     identity.EventKind `json:"step"`
	Progress float64            `json:"progress"` // 0..1 during EventReading / EventVerifying
	Message  Text               `json:"message"`  // "Đang đọc chip, vui lòng giữ thẻ…"
	// Retry is set after a failed read (card removed, unreadable QR): the
	// message says what went wrong and the flow waits again.
	Retry bool `json:"retry"`
	// NeedCAN is set (with Step identity.EventNeedCAN) while the card waits on the
	// reader for its CAN: the screen shows a 6-digit keypad and sends
	// IntentCAN with the digits; Message is the prompt. Scanning the QR
	// code meanwhile still works (and wins).
	NeedCAN bool `json:"need_can,omitempty"`
	// CANError says why the last CAN was refused (not 6 digits, or the card
	// did not accept it); zero on the first ask.
	CANError Text `json:"can_error,omitzero"`
	// CANAttemptsLeft is how many more CANs the card may refuse before the
	// kiosk stops asking (set while NeedCAN).
	CANAttemptsLeft int `json:"can_attempts_left,omitempty"`
	// NeedChild: a parent whose card was read registers a child without a
	// card (IntentForChild): the screen asks for the child's 12-digit
	// personal ID number, birth date (DDMMYYYY) and name and sends
	// IntentChild (Intent.Digits, Intent.BirthDate, Intent.Name); no card
	// is read meanwhile. ChildError says why the last entry was refused
	// (never echoing it).
	NeedChild  bool `json:"need_child,omitempty"`
	ChildError Text `json:"child_error,omitzero"`
	// CANExhausted: the card refused every CAN allowed; the keypad is gone
	// and the actions offer to try again with the QR code or to call staff.
	CANExhausted bool `json:"can_exhausted,omitempty"`
}

// CardResult is the genuine-card result screen.
type CardResult struct {
	Verdict identity.Verdict `json:"verdict"`
	Method  identity.Method  `json:"method"`
	Message Text             `json:"message"` // headline, e.g. "Thẻ CCCD hợp lệ"
	Reason  Text             `json:"reason"`  // why (for not genuine / unverified), may be empty
	// CanContinue is false for a card that is not genuine: only call staff
	// or cancel are offered.
	CanContinue bool `json:"can_continue"`
}

// HolderPhase is the stage of the holder check.
type HolderPhase string

// Holder phases.
const (
	HolderVerifying HolderPhase = "verifying" // fingerprint 1:1 against the binding: Prompt says what to do
	HolderOffer     HolderPhase = "offer"     // no binding: consent to enrol is offered (yes / no)
	HolderEnrolling HolderPhase = "enrolling" // consent given: capturing twice, Prompt says what to do
	HolderMatched   HolderPhase = "matched"   // verified (shown briefly, then the flow moves on)
	HolderMismatch  HolderPhase = "mismatch"  // not verified: retry, call staff or cancel
	HolderEnrolled  HolderPhase = "enrolled"  // enrolment done (shown briefly)
	// HolderEnrolFailed: no finger came before the capture timed out; the
	// message says so; retry or skip.
	HolderEnrolFailed HolderPhase = "enrol_failed"
	// HolderErasing: the patient asked (IntentErase, from the card result)
	// to delete their fingerprint binding; HolderErased confirms it was
	// deleted (or that there was none); HolderEraseFailed says it could
	// not be and sends the patient to staff.
	HolderErasing     HolderPhase = "erasing"
	HolderErased      HolderPhase = "erased"
	HolderEraseFailed HolderPhase = "erase_failed"
)

// FingerStep is a fingerprint prompt.
type FingerStep string

// Fingerprint prompts (drivers/fingerprint.Step values).
const (
	FingerPlace   FingerStep = "place"   // put the finger on the sensor
	FingerLift    FingerStep = "lift"    // take it off
	FingerAgain   FingerStep = "again"   // put the same finger on again
	FingerCapture FingerStep = "capture" // image taken, processing
)

// HolderCheck is the holder-verification screen.
type HolderCheck struct {
	Phase   HolderPhase `json:"phase"`
	Finger  FingerStep  `json:"finger,omitempty"` // current prompt while verifying / enrolling
	Message Text        `json:"message"`
	// Consent is the consent text shown in HolderOffer (with its version).
	Consent        Text   `json:"consent"`
	ConsentVersion string `json:"consent_version,omitempty"`
	AttemptsLeft   int    `json:"attempts_left"`
}

// InsuranceOutcome classifies a BHYT check.
type InsuranceOutcome string

// Insurance outcomes.
const (
	InsuranceChecking    InsuranceOutcome = "checking"    // request in flight (spinner)
	InsuranceValid       InsuranceOutcome = "valid"       // 000: continue with insurance
	InsuranceWarning     InsuranceOutcome = "warning"     // usable with a caveat (new card issued, documents to show)
	InsuranceInvalid     InsuranceOutcome = "invalid"     // card not usable: fee-paying or staff
	InsuranceUnavailable InsuranceOutcome = "unavailable" // service failed / timed out: fee-paying, retry or staff
	InsuranceNone        InsuranceOutcome = "none"        // the patient chose to register as fee-paying
)

// NextStep is what the flow recommends after the BHYT check.
type NextStep string

// Next steps.
const (
	NextInsured   NextStep = "insured"    // continue with insurance
	NextFeePaying NextStep = "fee_paying" // register as a fee-paying patient (dịch vụ)
	NextCallStaff NextStep = "call_staff" // a person must look at the documents
	// NextPending: the lookup failed, not the card: register with BHYT,
	// staff confirming the card at the counter.
	NextPending NextStep = "insured_pending"
)

// Insurance is the BHYT check screen.
type Insurance struct {
	Outcome InsuranceOutcome `json:"outcome"`
	Code    string           `json:"code,omitempty"` // maKetQua, "000", or "" on transport failure
	Message Text             `json:"message"`
	Next    NextStep         `json:"next"`
	// Card details when the service returned them (masked card number).
	CardMasked string    `json:"card_masked,omitempty"`
	ValidFrom  time.Time `json:"valid_from,omitzero"`
	ValidTo    time.Time `json:"valid_to,omitzero"`
	Facility   string    `json:"facility,omitempty"` // registered primary-care facility name (tenDKBD)
}

// Clinic is a clinic or service the patient can register for.
type Clinic struct {
	Code string `json:"code"`
	Name string `json:"name"` // Vietnamese, from the HIS
	Room string `json:"room"`
	Fee  int64  `json:"fee"` // VND the patient pays for the visit itself
	// FeeText is Fee formatted "50.000 ₫".
	FeeText string `json:"fee_text"`
	// FullFee is the examination fee before insurance, InsurancePays the
	// share health insurance pays by the card's benefit level (mức hưởng,
	// from the BHYT result); Fee is FullFee minus InsurancePays. While the
	// share is not known (insurance to be confirmed at the counter) Fee is
	// the full fee and InsurancePays 0.
	FullFee       int64 `json:"full_fee"`
	InsurancePays int64 `json:"insurance_pays,omitempty"`
	// PriceText says what the patient pays, and the insurance share when
	// there is one: "Quý khách trả 10.000 ₫ (BHYT chi trả 40.000 ₫)".
	PriceText Text `json:"price_text"`
}

// Amounts are the fees of a visit as the HIS billed them: the total, what
// health insurance pays and what the patient pays (VND), with their texts
// ("50.000 ₫"). The ticket screen, the printed ticket and the receipt show
// the same amounts.
type Amounts struct {
	Total         int64  `json:"total"`
	Insurance     int64  `json:"insurance"`
	Patient       int64  `json:"patient"`
	TotalText     string `json:"total_text"`
	InsuranceText string `json:"insurance_text"`
	PatientText   string `json:"patient_text"`
}

// Question names a priority question.
type Question string

// Priority questions the patient answers (age-based priority is derived).
const (
	QPregnant   Question = "pregnant"
	QDisability Question = "disability"
	QMerit      Question = "merit"
)

// PriorityQuestion is one yes/no question on the clinic screen.
type PriorityQuestion struct {
	Question Question `json:"question"`
	Text     Text     `json:"text"`
	Yes      bool     `json:"yes"`
}

// ChooseClinic is the clinic/service choice with the priority questions.
type ChooseClinic struct {
	Clinics   []Clinic           `json:"clinics"`
	Questions []PriorityQuestion `json:"questions"`
	// Derived is the priority from the date of birth (ChildUnder6, Age75 or
	// Normal); DerivedText explains it ("Ưu tiên: người từ đủ 75 tuổi").
	Derived     queue.Priority `json:"derived"`
	DerivedText Text           `json:"derived_text"`
	// Priority is what the ticket will carry with the current answers.
	Priority     queue.Priority `json:"priority"`
	PriorityText Text           `json:"priority_text"`
	Insured      bool           `json:"insured"` // registering with BHYT
	// InsurancePending: registering with BHYT although the check failed;
	// staff confirm the card at the counter, so the share insurance pays
	// is not known yet (the prices are the full fees).
	InsurancePending bool `json:"insurance_pending,omitempty"`
	// BenefitPercent is the share health insurance pays (80, 95, 100) by
	// the card's benefit level; 0 when not known.
	BenefitPercent int  `json:"benefit_percent,omitempty"`
	Loading        bool `json:"loading"` // clinic list still being fetched
}

// Registering is shown while the visit is registered and the ticket printed.
type Registering struct {
	Message Text `json:"message"`
}

// Ticket is the printed queue ticket.
type Ticket struct {
	Number       string        `json:"number"` // "A023"
	Clinic       string        `json:"clinic"`
	Room         string        `json:"room"`
	PriorityText Text          `json:"priority_text"` // empty for normal
	Ahead        int           `json:"ahead"`
	Wait         time.Duration `json:"wait"`
	VisitNumber  string        `json:"visit_number"` // HIS visit number (mã lượt khám)
	// Printed is false when the printer failed (PaperOut tells whether the
	// roll is out): the number is on screen and staff was called.
	Printed  bool `json:"printed"`
	PaperOut bool `json:"paper_out"`
	Message  Text `json:"message"`
	// PaymentDue is true when pre-payment is configured and fees are owed:
	// the primary action leads to the payment screen.
	PaymentDue bool `json:"payment_due"`
	// InsurancePending: registered with BHYT to be confirmed by staff at
	// the counter (the check failed); nothing is paid at the kiosk.
	InsurancePending bool `json:"insurance_pending,omitempty"`
	// Fees are the visit's amounts as the HIS billed them (nil when it
	// sent no fee lines).
	Fees *Amounts `json:"fees,omitempty"`
}

// FeeLine is one line of the fees shown before payment.
type FeeLine struct {
	Name       string `json:"name"`
	Quantity   int64  `json:"quantity"`
	Amount     int64  `json:"amount"` // what the patient pays, VND
	AmountText string `json:"amount_text"`
}

// PaymentPhase is where a payment is.
type PaymentPhase string

// Payment phases.
const (
	PaymentCreating PaymentPhase = "creating" // asking for a payment session
	PaymentWaiting  PaymentPhase = "waiting"  // QR on screen, waiting for the transfer
	PaymentExpired  PaymentPhase = "expired"  // not paid in time: retry or pay at the counter
	PaymentFailed   PaymentPhase = "failed"   // wrong amount / back-end failure: staff
)

// Payment is the VietQR payment screen.
type Payment struct {
	Phase      PaymentPhase `json:"phase"`
	Payload    string       `json:"payload"` // VietQR (EMVCo) string to draw as a QR code
	Ref        string       `json:"ref"`     // reference the patient may type as the memo
	Amount     int64        `json:"amount"`
	AmountText string       `json:"amount_text"`
	Lines      []FeeLine    `json:"lines"`
	Deadline   time.Time    `json:"deadline,omitzero"`
	// Remaining is Deadline minus the flow's clock at publication; the flow
	// republishes every second while waiting.
	Remaining time.Duration `json:"remaining"`
	Message   Text          `json:"message"`
}

// Receipt is the paid screen.
type Receipt struct {
	Ref        string    `json:"ref"`
	TxnID      string    `json:"txn_id"`
	Amount     int64     `json:"amount"`
	AmountText string    `json:"amount_text"`
	PaidAt     time.Time `json:"paid_at"`
	Message    Text      `json:"message"` // "Đã thanh toán. Vui lòng nhận biên lai."
}

// Goodbye is the final screen; the flow returns to welcome after a few
// seconds (or on IntentDone).
type Goodbye struct {
	Message Text `json:"message"`
	// TakeCard reminds the patient to take their card back (“Nhớ lấy lại
	// thẻ Căn cước”).
	TakeCard Text   `json:"take_card"`
	Number   string `json:"number,omitempty"` // ticket number reminder
	Room     string `json:"room,omitempty"`
}

// ErrorInfo is an error screen: what happened and what to do next.
type ErrorInfo struct {
	Code    string `json:"code"` // machine code, e.g. "his_unavailable", "not_genuine"
	Message Text   `json:"message"`
	Next    Text   `json:"next"` // what to do now
}

// OutOfService is the screen of a kiosk that stopped because a record could
// not be stored. It offers no action but the language: the patient is sent
// to the reception desk, and nothing claims staff was alerted (nothing
// could be recorded to alert them).
type OutOfService struct {
	Code    string `json:"code"`    // machine reason: "store_unavailable"
	Message Text   `json:"message"` // "Máy tạm dừng phục vụ — …"
	// Next says what the person in front of the kiosk does now: where
	// their registration stopped (not registered; unconfirmed; registered
	// with visit number X but no queue number; ticket issued but not
	// paid), then,
	// once IdleTimeout has passed, the line for whoever comes next.
	Next Text `json:"next"`
	// Since is when the kiosk stopped (in the hospital's time zone).
	Since time.Time `json:"since"`
}

// Help is shown after "call staff": the request is recorded and raised
// (help.go); Status says how far it got and Message says only that.
type Help struct {
	Message Text   `json:"message"`
	Ref     string `json:"ref"` // short help request reference
	// Status is HelpCalling, HelpCalled, HelpAcknowledged or
	// HelpNotReached.
	Status string `json:"status"`
	// From is the screen the patient called from (IntentBack returns there).
	From Screen `json:"from"`
}

// IntentKind names what the user did.
type IntentKind string

// Intents the UI sends.
const (
	IntentStart     IntentKind = "start"      // welcome: start (a card tap also starts)
	IntentContinue  IntentKind = "continue"   // primary "next" on result screens
	IntentChoose    IntentKind = "choose"     // clinic screen: Intent.Clinic chosen → register
	IntentAnswer    IntentKind = "answer"     // clinic screen: Intent.Question answered Intent.Yes
	IntentConsent   IntentKind = "consent"    // holder offer: Intent.Yes
	IntentSkip      IntentKind = "skip"       // skip the optional step (holder check)
	IntentFeePaying IntentKind = "fee_paying" // register without insurance
	IntentRetry     IntentKind = "retry"      // try the failed step again
	IntentBack      IntentKind = "back"       // previous screen
	IntentCallStaff IntentKind = "call_staff" // record a help request
	IntentCancel    IntentKind = "cancel"     // abandon: wipe data, back to welcome
	IntentForOther  IntentKind = "for_other"  // register someone else with a second card
	IntentLanguage  IntentKind = "language"   // toggle vi/en (or Intent.Lang if set)
	IntentIdle      IntentKind = "idle"       // idle timeout noticed by the UI
	IntentDone      IntentKind = "done"       // finish (ticket/receipt/goodbye)
	IntentActivity  IntentKind = "activity"   // any touch: restarts the idle timer
	// IntentErase asks, on the card result, to delete the patient's
	// fingerprint binding (offered when a fingerprint module is fitted).
	IntentErase IntentKind = "erase_fingerprint"
	// IntentCAN submits the CAN typed on the identify screen's keypad
	// (Intent.Digits); only while Identify.NeedCAN.
	IntentCAN IntentKind = "can"
	// IntentForChild, on a parent's card result, registers a child who
	// has no card; IntentChild submits the child's typed details (only
	// while Identify.NeedChild).
	IntentForChild IntentKind = "for_child"
	IntentChild    IntentKind = "child"
	// The admin menu (admin.go): IntentAdmin opens it from welcome;
	// IntentPIN submits the staff PIN typed on its keypad (Intent.Digits,
	// never logged or kept); IntentService opens (Intent.Yes) or closes
	// the queue service Intent.Service; the others are the menu's buttons.
	// IntentBack logs out.
	IntentAdmin        IntentKind = "admin"
	IntentPIN          IntentKind = "pin"
	IntentAdminStatus  IntentKind = "admin_status"
	IntentTestPage     IntentKind = "test_page"
	IntentReprint      IntentKind = "reprint"
	IntentPaperChanged IntentKind = "paper_changed"
	IntentService      IntentKind = "service"
	IntentReport       IntentKind = "report"
	IntentRestart      IntentKind = "restart"
)

// CANLength is how many digits the CAN keypad takes (a CCCD's CAN is the
// last 6 digits of its 12-digit ID number).
const CANLength = cccd.CANLen

// Intent is a user action sent to the flow.
type Intent struct {
	Kind     IntentKind `json:"kind"`
	Clinic   string     `json:"clinic,omitempty"`   // IntentChoose: Clinic.Code
	Question Question   `json:"question,omitempty"` // IntentAnswer
	Yes      bool       `json:"yes,omitempty"`      // IntentAnswer, IntentConsent
	Lang     Lang       `json:"lang,omitempty"`     // IntentLanguage: set explicitly ("" toggles)
	// Digits is the CAN typed on the keypad (IntentCAN): personal data,
	// never logged (LogValue leaves it out).
	Digits string `json:"digits,omitempty"`
	// BirthDate (DDMMYYYY) and Name are a child's typed details
	// (IntentChild, with the personal ID number in Digits): personal data,
	// never logged.
	BirthDate string `json:"birth_date,omitempty"`
	Name      string `json:"name,omitempty"`
	// Service is the queue service letter IntentService opens or closes.
	Service string `json:"service,omitempty"`

	done chan struct{} // closed once handled and published (tests)
}

// LogValue keeps the typed digits out of logs.
func (in Intent) LogValue() slog.Value {
	attrs := []slog.Attr{slog.String("kind", string(in.Kind))}
	if in.Digits != "" {
		attrs = append(attrs, slog.Int("digits", len(in.Digits)))
	}
	return slog.GroupValue(attrs...)
}

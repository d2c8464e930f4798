package ticketing

import (
	"log/slog"
	"time"

	"github.com/kiosk06/kiosk/drivers/cccd"
	"github.com/kiosk06/kiosk/firmware/identity"
	"github.com/kiosk06/kiosk/firmware/staffmenu"
	"github.com/kiosk06/kiosk/firmware/ticketing/catalog"
)

// This file is the flow's public surface towards a screen (ui/ renders it).
// It follows firmware/hospital's contract, which the UI already speaks:
//
//   - The UI calls Flow.Subscribe and renders every State it receives
//     (latest wins; apply with fyne.Do). State.Screen says which screen;
//     exactly the matching pointer field is non-nil.
//   - State.Actions are the buttons, in display order; a tap sends
//     Action.Intent(). Some intents are items of a screen rather than
//     buttons: IntentMode, IntentSearch, IntentTrip and IntentProduct on
//     the choose screen; IntentRemove and IntentCategory on the passengers
//     screen; IntentChild on the child keypad; IntentSeat on the seat map;
//     IntentTicket on the holder's tickets; IntentCAN on the identify
//     keypad (only while Identify.NeedCAN); IntentStaff with Intent.Staff
//     on the staff screen. The flow ignores an intent its
//     screen does not offer, so a stale tap is harmless. IntentActivity
//     and IntentIdle are always accepted.
//   - Text comes as Text values (a stable Key, Vietnamese and English with
//     parameters filled in); Messages() lists every key.
//   - Personal data on screen: the buyer's and travellers' given names
//     and masked ID numbers, ages. Tickets print masked names and IDs.
//     What is typed on a keypad (a CAN, a child's ID number and birth
//     date) is sent with its intent and kept by the flow only as the
//     traveller it makes; never in State (a child appears masked), a log
//     or a record payload.

// Screen names a screen of the ticketing flow.
type Screen string

// Screens, in the order of a purchase, then the holder's path (cancel a
// ticket) and the common ones.
const (
	ScreenWelcome    Screen = "welcome"    // "Mua vé" / "Trả vé"; a card tap starts a purchase
	ScreenIdentify   Screen = "identify"   // waiting for / reading a card (buyer, passenger or holder)
	ScreenChoose     Screen = "choose"     // mode, route search and results, passes
	ScreenPassengers Screen = "passengers" // who travels: cards, children, declared concessions
	ScreenChild      Screen = "child"      // keypad: a child's ID number and birth date
	ScreenSeats      Screen = "seats"      // seat map; holding the seats chosen
	ScreenFare       Screen = "fare"       // prices with concessions, total, hold countdown
	ScreenPayment    Screen = "payment"    // VietQR, waiting for the transfer
	ScreenIssuing    Screen = "issuing"    // selling and printing
	ScreenIssued     Screen = "issued"     // tickets printed (or shown when the printer failed)
	ScreenTickets    Screen = "tickets"    // the holder's tickets, to cancel one
	ScreenRefund     Screen = "refund"     // a cancellation: quote, confirm, result
	ScreenGoodbye    Screen = "goodbye"    // done; returns to welcome by itself
	ScreenError      Screen = "error"      // what failed and what to do
	ScreenHelp       Screen = "help"       // a staff member was called
	// ScreenOutOfService: a record could not be stored; nothing is sold
	// until one can be again (then the kiosk returns to welcome itself).
	ScreenOutOfService Screen = "out_of_service"
	// ScreenStaff is the staff menu (firmware/staffmenu: State.Staff),
	// opened from welcome; no card is read until it is left.
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

// IsZero reports whether t carries no text.
func (t Text) IsZero() bool { return t.Key == "" && t.VI == "" && t.EN == "" }

// State is everything a screen needs. The flow never changes a published
// State (slices are not shared).
type State struct {
	Seq     uint64   `json:"seq"`
	Screen  Screen   `json:"screen"`
	Lang    Lang     `json:"lang"`
	Title   Text     `json:"title"`
	Actions []Action `json:"actions"`
	// IdleDeadline is when the idle timeout returns to welcome (zero when
	// no timeout runs).
	IdleDeadline time.Time `json:"idle_deadline,omitzero"`
	// Offline is set while the ticket-selling backend cannot be reached:
	// the screen shows Notice (passes and rides still sell; seats do not).
	Offline bool `json:"offline,omitempty"`
	// Buyer is who identified at the start (nil before and after).
	Buyer *Person `json:"buyer,omitempty"`

	Welcome      *Welcome      `json:"welcome,omitempty"`
	Identify     *Identify     `json:"identify,omitempty"`
	Choose       *Choose       `json:"choose,omitempty"`
	Passengers   *Passengers   `json:"passengers,omitempty"`
	Child        *Child        `json:"child,omitempty"`
	Seats        *Seats        `json:"seats,omitempty"`
	Fare         *Fare         `json:"fare,omitempty"`
	Payment      *Payment      `json:"payment,omitempty"`
	Issuing      *Issuing      `json:"issuing,omitempty"`
	Issued       *Issued       `json:"issued,omitempty"`
	Tickets      *Tickets      `json:"tickets,omitempty"`
	Refund       *Refund       `json:"refund,omitempty"`
	Goodbye      *Goodbye      `json:"goodbye,omitempty"`
	Error        *ErrorInfo    `json:"error,omitempty"`
	Help         *Help         `json:"help,omitempty"`
	OutOfService *OutOfService `json:"out_of_service,omitempty"`
	// Staff is the staff menu's view (ui/staffui renders it); its taps
	// come back as IntentStaff with Intent.Staff.
	Staff *staffmenu.View `json:"staff,omitempty"`
}

// Action is a button: the intent it sends and its label.
type Action struct {
	Kind    IntentKind `json:"kind"`
	Label   Text       `json:"label"`
	Primary bool       `json:"primary,omitempty"`
	// Disabled: shown but not yet possible (Continue before a choice).
	Disabled bool `json:"disabled,omitempty"`
}

// Intent returns the intent to send when the button is tapped.
func (a Action) Intent() Intent { return Intent{Kind: a.Kind} }

// Has reports whether the state offers an enabled action of kind k.
func (s State) Has(k IntentKind) bool {
	for _, a := range s.Actions {
		if a.Kind == k && !a.Disabled {
			return true
		}
	}
	return false
}

// Person is what screens show of a buyer or traveller: never the full ID
// number.
type Person struct {
	Name     string `json:"name"`      // as on the card; "" for a child added by ID number
	MaskedID string `json:"masked_id"` // "0010••••••45"
	Age      int    `json:"age"`       // whole years today; -1 unknown
}

// Welcome is the idle screen.
type Welcome struct {
	Message Text `json:"message"`
	Notice  Text `json:"notice,omitzero"` // offline: what still sells
}

// Identify is the screen while waiting for and reading a card.
type Identify struct {
	// Role: whose card is awaited: buyer, passenger or holder.
	Role            string             `json:"role"`
	Step            identity.EventKind `json:"step"`
	Progress        float64            `json:"progress"`
	Message         Text               `json:"message"`
	Retry           bool               `json:"retry"`
	NeedCAN         bool               `json:"need_can,omitempty"`
	CANError        Text               `json:"can_error,omitzero"`
	CANAttemptsLeft int                `json:"can_attempts_left,omitempty"`
	CANExhausted    bool               `json:"can_exhausted,omitempty"`
}

// ModeOption is a tab of the choose screen.
type ModeOption struct {
	Mode     catalog.Mode `json:"mode"`
	Label    Text         `json:"label"`
	Selected bool         `json:"selected"`
}

// StopOption is a stop to pick.
type StopOption struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// DateOption is a travel day to pick.
type DateOption struct {
	Date  string `json:"date"` // 2006-01-02
	Label Text   `json:"label"`
}

// TripOption is a departure found.
type TripOption struct {
	Departure string    `json:"departure"`
	Service   string    `json:"service"`
	Route     string    `json:"route"`
	Operator  string    `json:"operator"`
	Departs   time.Time `json:"departs"`
	Arrives   time.Time `json:"arrives"`
	FromName  string    `json:"from_name"`
	ToName    string    `json:"to_name"`
	MinFare   int64     `json:"min_fare"`
	FareText  string    `json:"fare_text"` // "từ 280.000 ₫"
}

// MonthOption is a month a pass can start.
type MonthOption struct {
	Month string `json:"month"` // 2006-01
	Label Text   `json:"label"`
}

// ProductOption is a seatless product on offer.
type ProductOption struct {
	ID        string              `json:"id"`
	Name      string              `json:"name"`
	Operator  string              `json:"operator"`
	Kind      catalog.ProductKind `json:"kind"`
	Price     int64               `json:"price"`
	PriceText string              `json:"price_text"`
	Months    []MonthOption       `json:"months,omitempty"` // monthly passes
	Validity  Text                `json:"validity"`         // "Dùng 1 lượt trong 1 ngày"
}

// Choose is the trip or pass choice.
type Choose struct {
	Modes        []ModeOption    `json:"modes"`
	Mode         catalog.Mode    `json:"mode"`
	From         string          `json:"from,omitempty"`
	To           string          `json:"to,omitempty"`
	Date         string          `json:"date,omitempty"`
	Origins      []StopOption    `json:"origins,omitempty"`
	Destinations []StopOption    `json:"destinations,omitempty"`
	Dates        []DateOption    `json:"dates,omitempty"`
	Trips        []TripOption    `json:"trips,omitempty"`
	Searched     bool            `json:"searched"`
	Products     []ProductOption `json:"products,omitempty"`
	Notice       Text            `json:"notice,omitzero"`
}

// CategoryOption is a concession a traveller may declare.
type CategoryOption struct {
	Code  string `json:"code"`
	Text  Text   `json:"text"`
	Proof Text   `json:"proof,omitzero"` // what to show on board
	Yes   bool   `json:"yes"`
}

// Traveller is one passenger of the purchase.
type Traveller struct {
	Person
	Kind  string `json:"kind"`  // card or child
	Buyer bool   `json:"buyer"` // the buyer travels
	// Derived is the age concession the card's birth date gives (not
	// asked); Categories the ones the traveller may declare.
	Derived    Text             `json:"derived,omitzero"`
	Categories []CategoryOption `json:"categories,omitempty"`
}

// Passengers is who travels.
type Passengers struct {
	List   []Traveller `json:"list"`
	Max    int         `json:"max"`
	Named  bool        `json:"named"` // tickets carry name and ID (coach, train)
	For    string      `json:"for"`   // what is bought: trip or product name
	Notice Text        `json:"notice,omitzero"`
}

// Child is the keypad for a child without a card.
type Child struct {
	Message Text `json:"message"`
	Error   Text `json:"error,omitzero"`
	MaxAge  int  `json:"max_age"`
}

// SeatView is one seat of the map.
type SeatView struct {
	ID       string `json:"id"`
	Class    string `json:"class"`
	Row      int    `json:"row"`
	Col      int    `json:"col"`
	State    string `json:"state"` // free, taken or chosen
	Fare     int64  `json:"fare"`
	FareText string `json:"fare_text"`
}

// CarView is one deck or car.
type CarView struct {
	Name  string     `json:"name"`
	Seats []SeatView `json:"seats"`
}

// Seats is the seat map of the departure chosen.
type Seats struct {
	Departure string            `json:"departure"`
	Route     string            `json:"route"`
	Service   string            `json:"service"`
	FromName  string            `json:"from_name"`
	ToName    string            `json:"to_name"`
	Departs   time.Time         `json:"departs"`
	Classes   map[string]string `json:"classes"`
	Cars      []CarView         `json:"cars"`
	Need      int               `json:"need"`
	Chosen    []string          `json:"chosen"`
	Loading   bool              `json:"loading"` // availability or the hold in flight
	Message   Text              `json:"message"`
}

// FareLine is one traveller's price.
type FareLine struct {
	Passenger  string `json:"passenger"` // given name or "Trẻ em", masked ID
	Item       string `json:"item"`      // "Giường A07" or the product's name
	Base       int64  `json:"base"`
	BaseText   string `json:"base_text"`
	Concession Text   `json:"concession,omitzero"`
	Price      int64  `json:"price"`
	PriceText  string `json:"price_text"`
	Proof      Text   `json:"proof,omitzero"`
}

// Fare is the price of the purchase.
type Fare struct {
	Lines     []FareLine `json:"lines"`
	Total     int64      `json:"total"`
	TotalText string     `json:"total_text"`
	// HoldExpires: seats are held until then (zero without seats).
	HoldExpires time.Time     `json:"hold_expires,omitzero"`
	Remaining   time.Duration `json:"remaining,omitempty"`
	Notes       []Text        `json:"notes,omitempty"`
}

// PaymentPhase is where a payment is.
type PaymentPhase string

// Payment phases.
const (
	PaymentCreating PaymentPhase = "creating"
	PaymentWaiting  PaymentPhase = "waiting"
	PaymentExpired  PaymentPhase = "expired"
	PaymentFailed   PaymentPhase = "failed"
)

// Payment is the VietQR screen.
type Payment struct {
	Phase      PaymentPhase  `json:"phase"`
	Payload    string        `json:"payload"`
	Ref        string        `json:"ref"`
	Amount     int64         `json:"amount"`
	AmountText string        `json:"amount_text"`
	Deadline   time.Time     `json:"deadline,omitzero"`
	Remaining  time.Duration `json:"remaining"`
	Message    Text          `json:"message"`
}

// Issuing is shown while the sale is made and the tickets print.
type Issuing struct {
	Message Text `json:"message"`
}

// IssuedTicket is a ticket as the screen shows it (with its QR's content,
// for when the printer failed).
type IssuedTicket struct {
	ID         string    `json:"id"`
	Title      Text      `json:"title"`
	Passenger  string    `json:"passenger"` // masked
	Item       string    `json:"item"`      // route / product
	Seat       string    `json:"seat,omitempty"`
	Departs    time.Time `json:"departs,omitzero"`
	ValidFrom  time.Time `json:"valid_from,omitzero"`
	ValidUntil time.Time `json:"valid_until,omitzero"`
	PriceText  string    `json:"price_text"`
	Code       string    `json:"code"`
}

// Issued is the result of a purchase.
type Issued struct {
	Tickets  []IssuedTicket `json:"tickets"`
	Printed  bool           `json:"printed"`
	PaperOut bool           `json:"paper_out"`
	Offline  bool           `json:"offline"` // issued by the kiosk: see Message
	Message  Text           `json:"message"`
}

// HolderTicket is one of the holder's tickets.
type HolderTicket struct {
	ID         string    `json:"id"`
	Item       string    `json:"item"` // route, from → to
	Seat       string    `json:"seat,omitempty"`
	Departs    time.Time `json:"departs,omitzero"`
	Passenger  string    `json:"passenger"` // as the backend masks it
	PriceText  string    `json:"price_text"`
	Status     string    `json:"status"` // valid, used, cancelled
	Refundable bool      `json:"refundable"`
	Quote      Text      `json:"quote"` // the refund and its rule, or why not
}

// Tickets lists the holder's tickets.
type Tickets struct {
	Loading bool           `json:"loading"`
	List    []HolderTicket `json:"list"`
	Message Text           `json:"message"`
}

// RefundPhase is where a cancellation is.
type RefundPhase string

// Refund phases.
const (
	RefundConfirm RefundPhase = "confirm"
	RefundWorking RefundPhase = "working"
	RefundDone    RefundPhase = "done"
	RefundRefused RefundPhase = "refused"
)

// Refund is a cancellation.
type Refund struct {
	Phase      RefundPhase  `json:"phase"`
	Ticket     HolderTicket `json:"ticket"`
	Price      int64        `json:"price"`
	Fee        int64        `json:"fee"`
	Amount     int64        `json:"amount"`
	AmountText string       `json:"amount_text"`
	Rule       string       `json:"rule"`
	Message    Text         `json:"message"`
}

// Goodbye is the final screen.
type Goodbye struct {
	Message Text `json:"message"`
}

// ErrorInfo is an error screen.
type ErrorInfo struct {
	Code    string `json:"code"`
	Message Text   `json:"message"`
	Next    Text   `json:"next"`
}

// Help is shown after "call staff".
type Help struct {
	Message Text   `json:"message"`
	Ref     string `json:"ref"`
	From    Screen `json:"from"`
}

// OutOfService is the screen of a kiosk that stopped because a record
// could not be stored.
type OutOfService struct {
	Code    string    `json:"code"`
	Message Text      `json:"message"`
	Next    Text      `json:"next"`
	Since   time.Time `json:"since"`
}

// IntentKind names what the user did.
type IntentKind string

// Intents the UI sends.
const (
	IntentStart     IntentKind = "start"      // welcome: buy ("Mua vé")
	IntentManage    IntentKind = "manage"     // welcome: my tickets / cancel ("Trả vé")
	IntentMode      IntentKind = "mode"       // choose: Intent.Mode
	IntentSearch    IntentKind = "search"     // choose: Intent.From, To, Date
	IntentTrip      IntentKind = "trip"       // choose: Intent.Departure
	IntentProduct   IntentKind = "product"    // choose: Intent.Product (and Month)
	IntentAddCard   IntentKind = "add_card"   // passengers: add a traveller by their card
	IntentAddChild  IntentKind = "add_child"  // passengers: add a child by ID number
	IntentChild     IntentKind = "child"      // child keypad: Intent.IDNumber, DOB
	IntentRemove    IntentKind = "remove"     // passengers: Intent.Passenger
	IntentCategory  IntentKind = "category"   // passengers: Intent.Passenger, Category, Yes
	IntentSeat      IntentKind = "seat"       // seats: Intent.Seat (toggles)
	IntentTicket    IntentKind = "ticket"     // tickets: Intent.Ticket to cancel
	IntentConfirm   IntentKind = "confirm"    // refund: confirm the cancellation
	IntentContinue  IntentKind = "continue"   // the screen's primary "next"
	IntentRetry     IntentKind = "retry"      // try the failed step again
	IntentBack      IntentKind = "back"       // previous screen
	IntentCallStaff IntentKind = "call_staff" // record a help request
	IntentCancel    IntentKind = "cancel"     // abandon: release, wipe, welcome
	IntentLanguage  IntentKind = "language"   // toggle vi/en (or Intent.Lang)
	IntentIdle      IntentKind = "idle"       // idle timeout noticed by the UI
	IntentDone      IntentKind = "done"       // finish
	IntentActivity  IntentKind = "activity"   // any touch: restarts the idle timer
	IntentCAN       IntentKind = "can"        // identify keypad: Intent.Digits
	// IntentStaff opens the staff menu (welcome, when State.Actions offer
	// it); on the staff screen it carries the menu's own Intent.Staff.
	IntentStaff IntentKind = "staff"
)

// CANLength is how many digits the CAN keypad takes.
const CANLength = cccd.CANLen

// Intent is a user action sent to the flow. Every member is JSON so the
// --control socket can send it.
type Intent struct {
	Kind      IntentKind   `json:"kind"`
	Mode      catalog.Mode `json:"mode,omitempty"`
	From      string       `json:"from,omitempty"`
	To        string       `json:"to,omitempty"`
	Date      string       `json:"date,omitempty"` // 2006-01-02
	Departure string       `json:"departure,omitempty"`
	Product   string       `json:"product,omitempty"`
	Month     string       `json:"month,omitempty"` // 2006-01
	Passenger int          `json:"passenger,omitempty"`
	Category  string       `json:"category,omitempty"`
	Yes       bool         `json:"yes,omitempty"`
	Seat      string       `json:"seat,omitempty"`
	Ticket    string       `json:"ticket,omitempty"`
	Lang      Lang         `json:"lang,omitempty"`
	// IDNumber and DOB (DDMMYYYY) are a child's, typed (IntentChild);
	// Digits the CAN typed (IntentCAN): personal data, never logged.
	IDNumber string `json:"id_number,omitempty"`
	DOB      string `json:"dob,omitempty"`
	Digits   string `json:"digits,omitempty"`
	// Staff is a tap on the staff screen (IntentStaff), forwarded to the
	// menu while it is open; its Digits are a staff PIN, never logged.
	Staff *staffmenu.Intent `json:"staff,omitempty"`

	done chan struct{} // closed once handled and published (tests)
}

// LogValue keeps typed personal data out of logs.
func (in Intent) LogValue() slog.Value {
	attrs := []slog.Attr{slog.String("kind", string(in.Kind))}
	if in.Staff != nil {
		attrs = append(attrs, slog.String("staff", in.Staff.Kind))
	}
	if in.Digits != "" || in.IDNumber != "" || in.DOB != "" || in.Staff != nil && in.Staff.Digits != "" {
		attrs = append(attrs, slog.Bool("typed", true))
	}
	return slog.GroupValue(attrs...)
}

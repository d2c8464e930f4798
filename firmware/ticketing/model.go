package ticketing

import (
	"slices"
	"strings"
	"time"

	"github.com/kiosk06/kiosk/firmware/identity"
	"github.com/kiosk06/kiosk/firmware/ticketing/backend"
	"github.com/kiosk06/kiosk/firmware/ticketing/catalog"
	"github.com/kiosk06/kiosk/payments/session"
)

// Roles: whose card an identification is for.
const (
	RoleBuyer     = "buyer"
	RolePassenger = "passenger"
	RoleHolder    = "holder"
)

// Traveller kinds.
const (
	KindCard  = "card"  // identified by their own CCCD
	KindChild = "child" // a child added by typed ID number and birth date
)

// model is the flow's mutable state, owned by the Run goroutine.
type model struct {
	screen Screen
	lang   Lang
	role   string  // whose card the running identification awaits
	buyer  *person // who identified first (buyer or holder)
	p      *purchase

	identify Identify
	choose   Choose
	passNote Text // passengers screen notice
	childErr Text
	seatMsg  Text
	seatWait bool // availability or the hold in flight
	payment  Payment
	issued   Issued
	tickets  Tickets
	refund   Refund
	goodbye  Goodbye
	err      ErrorInfo
	errRetry func()
	errBack  Screen
	help     *Help
	helps    int
	oos      OutOfService
	holding  []holderTicket // the holder's tickets (manage)

	down storeDown

	cans     chan string
	canWrong int
	acqGen   uint64 // the step (Flow.gen) of the card read under way

	idleC   <-chan time.Time
	idleAt  time.Time
	tickC   <-chan time.Time
	retryC  <-chan time.Time
	holdC   <-chan time.Time // the hold's expiry
	resumeC <-chan time.Time
}

// storeDown remembers that a record could not be stored.
type storeDown struct {
	since    time.Time
	at       string
	failures int
}

func (d storeDown) active() bool { return d.failures > 0 }

// person is a buyer, traveller or holder. Personal data lives only here:
// dropping the pointers wipes it.
type person struct {
	kind     string // KindCard or KindChild
	name     string // from the card ("" for a child)
	idNumber string
	dob      time.Time // zero: unknown
	sex      string
	token    identity.Token
	verdict  identity.Verdict
	method   identity.Method
	declared []string // concession codes declared
}

// purchase is one purchase in progress.
type purchase struct {
	key      string // the purchase's key (records, payment purpose)
	mode     catalog.Mode
	trip     *catalog.Trip
	product  *catalog.Product
	from     time.Time // a product's first valid instant
	operator catalog.Operator
	travs    []*person

	seatMap catalog.SeatMap
	taken   []string
	chosen  []string // seats in the order chosen: travs[i] gets chosen[i]
	holdKey string
	hold    *backend.Hold
	// holdEnds is when the hold ends on the monotonic clock (Flow.mono):
	// the hold's length by the backend's clock, from when it was asked.
	holdEnds time.Duration

	lines []line
	total int64

	pay     session.Info
	paid    bool
	saleKey string
	sold    bool     // a sale (backend or offline) is recorded
	owed    bool     // a refund of the whole payment is recorded as due
	issued  []issued // what was sold
	offline bool
}

// line is one traveller's price.
type line struct {
	trav     *person
	seat     string
	class    string
	base     int64
	price    int64
	category string // applied concession
}

// issued is a sold ticket.
type issued struct {
	ticket backend.Ticket
	line   line
}

// holderTicket is one of the holder's tickets with its refund quote.
type holderTicket struct {
	info       backend.TicketInfo
	refundable bool
	fee        int64
	rule       string
}

// wipe drops every reference to personal data and the purchase.
func (m *model) wipe() {
	m.buyer, m.p, m.role = nil, nil, ""
	m.identify, m.choose, m.passNote, m.childErr, m.seatMsg, m.seatWait = Identify{}, Choose{}, Text{}, Text{}, Text{}, false
	m.payment, m.issued, m.tickets, m.refund, m.holding = Payment{}, Issued{}, Tickets{}, Refund{}, nil
	m.err, m.errRetry, m.errBack, m.help = ErrorInfo{}, nil, "", nil
	m.retryC, m.cans, m.canWrong, m.holdC = nil, nil, 0, nil
	m.oos = OutOfService{}
}

// ageOn is the age in whole years on day now (-1 unknown).
func ageOn(dob, now time.Time, loc *time.Location) int {
	if dob.IsZero() {
		return -1
	}
	d, n := dob, now.In(loc)
	age := n.Year() - d.Year()
	if n.Month() < d.Month() || n.Month() == d.Month() && n.Day() < d.Day() {
		age--
	}
	if age < 0 {
		return -1
	}
	return age
}

// maskID shows the first 4 and last 2 digits of an ID number.
func maskID(id string) string {
	if len(id) < 8 {
		return strings.Repeat("•", len(id))
	}
	return id[:4] + strings.Repeat("•", len(id)-6) + id[len(id)-2:]
}

// maskName keeps the given name and the initials of the others:
// "Nguyễn Thị Lan" → "N. T. Lan".
func maskName(name string) string {
	f := strings.Fields(name)
	if len(f) == 0 {
		return ""
	}
	out := make([]string, 0, len(f))
	for _, w := range f[:len(f)-1] {
		r := []rune(w)
		out = append(out, string(r[0])+".")
	}
	return strings.Join(append(out, f[len(f)-1]), " ")
}

// givenName is the last word of a name (how the screen greets).
func givenName(name string) string {
	f := strings.Fields(name)
	if len(f) == 0 {
		return ""
	}
	return f[len(f)-1]
}

// label is how a traveller is named on screen and paper (masked).
func (p *person) label() string {
	if p.kind == KindChild || p.name == "" {
		return msg("passenger.child").VI
	}
	return maskName(p.name)
}

func (f *Flow) personView(p *person) Person {
	name := p.name
	return Person{Name: givenName(name), MaskedID: maskID(p.idNumber), Age: ageOn(p.dob, f.now(), f.cfg.Location)}
}

// render builds the published state from the model.
func (f *Flow) render() State {
	m := &f.m
	s := State{Screen: m.screen, Lang: m.lang, IdleDeadline: m.idleAt}
	if m.idleC == nil {
		s.IdleDeadline = time.Time{}
	}
	st := f.deps.Catalogue.Status()
	s.Offline = !st.Online && st.Version > 0
	if m.buyer != nil {
		b := f.personView(m.buyer)
		s.Buyer = &b
	}
	switch m.screen {
	case ScreenWelcome:
		w := Welcome{Message: msg("welcome.message")}
		if s.Offline {
			w.Notice = msg("offline.notice")
		}
		s.Welcome = &w
	case ScreenIdentify:
		x := m.identify
		s.Identify = &x
	case ScreenChoose:
		s.Choose = f.renderChoose()
	case ScreenPassengers:
		s.Passengers = f.renderPassengers()
	case ScreenChild:
		s.Child = &Child{Message: msg("child.message"), Error: m.childErr, MaxAge: f.cfg.ChildMaxAge}
	case ScreenSeats:
		s.Seats = f.renderSeats()
	case ScreenFare:
		s.Fare = f.renderFare()
	case ScreenPayment:
		x := m.payment
		s.Payment = &x
	case ScreenIssuing:
		s.Issuing = &Issuing{Message: msg("issuing.message")}
	case ScreenIssued:
		x := m.issued
		x.Tickets = slices.Clone(x.Tickets)
		s.Issued = &x
	case ScreenTickets:
		x := m.tickets
		x.List = slices.Clone(x.List)
		s.Tickets = &x
	case ScreenRefund:
		x := m.refund
		s.Refund = &x
	case ScreenGoodbye:
		x := m.goodbye
		s.Goodbye = &x
	case ScreenError:
		x := m.err
		s.Error = &x
	case ScreenOutOfService:
		x := m.oos
		s.OutOfService = &x
		s.Buyer = nil
	case ScreenStaff:
		if f.deps.Staff != nil {
			s.Staff = f.deps.Staff.View()
		}
		s.Buyer = nil
	}
	s.Title = msg("title." + string(m.screen))
	s.Actions = f.actions()
	if m.help != nil {
		h := *m.help
		s.Screen, s.Help, s.Title = ScreenHelp, &h, msg("title.help")
		s.Actions = []Action{act(IntentBack, "back", true), act(IntentCancel, "cancel", false), act(IntentLanguage, "language", false)}
	}
	return s
}

func act(k IntentKind, label string, primary bool) Action {
	return Action{Kind: k, Label: msg("action." + label), Primary: primary}
}

// actions lists the buttons of the current screen (without the help
// overlay).
func (f *Flow) actions() []Action {
	m := &f.m
	staff, cancel, back := act(IntentCallStaff, "call_staff", false), act(IntentCancel, "cancel", false), act(IntentBack, "back", false)
	var a []Action
	switch m.screen {
	case ScreenWelcome:
		a = []Action{act(IntentStart, "start", true), act(IntentManage, "manage", false)}
		if f.deps.Staff != nil {
			a = append(a, act(IntentStaff, "staff", false))
		}
	case ScreenIdentify:
		a = []Action{back, staff}
		if m.identify.CANExhausted {
			a = append([]Action{act(IntentRetry, "retry_qr", true)}, a...)
		}
	case ScreenChoose:
		a = []Action{back, staff, cancel}
	case ScreenPassengers:
		cont := act(IntentContinue, "continue", true)
		cont.Disabled = m.p == nil || len(m.p.travs) == 0
		a = []Action{cont}
		if m.p != nil && len(m.p.travs) < f.maxTravellers() {
			a = append(a, act(IntentAddCard, "add_card", false), act(IntentAddChild, "add_child", false))
		}
		a = append(a, back, staff, cancel)
	case ScreenChild:
		a = []Action{back, staff}
	case ScreenSeats:
		cont := act(IntentContinue, "hold", true)
		cont.Disabled = m.seatWait || m.p == nil || len(m.p.chosen) != len(m.p.travs)
		a = []Action{cont, back, staff, cancel}
	case ScreenFare:
		a = []Action{act(IntentContinue, "pay", true), back, staff, cancel}
	case ScreenPayment:
		a = f.paymentActions()
	case ScreenIssuing:
		a = []Action{staff}
	case ScreenIssued:
		a = []Action{act(IntentDone, "done", true), staff}
	case ScreenTickets:
		a = []Action{back, staff, cancel}
		if m.tickets.Message.Key == "tickets.unavailable" {
			a = append([]Action{act(IntentRetry, "retry", true)}, a...)
		}
	case ScreenRefund:
		switch m.refund.Phase {
		case RefundConfirm:
			a = []Action{act(IntentConfirm, "confirm_refund", true), back, staff, cancel}
		case RefundWorking:
			a = []Action{staff}
		default:
			a = []Action{act(IntentDone, "done", true), staff}
		}
	case ScreenGoodbye:
		a = []Action{act(IntentDone, "done", true)}
	case ScreenError:
		if m.errRetry != nil {
			a = append(a, act(IntentRetry, "retry", true))
		}
		if m.errBack != "" {
			a = append(a, back)
		}
		staff.Primary = len(a) == 0
		a = append(a, staff, cancel)
	case ScreenOutOfService:
	case ScreenStaff:
		return nil // the staff screen's buttons are the menu's (State.Staff)
	}
	return append(a, act(IntentLanguage, "language", false))
}

// maxTravellers is how many may travel on this purchase.
func (f *Flow) maxTravellers() int { return f.cfg.MaxTravellers }

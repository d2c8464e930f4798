package hospital

import (
	"reflect"
	"strings"
	"time"

	"github.com/kiosk06/kiosk/firmware/bhyt"
	"github.com/kiosk06/kiosk/firmware/his"
	"github.com/kiosk06/kiosk/firmware/identity"
	"github.com/kiosk06/kiosk/firmware/tickets"
	"github.com/kiosk06/kiosk/payments/session"
	"github.com/kiosk06/kiosk/payments/tariff"
	"github.com/kiosk06/kiosk/queue"
)

// model is the flow's mutable state, owned by the Run goroutine.
type model struct {
	screen Screen
	lang   Lang
	v      *visit             // the registration in progress; nil on welcome
	agent  *identity.Identity // "làm hộ": who registers on the patient's behalf

	identify  Identify
	card      CardResult
	holder    HolderCheck
	insurance Insurance
	clinic    ChooseClinic
	ticket    Ticket
	payment   Payment
	receipt   Receipt
	goodbye   Goodbye
	err       ErrorInfo
	errRetry  func()
	errBack   Screen
	errSkip   func() // "pay at the counter" on payment errors
	help      *Help
	helpCount int
	oos       OutOfService

	// down is set by the first record that could not be stored and
	// cleared once a KindService record is stored again (tryResume).
	down storeDown

	// cans hands typed CANs to the running Acquire call (nil when none
	// runs, or its card refused CANAttempts of them); canWrong counts the
	// CANs that call's card refused. The digits themselves are never kept
	// here.
	cans     chan string
	canWrong int

	// cardLeft: the card read last is still on the reader (CardWatcher).
	cardLeft bool

	// attract is the welcome screen's attract loop (attract.go).
	attract attractModel

	// admin is the admin menu's state; wipe leaves it (it holds no
	// personal data, and closed services outlive a session).
	admin adminModel

	idleC  <-chan time.Time
	idleAt time.Time
	tickC  <-chan time.Time
	retryC <-chan time.Time // wait for a card again after a failed read
	// resumeC fires when an out-of-service kiosk tries the store again.
	resumeC <-chan time.Time
}

// storeDown remembers that a record could not be stored: the kiosk finishes
// nothing new and stops at the next step (outOfService) until tryResume
// stores a record again.
type storeDown struct {
	since    time.Time
	at       string // the first record that failed: its kind (and action)
	failures int    // records that could not be stored since
}

func (d storeDown) active() bool { return d.failures > 0 }

// visit is one patient's registration. Personal data lives only here (and
// in the agent), so dropping the pointer wipes it.
type visit struct {
	id       identity.Identity
	age      int
	holder   string // holder-check outcome recorded
	attempts int    // fingerprint attempts left
	rejected bool   // the card was refused: its data is never published
	insured  bool
	pending  bool // insured, the card to be confirmed at the counter (BHYT check failed)
	ins      *bhyt.Result
	answers  map[Question]bool
	clinics  []his.Clinic
	clinic   his.Clinic
	key      string // HIS idempotency key
	reg      *his.Registration
	qt       *queue.Ticket
	printed  bool
	bill     tariff.Charge
	billOK   bool
	pay      session.Info
}

// wipe drops every reference to personal data.
func (m *model) wipe() {
	m.v, m.agent = nil, nil
	m.identify, m.card, m.holder, m.insurance = Identify{}, CardResult{}, HolderCheck{}, Insurance{}
	m.clinic, m.ticket, m.payment, m.receipt = ChooseClinic{}, Ticket{}, Payment{}, Receipt{}
	m.err, m.errRetry, m.errBack, m.errSkip, m.help = ErrorInfo{}, nil, "", nil, nil
	m.retryC, m.cans, m.canWrong = nil, nil, 0
	m.oos = OutOfService{}
}

// ageOn returns the age in whole years on day now, or -1 when dob is not
// an ISO date.
func ageOn(dob string, now time.Time, loc *time.Location) int {
	d, err := time.ParseInLocation("2006-01-02", dob, loc)
	if err != nil {
		return -1
	}
	n := now.In(loc)
	age := n.Year() - d.Year()
	if n.Month() < d.Month() || n.Month() == d.Month() && n.Day() < d.Day() {
		age--
	}
	if age < 0 {
		return -1
	}
	return age
}

// derivedPriority is the priority the date of birth gives (2023 law: under
// 6, from 75).
func derivedPriority(age int) queue.Priority {
	switch {
	case age >= 0 && age < 6:
		return queue.ChildUnder6
	case age >= 75:
		return queue.Age75
	}
	return queue.Normal
}

// benefitPercent is the share of an examination the patient's health
// insurance pays, from the benefit level in the card number the BHYT check
// returned (0: no usable result, or no level in the number).
func (v *visit) benefitPercent() int {
	if v.pending || v.ins == nil || v.ins.Class != bhyt.ClassValid && v.ins.Class != bhyt.ClassWarning {
		return 0
	}
	return bhyt.BenefitPercent(v.ins.Card.Effective().BenefitLevel())
}

// amountsOf totals the HIS fee lines: the total, insurance's and the
// patient's shares.
func amountsOf(lines []tariff.FeeLine) *Amounts {
	if len(lines) == 0 {
		return nil
	}
	var a Amounts
	for _, l := range lines {
		a.Total += l.Quantity * int64(l.UnitPrice)
		a.Insurance += int64(l.InsurancePays)
		a.Patient += int64(l.PatientPays)
	}
	a.TotalText, a.InsuranceText, a.PatientText = tickets.FormatVND(a.Total), tickets.FormatVND(a.Insurance), tickets.FormatVND(a.Patient)
	return &a
}

// priority is the ticket's class: the first in the law's order among the
// derived one and the answers.
func (v *visit) priority() queue.Priority {
	p := derivedPriority(v.age)
	consider := func(q queue.Priority) {
		if p == queue.Normal || q < p {
			p = q
		}
	}
	if v.answers[QPregnant] {
		consider(queue.Pregnant)
	}
	if v.answers[QDisability] {
		consider(queue.SevereDisability)
	}
	if v.answers[QMerit] {
		consider(queue.RevolutionaryMerit)
	}
	return p
}

var priorityKeys = map[queue.Priority]string{
	queue.Normal:             "priority.normal",
	queue.Emergency:          "priority.emergency",
	queue.ChildUnder6:        "priority.child",
	queue.Pregnant:           "priority.pregnant",
	queue.SevereDisability:   "priority.disability",
	queue.Age75:              "priority.age75",
	queue.RevolutionaryMerit: "priority.merit",
}

func priorityText(p queue.Priority) Text {
	if k, ok := priorityKeys[p]; ok {
		return msg(k)
	}
	return msg("priority.normal")
}

// maskID shows the first 4 and last 2 characters of an ID number.
func maskID(id string) string {
	if len(id) < 8 {
		return strings.Repeat("•", len(id))
	}
	return id[:4] + strings.Repeat("•", len(id)-6) + id[len(id)-2:]
}

func pickStr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// render builds the published state from the model.
func (f *Flow) render() State {
	m := &f.m
	s := State{Screen: m.screen, Lang: m.lang, ForOther: m.agent != nil, IdleDeadline: m.idleAt, CardLeft: m.cardLeft}
	if m.cardLeft {
		s.CardReminder = msg("goodbye.take_card")
	}
	if m.idleC == nil {
		s.IdleDeadline = time.Time{}
	}
	if m.v != nil && !m.v.rejected {
		c := m.v.id.Citizen
		s.Patient = &Patient{Name: c.Name, MaskedID: maskID(c.ID), Age: m.v.age, Sex: c.Sex}
	}
	switch m.screen {
	case ScreenWelcome:
		s.Welcome = &Welcome{Message: msg("welcome.message"), Prepayment: f.cfg.Prepayment, Attract: f.renderAttract()}
	case ScreenIdentify:
		x := m.identify
		s.Identify = &x
	case ScreenCardResult:
		x := m.card
		s.Card = &x
	case ScreenHolder:
		x := m.holder
		s.Holder = &x
	case ScreenInsurance:
		x := m.insurance
		s.Insurance = &x
	case ScreenClinic:
		x := m.clinic
		x.Clinics = append([]Clinic(nil), x.Clinics...)
		x.Questions = append([]PriorityQuestion(nil), x.Questions...)
		s.Clinic = &x
	case ScreenRegistering:
		s.Registering = &Registering{Message: msg("registering.message")}
	case ScreenTicket:
		x := m.ticket
		s.Ticket = &x
	case ScreenPayment:
		x := m.payment
		x.Lines = append([]FeeLine(nil), x.Lines...)
		s.Payment = &x
	case ScreenReceipt:
		x := m.receipt
		s.Receipt = &x
	case ScreenGoodbye:
		x := m.goodbye
		s.Goodbye = &x
	case ScreenError:
		x := m.err
		s.Error = &x
	case ScreenOutOfService:
		x := m.oos
		s.OutOfService = &x
	case ScreenAdmin:
		s.Admin = f.renderAdmin()
	}
	s.Title = msg("title." + titleKey(m.screen))
	s.Actions = f.actions()
	if m.help != nil {
		h := *m.help
		s.Screen, s.Help, s.Title = ScreenHelp, &h, msg("title.help")
		s.Actions = []Action{act(IntentBack, "back", true), act(IntentCancel, "cancel", false), langAction(m.lang)}
	}
	if f.cfg.AddressAs != DefaultAddress {
		addressAs(reflect.ValueOf(&s), f.cfg.AddressAs)
	}
	return s
}

func titleKey(s Screen) string {
	switch s {
	case ScreenCardResult:
		return "card"
	case ScreenOutOfService:
		return "out_of_service"
	}
	return string(s)
}

func act(k IntentKind, label string, primary bool) Action {
	return Action{Kind: k, Label: msg("action." + label), Primary: primary}
}

func langAction(Lang) Action { return act(IntentLanguage, "language", false) }

// actions lists the buttons of the current screen (without the help
// overlay).
func (f *Flow) actions() []Action {
	m := &f.m
	var a []Action
	switch m.screen {
	case ScreenWelcome:
		a = []Action{act(IntentStart, "start", true)}
		if f.deps.Admin != nil {
			a = append(a, act(IntentAdmin, "admin", false))
		}
	case ScreenAdmin:
		return f.adminActions()
	case ScreenIdentify:
		a = []Action{act(IntentBack, "back", false), act(IntentCallStaff, "call_staff", false)}
		if m.identify.CANExhausted {
			a = append([]Action{act(IntentRetry, "retry_qr", true)}, a...)
		}
	case ScreenCardResult:
		a = f.cardActions()
	case ScreenHolder:
		a = f.holderActions()
	case ScreenInsurance:
		a = f.insuranceActions()
	case ScreenClinic:
		a = []Action{act(IntentBack, "back", false), act(IntentCallStaff, "call_staff", false), act(IntentCancel, "cancel", false)}
	case ScreenRegistering:
		a = []Action{act(IntentCallStaff, "call_staff", false)}
	case ScreenTicket:
		a = f.ticketActions()
	case ScreenPayment:
		a = f.paymentActions()
	case ScreenReceipt:
		a = []Action{act(IntentDone, "done", true), act(IntentForOther, "for_other", false), act(IntentCallStaff, "call_staff", false)}
	case ScreenGoodbye:
		a = []Action{act(IntentDone, "done", true)}
	case ScreenError:
		a = f.errorActions()
	case ScreenOutOfService:
		// Nothing can be recorded: no help request, no new registration.
	}
	return append(moreAfter(a, PrimaryChoices), langAction(m.lang))
}

// moreAfter marks every action after the first n as More (a patient
// screen offers at most n choices at once, the rest behind "Lựa chọn
// khác"); the lists above are ordered by importance for that.
func moreAfter(a []Action, n int) []Action {
	for i := n; i < len(a); i++ {
		a[i].More = true
	}
	return a
}

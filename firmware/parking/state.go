package parking

import (
	"time"

	"github.com/kiosk06/kiosk/firmware/staffmenu"
	"github.com/kiosk06/kiosk/payments/tariff"
)

// Phase is where the lane is, for the screen.
type Phase string

// Phases.
const (
	PhaseIdle            Phase = "idle"
	PhaseTicketIssued    Phase = "ticket_issued"    // entry recorded, ticket printed
	PhaseBarrierOpen     Phase = "barrier_open"     // waiting for the vehicle to pass
	PhaseAwaitingPayment Phase = "awaiting_payment" // VietQR on screen
	PhasePaid            Phase = "paid"
	PhaseAlreadyInside   Phase = "already_inside"
	PhaseAlreadyExited   Phase = "already_exited"
	PhaseUnknownTicket   Phase = "unknown_ticket"
	PhasePaymentTimeout  Phase = "payment_timeout"
	PhasePaymentFailed   Phase = "payment_failed"
	PhaseError           Phase = "error"
	// PhaseOutOfService: a record could not be stored (full or failing
	// store), so nothing was done — no ticket, barrier or charge — that
	// the lane could not record; the next vehicle tries again.
	PhaseOutOfService Phase = "out_of_service"
	// PhaseClosed: staff closed this direction of the lane in the staff
	// menu (ServiceEntry, ServiceExit); the vehicle was refused, nothing
	// was charged and the barrier stayed down. State.Lane says which.
	PhaseClosed Phase = "closed"
	// PhaseStaff: the staff menu is open (State.Staff); no vehicle is
	// served until it is left.
	PhaseStaff Phase = "staff"
)

// resting reports whether p is shown with no vehicle in progress: the
// staff menu may be offered.
func resting(p Phase) bool {
	switch p {
	case PhaseTicketIssued, PhaseBarrierOpen, PhaseAwaitingPayment, PhasePaid, PhaseStaff:
		return false
	}
	return true
}

// State is what the lane screen renders; the UI never needs more. It is
// JSON as the --control socket of a --sim run streams it.
type State struct {
	// Seq increases with every published state.
	Seq      uint64         `json:"seq"`
	Phase    Phase          `json:"phase"`
	Lane     string         `json:"lane,omitempty"` // "entry" or "exit"
	TicketID string         `json:"ticket,omitempty"`
	Plate    string         `json:"plate,omitempty"`
	Vehicle  tariff.Vehicle `json:"vehicle,omitempty"`
	EntryAt  time.Time      `json:"entry_at,omitzero"`
	ExitAt   time.Time      `json:"exit_at,omitzero"`
	Lost     bool           `json:"lost,omitempty"`
	Amount   tariff.VND     `json:"amount,omitempty"`
	Lines    []tariff.Line  `json:"lines,omitempty"`
	// QRPayload is the VietQR payload to draw while PhaseAwaitingPayment;
	// PayRef the transfer reference; Deadline when the wait ends.
	QRPayload string    `json:"qr_payload,omitempty"`
	PayRef    string    `json:"pay_ref,omitempty"`
	Deadline  time.Time `json:"deadline,omitzero"`
	Message   string    `json:"message"` // short Vietnamese text
	// BarrierOpen is the barrier relay's state (true: open).
	BarrierOpen bool `json:"barrier_open"`
	// StaffOffered: the lane has a staff menu ([admin] pin_file) and no
	// vehicle is in progress, so the screen offers the discreet staff
	// button (IntentStaff).
	StaffOffered bool `json:"staff_offered,omitempty"`
	// Staff is the staff menu's screen while PhaseStaff.
	Staff *staffmenu.View `json:"staff,omitempty"`
}

const msgIdle = "Xin mời quẹt thẻ CCCD hoặc quét vé"

// The out-of-service lines: nothing alerts the attendant (nothing could be
// recorded), so the driver is asked to contact them.
const (
	msgOutOfService = "Máy tạm dừng phục vụ – Quý khách vui lòng liên hệ nhân viên bãi xe"
	msgPaidStopped  = "Đã nhận thanh toán – Máy tạm dừng phục vụ, Quý khách vui lòng liên hệ nhân viên bãi xe"
)

// The closed lines: staff closed the lane's entry or exit (staff menu).
const (
	msgClosedEntry = "Tạm ngừng nhận xe vào – Quý khách vui lòng liên hệ nhân viên bãi xe"
	msgClosedExit  = "Tạm ngừng cho xe ra tại làn này – Quý khách vui lòng liên hệ nhân viên bãi xe"
	msgStaff       = "Nhân viên đang thao tác – Quý khách vui lòng chờ"
)

// messageOf is the Vietnamese line shown for s: its phase's, and for a
// closed lane the direction's.
func messageOf(s State) string {
	if s.Phase == PhaseClosed {
		if s.Lane == "exit" {
			return msgClosedExit
		}
		return msgClosedEntry
	}
	return messageFor(s.Phase)
}

// messageFor is the Vietnamese line shown in each phase.
func messageFor(p Phase) string {
	switch p {
	case PhaseTicketIssued:
		return "Mời nhận vé"
	case PhaseBarrierOpen:
		return "Mời xe qua"
	case PhaseAwaitingPayment:
		return "Quét mã VietQR để thanh toán"
	case PhasePaid:
		return "Đã thanh toán – Cảm ơn quý khách"
	case PhaseAlreadyInside:
		return "Xe đã ở trong bãi – Liên hệ nhân viên"
	case PhaseAlreadyExited:
		return "Vé đã sử dụng – Liên hệ nhân viên"
	case PhaseUnknownTicket:
		return "Không tìm thấy lượt gửi xe – Liên hệ nhân viên"
	case PhasePaymentTimeout:
		return "Hết thời gian thanh toán – Liên hệ nhân viên"
	case PhasePaymentFailed:
		return "Thanh toán không thành công – Liên hệ nhân viên"
	case PhaseError:
		return "Lỗi thiết bị – Liên hệ nhân viên"
	case PhaseOutOfService:
		return msgOutOfService
	case PhaseClosed:
		return msgClosedEntry
	case PhaseStaff:
		return msgStaff
	default:
		return msgIdle
	}
}

// stoppedMessage is the out-of-service line for a vehicle in state st: an
// exit that was paid says the money was received.
func stoppedMessage(st State) string {
	if st.Phase == PhasePaid && st.Amount > 0 {
		return msgPaidStopped
	}
	return msgOutOfService
}

// State returns the lane's current state.
func (t *Terminal) State() State {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.state
}

func (t *Terminal) publish(s State) { t.publishIf(s, nil) }

// publishIf publishes s if ok (called under mu; nil: always) allows it,
// and reports whether it did.
func (t *Terminal) publishIf(s State, ok func() bool) bool {
	if s.Message == "" {
		s.Message = messageOf(s)
	}
	t.mu.Lock()
	if ok != nil && !ok() {
		t.mu.Unlock()
		return false
	}
	s.Seq = t.state.Seq + 1
	s.BarrierOpen = t.barrierOpen
	// Offered only once the lane is free: a state published before the
	// vehicle let go of it says no (releaseLane publishes it again).
	s.StaffOffered = t.deps.Staff != nil && !t.staffOpen && !t.serving && resting(s.Phase)
	t.state = s
	t.states.Publish(s)
	t.mu.Unlock()
	if t.cfg.OnState != nil {
		t.cfg.OnState(s)
	}
	return true
}

// setBarrier switches the barrier relay; the next state published carries
// its position (opening is followed by PhaseBarrierOpen, closing by the
// idle or out-of-service state).
func (t *Terminal) setBarrier(open bool) error {
	if err := t.deps.Barrier.Set(open); err != nil {
		return err
	}
	t.mu.Lock()
	t.barrierOpen = open
	t.mu.Unlock()
	return nil
}

// Subscribe returns the lane's states, latest wins, the current one first,
// and a function ending the subscription (profile.Flow).
func (t *Terminal) Subscribe() (<-chan State, func()) { return t.states.Subscribe() }

// CancelPayment is the driver's or attendant's intent to stop waiting for a
// VietQR transfer: the exit ends as cancelled, the barrier stays closed.
func (t *Terminal) CancelPayment() {
	t.mu.Lock()
	c := t.cancel
	t.mu.Unlock()
	if c != nil {
		c()
	}
}

// Inside is how many vehicles are in the lot by the terminal's records.
func (t *Terminal) Inside() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return len(t.inside)
}

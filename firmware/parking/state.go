package parking

import (
	"time"

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
)

// State is what the lane screen renders; the UI never needs more.
type State struct {
	Phase    Phase
	Lane     string // "entry" or "exit"
	TicketID string
	Plate    string
	Vehicle  tariff.Vehicle
	EntryAt  time.Time
	ExitAt   time.Time
	Lost     bool
	Amount   tariff.VND
	Lines    []tariff.Line
	// QRPayload is the VietQR payload to draw while PhaseAwaitingPayment;
	// PayRef the transfer reference; Deadline when the wait ends.
	QRPayload string
	PayRef    string
	Deadline  time.Time
	Message   string // short Vietnamese text
}

const msgIdle = "Xin mời quẹt thẻ CCCD hoặc quét vé"

// The out-of-service lines: nothing alerts the attendant (nothing could be
// recorded), so the driver is asked to contact them.
const (
	msgOutOfService = "Máy tạm dừng phục vụ – Quý khách vui lòng liên hệ nhân viên bãi xe"
	msgPaidStopped  = "Đã nhận thanh toán – Máy tạm dừng phục vụ, Quý khách vui lòng liên hệ nhân viên bãi xe"
)

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

func (t *Terminal) publish(s State) {
	if s.Message == "" {
		s.Message = messageFor(s.Phase)
	}
	t.mu.Lock()
	t.state = s
	t.mu.Unlock()
	if t.cfg.OnState != nil {
		t.cfg.OnState(s)
	}
}

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

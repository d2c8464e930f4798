package hospital

import (
	"context"
	"errors"

	"github.com/kiosk06/kiosk/drivers/escpos"
	"github.com/kiosk06/kiosk/firmware/bhyt"
	"github.com/kiosk06/kiosk/firmware/his"
)

// The error screen.

func (f *Flow) showError(code string, m, next Text, retry func(), back Screen) {
	f.m.err = ErrorInfo{Code: code, Message: m, Next: next}
	f.m.errRetry, f.m.errBack, f.m.errSkip = retry, back, nil
	f.setScreen(ScreenError)
}

// errClass names an error for records without its text (which may carry
// server data).
func errClass(err error) string {
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		return "timeout"
	case errors.Is(err, bhyt.ErrAuth), errors.Is(err, his.ErrUnauthorized):
		return "auth"
	case errors.Is(err, bhyt.ErrUnavailable), errors.Is(err, his.ErrUnavailable):
		return "unavailable"
	case errors.Is(err, his.ErrRejected):
		return "rejected"
	case errors.Is(err, his.ErrBadResponse):
		return "bad_response"
	case errors.Is(err, bhyt.ErrInvalid), errors.Is(err, his.ErrInvalid):
		return "invalid"
	case errors.Is(err, escpos.ErrPaperEnd):
		return "paper_end"
	}
	return "error"
}

func (f *Flow) errorActions() []Action {
	var a []Action
	if f.m.errRetry != nil {
		a = append(a, act(IntentRetry, "retry", true))
	}
	if f.m.errSkip != nil {
		a = append(a, act(IntentSkip, "pay_counter", len(a) == 0))
	}
	staff := act(IntentCallStaff, "call_staff", len(a) == 0)
	a = append(a, staff)
	if f.m.errBack != "" {
		a = append(a, act(IntentBack, "back", false))
	}
	return append(a, act(IntentCancel, "cancel", false))
}

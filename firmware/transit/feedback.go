package transit

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/kiosk06/kiosk/drivers/gpio"
)

// message is the short Vietnamese text a small screen shows for r.
func message(r Result) string {
	switch r.Reason {
	case ReasonFare:
		return "Mời lên xe – " + r.Fare.String()
	case ReasonPass:
		return "Vé tháng – Mời lên xe"
	case ReasonConcession:
		return "Miễn phí – Mời lên xe"
	case ReasonTicket:
		return "Vé lượt – Mời lên xe"
	case ReasonTicketUsed:
		return "Vé đã sử dụng"
	case ReasonScanQR:
		return "Quét mã QR trên thẻ CCCD"
	case ReasonRepeat:
		return "Thẻ đã được quẹt"
	case ReasonDenyList:
		return "Thẻ bị từ chối"
	case ReasonRiskTaps, ReasonRiskValue:
		return "Vượt hạn mức – Liên hệ nhà xe"
	case ReasonNeedsOnline:
		return "Cần kiểm tra trực tuyến"
	case ReasonUnusable:
		return "Không đọc được thẻ"
	case ReasonStoreError:
		return "Lỗi thiết bị – Thử lại"
	default:
		return "Không hợp lệ"
	}
}

// Screen is an optional small text screen beside the validator.
type Screen interface {
	Show(ctx context.Context, text string) error
}

// GPIOFeedback drives the validator's green and red LEDs and buzzer through
// drivers/gpio, and a Screen if one is fitted. Accept: green on and one short
// beep; Deny: red on and three beeps, or two for "scan the QR on your card"
// (ReasonScanQR). Signal only switches outputs and
// returns; timers switch them off, so a tap's latency holds no beep time.
type GPIOFeedback struct {
	Green, Red, Buzzer *gpio.Output // any may be nil
	Screen             Screen       // nil: no screen
	// Light is how long an LED stays lit (default 800 ms); Beep the length
	// of one beep (default 80 ms).
	Light, Beep time.Duration
	// OnChange, when set, receives the outputs' state after every switch
	// (Validator.SetLights). It is called with the feedback's lock held:
	// it must not block or call back.
	OnChange func(Lights)

	mu  sync.Mutex
	gen uint64
	now Lights
}

// Signal implements Feedback.
func (f *GPIOFeedback) Signal(ctx context.Context, r Result) error {
	light, beep := f.Light, f.Beep
	if light <= 0 {
		light = 800 * time.Millisecond
	}
	if beep <= 0 {
		beep = 80 * time.Millisecond
	}
	on, off := f.Green, f.Red
	beeps := 1
	if r.Verdict != Accept {
		on, off, beeps = f.Red, f.Green, denyBeeps(r)
	}
	f.mu.Lock()
	f.gen++
	gen := f.gen
	errs := []error{f.set(off, false), f.set(on, true), f.set(f.Buzzer, true)}
	f.changed()
	f.mu.Unlock()
	f.schedule(gen, on, light, beep, beeps)
	if f.Screen != nil {
		errs = append(errs, f.Screen.Show(ctx, r.Message))
	}
	return errors.Join(errs...)
}

// schedule switches the buzzer through its beep pattern and the LED off,
// unless a newer signal has taken over the outputs.
func (f *GPIOFeedback) schedule(gen uint64, led *gpio.Output, light, beep time.Duration, beeps int) {
	at := func(d time.Duration, fn func()) {
		time.AfterFunc(d, func() {
			f.mu.Lock()
			defer f.mu.Unlock()
			if f.gen == gen {
				fn()
				f.changed()
			}
		})
	}
	for i := range beeps {
		start := time.Duration(2*i) * beep
		if i > 0 {
			at(start, func() { _ = f.set(f.Buzzer, true) })
		}
		at(start+beep, func() { _ = f.set(f.Buzzer, false) })
	}
	at(light, func() { _ = f.set(led, false) })
}

// Lights returns the outputs' state now.
func (f *GPIOFeedback) Lights() Lights {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.now
}

// set switches o (nil: not fitted) and keeps its state in f.now; f.mu held.
func (f *GPIOFeedback) set(o *gpio.Output, on bool) error {
	if o == nil {
		return nil
	}
	err := o.Set(on)
	if err == nil {
		switch o {
		case f.Green:
			f.now.Green = on
		case f.Red:
			f.now.Red = on
		case f.Buzzer:
			f.now.Buzzer = on
		}
	}
	return err
}

// changed reports the outputs' state; f.mu held.
func (f *GPIOFeedback) changed() {
	if f.OnChange != nil {
		f.OnChange(f.now)
	}
}

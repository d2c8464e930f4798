package simrig

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"time"

	"periph.io/x/conn/v3/gpio"

	"github.com/kiosk06/kiosk/drivers/emrtd/testpki"
	"github.com/kiosk06/kiosk/drivers/escpos"
	"github.com/kiosk06/kiosk/drivers/nfc"
	"github.com/kiosk06/kiosk/firmware/identity"
	"github.com/kiosk06/kiosk/firmware/profile"
)

// Do executes one simulator command (profile.SimCommand): what a button
// of the simulator panel, or a line of the --control socket, does to the
// simulated devices. SimRun is not executed here (it names a control of
// the panel: the caller looks it up and calls Run).
func (r *Rig) Do(ctx context.Context, c profile.SimCommand) error {
	switch c.Sim {
	case profile.SimTap, profile.SimScan:
		v, err := variantNamed(c.Variant)
		if err != nil {
			return err
		}
		if c.Sim == profile.SimScan && c.Text != "" {
			return r.scanText(c.Text)
		}
		who, err := testpki.ParsePerson(c.Citizen)
		if err != nil {
			return err
		}
		if c.Sim == profile.SimTap && c.Once {
			if c.RemoveAfter > 0 {
				return errors.New("simrig: tap with both remove_after and once")
			}
			return r.TapOnce(who, v)
		}
		if c.Sim == profile.SimTap {
			return r.TapCard(who, v, c.RemoveAfter)
		}
		return r.ScanQR(who, v)
	case profile.SimRemove:
		r.RemoveCard()
	case profile.SimScanPrinted:
		return r.ScanPrinted()
	case profile.SimPay:
		_, err := r.PayPending(r.deviceID)
		return err
	case profile.SimPaper:
		if r.Printer == nil {
			return errors.New("simrig: no simulated printer")
		}
		switch p := escpos.Paper(c.Paper); p {
		case escpos.PaperOK, escpos.PaperNearEnd, escpos.PaperEnd:
			r.Printer.SetPaper(p)
		default:
			return fmt.Errorf("simrig: paper %q: want ok, near_end or end", c.Paper)
		}
	case profile.SimCover:
		if r.Printer == nil {
			return errors.New("simrig: no simulated printer")
		}
		r.Printer.SetCover(c.On)
	case profile.SimFinger:
		if r.Fingerprint == nil {
			return errors.New("simrig: no simulated fingerprint module")
		}
		if c.Finger == "" {
			r.Fingerprint.LiftFinger()
		} else {
			r.Fingerprint.Touch(c.Finger, 3)
		}
	case profile.SimInput:
		return r.SetInput(c.Role, c.On)
	case profile.SimPress:
		return r.Press(ctx, c.Role)
	case profile.SimBackend:
		r.mu.Lock()
		do := r.actions[c.Action]
		r.mu.Unlock()
		if do == nil {
			return fmt.Errorf("simrig: no simulated back-end offers the action %q", c.Action)
		}
		return do(ctx)
	case profile.SimBHYT:
		if r.BHYTFake == nil {
			return errors.New("simrig: no simulated BHYT gateway")
		}
		r.BHYTFake.SetOutage(c.On)
	case profile.SimOutage:
		r.mu.Lock()
		set := r.outages[c.Role]
		r.mu.Unlock()
		if set == nil {
			return fmt.Errorf("simrig: no simulated back-end %q", c.Role)
		}
		set(c.On)
	default:
		return fmt.Errorf("simrig: unknown sim command %q", c.Sim)
	}
	return nil
}

// Run executes a control's commands in order, stopping at the first error.
func (r *Rig) Run(ctx context.Context, a profile.SimAction) error {
	for _, c := range a.Commands {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := r.Do(ctx, c); err != nil {
			return fmt.Errorf("%s: %w", c.Sim, err)
		}
	}
	return nil
}

// scanText makes the simulated scanner read text.
func (r *Rig) scanText(text string) error {
	if r.Scanner == nil {
		return errors.New("simrig: no simulated scanner")
	}
	return r.Scanner.Scan(text)
}

// ScanPrinted holds the newest printed slip that carries a QR code under
// the scanner: its (last) QR is scanned, as a driver does with a parking
// ticket.
func (r *Rig) ScanPrinted() error {
	if r.Printer == nil {
		return errors.New("simrig: no simulated printer")
	}
	pages := r.Printer.Pages()
	for i := len(pages) - 1; i >= 0; i-- {
		if q := pages[i].QR; len(q) > 0 {
			return r.scanText(q[len(q)-1])
		}
	}
	return errors.New("simrig: no printed slip with a QR code (yet)")
}

// SetInput drives a simulated gpio-in role: active (a vehicle on the loop,
// a button held) or not. The level follows the role's active_low.
func (r *Rig) SetInput(role string, active bool) error {
	spec, ok := r.cfg.Devices[role]
	if !ok || spec.Driver != "gpio-in" || spec.Pin != "sim" {
		return fmt.Errorf("simrig: %q is not a simulated input (gpio-in with pin = \"sim\")", role)
	}
	pin := r.SimPin(role)
	if pin == nil {
		return fmt.Errorf("simrig: input %q is not in use (the profile did not open it)", role)
	}
	level := gpio.Level(active != spec.ActiveLow)
	if err := pin.Out(level); err != nil {
		return err
	}
	select { // the edge the driver waits for; a full queue still has the level
	case pin.EdgesChan <- level:
	default:
	}
	return nil
}

// Press presses and releases a simulated button, held long enough for its
// debounce to accept it.
func (r *Rig) Press(ctx context.Context, role string) error {
	if err := r.SetInput(role, true); err != nil {
		return err
	}
	hold := 100*time.Millisecond + 3*r.cfg.Devices[role].Debounce.D()
	select {
	case <-ctx.Done():
	case <-time.After(hold):
	}
	return r.SetInput(role, false)
}

// PinStates returns the level of every simulated GPIO role in use, as active
// (true: LED lit, buzzer sounding, barrier open, vehicle on the loop).
func (r *Rig) PinStates() map[string]bool {
	out := map[string]bool{}
	for role, spec := range r.cfg.Devices {
		if spec.Pin != "sim" {
			continue
		}
		if p := r.SimPin(role); p != nil {
			out[role] = (p.Read() == gpio.High) != spec.ActiveLow
		}
	}
	return out
}

// ChipKeys knows the access key of the virtual card in the reader's field
// (its CAN), as an operator's registry of cards would: profiles that decide
// each tap on its own (the transit validator) can then read the chip and
// tell a genuine card from a forged one under --sim. Hand it to
// kiosk.Options.ChipKeys.
func (r *Rig) ChipKeys() identity.KeyFinder { return rigKeys{r} }

type rigKeys struct{ r *Rig }

func (k rigKeys) Keys(_ context.Context, _ nfc.Card) (identity.Keys, error) {
	k.r.mu.Lock()
	c := k.r.inField
	k.r.mu.Unlock()
	if c == nil || c.CAN == "" {
		return identity.Keys{}, fmt.Errorf("simrig: no known card in the field: %w", identity.ErrNoKey)
	}
	return identity.Keys{CAN: c.CAN}, nil
}

// Controls are the simulated devices' own controls (the panel's groups
// besides the running profile's): every card variant, QR codes, the
// fingerprint, the printer's paper and cover, the payment transfer, the
// BHYT gateway, the GPIO inputs.
func (r *Rig) Controls() []profile.SimGroup {
	one := func(label string, c ...profile.SimCommand) profile.SimAction {
		return profile.SimAction{Label: label, Commands: c}
	}
	var groups []profile.SimGroup
	if r.NFC != nil {
		g := profile.SimGroup{Title: "Thẻ CCCD (đầu đọc NFC)"}
		for _, v := range Variants {
			g.Actions = append(g.Actions, one("Chạm thẻ: "+v.String(), profile.SimCommand{Sim: profile.SimTap, Variant: v.String()}))
		}
		if c, err := r.Card(testpki.Adult, testpki.Genuine); err == nil {
			// The patient without a QR scan: the kiosk asks for this CAN.
			g.Actions = append(g.Actions, one("Chạm thẻ genuine, không quét QR (nhập CAN "+c.CAN+")", profile.SimCommand{Sim: profile.SimTap}))
		}
		g.Actions = append(g.Actions,
			one("Thẻ bị rút giữa chừng", profile.SimCommand{Sim: profile.SimTap, RemoveAfter: 8}),
			one("Rút thẻ ra", profile.SimCommand{Sim: profile.SimRemove}))
		groups = append(groups, g)
	}
	if r.Scanner != nil {
		g := profile.SimGroup{Title: "Mã QR (máy quét)"}
		for _, v := range []testpki.Variant{testpki.Genuine, testpki.BACOnly} {
			g.Actions = append(g.Actions, one("Quét QR thẻ: "+v.String(), profile.SimCommand{Sim: profile.SimScan, Variant: v.String()}))
		}
		g.Actions = append(g.Actions, one("Quét mã VNeID (không hỗ trợ)", profile.SimCommand{Sim: profile.SimScan, Text: "https://vneid.gov.vn/qr/placeholder"}))
		if r.Printer != nil {
			g.Actions = append(g.Actions, one("Quét QR trên phiếu vừa in", profile.SimCommand{Sim: profile.SimScanPrinted}))
		}
		groups = append(groups, g)
	}
	if r.Fingerprint != nil {
		groups = append(groups, profile.SimGroup{Title: "Vân tay", Actions: []profile.SimAction{
			one("Đặt ngón tay của chủ thẻ", profile.SimCommand{Sim: profile.SimFinger, Finger: "holder-right-index"}),
			one("Đặt ngón tay người khác", profile.SimCommand{Sim: profile.SimFinger, Finger: "someone-else"}),
			one("Nhấc ngón tay", profile.SimCommand{Sim: profile.SimFinger}),
		}})
	}
	if r.Printer != nil {
		groups = append(groups, profile.SimGroup{Title: "Máy in", Actions: []profile.SimAction{
			one("Giấy bình thường", profile.SimCommand{Sim: profile.SimPaper, Paper: string(escpos.PaperOK)}, profile.SimCommand{Sim: profile.SimCover}),
			one("Sắp hết giấy", profile.SimCommand{Sim: profile.SimPaper, Paper: string(escpos.PaperNearEnd)}),
			one("Hết giấy", profile.SimCommand{Sim: profile.SimPaper, Paper: string(escpos.PaperEnd)}),
			one("Mở nắp máy in", profile.SimCommand{Sim: profile.SimCover, On: true}),
		}})
	}
	if r.Payments != nil {
		groups = append(groups, profile.SimGroup{Title: "Thanh toán VietQR", Actions: []profile.SimAction{
			one("Xác nhận chuyển khoản", profile.SimCommand{Sim: profile.SimPay}),
		}})
	}
	if r.BHYTFake != nil {
		groups = append(groups, profile.SimGroup{Title: "Cổng BHYT", Actions: []profile.SimAction{
			one("BHYT hoạt động", profile.SimCommand{Sim: profile.SimBHYT}),
			one("BHYT mất kết nối", profile.SimCommand{Sim: profile.SimBHYT, On: true}),
		}})
	}
	if g := r.inputControls(); len(g.Actions) > 0 {
		groups = append(groups, g)
	}
	return groups
}

// inputControls are the simulated gpio-in roles' controls.
func (r *Rig) inputControls() profile.SimGroup {
	g := profile.SimGroup{Title: "Cảm biến và nút bấm"}
	var roles []string
	for role, spec := range r.cfg.Devices {
		if spec.Driver == "gpio-in" && spec.Pin == "sim" {
			roles = append(roles, role)
		}
	}
	sort.Strings(roles)
	for _, role := range roles {
		in := func(on bool) profile.SimCommand { return profile.SimCommand{Sim: profile.SimInput, Role: role, On: on} }
		switch role {
		case "loop":
			g.Actions = append(g.Actions,
				profile.SimAction{Label: "Có xe trên vòng từ", Commands: []profile.SimCommand{in(true)}},
				profile.SimAction{Label: "Không còn xe trên vòng từ", Commands: []profile.SimCommand{in(false)}})
		case "button":
			g.Actions = append(g.Actions, profile.SimAction{Label: "Nhấn nút lấy số",
				Commands: []profile.SimCommand{{Sim: profile.SimPress, Role: role}}})
		default:
			g.Actions = append(g.Actions,
				profile.SimAction{Label: "Bật " + role, Commands: []profile.SimCommand{in(true)}},
				profile.SimAction{Label: "Tắt " + role, Commands: []profile.SimCommand{in(false)}})
		}
	}
	return g
}

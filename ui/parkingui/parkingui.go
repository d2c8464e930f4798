// Package parkingui owns the parking exit lane's screen (issue 10): a
// compact landscape panel that renders a parking.State for the driver —
// the phase headline, the terminal's Vietnamese message, the fee
// ("12.000 ₫"), the VietQR code with a countdown while the terminal waits
// for the transfer, "barrier open / thank you", and the refusals (ticket
// already used, no entry found, payment timed out) — beside an attendant
// area: a plate keyboard (digits, the letters Vietnamese plates use, '-'
// and '.'), "Cho xe ra" (exit by plate), "Mất vé" (lost ticket) and
// "Hủy thanh toán" (cancel payment).
//
// The layout is drawn in Size (1920×1080 Fyne units, the kiosk's landscape
// size, so every button keeps theme.TouchTarget); the small panels lanes
// use (1024×600, 800×480) show it at a canvas scale of ScaleFor(panel)
// (FYNE_SCALE on the desktop driver).
//
// With an [admin] PIN file the lane offers its staff menu
// (firmware/staffmenu): a discreet "Nhân viên" button beside the
// attendant's heading while no vehicle is in progress
// (State.StaffOffered), and while the menu is open (parking.PhaseStaff)
// its screen (ui/staffui) over the whole lane screen — the PIN keypad,
// then the status, report and the lane's directions to open or close on
// the left and the actions on the right. A direction staff closed shows
// as a refusal (parking.PhaseClosed) under the "Tạm ngừng nhận xe"
// headline, the message saying which direction.
//
// Render is a pure function of the state; Screen keeps the attendant's
// typed plate and the staff screen (so the PIN keypad keeps its digits),
// runs Lane.Exit off the UI goroutine and re-renders on Apply; Mount is
// the room's entry point, a ui.Mount. It imports Fyne, firmware/parking
// (State, Intent, ExitRequest and the sentinel errors only),
// firmware/staffmenu (its View and Intent), firmware/config,
// firmware/profile (FlowOf), ui (the shared window and theme) and
// ui/{i18n,staffui,theme,widgets}; it must NOT import
// drivers/… nor call firmware/parking's Terminal directly
// (Mount takes the lane from the running profile's screen, profile.FlowOf,
// and passes it to Run as a Lane).
package parkingui

import (
	"context"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	fynetheme "fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/kiosk06/kiosk/firmware/parking"
	"github.com/kiosk06/kiosk/firmware/staffmenu"
	"github.com/kiosk06/kiosk/ui/i18n"
	"github.com/kiosk06/kiosk/ui/staffui"
	"github.com/kiosk06/kiosk/ui/widgets"
)

// Lane is what the screen needs of the lane terminal; *parking.Terminal
// implements it.
type Lane interface {
	// Exit lets a vehicle out (it blocks through the payment wait).
	Exit(ctx context.Context, req parking.ExitRequest) (parking.ExitResult, error)
	// CancelPayment stops a VietQR wait; it must not block.
	CancelPayment()
	// Send hands the lane an intent (the staff menu's); it must not block.
	Send(in parking.Intent)
}

// Size is the layout's size in Fyne units (landscape).
var Size = fyne.NewSize(1920, 1080)

// ScaleFor is the canvas scale that fits Size on a panel of the given
// pixel size (0.533 for 1024×600, 0.417 for 800×480, 1 for 1920×1080).
func ScaleFor(panel fyne.Size) float32 {
	return min(panel.Width/Size.Width, panel.Height/Size.Height)
}

// qrSide is the VietQR code's side in units (≈ 5 cm on a 7" 1024×600
// panel: banking apps read it from 20–40 cm).
const qrSide float32 = 400

// Env is what Render needs besides the state.
type Env struct {
	// T is the catalogue (Vietnamese on the lane).
	T *i18n.Catalog
	// Now is the countdown's clock (time.Now; fixed in tests).
	Now func() time.Time
	// Attendant is the attendant area's state and actions.
	Attendant Attendant
	// OnCountdown receives the payment countdown Render made so the owner
	// can run its ticker (widgets.Countdown.Run); nil leaves it static.
	OnCountdown func(*widgets.Countdown)
	// Staff renders the staff menu's screen (parking.PhaseStaff); the
	// owner keeps one across renders so the PIN keypad keeps its digits.
	// Nil: a screen whose taps go nowhere.
	Staff *staffui.Screen
}

// Attendant is the attendant area: the typed plate and the taps.
type Attendant struct {
	Plate string // typed so far
	Busy  bool   // an Exit is in flight: Exit and Lost are disabled
	Note  string // a short result line under the buttons (translated)
	// Press is a key: letters, digits, '-', '.', or '\b' (delete).
	Press func(r rune)
	// Exit (by plate), Lost (ticket lost, by plate) and Cancel (payment).
	Exit, Lost, Cancel func()
	// Staff opens the staff menu: the discreet "Nhân viên" button shows
	// while the state offers it (State.StaffOffered) and Staff is set.
	Staff func()
}

// Render draws the whole lane screen for s: the driver's side on the left,
// the attendant area on the right.
func Render(s parking.State, env Env) fyne.CanvasObject {
	if env.Now == nil {
		env.Now = time.Now
	}
	if s.Phase == parking.PhaseStaff && s.Staff != nil {
		return staffPage(s.Staff, env)
	}
	driver := container.NewBorder(headline(s, env), nil, nil, nil, driverBody(s, env))
	return container.NewPadded(container.NewBorder(nil, nil, nil, attendantPanel(s, env), driver))
}

// headline is the phase title.
func headline(s parking.State, env Env) fyne.CanvasObject {
	key := "parking.phase." + string(s.Phase)
	if !env.T.Has(key) {
		key = "parking.phase.error"
	}
	return widgets.Headline(env.T.T(key))
}

// driverBody dispatches on the phase.
func driverBody(s parking.State, env Env) fyne.CanvasObject {
	switch s.Phase {
	case parking.PhaseAwaitingPayment:
		return paymentBody(s, env)
	case parking.PhasePaid:
		return paidBody(s, env)
	case parking.PhaseAlreadyInside, parking.PhaseAlreadyExited, parking.PhaseUnknownTicket,
		parking.PhasePaymentTimeout, parking.PhasePaymentFailed, parking.PhaseError, parking.PhaseOutOfService, parking.PhaseClosed:
		return refusalBody(s, env)
	default:
		return idleBody(s, env)
	}
}

func idleBody(s parking.State, env Env) fyne.CanvasObject {
	icon := fynetheme.NavigateNextIcon()
	if s.Phase == parking.PhaseBarrierOpen || s.Phase == parking.PhaseTicketIssued {
		icon = fynetheme.ConfirmIcon()
	}
	body := container.NewVBox(layout.NewSpacer(), widgets.BigIcon(icon, fynetheme.ColorNamePrimary),
		centred(widgets.Subheading(s.Message)))
	if s.Phase == parking.PhaseIdle {
		body.Add(centred(widgets.Paragraph(env.T.T("parking.idle.hint"))))
	}
	body.Add(layout.NewSpacer())
	return body
}

// paymentBody: the code with the fee, countdown and message beside it,
// the visit's details below.
func paymentBody(s parking.State, env Env) fyne.CanvasObject {
	var code fyne.CanvasObject
	if img, err := widgets.NewQRCode(s.QRPayload, qrSide); err == nil {
		code = container.NewCenter(widgets.Card(img))
	} else {
		code = widgets.ErrorBody("", "", env.T.T("common.what_next"), env.T.T("parking.next.staff"), false, false)
	}
	cd := widgets.NewCountdown(s.Deadline, env.Now, func(d time.Duration) string {
		return env.T.T("parking.remaining", "time", env.T.Clock(d))
	})
	if env.OnCountdown != nil {
		env.OnCountdown(cd)
	}
	msg := widgets.Paragraph(s.Message)
	right := container.NewVBox(widgets.Display(env.T.Money(int64(s.Amount))))
	if s.Lost {
		right.Add(banner(env.T.T("parking.lost")))
	}
	right.Add(cd)
	right.Add(msg)
	return container.NewVBox(container.NewBorder(nil, nil, code, nil, right), widgets.Panel(details(s, env)))
}

func paidBody(s parking.State, env Env) fyne.CanvasObject {
	body := container.NewVBox(widgets.BigIcon(fynetheme.ConfirmIcon(), fynetheme.ColorNameSuccess),
		centred(widgets.Subheading(env.T.T("parking.barrier_open"))))
	if s.Amount > 0 {
		body.Add(widgets.Display(env.T.Money(int64(s.Amount))))
	}
	body.Add(centred(widgets.Subheading(s.Message)))
	return body
}

// refusalBody: what happened (the terminal's message) and what to do next;
// a payment timeout is a warning (the attendant can retry), the rest errors.
// Out of service (a record could not be stored) says the barrier stays
// shut; the terminal's message asks the driver to contact the staff
// (nothing alerted them).
func refusalBody(s parking.State, env Env) fyne.CanvasObject {
	warning := s.Phase == parking.PhasePaymentTimeout
	next := env.T.T("parking.next.staff")
	if s.Phase == parking.PhaseOutOfService {
		next = env.T.T("parking.next.out_of_service")
	}
	body := container.NewVBox(widgets.ErrorBody(env.T.T("common.what_happened"), s.Message,
		env.T.T("common.what_next"), next, warning, true))
	if s.Phase == parking.PhaseOutOfService {
		s.Lines = nil // the fee row is enough for the attendant; the message is longer
	}
	if f := details(s, env); len(f) > 0 {
		body.Add(widgets.Panel(f))
	}
	return body
}

// details are the fee panel's rows: what is known of the visit.
func details(s parking.State, env Env) []widgets.Field {
	var f []widgets.Field
	add := func(key, v string) {
		if v != "" {
			f = append(f, widgets.Field{Label: env.T.T(key), Value: v})
		}
	}
	plate := s.Plate
	if k := "parking.vehicle." + string(s.Vehicle); s.Vehicle != "" && env.T.Has(k) {
		plate = strings.TrimPrefix(plate+" · "+env.T.T(k), " · ")
	}
	add("parking.field.plate", plate)
	add("parking.field.ticket", s.TicketID)
	if !s.EntryAt.IsZero() {
		entry := s.EntryAt.Format("15:04")
		if y, m, d := s.EntryAt.Date(); s.ExitAt.IsZero() || y != s.ExitAt.Year() || m != s.ExitAt.Month() || d != s.ExitAt.Day() {
			entry += " " + env.T.Date(s.EntryAt)
		}
		add("parking.field.entry", entry)
		if !s.ExitAt.IsZero() && s.ExitAt.After(s.EntryAt) {
			m := int(s.ExitAt.Sub(s.EntryAt) / time.Minute)
			add("parking.field.duration", env.T.T("parking.duration", "h", strconv.Itoa(m/60), "m", strconv.Itoa(m%60)))
		}
	}
	for _, l := range s.Lines {
		f = append(f, widgets.Field{Label: l.Text, Value: env.T.Money(int64(l.Amount))})
	}
	if s.Phase != parking.PhaseAwaitingPayment && s.Amount > 0 {
		add("parking.fee", env.T.Money(int64(s.Amount)))
	}
	return f
}

// staffPage is the staff menu's screen over the whole lane screen: the
// driver's side has nothing to show while staff are on the lane (the lane
// takes no vehicle meanwhile).
func staffPage(v *staffmenu.View, env Env) fyne.CanvasObject {
	scr := env.Staff
	if scr == nil {
		scr = &staffui.Screen{T: env.T, Send: func(staffmenu.Intent) {}}
	}
	page := scr.Page(v)
	if !v.LoggedIn {
		// The keypad, and Back below it.
		page.Landscape = true
		return page.Build()
	}
	// Logged in: the message, status, report and services on the left
	// (scrolling), the actions two a row on the right with Logout under
	// them — one landscape row of the menu's seven buttons is wider than
	// Size, and the portrait page leaves the status a sliver.
	actions := container.NewGridWithColumns(2)
	for _, b := range page.Actions {
		actions.Add(b)
	}
	var back fyne.CanvasObject
	if page.Back != nil {
		back = page.Back
	}
	right := container.NewBorder(nil, back, nil, nil, container.NewVBox(actions))
	return container.NewPadded(container.NewBorder(widgets.Headline(page.Title), nil, nil, nil,
		container.NewGridWithColumns(2, container.NewVScroll(page.Body), right)))
}

// banner is a highlighted (warning-coloured, bold) line.
func banner(text string) fyne.CanvasObject {
	l := widgets.Paragraph(text)
	l.TextStyle.Bold = true
	l.Alignment = fyne.TextAlignCenter
	l.Importance = widget.WarningImportance
	return l
}

// centred centres a label's text.
func centred(l *widget.Label) fyne.CanvasObject {
	l.Alignment = fyne.TextAlignCenter
	return l
}

// Package checkinui owns the identity check-in point's screens (issue 21):
// one compact landscape screen per checkin.Screen, for every mode (lodging,
// verify, attendance, gate), staff-operated or self-service. It renders a
// checkin.State and reports taps as checkin.Intent values: read the card →
// the verdict (genuine or not, the holder's finger) → the mode's action —
// lodging check-in with room, departure and reason, check-out; the
// customer verification; the candidate accepted or refused with the
// reason; entry or exit with the live occupancy against the capacity — and
// the statistics screen with its periods, print and export (CSV, XLSX, the
// stay notification).
//
// Screens hold no business rules: which buttons show, their labels and
// which one is primary come from State.Actions, the messages from the flow
// (checkin.Text); the screens' own few words (headings, field names) are
// here, in Vietnamese (register "Ông/Bà", "Quý khách") and English; the
// words it shares with the other kiosks (the display switches, "Nghe
// hướng dẫn") come from ui/i18n. Times and dates are shown in the
// configured zone (Env.Location). Every action button carries a picture
// (icons.go); the window (Mount) has "Chữ lớn" and "Tương phản cao" in the
// header, reset for each person, with large text on by itself for a person
// of 60 or more (ui/theme.Session), and with a voice (MountSpeaking) a
// "Nghe hướng dẫn" button in the header.
//
// The layout is drawn in Size (1920×1080 Fyne units, landscape) with every
// tap target at least theme.TouchTarget; the person read, or the point's
// live numbers, stay in a panel on the right so the staff see them beside
// the step. A smaller panel shows it at a canvas scale (FYNE_SCALE), as
// ui/parkingui.
//
// With a staff menu (checkin.IntentStaff offered) the ready screen has
// the discreet "Nhân viên" button under the live numbers, and the staff
// screen is ui/staffui's (one staffui.Screen per opening, so the PIN
// keypad keeps its digits across states), its actions and services beside
// the status or report.
//
// It imports Fyne, firmware/checkin and firmware/staffmenu (types only),
// firmware/config (the [ui] and [device] sections), firmware/profile (the
// Flow contract), ui (the shared window) and ui/{i18n,staffui,theme,widgets};
// it must NOT import drivers/… or firmware/simrig.
package checkinui

import (
	"fmt"
	"image/color"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	fynetheme "fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/kiosk06/kiosk/firmware/checkin"
	"github.com/kiosk06/kiosk/firmware/identity"
	"github.com/kiosk06/kiosk/firmware/staffmenu"
	"github.com/kiosk06/kiosk/ui/i18n"
	"github.com/kiosk06/kiosk/ui/staffui"
	"github.com/kiosk06/kiosk/ui/widgets"
)

// Size is the landscape layout's size in Fyne units.
var Size = fyne.NewSize(1920, 1080)

// sideWidth is the right panel's width (the person read, live numbers).
const sideWidth float32 = 540

// roomLen is the longest room name the flow takes.
const roomLen = 10

// Env is what Render needs besides the state.
type Env struct {
	// Send reports a tap (nil: taps do nothing, as in goldens).
	Send func(checkin.Intent)
	// Location is the configured time zone (nil: Asia/Ho_Chi_Minh, UTC+7).
	Location *time.Location
	// English shows the English texts ([ui] language = "en").
	English bool
	// Entry is what is being typed (owned by the Screen: the page is
	// rebuilt with every state).
	Entry *Entry
	// Display is the large-text and high-contrast switches in the header
	// (as at the hospital kiosk); nil toggles hide them (goldens).
	Display Display
	// Listen, when set, is the "Nghe hướng dẫn" button in the header: it
	// says the screen's guidance again.
	Listen func()
	// Staff renders the staff menu's screen (owned by the Screen, kept
	// across renders so the PIN keypad keeps what was typed); nil: a new
	// one for this render (goldens).
	Staff *staffui.Screen
}

// Display is the state of the accessibility switches and what they do.
type Display struct {
	HighContrast, LargeText         bool
	ToggleContrast, ToggleLargeText func()
}

// shared is a word the check-in screens share with the other kiosks
// (ui/i18n: the display switches, "Nghe hướng dẫn").
func (e Env) shared(key string) string { return e.catalog().T(key) }

// catalog is ui/i18n's catalogue of the screen's language (an empty one,
// which shows "[key]", if it did not load).
func (e Env) catalog() *i18n.Catalog {
	c := catalogs[i18n.Vietnamese]
	if e.English {
		c = catalogs[i18n.English]
	}
	if c == nil {
		return &i18n.Catalog{}
	}
	return c
}

// NewStaffScreen is the staff menu's screen of a check-in point in the
// [ui] language: its taps go to send wrapped in checkin.IntentStaff.
func NewStaffScreen(english bool, send func(checkin.Intent)) *staffui.Screen {
	return &staffui.Screen{T: Env{English: english}.catalog(), Send: func(in staffmenu.Intent) {
		if send != nil {
			send(checkin.Intent{Kind: checkin.IntentStaff, Staff: &in})
		}
	}}
}

// catalogs are ui/i18n's catalogues, loaded once from the embedded files
// and never written after.
var catalogs = func() map[i18n.Lang]*i18n.Catalog {
	out := map[i18n.Lang]*i18n.Catalog{}
	for _, l := range i18n.Languages() {
		if c, err := i18n.Load(l); err == nil {
			out[l] = c
		}
	}
	return out
}()

// Entry is what the staff or the person is typing: the CAN digits and the
// lodging room.
type Entry struct {
	CAN  string
	Room string
	// RoomTyped: Room holds what was typed (else the state's room shows).
	RoomTyped bool
	// Changed re-renders after a key that changes only local text.
	Changed func()
}

func (e *Entry) changed() {
	if e.Changed != nil {
		e.Changed()
	}
}

func (e Env) loc() *time.Location {
	if e.Location == nil {
		return time.FixedZone("ICT", 7*3600)
	}
	return e.Location
}

func (e Env) send(in checkin.Intent) func() {
	return func() {
		if e.Send != nil {
			e.Send(in)
		}
	}
}

// t picks a flow message in the screen's language.
func (e Env) t(x checkin.Text) string {
	if e.English && x.EN != "" {
		return x.EN
	}
	return x.VI
}

// w picks the screen's own word in the screen's language.
func (e Env) w(vi, en string) string {
	if e.English {
		return en
	}
	return vi
}

// Render draws the window content for s: the top bar (the point's site
// and mode), the screen, the actions in one bottom row.
func Render(s checkin.State, env Env) fyne.CanvasObject {
	if env.Entry == nil {
		env.Entry = &Entry{}
	}
	p := page{Title: env.t(s.Title)}
	switch {
	case s.Screen == checkin.ScreenReady && s.Ready != nil:
		ready(&p, s, env)
	case s.Screen == checkin.ScreenReading && s.Reading != nil:
		reading(&p, s, env)
	case s.Screen == checkin.ScreenHolder && s.Holder != nil:
		holder(&p, s, env)
	case s.Screen == checkin.ScreenLodging && s.Lodging != nil:
		lodging(&p, s, env)
	case s.Screen == checkin.ScreenResult && s.Result != nil:
		result(&p, s, env)
	case s.Screen == checkin.ScreenReport && s.Report != nil:
		report(&p, s, env)
	case s.Screen == checkin.ScreenStaff && s.Staff != nil:
		staff(&p, s, env)
	case s.Screen == checkin.ScreenOutOfService && s.OutOfService != nil:
		p.Title = env.w("Tạm dừng phục vụ", "Out of service")
		since := env.w("Từ ", "Since ") + s.OutOfService.Since.In(env.loc()).Format("15:04 02/01/2006")
		p.Body = widgets.ErrorBody(env.w("Điều gì đã xảy ra", "What happened"), env.t(s.OutOfService.Message),
			env.w("Thời điểm", "When"), since, true, true)
	}
	placeActions(&p, s, env)
	return p.build(s, env)
}

// page is a compact landscape screen: one header row (the title, the site
// and mode on the right), the body, one row of actions (Back or Cancel
// first, equal widths) — the screen's height goes to the body.
type page struct {
	Title   string
	Body    fyne.CanvasObject
	Back    *widgets.Button
	Actions []*widgets.Button
}

func (p page) build(s checkin.State, env Env) fyne.CanvasObject {
	where := container.NewVBox(widgets.Caption(s.Site), widgets.Caption(modeName(s.Mode, env)))
	for _, o := range where.Objects {
		o.(*widget.Label).Alignment = fyne.TextAlignTrailing
	}
	right := container.NewHBox()
	if env.Listen != nil {
		// In the header, not the action row: the row's equal widths would
		// push four long labels past the panel.
		l := widgets.ListenButton(env.shared("voice.listen"), env.Listen)
		l.TextSize = fynetheme.SizeNameText
		// Room for the loudspeaker icon, which a button draws only where
		// its label leaves space.
		right.Add(container.NewStack(space(l.MinSize().Width+2*fynetheme.Size(fynetheme.SizeNameText), 0), l))
	}
	if env.Display.ToggleLargeText != nil {
		for _, t := range []struct {
			on  bool
			key string
			do  func()
		}{{env.Display.LargeText, "shell.large_text", env.Display.ToggleLargeText}, {env.Display.HighContrast, "shell.high_contrast", env.Display.ToggleContrast}} {
			kind := widgets.Secondary
			if t.on {
				kind = widgets.Primary // shows it is on
			}
			b := widgets.NewButton(env.shared(t.key), kind, t.do)
			b.TextSize = fynetheme.SizeNameText
			right.Add(b)
		}
	}
	right.Add(where)
	top := container.NewBorder(nil, nil, nil, right, widgets.Headline(p.Title))
	var row []fyne.CanvasObject
	if p.Back != nil {
		row = append(row, p.Back)
	}
	for _, b := range p.Actions {
		row = append(row, b)
	}
	var bottom fyne.CanvasObject
	if len(row) > 0 {
		bottom = container.NewVBox(space(0, 12), container.NewGridWithColumns(len(row), row...))
	}
	body := p.Body
	if body == nil {
		body = layout.NewSpacer()
	}
	return container.NewPadded(container.NewBorder(top, bottom, nil, nil, body))
}

// placeActions puts the state's actions in the bottom row: Back (or
// Cancel) first, the primary next, the rest after. The report's stay
// export is drawn in the report body (it takes a format).
func placeActions(p *page, s checkin.State, env Env) {
	var main []*widgets.Button
	for _, a := range s.Actions {
		label := env.t(a.Label)
		kind := widgets.Secondary
		if a.Primary {
			kind = widgets.Primary
		}
		in := checkin.Intent{Kind: a.Kind}
		switch a.Kind {
		case checkin.IntentExportASM, checkin.IntentStaff:
			continue // drawn in the body: the export takes a format; the staff button is discreet
		case checkin.IntentBack:
			p.Back = widgets.NewIconButton(actionIcon(a.Kind), label, kind, env.send(in))
			continue
		case checkin.IntentCancel:
			p.Back = widgets.NewIconButton(actionIcon(a.Kind), label, widgets.Danger, env.send(in))
			continue
		case checkin.IntentReport:
			in.Value = "day"
		}
		b := widgets.NewIconButton(actionIcon(a.Kind), label, kind, env.send(in))
		if a.Primary {
			main = append([]*widgets.Button{b}, main...)
		} else {
			main = append(main, b)
		}
	}
	p.Actions = append(p.Actions, main...)
}

func modeName(m checkin.Mode, env Env) string {
	switch m {
	case checkin.ModeLodging:
		return env.w("Chế độ: lưu trú", "Mode: lodging")
	case checkin.ModeVerify:
		return env.w("Chế độ: xác thực khách hàng", "Mode: verification")
	case checkin.ModeAttendance:
		return env.w("Chế độ: điểm danh", "Mode: attendance")
	case checkin.ModeGate:
		return env.w("Chế độ: kiểm soát ra vào", "Mode: entry and exit")
	}
	return ""
}

// withSide lays main out with the right-hand panel side (nil: main only).
func withSide(main, side fyne.CanvasObject) fyne.CanvasObject {
	return withSideOf(sideWidth, main, side)
}

// withSideOf is withSide with a side panel width wide.
func withSideOf(wide float32, main, side fyne.CanvasObject) fyne.CanvasObject {
	if side == nil {
		return main
	}
	return container.NewBorder(nil, nil, nil, container.NewHBox(space(24, 0), container.NewStack(space(wide, 0), side)), main)
}

// personPanel is the person read: name, masked ID, birth date, the card's
// verdict and the holder check.
func personPanel(s checkin.State, env Env) fyne.CanvasObject {
	p := s.Person
	if p == nil {
		return nil
	}
	verdict := widgets.Subheading(env.t(p.Genuine))
	verdict.Importance = widget.SuccessImportance
	if p.Verdict != identity.Genuine {
		verdict.Importance = widget.DangerImportance
	}
	fields := []widgets.Field{
		{Label: env.w("Họ và tên", "Name"), Value: p.Name},
		{Label: env.w("Số định danh", "ID number"), Value: p.MaskedID},
		{Label: env.w("Ngày sinh", "Born"), Value: dateVN(p.DOB)},
		{Label: env.w("Vân tay", "Fingerprint"), Value: holderText(s, env)},
	}
	return container.NewVBox(widgets.Subheading(env.w("Người xuất trình thẻ", "Person presenting the card")),
		widgets.Panel(fields, verdict))
}

func holderText(s checkin.State, env Env) string {
	switch s.Person.Holder {
	case "matched":
		return env.w("Khớp với chủ thẻ", "Matches the holder")
	case "mismatch":
		return env.w("Không khớp chủ thẻ", "Does not match")
	case "not_enrolled":
		return env.w("Chưa đăng ký", "Not enrolled")
	case "skipped":
		return env.w("Cán bộ bỏ qua", "Skipped by staff")
	case "module_absent":
		return env.w("Không có máy", "No module")
	case "enrolled":
		return env.w("Vừa đăng ký (có đồng ý)", "Just enrolled (consent)")
	case "enrol_failed":
		return env.w("Không đăng ký được", "Enrolment failed")
	}
	switch {
	case s.Screen == checkin.ScreenHolder && s.Holder != nil && s.Holder.Offer:
		return env.w("Chưa đăng ký", "Not enrolled")
	case s.Screen == checkin.ScreenHolder && s.Holder != nil && s.Holder.Enrolling:
		return env.w("Đang đăng ký…", "Enrolling…")
	case s.Screen == checkin.ScreenHolder:
		return env.w("Đang kiểm tra…", "Checking…")
	}
	return "—"
}

func ready(p *page, s checkin.State, env Env) {
	r := s.Ready
	main := container.NewVBox(layout.NewSpacer(), widgets.BigIcon(fynetheme.AccountIcon(), fynetheme.ColorNamePrimary),
		centred(widgets.Subheading(env.t(r.Message))))
	if s.Mode == checkin.ModeGate {
		main.Add(directionRow(r, env))
	}
	if r.Closed.Key != "" {
		main.Add(banner(env.t(r.Closed)))
	}
	main.Add(layout.NewSpacer())
	side := liveNumbers(s, env)
	if s.Has(checkin.IntentStaff) {
		// Discreet, under the live numbers: not one of the screen's choices.
		b := staffui.EntryButton(env.catalog(), env.send(checkin.Intent{Kind: checkin.IntentStaff}))
		b.TextSize = fynetheme.SizeNameText
		side = container.NewBorder(nil, container.NewHBox(layout.NewSpacer(), b), nil, nil, side)
	}
	p.Body = withSide(main, side)
}

// staff is the staff menu (ui/staffui) in the check-in page: its title;
// its message, keypad, status or report on the left; on the right its
// actions in a grid (up to six: more than the bottom row holds) and the
// services to open or close (taken out of staffui's body so that the
// status fits beside them); Back or logout alone in the bottom row.
func staff(p *page, s checkin.State, env Env) {
	scr := env.Staff
	if scr == nil {
		scr = NewStaffScreen(env.English, env.Send)
	}
	v := *s.Staff
	services := v.Services
	v.Services = nil
	wp := scr.Page(&v)
	p.Title, p.Back = wp.Title, wp.Back
	// A little room on the right: the scroller clips the panels' border.
	body := container.NewVScroll(container.NewBorder(nil, nil, nil, space(4, 0), wp.Body))
	if len(wp.Actions) == 0 && len(services) == 0 {
		p.Body = body
		return
	}
	side := container.NewVBox()
	if len(wp.Actions) > 0 {
		grid := container.NewGridWithColumns(2)
		for _, b := range wp.Actions {
			grid.Add(b)
		}
		side.Add(grid)
	}
	if len(services) > 0 {
		side.Add(space(0, 12))
		side.Add(widgets.Paragraph(scr.T.T("staff.services")))
		for _, sv := range services {
			kind, label := widgets.Secondary, scr.T.T("staff.service_is_open", "service", sv.Service)
			if !sv.Open {
				kind, label = widgets.Danger, scr.T.T("staff.service_is_closed", "service", sv.Service)
			}
			in := staffmenu.Intent{Kind: staffmenu.IntentService, Service: sv.Service, Open: !sv.Open}
			b := widgets.NewButton(label, kind, func() { scr.Send(in) })
			if v.Busy {
				b.Disable()
			}
			side.Add(b)
		}
	}
	p.Body = withSideOf(720, body, side)
}

// directionRow is the gate's direction: two switches, or the fixed one.
func directionRow(r *checkin.Ready, env Env) fyne.CanvasObject {
	name := map[string]string{"entry": env.w("Chiều vào", "Entry"), "exit": env.w("Chiều ra", "Exit")}
	if r.DirectionFixed {
		return centred(widgets.Subheading(env.w("Cổng một chiều: ", "One-way gate: ") + name[r.Direction]))
	}
	row := container.NewGridWithColumns(2)
	for _, d := range []string{"entry", "exit"} {
		kind := widgets.Secondary
		if d == r.Direction {
			kind = widgets.Primary
		}
		row.Add(widgets.NewButton(name[d], kind, env.send(checkin.Intent{Kind: checkin.IntentDirection, Value: d})))
	}
	return container.NewVBox(centred(widgets.Caption(env.w("Chiều đang kiểm soát", "Direction checked"))), row)
}

// liveNumbers is the ready screen's panel: the mode's live figure and
// today's reads.
func liveNumbers(s checkin.State, env Env) fyne.CanvasObject {
	r := s.Ready
	box := container.NewVBox()
	switch s.Mode {
	case checkin.ModeGate:
		fig := strconv.Itoa(r.Occupancy)
		if r.Capacity > 0 {
			fig += " / " + strconv.Itoa(r.Capacity)
		}
		box.Add(widgets.Display(fig))
		box.Add(centred(widgets.Paragraph(env.w("người đang ở bên trong", "people inside"))))
		if r.Capacity > 0 {
			left := max(r.Capacity-r.Occupancy, 0)
			box.Add(widgets.NewProgress(float64(r.Occupancy)/float64(r.Capacity),
				env.w(fmt.Sprintf("Còn nhận được %d khách", left), fmt.Sprintf("Room for %d more", left))))
		}
	case checkin.ModeLodging:
		box.Add(widgets.Display(strconv.Itoa(r.InHouse)))
		box.Add(centred(widgets.Paragraph(env.w("khách đang lưu trú", "guests staying"))))
	case checkin.ModeAttendance:
		box.Add(widgets.Display(strconv.Itoa(r.Accepted) + " / " + strconv.Itoa(r.Listed)))
		box.Add(centred(widgets.Paragraph(env.w("thí sinh đã điểm danh", "candidates checked in"))))
		if r.Session != "" {
			box.Add(centred(widgets.Caption(env.w("Ca thi ", "Session ") + r.Session)))
		}
	}
	today := []widgets.Field{
		{Label: env.w("Đọc thẻ hôm nay", "Reads today"), Value: strconv.Itoa(r.Reads)},
		{Label: env.w("Thẻ thật", "Genuine"), Value: strconv.Itoa(r.Genuine)},
	}
	box.Add(widgets.Panel(today))
	return box
}

func reading(p *page, s checkin.State, env Env) {
	r := s.Reading
	if !r.NeedCAN {
		p.Body = container.NewVBox(layout.NewSpacer(), widgets.BigIcon(fynetheme.DocumentIcon(), fynetheme.ColorNamePrimary),
			widgets.NewProgress(r.Progress, env.t(r.Message)), layout.NewSpacer())
		return
	}
	main := container.NewVBox(layout.NewSpacer(), widgets.BigIcon(fynetheme.DocumentIcon(), fynetheme.ColorNamePrimary),
		centred(widgets.Subheading(env.t(r.Message))),
		centred(widgets.Paragraph(env.w("Không đọc được mã QR trên thẻ: nhập 6 số cuối của số định danh in trên thẻ",
			"The card's QR code was not read: type the last 6 digits of the ID number printed on the card"))))
	switch {
	case r.CANError.Key != "":
		main.Add(banner(env.t(r.CANError)))
	case r.CANAttemptsLeft > 0:
		main.Add(centred(widgets.Caption(env.w(fmt.Sprintf("Còn %d lần thử", r.CANAttemptsLeft), fmt.Sprintf("%d tries left", r.CANAttemptsLeft)))))
	}
	main.Add(layout.NewSpacer())
	kp := widgets.NewKeypad(widgets.KeypadLabels{Delete: env.w("Xóa", "Delete"), OK: "OK"}, 6, 6, func(d string) {
		env.Entry.CAN = ""
		env.send(checkin.Intent{Kind: checkin.IntentCAN, Digits: d})()
	})
	kp.TextSize = fynetheme.SizeNameSubHeadingText
	kp.SetValue(env.Entry.CAN)
	kp.OnChanged = func(v string) { env.Entry.CAN = v }
	p.Body = withSide(main, kp)
}

func holder(p *page, s checkin.State, env Env) {
	h := s.Holder
	prompt := env.t(h.Message)
	switch h.Prompt {
	case "lift":
		prompt = env.w("Mời nhấc ngón tay ra", "Lift the finger")
	case "again":
		prompt = env.w("Mời đặt lại ngón tay lên cảm biến", "Place the finger again")
	case "capture":
		prompt = env.w("Đang đọc vân tay, vui lòng giữ nguyên…", "Reading the fingerprint…")
	}
	note := env.w("Kiểm tra người xuất trình có đúng là chủ thẻ (đối chiếu 1:1 với vân tay đã đăng ký)",
		"Checks that the person is the card's holder (1:1 against the enrolled finger)")
	switch {
	case h.Offer:
		prompt = env.t(h.Message)
		note = env.w("Cán bộ hỏi ý kiến chủ thẻ trước khi bấm “Khách đồng ý”. Không đồng ý thì vẫn được phục vụ: cán bộ đối chiếu ảnh thẻ.",
			"Ask the holder first. Declining refuses nothing: the staff compare the card's photo.")
	case h.Enrolling:
		note = env.t(h.Message)
	}
	main := container.NewVBox(layout.NewSpacer(), widgets.BigIcon(fynetheme.VisibilityIcon(), fynetheme.ColorNamePrimary),
		centred(widgets.Subheading(prompt)), centred(widgets.Paragraph(note)), layout.NewSpacer())
	p.Body = withSide(main, personPanel(s, env))
}

// lodging is the check-in form: the room (typed on the keys), the nights
// (the departure), the reason, the arrival and the notification deadline.
func lodging(p *page, s checkin.State, env Env) {
	f := s.Lodging
	loc := env.loc()
	room := f.Room
	if env.Entry.RoomTyped {
		room = env.Entry.Room
	}
	roomLabel, roomBox := widgets.Subheading(env.w("Số phòng:", "Room:")), widgets.Headline(firstOf(room, "…"))
	roomLabel.Wrapping, roomBox.Wrapping = fyne.TextWrapOff, fyne.TextWrapOff // side by side in a row: no wrapping
	keys := container.NewGridWithColumns(5)
	press := func(r rune) func() {
		return func() {
			v := room
			switch {
			case r == '\b':
				if v == "" {
					return
				}
				rs := []rune(v)
				v = string(rs[:len(rs)-1])
			case len([]rune(v)) >= roomLen:
				return
			default:
				v += string(r)
			}
			env.Entry.Room, env.Entry.RoomTyped = v, true
			env.send(checkin.Intent{Kind: checkin.IntentField, Key: "room", Value: v})()
			env.Entry.changed()
		}
	}
	for _, r := range "1234567890ABCD" {
		keys.Add(widgets.NewButton(string(r), widgets.Secondary, press(r)))
	}
	keys.Add(widgets.NewButton(env.w("Xóa", "Delete"), widgets.Secondary, press('\b')))

	arrival := f.Arrival.In(loc)
	nights := container.NewGridWithColumns(4)
	for _, n := range []int{1, 2, 3, 7} {
		d := arrival.AddDate(0, 0, n).Format("02/01/2006")
		kind := widgets.Secondary
		if d == f.Departure {
			kind = widgets.Primary
		}
		nights.Add(widgets.NewSubButton(env.w(fmt.Sprintf("%d đêm", n), fmt.Sprintf("%d night(s)", n)), d[:5], kind,
			env.send(checkin.Intent{Kind: checkin.IntentField, Key: "departure", Value: d})))
	}
	reasons := container.NewGridWithColumns(2)
	for _, r := range f.Reasons {
		kind := widgets.Secondary
		if r == f.Reason {
			kind = widgets.Primary
		}
		reasons.Add(widgets.NewButton(r, kind, env.send(checkin.Intent{Kind: checkin.IntentField, Key: "reason", Value: r})))
	}
	when := arrival.Format("15:04 02/01/2006")
	info := widgets.Paragraph(env.w("Nhận phòng lúc "+when+", ngày đi "+firstOf(f.Departure, "—")+".\nHạn thông báo lưu trú: "+
		f.NotifyBy.In(loc).Format("15:04 02/01/2006")+".", "Arrival "+when+", departure "+firstOf(f.Departure, "—")+
		".\nNotify the stay by "+f.NotifyBy.In(loc).Format("15:04 02/01/2006")+"."))
	right := container.NewVBox(widgets.Caption(env.w("Số đêm lưu trú (ngày đi)", "Nights (departure)")), nights,
		widgets.Caption(env.w("Lý do lưu trú", "Reason for the stay")), reasons)
	left := container.NewVBox(container.NewHBox(roomLabel, roomBox), keys, info)
	if f.Error.Key != "" {
		left.Objects[2] = banner(env.t(f.Error)) // the error replaces the times until the next key
	}
	main := container.NewBorder(nil, nil, container.NewHBox(left, space(24, 0)), nil, right)
	p.Body = withSideOf(440, main, personPanel(s, env))
}

func result(p *page, s checkin.State, env Env) {
	r := s.Result
	icon, colour := fynetheme.ConfirmIcon(), fynetheme.ColorNameSuccess
	if !r.OK {
		icon, colour = fynetheme.CancelIcon(), fynetheme.ColorNameError
	} else if r.Code == "in_house" {
		icon, colour = fynetheme.InfoIcon(), fynetheme.ColorNamePrimary
	}
	msg := widgets.Headline(env.t(r.Message))
	msg.Alignment = fyne.TextAlignCenter
	if !r.OK {
		msg.Importance = widget.DangerImportance
	}
	main := container.NewVBox(layout.NewSpacer(), widgets.BigIcon(icon, colour), msg)
	if r.Detail.Key != "" {
		main.Add(centred(widgets.Paragraph(env.t(r.Detail))))
	}
	var fields []widgets.Field
	if r.Number != "" {
		fields = append(fields, widgets.Field{Label: env.w("Số báo danh", "Candidate number"), Value: r.Number})
	}
	if r.Room != "" {
		label := env.w("Phòng", "Room")
		if s.Mode == checkin.ModeAttendance {
			label = env.w("Phòng thi", "Exam room")
		}
		fields = append(fields, widgets.Field{Label: label, Value: r.Room})
	}
	if s.Mode == checkin.ModeGate {
		fields = append(fields, widgets.Field{Label: env.w("Số người bên trong", "People inside"), Value: strconv.Itoa(r.Occupancy)})
	}
	if len(fields) > 0 {
		main.Add(widgets.Panel(fields))
	}
	main.Add(layout.NewSpacer())
	p.Body = withSide(main, personPanel(s, env))
}

// periods are the report's periods, in the order offered.
var periods = []struct{ key, vi, en string }{
	{"day", "Hôm nay", "Today"},
	{"week", "Tuần này", "This week"},
	{"last_week", "Tuần trước", "Last week"},
	{"month", "Kỳ tháng này", "This month"},
	{"last_month", "Kỳ tháng trước", "Last month"},
}

func report(p *page, s checkin.State, env Env) {
	r := s.Report
	tabs := container.NewGridWithColumns(len(periods))
	for _, pd := range periods {
		kind := widgets.Secondary
		if pd.key == firstOf(r.Period, "day") {
			kind = widgets.Primary
		}
		tabs.Add(widgets.NewButton(env.w(pd.vi, pd.en), kind, env.send(checkin.Intent{Kind: checkin.IntentReport, Value: pd.key})))
	}
	// The rows in two columns: a week's figures fit without scrolling.
	var cols [2][]widgets.Field
	half := (len(r.Rows) + 1) / 2
	for i, row := range r.Rows {
		cols[i/max(half, 1)] = append(cols[i/max(half, 1)], widgets.Field{Label: row.Label, Value: row.Value})
	}
	head := container.NewVBox(widgets.Subheading(strings.TrimSpace(r.Title + " · " + r.Range)))
	if r.Note != "" {
		head.Add(banner(r.Note))
	}
	grid := container.NewGridWithColumns(2, widgets.Panel(cols[0]))
	if len(cols[1]) > 0 {
		grid.Add(widgets.Panel(cols[1]))
	}
	table := container.NewBorder(head, nil, nil, nil, container.NewVScroll(grid))

	exports := container.NewVBox(widgets.Caption(env.w("Xuất báo cáo (không chứa thông tin cá nhân)", "Export the report (no personal data)")),
		container.NewGridWithColumns(2,
			widgets.NewButton("CSV", widgets.Secondary, env.send(checkin.Intent{Kind: checkin.IntentExport, Value: "csv"})),
			widgets.NewButton("Excel (XLSX)", widgets.Secondary, env.send(checkin.Intent{Kind: checkin.IntentExport, Value: "xlsx"}))))
	if s.Has(checkin.IntentExportASM) {
		exports.Add(widgets.Caption(env.w("Danh sách thông báo lưu trú (có thông tin cá nhân)", "Stay notification list (personal data)")))
		exports.Add(container.NewGridWithColumns(2,
			widgets.NewButton(env.w("Lưu trú CSV", "Stays CSV"), widgets.Secondary, env.send(checkin.Intent{Kind: checkin.IntentExportASM, Value: "csv"})),
			widgets.NewButton(env.w("Lưu trú XLSX", "Stays XLSX"), widgets.Secondary, env.send(checkin.Intent{Kind: checkin.IntentExportASM, Value: "xlsx"}))))
	}
	if r.Message.Key != "" {
		exports.Add(banner(env.t(r.Message)))
	}
	p.Body = container.NewBorder(tabs, nil, nil, nil, withSide(table, exports))
}

// dateVN shows an ISO date (the chip's DG13 as the flow passes it) the
// Vietnamese way, DD/MM/YYYY; anything else as it is.
func dateVN(d string) string {
	if t, err := time.Parse(time.DateOnly, d); err == nil {
		return t.Format("02/01/2006")
	}
	return d
}

// space is an empty area of at least w×h.
func space(w, h float32) fyne.CanvasObject {
	r := canvas.NewRectangle(color.Transparent)
	r.SetMinSize(fyne.NewSize(w, h))
	return r
}

// banner is a highlighted line.
func banner(text string) fyne.CanvasObject {
	l := widgets.Paragraph(text)
	l.TextStyle.Bold = true
	l.Alignment = fyne.TextAlignCenter
	l.Importance = widget.WarningImportance
	return l
}

func centred(l *widget.Label) fyne.CanvasObject {
	l.Alignment = fyne.TextAlignCenter
	return l
}

func firstOf(v ...string) string {
	for _, s := range v {
		if strings.TrimSpace(s) != "" {
			return s
		}
	}
	return ""
}

// Package onestopui owns the one-stop public-service kiosk's screens (issue
// 21): one function per onestop.Screen that renders an onestop.State and
// reports taps as onestop.Intent values. Screens hold no business rules:
// the buttons, their labels and which one is primary come from
// State.Actions, the messages from the flow (onestop.Text, the register
// "Ông/Bà", "Quý khách"); the screens' own few words (headings, field
// names) are in this package, in Vietnamese and English; the words it
// shares with the other kiosks (the display switches, "Nghe hướng dẫn")
// come from ui/i18n (words.go). Every action button carries a picture
// (icons.go). The kiosk window (NewKioskScreen, Mount) has "Chữ lớn" and
// "Tương phản cao" on the top bar, reset for each citizen, with large text
// on by itself for a citizen of 60 or more (ui/theme.Session), and with a
// voice (MountSpeaking) a large "Nghe hướng dẫn" button under every screen.
//
// The staff menu (firmware/staffmenu, when the flow offers IntentStaff):
// the welcome screen shows ui/staffui's discreet "Nhân viên" button under
// its message, never among the citizen's choices; ScreenStaff is drawn by
// one staffui.Screen the kiosk Screen keeps while it shows (so the PIN
// keypad keeps its digits across states) and drops when it is left, its
// taps wrapped in onestop.Intent{Kind: IntentStaff, Staff: …}. It has no
// listen button: nothing is said there.
//
// Typing (the procedure form, the search, the CAN) uses the on-screen
// keyboard of this package — desktop Linux has none — with Telex (or VNI)
// composition from ui/vnime, so "Nguyeenx" types "Nguyễn". Every key is
// sent to the flow as the field's new value (IntentField) or kept in
// Entry until "Tìm" (search) or OK (CAN).
//
// Portrait (1080×1920 Fyne units, every tap target ≥ theme.TouchTarget).
// Times and dates are shown in the configured zone (Env.Location).
//
// It imports Fyne, firmware/onestop and firmware/staffmenu (types only),
// firmware/config (the [ui] section), firmware/profile (the Flow contract)
// and ui/{i18n,staffui,theme,vnime,widgets}; it must NOT import drivers/…
// or firmware/simrig.
package onestopui

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	fynetheme "fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/kiosk06/kiosk/firmware/onestop"
	"github.com/kiosk06/kiosk/firmware/onestop/catalog"
	"github.com/kiosk06/kiosk/firmware/staffmenu"
	"github.com/kiosk06/kiosk/ui/staffui"
	"github.com/kiosk06/kiosk/ui/vnime"
	"github.com/kiosk06/kiosk/ui/widgets"
)

// Size is the portrait layout's size in Fyne units.
var Size = fyne.NewSize(1080, 1920)

// Env is what Render needs besides the state.
type Env struct {
	// Send reports a tap (nil: taps do nothing, as in goldens).
	Send func(onestop.Intent)
	// Location is the configured time zone (nil: Asia/Ho_Chi_Minh, UTC+7).
	Location *time.Location
	// Entry is the text being typed (owned by the Screen: the page is
	// rebuilt with every state).
	Entry *Entry
	// Display is the large-text and high-contrast switches on the top bar
	// (as at the hospital kiosk); nil toggles hide them (goldens).
	Display Display
	// Staff draws the staff screen (owned by the Screen, kept while the
	// staff menu shows); nil: a new one for this render (goldens).
	Staff *staffui.Screen
}

// Display is the state of the accessibility switches and what they do.
type Display struct {
	HighContrast, LargeText         bool
	ToggleContrast, ToggleLargeText func()
}

// Entry is what the citizen is typing: the form field in focus and its
// composer, the search text, the CAN digits.
type Entry struct {
	Field    string // the form field being typed ("" none)
	Composer *vnime.Composer
	Search   string
	// Typing: the search keyboard is open (the query box was tapped).
	Typing bool
	CAN    string
	// Changed re-renders after a key that changes only local text.
	Changed func()
}

func (e Env) loc() *time.Location {
	if e.Location == nil {
		return time.FixedZone("ICT", 7*3600)
	}
	return e.Location
}

func (e Env) send(in onestop.Intent) func() {
	return func() {
		if e.Send != nil {
			e.Send(in)
		}
	}
}

// w picks the screen's own word in the state's language.
func w(s onestop.State, vi, en string) string {
	if s.Lang == onestop.LangEN {
		return en
	}
	return vi
}

// Render draws the window content for s: the top bar (the office, who is
// signed in, the language), the call banner, the screen.
func Render(s onestop.State, env Env) fyne.CanvasObject {
	if env.Entry == nil {
		env.Entry = &Entry{}
	}
	top := container.NewVBox(topBar(s, env))
	if s.Support != nil && s.Screen != onestop.ScreenSupport {
		top.Add(banner(supportLine(s, s.Support)))
	}
	return container.NewBorder(top, nil, nil, nil, screen(s, env))
}

func screen(s onestop.State, env Env) fyne.CanvasObject {
	if s.Screen == onestop.ScreenStaff && s.Staff != nil {
		st := env.Staff
		if st == nil {
			st = NewStaffScreen(s.Lang, env.Send)
		}
		st.T = shared(s.Lang)
		return st.Page(s.Staff).Build()
	}
	p := widgets.Page{Title: s.Title.In(s.Lang)}
	switch {
	case s.Screen == onestop.ScreenWelcome && s.Welcome != nil:
		welcome(&p, s, env)
	case s.Screen == onestop.ScreenIdentify && s.Identify != nil:
		identify(&p, s, env)
	case s.Screen == onestop.ScreenMenu && s.Menu != nil:
		p.Lead = s.Menu.Message.In(s.Lang)
		if s.Subject != nil {
			p.Body = widgets.Panel([]widgets.Field{{Label: w(s, "Người được làm hộ", "Acting for"), Value: s.Subject.Name + " · " + s.Subject.MaskedID}})
		}
	case s.Screen == onestop.ScreenSearch && s.Search != nil:
		search(&p, s, env)
	case s.Screen == onestop.ScreenProcedure && s.Procedure != nil:
		procedure(&p, s)
	case (s.Screen == onestop.ScreenForm || s.Screen == onestop.ScreenReview) && s.Form != nil:
		form(&p, s, env)
	case s.Screen == onestop.ScreenSubmitting && s.Submitting != nil:
		p.Body = container.NewVBox(widgets.NewProgress(0.6, s.Submitting.Message.In(s.Lang)))
	case s.Screen == onestop.ScreenReceipt && s.Receipt != nil:
		receipt(&p, s, env)
	case s.Screen == onestop.ScreenDossiers && s.Dossiers != nil:
		dossiers(&p, s, env)
	case s.Screen == onestop.ScreenTicket && s.Ticket != nil:
		ticket(&p, s)
	case s.Screen == onestop.ScreenSupport && s.Support != nil:
		p.Body = container.NewVBox(widgets.BigIcon(supportIcon(s.Support.Phase), fynetheme.ColorNamePrimary),
			centred(widgets.Subheading(supportLine(s, s.Support))))
	case s.Screen == onestop.ScreenGoodbye && s.Goodbye != nil:
		p.Body = container.NewVBox(widgets.BigIcon(fynetheme.ConfirmIcon(), fynetheme.ColorNameSuccess), centred(widgets.Subheading(s.Goodbye.Message.In(s.Lang))))
	case s.Screen == onestop.ScreenError && s.Error != nil:
		p.Body = widgets.ErrorBody(w(s, "Đã xảy ra điều gì", "What happened"), s.Error.Message.In(s.Lang),
			w(s, "Quý khách cần làm gì", "What to do"), s.Error.Next.In(s.Lang), false, true)
	case s.Screen == onestop.ScreenOutOfService && s.OutOfService != nil:
		p.Body = widgets.ErrorBody(w(s, "Máy tạm dừng phục vụ", "Out of service"), s.OutOfService.Message.In(s.Lang),
			w(s, "Quý khách cần làm gì", "What to do"), s.OutOfService.Next.In(s.Lang), true, true)
	}
	placeActions(&p, s, env)
	return p.Build()
}

// placeActions: Back bottom-left, the help desk bottom-right, language in
// the top bar, the rest in the main column, primary first.
func placeActions(p *widgets.Page, s onestop.State, env Env) {
	var main []*widgets.Button
	for _, a := range s.Actions {
		label := a.Label.In(s.Lang)
		kind := widgets.Secondary
		if a.Primary {
			kind = widgets.Primary
		}
		in := a.Intent()
		switch a.Kind {
		case onestop.IntentLanguage, onestop.IntentStaff: // the top bar; the welcome body (staffui.EntryButton)
			continue
		case onestop.IntentBack:
			p.Back = widgets.NewIconButton(actionIcon(a.Kind), label, kind, env.send(in))
			continue
		case onestop.IntentSupport:
			p.Help = widgets.NewIconButton(actionIcon(a.Kind), label, widgets.Help, env.send(in))
			continue
		case onestop.IntentCancel, onestop.IntentEndCall:
			kind = widgets.Danger
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

func topBar(s onestop.State, env Env) fyne.CanvasObject {
	right := container.NewHBox()
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
			b := widgets.NewButton(shared(s.Lang).T(t.key), kind, t.do)
			b.TextSize = fynetheme.SizeNameText
			right.Add(b)
		}
	}
	for _, a := range s.Actions {
		if a.Kind == onestop.IntentLanguage {
			right.Add(widgets.NewButton(a.Label.In(s.Lang), widgets.Secondary, env.send(a.Intent())))
		}
	}
	who := widgets.Caption(w(s, "Bộ phận Một cửa", "One-stop office"))
	if s.Citizen != nil {
		who = widgets.Caption(w(s, "Ông/Bà ", "") + s.Citizen.Name + " · " + s.Citizen.MaskedID)
	}
	return container.NewPadded(container.NewBorder(nil, nil, nil, right, who))
}

func welcome(p *widgets.Page, s onestop.State, env Env) {
	body := container.NewVBox(layout.NewSpacer(), widgets.BigIcon(fynetheme.AccountIcon(), fynetheme.ColorNamePrimary),
		centred(widgets.Subheading(s.Welcome.Message.In(s.Lang))))
	for _, app := range s.Welcome.Apps {
		body.Add(centred(widgets.Paragraph(w(s, "Hoặc quét mã QR trên ứng dụng “"+app+"”", "Or scan the QR code in the “"+app+"” app"))))
	}
	body.Add(layout.NewSpacer())
	if s.Has(onestop.IntentStaff) {
		b := staffui.EntryButton(shared(s.Lang), env.send(onestop.Intent{Kind: onestop.IntentStaff}))
		b.TextSize = fynetheme.SizeNameText
		body.Add(container.NewHBox(layout.NewSpacer(), b))
	}
	p.Body = body
}

// NewStaffScreen is the staff menu's screen in language l whose taps go
// to send as onestop intents (nil send: taps do nothing).
func NewStaffScreen(l onestop.Lang, send func(onestop.Intent)) *staffui.Screen {
	return &staffui.Screen{T: shared(l), Send: func(in staffmenu.Intent) {
		if send != nil {
			send(onestop.Intent{Kind: onestop.IntentStaff, Staff: &in})
		}
	}}
}

func identify(p *widgets.Page, s onestop.State, env Env) {
	id := s.Identify
	body := container.NewVBox()
	if id.ForOther {
		body.Add(banner(w(s, "Đọc thẻ CCCD của người được làm hộ", "Reading the card of the person you act for")))
	}
	if id.App != nil {
		note := w(s, "Đang kiểm tra mã QR “"+id.App.App+"”", "Checking the “"+id.App.App+"” QR code")
		if id.App.Online {
			note = w(s, "Đang kiểm tra trực tuyến mã QR “"+id.App.App+"”…", "Checking the “"+id.App.App+"” QR code online…")
		}
		body.Add(centred(widgets.Subheading(note)))
	}
	body.Add(widgets.NewProgress(id.Progress, id.Message.In(s.Lang)))
	if id.NeedCAN && !id.CANExhausted {
		if id.CANError.Key != "" {
			body.Add(banner(id.CANError.In(s.Lang)))
		}
		kp := widgets.NewKeypad(widgets.KeypadLabels{Delete: w(s, "Xóa", "Delete"), OK: "OK"}, onestop.CANLength, onestop.CANLength, func(d string) {
			env.Entry.CAN = ""
			env.send(onestop.Intent{Kind: onestop.IntentCAN, Digits: d})()
		})
		kp.SetValue(env.Entry.CAN)
		kp.OnChanged = func(v string) { env.Entry.CAN = v }
		body.Add(widgets.Paragraph(w(s, "Nhập 6 số cuối của số định danh cá nhân (in trên thẻ)", "Type the last 6 digits of the ID number (printed on the card)")))
		body.Add(container.NewCenter(kp))
	}
	p.Body = body
}

func search(p *widgets.Page, s onestop.State, env Env) {
	sr := s.Search
	if sr.NoCatalogue {
		p.Body = widgets.ErrorBody("", sr.Message.In(s.Lang), "", "", true, true)
		return
	}
	box := widgets.NewButton("🔍 "+firstOf(env.Entry.Search, sr.Query, w(s, "Chạm để nhập tên thủ tục (có dấu hoặc không dấu)", "Tap to type a procedure's name")), widgets.Secondary, func() {
		env.Entry.Typing, env.Entry.Search = true, firstOf(env.Entry.Search, sr.Query)
		env.Entry.changed()
	})
	top := container.NewVBox(box)
	if env.Entry.Typing {
		top.Add(keyboard(s, func(r rune) {
			env.Entry.Search = typeRune(env.Entry.Search, r)
			env.Entry.changed()
		}, func() {
			env.Entry.Typing = false
			env.send(onestop.Intent{Kind: onestop.IntentQuery, Text: env.Entry.Search})()
		}, w(s, "Tìm", "Search")))
	}
	topics := container.NewGridWithColumns(2)
	for i, t := range sr.Topics {
		if i == 4 {
			break
		}
		kind := widgets.Secondary
		if t == sr.Topic {
			kind = widgets.Primary
		}
		topics.Add(widgets.NewButton(t, kind, env.send(onestop.Intent{Kind: onestop.IntentQuery, Text: sr.Query, Topic: t})))
	}
	results := container.NewVBox()
	for i, r := range sr.Results {
		if i == 6 {
			break
		}
		sub := r.Agency + " · " + r.FeeText
		if r.Days > 0 {
			sub += " · " + w(s, strconv.Itoa(r.Days)+" ngày làm việc", strconv.Itoa(r.Days)+" working days")
		}
		results.Add(widgets.NewSubButton(r.Name, sub, widgets.Secondary, env.send(onestop.Intent{Kind: onestop.IntentChoose, Code: r.Code})))
	}
	if len(sr.Results) == 0 {
		results.Add(widgets.Paragraph(sr.Message.In(s.Lang)))
	}
	p.Body = container.NewBorder(top, nil, nil, nil, container.NewVScroll(container.NewVBox(topics, results)))
}

func procedure(p *widgets.Page, s onestop.State) {
	pr := s.Procedure
	days := w(s, strconv.Itoa(pr.Days)+" ngày làm việc", strconv.Itoa(pr.Days)+" working days")
	fields := []widgets.Field{
		{Label: w(s, "Cơ quan giải quyết", "Agency"), Value: pr.Agency},
		{Label: w(s, "Lệ phí", "Fees"), Value: firstOf(pr.FeeNote, pr.FeeText)},
		{Label: w(s, "Thời hạn giải quyết", "Processing time"), Value: days},
		{Label: w(s, "Nộp hồ sơ tại", "File at"), Value: pr.CounterName},
		{Label: w(s, "Thông tin lấy từ thẻ CCCD", "From the card"), Value: w(s, strconv.Itoa(pr.CardFields)+" mục – không phải khai lại", strconv.Itoa(pr.CardFields)+" fields – not asked again")},
		{Label: w(s, "Ông/Bà cần nhập", "You type"), Value: w(s, strconv.Itoa(pr.TypedFields)+" mục", strconv.Itoa(pr.TypedFields)+" fields")},
	}
	p.Lead = pr.Name
	if pr.Closed { // staff closed its counter: the flow offers neither register nor queue
		p.Body = container.NewVBox(banner(pr.Notice.In(s.Lang)), widgets.Panel(fields))
		return
	}
	p.Body = widgets.Panel(fields)
}

func form(p *widgets.Page, s onestop.State, env Env) {
	f := s.Form
	p.Lead = f.Procedure.Name
	if f.Message.Key != "" {
		p.Lead += " — " + f.Message.In(s.Lang)
	}
	list := container.NewVBox()
	review := s.Screen == onestop.ScreenReview
	var focus *onestop.FormField
	for i := range f.Fields {
		fl := f.Fields[i]
		label := fl.Label
		if fl.Required && !fl.FromCard {
			label += " *"
		}
		switch {
		case fl.FromCard || review:
			v := fl.Value
			if fl.FromCard {
				v += "   ✓ " + w(s, "Từ thẻ CCCD", "From the card")
			}
			list.Add(widgets.Panel([]widgets.Field{{Label: label, Value: v}}))
		case fl.Kind == catalog.KindChoice:
			row := container.NewGridWithColumns(3)
			for _, o := range fl.Options {
				kind := widgets.Secondary
				if o == fl.Value {
					kind = widgets.Primary
				}
				row.Add(widgets.NewButton(o, kind, env.send(onestop.Intent{Kind: onestop.IntentField, Key: fl.Key, Value: o})))
			}
			list.Add(container.NewVBox(widgets.Caption(label), row))
		default:
			kind := widgets.Secondary
			if env.Entry.Field == fl.Key {
				kind, focus = widgets.Primary, &f.Fields[i]
			}
			b := widgets.NewSubButton(firstOf(fl.Value, "…"), label, kind, func() {
				env.Entry.focus(fl.Key, fl.Value)
			})
			list.Add(b)
		}
		if fl.Error.Key != "" {
			list.Add(banner(fl.Error.In(s.Lang)))
		}
	}
	body := fyne.CanvasObject(container.NewVScroll(list))
	if focus != nil && !review {
		key := focus.Key
		kb := keyboard(s, func(r rune) {
			env.Entry.typeKey(r)
			env.send(onestop.Intent{Kind: onestop.IntentField, Key: key, Value: env.Entry.Composer.Text()})()
		}, func() { env.Entry.Field = ""; env.Entry.changed() }, w(s, "Xong", "Done"))
		body = container.NewBorder(nil, kb, nil, nil, body)
	}
	p.Body = body
}

func receipt(p *widgets.Page, s onestop.State, env Env) {
	r := s.Receipt
	loc := env.loc()
	fields := []widgets.Field{
		{Label: w(s, "Thủ tục", "Procedure"), Value: r.Procedure},
		{Label: w(s, "Ngày tiếp nhận", "Received"), Value: r.ReceivedAt.In(loc).Format("15:04 02/01/2006")},
		{Label: w(s, "Ngày hẹn trả kết quả", "Appointment"), Value: r.Appointment.In(loc).Format("15:04 02/01/2006")},
	}
	for _, f := range r.Fees {
		fields = append(fields, widgets.Field{Label: f.Name, Value: f.AmountText})
	}
	fields = append(fields, widgets.Field{Label: w(s, "Tổng lệ phí", "Total fees"), Value: r.TotalText})
	if r.Ticket != "" {
		fields = append(fields, widgets.Field{Label: w(s, "Số thứ tự", "Queue number"), Value: r.Ticket + " – " + r.CounterName})
	}
	body := container.NewVBox(centred(widgets.Caption(w(s, "Mã hồ sơ", "Dossier code"))), widgets.Display(r.DossierCode), widgets.Panel(fields))
	if r.ForOther {
		body.Add(banner(w(s, "Hồ sơ làm hộ: ghi nhận cả hai người", "Filed for another person: both are recorded")))
	}
	body.Add(widgets.Paragraph(r.Message.In(s.Lang)))
	p.Body = container.NewVScroll(body)
}

func dossiers(p *widgets.Page, s onestop.State, env Env) {
	d := s.Dossiers
	body := container.NewVBox()
	if d.Loading {
		body.Add(widgets.NewProgress(0.3, d.Message.In(s.Lang)))
	} else if d.Message.Key != "" {
		body.Add(widgets.Paragraph(d.Message.In(s.Lang)))
	}
	loc := env.loc()
	for _, x := range d.List {
		fields := []widgets.Field{
			{Label: w(s, "Mã hồ sơ", "Code"), Value: x.Code},
			{Label: w(s, "Tình trạng", "Status"), Value: x.StatusText.In(s.Lang)},
			{Label: w(s, "Ngày tiếp nhận", "Received"), Value: x.ReceivedAt.In(loc).Format("02/01/2006")},
		}
		if !x.Appointment.IsZero() {
			fields = append(fields, widgets.Field{Label: w(s, "Ngày hẹn trả", "Appointment"), Value: x.Appointment.In(loc).Format("02/01/2006")})
		}
		fields = append(fields, widgets.Field{Label: w(s, "Lệ phí", "Fees"), Value: x.FeeText})
		body.Add(widgets.Subheading(x.Procedure))
		body.Add(widgets.Panel(fields))
	}
	if d.Printed {
		body.Add(banner(w(s, "Đã in phiếu tra cứu hồ sơ – mời Ông/Bà nhận phiếu", "The slip is printed")))
	}
	p.Body = container.NewVScroll(body)
}

func ticket(p *widgets.Page, s onestop.State) {
	t := s.Ticket
	body := container.NewVBox(centred(widgets.Caption(w(s, "Số thứ tự của Ông/Bà", "Your number"))), widgets.Display(t.Number),
		centred(widgets.Subheading(t.CounterName)),
		centred(widgets.Paragraph(w(s, fmt.Sprintf("Còn %d người trước Ông/Bà", t.Ahead), fmt.Sprintf("%d people ahead", t.Ahead)))),
		widgets.Paragraph(t.Message.In(s.Lang)))
	if t.PaperOut {
		body.Add(banner(w(s, "Máy in hết giấy – Quý khách vui lòng ghi nhớ số", "Out of paper – please note the number")))
	}
	p.Body = body
}

func supportLine(s onestop.State, sp *onestop.Support) string {
	if sp.Phase == onestop.SupportAccepted && sp.StaffName != "" {
		line := w(s, "Cán bộ “"+sp.StaffName+"” đang đến hỗ trợ Ông/Bà", "“"+sp.StaffName+"” is coming to help you")
		if sp.Note != "" {
			line += " (" + sp.Note + ")"
		}
		return line
	}
	return sp.Message.In(s.Lang)
}

func supportIcon(ph onestop.SupportPhase) fyne.Resource {
	switch ph {
	case onestop.SupportAccepted:
		return fynetheme.AccountIcon()
	case onestop.SupportFailed:
		return fynetheme.ErrorIcon()
	}
	return fynetheme.MediaRecordIcon()
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

// Package hospitalui owns the hospital kiosk's screens: one function per
// hospital.Screen that renders a hospital.State and reports taps as
// hospital.Intent values (issue 9). Screens hold no business rules: which
// buttons exist, their labels and which one is primary come from
// State.Actions; the texts of outcomes come from the flow as hospital.Text
// (a catalogue override "flow.<key>" in ui/i18n wins if present), and the
// screens' own words (headings, field names, hints) come from ui/i18n.
//
// Action placement is the same on every screen: the language toggle in the
// top bar, Back bottom-left, Call staff bottom-right, everything else in
// the main column, primary first. A patient sees at most three choices at
// once (hospital.PrimaryChoices); those the flow marks More wait behind a
// smaller "Lựa chọn khác" button, open until the next screen (Env.More,
// kept by the shell). Language, text size, contrast and "Nghe hướng dẫn"
// are accessibility controls, not choices: body-size text, in bars.
//
// While the kiosk is idle the welcome screen is the flow's attract loop
// (attract.go): a widgets.Slideshow of the steps of using the kiosk, each
// a picture drawn for this project (pictures/*.svg) and the flow's line;
// a tap on it starts.
//
// When the flow asks for the CAN (Identify.NeedCAN) the identify screen
// shows a 6-digit keypad; every key is reported as IntentActivity and OK
// sends IntentCAN with the digits. What was typed lives in Env.Entry (the
// shell's), as the screen is rebuilt with every state. Likewise, when a
// parent registers a child without a card (Identify.NeedChild) the screen
// takes the child's ID number and birth date on the keypad and the name on
// the shared on-screen keyboard with Telex marks (child.go), kept in
// Env.Child until sent as IntentChild.
//
// Mount (kiosk.go) is the room's entry point, a ui.Mount.
//
// It imports Fyne, firmware/hospital (types only), firmware/config,
// firmware/profile (FlowOf), queue (types only) and ui (the shared window
// and theme), ui/{i18n,theme,vnime,widgets}; it must NOT import drivers/… or start
// goroutines (the shell, Kiosk in kiosk.go, owns the flow subscription).
package hospitalui

import (
	"image/color"
	"strconv"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	fynetheme "fyne.io/fyne/v2/theme"

	"github.com/kiosk06/kiosk/firmware/hospital"
	"github.com/kiosk06/kiosk/ui/i18n"
	"github.com/kiosk06/kiosk/ui/widgets"
)

// IdleWarning is how long before State.IdleDeadline the "are you still
// there?" banner appears.
const IdleWarning = 20 * time.Second

// Env is what a screen needs besides the state.
type Env struct {
	// T is the catalogue for State.Lang.
	T *i18n.Catalog
	// Send reports a tap; it must not block (hospital.Flow.Send does not).
	Send func(hospital.Intent)
	// Landscape selects the 1920×1080 layouts.
	Landscape bool
	// Now is the clock for the idle warning (time.Now; fixed in tests).
	Now func() time.Time
	// Display is the local display preferences and their toggles.
	Display Display
	// Entry is what was typed on the screen's keypad so far.
	Entry Entry
	// Blink is the phase of the card-left banner (State.CardLeft), which
	// the shell flips once a second.
	Blink bool
	// Child is what a parent typed for a child without a card
	// (Identify.NeedChild); nil starts empty.
	Child *ChildEntry
	// More is whether the choices the flow marks More show, and the
	// "Lựa chọn khác" toggle; the zero value keeps them hidden.
	More More
}

// More is the state of a screen's "Lựa chọn khác" button, kept by the
// shell across renders: Open shows the choices behind it, Toggle flips it
// (nil: the button does nothing).
type More struct {
	Open   bool
	Toggle func()
}

// Entry is a keypad entry the shell keeps across renders (screens are
// rebuilt with every state, and typing itself publishes one: each key is
// activity that moves the idle deadline). Digits seed the keypad;
// OnChanged receives every edit, and "" once the digits were sent. The
// zero value keeps the digits in the keypad only.
type Entry struct {
	Digits    string
	OnChanged func(digits string)
}

// Display is the patient's display preferences; they are local to the
// screen (the flow does not know them) and reset with each new session.
type Display struct {
	HighContrast, LargeText         bool
	ToggleContrast, ToggleLargeText func()
}

// Render draws the whole window content for s: the top bar, the patient
// strip, the idle warning when due, and the screen.
func Render(s hospital.State, env Env) fyne.CanvasObject {
	page := screen(s, env)
	var strip fyne.CanvasObject = layout.NewSpacer()
	if s.Patient != nil && s.Screen != hospital.ScreenWelcome {
		strip = patientStrip(s.Patient, env)
	}
	top := container.NewVBox()
	if env.Landscape {
		// One row: who is registering on the left, the toggles on the right.
		top.Add(container.NewBorder(nil, nil, nil, topBar(s, env), container.NewVBox(layout.NewSpacer(), strip, layout.NewSpacer())))
	} else {
		top.Add(topBar(s, env))
		top.Add(strip)
	}
	if s.ForOther {
		top.Add(banner(env.T.T("for_other.banner")))
	}
	if s.CardLeft && !s.CardReminder.IsZero() {
		top.Add(cardLeftBanner(env.text(s, s.CardReminder), env.Blink))
	}
	if w := idleWarning(s, env); w != nil {
		top.Add(w)
	}
	return container.NewBorder(top, nil, nil, nil, page)
}

// screen builds the page of s.
func screen(s hospital.State, env Env) fyne.CanvasObject {
	p := page(s, env)
	return p.Build()
}

// page dispatches on s.Screen; an unexpected combination (nil payload)
// renders the plain title with the actions, never panics.
func page(s hospital.State, env Env) widgets.Page {
	var p widgets.Page
	switch {
	case s.Screen == hospital.ScreenWelcome && s.Welcome != nil:
		p = welcomeScreen(s, s.Welcome, env)
	case s.Screen == hospital.ScreenIdentify && s.Identify != nil:
		p = identifyScreen(s, s.Identify, env)
	case s.Screen == hospital.ScreenCardResult && s.Card != nil:
		p = cardScreen(s, s.Card, env)
	case s.Screen == hospital.ScreenHolder && s.Holder != nil:
		p = holderScreen(s, s.Holder, env)
	case s.Screen == hospital.ScreenInsurance && s.Insurance != nil:
		p = insuranceScreen(s, s.Insurance, env)
	case s.Screen == hospital.ScreenClinic && s.Clinic != nil:
		p = clinicScreen(s, s.Clinic, env)
	case s.Screen == hospital.ScreenRegistering && s.Registering != nil:
		p = registeringScreen(s, s.Registering, env)
	case s.Screen == hospital.ScreenTicket && s.Ticket != nil:
		p = ticketScreen(s, s.Ticket, env)
	case s.Screen == hospital.ScreenPayment && s.Payment != nil:
		p = paymentScreen(s, s.Payment, env)
	case s.Screen == hospital.ScreenReceipt && s.Receipt != nil:
		p = receiptScreen(s, s.Receipt, env)
	case s.Screen == hospital.ScreenGoodbye && s.Goodbye != nil:
		p = goodbyeScreen(s, s.Goodbye, env)
	case s.Screen == hospital.ScreenError && s.Error != nil:
		p = errorScreen(s, s.Error, env)
	case s.Screen == hospital.ScreenHelp && s.Help != nil:
		p = helpScreen(s, s.Help, env)
	case s.Screen == hospital.ScreenOutOfService && s.OutOfService != nil:
		p = outOfServiceScreen(s, s.OutOfService, env)
	case s.Screen == hospital.ScreenAdmin && s.Admin != nil:
		p = adminScreen(s, s.Admin, env)
	default:
		p = widgets.Page{Title: env.text(s, s.Title)}
	}
	p.Landscape = env.Landscape
	placeActions(&p, s, env)
	widenLong(&p)
	return p
}

// text resolves a flow text: the catalogue's "flow.<key>" if present,
// otherwise the flow's own wording in the state's language.
func (e Env) text(s hospital.State, t hospital.Text) string {
	if t.Key != "" && e.T.Has("flow."+t.Key) {
		return e.T.T("flow." + t.Key)
	}
	return t.In(s.Lang)
}

// send returns a tap handler sending in.
func (e Env) send(in hospital.Intent) func() {
	return func() {
		if e.Send != nil {
			e.Send(in)
		}
	}
}

// placeActions turns s.Actions into buttons: Back bottom-left, Call staff
// bottom-right, language in the top bar (skipped here), the rest in the
// main column in the flow's order, primary first. The choices the flow
// marks More (issue 20: at most hospital.PrimaryChoices at once) show only
// once "Lựa chọn khác" — a smaller button under the main column — is
// open.
func placeActions(p *widgets.Page, s hospital.State, env Env) {
	var main []*widgets.Button
	hidden := false
	for _, a := range s.Actions {
		label := env.text(s, a.Label)
		if a.More && a.Kind != hospital.IntentLanguage && !env.More.Open {
			hidden = true
			continue
		}
		switch a.Kind {
		case hospital.IntentLanguage:
			continue
		case hospital.IntentBack:
			p.Back = widgets.NewIconButton(actionIcon(a), label, kindOf(a, widgets.Secondary), env.send(a.Intent()))
		case hospital.IntentCallStaff:
			p.Help = widgets.NewIconButton(actionIcon(a), label, widgets.Help, env.send(a.Intent()))
		default:
			b := widgets.NewIconButton(actionIcon(a), label, kindOf(a, widgets.Secondary), env.send(a.Intent()))
			if a.Primary {
				main = append([]*widgets.Button{b}, main...)
			} else {
				main = append(main, b)
			}
		}
	}
	p.Actions = append(p.Actions, main...)
	if hidden || env.More.Open && hasMore(s) {
		p.Actions = append(p.Actions, moreButton(env))
	}
}

// hasMore reports whether s has choices behind "Lựa chọn khác".
func hasMore(s hospital.State) bool {
	for _, a := range s.Actions {
		if a.More && a.Kind != hospital.IntentLanguage {
			return true
		}
	}
	return false
}

// moreButton is "Lựa chọn khác" (or, open, "Ẩn lựa chọn khác"): not a
// choice but the way to the others, so smaller than the choices, with an
// icon, on a row of its own. A tap is activity.
func moreButton(env Env) *widgets.Button {
	key, icon := "shell.more", fynetheme.MoreHorizontalIcon()
	if env.More.Open {
		key, icon = "shell.fewer", fynetheme.MenuDropUpIcon()
	}
	b := widgets.NewIconButton(icon, env.T.T(key), widgets.Secondary, func() {
		env.send(hospital.Intent{Kind: hospital.IntentActivity})()
		if env.More.Toggle != nil {
			env.More.Toggle()
		}
	})
	b.TextSize = fynetheme.SizeNameText
	b.Wide = true
	return b
}

func kindOf(a hospital.Action, otherwise widgets.Kind) widgets.Kind {
	if a.Primary {
		return widgets.Primary
	}
	return otherwise
}

// topBar: the app name and the language, text-size and contrast toggles.
func topBar(s hospital.State, env Env) fyne.CanvasObject {
	var lang fyne.CanvasObject = layout.NewSpacer()
	for _, a := range s.Actions {
		if a.Kind == hospital.IntentLanguage {
			lang = widgets.NewButton(env.text(s, a.Label), widgets.Secondary, env.send(a.Intent()))
		}
	}
	textKey, contrastKey := "shell.large_text", "shell.high_contrast"
	if env.Display.LargeText {
		textKey = "shell.normal_text"
	}
	if env.Display.HighContrast {
		contrastKey = "shell.normal_contrast"
	}
	size := widgets.NewButton(env.T.T(textKey), widgets.Secondary, env.Display.ToggleLargeText)
	contrast := widgets.NewButton(env.T.T(contrastKey), widgets.Secondary, env.Display.ToggleContrast)
	for _, b := range []*widgets.Button{size, contrast} {
		b.TextSize = fynetheme.SizeNameText
	}
	if b, ok := lang.(*widgets.Button); ok {
		b.TextSize = fynetheme.SizeNameText
	}
	if env.Landscape {
		return container.NewPadded(container.NewHBox(lang, size, contrast))
	}
	if env.Display.LargeText {
		// Three equal columns of the widest label ("Tương phản cao") in
		// large text are wider than a portrait panel: each takes its own.
		return container.NewPadded(container.NewBorder(nil, nil, lang, contrast, size))
	}
	return container.NewPadded(container.NewGridWithColumns(3, lang, size, contrast))
}

// banner is a full-width highlighted line.
func banner(text string) fyne.CanvasObject {
	l := widgets.Subheading(text)
	l.Alignment = fyne.TextAlignCenter
	return container.NewPadded(widgets.Card(l))
}

// patientStrip: who is registering, so a wrong card is noticed at once.
func patientStrip(p *hospital.Patient, env Env) fyne.CanvasObject {
	line := p.Name + " · " + p.MaskedID
	if p.Age >= 0 {
		line += " · " + env.T.T("age.years", "n", strconv.Itoa(p.Age))
	}
	l := widgets.Paragraph(line)
	l.TextStyle.Bold = true
	l.Alignment = fyne.TextAlignCenter
	return l
}

// idleWarning is the "still there?" banner, shown in the last IdleWarning
// before the idle deadline; tapping it counts as activity.
func idleWarning(s hospital.State, env Env) fyne.CanvasObject {
	if s.IdleDeadline.IsZero() || env.Now == nil {
		return nil
	}
	left := s.IdleDeadline.Sub(env.Now())
	if left > IdleWarning {
		return nil
	}
	secs := max(int((left+time.Second-1)/time.Second), 0)
	msg := widgets.Paragraph(env.T.T("idle.warning", "seconds", strconv.Itoa(secs)))
	msg.TextStyle.Bold = true
	stay := widgets.NewButton(env.T.T("idle.stay"), widgets.Primary, env.send(hospital.Intent{Kind: hospital.IntentActivity}))
	return container.NewPadded(widgets.Card(container.NewVBox(msg, stay)))
}

// IdleWarningDue reports whether s's idle banner shows at now; the shell
// re-renders once a second while it does (the seconds count down).
func IdleWarningDue(s hospital.State, now time.Time) bool {
	return !s.IdleDeadline.IsZero() && s.IdleDeadline.Sub(now) <= IdleWarning
}

// spacer is a fixed vertical gap.
func spacer(h float32) fyne.CanvasObject {
	r := canvas.NewRectangle(color.Transparent)
	r.SetMinSize(fyne.NewSize(0, h))
	return r
}

// spacerW is a fixed horizontal gap.
func spacerW(w float32) fyne.CanvasObject {
	r := canvas.NewRectangle(color.Transparent)
	r.SetMinSize(fyne.NewSize(w, 0))
	return r
}

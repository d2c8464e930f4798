// Package ticketingui owns the ticket-selling kiosk's screens (issue 18):
// one function per ticketing.Screen that renders a ticketing.State and
// reports taps as ticketing.Intent values — welcome ("Mua vé" / "Trả vé"),
// identify (with the CAN keypad, as at the hospital), trip search and pass
// choice, passengers (a child by typed ID number and birth date), the seat
// map, the fare, VietQR payment with its countdown, issuing and the
// printed tickets, goodbye, the holder's tickets and refund, errors, help
// and out of service — and the staff menu (ui/staffui: welcome's discreet
// "Nhân viên" when the flow offers it, bottom left, then the PIN keypad
// and the menu, with no spoken guidance). Every action button carries a picture (icons.go);
// with a voice (MountSpeaking) a large "Nghe hướng dẫn" button under every
// screen says its guidance again. "Chữ lớn" and "Tương phản cao" are on the
// top bar, reset for each passenger, and large text turns on by itself for
// a buyer of 60 or more (ui/theme.Session, as at the hospital).
//
// Screens hold no business rules: the buttons, their labels and which is
// primary come from State.Actions, outcomes as ticketing.Text from the
// flow (Vietnamese and English); the screens' own few words (headings,
// field names) are ui/i18n's "ticketing.*" keys (words.go), which have
// voice books. Money comes formatted by the flow
// ("120.000 ₫"); times are shown in Env.Location (config [device]
// timezone). Every button is a widgets.Button, so it keeps the theme's
// touch target.
//
// Render is a pure function of the state and the shell's typed digits
// (Entry); Run opens the window, follows the flow and keeps that entry
// across renders (typing is activity, which publishes a state). It imports
// Fyne, firmware/ticketing and firmware/staffmenu (types only),
// firmware/config, firmware/profile (FlowOf, in Screen) and
// ui/{i18n,staffui,theme,widgets}; it must NOT import drivers/…
// or call anything in the flow but Subscribe and Send.
package ticketingui

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	fynetheme "fyne.io/fyne/v2/theme"

	"github.com/kiosk06/kiosk/firmware/config"
	"github.com/kiosk06/kiosk/firmware/profile"
	"github.com/kiosk06/kiosk/firmware/ticketing"
	"github.com/kiosk06/kiosk/ui"
	"github.com/kiosk06/kiosk/ui/staffui"
	kiosktheme "github.com/kiosk06/kiosk/ui/theme"
	"github.com/kiosk06/kiosk/ui/widgets"
)

// Flow is what the window needs of the flow; *ticketing.Flow implements it.
type Flow interface {
	Subscribe() (<-chan ticketing.State, func())
	Send(ticketing.Intent)
}

// Portrait and landscape panel sizes in Fyne units.
var (
	PortraitSize  = fyne.NewSize(1080, 1920)
	LandscapeSize = fyne.NewSize(1920, 1080)
)

// Env is what a screen needs besides the state.
type Env struct {
	// Send reports a tap; it must not block (ticketing.Flow.Send does not).
	Send func(ticketing.Intent)
	// Landscape selects the 1920×1080 layouts.
	Landscape bool
	// Now is the countdowns' clock (time.Now; fixed in tests).
	Now func() time.Time
	// Location is the time zone of departure times (Asia/Ho_Chi_Minh).
	Location *time.Location
	// Entry is what was typed on the screen's keypad so far.
	Entry Entry
	// Display is the large-text and high-contrast switches on the top bar
	// (as at the hospital kiosk); nil toggles hide them (tests).
	Display Display
	// Staff renders the staff screen; the window keeps one across renders
	// so the PIN keypad keeps what was typed (nil: a new one, sending
	// through Send).
	Staff *staffui.Screen
}

// Display is the state of the accessibility switches and what they do.
type Display struct {
	HighContrast, LargeText         bool
	ToggleContrast, ToggleLargeText func()
}

// IdleWarning is how long before State.IdleDeadline the "still there?"
// banner shows (the hospital kiosk's 20 s).
const IdleWarning = 20 * time.Second

// IdleWarningDue reports whether the banner shows for s at now.
func IdleWarningDue(s ticketing.State, now time.Time) bool {
	return !s.IdleDeadline.IsZero() && s.IdleDeadline.Sub(now) <= IdleWarning
}

// Entry is what the shell keeps across renders of a keypad screen: the
// digits typed so far and, on the child keypad, the ID number already
// entered (the birth date is typed next). OnChanged receives every edit.
type Entry struct {
	Digits    string
	ChildID   string
	OnChanged func(digits, childID string)
}

// Render draws the whole window content for s: the top bar (language, the
// buyer, the offline notice) and the screen.
func Render(s ticketing.State, env Env) fyne.CanvasObject {
	if env.Now == nil {
		env.Now = time.Now
	}
	if env.Location == nil {
		env.Location = time.FixedZone("ICT", 7*3600)
	}
	p := screen(s, env)
	p.Landscape = env.Landscape
	placeActions(&p, s, env)
	return container.NewBorder(topBar(s, env), nil, nil, nil, p.Build())
}

// screen dispatches on s.Screen; a missing payload renders the title and
// the actions, never panics.
func screen(s ticketing.State, env Env) widgets.Page {
	if s.Help != nil {
		return helpScreen(s, s.Help, env)
	}
	switch {
	case s.Screen == ticketing.ScreenWelcome && s.Welcome != nil:
		return welcomeScreen(s, s.Welcome, env)
	case s.Screen == ticketing.ScreenIdentify && s.Identify != nil:
		return identifyScreen(s, s.Identify, env)
	case s.Screen == ticketing.ScreenChoose && s.Choose != nil:
		return chooseScreen(s, s.Choose, env)
	case s.Screen == ticketing.ScreenPassengers && s.Passengers != nil:
		return passengersScreen(s, s.Passengers, env)
	case s.Screen == ticketing.ScreenChild && s.Child != nil:
		return childScreen(s, s.Child, env)
	case s.Screen == ticketing.ScreenSeats && s.Seats != nil:
		return seatsScreen(s, s.Seats, env)
	case s.Screen == ticketing.ScreenFare && s.Fare != nil:
		return fareScreen(s, s.Fare, env)
	case s.Screen == ticketing.ScreenPayment && s.Payment != nil:
		return paymentScreen(s, s.Payment, env)
	case s.Screen == ticketing.ScreenIssuing && s.Issuing != nil:
		return issuingScreen(s, s.Issuing, env)
	case s.Screen == ticketing.ScreenIssued && s.Issued != nil:
		return issuedScreen(s, s.Issued, env)
	case s.Screen == ticketing.ScreenTickets && s.Tickets != nil:
		return ticketsScreen(s, s.Tickets, env)
	case s.Screen == ticketing.ScreenRefund && s.Refund != nil:
		return refundScreen(s, s.Refund, env)
	case s.Screen == ticketing.ScreenGoodbye && s.Goodbye != nil:
		return goodbyeScreen(s, s.Goodbye, env)
	case s.Screen == ticketing.ScreenError && s.Error != nil:
		return errorScreen(s, s.Error, env)
	case s.Screen == ticketing.ScreenOutOfService && s.OutOfService != nil:
		return outOfServiceScreen(s, s.OutOfService, env)
	case s.Screen == ticketing.ScreenStaff && s.Staff != nil:
		return staffScreen(s, s.Staff, env)
	}
	return widgets.Page{Title: s.Title.In(s.Lang)}
}

// send returns a tap handler sending in.
func (e Env) send(in ticketing.Intent) func() {
	return func() {
		if e.Send != nil {
			e.Send(in)
		}
	}
}

// placeActions turns s.Actions into buttons: Back bottom-left, Call staff
// bottom-right, language in the top bar, the rest in the main column in
// the flow's order, primary first.
func placeActions(p *widgets.Page, s ticketing.State, env Env) {
	var main []*widgets.Button
	for _, a := range s.Actions {
		label := a.Label.In(s.Lang)
		kind := widgets.Secondary
		if a.Primary {
			kind = widgets.Primary
		}
		b := widgets.NewButton(label, kind, env.send(a.Intent()))
		b.Icon = actionIcon(a)
		if len([]rune(label)) > 20 {
			// A long label at body size keeps two buttons a row on the panel.
			b.TextSize = fynetheme.SizeNameText
		}
		if a.Disabled {
			b.Disable()
		}
		switch a.Kind {
		case ticketing.IntentLanguage:
			continue
		case ticketing.IntentStaff:
			// Not a passenger's choice: welcome's discreet "Nhân viên",
			// bottom left.
			p.Back = staffui.EntryButton(catalog(s.Lang), env.send(a.Intent()))
			p.Back.TextSize = fynetheme.SizeNameText
		case ticketing.IntentBack:
			p.Back = b
		case ticketing.IntentCallStaff:
			b.Kind = widgets.Help
			p.Help = b
		case ticketing.IntentCancel:
			b.Kind = widgets.Danger
			main = append(main, b)
		default:
			if a.Primary {
				main = append([]*widgets.Button{b}, main...)
			} else {
				main = append(main, b)
			}
		}
	}
	p.Actions = append(p.Actions, main...)
}

// topBar: the language toggle, who is buying (masked), and the offline
// notice.
func topBar(s ticketing.State, env Env) fyne.CanvasObject {
	var lang fyne.CanvasObject = layout.NewSpacer()
	for _, a := range s.Actions {
		if a.Kind == ticketing.IntentLanguage {
			b := widgets.NewButton(a.Label.In(s.Lang), widgets.Secondary, env.send(a.Intent()))
			b.TextSize = fynetheme.SizeNameText
			lang = b
		}
	}
	var who fyne.CanvasObject = layout.NewSpacer()
	if s.Buyer != nil && s.Screen != ticketing.ScreenWelcome {
		l := widgets.Paragraph(personLine(s.Buyer, s.Lang))
		l.TextStyle.Bold = true
		who = l
	}
	right := container.NewHBox()
	if env.Display.ToggleLargeText != nil {
		for _, t := range []struct {
			on  bool
			key string
			do  func()
		}{{env.Display.LargeText, "large_text", env.Display.ToggleLargeText}, {env.Display.HighContrast, "contrast", env.Display.ToggleContrast}} {
			kind := widgets.Secondary
			if t.on {
				kind = widgets.Primary // shows it is on
			}
			b := widgets.NewButton(word(s.Lang, t.key), kind, t.do)
			b.TextSize = fynetheme.SizeNameText
			right.Add(b)
		}
	}
	right.Add(lang)
	top := container.NewVBox(container.NewPadded(container.NewBorder(nil, nil, nil, right, who)))
	if s.Offline && s.Screen != ticketing.ScreenWelcome {
		top.Add(banner(word(s.Lang, "offline")))
	}
	if w := idleWarning(s, env); w != nil {
		top.Add(w)
	}
	return top
}

// idleWarning is the "still there?" banner in the last IdleWarning before
// the idle deadline; its button counts as activity.
func idleWarning(s ticketing.State, env Env) fyne.CanvasObject {
	if !IdleWarningDue(s, env.Now()) {
		return nil
	}
	secs := max(int((s.IdleDeadline.Sub(env.Now())+time.Second-1)/time.Second), 0)
	msg := widgets.Paragraph(word(s.Lang, "idle_warning", "seconds", strconv.Itoa(secs)))
	msg.TextStyle.Bold = true
	stay := widgets.NewButton(word(s.Lang, "idle_stay"), widgets.Primary, env.send(ticketing.Intent{Kind: ticketing.IntentActivity}))
	return container.NewPadded(widgets.Card(container.NewVBox(msg, stay)))
}

// personLine is "Nguyễn Văn Thu · 0010••••••45 · 36 tuổi".
func personLine(p *ticketing.Person, l ticketing.Lang) string {
	line := p.MaskedID
	if p.Name != "" {
		line = p.Name + " · " + line
	} else {
		line = word(l, "child") + " · " + line
	}
	if p.Age >= 0 {
		line += " · " + word(l, "age", "age", strconv.Itoa(p.Age))
	}
	return line
}

// banner is a full-width highlighted line.
func banner(text string) fyne.CanvasObject {
	l := widgets.Subheading(text)
	l.Alignment = fyne.TextAlignCenter
	return container.NewPadded(widgets.Card(l))
}

// Mount runs the ticketing profile's screen (ui.Mount, registered in
// firmware/cmd/kioskd's gui.go): the typed flow from the running profile's
// Screen, in a window of a until it closes (ui.ErrWindowClosed) or ctx ends.
func Mount(ctx context.Context, a fyne.App, cfg *config.Config, s profile.Screen) error {
	return MountSpeaking(nil)(ctx, a, cfg, s)
}

// Repeater says the current screen's guidance again (ui/voice.Voice).
type Repeater interface {
	Repeat(ctx context.Context) error
}

// MountSpeaking is Mount with the kiosk's voice: a large "Nghe hướng dẫn"
// button under every screen says its guidance again on v (the voice itself
// follows the flow's states, ui/voice.Voice.Follower, not this window);
// nil v: no button.
func MountSpeaking(v Repeater) ui.Mount {
	return func(ctx context.Context, a fyne.App, cfg *config.Config, s profile.Screen) error {
		f, ok := profile.FlowOf[ticketing.State, ticketing.Intent](s)
		if !ok {
			return fmt.Errorf("ticketingui: the ticketing profile's screen is %T", s)
		}
		o := Options{Fullscreen: cfg.UI.Fullscreen, Landscape: cfg.UI.Orientation == "landscape",
			Display: kiosktheme.Options{HighContrast: cfg.UI.HighContrast, LargeText: cfg.UI.LargeText}, Location: cfg.Device.Location()}
		if v != nil {
			o.Listen = func() { go func() { _ = v.Repeat(ctx) }() }
		}
		return Run(ctx, a, o, f)
	}
}

// Options configure the window.
type Options struct {
	Fullscreen, Landscape bool
	// Display is the kiosk's default display preferences, restored for
	// each new passenger.
	Display  kiosktheme.Options
	Location *time.Location
	Now      func() time.Time
	// Listen, when set, is the "Nghe hướng dẫn" button under every screen:
	// it says the screen's guidance again (it must not block). Nil: no
	// button (a kiosk without a voice).
	Listen func()
}

// Window is the kiosk window bound to a flow. Apply and render run on the
// Fyne goroutine.
type Window struct {
	app     fyne.App
	win     fyne.Window
	flow    Flow
	opts    Options
	state   ticketing.State
	entry   Entry
	staff   *staffui.Screen     // the staff screen, kept: its keypad keeps typed digits
	display *kiosktheme.Session // the passenger's switches; reset for each new session
	warning bool                // the idle banner is showing
}

// NewWindow creates the window (not shown yet) and applies the theme.
func NewWindow(a fyne.App, opts Options, flow Flow) *Window {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	ui.ApplyTheme(a, opts.Display)
	size := PortraitSize
	if opts.Landscape {
		size = LandscapeSize
	}
	return &Window{app: a, win: ui.NewWindow(a, "kiosk06 — Mua vé", size, opts.Fullscreen), flow: flow, opts: opts, display: kiosktheme.NewSession(opts.Display),
		staff: &staffui.Screen{T: catalog(ticketing.LangVI), Send: staffSend(flow.Send)}}
}

// Window returns the Fyne window.
func (w *Window) Window() fyne.Window { return w.win }

// Display returns the current display preferences.
func (w *Window) Display() kiosktheme.Options { return w.display.Options() }

// Apply shows s; what was typed is dropped when the screen stops asking.
// A return to the welcome screen restores the kiosk's display settings for
// the next passenger; a buyer whose card says 60 or older gets large text
// (once: they may turn it off).
func (w *Window) Apply(s ticketing.State) {
	keypad := s.Screen == ticketing.ScreenChild || s.Identify != nil && s.Identify.NeedCAN && s.Screen == ticketing.ScreenIdentify
	if !keypad || s.Screen != w.state.Screen {
		w.entry = Entry{}
	}
	changed := false
	if s.Screen == ticketing.ScreenWelcome && w.state.Screen != ticketing.ScreenWelcome {
		changed = w.display.Reset() // a new passenger starts with the kiosk's settings
	}
	if s.Buyer != nil && w.display.Aged(s.Buyer.Age) {
		changed = true
	}
	if changed {
		ui.ApplyTheme(w.app, w.display.Options())
	}
	w.state = s
	w.render()
}

func (w *Window) toggle(f func()) func() {
	return func() {
		f()
		ui.ApplyTheme(w.app, w.display.Options())
		w.flow.Send(ticketing.Intent{Kind: ticketing.IntentActivity})
		w.render()
	}
}

// listen: "Nghe hướng dẫn" — the guidance again; a tap is activity.
func (w *Window) listen() {
	w.flow.Send(ticketing.Intent{Kind: ticketing.IntentActivity})
	w.opts.Listen()
}

func (w *Window) render() {
	env := Env{Send: w.flow.Send, Landscape: w.opts.Landscape, Now: w.opts.Now, Location: w.opts.Location,
		Entry: Entry{Digits: w.entry.Digits, ChildID: w.entry.ChildID, OnChanged: func(d, id string) {
			w.entry.Digits, w.entry.ChildID = d, id
		}},
		Display: Display{HighContrast: w.display.Options().HighContrast, LargeText: w.display.Options().LargeText,
			ToggleContrast: w.toggle(w.display.ToggleContrast), ToggleLargeText: w.toggle(w.display.ToggleLargeText)},
		Staff: w.staff}
	w.warning = IdleWarningDue(w.state, w.opts.Now())
	content := Render(w.state, env)
	if w.opts.Listen != nil && w.state.Screen != ticketing.ScreenStaff { // staff need no spoken guidance
		content = widgets.WithListen(content, widgets.ListenButton(catalog(w.state.Lang).T("voice.listen"), w.listen))
	}
	w.win.SetContent(content)
	widgets.Relayout(content)
}

// Follow applies every state the flow publishes (via fyne.Do) and
// re-renders once a second while a countdown shows, until ctx ends.
func (w *Window) Follow(ctx context.Context) {
	states, stop := w.flow.Subscribe()
	defer stop()
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case s := <-states:
			fyne.Do(func() { w.Apply(s) })
		case <-tick.C:
			fyne.Do(func() {
				due := IdleWarningDue(w.state, w.opts.Now())
				if w.state.Screen == ticketing.ScreenPayment || w.state.Screen == ticketing.ScreenFare || due || due != w.warning {
					w.render()
				}
			})
		}
	}
}

// Run opens the window for flow and runs the Fyne event loop until ctx
// ends (nil) or the window is closed (ui.ErrWindowClosed). Call it from the
// main goroutine.
func Run(ctx context.Context, a fyne.App, opts Options, flow Flow) error {
	w := NewWindow(a, opts, flow)
	followCtx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { defer close(done); w.Follow(followCtx) }()
	err := ui.ShowAndRun(ctx, a, w.win)
	cancel()
	<-done
	return err
}

// clock is a time of day in the configured zone: "07:30".
func clock(t time.Time, loc *time.Location) string { return t.In(loc).Format("15:04") }

// dayClock is "07:30 22/11/2026".
func dayClock(t time.Time, loc *time.Location) string { return t.In(loc).Format("15:04 02/01/2006") }

// mmss is a countdown "4:59".
func mmss(d time.Duration) string {
	d = max(d, 0).Truncate(time.Second)
	return strconv.Itoa(int(d/time.Minute)) + ":" + fmt.Sprintf("%02d", int(d%time.Minute/time.Second))
}

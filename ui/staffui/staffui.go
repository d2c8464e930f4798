// Package staffui owns the staff menu's screen (firmware/staffmenu) that
// the ticketing, one-stop, check-in and parking screens mount: the masked
// PIN keypad until a member of staff is logged in (none while locked),
// then the menu's message, the status or report asked for, the services
// to open or close and one button per action the menu offers. It also
// makes the discreet "Nhân viên" button a welcome screen shows.
//
// The PIN goes from the keypad straight to staffmenu.IntentPIN; it is kept
// nowhere. It imports Fyne, firmware/staffmenu (types only), ui/i18n and
// ui/widgets; it must not import a driver or a profile's flow.
package staffui

import (
	"fmt"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/kiosk06/kiosk/firmware/staffmenu"
	"github.com/kiosk06/kiosk/ui/i18n"
	"github.com/kiosk06/kiosk/ui/widgets"
)

// Screen renders the staff menu's views. It keeps the keypad across
// renders, so digits typed survive a republished state. Use it on the
// Fyne goroutine.
type Screen struct {
	// T is the catalogue of the screen's language.
	T *i18n.Catalog
	// Send hands an intent to the flow; it must not block.
	Send func(staffmenu.Intent)
	kp   *widgets.Keypad
}

// EntryButton is the welcome screen's discreet button that opens the
// staff menu.
func EntryButton(t *i18n.Catalog, onTap func()) *widgets.Button {
	return widgets.NewButton(t.T("staff.entry"), widgets.Secondary, onTap)
}

// Page is the staff screen for v.
func (s *Screen) Page(v *staffmenu.View) widgets.Page {
	msg := widgets.Subheading(s.T.T(v.Message.Key, v.Message.Args...))
	if v.Alert {
		msg.Importance = widget.DangerImportance
	}
	body := container.NewVBox(msg)
	page := widgets.Page{Title: s.T.T("staff.title"), Body: body}
	if !v.LoggedIn {
		if v.LockedUntil.IsZero() {
			body.Add(s.keypad(v))
		} else {
			s.kp = nil
		}
		if v.Busy {
			body.Add(widgets.NewProgress(-1, s.T.T("staff.checking")))
		}
		page.Back = widgets.NewButton(s.T.T("staff.back"), widgets.Secondary, s.send(staffmenu.Intent{Kind: staffmenu.IntentLogout}))
		return page
	}
	s.kp = nil
	if v.Busy {
		body.Add(widgets.NewProgress(-1, s.T.T("staff.working")))
	}
	if st := v.Status; st != nil {
		body.Add(widgets.Panel(s.statusFields(st)))
	}
	if len(v.Report) > 0 {
		var f []widgets.Field
		for _, l := range v.Report {
			f = append(f, widgets.Field{Label: s.kindLabel(l), Value: fmt.Sprint(l.Count)})
		}
		body.Add(widgets.Panel(f))
	}
	if len(v.Services) > 0 {
		body.Add(widgets.Paragraph(s.T.T("staff.services")))
		// Two a row: three long names ("Xe khách: đã đóng") overflow a
		// portrait panel, more so with large text.
		row := container.NewGridWithColumns(min(len(v.Services), 2))
		for _, sv := range v.Services {
			kind, label := widgets.Secondary, s.T.T("staff.service_is_open", "service", sv.Service)
			if !sv.Open {
				kind, label = widgets.Danger, s.T.T("staff.service_is_closed", "service", sv.Service)
			}
			row.Add(widgets.NewButton(label, kind, s.send(staffmenu.Intent{Kind: staffmenu.IntentService, Service: sv.Service, Open: !sv.Open})))
		}
		body.Add(row)
	}
	for _, a := range v.Actions {
		if a == staffmenu.IntentLogout {
			page.Back = widgets.NewButton(s.T.T("staff.logout"), widgets.Secondary, s.send(staffmenu.Intent{Kind: a}))
			continue
		}
		kind := widgets.Secondary
		if a == staffmenu.IntentStatus {
			kind = widgets.Primary
		}
		b := widgets.NewButton(s.T.T("staff.action."+a), kind, s.send(staffmenu.Intent{Kind: a}))
		if v.Busy {
			b.Disable()
		}
		page.Actions = append(page.Actions, b)
	}
	return page
}

func (s *Screen) keypad(v *staffmenu.View) fyne.CanvasObject {
	if s.kp == nil {
		s.kp = widgets.NewKeypad(widgets.KeypadLabels{Delete: s.T.T("keypad.delete"), OK: s.T.T("keypad.ok")}, v.PINMin, v.PINMax, nil)
		s.kp.Mask = true
		s.kp.OnChanged = func(string) { s.Send(staffmenu.Intent{Kind: staffmenu.IntentActivity}) }
		kp := s.kp
		kp.OnSubmit = func(pin string) {
			kp.Reset()
			s.Send(staffmenu.Intent{Kind: staffmenu.IntentPIN, Digits: pin})
		}
	}
	return container.NewCenter(s.kp)
}

func (s *Screen) statusFields(st *staffmenu.Status) []widgets.Field {
	wait := ""
	if st.OldestWait != "" {
		wait = " " + s.T.T("staff.oldest", "age", st.OldestWait)
	}
	return []widgets.Field{
		{Label: s.T.T("staff.printer"), Value: s.T.T("staff.printer." + st.Printer)},
		{Label: s.T.T("staff.store"), Value: fmt.Sprintf("%d%%", st.StoreFill)},
		{Label: s.T.T("staff.backlog"), Value: fmt.Sprint(st.Backlog) + wait},
		{Label: s.T.T("staff.paper_calls"), Value: fmt.Sprint(st.PaperCalls)},
		{Label: s.T.T("staff.clock"), Value: st.Clock},
	}
}

// kindLabel names a record kind in the report: the catalogue's name
// ("staff.kind.<kind>") when it has one, else the flow's Vietnamese label,
// else the kind itself.
func (s *Screen) kindLabel(l staffmenu.ReportLine) string {
	if k := "staff.kind." + l.Kind; s.T.Has(k) {
		return s.T.T(k)
	}
	if l.Label != "" {
		return l.Label
	}
	return l.Kind
}

func (s *Screen) send(in staffmenu.Intent) func() { return func() { s.Send(in) } }

package hospitalui

import (
	"fmt"

	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/kiosk06/kiosk/firmware/hospital"
	"github.com/kiosk06/kiosk/ui/widgets"
)

// adminScreen is the staff admin menu (firmware/hospital admin.go): the
// PIN keypad until a member of staff is logged in (none while locked),
// then the flow's message, the status or report asked for, and the queue
// services to open or close. The menu's buttons are the state's actions.
// The PIN goes from the keypad straight to IntentPIN; it is kept nowhere.
func adminScreen(s hospital.State, a *hospital.Admin, env Env) widgets.Page {
	msg := widgets.Subheading(env.text(s, a.Message))
	if !a.LockedUntil.IsZero() {
		msg.Importance = widget.DangerImportance
	}
	body := container.NewVBox(centred(msg))
	if !a.LoggedIn {
		if a.LockedUntil.IsZero() {
			kp := widgets.NewKeypad(widgets.KeypadLabels{Delete: env.T.T("keypad.delete"), OK: env.T.T("keypad.ok")},
				a.PINMin, a.PINMax, func(pin string) { env.send(hospital.Intent{Kind: hospital.IntentPIN, Digits: pin})() })
			kp.Mask = true
			kp.OnChanged = func(string) { env.send(hospital.Intent{Kind: hospital.IntentActivity})() }
			body.Add(container.NewBorder(nil, nil, spacerW(keypadSide), spacerW(keypadSide), kp))
		}
		return widgets.Page{Title: env.text(s, s.Title), Body: body}
	}
	if a.Busy {
		body.Add(widgets.NewProgress(-1, ""))
	}
	if st := a.Status; st != nil {
		body.Add(widgets.Panel([]widgets.Field{
			{Label: env.T.T("admin.printer"), Value: st.Printer},
			{Label: env.T.T("admin.store"), Value: fmt.Sprintf("%d%%", st.StoreFill)},
			{Label: env.T.T("admin.backlog"), Value: fmt.Sprintf("%d %s", st.Backlog, st.OldestWait)},
			{Label: env.T.T("admin.paper_calls"), Value: fmt.Sprint(st.PaperCalls)},
		}))
	}
	if len(a.Report) > 0 {
		var f []widgets.Field
		for _, l := range a.Report {
			label := l.Label
			if label == "" {
				label = l.Kind
			}
			f = append(f, widgets.Field{Label: label, Value: fmt.Sprint(l.Count)})
		}
		body.Add(widgets.Panel(f))
	}
	row := container.NewGridWithColumns(len(a.Services) + 1)
	row.Add(widgets.Paragraph(env.T.T("admin.services")))
	for _, sv := range a.Services {
		kind, label := widgets.Secondary, sv.Service+" ✓"
		if !sv.Open {
			kind, label = widgets.Danger, sv.Service+" ✗"
		}
		row.Add(widgets.NewButton(label, kind, env.send(hospital.Intent{Kind: hospital.IntentService, Service: sv.Service, Yes: !sv.Open})))
	}
	body.Add(row)
	return widgets.Page{Title: env.text(s, s.Title), Body: body}
}

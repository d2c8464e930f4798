package parkingui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/widget"

	"github.com/kiosk06/kiosk/firmware/parking"
	"github.com/kiosk06/kiosk/ui/staffui"
	"github.com/kiosk06/kiosk/ui/widgets"
)

// PlateLetters are the series letters on Vietnamese plates (Thông tư
// 24/2023/TT-BCA: I, J, O, Q, R and W are not issued).
const PlateLetters = "ABCDEFGHKLMNPSTUVXYZ"

// MaxPlate bounds the typed plate (parking.MaxPlateLen).
const MaxPlate = parking.MaxPlateLen

// keyColumns is the plate keyboard's width in keys.
const keyColumns = 7

// DeleteKey is the rune Attendant.Press receives for the delete key.
const DeleteKey = '\b'

// attendantPanel: the heading, the typed plate, the keyboard, the actions,
// the result note and, when offered, the staff button, in a card.
func attendantPanel(s parking.State, env Env) fyne.CanvasObject {
	a := env.Attendant
	var plate *widget.Label
	if a.Plate == "" {
		plate = widgets.Display(env.T.T("parking.plate_hint"))
		plate.Importance = widget.LowImportance
		plate.SizeName = "" // body size: a hint, not a value
	} else {
		plate = widgets.Display(a.Plate)
		plate.TextStyle.Monospace = true
	}
	exit := widgets.NewButton(env.T.T("parking.exit"), widgets.Primary, a.Exit)
	lost := widgets.NewButton(env.T.T("parking.lost_ticket"), widgets.Secondary, a.Lost)
	cancel := widgets.NewButton(env.T.T("parking.cancel_payment"), widgets.Danger, a.Cancel)
	if a.Busy || len(a.Plate) < 4 {
		exit.Disable()
		lost.Disable()
	}
	if s.Phase != parking.PhaseAwaitingPayment {
		cancel.Disable()
	}
	note := a.Note
	if a.Busy {
		note = env.T.T("parking.working")
	}
	var heading fyne.CanvasObject = widgets.Subheading(env.T.T("parking.attendant"))
	if s.StaffOffered && a.Staff != nil {
		// Discreet, beside the heading: the staff menu (PIN first).
		heading = container.NewBorder(nil, nil, nil, staffui.EntryButton(env.T, a.Staff), heading)
	}
	box := container.NewVBox(heading,
		container.NewStack(plate), keyboard(env), container.NewGridWithColumns(3, exit, lost, cancel))
	if note != "" {
		box.Add(widgets.Paragraph(note))
	}
	return widgets.Card(box)
}

// keyboard is the plate keyboard: digits, '-', '.', delete, then the
// letters, keyColumns keys a row.
func keyboard(env Env) fyne.CanvasObject {
	press := func(r rune) func() {
		return func() {
			if env.Attendant.Press != nil {
				env.Attendant.Press(r)
			}
		}
	}
	var keys []fyne.CanvasObject
	for _, r := range "1234567890-." {
		keys = append(keys, widgets.NewButton(string(r), widgets.Secondary, press(r)))
	}
	keys = append(keys, widgets.NewButton(env.T.T("keypad.delete"), widgets.Secondary, press(DeleteKey)))
	for len(keys)%keyColumns != 0 {
		keys = append(keys, layout.NewSpacer())
	}
	for _, r := range PlateLetters {
		keys = append(keys, widgets.NewButton(string(r), widgets.Secondary, press(r)))
	}
	return container.NewGridWithColumns(keyColumns, keys...)
}

// typePlate applies one key to plate: an allowed character appends (up to
// MaxPlate), DeleteKey removes the last one; anything else is ignored.
func typePlate(plate string, r rune) string {
	switch {
	case r == DeleteKey:
		if plate == "" {
			return plate
		}
		return plate[:len(plate)-1]
	case len(plate) >= MaxPlate:
		return plate
	case r >= '0' && r <= '9', r == '-', r == '.', r >= 'A' && r <= 'Z':
		return plate + string(r)
	default:
		return plate
	}
}

package hospitalui

// The card-left reminder (this file): after goodbye the last patient's
// card may still lie on the reader (hospital.State.CardLeft); no new
// registration starts until it is taken. The hospital kiosk has no buzzer
// of its own, so the window makes it seen: a full-width banner under the
// top bar that blinks (the shell flips Env.Blink once a second) with the
// flow's reminder (State.CardReminder, “Nhớ lấy lại thẻ Căn cước”). The
// sound is not this room's: Options.Remind is the hook the kiosk's audio
// calls a beep from, once a second for as long as the card lies there.

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	fynetheme "fyne.io/fyne/v2/theme"

	kiosktheme "github.com/kiosk06/kiosk/ui/theme"
	"github.com/kiosk06/kiosk/ui/widgets"
)

// cardLeftBanner is the blinking reminder: on, the warning colour behind
// dark text; off, the usual panel, so the change catches the eye without
// the text ever disappearing.
func cardLeftBanner(text string, on bool) fyne.CanvasObject {
	th := fyne.CurrentApp().Settings().Theme()
	v := fyne.CurrentApp().Settings().ThemeVariant()
	bg := canvas.NewRectangle(th.Color(kiosktheme.ColorNamePanel, v))
	if on {
		bg.FillColor = th.Color(fynetheme.ColorNameWarning, v)
	}
	bg.StrokeColor = th.Color(fynetheme.ColorNameWarning, v)
	bg.StrokeWidth = 2 * th.Size(fynetheme.SizeNameInputBorder)
	bg.CornerRadius = th.Size(kiosktheme.SizeNameCornerRadius)
	l := widgets.Subheading(text)
	l.Alignment = fyne.TextAlignCenter
	icon := widgets.BigIcon(fynetheme.WarningIcon(), fynetheme.ColorNameForeground)
	row := container.NewBorder(nil, nil, icon, nil, container.NewVBox(layout.NewSpacer(), l, layout.NewSpacer()))
	return container.NewPadded(container.NewStack(bg, container.NewPadded(container.NewPadded(row))))
}

// remindCardLeft is a Tick while State.CardLeft: the banner blinks and
// Options.Remind (the audio's beep) is called.
func (k *Kiosk) remindCardLeft() {
	k.blink = !k.blink
	k.render()
	if k.opts.Remind != nil {
		k.opts.Remind()
	}
}

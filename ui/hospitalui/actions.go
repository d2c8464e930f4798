package hospitalui

import (
	fynetheme "fyne.io/fyne/v2/theme"

	"github.com/kiosk06/kiosk/ui"
	"github.com/kiosk06/kiosk/ui/widgets"
)

// widenLong gives a main-column button whose label cannot share a row in
// portrait (“Đăng ký cho trẻ em chưa có thẻ”) a row of its own, rather
// than pushing the page wider than the panel.
func widenLong(p *widgets.Page) {
	if p.Landscape {
		return
	}
	pad := fynetheme.Padding()
	half := (ui.PortraitSize.Width - 4*pad) / 2
	for _, b := range p.Actions {
		if b.Kind != widgets.Primary && b.MinSize().Width > half {
			b.Wide = true
		}
	}
}

package hospitalui

import (
	"time"

	"testing"

	"fyne.io/fyne/v2/test"

	"github.com/kiosk06/kiosk/firmware/hospital"
	"github.com/kiosk06/kiosk/ui/i18n"
	"github.com/kiosk06/kiosk/ui/internal/fixtures"
	"github.com/kiosk06/kiosk/ui/internal/uitest"
	kiosktheme "github.com/kiosk06/kiosk/ui/theme"
	"github.com/kiosk06/kiosk/ui/widgets"
)

// BenchmarkRenderPayment measures building the payment screen (VietQR
// encode and scale included), which the flow republishes once a second
// while it counts down; plus its layout in a 1080×1920 window.
func BenchmarkRenderPayment(b *testing.B) {
	uitest.NewApp(b, kiosktheme.Options{})
	cat, err := i18n.Load(i18n.Vietnamese)
	if err != nil {
		b.Fatal(err)
	}
	s := fixtures.ByName("09-payment")
	env := Env{T: cat, Send: func(hospital.Intent) {}, Now: func() time.Time { return fixtures.Now }}
	w := test.NewTempWindow(b, nil)
	w.Resize(uitest.Portrait)
	b.ReportAllocs()
	for b.Loop() {
		c := Render(s, env)
		w.SetContent(c)
		widgets.Relayout(c)
	}
}

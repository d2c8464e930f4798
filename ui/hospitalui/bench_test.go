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

// BenchmarkRenderAttract measures building the idle welcome screen at the
// next step of its attract loop (the flow republishes it every 6 s): the
// slideshow with its SVG picture, and its layout in a 1080×1920 window.
func BenchmarkRenderAttract(b *testing.B) {
	uitest.NewApp(b, kiosktheme.Options{})
	cat, err := i18n.Load(i18n.Vietnamese)
	if err != nil {
		b.Fatal(err)
	}
	steps := append([]fixtures.Named{{Name: "01-welcome", State: fixtures.ByName("01-welcome")}}, fixtures.Attract()...)
	env := Env{T: cat, Send: func(hospital.Intent) {}, Now: func() time.Time { return fixtures.Now }}
	w := test.NewTempWindow(b, nil)
	w.Resize(uitest.Portrait)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		c := Render(steps[i%len(steps)].State, env)
		w.SetContent(c)
		widgets.Relayout(c)
		i++
	}
}

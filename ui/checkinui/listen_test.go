package checkinui

import (
	"testing"

	"fyne.io/fyne/v2/test"

	"github.com/kiosk06/kiosk/firmware/checkin"
	"github.com/kiosk06/kiosk/ui/internal/uitest"
	kiosktheme "github.com/kiosk06/kiosk/ui/theme"
)

// TestListenAndDisplay: in the point's window a "Nghe hướng dẫn" button
// with a loudspeaker icon sits in the header (a tap says the guidance
// again), and the page still fits the panel with the most actions (the
// enrolment offer's three); "Chữ lớn" and "Tương phản cao" are in the header; a person whose
// card says 60 or older gets large text by itself, once; the next person
// starts with the point's settings.
func TestListenAndDisplay(t *testing.T) {
	a := uitest.NewApp(t, kiosktheme.Options{})
	listened := 0
	scr := NewKioskScreen(a, &sent{}, ict, false, Options{Listen: func() { listened++ }})
	w := test.NewTempWindow(t, scr.Content())
	w.Resize(Size)
	uitest.SetScale(w, uitest.GoldenScale)
	offer := fixture(t, "08-holder-enrol-offer")
	offer.Site = "Hội đồng thi Mô phỏng – phòng P101"
	scr.Apply(offer)
	if m := scr.Content().MinSize(); m.Width > Size.Width || m.Height > Size.Height {
		t.Errorf("the enrolment offer needs %v, more than the %v panel", m, Size)
	}
	res := fixture(t, "16-attendance-accepted")
	scr.Apply(res)
	uitest.AssertScreen(t, "16-attendance-accepted-listen.png", w.Canvas().Capture(), *update)
	b := uitest.Button(t, scr.Content(), "Nghe hướng dẫn")
	if b.Icon == nil {
		t.Error("the listen button has no icon")
	}
	test.Tap(b)
	if listened != 1 {
		t.Fatalf("listened %d", listened)
	}
	test.Tap(uitest.Button(t, scr.Content(), "Tương phản cao"))
	if !scr.Display().HighContrast {
		t.Fatal("the contrast switch did nothing")
	}
	elder := res
	p := *res.Person
	p.Age = 61
	elder.Person = &p
	scr.Apply(elder)
	if !scr.Display().LargeText {
		t.Fatal("no large text for a person of 61")
	}
	test.Tap(uitest.Button(t, scr.Content(), "Chữ lớn"))
	scr.Apply(elder)
	if scr.Display().LargeText {
		t.Fatal("large text came back after it was turned off")
	}
	scr.Apply(fixture(t, "04-attendance-ready"))
	if scr.Display() != (kiosktheme.Options{}) {
		t.Fatalf("the next person starts with %+v", scr.Display())
	}
}

// TestEveryActionHasAnIcon: every button the flow offers carries a
// picture.
func TestEveryActionHasAnIcon(t *testing.T) {
	for _, k := range []checkin.IntentKind{checkin.IntentSkip, checkin.IntentEnrol, checkin.IntentConfirm, checkin.IntentCheckOut,
		checkin.IntentContinue, checkin.IntentCancel, checkin.IntentReport, checkin.IntentPrint, checkin.IntentExport,
		checkin.IntentExportASM, checkin.IntentBack} {
		if actionIcon(k) == nil {
			t.Errorf("action %s has no icon", k)
		}
	}
	for _, fx := range fixtures() {
		for _, a := range fx.s.Actions {
			if actionIcon(a.Kind) == nil {
				t.Errorf("%s: action %s has no icon", fx.name, a.Kind)
			}
		}
	}
}

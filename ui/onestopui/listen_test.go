package onestopui

import (
	"testing"

	"fyne.io/fyne/v2/test"

	"github.com/kiosk06/kiosk/firmware/onestop"
	"github.com/kiosk06/kiosk/ui/internal/uitest"
	kiosktheme "github.com/kiosk06/kiosk/ui/theme"
)

// TestListenAndDisplay: in the kiosk window a large "Nghe hướng dẫn"
// button with a loudspeaker icon sits under every screen (a tap says the
// guidance again and is activity); "Chữ lớn" and "Tương phản cao" are on
// the top bar; a citizen whose card says 60 or older gets large text by
// itself, once; the next citizen starts with the kiosk's settings.
func TestListenAndDisplay(t *testing.T) {
	a := uitest.NewApp(t, kiosktheme.Options{})
	f := &sent{}
	listened := 0
	scr := NewKioskScreen(a, f, ict, Options{Listen: func() { listened++ }})
	w := test.NewTempWindow(t, scr.Content())
	w.Resize(Size)
	uitest.SetScale(w, uitest.GoldenScale)
	scr.Apply(fixture(t, "01-welcome"))
	uitest.AssertScreen(t, "01-welcome-listen.png", w.Canvas().Capture(), *update)
	b := uitest.Button(t, scr.Content(), "Nghe hướng dẫn")
	if b.Icon == nil {
		t.Error("the listen button has no icon")
	}
	test.Tap(b)
	if listened != 1 || len(f.in) != 1 || f.in[0].Kind != onestop.IntentActivity {
		t.Fatalf("listened %d, sent %+v", listened, f.in)
	}
	test.Tap(uitest.Button(t, scr.Content(), "Tương phản cao"))
	if !scr.Display().HighContrast {
		t.Fatal("the contrast switch did nothing")
	}
	menu := fixture(t, "04-menu")
	menu.Citizen = &onestop.Citizen{Name: "Lan", MaskedID: "0011••••••45", Age: 66}
	scr.Apply(menu)
	if !scr.Display().LargeText {
		t.Fatal("no large text for a citizen of 66")
	}
	test.Tap(uitest.Button(t, scr.Content(), "Chữ lớn"))
	scr.Apply(menu)
	if scr.Display().LargeText {
		t.Fatal("large text came back after the citizen turned it off")
	}
	scr.Apply(fixture(t, "16-goodbye"))
	scr.Apply(fixture(t, "01-welcome"))
	if scr.Display() != (kiosktheme.Options{}) {
		t.Fatalf("the next citizen starts with %+v", scr.Display())
	}
}

// TestEveryActionHasAnIcon: every button the flow offers (but the
// language toggle) carries a picture.
func TestEveryActionHasAnIcon(t *testing.T) {
	for _, k := range []onestop.IntentKind{onestop.IntentStart, onestop.IntentSearch, onestop.IntentRegister, onestop.IntentQueue,
		onestop.IntentSubmit, onestop.IntentConfirm, onestop.IntentDossiers, onestop.IntentPrint, onestop.IntentForOther,
		onestop.IntentEndOther, onestop.IntentSupport, onestop.IntentEndCall, onestop.IntentMenu, onestop.IntentRetry,
		onestop.IntentBack, onestop.IntentSignOut, onestop.IntentCancel, onestop.IntentContinue, onestop.IntentDone} {
		if actionIcon(k) == nil {
			t.Errorf("action %s has no icon", k)
		}
	}
	for _, fx := range fixtures() {
		for _, a := range fx.s.Actions {
			// The language toggle is words; the staff button is ui/staffui's
			// discreet "Nhân viên", not a citizen's choice.
			if a.Kind != onestop.IntentLanguage && a.Kind != onestop.IntentStaff && actionIcon(a.Kind) == nil {
				t.Errorf("%s: action %s has no icon", fx.name, a.Kind)
			}
		}
	}
}

package ticketingui

import (
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"github.com/kiosk06/kiosk/firmware/ticketing"
	"github.com/kiosk06/kiosk/ui/internal/fixtures"
	"github.com/kiosk06/kiosk/ui/internal/uitest"
	kiosktheme "github.com/kiosk06/kiosk/ui/theme"
	"github.com/kiosk06/kiosk/ui/widgets"
)

// recFlow records what the window sends.
type recFlow struct{ sent []ticketing.Intent }

func (f *recFlow) Subscribe() (<-chan ticketing.State, func()) { return nil, func() {} }
func (f *recFlow) Send(in ticketing.Intent)                    { f.sent = append(f.sent, in) }

// button finds the button labelled text in w's content.
func button(t *testing.T, w *Window, text string) *widgets.Button {
	t.Helper()
	for _, b := range uitest.Buttons(w.Window().Content()) {
		if b.Text == text {
			return b
		}
	}
	t.Fatalf("no button %q", text)
	return nil
}

// TestListenAndElder: with a voice, a large "Nghe hướng dẫn" button with a
// loudspeaker icon sits under every screen and a tap says the guidance
// again (and is activity); a buyer of 60 or more gets large text by
// itself, once, and the next passenger starts with the kiosk's settings.
func TestListenAndElder(t *testing.T) {
	a := uitest.NewApp(t, kiosktheme.Options{})
	f := &recFlow{}
	listened := 0
	w := NewWindow(a, Options{Now: func() time.Time { return fixtures.Now }, Location: ict, Listen: func() { listened++ }}, f)
	t.Cleanup(w.Window().Close)
	uitest.SetScale(w.Window(), uitest.GoldenScale)
	w.Window().Resize(PortraitSize)
	all := screens()
	w.Apply(all[0].s)
	uitest.AssertScreen(t, "01-welcome-listen.png", w.Window().Canvas().Capture(), *update)
	b := button(t, w, "Nghe hướng dẫn")
	if b.Icon == nil {
		t.Error("the listen button has no icon")
	}
	test.Tap(b)
	if listened != 1 || len(f.sent) != 1 || f.sent[0].Kind != ticketing.IntentActivity {
		t.Fatalf("listened %d, sent %+v", listened, f.sent)
	}
	elder := all[1].s
	elder.Buyer = &ticketing.Person{Name: "Thu", MaskedID: "0010••••••45", Age: 72}
	w.Apply(elder)
	if !w.Display().LargeText {
		t.Fatal("no large text for a buyer of 72")
	}
	test.Tap(button(t, w, "Chữ lớn"))
	w.Apply(elder)
	if w.Display().LargeText {
		t.Fatal("large text came back after the buyer turned it off")
	}
	w.Apply(all[0].s)
	young := all[1].s
	young.Buyer = &ticketing.Person{Name: "An", MaskedID: "0010••••••46", Age: 30}
	w.Apply(young)
	if w.Display() != (kiosktheme.Options{}) {
		t.Fatalf("the next passenger starts with %+v", w.Display())
	}
}

// TestEveryActionHasAnIcon: every button the flow's screens offer (but
// the language toggle, on the top bar, and the staff menu's discreet
// entry, which is ui/staffui's and no passenger's choice) carries a
// picture.
func TestEveryActionHasAnIcon(t *testing.T) {
	for _, sc := range append(screens(), struct {
		name string
		s    ticketing.State
	}{"01-welcome-staff", welcomeWithStaff()}) {
		for _, a := range sc.s.Actions {
			if a.Kind != ticketing.IntentLanguage && a.Kind != ticketing.IntentStaff && actionIcon(a) == nil {
				t.Errorf("%s: action %s %q has no icon", sc.name, a.Kind, a.Label.VI)
			}
		}
	}
}

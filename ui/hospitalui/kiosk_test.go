package hospitalui

import (
	"context"
	"errors"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/kiosk06/kiosk/firmware/config"
	"github.com/kiosk06/kiosk/firmware/hospital"
	"github.com/kiosk06/kiosk/ui"
	"github.com/kiosk06/kiosk/ui/internal/fixtures"
	"github.com/kiosk06/kiosk/ui/internal/uitest"
	kiosktheme "github.com/kiosk06/kiosk/ui/theme"
)

// fakeFlow is a scripted hospital flow: each (screen fixture, intent) moves
// to the next fixture and the kiosk is updated synchronously, as if the
// flow goroutine had published.
type fakeFlow struct {
	t       *testing.T
	k       *Kiosk
	cur     string
	state   hospital.State
	sent    []hospital.Intent
	next    func(cur string, in hospital.Intent) (string, hospital.State, bool)
	updates chan hospital.State
}

func (f *fakeFlow) Subscribe() (<-chan hospital.State, func()) { return f.updates, func() {} }

func (f *fakeFlow) Send(in hospital.Intent) {
	f.sent = append(f.sent, in)
	if f.next == nil {
		return
	}
	if name, s, ok := f.next(f.cur, in); ok {
		f.show(name, s)
	}
}

// show publishes a state (the flow's own progress, e.g. the chip read).
func (f *fakeFlow) show(name string, s hospital.State) {
	f.cur, f.state = name, s
	f.k.Apply(s)
}

// registration is the script of an insured registration with pre-payment.
func registration(cur string, in hospital.Intent) (string, hospital.State, bool) {
	step := func(name string) (string, hospital.State, bool) { return name, fixtures.ByName(name), true }
	switch {
	case in.Kind == hospital.IntentLanguage:
		return cur, fixtures.English(fixtures.ByName(cur)), true
	case cur == "01-welcome" && in.Kind == hospital.IntentStart:
		return step("02-identify-reading")
	case cur == "03-card-genuine" && in.Kind == hospital.IntentContinue:
		return step("04-holder-offer")
	case cur == "04-holder-offer" && in.Kind == hospital.IntentConsent && !in.Yes:
		return step("05-insurance-valid")
	case cur == "05-insurance-valid" && in.Kind == hospital.IntentContinue:
		return "clinic-unanswered", fixtures.ClinicAnswered(fixtures.ByName("06-clinic"), false), true
	case cur == "clinic-unanswered" && in.Kind == hospital.IntentAnswer && in.Question == hospital.QPregnant && in.Yes:
		return step("06-clinic")
	case cur == "06-clinic" && in.Kind == hospital.IntentCallStaff:
		return step("30-help")
	case cur == "30-help" && in.Kind == hospital.IntentBack:
		return step("06-clinic")
	case cur == "06-clinic" && in.Kind == hospital.IntentChoose && in.Clinic == "K02":
		return step("07-registering")
	case cur == "08-ticket" && in.Kind == hospital.IntentContinue:
		return step("09-payment")
	case cur == "10-receipt" && in.Kind == hospital.IntentDone:
		return step("11-goodbye")
	case cur == "11-goodbye" && in.Kind == hospital.IntentDone:
		return step("01-welcome")
	}
	return "", hospital.State{}, false
}

func newKiosk(t *testing.T, next func(string, hospital.Intent) (string, hospital.State, bool)) (*Kiosk, *fakeFlow) {
	t.Helper()
	a := uitest.NewApp(t, kiosktheme.Options{})
	f := &fakeFlow{t: t, next: next, updates: make(chan hospital.State, 1)}
	k, err := NewKiosk(a, Options{Now: func() time.Time { return fixtures.Now }}, f)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(k.Window().Close)
	uitest.SetScale(k.Window(), uitest.GoldenScale)
	f.k = k
	return k, f
}

func tap(t *testing.T, k *Kiosk, label string) {
	t.Helper()
	test.Tap(uitest.Button(t, k.Window().Content(), label))
}

func assertShows(t *testing.T, k *Kiosk, name string) {
	t.Helper()
	uitest.AssertScreen(t, "kiosk-"+name+".png", k.Window().Canvas().Capture(), *update)
}

// TestRegistrationTapThrough taps through a whole registration — welcome,
// chip read, genuine card, fingerprint offer declined, BHYT valid, priority
// question, call staff and back, clinic, ticket, VietQR payment, receipt,
// goodbye — comparing each screen with the checked-in screenshot and
// checking the intents the flow received.
func TestRegistrationTapThrough(t *testing.T) {
	k, f := newKiosk(t, registration)
	f.show("01-welcome", fixtures.ByName("01-welcome"))
	assertShows(t, k, "01-welcome")

	tap(t, k, "Bắt đầu")
	assertShows(t, k, "02-identify-reading")
	f.show("03-card-genuine", fixtures.ByName("03-card-genuine")) // the chip read finished
	assertShows(t, k, "03-card-genuine")

	tap(t, k, "Tiếp tục")
	assertShows(t, k, "04-holder-offer")
	tap(t, k, "Không đồng ý")
	assertShows(t, k, "05-insurance-valid")
	tap(t, k, "Tiếp tục")
	tap(t, k, "Có") // the first question: pregnant
	assertShows(t, k, "06-clinic")

	tap(t, k, "Gọi nhân viên")
	assertShows(t, k, "30-help")
	tap(t, k, "Quay lại")
	assertShows(t, k, "06-clinic")

	tap(t, k, "Khám Sản phụ khoa")
	assertShows(t, k, "07-registering")
	f.show("08-ticket", fixtures.ByName("08-ticket")) // registered and printed
	assertShows(t, k, "08-ticket")
	tap(t, k, "Thanh toán")
	assertShows(t, k, "09-payment")
	f.show("10-receipt", fixtures.ByName("10-receipt")) // the transfer arrived
	assertShows(t, k, "10-receipt")
	tap(t, k, "Hoàn tất")
	assertShows(t, k, "11-goodbye")
	tap(t, k, "Hoàn tất")
	assertShows(t, k, "01-welcome")

	want := []hospital.Intent{
		{Kind: hospital.IntentStart},
		{Kind: hospital.IntentContinue},
		{Kind: hospital.IntentConsent, Yes: false},
		{Kind: hospital.IntentContinue},
		{Kind: hospital.IntentAnswer, Question: hospital.QPregnant, Yes: true},
		{Kind: hospital.IntentCallStaff},
		{Kind: hospital.IntentBack},
		{Kind: hospital.IntentChoose, Clinic: "K02"},
		{Kind: hospital.IntentContinue},
		{Kind: hospital.IntentDone},
		{Kind: hospital.IntentDone},
	}
	if len(f.sent) != len(want) {
		t.Fatalf("sent %d intents %+v, want %d", len(f.sent), f.sent, len(want))
	}
	for i := range want {
		if f.sent[i] != want[i] {
			t.Errorf("intent %d = %+v, want %+v", i, f.sent[i], want[i])
		}
	}
}

// TestLanguageAndDisplayToggles: the language button asks the flow; the
// contrast and text-size buttons are local, count as activity, and are
// reset when a new session starts at the welcome screen.
func TestLanguageAndDisplayToggles(t *testing.T) {
	k, f := newKiosk(t, registration)
	f.show("01-welcome", fixtures.ByName("01-welcome"))

	tap(t, k, "English")
	assertShows(t, k, "01-welcome-en")
	f.show("01-welcome", fixtures.ByName("01-welcome"))

	tap(t, k, "Tương phản cao")
	if !k.Display().HighContrast {
		t.Fatal("high contrast not on after the tap")
	}
	assertShows(t, k, "01-welcome-contrast")
	tap(t, k, "Màu thường")
	assertShows(t, k, "01-welcome")

	tap(t, k, "Chữ lớn")
	if !k.Display().LargeText {
		t.Fatal("large text not on after the tap")
	}
	tap(t, k, "Bắt đầu")
	if !k.Display().LargeText {
		t.Fatal("large text lost within the session")
	}
	f.show("01-welcome", fixtures.ByName("01-welcome")) // idle timeout: new session
	if k.Display() != (kiosktheme.Options{}) {
		t.Fatalf("display %+v not reset for the new session", k.Display())
	}
	assertShows(t, k, "01-welcome")

	var activity int
	for _, in := range f.sent {
		if in.Kind == hospital.IntentActivity {
			activity++
		}
	}
	if f.sent[0].Kind != hospital.IntentLanguage || activity != 3 {
		t.Errorf("intents %+v: want language first and 3 activity", f.sent)
	}
}

// TestIdleWarning: the banner shows in the last 20 s with a countdown, and
// "I'm still here" reports activity; Tick drops it once the flow moved the
// deadline.
func TestIdleWarning(t *testing.T) {
	k, f := newKiosk(t, nil)
	f.show("31-idle-warning", fixtures.ByName("31-idle-warning"))
	assertShows(t, k, "31-idle-warning")
	tap(t, k, "Tôi vẫn ở đây")
	if len(f.sent) != 1 || f.sent[0].Kind != hospital.IntentActivity {
		t.Fatalf("sent %+v, want one activity", f.sent)
	}
	s := fixtures.ByName("31-idle-warning")
	s.IdleDeadline = fixtures.Now.Add(90 * time.Second)
	f.state = s
	k.state = s // the flow moved the deadline; Tick notices the banner is no longer due
	k.Tick()
	for _, b := range uitest.Buttons(k.Window().Content()) {
		if b.Text == "Tôi vẫn ở đây" {
			t.Fatal("idle banner still shown after the deadline moved")
		}
	}
}

// TestRun: Run returns nil when ctx ends and ErrWindowClosed when the event
// loop ends first (the test app's loop returns at once).
func TestRun(t *testing.T) {
	a := uitest.NewApp(t, kiosktheme.Options{})
	f := &fakeFlow{t: t, updates: make(chan hospital.State)}
	cfg := config.Default().UI
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := Run(ctx, a, cfg, f); err != nil {
		t.Errorf("Run after cancel = %v, want nil", err)
	}
	if err := Run(context.Background(), a, cfg, f); !errors.Is(err, ui.ErrWindowClosed) {
		t.Errorf("Run = %v, want ErrWindowClosed", err)
	}
}

func TestOptionsFromConfig(t *testing.T) {
	c := config.Default().UI
	c.Orientation, c.Fullscreen, c.HighContrast = "landscape", true, true
	o := OptionsFromConfig(c)
	if !o.Landscape || !o.Fullscreen || !o.Display.HighContrast || o.Display.LargeText {
		t.Errorf("OptionsFromConfig = %+v", o)
	}
	a := uitest.NewApp(t, kiosktheme.Options{})
	k, err := NewKiosk(a, o, &fakeFlow{updates: make(chan hospital.State)})
	if err != nil {
		t.Fatal(err)
	}
	defer k.Window().Close()
	if got := k.Window().Canvas().Size(); got != ui.LandscapeSize {
		t.Errorf("landscape window %v, want %v", got, ui.LandscapeSize)
	}
	if !k.Window().FullScreen() {
		t.Error("not full screen")
	}
	_ = fyne.Size{}
}

// TestLargeTextForElders: once the card says the patient is 60 or older,
// large text turns on by itself; turned off, it stays off for the session;
// the next patient starts from the kiosk's setting.
func TestLargeTextForElders(t *testing.T) {
	k, f := newKiosk(t, registration)
	elder := fixtures.ByName("03-card-genuine")
	if elder.Patient == nil {
		t.Fatal("the card fixture has no patient")
	}
	p := *elder.Patient
	p.Age = 72
	elder.Patient = &p
	f.show("03-card-genuine", elder)
	if !k.Display().LargeText {
		t.Fatal("large text not on for a 72-year-old")
	}
	tap(t, k, "Chữ thường")
	f.show("03-card-genuine", elder)
	if k.Display().LargeText {
		t.Fatal("large text came back after the patient turned it off")
	}
	f.show("01-welcome", fixtures.ByName("01-welcome"))
	young := fixtures.ByName("03-card-genuine")
	f.show("03-card-genuine", young)
	if k.Display().LargeText {
		t.Fatalf("large text on for a %d-year-old", young.Patient.Age)
	}
}

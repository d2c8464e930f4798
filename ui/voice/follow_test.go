package voice

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/kiosk06/kiosk/firmware/checkin"
	"github.com/kiosk06/kiosk/firmware/hospital"
	"github.com/kiosk06/kiosk/firmware/onestop"
	"github.com/kiosk06/kiosk/firmware/parking"
	"github.com/kiosk06/kiosk/firmware/profile"
	"github.com/kiosk06/kiosk/firmware/speech"
	"github.com/kiosk06/kiosk/firmware/ticketing"
)

// fakeFlow hands the follower the states the test sends, every one.
type fakeFlow[S, I any] struct{ states chan S }

func (f fakeFlow[S, I]) Subscribe() (<-chan S, func()) { return f.states, func() {} }
func (f fakeFlow[S, I]) Send(I)                        {}

// chanSpeaker reports each utterance as it is said.
type chanSpeaker chan speech.Utterance

func (c chanSpeaker) Say(ctx context.Context, u speech.Utterance) error {
	c <- u
	return nil
}

// flowMsg is a flow text as the hospital flow builds it (Messages, with
// its %s arguments).
func flowMsg(t *testing.T, key string, args ...any) hospital.Text {
	t.Helper()
	m, ok := hospital.Messages()[key]
	if !ok {
		t.Fatalf("no hospital message %q", key)
	}
	return hospital.Text{Key: key, VI: fmt.Sprintf(m.VI, args...), EN: fmt.Sprintf(m.EN, args...)}
}

// TestFollowerSpeaksEveryHospitalScreen: for each hospital.Screen (read
// from the flow's source, so a new screen fails here until it speaks),
// the follower says the screen's guidance when it appears, then its
// results: the card's verdict, the ticket number and room, the amount to
// pay, what went wrong and what to do — the exact words.
func TestFollowerSpeaksEveryHospitalScreen(t *testing.T) {
	cases := map[hospital.Screen]struct {
		state   hospital.State
		results []string
	}{
		hospital.ScreenWelcome:  {hospital.State{Welcome: &hospital.Welcome{Message: flowMsg(t, "welcome.message")}}, nil},
		hospital.ScreenIdentify: {hospital.State{Identify: &hospital.Identify{Retry: true, Message: flowMsg(t, "identify.failed")}}, []string{normal(t, flowMsg(t, "identify.failed").VI)}},
		hospital.ScreenCardResult: {hospital.State{Card: &hospital.CardResult{Message: flowMsg(t, "card.genuine")}},
			[]string{normal(t, flowMsg(t, "card.genuine").VI)}},
		hospital.ScreenHolder: {hospital.State{Holder: &hospital.HolderCheck{Phase: hospital.HolderVerifying, Message: flowMsg(t, "holder.place")}},
			[]string{normal(t, flowMsg(t, "holder.place").VI)}},
		hospital.ScreenInsurance: {hospital.State{Insurance: &hospital.Insurance{Outcome: hospital.InsuranceNone, Message: flowMsg(t, "insurance.none")}},
			[]string{normal(t, flowMsg(t, "insurance.none").VI)}},
		hospital.ScreenClinic:      {hospital.State{Clinic: &hospital.ChooseClinic{}}, nil},
		hospital.ScreenRegistering: {hospital.State{Registering: &hospital.Registering{Message: flowMsg(t, "registering.message")}}, nil},
		hospital.ScreenTicket: {hospital.State{Ticket: &hospital.Ticket{Number: "A012", Room: "Phòng 101", Message: flowMsg(t, "ticket.pay_due", "50.000 ₫")}},
			[]string{"Số a, không, một, hai, Phòng một trăm linh một", "Phí cần thanh toán trước khi khám: năm mươi nghìn đồng."}},
		hospital.ScreenPayment: {hospital.State{Payment: &hospital.Payment{Phase: hospital.PaymentWaiting, Message: flowMsg(t, "payment.waiting", "50.000 ₫")}},
			[]string{normal(t, flowMsg(t, "payment.waiting", "50.000 ₫").VI)}},
		hospital.ScreenReceipt: {hospital.State{Receipt: &hospital.Receipt{Message: flowMsg(t, "receipt.message")}}, nil},
		hospital.ScreenGoodbye: {hospital.State{Goodbye: &hospital.Goodbye{Message: flowMsg(t, "goodbye.message"), Number: "B003", Room: "Phòng 12"}},
			[]string{"Số bê, không, không, ba, Phòng mười hai"}},
		hospital.ScreenError: {hospital.State{Error: &hospital.ErrorInfo{Message: flowMsg(t, "error.his"), Next: flowMsg(t, "error.his_next")}},
			[]string{normal(t, flowMsg(t, "error.his").VI), normal(t, flowMsg(t, "error.his_next").VI)}},
		hospital.ScreenHelp: {hospital.State{Help: &hospital.Help{Message: flowMsg(t, "help.message")}}, nil},
		// The staff menu says only its guidance: nothing about staff or
		// the device is read aloud in the hall.
		hospital.ScreenAdmin: {hospital.State{Admin: &hospital.Admin{Message: flowMsg(t, "admin.wrong_pin", 4)}}, nil},
		hospital.ScreenOutOfService: {hospital.State{OutOfService: &hospital.OutOfService{Message: flowMsg(t, "out_of_service.message")}},
			[]string{normal(t, flowMsg(t, "out_of_service.message").VI)}},
	}
	books, err := New(nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range constants(t, "../../firmware/hospital", "Screen") {
		sc := hospital.Screen(name)
		c, ok := cases[sc]
		if !ok {
			t.Errorf("screen %q: no case here: add what it should say", name)
			continue
		}
		t.Run(name, func(t *testing.T) {
			st := c.state
			st.Screen, st.Lang = sc, hospital.LangVI
			got := followOne(t, books, profile.NewScreen[hospital.State, hospital.Intent]("hospital", fakeFlow[hospital.State, hospital.Intent]{make(chan hospital.State)}), st, 1+len(c.results))
			guide, _ := books.i18n["vi"].Voice(GuideKey("hospital", name))
			want := append([]string{normal(t, guide)}, c.results...)
			for i, u := range got {
				kind := speech.Result
				if i == 0 {
					kind = speech.Guidance
				}
				if u.Text != want[i] || u.Kind != kind || u.Lang != speech.Vietnamese {
					t.Errorf("%d: %v %q\n want %v %q", i, u.Kind, u.Text, kind, want[i])
				}
			}
		})
	}
}

// TestFollowerParking: each phase of the parking lane speaks its guidance.
func TestFollowerParking(t *testing.T) {
	books, err := New(nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, ph := range constants(t, "../../firmware/parking", "Phase") {
		got := followOne(t, books, profile.NewScreen[parking.State, parking.Intent]("parking", fakeFlow[parking.State, parking.Intent]{make(chan parking.State)}),
			parking.State{Phase: parking.Phase(ph)}, 1)
		if got[0].Key != GuideKey("parking", ph) || got[0].Kind != speech.Guidance || got[0].Text == "" {
			t.Errorf("%s: said %+v", ph, got[0])
		}
	}
}

// TestFollowerOncePerScreen: a state published again (the payment
// screen's countdown) says nothing again; a new language says the
// guidance again in it.
func TestFollowerOncePerScreen(t *testing.T) {
	books, _ := New(nil)
	sp := make(chanSpeaker, 16)
	flow := fakeFlow[hospital.State, hospital.Intent]{make(chan hospital.State)}
	run, ok := books.With(sp).Follower(profile.NewScreen[hospital.State, hospital.Intent]("hospital", flow), nil)
	if !ok {
		t.Fatal("the hospital flow is not followed")
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); run(ctx) }()
	pay := hospital.State{Screen: hospital.ScreenPayment, Lang: hospital.LangVI,
		Payment: &hospital.Payment{Phase: hospital.PaymentWaiting, Message: flowMsg(t, "payment.waiting", "50.000 ₫")}}
	flow.states <- pay
	flow.states <- pay
	flow.states <- pay
	// Once the Vietnamese is said (a new language cuts what is still
	// unsaid, so the switch waits for it), English says it all again.
	got := collect(t, sp, 2)
	en := pay
	en.Lang = hospital.LangEN
	flow.states <- en
	got = append(got, collect(t, sp, 2)...)
	cancel()
	<-done
	if len(sp) != 0 {
		t.Errorf("%d more utterances", len(sp))
	}
	if got[0].Lang != "vi" || got[2].Lang != "en" || got[2].Kind != speech.Guidance || got[3].Text != "Scan the Viet Q R code with your banking app to pay fifty thousand dong." {
		t.Errorf("said %+v", got)
	}
}

// followOne runs a follower over screen, publishes st and returns the n
// utterances it says.
func followOne(t *testing.T, books *Voice, screen profile.Screen, st any, n int) []speech.Utterance {
	t.Helper()
	sp := make(chanSpeaker, n+4)
	run, ok := books.With(sp).Follower(screen, nil)
	if !ok {
		t.Fatal("not followed")
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); run(ctx) }()
	switch s := st.(type) {
	case hospital.State:
		f, _ := profile.FlowOf[hospital.State, hospital.Intent](screen)
		f.(fakeFlow[hospital.State, hospital.Intent]).states <- s
	case parking.State:
		f, _ := profile.FlowOf[parking.State, parking.Intent](screen)
		f.(fakeFlow[parking.State, parking.Intent]).states <- s
	case ticketing.State:
		f, _ := profile.FlowOf[ticketing.State, ticketing.Intent](screen)
		f.(fakeFlow[ticketing.State, ticketing.Intent]).states <- s
	case onestop.State:
		f, _ := profile.FlowOf[onestop.State, onestop.Intent](screen)
		f.(fakeFlow[onestop.State, onestop.Intent]).states <- s
	case checkin.State:
		f, _ := profile.FlowOf[checkin.State, checkin.Intent](screen)
		f.(fakeFlow[checkin.State, checkin.Intent]).states <- s
	default:
		t.Fatalf("no flow for %T", st)
	}
	got := collect(t, sp, n)
	cancel()
	<-done
	if len(sp) != 0 {
		t.Errorf("%d utterances more than %d", len(sp), n)
	}
	return got
}

// collect waits for n utterances (a wait for goroutines, not a timing
// assertion: the bound only ends a hung test).
func collect(t *testing.T, sp chanSpeaker, n int) []speech.Utterance {
	t.Helper()
	var got []speech.Utterance
	for len(got) < n {
		select {
		case u := <-sp:
			got = append(got, u)
		case <-time.After(10 * time.Second):
			t.Fatalf("said %d of %d: %+v", len(got), n, got)
		}
	}
	return got
}

func normal(t *testing.T, s string) string {
	t.Helper()
	out, err := speech.Normalize(speech.Vietnamese, s)
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(out)
}

// TestFollowerNagsWhileCardLeft: the hospital kiosk has no buzzer, so while
// a card lies on the reader the voice says the reminder again and again,
// with the chime, across screens; taking the card stops it.
func TestFollowerNagsWhileCardLeft(t *testing.T) {
	books, err := New(nil)
	if err != nil {
		t.Fatal(err)
	}
	sp := make(chanSpeaker, 32)
	v := books.With(sp)
	v.CardNag = 30 * time.Millisecond
	flow := fakeFlow[hospital.State, hospital.Intent]{make(chan hospital.State)}
	run, _ := v.Follower(profile.NewScreen[hospital.State, hospital.Intent]("hospital", flow), nil)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); run(ctx) }()
	left := hospital.State{Screen: hospital.ScreenGoodbye, Lang: hospital.LangVI, CardLeft: true, CardReminder: flowMsg(t, "goodbye.take_card"),
		Goodbye: &hospital.Goodbye{Message: flowMsg(t, "goodbye.message")}}
	flow.states <- left
	welcome := left
	welcome.Screen, welcome.Goodbye = hospital.ScreenWelcome, nil
	nags := 0
	for deadline := time.After(10 * time.Second); nags < 3; {
		select {
		case u := <-sp:
			if u.Key == "goodbye.take_card" {
				if !u.Chime || !strings.Contains(u.Text, "thẻ Căn cước") {
					t.Fatalf("reminder %+v", u)
				}
				nags++
				if nags == 2 {
					flow.states <- welcome // still lying there on the next screen
				}
			}
		case <-deadline:
			t.Fatalf("%d reminders", nags)
		}
	}
	taken := welcome
	taken.CardLeft, taken.CardReminder = false, hospital.Text{}
	flow.states <- taken
	time.Sleep(100 * time.Millisecond)
	for len(sp) > 0 {
		<-sp
	}
	time.Sleep(150 * time.Millisecond)
	for len(sp) > 0 {
		if u := <-sp; u.Key == "goodbye.take_card" {
			t.Fatal("the reminder goes on after the card was taken")
		}
	}
	cancel()
	<-done
}

// TestFollowerAttractLoop: on the idle welcome screen the follower says
// each step of a round the flow marks Voiced as the step shows — the very
// caption on screen — once per step and round, and nothing of the silent
// rounds between.
func TestFollowerAttractLoop(t *testing.T) {
	books, _ := New(nil)
	sp := make(chanSpeaker, 32)
	flow := fakeFlow[hospital.State, hospital.Intent]{make(chan hospital.State)}
	run, _ := books.With(sp).Follower(profile.NewScreen[hospital.State, hospital.Intent]("hospital", flow), nil)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); run(ctx) }()
	steps := []hospital.AttractStep{{Picture: hospital.PictureCard, Caption: flowMsg(t, "attract.card")},
		{Picture: hospital.PictureQR, Caption: flowMsg(t, "attract.qr")}}
	welcome := func(round, step int, voiced bool) hospital.State {
		return hospital.State{Screen: hospital.ScreenWelcome, Lang: hospital.LangVI, Welcome: &hospital.Welcome{
			Message: flowMsg(t, "welcome.message"), Attract: &hospital.Attract{Steps: steps, Step: step, Round: round, Voiced: voiced}}}
	}
	flow.states <- welcome(0, 0, true)
	flow.states <- welcome(0, 0, true) // republished: said once
	flow.states <- welcome(0, 1, true)
	got := collect(t, sp, 3)
	// A silent round, then a voiced one again.
	flow.states <- welcome(1, 0, false)
	flow.states <- welcome(1, 1, false)
	flow.states <- welcome(2, 0, true)
	got = append(got, collect(t, sp, 1)...)
	cancel()
	<-done
	if len(sp) != 0 {
		t.Errorf("%d more utterances", len(sp))
	}
	want := []struct {
		key  string
		kind speech.Kind
	}{{"guide.hospital.welcome", speech.Guidance}, {"attract.card", speech.Result}, {"attract.qr", speech.Result}, {"attract.card", speech.Result}}
	for i, w := range want {
		if got[i].Key != w.key || got[i].Kind != w.kind {
			t.Errorf("%d: said %s %v, want %s %v", i, got[i].Key, got[i].Kind, w.key, w.kind)
		}
	}
	if s := normal(t, flowMsg(t, "attract.qr").VI); got[2].Text != s {
		t.Errorf("said %q, want the caption %q", got[2].Text, s)
	}
}

package hospital

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kiosk06/kiosk/firmware/identity"
	"github.com/kiosk06/kiosk/firmware/records"
)

// adultCAN is the CAN of adult's card: the last 6 digits of the ID number.
const adultCAN = "001234"

// tapNoQR puts a card on the reader without scanning its QR and waits for
// the keypad.
func (r *rig) tapNoQR(id identity.Identity, can string) State {
	r.t.Helper()
	r.can.taps <- canCard{id: id, can: can}
	return r.wait("CAN keypad", func(s State) bool { return s.Identify != nil && s.Identify.NeedCAN })
}

// typeCAN sends digits and waits until the flow has handled them and the
// card has answered (keypad again, or another screen).
func (r *rig) typeCAN(digits string) State {
	r.t.Helper()
	r.send(Intent{Kind: IntentCAN, Digits: digits})
	return r.wait("the card's answer", func(s State) bool {
		return s.Screen != ScreenIdentify || s.Identify.NeedCAN || s.Identify.CANExhausted || s.Identify.Retry
	})
}

// noDigits fails if a published state or a record carries digits.
func (r *rig) noDigits(digits ...string) {
	r.t.Helper()
	b, err := json.Marshal(r.flow.State())
	if err != nil {
		r.t.Fatal(err)
	}
	recs, err := json.Marshal(r.rec.recs)
	if err != nil {
		r.t.Fatal(err)
	}
	for _, d := range digits {
		if bytes.Contains(b, []byte(d)) {
			r.t.Errorf("state carries the typed digits %s: %s", d, b)
		}
		if bytes.Contains(recs, []byte(d)) {
			r.t.Errorf("records carry the typed digits %s: %s", d, recs)
		}
	}
}

func TestCANWrongThenRight(t *testing.T) {
	r := newRig(t, withCAN(), noHolder())
	// Tapped on the welcome screen without a QR: the keypad comes up.
	s := r.tapNoQR(adult, adultCAN)
	id := s.Identify
	if s.Screen != ScreenIdentify || id.Step != identity.EventNeedCAN || id.Message.Key != "identify.can" || !id.CANError.IsZero() ||
		id.CANAttemptsLeft != 3 || id.Retry || id.CANExhausted || s.Patient != nil {
		t.Fatalf("keypad state %+v", s)
	}
	if !s.Has(IntentBack) || !s.Has(IntentCallStaff) || s.Has(IntentRetry) || s.IdleDeadline.IsZero() {
		t.Fatalf("keypad actions %v, idle %v", s.Actions, s.IdleDeadline)
	}
	if m := id.Message.VI; !strings.Contains(m, "6 chữ số cuối") || !strings.Contains(m, "số định danh cá nhân") || !strings.Contains(m, "mặt trước") {
		t.Fatalf("prompt %q", m)
	}

	s = r.typeCAN("111111")
	id = s.Identify
	if !id.NeedCAN || id.CANError.Key != "identify.can_wrong" || id.CANAttemptsLeft != 2 || !strings.Contains(id.CANError.VI, "còn 2 lần") ||
		!strings.Contains(id.CANError.EN, "2 attempts left") {
		t.Fatalf("after a wrong CAN: %+v", id)
	}
	cans := r.rec.kinds(KindCAN)
	if len(cans) != 1 || payloadOf[records.HospitalCAN](cans[0]).Outcome != "mismatch" || payloadOf[records.HospitalCAN](cans[0]).AttemptsLeft != 2 || cans[0].Personal != nil {
		t.Fatalf("CAN records %+v", cans)
	}
	r.noDigits("111111")

	s = r.typeCAN(adultCAN)
	if s.Screen != ScreenCardResult || s.Card.Method != identity.MethodChipCAN || s.Card.Verdict != identity.Genuine || s.Patient == nil {
		t.Fatalf("after the right CAN: %+v", s)
	}
	if got := r.can.triedCANs(); !slices.Equal(got, []string{"111111", adultCAN}) {
		t.Fatalf("card offered %v", got)
	}
	rec := r.rec.kinds(KindIdentify)
	if len(rec) != 1 || payloadOf[records.HospitalIdentify](rec[0]).Method != string(identity.MethodChipCAN) {
		t.Fatalf("identify records %+v", rec)
	}
	for _, x := range r.rec.recs {
		for k := range x.Personal {
			switch k {
			case PersonalName, PersonalID, PersonalDOB, PersonalAddress:
			default:
				t.Errorf("%s record has personal field %q", x.Kind(), k)
			}
		}
		p, _ := records.Marshal(x.Payload)
		if bytes.Contains(p, []byte(adultCAN)) || bytes.Contains(p, []byte("111111")) {
			t.Errorf("%s payload carries a CAN: %s", x.Kind(), p)
		}
	}
	r.noDigits("111111")
	if r.flow.State().Identify != nil {
		t.Fatal("identify state published on the card result")
	}
}

func TestCANMalformedEntryNeverReachesTheCard(t *testing.T) {
	r := newRig(t, withCAN(), noHolder())
	r.tap(IntentStart)
	r.tapNoQR(adult, adultCAN)
	for _, bad := range []string{"", "12345", "1234567", "12345a", "12 345", "-12345", "１２３４５６", "٠١٢٣٤٥"} {
		r.send(Intent{Kind: IntentCAN, Digits: bad})
		id := r.last.Identify
		if id == nil || !id.NeedCAN || id.CANError.Key != "identify.can_invalid" || id.CANAttemptsLeft != 3 {
			t.Fatalf("entry %q: %+v", bad, r.last)
		}
	}
	if got := r.can.triedCANs(); len(got) != 0 {
		t.Fatalf("malformed entries reached the card: %q", got)
	}
	if n := len(r.rec.kinds(KindCAN)); n != 0 {
		t.Fatalf("%d CAN records for malformed entries", n)
	}
	// A good entry afterwards still works.
	if s := r.typeCAN(adultCAN); s.Screen != ScreenCardResult {
		t.Fatalf("%+v", s)
	}
}

func TestCANAttemptsExhausted(t *testing.T) {
	r := newRig(t, withCAN(), noHolder())
	r.tapNoQR(adult, adultCAN)
	var s State
	for i, wrong := range []string{"111111", "222222", "333333"} {
		s = r.typeCAN(wrong)
		if i < 2 && (s.Identify.CANAttemptsLeft != 2-i || !s.Identify.NeedCAN) {
			t.Fatalf("attempt %d: %+v", i+1, s.Identify)
		}
	}
	id := s.Identify
	if s.Screen != ScreenIdentify || id.NeedCAN || !id.CANExhausted || id.Message.Key != "identify.can_exhausted" || !strings.Contains(id.Message.VI, "3 lần") {
		t.Fatalf("after 3 wrong CANs: %+v", id)
	}
	if len(s.Actions) == 0 || s.Actions[0].Kind != IntentRetry || !s.Actions[0].Primary || s.Actions[0].Label.Key != "action.retry_qr" ||
		!s.Has(IntentCallStaff) || !s.Has(IntentBack) {
		t.Fatalf("exhausted actions %v", s.Actions)
	}
	// The card read was stopped: the identifier's call ended.
	select {
	case err := <-r.can.ended:
		if err == nil {
			t.Fatal("the read ended with an identity")
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the card read still runs after the last attempt")
	}
	var left []any
	for _, rec := range r.rec.kinds(KindCAN) {
		left = append(left, payloadOf[records.HospitalCAN](rec).AttemptsLeft)
	}
	if fmt.Sprint(left) != "[2 1 0]" {
		t.Fatalf("CAN records attempts_left %v", left)
	}
	// No more CANs are taken.
	r.send(Intent{Kind: IntentCAN, Digits: adultCAN})
	if !r.last.Identify.CANExhausted || len(r.can.triedCANs()) != 3 {
		t.Fatalf("a CAN was taken after the attempts ran out: %+v %v", r.last.Identify, r.can.triedCANs())
	}
	r.noDigits("111111", "222222", "333333")

	// Staff can be called from here, and back again.
	r.tap(IntentCallStaff)
	r.waitScreen(ScreenHelp)
	r.tap(IntentBack)
	if !r.last.Identify.CANExhausted {
		t.Fatalf("back from help: %+v", r.last.Identify)
	}
	// Trying again waits for a card or QR; the QR path works.
	r.tap(IntentRetry)
	s = r.wait("waiting again", func(s State) bool {
		return s.Identify != nil && s.Identify.Step == identity.EventWaiting && !s.Identify.CANExhausted
	})
	if s.Identify.Message.Key != "identify.waiting" {
		t.Fatalf("%+v", s.Identify)
	}
	if s := r.tapCard(adult); s.Card.Verdict != identity.Genuine {
		t.Fatalf("%+v", s.Card)
	}
}

func TestCANAttemptsConfigurable(t *testing.T) {
	r := newRig(t, withCAN(), noHolder(), withConfig(func(c *Config) { c.CANAttempts = 1 }))
	s := r.tapNoQR(adult, adultCAN)
	if s.Identify.CANAttemptsLeft != 1 {
		t.Fatalf("%+v", s.Identify)
	}
	if s = r.typeCAN("999999"); !s.Identify.CANExhausted {
		t.Fatalf("%+v", s.Identify)
	}
}

func TestCANQRScanWins(t *testing.T) {
	r := newRig(t, withCAN(), noHolder())
	r.tapNoQR(adult, adultCAN)
	r.typeCAN("111111")
	r.can.qrs <- adult
	s := r.waitScreen(ScreenCardResult)
	if s.Card.Method != identity.MethodChipQR {
		t.Fatalf("%+v", s.Card)
	}
	if got := r.can.triedCANs(); len(got) != 1 {
		t.Fatalf("card offered %v", got)
	}
}

func TestCANCardRemovedWhileTyping(t *testing.T) {
	r := newRig(t, withCAN(), noHolder())
	r.tapNoQR(adult, adultCAN)
	r.typeCAN("111111")
	r.can.removed <- struct{}{}
	s := r.wait("removed", func(s State) bool { return s.Identify != nil && s.Identify.Retry })
	if s.Screen != ScreenIdentify || s.Identify.NeedCAN || s.Identify.Message.Key != "identify.can_removed" {
		t.Fatalf("%+v", s.Identify)
	}
	// A CAN sent now is not taken.
	r.send(Intent{Kind: IntentCAN, Digits: adultCAN})
	if len(r.can.triedCANs()) != 1 {
		t.Fatal("a CAN was taken with no card")
	}
	// Back to waiting; the card put back gets every attempt again.
	r.clock.Advance(time.Second)
	s = r.tapNoQR(adult, adultCAN)
	if s.Identify.CANAttemptsLeft != 3 || !s.Identify.CANError.IsZero() {
		t.Fatalf("%+v", s.Identify)
	}
	if s = r.typeCAN(adultCAN); s.Screen != ScreenCardResult {
		t.Fatalf("%+v", s)
	}
}

func TestCANIdleTimeoutAndBack(t *testing.T) {
	t.Run("idle", func(t *testing.T) {
		r := newRig(t, withCAN(), noHolder())
		r.tapNoQR(adult, adultCAN)
		r.clock.Advance(59 * time.Second)
		r.send(Intent{Kind: IntentActivity}) // typing on the keypad counts
		r.clock.Advance(59 * time.Second)
		if !r.flow.State().Identify.NeedCAN {
			t.Fatal("keypad timed out despite activity")
		}
		r.clock.Advance(2 * time.Second)
		r.waitScreen(ScreenWelcome)
		if ab := r.rec.kinds(KindAbandoned); len(ab) != 1 || payloadOf[records.HospitalAbandoned](ab[0]).Screen != "identify" || payloadOf[records.HospitalAbandoned](ab[0]).Reason != "idle" {
			t.Fatalf("%+v", ab)
		}
		if r.flow.State().Identify != nil {
			t.Fatal("identify state still published")
		}
		r.send(Intent{Kind: IntentCAN, Digits: adultCAN})
		if len(r.can.triedCANs()) != 0 || r.last.Screen != ScreenWelcome {
			t.Fatal("a CAN was taken on the welcome screen")
		}
	})
	t.Run("back", func(t *testing.T) {
		r := newRig(t, withCAN(), noHolder())
		r.tapNoQR(adult, adultCAN)
		r.typeCAN("111111")
		r.tap(IntentBack)
		s := r.waitScreen(ScreenWelcome)
		if s.Identify != nil {
			t.Fatal("identify state after back")
		}
		// The next card starts with every attempt.
		s = r.tapNoQR(woman, "004321")
		if s.Identify.CANAttemptsLeft != 3 {
			t.Fatalf("%+v", s.Identify)
		}
	})
	t.Run("help overlay keeps the keypad", func(t *testing.T) {
		r := newRig(t, withCAN(), noHolder())
		r.tapNoQR(adult, adultCAN)
		r.tap(IntentCallStaff)
		r.waitScreen(ScreenHelp)
		r.send(Intent{Kind: IntentCAN, Digits: adultCAN}) // behind the overlay: ignored
		if len(r.can.triedCANs()) != 0 {
			t.Fatal("CAN taken behind the help overlay")
		}
		r.tap(IntentBack)
		if !r.last.Identify.NeedCAN {
			t.Fatalf("%+v", r.last.Identify)
		}
		if s := r.typeCAN(adultCAN); s.Screen != ScreenCardResult {
			t.Fatalf("%+v", s)
		}
	})
}

// TestCANIgnoredUntilAsked: digits sent before the identifier asked for
// the CAN change nothing.
func TestCANIgnoredUntilAsked(t *testing.T) {
	r := newRig(t, noHolder())
	r.tap(IntentStart)
	before := r.last.Identify
	r.send(Intent{Kind: IntentCAN, Digits: adultCAN})
	if r.last.Screen != ScreenIdentify || *r.last.Identify != *before {
		t.Fatalf("IntentCAN changed the screen: %+v", r.last.Identify)
	}
	r.tapCard(adult)
}

func TestCANForOther(t *testing.T) {
	r := newRig(t, withCAN(), noHolder())
	r.tapCard(woman)
	r.tap(IntentForOther)
	r.waitScreen(ScreenIdentify)
	s := r.tapNoQR(child, "001111")
	if !s.ForOther {
		t.Fatal("not for other")
	}
	s = r.typeCAN("001111")
	if s.Screen != ScreenCardResult || s.Patient.Name != child.Citizen.Name {
		t.Fatalf("%+v", s)
	}
}

func TestIntentLogValueHidesDigits(t *testing.T) {
	var b bytes.Buffer
	log := slog.New(slog.NewJSONHandler(&b, nil))
	log.Info("intent", "in", Intent{Kind: IntentCAN, Digits: "012345"})
	if strings.Contains(b.String(), "012345") || !strings.Contains(b.String(), `"kind":"can"`) {
		t.Fatalf("log line %s", b.String())
	}
}

package hospital

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/kiosk06/kiosk/drivers/escpos"
	"github.com/kiosk06/kiosk/firmware/identity"
	"github.com/kiosk06/kiosk/firmware/records"
	"github.com/kiosk06/kiosk/firmware/tickets"
	"github.com/kiosk06/kiosk/payments/session"
	"github.com/kiosk06/kiosk/queue"
)

func TestHappyPathPrepaid(t *testing.T) {
	r := newRig(t)
	if !r.last.Welcome.Prepayment || !r.last.Has(IntentStart) {
		t.Fatalf("welcome: %+v", r.last)
	}
	r.tap(IntentStart)
	r.waitScreen(ScreenIdentify)
	s := r.tapCard(adult)
	if s.Card.Verdict != identity.Genuine || !s.Card.CanContinue || s.Patient == nil || s.Patient.Age != 36 || s.Patient.MaskedID != "0790••••••34" {
		t.Fatalf("card result: %+v patient %+v", s.Card, s.Patient)
	}
	r.tap(IntentContinue)
	s = r.wait("insurance result", func(s State) bool { return s.Screen == ScreenInsurance && s.Insurance.Outcome != InsuranceChecking })
	if s.Insurance.Outcome != InsuranceValid || s.Insurance.Code != "000" || s.Insurance.Next != NextInsured || s.Insurance.CardMasked == "" {
		t.Fatalf("insurance: %+v", s.Insurance)
	}
	if req, _ := r.bhyt.LastLookup(); req.MaThe != adult.Citizen.ID || req.NgaySinh != "17/05/1990" || req.HoTenCb == "" || req.CccdCb == "" {
		t.Fatalf("lookup request: %+v", req)
	}
	r.tap(IntentContinue)
	s = r.wait("clinics", func(s State) bool { return s.Screen == ScreenClinic && !s.Clinic.Loading })
	if len(s.Clinic.Clinics) != 4 || !s.Clinic.Insured || s.Clinic.Priority != queue.Normal {
		t.Fatalf("clinic: %+v", s.Clinic)
	}
	for _, q := range s.Clinic.Questions {
		if q.Question == QPregnant {
			t.Fatal("pregnancy asked of a man")
		}
	}
	r.send(Intent{Kind: IntentAnswer, Question: QMerit, Yes: true})
	if r.last.Clinic.Priority != queue.RevolutionaryMerit {
		t.Fatalf("priority after merit: %v", r.last.Clinic.Priority)
	}
	r.send(Intent{Kind: IntentChoose, Clinic: "K01"})
	s = r.waitScreen(ScreenTicket)
	if s.Ticket.Number != "A001" || !s.Ticket.Printed || !s.Ticket.PaymentDue || s.Ticket.VisitNumber == "" || s.Ticket.PriorityText.IsZero() {
		t.Fatalf("ticket: %+v", s.Ticket)
	}
	slip := r.printer.text()
	if !strings.Contains(slip, "A001") || !strings.Contains(slip, "Phòng khám Nội tổng quát") || strings.Contains(slip, adult.Citizen.Name) {
		t.Fatalf("ticket slip text:\n%s", slip)
	}
	visits := r.his.Visits()
	if len(visits) != 1 {
		t.Fatalf("HIS visits: %d", len(visits))
	}
	v := visits[0]
	if v.HoTen != adult.Citizen.Name || v.SoCCCD != adult.Citizen.ID || v.NgaySinh != "19900517" || v.GioiTinh != 1 || v.MaTheBHYT != "DN4797912345678" ||
		v.MaDKBD != "79001" || !strings.HasSuffix(v.GtTheTu, "0101") || v.MaLoaiKCB != "01" || v.NgayVao != "202611220800" || v.UuTien != "revolutionary_merit" && v.UuTien != queue.RevolutionaryMerit.String() {
		t.Fatalf("HIS visit: %+v", v)
	}
	r.tap(IntentContinue)
	s = r.wait("QR", func(s State) bool { return s.Screen == ScreenPayment && s.Payment.Phase == PaymentWaiting })
	if s.Payment.Payload == "" || s.Payment.Amount != 10000 || s.Payment.AmountText != "10.000 ₫" || len(s.Payment.Lines) != 1 || s.Payment.Remaining != 5*time.Minute {
		t.Fatalf("payment: %+v", s.Payment)
	}
	r.clock.Advance(time.Second)
	r.wait("countdown", func(s State) bool { return s.Payment != nil && s.Payment.Remaining == 4*time.Minute+59*time.Second })
	r.pay.results <- session.Paid
	s = r.waitScreen(ScreenReceipt)
	if s.Receipt.Amount != 10000 || s.Receipt.TxnID == "" {
		t.Fatalf("receipt: %+v", s.Receipt)
	}
	r.tap(IntentDone)
	s = r.waitScreen(ScreenGoodbye)
	if s.Patient != nil || s.Goodbye.Number != "A001" {
		t.Fatalf("goodbye: %+v patient %+v", s.Goodbye, s.Patient)
	}
	r.clock.Advance(5 * time.Second)
	r.waitScreen(ScreenWelcome)

	for _, k := range []string{KindIdentify, KindHolder, KindInsurance, KindRegistration, KindPayment} {
		if len(r.rec.kinds(k)) == 0 {
			t.Errorf("no %s record", k)
		}
	}
	reg := r.rec.kinds(KindRegistration)[0]
	if rp := payloadOf[records.HospitalRegistration](reg); rp.Outcome != "ok" || rp.Registered == nil || reg.Personal[PersonalID] != adult.Citizen.ID || rp.Holder != "matched" {
		t.Errorf("registration record: %+v", reg)
	}
	checkRecordsPersonal(t, r, adult)
}

func TestCardVerdicts(t *testing.T) {
	for _, tc := range []struct {
		name     string
		verdict  identity.Verdict
		method   identity.Method
		reject   bool
		canGo    bool
		wantNext IntentKind
	}{
		{"genuine", identity.Genuine, identity.MethodChip, false, true, IntentContinue},
		{"unverified QR allowed", identity.Unverified, identity.MethodQR, false, true, IntentContinue},
		{"unverified rejected by config", identity.Unverified, identity.MethodQR, true, false, IntentCallStaff},
		{"not genuine", identity.NotGenuine, identity.MethodChip, false, false, IntentCallStaff},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := newRig(t, withConfig(func(c *Config) { c.RejectUnverified = tc.reject }))
			id := adult
			id.Verdict, id.Method, id.Reason = tc.verdict, tc.method, "passive_auth_failed"
			s := r.tapCard(id)
			if s.Card.CanContinue != tc.canGo || s.Actions[0].Kind != tc.wantNext || s.Has(IntentContinue) != tc.canGo {
				t.Fatalf("card %+v actions %v", s.Card, s.Actions)
			}
			// A refused card: a plain explanation, never the reason code
			// (issue 19), and none of the card's data on screen.
			if !tc.canGo && (strings.Contains(s.Card.Reason.VI, "passive_auth_failed") || !strings.Contains(s.Card.Reason.VI, "Quý khách vui lòng gọi nhân viên")) {
				t.Fatalf("reason: %+v", s.Card.Reason)
			}
			if !tc.canGo && s.Patient != nil {
				t.Fatalf("refused card's patient shown: %+v", s.Patient)
			}
			rec := r.rec.kinds(KindIdentify)[0]
			if payloadOf[records.HospitalIdentify](rec).Verdict != string(tc.verdict) || rec.Personal[PersonalName] != id.Citizen.Name {
				t.Fatalf("record %+v", rec)
			}
		})
	}
}

func TestHolderCheck(t *testing.T) {
	t.Run("mismatch then retry then exhausted", func(t *testing.T) {
		r := newRig(t, withConfig(func(c *Config) { c.HolderAttempts = 2 }))
		r.holder.verify = []error{identity.ErrNotVerified}
		r.tapCard(adult)
		r.tap(IntentContinue)
		s := r.wait("mismatch", func(s State) bool { return s.Holder != nil && s.Holder.Phase == HolderMismatch })
		if s.Holder.AttemptsLeft != 1 || !s.Has(IntentRetry) {
			t.Fatalf("%+v %v", s.Holder, s.Actions)
		}
		r.tap(IntentRetry)
		s = r.wait("exhausted", func(s State) bool {
			return s.Holder != nil && s.Holder.Phase == HolderMismatch && s.Holder.AttemptsLeft == 0
		})
		if s.Has(IntentRetry) || s.Has(IntentContinue) || s.Actions[0].Kind != IntentCallStaff {
			t.Fatalf("exhausted actions %v", s.Actions)
		}
		if n := len(r.rec.kinds(KindHolder)); n != 2 {
			t.Fatalf("holder records: %d", n)
		}
	})
	t.Run("module absent skips", func(t *testing.T) {
		r := newRig(t)
		r.holder.verify = []error{identity.ErrModuleAbsent}
		s := r.toInsurance(adult)
		if s.Insurance.Outcome != InsuranceValid || payloadOf[records.HospitalHolder](r.rec.kinds(KindHolder)[0]).Outcome != "module_absent" {
			t.Fatalf("%+v", r.rec.kinds(KindHolder))
		}
	})
	t.Run("no module configured", func(t *testing.T) {
		r := newRig(t, noHolder())
		r.toInsurance(adult)
		if payloadOf[records.HospitalHolder](r.rec.kinds(KindHolder)[0]).Outcome != "module_absent" {
			t.Fatal("holder outcome not recorded")
		}
	})
	t.Run("not enrolled, consent given", func(t *testing.T) {
		r := newRig(t)
		r.holder.verify = []error{identity.ErrNotEnrolled}
		r.tapCard(adult)
		r.tap(IntentContinue)
		s := r.wait("offer", func(s State) bool { return s.Holder != nil && s.Holder.Phase == HolderOffer })
		if s.Holder.Consent.IsZero() || s.Holder.ConsentVersion == "" {
			t.Fatalf("offer %+v", s.Holder)
		}
		r.send(Intent{Kind: IntentConsent, Yes: true})
		r.wait("insurance", func(s State) bool { return s.Screen == ScreenInsurance })
		if len(r.holder.enrolled) != 1 || !r.holder.enrolled[0].Given {
			t.Fatalf("enrolled %+v", r.holder.enrolled)
		}
		if payloadOf[records.HospitalHolder](r.rec.kinds(KindHolder)[0]).Outcome != "enrolled" {
			t.Fatal("enrolment not recorded")
		}
	})
	t.Run("not enrolled, consent refused", func(t *testing.T) {
		r := newRig(t)
		r.holder.verify = []error{identity.ErrNotEnrolled}
		r.tapCard(adult)
		r.tap(IntentContinue)
		r.wait("offer", func(s State) bool { return s.Holder != nil && s.Holder.Phase == HolderOffer })
		r.send(Intent{Kind: IntentConsent, Yes: false})
		r.wait("insurance", func(s State) bool { return s.Screen == ScreenInsurance })
		if len(r.holder.enrolled) != 0 || payloadOf[records.HospitalHolder](r.rec.kinds(KindHolder)[0]).Outcome != "declined" {
			t.Fatal("declined consent enrolled or not recorded")
		}
	})
	t.Run("not enrolled, policy skip", func(t *testing.T) {
		r := newRig(t, withConfig(func(c *Config) { c.Enrol = EnrolSkip }))
		r.holder.verify = []error{identity.ErrNotEnrolled}
		r.toInsurance(adult)
		if payloadOf[records.HospitalHolder](r.rec.kinds(KindHolder)[0]).Outcome != "not_enrolled" {
			t.Fatal("skip not recorded")
		}
	})
	t.Run("finger prompts reach the screen", func(t *testing.T) {
		block := make(chan struct{})
		r := newRig(t, func(_ *Config, _ *Deps, r *rig) { r.holder.block = block })
		defer close(block)
		r.tapCard(adult)
		r.tap(IntentContinue)
		r.wait("verifying", func(s State) bool { return s.Holder != nil && s.Holder.Phase == HolderVerifying })
		r.flow.FingerPrompt(FingerLift)
		r.wait("lift prompt", func(s State) bool { return s.Holder != nil && s.Holder.Finger == FingerLift })
	})
}

func TestBHYTCodes(t *testing.T) {
	want := map[string]InsuranceOutcome{
		"000": InsuranceValid, "001": InsuranceWarning, "002": InsuranceWarning, "003": InsuranceWarning, "004": InsuranceWarning,
		"010": InsuranceInvalid, "050": InsuranceInvalid, "051": InsuranceInvalid, "052": InsuranceInvalid, "053": InsuranceInvalid,
		"060": InsuranceInvalid, "061": InsuranceInvalid, "070": InsuranceInvalid, "100": InsuranceUnavailable, "101": InsuranceUnavailable,
		"110": InsuranceInvalid, "120": InsuranceInvalid, "121": InsuranceInvalid, "122": InsuranceInvalid, "123": InsuranceInvalid,
		"124": InsuranceInvalid, "130": InsuranceWarning, "205": InsuranceUnavailable, "999": InsuranceUnavailable,
	}
	r := newRig(t, noHolder())
	for code, outcome := range want {
		t.Run(code, func(t *testing.T) {
			r.t = t
			r.bhyt.SetCode(adult.Citizen.ID, code)
			s := r.toInsurance(adult)
			in := s.Insurance
			if in.Outcome != outcome || in.Code != code || in.Message.VI == "" || in.Message.EN == "" || in.Message.Key != "bhyt."+code {
				t.Fatalf("insurance %+v", in)
			}
			// Never a dead end: fee-paying or staff is always offered, and
			// the primary action is the recommended next step.
			if !s.Has(IntentCallStaff) || (!s.Has(IntentFeePaying) && !s.Has(IntentContinue)) {
				t.Fatalf("actions %v", s.Actions)
			}
			primary := s.Actions[0]
			switch {
			case in.Outcome == InsuranceUnavailable:
				// The lookup failed, not the card: register with BHYT,
				// staff confirming it at the counter (issue 19).
				if primary.Kind != IntentContinue || primary.Label.Key != "action.insured_pending" || s.Actions[1].Kind != IntentFeePaying {
					t.Fatalf("actions %v for a failed lookup", s.Actions)
				}
			case in.Next == NextInsured:
				if primary.Kind != IntentContinue {
					t.Fatalf("primary %v for %s", primary.Kind, in.Next)
				}
			case in.Next == NextFeePaying:
				if primary.Kind != IntentFeePaying {
					t.Fatalf("primary %v for %s", primary.Kind, in.Next)
				}
			case in.Next == NextCallStaff:
				if primary.Kind != IntentCallStaff {
					t.Fatalf("primary %v for %s", primary.Kind, in.Next)
				}
			}
			if code == "003" && !strings.HasPrefix(in.CardMasked, "DN47") {
				t.Fatalf("new card not used: %+v", in)
			}
			r.tap(IntentCancel)
			r.waitScreen(ScreenWelcome)
		})
	}
}

func TestBHYTFailuresLeadToFeePaying(t *testing.T) {
	for _, tc := range []struct {
		name  string
		setup func(r *rig)
	}{
		{"timeout", func(r *rig) { r.bhyt.SetDelay(time.Second) }},
		{"5xx", func(r *rig) { r.bhyt.FailNext(503, 503) }},
		{"token refused", func(r *rig) { r.bhyt.FailNext(401) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := newRig(t, noHolder())
			tc.setup(r)
			s := r.toInsurance(adult)
			if s.Insurance.Outcome != InsuranceUnavailable || s.Actions[0].Kind != IntentContinue || !s.Has(IntentFeePaying) || !s.Has(IntentRetry) {
				t.Fatalf("insurance %+v actions %v", s.Insurance, s.Actions)
			}
			if rec := r.rec.kinds(KindInsurance)[0]; payloadOf[records.HospitalInsurance](rec).Failure == "" {
				t.Fatalf("failure class not recorded: %+v", rec.Payload)
			}
			r.bhyt.SetDelay(0)
			r.tap(IntentFeePaying)
			s = r.wait("clinics", func(s State) bool { return s.Screen == ScreenClinic && !s.Clinic.Loading })
			if s.Clinic.Insured {
				t.Fatal("fee-paying registration marked insured")
			}
			r.send(Intent{Kind: IntentChoose, Clinic: "K03"})
			s = r.waitScreen(ScreenTicket)
			if v := r.his.Visits()[0]; v.MaTheBHYT != "" || v.MaKhoa != "K03" {
				t.Fatalf("visit %+v", v)
			}
			if s.Ticket.PaymentDue != true || r.flow.m.v == nil {
				t.Fatalf("ticket %+v", s.Ticket)
			}
		})
	}
}

func TestFeePayingWhileChecking(t *testing.T) {
	r := newRig(t, noHolder())
	r.bhyt.SetDelay(250 * time.Millisecond)
	r.tapCard(adult)
	r.tap(IntentContinue)
	r.wait("checking", func(s State) bool { return s.Insurance != nil && s.Insurance.Outcome == InsuranceChecking })
	r.tap(IntentFeePaying)
	s := r.waitScreen(ScreenClinic)
	if s.Clinic.Insured {
		t.Fatal("insured")
	}
}

func TestHISFailureRetryIsIdempotent(t *testing.T) {
	r := newRig(t, noHolder())
	r.toClinic(adult)
	r.his.FailNext(503)
	r.send(Intent{Kind: IntentChoose, Clinic: "K01"})
	s := r.waitScreen(ScreenError)
	if s.Error.Code != "his_unavailable" || s.Actions[0].Kind != IntentRetry || !s.Has(IntentCallStaff) || !s.Has(IntentBack) {
		t.Fatalf("error %+v actions %v", s.Error, s.Actions)
	}
	if rec := r.rec.kinds(KindRegistration); len(rec) != 1 || payloadOf[records.HospitalRegistration](rec[0]).Outcome != "his_failed" {
		t.Fatalf("records %+v", rec)
	}
	r.tap(IntentRetry)
	r.waitScreen(ScreenTicket)
	if n := len(r.his.Visits()); n != 1 {
		t.Fatalf("%d visits registered", n)
	}
	keys := map[any]bool{}
	for _, rec := range r.rec.kinds(KindRegistration) {
		keys[payloadOf[records.HospitalRegistration](rec).Key] = true
	}
	if len(keys) != 1 {
		t.Fatalf("idempotency key changed on retry: %v", keys)
	}
}

func TestClinicListFailure(t *testing.T) {
	r := newRig(t, noHolder())
	r.toInsurance(adult)
	r.his.FailNext(500)
	r.tap(IntentContinue)
	s := r.waitScreen(ScreenError)
	if s.Error.Code != "clinics_unavailable" {
		t.Fatalf("%+v", s.Error)
	}
	r.tap(IntentRetry)
	r.wait("clinics", func(s State) bool { return s.Screen == ScreenClinic && !s.Clinic.Loading })
}

func TestPaperEnd(t *testing.T) {
	r := newRig(t, noHolder(), withConfig(func(c *Config) { c.Prepayment = false }))
	r.printer.err = escpos.ErrPaperEnd
	r.toClinic(adult)
	r.send(Intent{Kind: IntentChoose, Clinic: "K02"})
	s := r.waitScreen(ScreenTicket)
	if s.Ticket.Printed || !s.Ticket.PaperOut || s.Ticket.Number != "B001" || !strings.Contains(s.Ticket.Message.VI, "B001") || s.Ticket.PaymentDue {
		t.Fatalf("ticket %+v", s.Ticket)
	}
	help := r.rec.kinds(KindHelp)
	if len(help) != 1 || payloadOf[records.HospitalHelp](help[0]).Reason != "printer_paper_end" {
		t.Fatalf("help %+v", help)
	}
	r.tap(IntentDone)
	r.waitScreen(ScreenGoodbye)
}

func TestPaymentOutcomes(t *testing.T) {
	toQR := func(r *rig) {
		r.toClinic(adult)
		r.send(Intent{Kind: IntentChoose, Clinic: "K01"})
		r.waitScreen(ScreenTicket)
		r.tap(IntentContinue)
		r.wait("QR", func(s State) bool { return s.Payment != nil && s.Payment.Phase == PaymentWaiting })
	}
	t.Run("expired then paid", func(t *testing.T) {
		r := newRig(t, noHolder())
		toQR(r)
		r.pay.results <- session.Expired
		s := r.wait("expired", func(s State) bool { return s.Payment != nil && s.Payment.Phase == PaymentExpired })
		if s.Actions[0].Kind != IntentRetry || !s.Has(IntentSkip) {
			t.Fatalf("actions %v", s.Actions)
		}
		r.tap(IntentRetry)
		r.wait("QR again", func(s State) bool { return s.Payment != nil && s.Payment.Phase == PaymentWaiting })
		r.pay.results <- session.Paid
		r.waitScreen(ScreenReceipt)
	})
	t.Run("pay at counter cancels", func(t *testing.T) {
		r := newRig(t, noHolder())
		toQR(r)
		r.tap(IntentSkip)
		s := r.waitScreen(ScreenGoodbye)
		if s.Goodbye.Message.Key != "goodbye.counter" || len(r.pay.cancelled) != 1 {
			t.Fatalf("goodbye %+v cancelled %v", s.Goodbye, r.pay.cancelled)
		}
		var states []any
		for _, rec := range r.rec.kinds(KindPayment) {
			states = append(states, payloadOf[records.HospitalPayment](rec).State)
		}
		if len(states) != 1 || states[0] != "cancelled" {
			t.Fatalf("payment records %v", states)
		}
	})
	t.Run("cancel on the QR screen", func(t *testing.T) {
		r := newRig(t, noHolder())
		toQR(r)
		r.tap(IntentCancel)
		r.waitScreen(ScreenWelcome)
		if len(r.pay.cancelled) != 1 || len(r.rec.kinds(KindAbandoned)) != 1 {
			t.Fatalf("cancelled %v", r.pay.cancelled)
		}
	})
	t.Run("session never answers", func(t *testing.T) {
		r := newRig(t, noHolder())
		toQR(r)
		for i := 0; i < 900 && r.last.Screen == ScreenPayment; i++ {
			r.clock.Advance(time.Second)
			r.send(Intent{Kind: IntentActivity})
		}
		r.waitScreen(ScreenWelcome)
		if len(r.pay.cancelled) != 1 || payloadOf[records.HospitalAbandoned](r.rec.kinds(KindAbandoned)[0]).Reason != "payment_timeout" {
			t.Fatalf("cancelled %v", r.pay.cancelled)
		}
	})
	t.Run("failed", func(t *testing.T) {
		r := newRig(t, noHolder())
		toQR(r)
		r.pay.results <- session.Failed
		s := r.wait("failed", func(s State) bool { return s.Payment != nil && s.Payment.Phase == PaymentFailed })
		if s.Actions[0].Kind != IntentCallStaff {
			t.Fatalf("%v", s.Actions)
		}
	})
	t.Run("session cannot be created", func(t *testing.T) {
		r := newRig(t, noHolder())
		r.pay.createErr = errors.New("backend down")
		r.toClinic(adult)
		r.send(Intent{Kind: IntentChoose, Clinic: "K01"})
		r.waitScreen(ScreenTicket)
		r.tap(IntentContinue)
		s := r.waitScreen(ScreenError)
		if s.Error.Code != "payment_unavailable" || !s.Has(IntentSkip) {
			t.Fatalf("%+v %v", s.Error, s.Actions)
		}
		r.tap(IntentSkip)
		r.waitScreen(ScreenGoodbye)
	})
}

func TestIdleTimeoutWipes(t *testing.T) {
	r := newRig(t, noHolder())
	s := r.toClinic(adult)
	if s.Patient == nil || s.IdleDeadline.IsZero() {
		t.Fatalf("patient %+v deadline %v", s.Patient, s.IdleDeadline)
	}
	r.clock.Advance(59 * time.Second)
	r.send(Intent{Kind: IntentActivity}) // a touch restarts the timer
	r.clock.Advance(30 * time.Second)
	if r.flow.State().Screen != ScreenClinic {
		t.Fatal("idle timer not restarted by activity")
	}
	r.clock.Advance(31 * time.Second)
	s = r.waitScreen(ScreenWelcome)
	if s.Patient != nil {
		t.Fatal("patient data still published")
	}
	ab := r.rec.kinds(KindAbandoned)
	if len(ab) != 1 || payloadOf[records.HospitalAbandoned](ab[0]).Reason != "idle" || payloadOf[records.HospitalAbandoned](ab[0]).Screen != "clinic" {
		t.Fatalf("abandoned %+v", ab)
	}
	// The model holds nothing personal any more.
	if r.flow.m.v != nil || r.flow.m.agent != nil {
		t.Fatal("model still holds the visit")
	}
}

func TestIdleIntentFromUI(t *testing.T) {
	r := newRig(t, noHolder())
	r.tapCard(adult)
	r.send(Intent{Kind: IntentIdle})
	r.waitScreen(ScreenWelcome)
}

func TestCallStaffAndBack(t *testing.T) {
	r := newRig(t, noHolder())
	r.toInsurance(adult)
	r.tap(IntentCallStaff)
	s := r.waitScreen(ScreenHelp)
	if s.Help.From != ScreenInsurance || s.Help.Ref == "" || !s.Has(IntentBack) {
		t.Fatalf("help %+v", s.Help)
	}
	h := r.rec.kinds(KindHelp)
	if len(h) != 1 || payloadOf[records.HospitalHelp](h[0]).Screen != "insurance" {
		t.Fatalf("help record %+v", h)
	}
	r.tap(IntentBack)
	r.waitScreen(ScreenInsurance)
	r.tap(IntentBack)
	r.waitScreen(ScreenCardResult)
	r.tap(IntentBack)
	s = r.waitScreen(ScreenIdentify)
	if s.Patient != nil {
		t.Fatal("patient kept after going back to identify")
	}
	r.tap(IntentBack)
	r.waitScreen(ScreenWelcome)
}

func TestIgnoresIntentsNotOffered(t *testing.T) {
	r := newRig(t, noHolder())
	r.send(Intent{Kind: IntentChoose, Clinic: "K01"})
	r.flow.Send(Intent{Kind: IntentContinue})
	r.send(Intent{Kind: IntentActivity})
	if r.last.Screen != ScreenWelcome {
		t.Fatalf("screen %s", r.last.Screen)
	}
}

func TestRegisterForSomeoneElse(t *testing.T) {
	r := newRig(t, withConfig(func(c *Config) { c.Prepayment = false }))
	r.toClinic(woman)
	r.send(Intent{Kind: IntentChoose, Clinic: "K04"})
	r.waitScreen(ScreenTicket)
	r.tap(IntentForOther)
	s := r.waitScreen(ScreenIdentify)
	if !s.ForOther || s.Identify.Message.Key != "identify.other" || s.Patient != nil {
		t.Fatalf("%+v", s)
	}
	// The agent's own card again is refused.
	r.ident.cards <- identResult{id: woman}
	r.wait("same card", func(s State) bool { return s.Identify != nil && s.Identify.Message.Key == "identify.same" })
	r.clock.Advance(time.Second)
	s = r.tapCard(child)
	if s.Has(IntentForOther) || s.Patient.Age != 2 {
		t.Fatalf("%+v %v", s.Patient, s.Actions)
	}
	r.tap(IntentContinue)
	r.wait("insurance", func(s State) bool { return s.Screen == ScreenInsurance && s.Insurance.Outcome != InsuranceChecking })
	if n := len(r.holder.verifyIDs); n != 1 {
		t.Fatalf("holder verified %d times; the child is not fingerprinted", n)
	}
	r.tap(IntentContinue)
	s = r.wait("clinics", func(s State) bool { return s.Screen == ScreenClinic && !s.Clinic.Loading })
	if s.Clinic.Derived != queue.ChildUnder6 || s.Clinic.Priority != queue.ChildUnder6 {
		t.Fatalf("child priority %+v", s.Clinic)
	}
	r.send(Intent{Kind: IntentChoose, Clinic: "K02"})
	s = r.waitScreen(ScreenTicket)
	if s.Ticket.Number != "B001" {
		t.Fatalf("ticket %+v", s.Ticket)
	}
	regs := r.rec.kinds(KindRegistration)
	if len(regs) != 2 || regs[1].Personal[PersonalAgentID] != woman.Citizen.ID || regs[1].Personal[PersonalID] != child.Citizen.ID || payloadOf[records.HospitalRegistration](regs[1]).Registered == nil || !payloadOf[records.HospitalRegistration](regs[1]).ForOther {
		t.Fatalf("registration records %+v", regs)
	}
	if payloadOf[records.HospitalHolder](r.rec.kinds(KindHolder)[1]).Outcome != "skipped_for_other" {
		t.Fatal("holder skip not recorded")
	}
	checkRecordsPersonal(t, r, woman, child)
}

func TestForOtherFromCardResult(t *testing.T) {
	r := newRig(t, noHolder())
	r.tapCard(adult)
	r.tap(IntentForOther)
	s := r.waitScreen(ScreenIdentify)
	if !s.ForOther {
		t.Fatal("not for other")
	}
	s = r.tapCard(elder)
	if s.Patient.Age != 81 {
		t.Fatalf("age %d", s.Patient.Age)
	}
}

func TestPriorityQuestions(t *testing.T) {
	r := newRig(t, noHolder())
	s := r.toClinic(elder)
	if s.Clinic.Derived != queue.Age75 {
		t.Fatalf("derived %v", s.Clinic.Derived)
	}
	r.send(Intent{Kind: IntentAnswer, Question: QDisability, Yes: true})
	if r.last.Clinic.Priority != queue.SevereDisability {
		t.Fatalf("priority %v", r.last.Clinic.Priority)
	}
	r.tap(IntentCancel)
	r.waitScreen(ScreenWelcome)
	s = r.toClinic(woman)
	found := false
	for _, q := range s.Clinic.Questions {
		found = found || q.Question == QPregnant
	}
	if !found {
		t.Fatal("pregnancy not asked")
	}
	r.send(Intent{Kind: IntentAnswer, Question: QPregnant, Yes: true})
	if r.last.Clinic.Priority != queue.Pregnant {
		t.Fatalf("priority %v", r.last.Clinic.Priority)
	}
}

func TestLanguageToggle(t *testing.T) {
	r := newRig(t, noHolder())
	r.tap(IntentLanguage)
	if r.last.Lang != LangEN || r.last.Title.In(r.last.Lang) != "Self-registration" {
		t.Fatalf("%+v", r.last.Title)
	}
	r.tapCard(adult)
	r.tap(IntentCancel)
	s := r.waitScreen(ScreenWelcome)
	if s.Lang != LangEN {
		t.Fatal("language reset by cancel")
	}
}

func TestCardReadFailureRetries(t *testing.T) {
	r := newRig(t, noHolder())
	r.tap(IntentStart)
	r.ident.cards <- identResult{err: errors.New("card removed")}
	r.wait("retry message", func(s State) bool { return s.Identify != nil && s.Identify.Retry })
	r.clock.Advance(time.Second)
	r.tapCard(adult)
}

func TestAgeOn(t *testing.T) {
	loc := time.FixedZone("ICT", 7*3600)
	now := time.Date(2026, 11, 22, 8, 0, 0, 0, loc)
	for _, tc := range []struct {
		dob  string
		want int
	}{
		{"1990-05-17", 36}, {"1990-11-22", 36}, {"1990-11-23", 35}, {"2020-11-23", 5}, {"2020-11-22", 6},
		{"1951-11-22", 75}, {"1951-11-23", 74}, {"Không rõ", -1}, {"2030-01-01", -1},
	} {
		if got := ageOn(tc.dob, now, loc); got != tc.want {
			t.Errorf("ageOn(%s) = %d, want %d", tc.dob, got, tc.want)
		}
	}
}

func TestNewRejectsMissingDeps(t *testing.T) {
	if _, err := New(Config{DefaultQueue: "A"}, Deps{}); !errors.Is(err, ErrConfig) {
		t.Fatalf("err = %v", err)
	}
}

func TestQueueFailureKeepsRegistration(t *testing.T) {
	var fq *flakyQueue
	r := newRig(t, noHolder(), func(_ *Config, d *Deps, _ *rig) { fq = &flakyQueue{Queue: d.Queue, fail: 1}; d.Queue = fq })
	r.toClinic(adult)
	r.send(Intent{Kind: IntentChoose, Clinic: "K01"})
	s := r.waitScreen(ScreenError)
	if s.Error.Code != "queue_unavailable" || s.Has(IntentBack) {
		t.Fatalf("%+v %v", s.Error, s.Actions)
	}
	r.tap(IntentRetry)
	s = r.waitScreen(ScreenTicket)
	if s.Ticket.Number != "A001" || len(r.his.Visits()) != 1 {
		t.Fatalf("ticket %+v visits %d", s.Ticket, len(r.his.Visits()))
	}
}

func TestHolderMismatchCallStaff(t *testing.T) {
	r := newRig(t, withConfig(func(c *Config) { c.HolderAttempts = 1 }))
	r.holder.verify = []error{identity.ErrNotVerified}
	r.tapCard(adult)
	r.tap(IntentContinue)
	r.wait("mismatch", func(s State) bool { return s.Holder != nil && s.Holder.Phase == HolderMismatch })
	r.tap(IntentCallStaff)
	s := r.waitScreen(ScreenHelp)
	if s.Help.From != ScreenHolder || payloadOf[records.HospitalHelp](r.rec.kinds(KindHelp)[0]).Screen != "holder" {
		t.Fatalf("%+v", s.Help)
	}
	r.tap(IntentCancel)
	r.waitScreen(ScreenWelcome)
	if ab := r.rec.kinds(KindAbandoned); len(ab) != 1 || payloadOf[records.HospitalAbandoned](ab[0]).Reason != "cancel" {
		t.Fatalf("%+v", ab)
	}
}

func TestMessagesComplete(t *testing.T) {
	for k, m := range Messages() {
		if m.VI == "" || m.EN == "" || m.Key != k {
			t.Errorf("message %s incomplete: %+v", k, m)
		}
	}
	if _, ok := Messages()["bhyt.010"]; !ok {
		t.Error("BHYT messages missing from Messages()")
	}
}

func TestNextPatientTapsDuringGoodbye(t *testing.T) {
	r := newRig(t, noHolder(), withConfig(func(c *Config) { c.Prepayment = false }))
	r.toClinic(adult)
	r.send(Intent{Kind: IntentChoose, Clinic: "K01"})
	r.waitScreen(ScreenTicket)
	r.tap(IntentDone)
	r.waitScreen(ScreenGoodbye)
	s := r.tapCard(woman)
	if s.Patient.Name != woman.Citizen.Name {
		t.Fatalf("%+v", s.Patient)
	}
	r.clock.Advance(10 * time.Second) // the goodbye timer must not fire any more
	r.send(Intent{Kind: IntentActivity})
	if r.last.Screen != ScreenCardResult {
		t.Fatalf("screen %s", r.last.Screen)
	}
}

// A card left lying on the reader after goodbye must not register the
// patient twice (issue 19): the next card read waits until it is taken,
// goodbye reminds the patient to take it and the state asks the UI to
// beep (CardLeft) until then.
func TestCardLeftOnReaderIsNotRegisteredTwice(t *testing.T) {
	r := newRig(t, noHolder(), withCardWatcher(), withConfig(func(c *Config) { c.Prepayment = false }))
	r.toClinic(adult)
	r.send(Intent{Kind: IntentChoose, Clinic: "K01"})
	r.waitScreen(ScreenTicket)
	r.tap(IntentDone)
	s := r.wait("card left", func(s State) bool { return s.Screen == ScreenGoodbye && s.CardLeft })
	if s.Goodbye.TakeCard.VI != "Nhớ lấy lại thẻ Căn cước." || s.CardReminder.VI == "" {
		t.Fatalf("goodbye %+v reminder %+v", s.Goodbye, s.CardReminder)
	}
	// The same card is still there: the identifier must not be asked to
	// read it while it lies on the reader.
	r.ident.cards <- identResult{id: adult}
	r.clock.Advance(10 * time.Second) // the goodbye time passes: still reminding
	r.send(Intent{Kind: IntentActivity})
	if r.last.Screen != ScreenGoodbye || !r.last.CardLeft {
		t.Fatalf("screen %s card left %v", r.last.Screen, r.last.CardLeft)
	}
	if n := len(r.ident.cards); n != 1 {
		t.Fatalf("the card on the reader was read again (%d left)", n)
	}
	r.watch.taken <- struct{}{}
	// Taken: the beeping stops and the kiosk waits for a card again (the
	// queued read stands for the next patient's tap).
	r.wait("card taken", func(s State) bool { return !s.CardLeft && s.CardReminder.IsZero() })
	r.waitScreen(ScreenCardResult)
	if len(r.his.Visits()) != 1 {
		t.Fatalf("HIS visits %d", len(r.his.Visits()))
	}
	r.watch.mu.Lock()
	defer r.watch.mu.Unlock()
	if r.watch.holds < 2 {
		t.Fatalf("Acquire asked to hold the card %d times", r.watch.holds)
	}
}

// The clinic list shows what the patient will pay (issue 19): under BHYT
// the co-payment by the card's benefit level (DN4… → 80 % paid by
// insurance), the same amounts the ticket screen and the printed ticket
// carry; without insurance the full fee.
func TestClinicPricesFromBenefitLevel(t *testing.T) {
	r := newRig(t, noHolder())
	s := r.toClinic(adult)
	if s.Clinic.BenefitPercent != 80 {
		t.Fatalf("benefit %d%%", s.Clinic.BenefitPercent)
	}
	k := s.Clinic.Clinics[0]
	if k.Code != "K01" || k.FullFee != 50000 || k.Fee != 10000 || k.InsurancePays != 40000 || k.FeeText != "10.000 ₫" ||
		k.PriceText.VI != "Quý khách trả 10.000 ₫ (BHYT chi trả 40.000 ₫)" {
		t.Fatalf("clinic %+v", k)
	}
	r.send(Intent{Kind: IntentChoose, Clinic: "K01"})
	s = r.waitScreen(ScreenTicket)
	if f := s.Ticket.Fees; f == nil || f.Total != 50000 || f.Insurance != 40000 || f.Patient != k.Fee {
		t.Fatalf("ticket fees %+v", s.Ticket.Fees)
	}
	slip := r.printer.text()
	for _, want := range []string{"50.000 ₫", "40.000 ₫", "10.000 ₫"} {
		if !strings.Contains(slip, want) {
			t.Errorf("ticket lacks %s:\n%s", want, slip)
		}
	}

	r2 := newRig(t, noHolder())
	r2.bhyt.SetCode(adult.Citizen.ID, "010") // expired: fee-paying
	r2.toInsurance(adult)
	r2.tap(IntentFeePaying)
	s = r2.wait("clinics", func(s State) bool { return s.Screen == ScreenClinic && !s.Clinic.Loading })
	if k := s.Clinic.Clinics[0]; k.Fee != 50000 || k.InsurancePays != 0 || k.PriceText.VI != "Quý khách trả 50.000 ₫" {
		t.Fatalf("fee-paying clinic %+v", k)
	}
}

// When the BHYT lookup fails, the primary path registers the patient with
// BHYT, staff confirming the card at the counter (issue 19); the clinic list
// shows full fees said to be adjusted, nothing is paid at the kiosk, and
// the records say the card is pending.
func TestBHYTFailureRegistersPendingConfirmation(t *testing.T) {
	r := newRig(t, noHolder())
	r.bhyt.FailNext(503, 503)
	s := r.toInsurance(adult)
	if p := s.Actions[0]; !p.Primary || p.Kind != IntentContinue || p.Label.VI != "Đăng ký khám BHYT (nhân viên xác nhận thẻ tại quầy)" {
		t.Fatalf("primary %+v", p)
	}
	for _, a := range s.Actions[1:] {
		if a.Primary {
			t.Fatalf("second primary %+v", a)
		}
	}
	r.tap(IntentContinue)
	s = r.wait("clinics", func(s State) bool { return s.Screen == ScreenClinic && !s.Clinic.Loading })
	if !s.Clinic.Insured || !s.Clinic.InsurancePending || s.Clinic.BenefitPercent != 0 {
		t.Fatalf("clinic %+v", s.Clinic)
	}
	if k := s.Clinic.Clinics[0]; k.Fee != 50000 || !strings.Contains(k.PriceText.VI, "nhân viên xác nhận") {
		t.Fatalf("clinic %+v", k)
	}
	r.send(Intent{Kind: IntentChoose, Clinic: "K01"})
	s = r.waitScreen(ScreenTicket)
	if !s.Ticket.InsurancePending || s.Ticket.PaymentDue || !strings.Contains(s.Ticket.Message.VI, "xác nhận thẻ BHYT") {
		t.Fatalf("ticket %+v", s.Ticket)
	}
	if v := r.his.Visits()[0]; v.MaTheBHYT != adult.Citizen.ID {
		t.Fatalf("HIS visit %+v", v)
	}
	reg := payloadOf[records.HospitalRegistration](r.rec.kinds(KindRegistration)[0])
	if reg.Registered == nil || !reg.Insured || !reg.BHYTPending {
		t.Fatalf("registration %+v", reg)
	}
}

// A forged card (issue 19): the screen explains in plain Vietnamese — no
// English reason code — and the published state, help overlay included,
// carries none of the refused card's personal data.
func TestForgedCardStateHoldsNoPersonalData(t *testing.T) {
	for _, reason := range []identity.Reason{identity.ReasonClone, identity.ReasonHashMismatch, identity.ReasonUntrustedSigner, identity.ReasonNoChipAuth} {
		t.Run(string(reason), func(t *testing.T) {
			r := newRig(t)
			id := adult
			id.Verdict, id.Reason = identity.NotGenuine, reason
			s := r.tapCard(id)
			if s.Card.CanContinue || strings.Contains(s.Card.Reason.VI, string(reason)) || strings.Contains(s.Card.Reason.EN, string(reason)) {
				t.Fatalf("card %+v", s.Card)
			}
			check := func(s State) {
				t.Helper()
				s.IdleDeadline = time.Time{}
				b, err := json.Marshal(s)
				if err != nil {
					t.Fatal(err)
				}
				c := id.Citizen
				for _, pii := range []string{c.ID, c.ID[:4], c.ID[len(c.ID)-2:] + `"`, c.Name, "Nguyễn", c.DOB, "1990", c.Residence, `"age"`, `"patient"`} {
					if bytes.Contains(b, []byte(pii)) {
						t.Fatalf("state of a refused card holds %q: %s", pii, b)
					}
				}
			}
			check(s)
			r.tap(IntentCallStaff)
			check(r.last)
		})
	}
}

// A patient with no binding is asked the right question first — the
// enrolment offer, never "place your enrolled finger" — and an enrolment
// that times out with no finger says so and offers a retry or a skip
// (issue 19).
func TestHolderNotEnrolledAskedFirstAndEnrolTimeout(t *testing.T) {
	r := newRig(t)
	r.holder.verify = []error{identity.ErrNotEnrolled}
	r.tapCard(adult)
	r.tap(IntentContinue)
	var seen []string
	s := r.wait("offer", func(s State) bool {
		if s.Holder != nil {
			seen = append(seen, s.Holder.Message.Key)
		}
		return s.Holder != nil && s.Holder.Phase == HolderOffer
	})
	for _, k := range append(seen, s.Holder.Message.Key) {
		if k == "holder.place" {
			t.Fatalf("an unenrolled patient was asked for an enrolled finger: %v", seen)
		}
	}
	if r.holder.verifyIDs != nil {
		t.Fatal("Verify ran for an unenrolled patient")
	}
	r.holder.enrolErr = fmt.Errorf("identity: enrol: %w: %w", identity.ErrNotVerified, context.DeadlineExceeded)
	r.send(Intent{Kind: IntentConsent, Yes: true})
	s = r.wait("enrol timeout", func(s State) bool { return s.Holder != nil && s.Holder.Phase == HolderEnrolFailed })
	if s.Holder.Message.Key != "holder.enrol_timeout" || !strings.Contains(s.Holder.Message.VI, "không nhận được ngón tay") || s.Actions[0].Kind != IntentRetry || !s.Has(IntentSkip) {
		t.Fatalf("holder %+v actions %v", s.Holder, s.Actions)
	}
	r.holder.enrolErr = nil
	r.tap(IntentRetry)
	r.wait("insurance", func(s State) bool { return s.Screen == ScreenInsurance })
	if len(r.holder.enrolled) != 2 {
		t.Fatalf("enrolments %d", len(r.holder.enrolled))
	}
}

// The receipt (issue 19) names the hospital, the clinic, the amounts —
// total, insurance share, paid — the full visit number and the payment
// reference, at the time in the hospital's zone (a UTC paid-at 01:15 prints
// 08:15), not the truncated bank memo alone.
func TestReceiptNamesVisitAndAmountsInLocalTime(t *testing.T) {
	hdr := tickets.Header{Name: "BỆNH VIỆN TRUNG ƯƠNG HUẾ"}
	receipts := NewReceipts(nil, hdr, time.FixedZone("ICT", 7*3600))
	r := newRig(t, noHolder(), func(c *Config, d *Deps, r *rig) { receipts.p = r.printer; d.Receipts = receipts })
	r.toClinic(adult)
	r.send(Intent{Kind: IntentChoose, Clinic: "K01"})
	s := r.waitScreen(ScreenTicket)
	visit := s.Ticket.VisitNumber
	r.tap(IntentContinue)
	s = r.wait("QR", func(s State) bool { return s.Screen == ScreenPayment && s.Payment.Phase == PaymentWaiting })
	paidAt := time.Date(2026, 11, 22, 1, 15, 0, 0, time.UTC)
	if err := receipts.PrintReceipt(context.Background(), session.Receipt{Ref: s.Payment.Ref, Amount: 10000, TxnID: "FT123", PaidAt: paidAt, Purpose: "Vien phi " + visit[:3]}); err != nil {
		t.Fatal(err)
	}
	slip := r.printer.text()
	for _, want := range []string{hdr.Name, "Phòng khám Nội tổng quát – Phòng 101", visit, s.Payment.Ref, "22/11/2026 08:15",
		"Tổng chi phí 50.000 ₫", "BHYT chi trả 40.000 ₫", "ĐÃ THANH TOÁN 10.000 ₫"} {
		if !strings.Contains(slip, want) {
			t.Errorf("receipt lacks %q:\n%s", want, slip)
		}
	}
	if strings.Contains(slip, "01:15") || strings.Contains(slip, adult.Citizen.Name) {
		t.Fatalf("receipt:\n%s", slip)
	}
}

// The register of the texts (issue 19): patients are addressed as "Quý
// khách" (or "Ông/Bà" when configured), never "bạn", and quotes are
// Vietnamese “…”, in every text the flow can publish and on the ticket.
func TestRegisterOfWords(t *testing.T) {
	for k, m := range Messages() {
		for _, bad := range []string{"bạn", "Bạn", "BẠN", "«", "»"} {
			if strings.Contains(m.VI, bad) {
				t.Errorf("%s: %q has %q", k, m.VI, bad)
			}
		}
	}
	r := newRig(t, noHolder(), withConfig(func(c *Config) { c.Prepayment = false; c.AddressAs = AddressOngBa }))
	s := r.toClinic(adult)
	if b, _ := json.Marshal(s); bytes.Contains(b, []byte(DefaultAddress)) {
		t.Fatalf("state addresses the patient as %s: %s", DefaultAddress, b)
	}
	r.send(Intent{Kind: IntentChoose, Clinic: "K01"})
	r.waitScreen(ScreenTicket)
	if slip := r.printer.text(); strings.Contains(strings.ToLower(slip), "bạn") {
		t.Fatalf("ticket:\n%s", slip)
	}
	r.tap(IntentDone)
	s = r.waitScreen(ScreenGoodbye)
	if !strings.Contains(s.Goodbye.Message.VI, "Ông/Bà") || strings.Contains(s.Goodbye.Message.VI, DefaultAddress) {
		t.Fatalf("goodbye %q", s.Goodbye.Message.VI)
	}
	if msg("goodbye.message").VI != "Cảm ơn Quý khách. Chúc Quý khách mau khỏe!" {
		t.Fatalf("default goodbye %q", msg("goodbye.message").VI)
	}
}

// The consent text promises the fingerprint binding can be deleted (issue
// 19): after reading the card the patient asks for it, identity's Delete
// runs, a confirmation follows, and the outcome is recorded; registration
// may go on.
func TestEraseFingerprintAtTheKiosk(t *testing.T) {
	r := newRig(t)
	s := r.tapCard(adult)
	if !s.Has(IntentErase) {
		t.Fatalf("no erase action: %v", s.Actions)
	}
	r.tap(IntentErase)
	s = r.wait("erased", func(s State) bool { return s.Holder != nil && s.Holder.Phase == HolderErased })
	if s.Holder.Message.Key != "holder.erased" || s.Actions[0].Kind != IntentContinue {
		t.Fatalf("holder %+v actions %v", s.Holder, s.Actions)
	}
	if len(r.holder.deleted) != 1 || r.holder.deleted[0] != adult.Citizen.ID {
		t.Fatalf("deleted %v", r.holder.deleted)
	}
	if rec := r.rec.kinds(KindHolder); len(rec) != 1 || payloadOf[records.HospitalHolder](rec[0]).Outcome != "erased" {
		t.Fatalf("records %+v", rec)
	}
	r.tap(IntentContinue)
	r.wait("insurance", func(s State) bool { return s.Screen == ScreenInsurance })

	r2 := newRig(t)
	r2.holder.deleteErr = identity.ErrNotEnrolled
	r2.tapCard(adult)
	r2.tap(IntentErase)
	s = r2.wait("none", func(s State) bool { return s.Holder != nil && s.Holder.Phase == HolderErased })
	if s.Holder.Message.Key != "holder.erase_none" {
		t.Fatalf("holder %+v", s.Holder)
	}
	r3 := newRig(t)
	r3.holder.deleteErr = identity.ErrModuleAbsent
	r3.tapCard(adult)
	r3.tap(IntentErase)
	s = r3.wait("failed", func(s State) bool { return s.Holder != nil && s.Holder.Phase == HolderEraseFailed })
	if s.Actions[0].Kind != IntentCallStaff {
		t.Fatalf("actions %v", s.Actions)
	}
	if n := newRig(t, noHolder()).tapCard(adult); n.Has(IntentErase) {
		t.Fatal("erase offered without a fingerprint module")
	}
}

// A child without a card is registered by a parent (issue 19): the
// parent's card is read, the child's personal ID number and birth date are
// typed and checked against each other (mistakes refused without echoing
// them), and both identities are recorded — the child as the patient, the
// parent as the agent — through to the HIS visit.
func TestChildWithoutCardRegisteredByParent(t *testing.T) {
	r := newRig(t, withConfig(func(c *Config) { c.Prepayment = false }))
	s := r.tapCard(adult)
	if !s.Has(IntentForChild) {
		t.Fatalf("actions %v", s.Actions)
	}
	r.tap(IntentForChild)
	if s := r.last; s.Screen != ScreenIdentify || !s.Identify.NeedChild || !s.ForOther || s.Patient != nil {
		t.Fatalf("state %+v", s)
	}
	for _, bad := range []Intent{
		{Digits: "079224001111", BirthDate: "28022024", Name: "Phạm Bé Út"}, // day differs: fine; year check below
		{Digits: "079224001111", BirthDate: "29022023", Name: "Phạm Bé Út"}, // year 23 ≠ 24
		{Digits: "079324001111", BirthDate: "29022024", Name: ""},           // no name
		{Digits: "079210001111", BirthDate: "01012010", Name: "Lớn Rồi"},    // 16 years old
		{Digits: adult.Citizen.ID, BirthDate: "17051990", Name: "X"},        // the parent's own
	}[1:] {
		bad.Kind = IntentChild
		r.send(bad)
		s := r.last
		if s.Screen != ScreenIdentify || s.Identify.ChildError.IsZero() {
			t.Fatalf("%+v accepted: %+v", bad, s.Identify)
		}
		if b, _ := json.Marshal(s.Identify); bytes.Contains(b, []byte(bad.Digits)) {
			t.Fatalf("typed number echoed: %s", b)
		}
	}
	r.send(Intent{Kind: IntentChild, Digits: child.Citizen.ID, BirthDate: "29022024", Name: child.Citizen.Name})
	s = r.wait("insurance", func(s State) bool { return s.Screen == ScreenInsurance && s.Insurance.Outcome != InsuranceChecking })
	if s.Patient == nil || s.Patient.Name != child.Citizen.Name || s.Patient.Age != 2 || s.Patient.Sex != "Nam" || !s.ForOther {
		t.Fatalf("patient %+v", s.Patient)
	}
	rec := r.rec.kinds(KindChild)
	if len(rec) != 1 {
		t.Fatalf("child records %d", len(rec))
	}
	if p := payloadOf[records.HospitalChild](rec[0]); p.AgentVerdict != "genuine" || p.Age != 2 {
		t.Fatalf("child record %+v", p)
	}
	if pp := rec[0].Personal; pp[PersonalID] != child.Citizen.ID || pp[PersonalAgentID] != adult.Citizen.ID || pp[records.PersonalAgentName] != adult.Citizen.Name || pp[PersonalDOB] != "2024-02-29" {
		t.Fatalf("child record personal %v", pp)
	}
	r.tap(IntentContinue)
	r.wait("clinics", func(s State) bool { return s.Screen == ScreenClinic && !s.Clinic.Loading })
	r.send(Intent{Kind: IntentChoose, Clinic: "K02"})
	s = r.waitScreen(ScreenTicket)
	if s.Ticket.PriorityText.IsZero() {
		t.Fatalf("a child under 6 without priority: %+v", s.Ticket)
	}
	v := r.his.Visits()[0]
	if v.SoCCCD != child.Citizen.ID || v.HoTen != child.Citizen.Name || v.NgaySinh != "20240229" {
		t.Fatalf("HIS visit %+v", v)
	}
	reg := r.rec.kinds(KindRegistration)[0]
	if reg.Personal[PersonalAgentID] != adult.Citizen.ID || !payloadOf[records.HospitalRegistration](reg).ForOther {
		t.Fatalf("registration %+v", reg)
	}
}

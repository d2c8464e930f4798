package hospital

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/kiosk06/kiosk/drivers/cccd"
	"github.com/kiosk06/kiosk/drivers/escpos"
	"github.com/kiosk06/kiosk/firmware/bhyt"
	"github.com/kiosk06/kiosk/firmware/his"
	"github.com/kiosk06/kiosk/firmware/identity"
	"github.com/kiosk06/kiosk/firmware/tickets"
	"github.com/kiosk06/kiosk/payments/session"
	"github.com/kiosk06/kiosk/payments/tariff"
	"github.com/kiosk06/kiosk/queue"
)

// ---- screen changes and timers ----

// setScreen switches screens and re-arms the idle timer for the new one.
func (f *Flow) setScreen(s Screen) {
	f.m.screen = s
	f.m.tickC = nil
	f.touch()
}

// idleApplies reports whether walking away from this screen should time out.
func (f *Flow) idleApplies() bool {
	switch f.m.screen {
	case ScreenWelcome, ScreenRegistering, ScreenGoodbye:
		return false
	case ScreenPayment:
		return f.m.payment.Phase != PaymentWaiting && f.m.payment.Phase != PaymentCreating
	}
	return true
}

// touch restarts the idle timer (user activity).
func (f *Flow) touch() {
	if !f.idleApplies() {
		f.m.idleC, f.m.idleAt = nil, time.Time{}
		return
	}
	f.m.idleC = f.deps.Clock.After(f.cfg.IdleTimeout)
	f.m.idleAt = f.now().Add(f.cfg.IdleTimeout)
}

// toWelcome cancels everything, wipes personal data and waits for a card.
func (f *Flow) toWelcome() {
	f.stopOp()
	lang := f.m.lang
	f.m.wipe()
	f.m.lang = lang
	f.setScreen(ScreenWelcome)
	f.m.identify = Identify{Step: ReadWaiting, Message: msg("identify.waiting")}
	f.startIdentify(0)
}

func (f *Flow) onTick() {
	switch f.m.screen {
	case ScreenGoodbye:
		f.toWelcome()
	case ScreenPayment:
		if f.m.payment.Phase != PaymentWaiting {
			return
		}
		rem := f.m.payment.Deadline.Sub(f.now())
		if rem < 0 {
			rem = 0
		}
		f.m.payment.Remaining = rem.Truncate(time.Second)
		// The session reports expiry itself; should it never answer, the
		// patient is not kept on the QR screen (with personal data) for
		// longer than the idle timeout past the deadline.
		if f.now().After(f.m.payment.Deadline.Add(f.cfg.IdleTimeout)) {
			f.abandon("payment_timeout")
			return
		}
		f.m.tickC = f.deps.Clock.After(time.Second)
	}
}

// ---- intents ----

func (f *Flow) handle(in Intent) {
	switch in.Kind {
	case IntentActivity:
		f.touch()
		return
	case IntentLanguage:
		f.touch()
		f.toggleLang(in.Lang)
		return
	case IntentIdle:
		if f.idleApplies() {
			f.abandon("idle")
		}
		return
	}
	f.touch()
	if f.m.help != nil {
		switch in.Kind {
		case IntentBack:
			f.m.help = nil
		case IntentCancel:
			f.abandon("cancel")
		}
		return
	}
	if !f.allowed(in) {
		f.log.Debug("hospital: intent not offered on this screen", "kind", in.Kind, "screen", f.m.screen)
		return
	}
	switch in.Kind {
	case IntentCallStaff:
		f.callStaff("patient")
	case IntentCancel:
		f.abandon("cancel")
	case IntentBack:
		f.back()
	case IntentForOther:
		f.forOther()
	default:
		f.handleScreen(in)
	}
}

func (f *Flow) toggleLang(l Lang) {
	switch {
	case l == LangVI || l == LangEN:
		f.m.lang = l
	case f.m.lang == LangEN:
		f.m.lang = LangVI
	default:
		f.m.lang = LangEN
	}
}

// allowed reports whether the current screen offers in.
func (f *Flow) allowed(in Intent) bool {
	if f.m.screen == ScreenClinic && (in.Kind == IntentChoose || in.Kind == IntentAnswer) {
		return !f.m.clinic.Loading
	}
	if in.Kind == IntentCAN {
		return f.m.screen == ScreenIdentify && f.m.identify.NeedCAN
	}
	for _, a := range f.actions() {
		if a.Kind == in.Kind {
			return true
		}
	}
	return false
}

func (f *Flow) handleScreen(in Intent) {
	switch f.m.screen {
	case ScreenWelcome:
		f.setScreen(ScreenIdentify)
	case ScreenIdentify:
		switch in.Kind {
		case IntentCAN:
			f.enterCAN(in.Digits)
		case IntentRetry: // after too many refused CANs: wait for the QR or a new tap
			f.identifyAgain(msg(f.identifyKey()))
		}
	case ScreenCardResult:
		f.holderStep()
	case ScreenHolder:
		f.holderIntent(in)
	case ScreenInsurance:
		f.insuranceIntent(in)
	case ScreenClinic:
		f.clinicIntent(in)
	case ScreenTicket:
		if in.Kind == IntentContinue {
			f.paymentStep()
		} else {
			f.finish(in.Kind == IntentSkip)
		}
	case ScreenPayment:
		f.paymentIntent(in)
	case ScreenReceipt:
		f.finish(false)
	case ScreenGoodbye:
		f.toWelcome()
	case ScreenError:
		switch in.Kind {
		case IntentRetry:
			f.m.errRetry()
		case IntentSkip:
			f.m.errSkip()
		}
	}
}

// back goes one screen back where that makes sense.
func (f *Flow) back() {
	switch f.m.screen {
	case ScreenIdentify:
		f.toWelcome()
	case ScreenCardResult:
		f.m.v = nil
		f.identifyAgain(msg(f.identifyKey()))
	case ScreenHolder, ScreenInsurance:
		f.stopOp()
		f.setScreen(ScreenCardResult)
	case ScreenClinic:
		f.stopOp()
		f.setScreen(ScreenInsurance)
	case ScreenError:
		f.setScreen(f.m.errBack)
	}
}

func (f *Flow) identifyKey() string {
	if f.m.agent != nil {
		return "identify.other"
	}
	return "identify.waiting"
}

// abandon ends the session on idle timeout or cancel: an open payment is
// cancelled, the outcome recorded, personal data wiped.
func (f *Flow) abandon(reason string) {
	if f.m.screen == ScreenWelcome {
		return
	}
	if v := f.m.v; v != nil && v.pay.Ref != "" && !v.pay.State.Terminal() {
		f.cancelPayment(reason)
	}
	f.record(KindAbandoned, map[string]any{"screen": string(f.m.screen), "reason": reason, "registered": f.m.v != nil && f.m.v.reg != nil}, nil)
	f.toWelcome()
}

// callStaff records a help request and shows the help overlay.
func (f *Flow) callStaff(reason string) {
	f.m.helpCount++
	ref := fmt.Sprintf("H%03d", f.m.helpCount%1000)
	f.record(KindHelp, map[string]any{"screen": string(f.m.screen), "reason": reason, "ref": ref}, nil)
	f.m.help = &Help{Message: msgf("help.message", ref), Ref: ref, From: f.m.screen}
}

// forOther starts a registration for another person: the current person
// becomes the agent and a second card is awaited.
func (f *Flow) forOther() {
	if f.m.agent == nil && f.m.v != nil {
		a := f.m.v.id
		f.m.agent = &a
	}
	f.m.v = nil
	f.identifyAgain(msg("identify.other"))
}

// finish shows goodbye and wipes personal data.
func (f *Flow) finish(payAtCounter bool) {
	g := Goodbye{Message: msg("goodbye.message")}
	if payAtCounter {
		g.Message = msg("goodbye.counter")
	}
	if v := f.m.v; v != nil && v.qt != nil {
		g.Number, g.Room = v.qt.ID, v.clinic.Room
	}
	f.stopOp()
	lang := f.m.lang
	f.m.wipe()
	f.m.lang, f.m.goodbye = lang, g
	f.setScreen(ScreenGoodbye)
	f.m.tickC = f.deps.Clock.After(f.cfg.GoodbyeDelay)
	f.startIdentify(0) // the next patient may tap while goodbye shows
}

// ---- identify ----

func (f *Flow) identifyAgain(t Text) {
	f.m.identify = Identify{Step: ReadWaiting, Message: t}
	f.setScreen(ScreenIdentify)
	f.startIdentify(0)
}

// startIdentify waits for a card now, or after delay (armed on the Run
// goroutine so a manual clock sees the timer before the state is published).
func (f *Flow) startIdentify(delay time.Duration) {
	if delay > 0 {
		f.stopOp()
		f.m.retryC = f.deps.Clock.After(delay)
		return
	}
	f.m.retryC = nil
	ci, canAsk := f.deps.Identifier.(CANIdentifier)
	var cans chan string
	if canAsk {
		cans = make(chan string, 1)
	}
	f.m.cans, f.m.canWrong = cans, 0
	f.start(func(ctx context.Context, gen uint64) func() {
		progress := func(p Progress) { f.post(gen, func() { f.onProgress(p) }) }
		var id Identity
		var err error
		if canAsk {
			id, err = ci.IdentifyCAN(ctx, progress, cans)
		} else {
			id, err = f.deps.Identifier.Identify(ctx, progress)
		}
		if ctx.Err() != nil {
			return nil
		}
		if err != nil {
			return func() { f.onIdentifyFailed(err) }
		}
		return func() { f.onIdentified(id) }
	})
}

func (f *Flow) onProgress(p Progress) {
	if p.Step == ReadWaiting {
		return
	}
	if f.m.screen == ScreenWelcome || f.m.screen == ScreenGoodbye {
		f.m.goodbye = Goodbye{}
		f.setScreen(ScreenIdentify)
	}
	if f.m.screen != ScreenIdentify {
		return
	}
	f.touch()
	if p.Step == ReadNeedCAN {
		f.askCAN(p.WrongCAN)
		return
	}
	key := map[ReadStep]string{ReadDetected: "identify.detected", ReadChip: "identify.chip", ReadVerifying: "identify.verifying", ReadDone: "identify.verifying"}[p.Step]
	if key == "" {
		key = "identify.chip"
	}
	fr := min(max(p.Fraction, 0), 1)
	f.m.identify = Identify{Step: p.Step, Progress: fr, Message: msg(key)}
}

// askCAN shows the CAN keypad: first ask, or again after the card refused
// the CAN typed (wrong). Once the card has refused CANAttempts of them the
// card read is stopped: the person may try again with the QR code or call
// staff.
func (f *Flow) askCAN(wrong bool) {
	if f.m.cans == nil { // not a CANIdentifier: nothing could answer
		f.m.identify = Identify{Step: ReadDetected, Message: msg("identify.detected")}
		return
	}
	ask := Identify{Step: ReadNeedCAN, NeedCAN: true, Message: msg("identify.can")}
	if wrong {
		f.m.canWrong++
		left := max(f.cfg.CANAttempts-f.m.canWrong, 0)
		f.record(KindCAN, map[string]any{"outcome": "mismatch", "attempts_left": left, "for_other": f.m.agent != nil}, nil)
		if left == 0 {
			f.stopOp()
			f.m.cans = nil
			f.m.identify = Identify{Step: ReadWaiting, CANExhausted: true, Message: msgf("identify.can_exhausted", f.m.canWrong)}
			return
		}
		ask.CANError = msgf("identify.can_wrong", left)
	}
	ask.CANAttemptsLeft = f.cfg.CANAttempts - f.m.canWrong
	f.m.identify = ask
}

// enterCAN hands typed digits to the card read, after checking they are a
// CAN at all (a malformed entry never reaches the card). The digits are
// kept nowhere in the model.
func (f *Flow) enterCAN(digits string) {
	if !cccd.ValidCAN(digits) {
		f.m.identify.CANError = msg("identify.can_invalid")
		return
	}
	select {
	case f.m.cans <- digits:
	default: // the identifier has not taken the previous entry: keep asking
		return
	}
	f.m.identify = Identify{Step: ReadDetected, Progress: 0.05, Message: msg("identify.can_checking")}
}

func (f *Flow) onIdentifyFailed(err error) {
	f.log.Info("hospital: card read failed; waiting again", "err", err)
	if f.m.screen == ScreenIdentify {
		key := "identify.failed"
		if f.m.identify.NeedCAN && errors.Is(err, identity.ErrCardRemoved) {
			key = "identify.can_removed"
		}
		f.m.identify = Identify{Step: ReadWaiting, Retry: true, Message: msg(key)}
	}
	f.m.cans = nil
	f.startIdentify(f.cfg.RetryDelay)
}

func (f *Flow) onIdentified(id Identity) {
	f.m.cans = nil
	if f.m.agent != nil && id.Citizen.ID == f.m.agent.Citizen.ID {
		f.m.identify = Identify{Step: ReadWaiting, Retry: true, Message: msg("identify.same")}
		f.setScreen(ScreenIdentify)
		f.startIdentify(f.cfg.RetryDelay)
		return
	}
	v := &visit{id: id, age: ageOn(id.Citizen.DOB, f.now(), f.cfg.Location), attempts: f.cfg.HolderAttempts, answers: map[Question]bool{}}
	f.m.v = v
	f.record(KindIdentify, map[string]any{"verdict": string(id.Verdict), "method": string(id.Method), "reason": id.Reason, "for_other": f.m.agent != nil}, f.personal())
	f.m.card = f.cardResult(id)
	f.setScreen(ScreenCardResult)
}

func (f *Flow) cardResult(id Identity) CardResult {
	c := CardResult{Verdict: id.Verdict, Method: id.Method}
	switch id.Verdict {
	case Genuine:
		c.Message, c.CanContinue = msg("card.genuine"), true
	case Unverified:
		c.Message, c.CanContinue = msg("card.unverified"), !f.cfg.RejectUnverified
		c.Reason = msg("card.unverified_qr")
		if !c.CanContinue {
			c.Reason = msgf("card.reason", id.Reason)
		}
	default:
		c.Verdict = NotGenuine
		c.Message, c.Reason = msg("card.not_genuine"), msgf("card.reason", id.Reason)
	}
	return c
}

// ---- holder check ----

func (f *Flow) holderStep() {
	v := f.m.v
	switch {
	case f.deps.Holder == nil:
		f.holderDone("module_absent")
		return
	case f.m.agent != nil:
		f.holderDone("skipped_for_other")
		return
	}
	f.m.holder = HolderCheck{Phase: HolderVerifying, Finger: FingerPlace, Message: msg("holder.place"), AttemptsLeft: v.attempts}
	f.setScreen(ScreenHolder)
	id := v.id.Citizen.ID
	f.start(func(ctx context.Context, _ uint64) func() {
		_, err := f.deps.Holder.Verify(ctx, id)
		if ctx.Err() != nil {
			return nil
		}
		return func() { f.onVerified(err) }
	})
}

func (f *Flow) onVerified(err error) {
	v := f.m.v
	switch {
	case err == nil:
		f.holderDone("matched")
	case errors.Is(err, identity.ErrNotEnrolled):
		if f.cfg.Enrol != EnrolOffer {
			f.holderDone("not_enrolled")
			return
		}
		f.m.holder = HolderCheck{Phase: HolderOffer, Message: msg("holder.offer"), Consent: msg("holder.consent"), ConsentVersion: f.cfg.ConsentVersion}
	case errors.Is(err, identity.ErrNotVerified):
		v.attempts--
		f.record(KindHolder, map[string]any{"outcome": "mismatch", "attempts_left": v.attempts}, map[string]string{PersonalID: v.id.Citizen.ID})
		f.m.holder = HolderCheck{Phase: HolderMismatch, AttemptsLeft: v.attempts, Message: msgf("holder.mismatch", v.attempts)}
		if v.attempts <= 0 {
			f.m.holder.Message = msg("holder.exhausted")
		}
	default: // ErrModuleAbsent or a module failure: the check cannot be done
		f.log.Warn("hospital: holder check unavailable", "err", err)
		f.holderDone("module_absent")
	}
}

// holderDone records the holder-check outcome and moves on to insurance.
func (f *Flow) holderDone(outcome string) {
	f.m.v.holder = outcome
	f.record(KindHolder, map[string]any{"outcome": outcome}, map[string]string{PersonalID: f.m.v.id.Citizen.ID})
	f.insuranceStep()
}

func (f *Flow) holderIntent(in Intent) {
	switch {
	case in.Kind == IntentRetry:
		f.holderStep()
	case in.Kind == IntentContinue:
		f.insuranceStep()
	case in.Kind == IntentConsent && !in.Yes:
		f.holderDone("declined")
	case in.Kind == IntentConsent:
		f.enrol()
	}
}

func (f *Flow) enrol() {
	f.m.holder = HolderCheck{Phase: HolderEnrolling, Finger: FingerPlace, Message: msg("holder.enrolling")}
	id := f.m.v.id.Citizen.ID
	consent := identity.Consent{Given: true, Version: f.cfg.ConsentVersion, At: f.now()}
	f.start(func(ctx context.Context, _ uint64) func() {
		_, err := f.deps.Holder.Enrol(ctx, id, consent)
		if ctx.Err() != nil {
			return nil
		}
		return func() {
			switch {
			case errors.Is(err, identity.ErrModuleAbsent):
				f.log.Warn("hospital: enrolment: no working module", "err", err)
				f.holderDone("module_absent")
			case err != nil:
				f.log.Warn("hospital: enrolment failed", "err", err)
				f.holderDone("enrol_failed")
			default:
				f.holderDone("enrolled")
			}
		}
	})
}

func (f *Flow) onFinger(s FingerStep) {
	if f.m.screen != ScreenHolder || (f.m.holder.Phase != HolderVerifying && f.m.holder.Phase != HolderEnrolling) {
		return
	}
	f.touch()
	f.m.holder.Finger = s
	switch s {
	case FingerLift:
		f.m.holder.Message = msg("holder.lift")
	case FingerAgain:
		f.m.holder.Message = msg("holder.again")
	case FingerCapture:
		f.m.holder.Message = msg("holder.capture")
	default:
		f.m.holder.Message = msg("holder.place")
	}
}

// ---- insurance ----

func (f *Flow) insuranceStep() {
	c := f.m.v.id.Citizen
	f.m.insurance = Insurance{Outcome: InsuranceChecking, Message: msg("insurance.checking")}
	f.setScreen(ScreenInsurance)
	dob, _ := time.Parse("2006-01-02", c.DOB)
	q := bhyt.Query{MaThe: c.ID, Name: c.Name, DOB: dob}
	f.start(func(ctx context.Context, _ uint64) func() {
		r, err := f.deps.Insurance.Check(ctx, q)
		if ctx.Err() != nil {
			return nil
		}
		if err != nil && r.Class == "" {
			r.Meaning = bhyt.DescribeFailure()
		}
		return func() { f.onInsurance(r, err) }
	})
}

var outcomes = map[bhyt.Class]InsuranceOutcome{
	bhyt.ClassValid: InsuranceValid, bhyt.ClassWarning: InsuranceWarning,
	bhyt.ClassInvalid: InsuranceInvalid, bhyt.ClassUnavailable: InsuranceUnavailable,
}

func (f *Flow) onInsurance(r bhyt.Result, err error) {
	v := f.m.v
	v.ins = &r
	failure := ""
	if err != nil {
		failure = errClass(err)
	}
	f.record(KindInsurance, map[string]any{"code": r.Code, "class": string(r.Class), "next": string(r.Next), "failure": failure}, map[string]string{PersonalID: v.id.Citizen.ID, PersonalCard: r.Card.Effective().MaThe})
	key := "bhyt." + r.Code
	if r.Code == "" {
		key = "bhyt.unavailable"
	}
	card := r.Card.Effective()
	in := Insurance{
		Outcome: outcomes[r.Class], Code: r.Code, Next: NextStep(r.Next),
		Message:   Text{Key: key, VI: r.VI, EN: r.EN},
		ValidFrom: card.ValidFrom(), ValidTo: card.ValidTo(), Facility: pickStr(r.Card.TenDKBDMoi, card.MaDKBD),
	}
	if card.MaThe != "" {
		in.CardMasked = maskID(card.MaThe)
	}
	if in.Outcome == "" {
		in.Outcome = InsuranceUnavailable
	}
	f.m.insurance = in
}

func pickStr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// errClass names an error for records without its text (which may carry
// server data).
func errClass(err error) string {
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		return "timeout"
	case errors.Is(err, bhyt.ErrAuth), errors.Is(err, his.ErrUnauthorized):
		return "auth"
	case errors.Is(err, bhyt.ErrUnavailable), errors.Is(err, his.ErrUnavailable):
		return "unavailable"
	case errors.Is(err, his.ErrRejected):
		return "rejected"
	case errors.Is(err, his.ErrBadResponse):
		return "bad_response"
	case errors.Is(err, bhyt.ErrInvalid), errors.Is(err, his.ErrInvalid):
		return "invalid"
	case errors.Is(err, escpos.ErrPaperEnd):
		return "paper_end"
	}
	return "error"
}

func (f *Flow) insuranceIntent(in Intent) {
	switch in.Kind {
	case IntentRetry:
		f.insuranceStep()
	case IntentContinue:
		f.clinicStep(true)
	case IntentFeePaying:
		f.stopOp()
		if f.m.insurance.Outcome == InsuranceChecking {
			f.m.insurance = Insurance{Outcome: InsuranceNone, Message: msg("insurance.none"), Next: NextFeePaying}
		}
		f.clinicStep(false)
	}
}

// ---- clinic ----

func (f *Flow) clinicStep(insured bool) {
	v := f.m.v
	v.insured = insured
	f.m.clinic = ChooseClinic{Insured: insured, Loading: v.clinics == nil}
	f.refreshClinic()
	f.setScreen(ScreenClinic)
	if v.clinics != nil {
		return
	}
	f.start(func(ctx context.Context, _ uint64) func() {
		sctx, cancel := f.stepCtx(ctx)
		defer cancel()
		list, err := f.deps.HIS.Clinics(sctx)
		if ctx.Err() != nil {
			return nil
		}
		return func() {
			if err != nil || len(list) == 0 {
				f.log.Warn("hospital: clinic list", "err", err)
				f.showError("clinics_unavailable", msg("error.clinics"), msg("error.his_next"), func() { f.clinicStep(insured) }, ScreenInsurance)
				return
			}
			f.m.v.clinics = list
			f.m.clinic.Loading = false
			f.refreshClinic()
		}
	})
}

// refreshClinic recomputes the clinic screen from the visit.
func (f *Flow) refreshClinic() {
	v := f.m.v
	c := &f.m.clinic
	c.Clinics = c.Clinics[:0]
	for _, k := range v.clinics {
		c.Clinics = append(c.Clinics, Clinic{Code: k.Code, Name: k.Name, Room: k.Room, Fee: k.Fee, FeeText: tickets.FormatVND(k.Fee)})
	}
	qs := []Question{QDisability, QMerit}
	if v.id.Citizen.Sex != "Nam" && (v.age < 0 || v.age >= 10 && v.age < 60) {
		qs = append([]Question{QPregnant}, qs...)
	}
	c.Questions = c.Questions[:0]
	for _, q := range qs {
		c.Questions = append(c.Questions, PriorityQuestion{Question: q, Text: msg("question." + string(q)), Yes: v.answers[q]})
	}
	c.Derived = derivedPriority(v.age)
	c.DerivedText = priorityText(c.Derived)
	c.Priority = v.priority()
	c.PriorityText = priorityText(c.Priority)
}

func (f *Flow) clinicIntent(in Intent) {
	v := f.m.v
	switch in.Kind {
	case IntentAnswer:
		switch in.Question {
		case QPregnant, QDisability, QMerit:
			v.answers[in.Question] = in.Yes
		}
		f.refreshClinic()
	case IntentChoose:
		for _, k := range v.clinics {
			if k.Code == in.Clinic {
				f.register(k)
				return
			}
		}
	}
}

// ---- registration and ticket ----

func newKey(device string) string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return device + "-" + hex.EncodeToString(b[:])
}

func (f *Flow) register(k his.Clinic) {
	v := f.m.v
	if v.key == "" || v.clinic.Code != k.Code && v.reg == nil {
		v.key = newKey(f.cfg.DeviceID)
	}
	v.clinic = k
	f.setScreen(ScreenRegistering)
	visit, svc, prio := f.hisVisit(), f.queueFor(k.Code), v.priority()
	reg, qt := v.reg, v.qt
	f.start(func(ctx context.Context, _ uint64) func() {
		sctx, cancel := f.stepCtx(ctx)
		defer cancel()
		if reg == nil {
			r, err := f.deps.HIS.Register(sctx, visit)
			if ctx.Err() != nil {
				return nil
			}
			if err != nil {
				return func() { f.onRegisterFailed(err) }
			}
			reg = &r
		}
		if qt == nil {
			t, err := f.deps.Queue.Issue(sctx, svc, prio)
			if ctx.Err() != nil {
				return nil
			}
			if err != nil {
				return func() { f.m.v.reg = reg; f.onQueueFailed(err) }
			}
			qt = &t
		}
		_, perr := f.deps.Printer.Print(sctx, f.ticketDoc(*reg, *qt, k, prio))
		return func() { f.onTicket(*reg, *qt, perr) }
	})
}

func (f *Flow) queueFor(clinic string) string {
	if s, ok := f.cfg.ClinicQueues[clinic]; ok {
		return s
	}
	return f.cfg.DefaultQueue
}

// hisVisit builds the XML1-style visit from the identity and the BHYT card.
func (f *Flow) hisVisit() his.Visit {
	v := f.m.v
	c := v.id.Citizen
	vis := his.Visit{
		IdempotencyKey: v.key,
		HoTen:          c.Name, SoCCCD: c.ID, DiaChi: c.Residence,
		GioiTinh: his.SexUnknown, LyDoVV: f.cfg.VisitReason,
		NgayVao:   f.now().In(f.cfg.Location).Format(his.DateTimeLayout),
		MaLoaiKCB: his.LoaiKCBKham, MaKhoa: v.clinic.Code,
		UuTien: v.priority().String(), MaThietBi: f.cfg.DeviceID,
	}
	if d, err := time.Parse("2006-01-02", c.DOB); err == nil {
		vis.NgaySinh = d.Format(his.DateLayout)
	}
	switch c.Sex {
	case "Nam":
		vis.GioiTinh = his.SexMale
	case "Nữ":
		vis.GioiTinh = his.SexFemale
	}
	if v.insured && v.ins != nil {
		card := v.ins.Card.Effective()
		vis.MaTheBHYT, vis.MaDKBD = card.MaThe, card.MaDKBD
		if vis.MaTheBHYT == "" {
			vis.MaTheBHYT = c.ID // looked up by CCCD number
		}
		vis.GtTheTu = his.FormatDate(card.ValidFrom(), time.UTC)
		vis.GtTheDen = his.FormatDate(card.ValidTo(), time.UTC)
	}
	return vis
}

func (f *Flow) ticketDoc(reg his.Registration, qt queue.Ticket, k his.Clinic, p queue.Priority) *escpos.Document {
	q := tickets.Queue{
		ID: reg.VisitNumber, Number: qt.ID, Service: k.Name,
		IssuedAt: qt.Issued.In(f.cfg.Location), Ahead: qt.Ahead, Wait: qt.Wait,
	}
	if k.Room != "" {
		q.Service = k.Name + " – " + k.Room
	}
	if q.ID == "" {
		q.ID = qt.ID
	}
	if p != queue.Normal {
		q.Priority = priorityText(p).VI
	}
	return tickets.QueueTicket(f.cfg.Header, q)
}

func (f *Flow) onRegisterFailed(err error) {
	f.log.Warn("hospital: HIS registration failed", "err", err)
	f.record(KindRegistration, map[string]any{"outcome": "his_failed", "failure": errClass(err), "clinic": f.m.v.clinic.Code, "key": f.m.v.key}, f.personal())
	clinic := f.m.v.clinic
	f.showError("his_unavailable", msg("error.his"), msg("error.his_next"), func() { f.register(clinic) }, ScreenClinic)
}

func (f *Flow) onQueueFailed(err error) {
	f.log.Warn("hospital: queue ticket failed", "err", err)
	clinic := f.m.v.clinic
	f.showError("queue_unavailable", msg("error.queue"), msg("error.queue_next"), func() { f.register(clinic) }, "")
}

func (f *Flow) showError(code string, m, next Text, retry func(), back Screen) {
	f.m.err = ErrorInfo{Code: code, Message: m, Next: next}
	f.m.errRetry, f.m.errBack, f.m.errSkip = retry, back, nil
	f.setScreen(ScreenError)
}

func (f *Flow) onTicket(reg his.Registration, qt queue.Ticket, perr error) {
	v := f.m.v
	v.reg, v.qt, v.printed = &reg, &qt, perr == nil
	bill, berr := tariff.HospitalBill(reg.Fees)
	v.bill, v.billOK = bill, berr == nil
	prio := v.priority()
	t := Ticket{
		Number: qt.ID, Clinic: v.clinic.Name, Room: v.clinic.Room, Ahead: qt.Ahead, Wait: qt.Wait,
		VisitNumber: reg.VisitNumber, Printed: perr == nil, PaperOut: errors.Is(perr, escpos.ErrPaperEnd),
		PaymentDue: f.cfg.Prepayment && berr == nil && bill.Total > 0,
	}
	if prio != queue.Normal {
		t.PriorityText = priorityText(prio)
	}
	where := pickStr(v.clinic.Room, v.clinic.Name)
	switch {
	case t.PaperOut:
		t.Message = msgf("ticket.paper_out", qt.ID, where)
	case perr != nil:
		t.Message = msgf("ticket.print_failed", qt.ID, where)
	case t.PaymentDue:
		t.Message = msgf("ticket.pay_due", tickets.FormatVND(int64(bill.Total)))
	default:
		t.Message = msgf("ticket.printed", where)
	}
	if berr != nil && f.cfg.Prepayment {
		f.log.Warn("hospital: HIS fee lines inconsistent; payment at the counter", "err", berr)
		t.Message = Text{Key: t.Message.Key, VI: t.Message.VI + " " + msg("error.fees_next").VI, EN: t.Message.EN + " " + msg("error.fees_next").EN}
	}
	f.record(KindRegistration, map[string]any{
		"outcome": "ok", "visit_number": reg.VisitNumber, "clinic": v.clinic.Code, "ticket": qt.ID,
		"priority": prio.String(), "insured": v.insured, "bhyt_code": insCode(v), "holder": v.holder,
		"printed": perr == nil, "amount": int64(bill.Total), "key": v.key, "for_other": f.m.agent != nil,
		"verdict": string(v.id.Verdict), "method": string(v.id.Method),
	}, f.personal())
	if perr != nil {
		f.record(KindHelp, map[string]any{"screen": string(ScreenTicket), "reason": "printer_" + errClass(perr), "ticket": qt.ID}, nil)
	}
	f.m.ticket = t
	f.setScreen(ScreenTicket)
}

func insCode(v *visit) string {
	if v.ins == nil {
		return ""
	}
	return v.ins.Code
}

// ---- payment ----

func (f *Flow) paymentStep() {
	v := f.m.v
	lines := make([]FeeLine, 0, len(v.reg.Fees))
	for _, l := range v.reg.Fees {
		lines = append(lines, FeeLine{Name: l.Name, Quantity: l.Quantity, Amount: int64(l.PatientPays), AmountText: tickets.FormatVND(int64(l.PatientPays))})
	}
	total := int64(v.bill.Total)
	f.m.payment = Payment{Phase: PaymentCreating, Amount: total, AmountText: tickets.FormatVND(total), Lines: lines, Message: msg("payment.creating")}
	f.setScreen(ScreenPayment)
	purpose := "Vien phi " + v.reg.VisitNumber
	f.start(func(ctx context.Context, _ uint64) func() {
		sctx, cancel := f.stepCtx(ctx)
		defer cancel()
		info, err := f.deps.Payments.Create(sctx, total, purpose)
		if err == nil {
			created := info
			if info, err = f.deps.Payments.Shown(sctx, created.Ref); err != nil {
				info = created // cancel what was created
			}
		}
		if ctx.Err() != nil {
			if info.Ref != "" {
				f.cancelRef(info.Ref, "abandoned")
			}
			return nil
		}
		return func() { f.onPaymentShown(info, err) }
	})
}

func (f *Flow) onPaymentShown(info session.Info, err error) {
	v := f.m.v
	if err != nil {
		f.log.Warn("hospital: payment session", "err", err)
		if info.Ref != "" {
			v.pay = info
			f.cancelPayment("create_failed")
		}
		f.showError("payment_unavailable", msg("error.payment"), msg("error.payment_next"), f.paymentStep, "")
		f.m.errSkip = func() { f.finish(true) }
		return
	}
	v.pay = info
	p := &f.m.payment
	p.Phase, p.Payload, p.Ref, p.Deadline = PaymentWaiting, info.Payload, info.Ref, info.Deadline
	if p.Deadline.IsZero() {
		p.Deadline = f.now().Add(10 * time.Minute)
	}
	p.Remaining = info.Deadline.Sub(f.now()).Truncate(time.Second)
	p.Message = msgf("payment.waiting", p.AmountText)
	f.touch()
	f.m.tickC = f.deps.Clock.After(time.Second)
	ref := info.Ref
	f.start(func(ctx context.Context, _ uint64) func() {
		res, err := f.deps.Payments.Await(ctx, ref)
		if ctx.Err() != nil {
			return nil
		}
		return func() { f.onPaymentDone(res, err) }
	})
}

func (f *Flow) onPaymentDone(info session.Info, err error) {
	v := f.m.v
	v.pay = info
	f.record(KindPayment, map[string]any{"ref": info.Ref, "state": string(info.State), "amount": info.Amount, "visit_number": v.reg.VisitNumber, "txn_id": info.TxnID}, nil)
	p := &f.m.payment
	switch info.State {
	case session.Paid:
		f.m.receipt = Receipt{Ref: info.Ref, TxnID: info.TxnID, Amount: info.Amount, AmountText: tickets.FormatVND(info.Amount), PaidAt: f.now(), Message: msg("receipt.message")}
		f.setScreen(ScreenReceipt)
	case session.Expired:
		p.Phase, p.Message, p.Remaining = PaymentExpired, msg("payment.expired"), 0
		f.touch()
	case session.Cancelled:
		f.finish(true)
	default:
		if err != nil {
			f.log.Warn("hospital: payment wait", "err", err)
		}
		p.Phase, p.Message = PaymentFailed, msg("payment.failed")
		f.touch()
	}
}

func (f *Flow) paymentIntent(in Intent) {
	switch in.Kind {
	case IntentRetry:
		f.paymentStep()
	case IntentSkip:
		f.stopOp()
		if !f.m.v.pay.State.Terminal() && f.m.v.pay.Ref != "" {
			f.cancelPayment("pay_at_counter")
		}
		f.finish(true)
	}
}

// cancelPayment cancels the open session and records it.
func (f *Flow) cancelPayment(reason string) {
	v := f.m.v
	f.cancelRef(v.pay.Ref, reason)
	f.record(KindPayment, map[string]any{"ref": v.pay.Ref, "state": string(session.Cancelled), "reason": reason, "amount": v.pay.Amount}, nil)
	v.pay.State = session.Cancelled
}

func (f *Flow) cancelRef(ref, reason string) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(f.runCtx), 5*time.Second)
	defer cancel()
	if _, err := f.deps.Payments.Cancel(ctx, ref, reason); err != nil {
		f.log.Warn("hospital: cancel payment", "ref", ref, "err", err)
	}
}

// ---- records ----

// personal returns the sealed fields of the current patient (and agent).
func (f *Flow) personal() map[string]string {
	p := map[string]string{}
	if v := f.m.v; v != nil {
		c := v.id.Citizen
		p[PersonalName], p[PersonalID], p[PersonalDOB] = c.Name, c.ID, c.DOB
		if c.Residence != "" {
			p[PersonalAddress] = c.Residence
		}
	}
	if a := f.m.agent; a != nil {
		p[PersonalAgentID] = a.Citizen.ID
	}
	return p
}

// record writes a durable record; a failure is logged (the patient is not
// blocked by a full store; firmware/kiosk's store health check reports it).
func (f *Flow) record(kind string, payload map[string]any, personal map[string]string) {
	payload["device_id"] = f.cfg.DeviceID
	ctx, cancel := context.WithTimeout(context.WithoutCancel(f.runCtx), 5*time.Second)
	defer cancel()
	for k, v := range personal {
		if v == "" {
			delete(personal, k)
		}
	}
	if len(personal) == 0 {
		personal = nil
	}
	if err := f.deps.Recorder.Record(ctx, Record{Kind: kind, At: f.now(), Payload: payload, Personal: personal}); err != nil {
		f.log.Error("hospital: record not stored", "kind", kind, "err", err)
	}
}

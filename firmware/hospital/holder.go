package hospital

import (
	"context"
	"errors"

	"github.com/kiosk06/kiosk/firmware/identity"
	"github.com/kiosk06/kiosk/firmware/records"
)

// The holder check: fingerprint 1:1, or the enrolment consent offer.

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
	f.m.holder = HolderCheck{Phase: HolderVerifying, Message: msg("holder.checking"), AttemptsLeft: v.attempts}
	f.setScreen(ScreenHolder)
	id := v.id.Citizen.ID
	f.start(func(ctx context.Context, gen uint64) func() {
		// Ask the right question first: a patient with no binding is
		// offered enrolment, never told to place an enrolled finger.
		enrolled, err := f.deps.Holder.Enrolled(ctx, id)
		if ctx.Err() != nil {
			return nil
		}
		if err == nil && !enrolled {
			return func() { f.onVerified(identity.ErrNotEnrolled) }
		}
		f.post(gen, func() {
			f.m.holder = HolderCheck{Phase: HolderVerifying, Finger: FingerPlace, Message: msg("holder.place"), AttemptsLeft: f.m.v.attempts}
		})
		_, err = f.deps.Holder.Verify(ctx, id)
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
		if !f.record(&records.HospitalHolder{Outcome: "mismatch", AttemptsLeft: new(v.attempts)}, records.Personal{PersonalID: v.id.Citizen.ID}) {
			f.stop()
			return
		}
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
	if !f.record(&records.HospitalHolder{Outcome: outcome}, records.Personal{PersonalID: f.m.v.id.Citizen.ID}) {
		f.stop()
		return
	}
	f.insuranceStep()
}

func (f *Flow) holderIntent(in Intent) {
	switch {
	case in.Kind == IntentRetry && f.m.holder.Phase == HolderEnrolFailed:
		f.enrol()
	case in.Kind == IntentSkip:
		f.holderDone("enrol_failed")
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
			case identity.NoFinger(err):
				// Say what happened: the patient may try again or go on.
				f.m.holder = HolderCheck{Phase: HolderEnrolFailed, Message: msg("holder.enrol_timeout")}
				f.touch()
			case err != nil:
				f.log.Warn("hospital: enrolment failed", "err", err)
				f.holderDone("enrol_failed")
			default:
				f.holderDone("enrolled")
			}
		}
	})
}

// eraseFingerprint deletes the patient's fingerprint binding and template
// (the erasure the consent text promises), then confirms it; the patient
// may go on registering.
func (f *Flow) eraseFingerprint() {
	f.m.holder = HolderCheck{Phase: HolderErasing, Message: msg("holder.erasing")}
	f.setScreen(ScreenHolder)
	id := f.m.v.id.Citizen.ID
	f.start(func(ctx context.Context, _ uint64) func() {
		err := f.deps.Holder.Delete(ctx, id)
		if ctx.Err() != nil {
			return nil
		}
		return func() { f.onErased(err) }
	})
}

func (f *Flow) onErased(err error) {
	outcome, h := "erased", HolderCheck{Phase: HolderErased, Message: msg("holder.erased")}
	switch {
	case errors.Is(err, identity.ErrNotEnrolled):
		outcome, h.Message = "erase_none", msg("holder.erase_none")
	case err != nil:
		f.log.Warn("hospital: fingerprint erasure failed", "err", err)
		outcome, h = "erase_failed", HolderCheck{Phase: HolderEraseFailed, Message: msg("holder.erase_failed")}
	}
	if !f.record(&records.HospitalHolder{Outcome: outcome}, records.Personal{PersonalID: f.m.v.id.Citizen.ID}) {
		f.stop()
		return
	}
	f.m.v.holder = outcome
	f.m.holder = h
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

func (f *Flow) holderActions() []Action {
	tail := []Action{act(IntentBack, "back", false), act(IntentCallStaff, "call_staff", false), act(IntentCancel, "cancel", false)}
	switch f.m.holder.Phase {
	case HolderOffer:
		// Saying no is as easy as saying yes: both stay choices.
		return []Action{
			{Kind: IntentConsent, Yes: true, Label: msg("action.consent_yes"), Primary: true},
			{Kind: IntentConsent, Yes: false, Label: msg("action.consent_no")},
			act(IntentCallStaff, "call_staff", false), act(IntentBack, "back", false), act(IntentCancel, "cancel", false),
		}
	case HolderMismatch:
		if f.m.holder.AttemptsLeft > 0 {
			return append([]Action{act(IntentRetry, "retry", true)}, tail...)
		}
		return []Action{act(IntentCallStaff, "call_staff", true), act(IntentCancel, "cancel", false)}
	case HolderEnrolFailed:
		return []Action{act(IntentRetry, "retry", true), act(IntentSkip, "skip", false),
			act(IntentCallStaff, "call_staff", false), act(IntentBack, "back", false), act(IntentCancel, "cancel", false)}
	case HolderErased:
		return append([]Action{act(IntentContinue, "continue", true)}, tail...)
	case HolderEraseFailed:
		return []Action{act(IntentCallStaff, "call_staff", true), act(IntentContinue, "continue", false), act(IntentCancel, "cancel", false)}
	case HolderErasing:
		return []Action{act(IntentCallStaff, "call_staff", false)}
	case HolderMatched, HolderEnrolled:
		return append([]Action{act(IntentContinue, "continue", true)}, tail...)
	}
	return tail
}

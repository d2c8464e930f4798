package hospital

import (
	"context"
	"time"

	"github.com/kiosk06/kiosk/firmware/bhyt"
	"github.com/kiosk06/kiosk/firmware/records"
)

// The health-insurance (BHYT) check.

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
	if !f.record(&records.HospitalInsurance{Code: r.Code, Class: string(r.Class), Next: string(r.Next), Failure: failure}, records.Personal{PersonalID: v.id.Citizen.ID, PersonalCard: r.Card.Effective().MaThe}) {
		f.stop()
		return
	}
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
	if in.Outcome == InsuranceUnavailable {
		in.Next = NextPending
	}
	f.m.insurance = in
}

func (f *Flow) insuranceIntent(in Intent) {
	switch in.Kind {
	case IntentRetry:
		f.insuranceStep()
	case IntentContinue:
		f.m.v.pending = f.m.insurance.Outcome == InsuranceUnavailable
		f.clinicStep(true)
	case IntentFeePaying:
		f.stopOp()
		f.m.v.pending = false
		if f.m.insurance.Outcome == InsuranceChecking {
			f.m.insurance = Insurance{Outcome: InsuranceNone, Message: msg("insurance.none"), Next: NextFeePaying}
		}
		f.clinicStep(false)
	}
}

func (f *Flow) insuranceActions() []Action {
	in := f.m.insurance
	staff := act(IntentCallStaff, "call_staff", false)
	fee := act(IntentFeePaying, "fee_paying", false)
	back, cancel := act(IntentBack, "back", false), act(IntentCancel, "cancel", false)
	switch in.Outcome {
	case InsuranceChecking:
		return []Action{fee, staff, cancel}
	case InsuranceValid:
		return []Action{act(IntentContinue, "continue", true), back, staff, cancel}
	case InsuranceWarning:
		if in.Next == NextCallStaff {
			staff.Primary = true
			return []Action{staff, act(IntentContinue, "continue", false), back, fee, cancel}
		}
		return []Action{act(IntentContinue, "continue", true), staff, back, cancel}
	case InsuranceUnavailable:
		// The lookup failed, not the card (about 16 % of real lookups):
		// register with BHYT, staff confirming the card at the counter;
		// paying in full is the second choice.
		return []Action{act(IntentContinue, "insured_pending", true), fee, staff, act(IntentRetry, "retry", false), back, cancel}
	}
	// Invalid: fee-paying or staff, whichever the code recommends first.
	if in.Next == NextCallStaff {
		staff.Primary = true
		return []Action{staff, fee, back, cancel}
	}
	fee.Primary = true
	return []Action{fee, staff, back, cancel}
}

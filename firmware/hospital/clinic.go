package hospital

import (
	"context"

	"github.com/kiosk06/kiosk/firmware/his"
	"github.com/kiosk06/kiosk/firmware/tickets"
	"github.com/kiosk06/kiosk/payments/tariff"
)

// The clinic choice and the priority questions.

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

// priced is a clinic with what the patient pays: its fee less the share
// health insurance pays at percent (0: not known, the full fee).
func priced(k his.Clinic, percent int) Clinic {
	ins, pat := tariff.CoPay(tariff.VND(k.Fee), percent)
	c := Clinic{Code: k.Code, Name: k.Name, Room: k.Room, Fee: int64(pat), FeeText: tickets.FormatVND(int64(pat)),
		FullFee: k.Fee, InsurancePays: int64(ins)}
	switch {
	case k.Fee <= 0:
	case ins > 0:
		c.PriceText = msgf("clinic.price_insured", c.FeeText, tickets.FormatVND(c.InsurancePays))
	default:
		c.PriceText = msgf("clinic.price", c.FeeText)
	}
	return c
}

// refreshClinic recomputes the clinic screen from the visit.
func (f *Flow) refreshClinic() {
	v := f.m.v
	c := &f.m.clinic
	c.Clinics = c.Clinics[:0]
	c.BenefitPercent, c.InsurancePending = 0, v.pending
	if v.insured {
		c.BenefitPercent = v.benefitPercent()
	}
	for _, k := range v.clinics {
		p := priced(k, c.BenefitPercent)
		if v.pending && k.Fee > 0 {
			p.PriceText = msgf("clinic.price_pending", p.FeeText)
		}
		c.Clinics = append(c.Clinics, p)
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

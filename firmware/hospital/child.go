package hospital

import (
	"unicode/utf8"

	"github.com/kiosk06/kiosk/drivers/cccd"
	"github.com/kiosk06/kiosk/firmware/identity"
	"github.com/kiosk06/kiosk/firmware/records"
)

// A child without a card, registered by a parent (làm hộ): the parent's
// card is read first (it must be genuine), then the child's personal ID
// number, birth date and name are typed and checked against each other
// (identity.ParsePersonalID). Both identities are recorded
// (records.HospitalChild: the child as the patient, the parent as the
// agent). The typed details live only in the visit, like a card's.

// ChildMaxAge: from this age a child registers with their own card (the
// card is compulsory from 14, 2023 Law on Identification Art. 19).
const ChildMaxAge = 14

// maxNameLen bounds a typed name (runes).
const maxNameLen = 100

// forChild starts registering a child: the person whose card was read
// becomes the agent; no card is read while the details are typed.
func (f *Flow) forChild() {
	if f.m.agent == nil && f.m.v != nil {
		a := f.m.v.id
		f.m.agent = &a
	}
	f.stopOp()
	f.m.v = nil
	f.m.identify = Identify{Step: identity.EventWaiting, NeedChild: true, Message: msg("identify.child")}
	f.setScreen(ScreenIdentify)
}

// enterChild checks a child's typed details and goes on as after a card
// read (the holder check is skipped for someone registered by an agent).
// A refused entry is said in words, never echoed.
func (f *Flow) enterChild(in Intent) {
	d, sex, err := identity.ParsePersonalID(in.Digits, in.BirthDate, f.now(), f.cfg.Location)
	name := in.Name
	age := -1
	if err == nil {
		age = ageOn(d.Format("2006-01-02"), f.now(), f.cfg.Location)
	}
	switch {
	case err != nil: // identity.ErrIDNumber, ErrBirthDate or ErrIDMismatch
		f.m.identify.ChildError = msg("identify.child_invalid")
		return
	case age < 0 || age >= ChildMaxAge:
		f.m.identify.ChildError = msg("identify.child_age")
		return
	case name == "" || !utf8.ValidString(name) || utf8.RuneCountInString(name) > maxNameLen:
		f.m.identify.ChildError = msg("identify.child_name")
		return
	case f.m.agent != nil && in.Digits == f.m.agent.Citizen.ID:
		f.m.identify.ChildError = msg("identify.child_same")
		return
	}
	id := identity.Identity{Citizen: cccd.Citizen{ID: in.Digits, Name: name, DOB: d.Format("2006-01-02"), Sex: sex},
		Verdict: identity.Unverified, Reason: identity.ReasonTyped, Method: identity.MethodTyped}
	f.m.v = &visit{id: id, age: age, attempts: f.cfg.HolderAttempts, answers: map[Question]bool{}}
	a := f.m.agent
	p := f.personal()
	p[records.PersonalAgentName] = a.Citizen.Name
	if !f.record(&records.HospitalChild{AgentVerdict: string(a.Verdict), AgentMethod: string(a.Method), Age: age}, p) ||
		!f.record(&records.HospitalIdentify{Verdict: string(id.Verdict), Method: string(id.Method), Reason: string(id.Reason), ForOther: true}, f.personal()) {
		f.stop()
		return
	}
	f.m.identify = Identify{}
	f.holderStep()
}

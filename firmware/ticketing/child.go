package ticketing

import (
	"errors"
	"time"

	"github.com/kiosk06/kiosk/firmware/identity"
	"github.com/kiosk06/kiosk/firmware/records"
)

// A child without a card is added by the personal ID number (số định danh
// cá nhân) every Vietnamese child has from birth registration, and the
// birth date, checked against each other by identity.ParsePersonalID, so a
// typo in the number or the date is caught on the kiosk, and the sex is
// known without asking.

// Errors of a typed child ID (identity's, and the age limit).
var (
	errChildID  = identity.ErrIDNumber
	errChildDOB = identity.ErrBirthDate
	errChildMix = identity.ErrIDMismatch
	errChildAge = errors.New("ticketing: too old to travel without a card")
)

// parseChild checks a typed ID number and birth date (DDMMYYYY) and
// returns the date of birth and the sex the number encodes.
func parseChild(id, dob string, now time.Time, loc *time.Location, maxAge int) (time.Time, string, error) {
	d, sex, err := identity.ParsePersonalID(id, dob, now, loc)
	if err != nil {
		return time.Time{}, "", err
	}
	if a := ageOn(d, now, loc); a < 0 || a >= maxAge {
		return time.Time{}, "", errChildAge
	}
	return d, sex, nil
}

// addChild adds a child typed on the keypad. The digits live only in the
// traveller they make; a mistake is said in words, never echoed.
func (f *Flow) addChild(id, dob string) {
	p := f.m.p
	if len(p.travs) >= f.maxTravellers() {
		f.setScreen(ScreenPassengers)
		return
	}
	d, sex, err := parseChild(id, dob, f.now(), f.cfg.Location, f.cfg.ChildMaxAge)
	if err != nil {
		key := map[error]string{errChildID: "child.bad_id", errChildDOB: "child.bad_dob", errChildAge: "child.too_old"}[err]
		if key == "" {
			key = "child.mismatch"
		}
		f.m.childErr = msg(key)
		if key == "child.too_old" {
			f.m.childErr = msgf(key, f.cfg.ChildMaxAge)
		}
		return
	}
	tok := f.deps.Tokens.ID(id)
	if p.has(tok) {
		f.m.childErr = msg("passengers.already")
		return
	}
	if !f.record(&records.TicketingIdentify{Role: RolePassenger, Verdict: string(identity.Unverified), Method: "typed", Reason: "child_id", Token: tok.String()}, nil) {
		f.stop()
		return
	}
	p.travs = append(p.travs, &person{kind: KindChild, idNumber: id, dob: d, sex: sex, token: tok, verdict: identity.Unverified})
	f.m.childErr, f.m.passNote = Text{}, Text{}
	f.setScreen(ScreenPassengers)
}

package ticketing

import (
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/kiosk06/kiosk/firmware/identity"
	"github.com/kiosk06/kiosk/firmware/records"
)

// A child without a card is added by the personal ID number (số định danh
// cá nhân) every Vietnamese child has from birth registration, and the
// birth date. The number's structure is checked against the date before
// anything else: Thông tư 07/2016/TT-BCA Art. 7 (kept by Thông tư
// 59/2021/TT-BCA) lays it out as
//
//	digits 1–3   the province code of birth registration (001–096)
//	digit  4     century and sex: 0/1 born 1900–1999 male/female,
//	             2/3 2000–2099, 4/5 2100–2199, 6/7 2200–2299, 8/9 2300–2399
//	digits 5–6   the last two digits of the year of birth
//	digits 7–12  a random number
//
// so a typo in the number or the date is caught on the kiosk, and the
// sex is known without asking.

// Errors of a typed child ID.
var (
	errChildID  = errors.New("ticketing: not a 12-digit personal ID number")
	errChildDOB = errors.New("ticketing: not a birth date DDMMYYYY")
	errChildMix = errors.New("ticketing: the ID number does not match the birth date")
	errChildAge = errors.New("ticketing: too old to travel without a card")
)

// parseChild checks a typed ID number and birth date (DDMMYYYY) and
// returns the date of birth and the sex the number encodes.
func parseChild(id, dob string, now time.Time, loc *time.Location, maxAge int) (time.Time, string, error) {
	if !digits(id, 12) {
		return time.Time{}, "", errChildID
	}
	if !digits(dob, 8) {
		return time.Time{}, "", errChildDOB
	}
	d, err := time.ParseInLocation("02012006", dob, loc)
	if err != nil || d.After(now) {
		return time.Time{}, "", errChildDOB
	}
	if prov, _ := strconv.Atoi(id[:3]); prov < 1 || prov > 96 {
		return time.Time{}, "", fmt.Errorf("%w: province code %s", errChildMix, id[:3])
	}
	code := int(id[3] - '0')
	century := 1900 + 100*(code/2)
	year := century + int(id[4]-'0')*10 + int(id[5]-'0')
	if year != d.Year() {
		return time.Time{}, "", errChildMix
	}
	if a := ageOn(d, now, loc); a < 0 || a >= maxAge {
		return time.Time{}, "", errChildAge
	}
	sex := "Nam"
	if code%2 == 1 {
		sex = "Nữ"
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

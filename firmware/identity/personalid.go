package identity

import (
	"errors"
	"fmt"
	"strconv"
	"time"
)

// A person without a card (a child) is identified by the personal ID
// number (số định danh cá nhân) every Vietnamese citizen has from birth
// registration, and the birth date, typed by whoever acts for them. The
// number's structure is checked against the date: Thông tư 07/2016/TT-BCA
// Art. 7 (kept by Thông tư 59/2021/TT-BCA) lays it out as
//
//	digits 1–3   the province code of birth registration (001–096)
//	digit  4     century and sex: 0/1 born 1900–1999 male/female,
//	             2/3 2000–2099, 4/5 2100–2199, 6/7 2200–2299, 8/9 2300–2399
//	digits 5–6   the last two digits of the year of birth
//	digits 7–12  a random number
//
// so a typo in the number or the date is caught at once, and the sex is
// known without asking. Nothing proves a typed number belongs to anyone.

// Errors of a typed personal ID number and birth date.
var (
	ErrIDNumber   = errors.New("identity: not a 12-digit personal ID number")
	ErrBirthDate  = errors.New("identity: not a birth date DDMMYYYY")
	ErrIDMismatch = errors.New("identity: the ID number does not match the birth date")
)

// ParsePersonalID checks a typed 12-digit personal ID number against a
// birth date typed DDMMYYYY (in loc, not after now) and returns the date
// of birth and the sex the number encodes ("Nam" or "Nữ").
func ParsePersonalID(id, dob string, now time.Time, loc *time.Location) (time.Time, string, error) {
	if !allDigits(id, 12) {
		return time.Time{}, "", ErrIDNumber
	}
	if !allDigits(dob, 8) {
		return time.Time{}, "", ErrBirthDate
	}
	d, err := time.ParseInLocation("02012006", dob, loc)
	if err != nil || d.After(now) {
		return time.Time{}, "", ErrBirthDate
	}
	if prov, _ := strconv.Atoi(id[:3]); prov < 1 || prov > 96 {
		return time.Time{}, "", fmt.Errorf("%w: province code %s", ErrIDMismatch, id[:3])
	}
	code := int(id[3] - '0')
	century := 1900 + 100*(code/2)
	year := century + int(id[4]-'0')*10 + int(id[5]-'0')
	if year != d.Year() {
		return time.Time{}, "", ErrIDMismatch
	}
	sex := "Nam"
	if code%2 == 1 {
		sex = "Nữ"
	}
	return d, sex, nil
}

func allDigits(s string, n int) bool {
	if len(s) != n {
		return false
	}
	for i := range len(s) {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

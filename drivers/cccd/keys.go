package cccd

import (
	"fmt"
	"time"
)

// law2023Effective is the day the 2023 Law on Identification (Luật Căn cước
// 26/2023/QH15) took effect: cards issued from then change at 14, 25, 40
// and 60; earlier cards follow the 2014 law (25, 40, 60).
var law2023Effective = time.Date(2024, time.July, 1, 0, 0, 0, 0, time.UTC)

// Card-change ages (Luật Căn cước công dân 2014 Art. 21; Luật Căn cước 2023
// Art. 21).
var (
	milestones2014 = []int{25, 40, 60}
	milestones2023 = []int{14, 25, 40, 60}
)

// graceYears: a card issued within this many years before a change age
// stays valid to the next change age (same articles, clause 2).
const graceYears = 2

// boundarySlack: issue dates this close to a rule boundary also get the
// other outcome as a lower-ranked BAC candidate (the law does not say
// whether "within 2 years" is inclusive, and issuing offices differ).
const boundarySlack = 31 * 24 * time.Hour

// NoExpiryMRZ are the MRZ expiry fields tried for a card printed "Không
// thời hạn" (no expiry). What the CCCD prints there is not public: fillers
// are what ICAO 9303-3 §4.9 and other issuers (e.g. Moldova's TD1) use;
// 991231 is the other common convention. Both are tried, fillers first.
var NoExpiryMRZ = []string{"<<<<<<", "991231"}

// BACKey is one Basic Access Control key candidate (ICAO 9303-11 §4.3):
// document number and dates as the MRZ prints them (YYMMDD).
type BACKey struct {
	Doc string `json:"doc"`
	DOB string `json:"dob"`
	Exp string `json:"exp"`
}

// CAN returns the PACE Card Access Number of a CCCD: the last 6 digits of
// the 12-digit ID (design §4).
func CAN(id string) (string, error) {
	if !isDigits(id, 12) {
		return "", fmt.Errorf("%w: want 12 digits", ErrBadID)
	}
	return id[6:], nil
}

// CANLen is the length of a CCCD's CAN.
const CANLen = 6

// ValidCAN reports whether s can be a CCCD's CAN: exactly 6 ASCII digits
// (as typed on a keypad; no spaces, signs or other scripts' digits).
func ValidCAN(s string) bool { return isDigits(s, CANLen) }

// CardExpiry returns the expiry a card issued on issue to a citizen born
// on dob carries by law; ok=false means the card has no expiry (issued at
// 58 or later). The law is chosen by the issue date.
func CardExpiry(dob, issue time.Time) (expiry time.Time, ok bool) {
	return expiryUnder(lawFor(issue), dob, issue)
}

func lawFor(issue time.Time) []int {
	if issue.Before(law2023Effective) {
		return milestones2014
	}
	return milestones2023
}

// expiryUnder applies the milestone rule: the first change age whose grace
// window (2 years before it, first day included) has not begun at issue.
func expiryUnder(ms []int, dob, issue time.Time) (time.Time, bool) {
	for _, m := range ms {
		if issue.Before(birthday(dob, m-graceYears)) {
			return birthday(dob, m), true
		}
	}
	return time.Time{}, false
}

// birthday returns the date dob+years; 29 February becomes 28 February in a
// common year.
func birthday(dob time.Time, years int) time.Time {
	y := dob.Year() + years
	t, ok := date(y, int(dob.Month()), dob.Day())
	if !ok {
		t, _ = date(y, 2, 28)
	}
	return t
}

// BACCandidates returns BAC keys for a CCCD from the QR's ID, birth and
// issue dates, most likely first: the expiry by the law in force at issue;
// then the other outcome when the issue date lies within a month of a rule
// boundary (grace window start, 58th birthday, the 2023 law's effective
// date); then 29 February variants; for a card without expiry, each of
// NoExpiryMRZ. The list has no duplicates.
func BACCandidates(id string, dob, issue time.Time) ([]BACKey, error) {
	if !isDigits(id, 12) {
		return nil, fmt.Errorf("%w: want 12 digits", ErrBadID)
	}
	doc, dobS := id[3:], dob.Format("060102")
	var out []BACKey
	seen := map[string]bool{}
	add := func(exp string) {
		if !seen[exp] {
			seen[exp] = true
			out = append(out, BACKey{Doc: doc, DOB: dobS, Exp: exp})
		}
	}
	addExpiry := func(t time.Time, ok bool) {
		if !ok {
			for _, e := range NoExpiryMRZ {
				add(e)
			}
			return
		}
		add(t.Format("060102"))
	}
	addExpiry(expiryUnder(lawFor(issue), dob, issue))
	for _, shifted := range []time.Time{issue.Add(-boundarySlack), issue.Add(boundarySlack)} {
		addExpiry(expiryUnder(lawFor(issue), dob, shifted))
		addExpiry(expiryUnder(lawFor(shifted), dob, issue))
	}
	if dob.Month() == time.February && dob.Day() == 29 {
		out = leapVariants(out)
	}
	return out, nil
}

// leapVariants adds, after the candidates, the 29 February and 1 March
// spellings of every expiry that fell on 28 February of a common year.
func leapVariants(keys []BACKey) []BACKey {
	out := append([]BACKey(nil), keys...)
	for _, k := range keys {
		if len(k.Exp) == 6 && k.Exp[2:] == "0228" {
			out = append(out, BACKey{k.Doc, k.DOB, k.Exp[:2] + "0229"}, BACKey{k.Doc, k.DOB, k.Exp[:2] + "0301"})
		}
	}
	return out
}

package onestop

import (
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/kiosk06/kiosk/drivers/cccd"
	"github.com/kiosk06/kiosk/firmware/onestop/backend"
	"github.com/kiosk06/kiosk/firmware/onestop/catalog"
)

// person is a signed-in citizen as the flow keeps them (personal data:
// wiped at sign-out and idle).
type person struct {
	p       backend.Person // the values, and Verified
	method  string         // chip+qr, chip+can, qr, app_online, app_signed
	verdict string         // identity.Verdict, or "verified" for an app QR
	card    map[catalog.CardField]string
}

// fromCitizen is the person a card read gave.
func fromCitizen(c cccd.Citizen, method, verdict, verified string) *person {
	card := map[catalog.CardField]string{
		catalog.CardName: c.Name, catalog.CardID: c.ID, catalog.CardOldID: c.OldID, catalog.CardDOB: c.DOB, catalog.CardSex: c.Sex,
		catalog.CardNationality: c.Nationality, catalog.CardEthnicity: c.Ethnicity, catalog.CardReligion: c.Religion,
		catalog.CardHometown: c.Hometown, catalog.CardResidence: c.Residence, catalog.CardIssueDate: c.IssueDate,
		catalog.CardFather: c.Father, catalog.CardMother: c.Mother, catalog.CardSpouse: c.Spouse,
	}
	p := backend.Person{IDNumber: c.ID, Name: c.Name, DOB: c.DOB, Sex: c.Sex, Nationality: c.Nationality, Ethnicity: c.Ethnicity,
		Religion: c.Religion, Hometown: c.Hometown, Residence: c.Residence, IssueDate: c.IssueDate, Verified: verified}
	return &person{p: p, method: method, verdict: verdict, card: card}
}

// fromPerson is the person a provincial app's QR gave (the population
// database's values through the one-stop system, or the signed QR's).
func fromPerson(p backend.Person, method string) *person {
	card := map[catalog.CardField]string{
		catalog.CardName: p.Name, catalog.CardID: p.IDNumber, catalog.CardDOB: p.DOB, catalog.CardSex: p.Sex,
		catalog.CardNationality: p.Nationality, catalog.CardEthnicity: p.Ethnicity, catalog.CardReligion: p.Religion,
		catalog.CardHometown: p.Hometown, catalog.CardResidence: p.Residence, catalog.CardIssueDate: p.IssueDate,
	}
	return &person{p: p, method: method, verdict: "verified", card: card}
}

// MaskID shows the first 4 and last 2 digits of an ID number.
func MaskID(id string) string {
	if len(id) < 8 {
		return strings.Repeat("•", len(id))
	}
	return id[:4] + strings.Repeat("•", len(id)-6) + id[len(id)-2:]
}

// field is one field being filled.
type field struct {
	catalog.Field
	fromCard bool
	value    string
	err      string // message key of the last check ("" valid)
	noCard   bool   // a card field the card did not carry: asked
}

// newForm fills a procedure's form for p: every card field the card
// carries is filled and locked; a card field it does not carry becomes a
// field to type (noted).
func newForm(proc catalog.Procedure, p *person) []field {
	out := make([]field, 0, len(proc.Fields))
	for _, f := range proc.Fields {
		x := field{Field: f}
		if f.Source == catalog.SourceCard {
			if v := strings.TrimSpace(p.card[f.Card]); v != "" {
				x.fromCard, x.value = true, v
			} else {
				x.noCard = true
			}
		}
		out = append(out, x)
	}
	return out
}

// set types v into the field key; a card field is locked (false).
func setField(fs []field, key, v string) bool {
	i := slices.IndexFunc(fs, func(f field) bool { return f.Key == key })
	if i < 0 || fs[i].fromCard {
		return false
	}
	v = clean(v)
	if n := fs[i].MaxLen(); utf8.RuneCountInString(v) > n {
		v = string([]rune(v)[:n])
	}
	fs[i].value, fs[i].err = v, ""
	return true
}

// clean drops control characters and collapses spaces.
func clean(s string) string {
	s = strings.Map(func(r rune) rune {
		if r == utf8.RuneError || unicode.IsControl(r) {
			return ' '
		}
		return r
	}, s)
	return strings.Join(strings.Fields(s), " ")
}

var (
	// Vietnamese phone numbers: 10 digits starting 0 (mobile 03/05/07/08/09,
	// landline 02), or +84 for the 0.
	phoneRE = regexp.MustCompile(`^(0|\+84)[2-9][0-9]{8}$`)
	digits  = regexp.MustCompile(`^[0-9]+$`)
)

// check validates every typed field; it returns how many are wrong.
func check(fs []field) int {
	n := 0
	for i := range fs {
		f := &fs[i]
		f.err = ""
		if f.fromCard {
			continue
		}
		v := f.value
		switch {
		case v == "" && f.Required:
			f.err = "form.required"
		case v == "":
		case f.Kind == catalog.KindPhone && !phoneRE.MatchString(strings.ReplaceAll(v, " ", "")):
			f.err = "form.phone"
		case f.Kind == catalog.KindNumber && !digits.MatchString(v):
			f.err = "form.number"
		case f.Kind == catalog.KindDate && !validDate(v):
			f.err = "form.date"
		case f.Kind == catalog.KindChoice && !slices.Contains(f.Options, v):
			f.err = "form.choice"
		}
		if f.err != "" {
			n++
		}
	}
	return n
}

func validDate(s string) bool {
	_, err := time.Parse("02/01/2006", s)
	return err == nil
}

// values returns the form's values and each one's source.
func values(fs []field) (map[string]string, map[string]string) {
	v, src := map[string]string{}, map[string]string{}
	for _, f := range fs {
		if f.value == "" {
			continue
		}
		v[f.Key] = f.value
		src[f.Key] = "citizen"
		if f.fromCard {
			src[f.Key] = "card"
		}
	}
	return v, src
}

// counts returns how many fields the card filled and how many were typed.
func counts(fs []field) (card, typed int) {
	for _, f := range fs {
		switch {
		case f.fromCard:
			card++
		case f.value != "":
			typed++
		}
	}
	return card, typed
}

// phone is the first phone number typed (sealed with the dossier).
func phone(fs []field) string {
	for _, f := range fs {
		if f.Kind == catalog.KindPhone && f.value != "" {
			return f.value
		}
	}
	return ""
}

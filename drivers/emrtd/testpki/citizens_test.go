package testpki_test

import (
	"errors"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/kiosk06/kiosk/drivers/cccd"
	"github.com/kiosk06/kiosk/drivers/emrtd/pa"
	"github.com/kiosk06/kiosk/drivers/emrtd/testpki"
)

// provinceCodes are the birth-registration codes of Circular 07/2016/TT-BCA
// Appendix I (63 provinces and cities, 2016), as published e.g. at
// https://moinhat123.blogspot.com/2021/03/ma-so-can-cuoc-cong-dan-quang-binh.html
var provinceCodes = []string{
	"001", "002", "004", "006", "008", "010", "011", "012", "014", "015", "017", "019", "020", "022",
	"024", "025", "026", "027", "030", "031", "033", "034", "035", "036", "037", "038", "040", "042",
	"044", "045", "046", "048", "049", "051", "052", "054", "056", "058", "060", "062", "064", "066",
	"067", "068", "070", "072", "074", "075", "077", "079", "080", "082", "083", "084", "086", "087",
	"089", "091", "092", "093", "094", "095", "096",
}

// centurySexDigit is the 4th digit of a personal ID number (Circular
// 07/2016/TT-BCA, restated in Circular 59/2021/TT-BCA Art. 4; e.g.
// https://luathongduc.com/biet-ngay-03-thong-tin-cua-01-cong-dan-dua-tren-so-the-cccd-co-gan-chip):
// 20th century male 0 / female 1, 21st 2 / 3, 22nd 4 / 5, and so on.
func centurySexDigit(born time.Time, sex string) byte {
	d := (born.Year()/100 - 19) * 2
	if sex == "Nữ" {
		d++
	}
	return byte('0' + d)
}

func age(born, now time.Time) int {
	a := now.Year() - born.Year()
	if now.Month() < born.Month() || (now.Month() == born.Month() && now.Day() < born.Day()) {
		a--
	}
	return a
}

// TestPeopleIDNumbers checks each simulated citizen's number against the
// numbering rules, on several days (the child's number follows his birth
// year), and that no two people share a number or a CAN.
func TestPeopleIDNumbers(t *testing.T) {
	for _, now := range []time.Time{now, time.Date(2031, 2, 1, 0, 0, 0, 0, time.UTC), time.Date(2099, 12, 31, 0, 0, 0, 0, time.UTC)} {
		seen := map[string]testpki.Person{}
		for _, p := range testpki.People() {
			c := p.Citizen(now)
			if _, err := strconv.ParseUint(c.ID, 10, 64); err != nil || len(c.ID) != 12 {
				t.Fatalf("%s: ID %q is not 12 digits", p, c.ID)
			}
			if !slices.Contains(provinceCodes, c.ID[:3]) {
				t.Errorf("%s: province code %s is not in Appendix I", p, c.ID[:3])
			}
			if want := centurySexDigit(c.DateOfBirth, c.Sex); c.ID[3] != want {
				t.Errorf("%s: century/sex digit %c, want %c (born %d, %s)", p, c.ID[3], want, c.DateOfBirth.Year(), c.Sex)
			}
			if want := c.DateOfBirth.Format("06"); c.ID[4:6] != want {
				t.Errorf("%s: birth year digits %s, want %s", p, c.ID[4:6], want)
			}
			for _, key := range []string{c.ID, c.ID[6:]} {
				if other, dup := seen[key]; dup {
					t.Errorf("%s and %s share %s", p, other, key)
				}
				seen[key] = p
			}
			if c.FullName == "" || c.Residence == "" || (c.Sex != "Nam" && c.Sex != "Nữ") {
				t.Errorf("%s: incomplete citizen %+v", p, c)
			}
		}
	}
}

// TestPeopleAges: the people are what they are for, on any day from now on.
func TestPeopleAges(t *testing.T) {
	for _, now := range []time.Time{now, time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2027, 12, 31, 0, 0, 0, 0, time.UTC), time.Date(2040, 6, 1, 0, 0, 0, 0, time.UTC)} {
		ages := map[testpki.Person]int{}
		for _, p := range testpki.People() {
			ages[p] = age(p.Citizen(now).DateOfBirth, now)
		}
		if ages[testpki.Elderly] < 75 {
			t.Errorf("%v: the elderly citizen is %d (want 75 or older: priority)", now, ages[testpki.Elderly])
		}
		if a := ages[testpki.Child]; a >= 6 || a < 2 {
			t.Errorf("%v: the child is %d (want under 6, old enough to be brought)", now, a)
		}
		for _, p := range []testpki.Person{testpki.Adult, testpki.SecondAdult} {
			if ages[p] < 18 || ages[p] >= 60 {
				t.Errorf("%v: %s is %d (want an adult below the concession age)", now, p, ages[p])
			}
		}
	}
}

// TestPeopleCards reads each card-holder's card the way the kiosk does:
// the printed QR through cccd.ParseQR, DG13 through cccd.ParseDG13, the
// BAC key among those cccd derives from the QR (the card's expiry is the
// law's), the CAN as the ID's last six digits, and every variant through
// Passive Authentication.
func TestPeopleCards(t *testing.T) {
	p := sharedPKI(t)
	trust := pa.NewTrustStore()
	for _, der := range p.TrustAnchors() {
		if err := trust.AddDER(der); err != nil {
			t.Fatal(err)
		}
	}
	for _, person := range testpki.People() {
		cz := person.Citizen(now)
		if !cz.HasCard() {
			continue
		}
		t.Run(string(person), func(t *testing.T) {
			exp, ok := cccd.CardExpiry(cz.DateOfBirth, cz.IssueDate)
			if ok != !cz.DateOfExpiry.IsZero() || (ok && !exp.Equal(cz.DateOfExpiry)) {
				t.Fatalf("expiry %v, the law gives %v (ok=%v)", cz.DateOfExpiry, exp, ok)
			}
			if ok && exp.Before(now.AddDate(5, 0, 0)) {
				t.Errorf("card expires %v: too soon for a fixture", exp)
			}
			q, err := cccd.ParseQR(cz.QR())
			if err != nil {
				t.Fatalf("ParseQR(%q): %v", cz.QR(), err)
			}
			if q.ID != cz.ID || q.OldID != cz.OldID || q.Name != cz.FullName || !q.DOB.Equal(cz.DateOfBirth) ||
				q.Sex != cz.Sex || q.Address != cz.Residence || !q.IssueDate.Equal(cz.IssueDate) {
				t.Fatalf("QR gives %+v", q)
			}
			for _, v := range []testpki.Variant{testpki.Genuine, testpki.DG13Altered, testpki.UntrustedSigner,
				testpki.ExpiredSigner, testpki.Clone, testpki.BACOnly, testpki.CardAccessTampered} {
				card, err := testpki.NewCCCD(&testpki.Options{PKI: p, Citizen: &cz, Variant: v})
				if err != nil {
					t.Fatalf("%s: %v", v, err)
				}
				_, err = pa.Verify(card.SOD, card.DataGroups, trust, now)
				if want := variantPA[v]; !errors.Is(err, want) || (want == nil) != (err == nil) {
					t.Errorf("%s: Passive Authentication %v, want %v", v, err, want)
				}
				if v != testpki.Genuine {
					continue
				}
				if card.CAN != cz.ID[6:] {
					t.Errorf("CAN %s, want the ID's last six digits", card.CAN)
				}
				keys, err := cccd.BACCandidates(q.ID, q.DOB, q.IssueDate)
				if err != nil {
					t.Fatal(err)
				}
				mrz := cccd.BACKey{Doc: card.DocumentNumber, DOB: card.DateOfBirth, Exp: card.DateOfExpiry}
				if !slices.Contains(keys, mrz) {
					t.Errorf("the card's BAC key %+v is not among those derived from its QR %+v", mrz, keys)
				}
				dg, err := cccd.ParseDG13(card.DataGroups[13])
				if err != nil {
					t.Fatal(err)
				}
				if dg.ID != cz.ID || dg.Name != cz.FullName || dg.DOB != cz.DateOfBirth.Format(time.DateOnly) ||
					dg.Residence != cz.Residence || dg.Spouse != cz.Spouse {
					t.Errorf("DG13 gives %+v", dg)
				}
				if !ok && dg.Expiry != "Không thời hạn" {
					t.Errorf("DG13 expiry %q, want Không thời hạn", dg.Expiry)
				}
			}
		})
	}
}

// variantPA is what Passive Authentication says of each variant.
var variantPA = map[testpki.Variant]error{
	testpki.DG13Altered:     pa.ErrHashMismatch,
	testpki.UntrustedSigner: pa.ErrUntrustedSigner,
	testpki.ExpiredSigner:   pa.ErrExpiredSigner,
}

// TestChildHasNoCard: the child is data to type, not a card.
func TestChildHasNoCard(t *testing.T) {
	c := testpki.Child.Citizen(now)
	if c.HasCard() || c.QR() != "" {
		t.Fatalf("the child has a card: %+v", c)
	}
	if _, err := testpki.NewCCCD(&testpki.Options{PKI: sharedPKI(t), Citizen: &c}); !errors.Is(err, testpki.ErrNoCard) {
		t.Fatalf("NewCCCD(child) = %v, want ErrNoCard", err)
	}
}

func TestParsePerson(t *testing.T) {
	for _, p := range testpki.People() {
		if got, err := testpki.ParsePerson(string(p)); err != nil || got != p {
			t.Errorf("ParsePerson(%q) = %q, %v", p, got, err)
		}
	}
	if got, err := testpki.ParsePerson(""); err != nil || got != testpki.Adult {
		t.Errorf("ParsePerson(\"\") = %q, %v; want the adult", got, err)
	}
	if _, err := testpki.ParsePerson("grandpa"); err == nil {
		t.Error("ParsePerson accepted an unknown name")
	}
}

package cccd

import (
	"errors"
	"strings"
	"testing"
	"time"
)

// ICAO Doc 9303 part 5 (8th ed.), Appendix A, TD1 specimen.
const icaoTD1 = "I<UTOD231458907<<<<<<<<<<<<<<<\n7408122F1204159UTO<<<<<<<<<<<6\nERIKSSON<<ANNA<MARIA<<<<<<<<<<\n"

// A Vietnamese-shaped TD1 whose check digits were computed independently
// (a short Python script implementing 9303-3 §4.9), not by this package.
const vnTD1 = "IDVNM0890123456001089012345<<<\n8903152M2903150VNM<<<<<<<<<<<3\nNGUYEN<<VAN<AN<<<<<<<<<<<<<<<<\n"

func TestCheckDigit(t *testing.T) {
	for _, tt := range []struct {
		s    string
		want byte
	}{{"D23145890", '7'}, {"740812", '2'}, {"120415", '9'}, {"L898902C<", '3'}, {"690806", '1'}, {"940623", '6'}, {"<<<<<<", '0'}} {
		if got := CheckDigit(tt.s); got != tt.want {
			t.Errorf("CheckDigit(%q) = %c, want %c", tt.s, got, tt.want)
		}
	}
}

func TestParseTD1ICAO(t *testing.T) {
	m, err := ParseTD1(icaoTD1)
	if err != nil {
		t.Fatal(err)
	}
	want := MRZ{DocCode: "I<", Issuer: "UTO", DocNumber: "D23145890", DOB: "740812", Sex: "F", Expiry: "120415",
		Nationality: "UTO", Surname: "ERIKSSON", GivenNames: "ANNA MARIA", Checks: Checks{true, true, true, true}}
	if m != want {
		t.Errorf("got  %+v\nwant %+v", m, want)
	}
}

func TestParseTD1Vietnamese(t *testing.T) {
	m, err := ParseTD1(vnTD1)
	if err != nil {
		t.Fatal(err)
	}
	if m.ID != "001089012345" || m.DocNumber != "089012345" || m.DOB != "890315" || m.Expiry != "290315" ||
		m.Sex != "M" || m.Surname != "NGUYEN" || m.GivenNames != "VAN AN" {
		t.Errorf("got %+v", m)
	}
	built, err := VietnameseTD1("001089012345", "Nguyễn Văn An", "Nam", d(1989, 3, 15), d(2029, 3, 15))
	if err != nil {
		t.Fatal(err)
	}
	l, err := built.Lines()
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(l[:], "\n") + "\n"; got != vnTD1 {
		t.Errorf("Lines() =\n%s\nwant\n%s", got, vnTD1)
	}
}

func TestTD1NoExpiryRoundTrip(t *testing.T) {
	built, err := VietnameseTD1("079058001234", "Trần Thị Bích Ngọc", "Nữ", d(1958, 1, 2), time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	l, err := built.Lines()
	if err != nil {
		t.Fatal(err)
	}
	m, err := ParseTD1(strings.Join(l[:], "\n"))
	if err != nil {
		t.Fatalf("ParseTD1(%q): %v", l, err)
	}
	if m.Expiry != "<<<<<<" || m.ID != "079058001234" || m.GivenNames != "THI BICH NGOC" || m.Sex != "F" {
		t.Errorf("got %+v", m)
	}
}

func TestParseTD1Errors(t *testing.T) {
	bad := func(i int, c byte) string { b := []byte(icaoTD1); b[i] = c; return string(b) }
	tests := []struct {
		name  string
		in    string
		want  error
		check Checks
	}{
		{"doc number digit", bad(14, '8'), ErrCheckDigit, Checks{false, true, true, false}},
		{"dob digit", bad(31+6, '3'), ErrCheckDigit, Checks{true, false, true, false}},
		{"expiry field", bad(31+9, '3'), ErrCheckDigit, Checks{true, true, false, false}},
		{"composite", bad(31+29, '5'), ErrCheckDigit, Checks{true, true, true, false}},
		{"short", icaoTD1[:80], ErrBadMRZ, Checks{}},
		{"alphabet", bad(40, '#'), ErrBadMRZ, Checks{}},
		{"huge", strings.Repeat("<", 600), ErrBadMRZ, Checks{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := ParseTD1(tt.in)
			if !errors.Is(err, tt.want) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
			if m.Checks != tt.check {
				t.Errorf("checks = %+v, want %+v", m.Checks, tt.check)
			}
		})
	}
}

func TestTD1LongDocNumber(t *testing.T) {
	// 9303-5 §4.2.2: a 12-character number overflows into the optional
	// data with '<' in the check-digit position.
	doc := "D23145890123"
	l1 := "I<UTO" + doc[:9] + "<" + doc[9:] + string(CheckDigit(doc)) + "<<<<<<<<<<<"
	l2 := "7408122F1204159UTO<<<<<<<<<<<"
	l2 += string(CheckDigit(l1[5:30] + l2[0:7] + l2[8:15] + l2[18:29]))
	m, err := ParseTD1(l1 + "\n" + l2 + "\nERIKSSON<<ANNA<MARIA<<<<<<<<<<")
	if err != nil {
		t.Fatal(err)
	}
	if m.DocNumber != doc {
		t.Errorf("DocNumber = %q, want %q", m.DocNumber, doc)
	}
}

func TestTransliterate(t *testing.T) {
	if got := Transliterate("Nguyễn Đức Thắng, Lê Thị Hường"); got != "Nguyen Duc Thang, Le Thi Huong" {
		t.Errorf("got %q", got)
	}
}

func FuzzParseTD1(f *testing.F) {
	f.Add(icaoTD1)
	f.Add(vnTD1)
	f.Add(strings.Repeat("<", 90))
	f.Add("I<UTO<<<<<<<<<<<D<<<<<<<<<<<<<" + strings.Repeat("<", 60))
	f.Fuzz(func(t *testing.T, s string) {
		m, err := ParseTD1(s)
		if err != nil && !errors.Is(err, ErrBadMRZ) && !errors.Is(err, ErrCheckDigit) {
			t.Fatalf("untyped error %v", err)
		}
		if err == nil && !m.Checks.OK() {
			t.Fatal("nil error with failed checks")
		}
	})
}

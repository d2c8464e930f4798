package cccd

import (
	"fmt"
	"log/slog"
	"strings"
	"time"
)

// TD1 geometry (ICAO Doc 9303 part 5, §4.2): three lines of 30 characters.
const (
	td1Line  = 30
	maxMRZIn = 512 // bytes of input accepted by ParseTD1
)

// MRZ is a TD1 machine-readable zone (ICAO Doc 9303 part 5 §4.2.2).
// Dates are YYMMDD as printed; "<<<<<<" means no expiry.
type MRZ struct {
	DocCode     string // "ID", "I<", …
	Issuer      string // "VNM"
	DocNumber   string // without fillers; CCCD: last 9 digits of the ID
	Optional1   string // line 1 positions 16–30, fillers stripped
	DOB         string // YYMMDD
	Sex         string // "M", "F" or "<"
	Expiry      string // YYMMDD or "<<<<<<"
	Nationality string
	Optional2   string // line 2 positions 19–29, fillers stripped
	Surname     string // primary identifier, words joined by spaces
	GivenNames  string // secondary identifier, words joined by spaces
	// ID is the full 12-digit CCCD number when the optional data of line 1
	// starts with 12 digits whose last 9 are DocNumber (Vietnamese TD1).
	ID     string
	Checks Checks
}

// Checks reports each TD1 check digit: true when it matches its field.
type Checks struct {
	DocNumber bool `json:"doc_number"`
	DOB       bool `json:"dob"`
	Expiry    bool `json:"expiry"`
	Composite bool `json:"composite"`
}

// OK reports whether every check digit matched.
func (c Checks) OK() bool { return c.DocNumber && c.DOB && c.Expiry && c.Composite }

// LogValue implements slog.LogValuer: only the check results are logged.
func (m MRZ) LogValue() slog.Value {
	return slog.GroupValue(slog.String("issuer", m.Issuer), slog.Bool("checks_ok", m.Checks.OK()))
}

// CheckDigit computes the ICAO 9303-3 §4.9 check digit of s: weights 7,3,1
// repeating; 0–9 as themselves, A–Z as 10–35, '<' (and anything else) as 0.
func CheckDigit(s string) byte {
	weights := [3]int{7, 3, 1}
	sum := 0
	for i := 0; i < len(s); i++ {
		sum += charValue(s[i]) * weights[i%3]
	}
	return byte('0' + sum%10)
}

func charValue(c byte) int {
	switch {
	case c >= '0' && c <= '9':
		return int(c - '0')
	case c >= 'A' && c <= 'Z':
		return int(c-'A') + 10
	}
	return 0
}

// checkOK compares a printed check digit with the computed one; a field of
// fillers may carry '<' as its check digit (9303-3 §4.9).
func checkOK(field string, printed byte) bool {
	if printed == '<' && strings.Trim(field, "<") == "" {
		return true
	}
	return CheckDigit(field) == printed
}

// ParseTD1 parses a TD1 MRZ: three lines of 30 characters (or one string of
// 90), surrounding white space ignored, lower case folded. A shape error is
// ErrBadMRZ; when every field parses but a check digit fails, the MRZ is
// returned together with an error wrapping ErrCheckDigit.
func ParseTD1(text string) (MRZ, error) {
	if len(text) > maxMRZIn {
		return MRZ{}, fmt.Errorf("%w: %d bytes of input (max %d)", ErrBadMRZ, len(text), maxMRZIn)
	}
	l, err := td1Lines(text)
	if err != nil {
		return MRZ{}, err
	}
	m := MRZ{
		DocCode:     l[0][0:2],
		Issuer:      strings.TrimRight(l[0][2:5], "<"),
		DOB:         l[1][0:6],
		Sex:         l[1][7:8],
		Expiry:      l[1][8:14],
		Nationality: strings.TrimRight(l[1][15:18], "<"),
		Optional2:   strings.TrimRight(l[1][18:29], "<"),
	}
	docField, docCheck, opt1 := td1DocNumber(l[0])
	m.DocNumber = strings.TrimRight(docField, "<")
	m.Optional1 = strings.TrimRight(opt1, "<")
	m.Surname, m.GivenNames = td1Names(l[2])
	m.Checks = Checks{
		DocNumber: checkOK(docField, docCheck),
		DOB:       checkOK(m.DOB, l[1][6]),
		Expiry:    checkOK(m.Expiry, l[1][14]),
		Composite: checkOK(l[0][5:30]+l[1][0:7]+l[1][8:15]+l[1][18:29], l[1][29]),
	}
	if len(m.Optional1) >= 12 && isDigits(m.Optional1[:12], 12) && m.Optional1[3:12] == m.DocNumber {
		m.ID = m.Optional1[:12]
	}
	if !m.Checks.OK() {
		return m, fmt.Errorf("%w: %+v", ErrCheckDigit, m.Checks)
	}
	return m, nil
}

// td1Lines normalises text into three 30-character lines of the MRZ
// alphabet (A–Z, 0–9, '<').
func td1Lines(text string) ([3]string, error) {
	var l [3]string
	fields := strings.Fields(strings.ToUpper(text))
	joined := strings.Join(fields, "")
	if len(joined) != 3*td1Line {
		return l, fmt.Errorf("%w: %d characters (want 3 lines of %d)", ErrBadMRZ, len(joined), td1Line)
	}
	for i := 0; i < len(joined); i++ {
		c := joined[i]
		if !(c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '<') {
			return l, fmt.Errorf("%w: character %q at %d is not in the MRZ alphabet", ErrBadMRZ, c, i)
		}
	}
	for i := range l {
		l[i] = joined[i*td1Line : (i+1)*td1Line]
	}
	return l, nil
}

// td1DocNumber extracts the document number field and its check digit. A
// number longer than 9 characters continues in the optional data, with its
// check digit as the last character before the first filler, and '<' in
// position 15 (9303-5 §4.2.2 note j).
func td1DocNumber(l1 string) (field string, check byte, opt1 string) {
	field, check, opt1 = l1[5:14], l1[14], l1[15:30]
	if check != '<' || strings.Trim(opt1, "<") == "" {
		return field, check, opt1
	}
	end := strings.IndexByte(opt1, '<')
	if end < 0 {
		end = len(opt1)
	}
	if end == 0 {
		return field, check, opt1
	}
	return field + opt1[:end-1], opt1[end-1], opt1[end:]
}

// td1Names splits line 3 into primary and secondary identifiers.
func td1Names(l3 string) (surname, given string) {
	p, s, _ := strings.Cut(l3, "<<")
	return mrzWords(p), mrzWords(s)
}

func mrzWords(s string) string {
	return strings.Join(strings.FieldsFunc(s, func(r rune) bool { return r == '<' }), " ")
}

// Lines encodes m as the three TD1 lines, computing every check digit
// (m.Checks is ignored). Fields are upper-cased, transliterated to the MRZ
// alphabet and padded with fillers; too-long fields are an error, except
// names, which are truncated as 9303-3 §4.6 allows.
func (m MRZ) Lines() ([3]string, error) {
	var l [3]string
	doc := mrzText(m.DocNumber)
	if len(doc) > 9 {
		return l, fmt.Errorf("%w: document numbers over 9 characters are not encoded", ErrBadMRZ)
	}
	for _, f := range []struct {
		name, v string
		n       int
	}{{"doc code", m.DocCode, 2}, {"issuer", m.Issuer, 3}, {"optional data 1", m.Optional1, 15},
		{"date of birth", m.DOB, 6}, {"sex", m.Sex, 1}, {"expiry", m.Expiry, 6},
		{"nationality", m.Nationality, 3}, {"optional data 2", m.Optional2, 11}} {
		if len(mrzText(f.v)) > f.n {
			return l, fmt.Errorf("%w: %s longer than %d", ErrBadMRZ, f.name, f.n)
		}
	}
	docF := pad(doc, 9)
	l[0] = pad(mrzText(m.DocCode), 2) + pad(mrzText(m.Issuer), 3) + docF + string(CheckDigit(docF)) + pad(mrzText(m.Optional1), 15)
	dob, exp := pad(mrzText(m.DOB), 6), pad(mrzText(m.Expiry), 6)
	sex := pad(mrzText(m.Sex), 1)
	l2 := dob + string(CheckDigit(dob)) + sex + exp + string(CheckDigit(exp)) + pad(mrzText(m.Nationality), 3) + pad(mrzText(m.Optional2), 11)
	composite := l[0][5:30] + l2[0:7] + l2[8:15] + l2[18:29]
	l[1] = l2 + string(CheckDigit(composite))
	name := strings.ReplaceAll(mrzText(m.Surname), " ", "<") + "<<" + strings.ReplaceAll(mrzText(m.GivenNames), " ", "<")
	if len(name) > td1Line {
		name = name[:td1Line]
	}
	l[2] = pad(name, td1Line)
	return l, nil
}

// VietnameseTD1 builds the MRZ a CCCD carries for a citizen: document number
// = last 9 digits of the ID, the full ID in the line-1 optional data, issuer
// and nationality VNM. A zero expiry encodes "no expiry" as fillers.
func VietnameseTD1(id, name, sex string, dob, expiry time.Time) (MRZ, error) {
	if !isDigits(id, 12) {
		return MRZ{}, fmt.Errorf("%w: want 12 digits", ErrBadID)
	}
	words := strings.Fields(Transliterate(name))
	m := MRZ{DocCode: "ID", Issuer: "VNM", Nationality: "VNM", DocNumber: id[3:], Optional1: id, ID: id,
		DOB: dob.Format("060102"), Expiry: "<<<<<<", Sex: "<"}
	if !expiry.IsZero() {
		m.Expiry = expiry.Format("060102")
	}
	switch sex {
	case "Nam", "M":
		m.Sex = "M"
	case "Nữ", "F":
		m.Sex = "F"
	}
	if len(words) > 0 {
		m.Surname, m.GivenNames = words[0], strings.Join(words[1:], " ")
	}
	return m, nil
}

func pad(s string, n int) string {
	if len(s) >= n {
		return s
	}
	return s + strings.Repeat("<", n-len(s))
}

// mrzText upper-cases and transliterates s, mapping anything outside the
// MRZ alphabet (other than spaces, kept for name splitting) to '<'.
func mrzText(s string) string {
	s = strings.ToUpper(Transliterate(s))
	b := []byte(s)
	for i, c := range b {
		if !(c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '<' || c == ' ') {
			b[i] = '<'
		}
	}
	return string(b)
}

// vietFold maps each accented Vietnamese letter to its base letter.
var vietFold = func() map[rune]rune {
	m := map[rune]rune{'đ': 'd', 'Đ': 'D'}
	for base, set := range map[rune]string{
		'a': "àáảãạăằắẳẵặâầấẩẫậ", 'A': "ÀÁẢÃẠĂẰẮẲẴẶÂẦẤẨẪẬ",
		'e': "èéẻẽẹêềếểễệ", 'E': "ÈÉẺẼẸÊỀẾỂỄỆ",
		'i': "ìíỉĩị", 'I': "ÌÍỈĨỊ",
		'o': "òóỏõọôồốổỗộơờớởỡợ", 'O': "ÒÓỎÕỌÔỒỐỔỖỘƠỜỚỞỠỢ",
		'u': "ùúủũụưừứửữự", 'U': "ÙÚỦŨỤƯỪỨỬỮỰ",
		'y': "ỳýỷỹỵ", 'Y': "ỲÝỶỸỴ",
	} {
		for _, r := range set {
			m[r] = base
		}
	}
	return m
}()

// Transliterate removes Vietnamese diacritics (precomposed and combining),
// as 9303-3 §6 transliterates names for the MRZ: "Nguyễn Đức" → "Nguyen Duc".
func Transliterate(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r >= 0x300 && r <= 0x36F { // combining diacritical marks
			continue
		}
		if f, ok := vietFold[r]; ok {
			r = f
		}
		b.WriteRune(r)
	}
	return b.String()
}

package testpki

import (
	"strings"
	"time"
	"unicode"
)

// vietFold maps Vietnamese letters to the unaccented Latin base used in the
// MRZ (ICAO 9303-3 §6: transliteration; Đ → D).
const vietFold = "aàáảãạăằắẳẵặâầấẩẫậ" + "|" + "eèéẻẽẹêềếểễệ" + "|" + "iìíỉĩị" + "|" +
	"oòóỏõọôồốổỗộơờớởỡợ" + "|" + "uùúủũụưừứửữự" + "|" + "yỳýỷỹỵ" + "|" + "dđ"

func foldRune(r rune) rune {
	lower := unicode.ToLower(r)
	for _, group := range strings.Split(vietFold, "|") {
		if strings.ContainsRune(group, lower) {
			return unicode.ToUpper([]rune(group)[0])
		}
	}
	return unicode.ToUpper(r)
}

// MRZName renders a Vietnamese full name as the TD1 name field: the first
// word is the primary identifier (family name), the rest the secondary.
func MRZName(full string) string {
	words := strings.Fields(full)
	fold := func(w string) string {
		var b strings.Builder
		for _, r := range w {
			f := foldRune(r)
			if f < 'A' || f > 'Z' {
				f = '<'
			}
			b.WriteRune(f)
		}
		return b.String()
	}
	if len(words) == 0 {
		return ""
	}
	out := fold(words[0]) + "<<"
	for i, w := range words[1:] {
		if i > 0 {
			out += "<"
		}
		out += fold(w)
	}
	return out
}

// CheckDigit computes the ICAO 9303-3 §4.9 check digit (weights 7, 3, 1).
func CheckDigit(s string) byte {
	weights := [3]int{7, 3, 1}
	sum := 0
	for i, c := range []byte(s) {
		v := 0
		switch {
		case c >= '0' && c <= '9':
			v = int(c - '0')
		case c >= 'A' && c <= 'Z':
			v = int(c-'A') + 10
		}
		sum += v * weights[i%3]
	}
	return byte('0' + sum%10)
}

func pad(s string, n int) string {
	if len(s) >= n {
		return s[:n]
	}
	return s + strings.Repeat("<", n-len(s))
}

func yymmdd(t time.Time) string {
	if t.IsZero() {
		return "<<<<<<"
	}
	return t.Format("060102")
}

// TD1 returns the three 30-character MRZ lines of a Vietnamese ID card (ICAO
// 9303-5 §4.2): document number = last 9 digits of the ID, full ID in the
// line-1 optional data.
func TD1(c Citizen) [3]string {
	doc := DocumentNumber(c.ID)
	l1 := "IDVNM" + doc + string(CheckDigit(doc)) + pad(c.ID, 15)
	dob, exp := yymmdd(c.DateOfBirth), yymmdd(c.DateOfExpiry)
	sex := "M"
	if c.Sex == "Nữ" {
		sex = "F"
	}
	l2 := dob + string(CheckDigit(dob)) + sex + exp + string(CheckDigit(exp)) + "VNM" + pad("", 11)
	composite := l1[5:30] + l2[0:7] + l2[8:15] + l2[18:29]
	l2 += string(CheckDigit(composite))
	return [3]string{l1, l2, pad(MRZName(c.FullName), 30)}
}

// DocumentNumber is the MRZ document number of a 12-digit ID: its last 9 digits.
func DocumentNumber(id string) string {
	if len(id) < 9 {
		return pad(id, 9)
	}
	return id[len(id)-9:]
}

package speech

import (
	"strings"
	"time"
)

// Vietnamese digit names (0–9).
var viDigit = [10]string{"không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín"}

// English digit and number names.
var (
	enDigit = [10]string{"zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"}
	enTeen  = [10]string{"ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen"}
	enTens  = [10]string{"", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"}
)

// viScales names the groups of three digits from the right: nghìn (10³),
// triệu (10⁶), tỷ (10⁹). Past tỷ the names repeat with tỷ: 10¹² is "nghìn
// tỷ", 10¹⁵ "triệu tỷ" (the reading used in budgets and the press).
var viScales = []string{"", "nghìn", "triệu", "tỷ", "nghìn tỷ", "triệu tỷ", "tỷ tỷ"}

var enScales = []string{"", "thousand", "million", "billion", "trillion", "quadrillion", "quintillion"}

// Number reads n as words the way it is said in lang: Vietnamese
// "mười lăm" (15), "hai mươi mốt" (21), "hai mươi tư" (24), "một trăm linh
// năm" (105), "một nghìn không trăm linh năm" (1 005), "mười nghìn"
// (10 000); English "one hundred and five".
//
// The Vietnamese rules (northern standard, as banks write amounts in
// words on a cheque and announcers read numbers):
//   - units after "mười"/"mươi": 5 is "lăm"; after "mươi" (20–99) 1 is
//     "mốt" and 4 is "tư";
//   - a zero tens digit before a unit inside a hundred is "linh";
//   - a group of three after the first is read with all three places
//     ("không trăm linh năm"), and a group that is all zeros is skipped.
func Number(lang Lang, n int64) string {
	if lang == English {
		return enNumber(n)
	}
	return viNumber(n)
}

func viNumber(n int64) string {
	if n == 0 {
		return viDigit[0]
	}
	neg := n < 0
	u := uint64(n)
	if neg {
		u = -u
	}
	groups := splitGroups(u)
	var words []string
	if neg {
		words = append(words, "âm")
	}
	for i := len(groups) - 1; i >= 0; i-- {
		g := groups[i]
		if g == 0 {
			continue
		}
		words = append(words, viHundreds(g, i < len(groups)-1)...)
		if viScales[i] != "" {
			words = append(words, viScales[i])
		}
	}
	return strings.Join(words, " ")
}

// splitGroups returns u's groups of three digits, least significant first.
func splitGroups(u uint64) []int {
	var g []int
	for {
		g = append(g, int(u%1000))
		u /= 1000
		if u == 0 {
			return g
		}
	}
}

// viHundreds reads 1–999. full: the group follows a higher one, so its
// empty places are said ("không trăm", "linh").
func viHundreds(g int, full bool) []string {
	h, t, d := g/100, g/10%10, g%10
	var w []string
	if h > 0 || full {
		w = append(w, viDigit[h], "trăm")
	}
	switch {
	case t == 0 && d == 0:
	case t == 0:
		if len(w) > 0 {
			w = append(w, "linh")
		}
		w = append(w, viDigit[d])
	case t == 1:
		w = append(w, "mười")
		if d == 5 {
			w = append(w, "lăm")
		} else if d > 0 {
			w = append(w, viDigit[d])
		}
	default:
		w = append(w, viDigit[t], "mươi")
		switch d {
		case 0:
		case 1:
			w = append(w, "mốt")
		case 4:
			w = append(w, "tư")
		case 5:
			w = append(w, "lăm")
		default:
			w = append(w, viDigit[d])
		}
	}
	return w
}

func enNumber(n int64) string {
	if n == 0 {
		return enDigit[0]
	}
	neg := n < 0
	u := uint64(n)
	if neg {
		u = -u
	}
	groups := splitGroups(u)
	var words []string
	if neg {
		words = append(words, "minus")
	}
	for i := len(groups) - 1; i >= 0; i-- {
		g := groups[i]
		if g == 0 {
			continue
		}
		// "one thousand and five": a last group under 100 after a higher
		// one takes "and", as the hundreds inside a group do.
		if i == 0 && g < 100 && len(groups) > 1 {
			words = append(words, "and")
		}
		words = append(words, enHundreds(g)...)
		if enScales[i] != "" {
			words = append(words, enScales[i])
		}
	}
	return strings.Join(words, " ")
}

func enHundreds(g int) []string {
	h, r := g/100, g%100
	var w []string
	if h > 0 {
		w = append(w, enDigit[h], "hundred")
		if r > 0 {
			w = append(w, "and")
		}
	}
	switch {
	case r == 0:
	case r < 10:
		w = append(w, enDigit[r])
	case r < 20:
		w = append(w, enTeen[r-10])
	case r%10 == 0:
		w = append(w, enTens[r/10])
	default:
		w = append(w, enTens[r/10]+"-"+enDigit[r%10])
	}
	return w
}

// Money reads an amount of Vietnamese đồng: "năm mươi nghìn đồng",
// "fifty thousand dong".
func Money(lang Lang, vnd int64) string {
	if lang == English {
		return enNumber(vnd) + " dong"
	}
	return viNumber(vnd) + " đồng"
}

// Digits reads each digit of s on its own ("012" → "không, một, hai");
// any other character is skipped. Used for codes where the leading zeros
// carry meaning.
func Digits(lang Lang, s string) string {
	var w []string
	for _, r := range s {
		if r >= '0' && r <= '9' {
			w = append(w, digitName(lang, int(r-'0')))
		}
	}
	return strings.Join(w, ", ")
}

func digitName(lang Lang, d int) string {
	if lang == English {
		return enDigit[d]
	}
	return viDigit[d]
}

// Vietnamese letter names as they are taught in school and said when a
// code is spelled out ("A" a, "B" bê, "C" xê …); the letters outside the
// Vietnamese alphabet (F, J, W, Z) by their usual loan names.
var viLetter = map[rune]string{
	'A': "a", 'Ă': "á", 'Â': "ớ", 'B': "bê", 'C': "xê", 'D': "dê", 'Đ': "đê",
	'E': "e", 'Ê': "ê", 'F': "ép", 'G': "giê", 'H': "hát", 'I': "i", 'J': "gi",
	'K': "ca", 'L': "e lờ", 'M': "em mờ", 'N': "en nờ", 'O': "o", 'Ô': "ô",
	'Ơ': "ơ", 'P': "pê", 'Q': "quy", 'R': "e rờ", 'S': "ét xì", 'T': "tê",
	'U': "u", 'Ư': "ư", 'V': "vê", 'W': "vê kép", 'X': "ích xì", 'Y': "i dài",
	'Z': "dét",
}

// English letter names, spelled so a synthesizer reads a single letter as
// its name rather than as a word ("A" would be the article).
var enLetter = map[rune]string{
	'A': "ay", 'B': "bee", 'C': "see", 'D': "dee", 'E': "ee", 'F': "eff",
	'G': "gee", 'H': "aitch", 'I': "eye", 'J': "jay", 'K': "kay", 'L': "ell",
	'M': "em", 'N': "en", 'O': "oh", 'P': "pee", 'Q': "cue", 'R': "ar",
	'S': "ess", 'T': "tee", 'U': "you", 'V': "vee", 'W': "double-you",
	'X': "ex", 'Y': "why", 'Z': "zed",
}

// Letter names one letter, upper or lower case; ok is false for anything
// else.
func Letter(lang Lang, r rune) (string, bool) {
	r = toUpper(r)
	if lang == English {
		w, ok := enLetter[r]
		return w, ok
	}
	w, ok := viLetter[r]
	return w, ok
}

// Code reads a ticket or reference code character by character, the way a
// caller spells it over a loudspeaker: "A012" and "A 0 1 2" are both
// "a, không, một, hai". Letters are named (Letter), digits read one by
// one; spaces, '-', '.' and '/' only separate. Anything else is an error.
func Code(lang Lang, code string) (string, error) {
	var w []string
	for _, r := range code {
		switch {
		case r >= '0' && r <= '9':
			w = append(w, digitName(lang, int(r-'0')))
		case r == ' ' || r == '-' || r == '.' || r == '/':
		default:
			l, ok := Letter(lang, r)
			if !ok {
				return "", unspeakable(code, r)
			}
			w = append(w, l)
		}
	}
	if len(w) == 0 {
		return "", unspeakable(code, 0)
	}
	return strings.Join(w, ", "), nil
}

// Room reads a room or counter name: "101" is a number ("một trăm linh
// một"); a name mixing letters and digits is read part by part, letters
// named and each digit run as a number unless it starts with 0 ("B2" →
// "bê hai", "A1.05" → "a một chấm không năm"). A leading "Phòng"/"Room" is
// kept as the word. Words (clinic names: "Nội tổng quát") are read as text.
func Room(lang Lang, room string) (string, error) {
	return Normalize(lang, room)
}

// Date reads a calendar date: "ngày bốn tháng mười hai năm hai nghìn không
// trăm hai mươi sáu"; English "the fourth of December, twenty twenty-six".
func Date(lang Lang, t time.Time) string {
	if lang == English {
		return "the " + enOrdinal(t.Day()) + " of " + t.Month().String() + ", " + enYear(t.Year())
	}
	return "ngày " + viNumber(int64(t.Day())) + " tháng " + viNumber(int64(t.Month())) + " năm " + viNumber(int64(t.Year()))
}

// Clock reads a time of day on the 24-hour clock, as Vietnamese notices
// and announcements say it: "mười bốn giờ ba mươi phút", "tám giờ" (on the
// hour); English "fourteen thirty", "eight o'clock", "nine oh five".
func Clock(lang Lang, hour, minute int) string {
	if lang == English {
		switch {
		case minute == 0:
			return enNumber(int64(hour)) + " o'clock"
		case minute < 10:
			return enNumber(int64(hour)) + " oh " + enDigit[minute]
		}
		return enNumber(int64(hour)) + " " + enNumber(int64(minute))
	}
	s := viNumber(int64(hour)) + " giờ"
	if minute > 0 {
		s += " " + viNumber(int64(minute)) + " phút"
	}
	return s
}

// Duration reads a span in hours, minutes and seconds, leaving out zero
// parts: "bốn phút năm mươi chín giây", "one hour and five minutes".
// Fractions of a second are rounded up, as a countdown shows them.
func Duration(lang Lang, d time.Duration) string {
	if d < 0 {
		d = 0
	}
	s := int64((d + time.Second - 1) / time.Second)
	h, m, sec := s/3600, s/60%60, s%60
	type part struct {
		n      int64
		vi, en string
	}
	var w []string
	for _, p := range []part{{h, "giờ", "hour"}, {m, "phút", "minute"}, {sec, "giây", "second"}} {
		if p.n == 0 {
			continue
		}
		if lang == English {
			unit := p.en
			if p.n != 1 {
				unit += "s"
			}
			w = append(w, enNumber(p.n)+" "+unit)
		} else {
			w = append(w, viNumber(p.n)+" "+p.vi)
		}
	}
	if len(w) == 0 {
		if lang == English {
			return "zero seconds"
		}
		return "không giây"
	}
	if lang == English && len(w) > 1 {
		return strings.Join(w[:len(w)-1], ", ") + " and " + w[len(w)-1]
	}
	return strings.Join(w, " ")
}

var enOrdinals = map[int]string{
	1: "first", 2: "second", 3: "third", 4: "fourth", 5: "fifth", 6: "sixth", 7: "seventh",
	8: "eighth", 9: "ninth", 10: "tenth", 11: "eleventh", 12: "twelfth", 13: "thirteenth",
	14: "fourteenth", 15: "fifteenth", 16: "sixteenth", 17: "seventeenth", 18: "eighteenth",
	19: "nineteenth", 20: "twentieth", 30: "thirtieth",
}

func enOrdinal(d int) string {
	if w, ok := enOrdinals[d]; ok {
		return w
	}
	return enTens[d/10] + "-" + enOrdinals[d%10]
}

// enYear reads a year the usual English way: 2026 "twenty twenty-six",
// 2000 "two thousand", 2005 "two thousand and five", 1999 "nineteen
// ninety-nine".
func enYear(y int) string {
	hi, lo := y/100, y%100
	switch {
	case y <= 0 || y >= 10000:
		return enNumber(int64(y))
	case y%1000 < 10 && y >= 1000:
		return enNumber(int64(y))
	case lo == 0:
		return enNumber(int64(hi)) + " hundred"
	case lo < 10:
		return enNumber(int64(hi)) + " oh " + enDigit[lo]
	}
	return enNumber(int64(hi)) + " " + enNumber(int64(lo))
}

func toUpper(r rune) rune {
	if r >= 'a' && r <= 'z' {
		return r - 'a' + 'A'
	}
	return []rune(strings.ToUpper(string(r)))[0]
}

package vnime

import "strings"

// A Vietnamese syllable is an initial consonant cluster (phụ âm đầu), a
// vowel nucleus of one to three vowels (with "qu" and "gi" the u and i
// belong to the initial) and an optional final (âm cuối).

// initials are the consonant clusters a syllable may start with ("q" only
// before u).
var initials = map[string]bool{
	"": true, "b": true, "c": true, "ch": true, "d": true, "đ": true, "g": true, "gh": true, "gi": true,
	"h": true, "k": true, "kh": true, "l": true, "m": true, "n": true, "ng": true, "ngh": true, "nh": true,
	"p": true, "ph": true, "q": true, "r": true, "s": true, "t": true, "th": true, "tr": true, "v": true, "x": true,
}

// finals are the consonant clusters a syllable may end with.
var finals = map[string]bool{"": true, "c": true, "ch": true, "m": true, "n": true, "ng": true, "nh": true, "p": true, "t": true}

// syllable is a word's parts: the nucleus is w[start:end].
type syllable struct {
	start, end int
	final      bool // a final consonant follows the nucleus
	ok         bool // the word can be (the beginning of) a Vietnamese syllable with a vowel
}

// consonants spells letters as lower-case consonants ("đ" for the stroke).
func consonants(w []letter) (string, bool) {
	var b strings.Builder
	for _, l := range w {
		if !l.viet || l.isVowel() {
			return "", false
		}
		if l.mark == MarkStroke {
			b.WriteString("đ")
			continue
		}
		b.WriteRune(l.base)
	}
	return b.String(), true
}

// analyse finds the nucleus of w. ok is false when w has no vowel or is no
// Vietnamese syllable (a foreign word): tone and mark keys then type
// themselves.
func analyse(w []letter) syllable {
	i := 0
	for i < len(w) && !w[i].isVowel() {
		i++
	}
	if i == len(w) {
		return syllable{}
	}
	ini, ok := consonants(w[:i])
	if !ok {
		return syllable{}
	}
	start := i
	next := func(k int) bool { return k < len(w) && w[k].isVowel() }
	switch {
	case ini == "q" && w[i].base == 'u' && next(i+1):
		start = i + 1 // qu-
	case ini == "g" && w[i].base == 'i' && w[i].mark == MarkNone && next(i+1):
		start, ini = i+1, "gi" // gi-
	}
	if !initials[ini] || ini == "q" && w[i].base != 'u' {
		return syllable{}
	}
	end := start
	for end < len(w) && w[end].isVowel() {
		end++
	}
	if end-start > 3 {
		return syllable{}
	}
	fin, ok := consonants(w[end:])
	if !ok || !finals[fin] {
		return syllable{}
	}
	return syllable{start: start, end: end, final: fin != "", ok: true}
}

// toneIndex is the vowel that carries the tone in w (-1 for none).
//
// The rules (the "old style" of most official documents and of the names
// on CCCD cards, kiểu cũ):
//   - a vowel with its own mark (â ă ê ô ơ ư) carries it; in ươ the ơ;
//   - a single vowel carries it;
//   - of three vowels, the middle one (ngoài, khuỷu, xoáy);
//   - of two followed by a final consonant, the second (toán, hoàng);
//   - of two in an open syllable, the first (mùa, hòa, thủy, khỏe).
//
// StyleNew moves the tone of the open oa, oe, uy to the second vowel
// (hoà, khoẻ, thuỷ), as the 1980s orthography rules (and many keyboards'
// "new style") do.
func toneIndex(w []letter, s syllable, style Style) int {
	if !s.ok {
		return -1
	}
	marked := -1
	for k := s.start; k < s.end; k++ {
		if w[k].mark != MarkNone {
			marked = k // the later one: ơ of ươ
		}
	}
	if marked >= 0 {
		return marked
	}
	switch n := s.end - s.start; {
	case n == 1:
		return s.start
	case n == 3:
		return s.start + 1
	case s.final:
		return s.start + 1
	case style == StyleNew && newStylePair(w[s.start].base, w[s.start+1].base):
		return s.start + 1
	default:
		return s.start
	}
}

// newStylePair: the open diphthongs whose tone the new style writes on the
// second vowel.
func newStylePair(a, b rune) bool {
	return a == 'o' && (b == 'a' || b == 'e') || a == 'u' && b == 'y'
}

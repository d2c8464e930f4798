package vnime

import "unicode"

// Tone is one of the six Vietnamese tones (thanh điệu). A syllable carries
// at most one, written on one of its vowels.
type Tone uint8

// Tones, in the order of the rows of vowelRows.
const (
	ToneNone  Tone = iota // thanh ngang: no mark
	ToneGrave             // thanh huyền: à
	ToneAcute             // thanh sắc: á
	ToneHook              // thanh hỏi: ả
	ToneTilde             // thanh ngã: ã
	ToneDot               // thanh nặng: ạ
)

// Mark is a letter's own diacritic (not a tone): circumflex (â ê ô),
// breve (ă), horn (ơ ư) and the stroke of đ.
type Mark uint8

// Letter marks.
const (
	MarkNone Mark = iota
	MarkCircumflex
	MarkBreve
	MarkHorn
	MarkStroke // đ
)

// vowelRows lists every Vietnamese vowel with each tone, in Tone order;
// the base vowel (with its own mark) comes first. These are the Unicode
// precomposed letters (NFC) Vietnamese text uses.
var vowelRows = [...]struct {
	base rune
	mark Mark
	row  string
}{
	{'a', MarkNone, "aàáảãạ"},
	{'a', MarkBreve, "ăằắẳẵặ"},
	{'a', MarkCircumflex, "âầấẩẫậ"},
	{'e', MarkNone, "eèéẻẽẹ"},
	{'e', MarkCircumflex, "êềếểễệ"},
	{'i', MarkNone, "iìíỉĩị"},
	{'o', MarkNone, "oòóỏõọ"},
	{'o', MarkCircumflex, "ôồốổỗộ"},
	{'o', MarkHorn, "ơờớởỡợ"},
	{'u', MarkNone, "uùúủũụ"},
	{'u', MarkHorn, "ưừứửữự"},
	{'y', MarkNone, "yỳýỷỹỵ"},
}

// letter is one letter of a word taken apart: its ASCII base, its own
// mark, the tone written on it, and its case.
type letter struct {
	base  rune // 'a'..'z', or the rune itself for a letter outside Vietnamese
	mark  Mark
	tone  Tone
	upper bool
	viet  bool // a letter of the Vietnamese alphabet (or f j w z, typed literally)
}

type glyphKey struct {
	base rune
	mark Mark
	tone Tone
}

// Lookup tables built once from vowelRows; read-only afterwards.
var (
	decomposeTable = map[rune]letter{}
	composeTable   = map[glyphKey]rune{}
)

func init() {
	for _, r := range vowelRows {
		t := Tone(0)
		for _, c := range r.row {
			decomposeTable[c] = letter{base: r.base, mark: r.mark, tone: t, viet: true}
			u := unicode.ToUpper(c)
			decomposeTable[u] = letter{base: r.base, mark: r.mark, tone: t, upper: true, viet: true}
			composeTable[glyphKey{r.base, r.mark, t}] = c
			t++
		}
	}
	decomposeTable['đ'] = letter{base: 'd', mark: MarkStroke, viet: true}
	decomposeTable['Đ'] = letter{base: 'd', mark: MarkStroke, upper: true, viet: true}
	composeTable[glyphKey{'d', MarkStroke, ToneNone}] = 'đ'
}

// decompose takes a rune apart; ok is false for anything that is not a
// letter (a space, a digit, punctuation).
func decompose(r rune) (letter, bool) {
	if l, ok := decomposeTable[r]; ok {
		return l, true
	}
	switch {
	case r >= 'a' && r <= 'z':
		return letter{base: r, viet: true}, true
	case r >= 'A' && r <= 'Z':
		return letter{base: r + ('a' - 'A'), upper: true, viet: true}, true
	case unicode.IsLetter(r):
		return letter{base: r}, true
	}
	return letter{}, false
}

// compose turns a letter back into one precomposed rune.
func (l letter) compose() rune {
	r := l.base
	if l.mark != MarkNone || l.tone != ToneNone {
		if c, ok := composeTable[glyphKey{l.base, l.mark, l.tone}]; ok {
			r = c
		}
	}
	if l.upper {
		return unicode.ToUpper(r)
	}
	return r
}

// isVowel reports whether the letter is one of a e i o u y (with any mark).
func (l letter) isVowel() bool {
	if !l.viet {
		return false
	}
	switch l.base {
	case 'a', 'e', 'i', 'o', 'u', 'y':
		return true
	}
	return false
}

package catalog

import (
	"strings"
	"unicode"
)

// foldRows maps every Vietnamese letter with diacritics to its ASCII base:
// the tone marks (huyền, sắc, hỏi, ngã, nặng) and the letters' own marks
// (ă â ê ô ơ ư đ). Capitals are lowered first.
var foldRows = [...]struct {
	base byte
	row  string
}{
	{'a', "àáảãạăằắẳẵặâầấẩẫậ"},
	{'e', "èéẻẽẹêềếểễệ"},
	{'i', "ìíỉĩị"},
	{'o', "òóỏõọôồốổỗộơờớởỡợ"},
	{'u', "ùúủũụưừứửữự"},
	{'y', "ỳýỷỹỵ"},
	{'d', "đ"},
}

// foldTable is built once from foldRows; read-only afterwards.
var foldTable = func() map[rune]rune {
	m := map[rune]rune{}
	for _, r := range foldRows {
		for _, c := range r.row {
			m[c] = rune(r.base)
		}
	}
	return m
}()

// Fold returns s as search compares it: lower case, Vietnamese diacritics
// removed (đ → d, every tone and vowel mark, precomposed or combining
// U+0300–U+036F), anything but letters and digits a single space, trimmed.
// "Đăng ký thường trú" and "dang ky THUONG tru" fold alike.
func Fold(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	space := true
	for _, r := range s {
		r = unicode.ToLower(r)
		if f, ok := foldTable[r]; ok {
			r = f
		}
		switch {
		case r >= 0x300 && r <= 0x36f: // combining marks of decomposed text
			continue
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			b.WriteRune(r)
			space = false
		case !space:
			b.WriteByte(' ')
			space = true
		}
	}
	return strings.TrimSuffix(b.String(), " ")
}

// lowerWords is s lower-cased with its diacritics, split into words (for
// the exact-spelling tier of a match).
func lowerWords(s string) string {
	return strings.Join(strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r) && !(r >= 0x300 && r <= 0x36f)
	}), " ")
}

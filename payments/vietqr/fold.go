package vietqr

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// vietFold lists each ASCII letter with the precomposed Vietnamese letters
// that fold to it (TCVN 6909 / Unicode Latin Extended Additional).
var vietFold = [...]struct {
	ascii byte
	forms string
}{
	{'a', "àáảãạăằắẳẵặâầấẩẫậ"},
	{'A', "ÀÁẢÃẠĂẰẮẲẴẶÂẦẤẨẪẬ"},
	{'e', "èéẻẽẹêềếểễệ"},
	{'E', "ÈÉẺẼẸÊỀẾỂỄỆ"},
	{'i', "ìíỉĩị"},
	{'I', "ÌÍỈĨỊ"},
	{'o', "òóỏõọôồốổỗộơờớởỡợ"},
	{'O', "ÒÓỎÕỌÔỒỐỔỖỘƠỜỚỞỠỢ"},
	{'u', "ùúủũụưừứửữự"},
	{'U', "ÙÚỦŨỤƯỪỨỬỮỰ"},
	{'y', "ỳýỷỹỵ"},
	{'Y', "ỲÝỶỸỴ"},
	{'d', "đ"},
	{'D', "Đ"},
}

// isCombiningViet reports the combining marks a decomposed (NFD) Vietnamese
// string carries: grave, acute, tilde, hook above, dot below, circumflex,
// breve, horn.
func isCombiningViet(r rune) bool {
	switch r {
	case 0x0300, 0x0301, 0x0303, 0x0309, 0x0323, 0x0302, 0x0306, 0x031B:
		return true
	}
	return false
}

// FoldASCII folds Vietnamese text to printable ASCII as NAPAS requires for
// text in the payload: diacritics are dropped (both precomposed and
// combining forms) and Đ/đ become D/d. Any other non-printable or non-ASCII
// character is an error naming its byte offset.
func FoldASCII(s string) (string, error) {
	var b strings.Builder
	for i, r := range s {
		switch {
		case r == utf8.RuneError:
			return "", fmt.Errorf("%w: invalid UTF-8 at offset %d", ErrInvalid, i)
		case r >= 0x20 && r < 0x7F:
			b.WriteRune(r)
		case isCombiningViet(r):
		default:
			c, ok := foldRune(r)
			if !ok {
				return "", fmt.Errorf("%w: character %q at offset %d has no ASCII form", ErrInvalid, r, i)
			}
			b.WriteByte(c)
		}
	}
	return b.String(), nil
}

func foldRune(r rune) (byte, bool) {
	for _, f := range vietFold {
		if strings.ContainsRune(f.forms, r) {
			return f.ascii, true
		}
	}
	return 0, false
}

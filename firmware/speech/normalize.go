package speech

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// ErrUnspeakable is returned when a text holds something the normaliser
// cannot say: a symbol with no reading, an empty code.
var ErrUnspeakable = errors.New("speech: unspeakable text")

func unspeakable(text string, r rune) error {
	if r == 0 {
		return fmt.Errorf("%w: %q", ErrUnspeakable, text)
	}
	return fmt.Errorf("%w: %q in %q", ErrUnspeakable, r, text)
}

// MaxText bounds the text Normalize accepts (bytes): a screen's longest
// paragraph is a few hundred bytes; anything far longer is a mistake, and
// the synthesizer's time grows with it.
const MaxText = 4096

// ErrTooLong is returned for a text longer than MaxText.
var ErrTooLong = errors.New("speech: text too long")

// lexicon: written forms read otherwise, per language. Keys are matched
// as whole words, case-sensitively (acronyms are upper case on screen).
var lexicon = map[Lang]map[string]string{
	Vietnamese: {
		"BHYT":   "bảo hiểm y tế",
		"BHXH":   "bảo hiểm xã hội",
		"CCCD":   "căn cước công dân",
		"CMND":   "chứng minh nhân dân",
		"KCB":    "khám chữa bệnh",
		"ĐK":     "đăng ký",
		"QR":     "kiu a",
		"VietQR": "Việt kiu a",
		"NFC":    "en ép xê",
		"VND":    "đồng",
		"₫":      "đồng",
		"đ":      "đồng",
		"HIS":    "hệ thống thông tin bệnh viện",
		"OK":     "ô kê",
		"PIN":    "pin", // "mã PIN" is said "mã pin", not spelled
		"ID":     "ai đi",
		"Barie":  "Ba ri e",
		"barie":  "ba ri e",
		"mô-đun": "mô đun",
		"Kiosk":  "Ki ốt",
		"kiosk":  "ki ốt",
	},
	English: {
		"BHYT":   "health insurance",
		"BHXH":   "social insurance",
		"CCCD":   "C C C D",
		"QR":     "Q R",
		"VietQR": "Viet Q R",
		"NFC":    "N F C",
		"VND":    "dong",
		"₫":      "dong",
		"ID":     "I D",
		"HIS":    "hospital system",
		"OK":     "okay",
	},
}

// Normalize turns a screen text into what a synthesizer should read: every
// number, amount, date, time and code written out in words the way lang
// says them, acronyms expanded, quotation marks and symbols without a
// reading dropped or turned into pauses. Placeholders ({name}, and the fmt
// verbs %s, %d, %v) are kept as they are, so a template normalises to a
// voice template (see Render).
//
// What it reads (Vietnamese; English alike):
//   - "50.000 ₫", "50.000đ", "50.000 VND" → "năm mươi nghìn đồng";
//   - "1.234.567" → one number; "12" → "mười hai"; "012" (a leading zero)
//     → "không, một, hai";
//   - "04/12/2026" → "ngày bốn tháng mười hai năm hai nghìn không trăm
//     hai mươi sáu" (dd/mm/yyyy, as i18n.Catalog.Date writes it);
//   - "14:30" → "mười bốn giờ ba mươi phút";
//   - "A012", "B2" (up to three capitals then digits) → a code, character
//     by character ("a, không, một, hai");
//   - an acronym in the lexicon ("BHYT" → "bảo hiểm y tế"), any other
//     all-capital word spelled letter by letter;
//   - decomposed Unicode (NFD) is composed first (NFC);
//   - « » “ ” " are dropped, · – — ( ) become a pause (comma), … a stop.
//
// A character with no reading is an ErrUnspeakable error naming it.
func Normalize(lang Lang, text string) (string, error) {
	if len(text) > MaxText {
		return "", fmt.Errorf("%w: %d bytes", ErrTooLong, len(text))
	}
	if !utf8.ValidString(text) {
		return "", fmt.Errorf("%w: invalid UTF-8", ErrUnspeakable)
	}
	// Text from outside (a clinic name from the HIS) may come decomposed
	// (NFD): espeak-ng reads "Nội" as n'O6i1 then, a wrong vowel and tone.
	n := normalizer{lang: lang, src: norm.NFC.String(text)}
	if err := n.run(); err != nil {
		return "", err
	}
	return n.out.String(), nil
}

type normalizer struct {
	lang Lang
	src  string
	pos  int
	out  strings.Builder
	// pause: a pause is due before the next word (a comma unless the text
	// already ended a sentence).
	pause bool
}

func (n *normalizer) run() error {
	for n.pos < len(n.src) {
		r, size := utf8.DecodeRuneInString(n.src[n.pos:])
		switch {
		case r == '{':
			if err := n.placeholder(); err != nil {
				return err
			}
		case r == '%':
			if err := n.percent(); err != nil {
				return err
			}
		case r >= '0' && r <= '9':
			if err := n.number(); err != nil {
				return err
			}
		case unicode.IsLetter(r) || r == '₫':
			if err := n.word(); err != nil {
				return err
			}
		case unicode.IsSpace(r):
			n.pos += size
		default:
			if err := n.punct(r); err != nil {
				return err
			}
			n.pos += size
		}
	}
	return nil
}

// emit appends words, with a space (or a pending pause) before them.
func (n *normalizer) emit(words string) {
	if n.out.Len() > 0 {
		if last, _ := utf8.DecodeLastRuneInString(n.out.String()); n.pause && !strings.ContainsRune(".,;:!?", last) {
			n.out.WriteString(",")
		}
		n.out.WriteByte(' ')
	}
	n.pause = false
	n.out.WriteString(words)
}

// stop ends a clause or sentence with mark, replacing a pending pause.
func (n *normalizer) stop(mark string) {
	n.pause = false
	if n.out.Len() == 0 {
		return
	}
	s := n.out.String()
	if last, _ := utf8.DecodeLastRuneInString(s); strings.ContainsRune(".,;:!?", last) {
		if mark == "," || mark == ";" {
			return
		}
		n.out.Reset()
		n.out.WriteString(strings.TrimRight(s, ".,;:!?"))
	}
	n.out.WriteString(mark)
}

func (n *normalizer) punct(r rune) error {
	switch r {
	case '.', '!', '?', ';', ':', ',':
		n.stop(string(r))
	case '…':
		n.stop(".")
	case '·', '–', '—', '(', ')', '[', ']', '-', '•':
		if n.out.Len() > 0 {
			n.pause = true
		}
	case '/':
		// "A / B" offers a choice: "hoặc"; "Ông/Bà" is read as the two
		// words.
		if n.pos > 0 && n.src[n.pos-1] == ' ' && n.pos+1 < len(n.src) && n.src[n.pos+1] == ' ' {
			n.emit(map[Lang]string{Vietnamese: "hoặc", English: "or"}[n.lang])
		}
	case '«', '»', '“', '”', '"', '‘', '’', '\'', '*', '_':
		// dropped: quotation marks, emphasis, the underscore of a code.
	case '&':
		n.emit(map[Lang]string{Vietnamese: "và", English: "and"}[n.lang])
	case '+':
		n.emit(map[Lang]string{Vietnamese: "cộng", English: "plus"}[n.lang])
	default:
		return unspeakable(n.src, r)
	}
	return nil
}

// placeholder copies "{name}" as it is.
func (n *normalizer) placeholder() error {
	end := strings.IndexByte(n.src[n.pos:], '}')
	if end < 0 {
		return unspeakable(n.src, '{')
	}
	n.emit(n.src[n.pos : n.pos+end+1])
	n.pos += end + 1
	return nil
}

// percent copies a fmt verb (%s, %d, %v) as it is; "%" after a number is
// read by number().
func (n *normalizer) percent() error {
	if n.pos+1 < len(n.src) && strings.IndexByte("sdv", n.src[n.pos+1]) >= 0 {
		n.emit(n.src[n.pos : n.pos+2])
		n.pos += 2
		return nil
	}
	return unspeakable(n.src, '%')
}

// run of bytes from pos while ok.
func (n *normalizer) span(from int, ok func(byte) bool) int {
	i := from
	for i < len(n.src) && ok(n.src[i]) {
		i++
	}
	return i
}

func isDigit(b byte) bool { return b >= '0' && b <= '9' }

// number reads a token starting with a digit.
func (n *normalizer) number() error {
	start := n.pos
	end := n.span(start, isDigit)
	tok := n.src[start:end]
	// dd/mm/yyyy
	if d, ok := n.dateAt(start); ok {
		n.emit(Date(n.lang, d))
		return nil
	}
	// hh:mm
	if end+3 <= len(n.src) && n.src[end] == ':' && isDigit(n.src[end+1]) && isDigit(n.src[end+2]) &&
		(end+3 == len(n.src) || !isDigit(n.src[end+3])) && len(tok) <= 2 {
		h, _ := strconv.Atoi(tok)
		m, _ := strconv.Atoi(n.src[end+1 : end+3])
		if h < 24 && m < 60 {
			n.emit(Clock(n.lang, h, m))
			n.pos = end + 3
			return nil
		}
	}
	// grouped thousands: 1.234.567 (vi) or 1,234,567 (en)
	sep := byte('.')
	if n.lang == English {
		sep = ','
	}
	grouped, gend := n.group(tok, end, sep)
	if n.lang == English && gend == end {
		// The kiosk writes money the Vietnamese way in English too
		// ("50.000 ₫"): dot groups before a currency unit are thousands.
		if g, e := n.group(tok, end, '.'); e > end && len(g) <= 15 {
			n.pos = e
			if n.moneyUnit() {
				n.emit(Money(n.lang, parseAmount(g)))
				return nil
			}
		}
	}
	end = gend
	n.pos = end
	if len(grouped) > 15 {
		// Nobody reads a 16-digit number as a quantity: say the digits.
		n.emit(Digits(n.lang, grouped))
		return nil
	}
	v := parseAmount(grouped)
	switch {
	case n.moneyUnit():
		n.emit(Money(n.lang, v))
	case n.pos < len(n.src) && n.src[n.pos] == '%':
		n.pos++
		n.emit(Number(n.lang, v) + map[Lang]string{Vietnamese: " phần trăm", English: " percent"}[n.lang])
	case len(grouped) > 1 && grouped[0] == '0' && grouped == tok:
		n.emit(Digits(n.lang, grouped))
	default:
		n.emit(Number(n.lang, v))
	}
	return nil
}

// group extends the digits tok ending at end over thousands groups
// "<sep>ddd" and returns them joined and where they end.
func (n *normalizer) group(tok string, end int, sep byte) (string, int) {
	grouped := tok
	for len(tok) <= 3 && end+4 <= len(n.src) && n.src[end] == sep &&
		isDigit(n.src[end+1]) && isDigit(n.src[end+2]) && isDigit(n.src[end+3]) &&
		(end+4 == len(n.src) || !isDigit(n.src[end+4])) {
		grouped += n.src[end+1 : end+4]
		end += 4
	}
	return grouped, end
}

// parseAmount reads at most 15 digits (the caller bounds them).
func parseAmount(digits string) int64 {
	v, _ := strconv.ParseInt(digits, 10, 64)
	return v
}

// moneyUnit consumes a currency unit after an amount: "₫", "đ", "VND",
// "đồng", "dong" (with or without a space).
func (n *normalizer) moneyUnit() bool {
	rest := strings.TrimLeft(n.src[n.pos:], " \u00a0\u202f")
	for _, u := range []string{"₫", "VND", "đồng", "đ", "dong"} {
		if !strings.HasPrefix(rest, u) {
			continue
		}
		after := rest[len(u):]
		if r, _ := utf8.DecodeRuneInString(after); after != "" && (unicode.IsLetter(r) || unicode.IsDigit(r)) {
			continue
		}
		n.pos = len(n.src) - len(after)
		return true
	}
	return false
}

// dateAt parses dd/mm/yyyy at i.
func (n *normalizer) dateAt(i int) (time.Time, bool) {
	s := n.src[i:]
	if len(s) < 10 || s[2] != '/' || s[5] != '/' {
		return time.Time{}, false
	}
	if len(s) > 10 && isDigit(s[10]) {
		return time.Time{}, false
	}
	t, err := time.Parse("02/01/2006", s[:10])
	if err != nil {
		return time.Time{}, false
	}
	n.pos = i + 10
	return t, true
}

// word reads a token starting with a letter: a word, an acronym, or a
// code of capitals and digits.
func (n *normalizer) word() error {
	start := n.pos
	i := start
	for i < len(n.src) {
		r, size := utf8.DecodeRuneInString(n.src[i:])
		if !(unicode.IsLetter(r) || unicode.IsDigit(r) || r == '₫' || unicode.Is(unicode.Mn, r)) {
			// a hyphen inside a word ("mô-đun") stays with it, and so does
			// an apostrophe ("card's", "I'm")
			if (r == '-' || r == '\'' || r == '’') && i+size < len(n.src) {
				if r2, _ := utf8.DecodeRuneInString(n.src[i+size:]); unicode.IsLetter(r2) {
					i += size
					continue
				}
			}
			break
		}
		i += size
	}
	tok := n.src[start:i]
	n.pos = i
	if _, ok := lexicon[n.lang][tok]; !ok && n.lang != English && strings.Contains(tok, "-") {
		// A Vietnamese loanword is read syllable by syllable ("mô-đun").
		for _, part := range strings.Split(tok, "-") {
			if part != "" {
				if err := n.token(part); err != nil {
					return err
				}
			}
		}
		return nil
	}
	return n.token(tok)
}

// token reads one word, acronym or code.
func (n *normalizer) token(tok string) error {
	tok = strings.Trim(tok, "'’-")
	// A combining mark with no letter before it (after a digit) has
	// nothing to sit on.
	tok = strings.TrimLeftFunc(tok, func(r rune) bool { return unicode.Is(unicode.Mn, r) })
	if tok == "" {
		return nil
	}
	if say, ok := lexicon[n.lang][tok]; ok {
		n.emit(say)
		return nil
	}
	letters, digits := splitCode(tok)
	switch {
	case digits != "" && letters != "" && isCapitals(letters) && utf8.RuneCountInString(letters) <= 3:
		s, err := Code(n.lang, tok)
		if err != nil {
			return err
		}
		n.emit(s)
	case strings.ContainsAny(tok, "0123456789"):
		return n.mixed(tok)
	case utf8.RuneCountInString(tok) >= 2 && isCapitals(tok):
		s, err := Code(n.lang, tok)
		if err != nil {
			return err
		}
		n.emit(strings.ReplaceAll(s, ",", ""))
	case strings.Contains(tok, "’"):
		n.emit(strings.ReplaceAll(tok, "’", "'"))
	default:
		n.emit(tok)
	}
	return nil
}

// mixed reads a token of letters and digits that is not a plain code
// ("Covid19", "P2a"): letter runs as words, digit runs as numbers.
func (n *normalizer) mixed(tok string) error {
	for tok != "" {
		r, _ := utf8.DecodeRuneInString(tok)
		j := 0
		for j < len(tok) {
			r2, size := utf8.DecodeRuneInString(tok[j:])
			if unicode.IsDigit(r2) != unicode.IsDigit(r) {
				break
			}
			j += size
		}
		part := tok[:j]
		tok = tok[j:]
		if unicode.IsDigit(r) {
			if len(part) > 1 && part[0] == '0' || len(part) > 15 {
				n.emit(Digits(n.lang, part))
				continue
			}
			v, _ := strconv.ParseInt(part, 10, 64)
			n.emit(Number(n.lang, v))
			continue
		}
		if err := n.token(part); err != nil {
			return err
		}
	}
	return nil
}

// splitCode splits "A012" into its leading letters and the digits after
// them; digits is "" unless the rest is all digits.
func splitCode(tok string) (letters, digits string) {
	i := 0
	for i < len(tok) {
		r, size := utf8.DecodeRuneInString(tok[i:])
		if !unicode.IsLetter(r) {
			break
		}
		i += size
	}
	rest := tok[i:]
	for j := 0; j < len(rest); j++ {
		if !isDigit(rest[j]) {
			return tok, ""
		}
	}
	return tok[:i], rest
}

func isCapitals(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if !unicode.IsUpper(r) {
			return false
		}
	}
	return true
}

// Package vnime is the kiosk's Vietnamese input method: it turns the keys
// typed on the on-screen keyboard into Vietnamese text with its
// diacritics, the way the Telex and VNI conventions every Vietnamese
// computer user knows do ("Nguyeenx" and "Nguye6n4" both give "Nguyễn"),
// so an elderly citizen can type their name and address as on a PC.
//
// Composer keeps the text being typed. Each key is applied to the word at
// the end of the text (the letters after the last space, digit or
// punctuation): tone keys (Telex s f r x j, z to remove; VNI 1–5, 0 to
// remove) set the word's tone, mark keys (Telex aa ee oo aw ow uw w dd;
// VNI 6 7 8 9) add a letter's own mark to the right vowel of the word,
// not only to the letter just typed ("nguyene" → "nguyên", "nguoiw" →
// "nguơi" → "người"). Pressing a tone or mark key a second time undoes it
// and types the key itself ("ass" → "as", "aaa" → "aa"), as Unikey does.
// The tone is kept per word and placed again after every key by the
// orthographic rules (toneIndex), so "hoaf" + "n" gives "hoàn" from
// "hòa". A word that cannot be a Vietnamese syllable (a foreign name, an
// e-mail address) is left alone: its keys type themselves.
//
// Tone placement: the old style (StyleOld, "hòa", "thủy", "khỏe") is the
// default because it is what the population database and the CCCD print
// names in, so a name typed on the kiosk reads as on the card; StyleNew
// ("hoà", "thuỷ", "khoẻ") is there for an office that wants it.
//
// Backspace deletes the last letter with all its marks (what the citizen
// sees go away) and places the word's tone again on what is left: in the
// old style "toàn" ⌫ gives "tòa", not "toà". The letter that carried the
// tone takes it along ("Nguyễ" ⌫ gives "Nguy").
//
// The output is NFC: precomposed letters only. Text is bounded (MaxRunes
// by default 256); keys past the bound are refused.
//
// This package is pure Go (no Fyne): the on-screen keyboard widget under
// ui/ uses it. It imports only the standard library.
package vnime

import (
	"unicode"
	"unicode/utf8"
)

// Method is an input convention.
type Method uint8

// Input methods.
const (
	Off   Method = iota // every key types itself
	Telex               // letters: s f r x j z tones; aa ee oo aw ow uw w dd marks
	VNI                 // digits: 1–5 tones, 0 none; 6 ^, 7 horn, 8 breve, 9 đ
)

// String names the method.
func (m Method) String() string {
	switch m {
	case Telex:
		return "telex"
	case VNI:
		return "vni"
	}
	return "off"
}

// Style is where the tone goes on the open syllables oa, oe, uy.
type Style uint8

// Tone placement styles.
const (
	StyleOld Style = iota // hòa, khỏe, thủy: as on the CCCD (default)
	StyleNew              // hoà, khoẻ, thuỷ
)

// DefaultMaxRunes bounds the text of a Composer with MaxRunes 0.
const DefaultMaxRunes = 256

// Composer is text being typed with an input method. The zero value types
// with Off; use New. Not safe for concurrent use (one keyboard).
type Composer struct {
	Method Method
	Style  Style
	// MaxRunes bounds the text (0: DefaultMaxRunes).
	MaxRunes int

	buf []rune
}

// New returns an empty Composer.
func New(m Method, s Style) *Composer { return &Composer{Method: m, Style: s} }

// Compose types keys on a new Composer and returns the text.
func Compose(m Method, s Style, keys string) string {
	c := New(m, s)
	for _, r := range keys {
		c.Key(r)
	}
	return c.Text()
}

// Text returns the text typed so far (NFC).
func (c *Composer) Text() string { return string(c.buf) }

// Len is the number of runes in the text.
func (c *Composer) Len() int { return len(c.buf) }

// Reset empties the text.
func (c *Composer) Reset() { c.buf = c.buf[:0] }

// SetText replaces the text (an existing value to edit). Invalid UTF-8 and
// control characters are dropped; the text is cut at MaxRunes.
func (c *Composer) SetText(s string) {
	c.buf = c.buf[:0]
	for _, r := range s {
		if r == utf8.RuneError || unicode.IsControl(r) {
			continue
		}
		if len(c.buf) >= c.max() {
			break
		}
		c.buf = append(c.buf, r)
	}
}

func (c *Composer) max() int {
	if c.MaxRunes > 0 {
		return c.MaxRunes
	}
	return DefaultMaxRunes
}

// Key applies one key. It reports false when the key was refused: a
// control character or invalid rune, or text already at MaxRunes (a key
// that only changes a mark or tone is taken even then).
func (c *Composer) Key(r rune) bool {
	if r == utf8.RuneError || r < 0 || unicode.IsControl(r) || !utf8.ValidRune(r) {
		return false
	}
	ws := c.wordStart()
	w := make([]letter, 0, len(c.buf)-ws+1)
	for _, x := range c.buf[ws:] {
		l, _ := decompose(x)
		w = append(w, l)
	}
	out, ok := c.apply(r, w)
	if !ok {
		if len(c.buf) >= c.max() {
			return false
		}
		l, isLetter := decompose(r)
		if !isLetter {
			c.buf = append(c.buf, r)
			return true
		}
		out = append(w, l)
	}
	if ws+len(out) > c.max() {
		return false
	}
	c.setWord(ws, retone(out, c.Style))
	return true
}

// Backspace deletes the last letter (with its marks) or character, and
// places the remaining word's tone again.
func (c *Composer) Backspace() {
	if len(c.buf) == 0 {
		return
	}
	ws := c.wordStart()
	if ws == len(c.buf) {
		c.buf = c.buf[:len(c.buf)-1]
		return
	}
	w := make([]letter, 0, len(c.buf)-ws)
	for _, x := range c.buf[ws:] {
		l, _ := decompose(x)
		w = append(w, l)
	}
	tone := wordTone(w)
	if w[len(w)-1].tone != ToneNone {
		tone = ToneNone // the letter carried the tone: it goes with it
	}
	w = w[:len(w)-1]
	clearTones(w)
	if tone != ToneNone {
		if i := toneIndex(w, analyse(w), c.Style); i >= 0 {
			w[i].tone = tone
		}
	}
	c.setWord(ws, w)
}

// wordStart is the index of the first rune of the word at the end of the
// text.
func (c *Composer) wordStart() int {
	i := len(c.buf)
	for i > 0 {
		if _, ok := decompose(c.buf[i-1]); !ok {
			break
		}
		i--
	}
	return i
}

func (c *Composer) setWord(ws int, w []letter) {
	c.buf = c.buf[:ws]
	for _, l := range w {
		c.buf = append(c.buf, l.compose())
	}
}

// apply runs the method's rules for key on word w; ok is false when the
// key is to be typed as itself.
func (c *Composer) apply(key rune, w []letter) ([]letter, bool) {
	switch c.Method {
	case Telex:
		return telex(key, w)
	case VNI:
		return vni(key, w)
	}
	return nil, false
}

// wordTone is the tone written on w (the last one, should there be more).
func wordTone(w []letter) Tone {
	t := ToneNone
	for _, l := range w {
		if l.tone != ToneNone {
			t = l.tone
		}
	}
	return t
}

// clearTones removes every tone from w.
func clearTones(w []letter) {
	for i := range w {
		w[i].tone = ToneNone
	}
}

// retone moves the word's tone to the vowel the rules name, when the word
// is a Vietnamese syllable; a foreign word keeps its letters as typed.
func retone(w []letter, style Style) []letter {
	s := analyse(w)
	if !s.ok {
		return w
	}
	t := wordTone(w)
	if t == ToneNone {
		return w
	}
	clearTones(w)
	w[toneIndex(w, s, style)].tone = t
	return w
}

// withTone sets w's tone to t; Key places it again with retone in the
// composer's style.
func withTone(w []letter, t Tone) []letter {
	clearTones(w)
	w[toneIndex(w, analyse(w), StyleOld)].tone = t
	return w
}

// literal is key typed as itself (a letter of its own case, or a digit
// after an undone VNI key).
func literal(key rune) letter {
	if l, ok := decompose(key); ok {
		return l
	}
	return letter{base: key}
}

// toneKey handles a tone key: set the tone, or undo it (and type the key)
// when the word already has it.
func toneKey(key rune, t Tone, w []letter) ([]letter, bool) {
	if !analyse(w).ok {
		return nil, false
	}
	if wordTone(w) == t {
		clearTones(w)
		return append(w, literal(key)), true
	}
	return withTone(w, t), true
}

// clearTone removes the tone (Telex z, VNI 0); nothing to clear types the
// key.
func clearTone(w []letter) ([]letter, bool) {
	if !analyse(w).ok || wordTone(w) == ToneNone {
		return nil, false
	}
	clearTones(w)
	return w, true
}

// markVowel gives the last vowel of the nucleus whose base is one of bases
// the mark m (bases[i] → marks[i]); a vowel that already has it loses it
// and the key is typed (undo).
func markVowel(key rune, w []letter, bases string, m Mark) ([]letter, bool) {
	s := analyse(w)
	if !s.ok {
		return nil, false
	}
	for k := s.end - 1; k >= s.start; k-- {
		if !containsRune(bases, w[k].base) {
			continue
		}
		if w[k].mark == m {
			w[k].mark = MarkNone
			return append(w, literal(key)), true
		}
		w[k].mark = m
		return w, true
	}
	return nil, false
}

// hornKey handles the horn (Telex w, VNI 7): "uo" takes it on both
// letters (ươ); otherwise the last o or u. Telex also breves an a (w is
// both marks in Telex).
func hornKey(key rune, w []letter, breve bool) ([]letter, bool) {
	s := analyse(w)
	if !s.ok {
		return nil, false
	}
	for k := s.start; k+1 < s.end; k++ {
		if w[k].base == 'u' && w[k+1].base == 'o' {
			if w[k].mark == MarkHorn && w[k+1].mark == MarkHorn {
				w[k].mark, w[k+1].mark = MarkNone, MarkNone
				return append(w, literal(key)), true
			}
			w[k].mark, w[k+1].mark = MarkHorn, MarkHorn
			return w, true
		}
	}
	for k := s.end - 1; k >= s.start; k-- {
		switch b := w[k].base; {
		case b == 'o' || b == 'u':
			return toggle(key, w, k, MarkHorn), true
		case b == 'a' && breve:
			return toggle(key, w, k, MarkBreve), true
		}
	}
	return nil, false
}

func toggle(key rune, w []letter, k int, m Mark) []letter {
	if w[k].mark == m {
		w[k].mark = MarkNone
		return append(w, literal(key))
	}
	w[k].mark = m
	return w
}

// strokeD turns the initial d into đ (Telex dd, VNI 9), or back.
func strokeD(key rune, w []letter) ([]letter, bool) {
	if len(w) == 0 || w[0].base != 'd' || !w[0].viet {
		return nil, false
	}
	if s := analyse(w); !s.ok {
		// Only "d…" with no vowel yet (or a syllable) may be stroked.
		if _, cons := consonants(w); !cons {
			return nil, false
		}
	}
	if w[0].mark == MarkStroke {
		w[0].mark = MarkNone
		return append(w, literal(key)), true
	}
	w[0].mark = MarkStroke
	return w, true
}

func containsRune(s string, r rune) bool {
	for _, x := range s {
		if x == r {
			return true
		}
	}
	return false
}

// telexTones are the Telex tone keys.
var telexTones = map[rune]Tone{'s': ToneAcute, 'f': ToneGrave, 'r': ToneHook, 'x': ToneTilde, 'j': ToneDot}

func telex(key rune, w []letter) ([]letter, bool) {
	k := unicode.ToLower(key)
	if t, ok := telexTones[k]; ok {
		return toneKey(key, t, w)
	}
	switch k {
	case 'z':
		return clearTone(w)
	case 'a', 'e', 'o':
		return markVowel(key, w, string(k), MarkCircumflex)
	case 'd':
		return strokeD(key, w)
	case 'w':
		if out, ok := hornKey(key, w, true); ok {
			return out, true
		}
		// w after consonants (or alone) is ư: "tw" → "tư".
		if _, cons := consonants(w); cons {
			u := letter{base: 'u', mark: MarkHorn, upper: unicode.IsUpper(key), viet: true}
			if out := append(w, u); analyse(out).ok {
				return out, true
			}
		}
	}
	return nil, false
}

// vniTones are the VNI tone digits.
var vniTones = map[rune]Tone{'1': ToneAcute, '2': ToneGrave, '3': ToneHook, '4': ToneTilde, '5': ToneDot}

func vni(key rune, w []letter) ([]letter, bool) {
	if len(w) == 0 {
		return nil, false
	}
	if t, ok := vniTones[key]; ok {
		return toneKey(key, t, w)
	}
	switch key {
	case '0':
		return clearTone(w)
	case '6':
		return markVowel(key, w, "aeo", MarkCircumflex)
	case '7':
		return hornKey(key, w, false)
	case '8':
		return markVowel(key, w, "a", MarkBreve)
	case '9':
		return strokeD(key, w)
	}
	return nil, false
}

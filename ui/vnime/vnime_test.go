package vnime

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// realWords are real Vietnamese words and names (old-style tones, as the
// CCCD prints them): family names, given names, places, the one-stop
// procedures' words.
var realWords = []string{
	"Nguyễn", "Trần", "Lê", "Phạm", "Huỳnh", "Hoàng", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Dương", "Lý",
	"Thị", "Văn", "Hòa", "Thủy", "Khỏe", "Thúy", "Xuân", "Thuận", "Lộc", "Phước", "Hiếu", "Thảo", "Oanh", "Tuấn",
	"Huế", "Thừa", "Thiên", "Hà", "Nội", "Đà", "Nẵng", "Cần", "Thơ", "Hải", "Phòng", "Nghệ", "An", "Quảng", "Trị",
	"Ngãi", "Khánh", "Tuyên", "Quang", "Yên", "Bái", "Phường", "Quận", "Tỉnh", "Thành", "phố", "Việt", "Nam",
	"đăng", "ký", "thường", "trú", "tạm", "thông", "báo", "lưu", "hộ", "chiếu", "căn", "cước", "công", "dân",
	"cấp", "đổi", "thẻ", "lý", "lịch", "tư", "pháp", "khai", "sinh", "người", "được", "giữ", "gìn", "già",
	"khuỷu", "ngoài", "xoáy", "quyển", "quốc", "hữu", "cửa", "mưa", "tươi", "chuối", "yếu", "tiếng", "nghiêng",
	"NGUYỄN", "ĐẶNG", "HUẾ",
}

// telexKeys spells a word in Telex the way a typist does: each letter's
// own mark right after it, the tone key at the end.
func telexKeys(word string) string {
	var b strings.Builder
	tone := ToneNone
	for _, r := range word {
		l, _ := decompose(r)
		base := l.base
		if l.upper {
			base -= 'a' - 'A'
		}
		b.WriteRune(base)
		switch l.mark {
		case MarkCircumflex:
			b.WriteRune(base)
		case MarkBreve, MarkHorn:
			b.WriteRune('w')
		case MarkStroke:
			b.WriteRune(base)
		}
		if l.tone != ToneNone {
			tone = l.tone
		}
	}
	if tone != ToneNone {
		b.WriteRune([...]rune{0, 'f', 's', 'r', 'x', 'j'}[tone])
	}
	return b.String()
}

// vniKeys spells a word in VNI: letter, its mark digit, the tone digit at
// the end.
func vniKeys(word string) string {
	var b strings.Builder
	tone := ToneNone
	for _, r := range word {
		l, _ := decompose(r)
		base := l.base
		if l.upper {
			base -= 'a' - 'A'
		}
		b.WriteRune(base)
		if l.mark != MarkNone {
			b.WriteRune([...]rune{0, '6', '8', '7', '9'}[l.mark])
		}
		if l.tone != ToneNone {
			tone = l.tone
		}
	}
	if tone != ToneNone {
		b.WriteRune([...]rune{0, '2', '1', '3', '4', '5'}[tone])
	}
	return b.String()
}

func TestRealWordsRoundTrip(t *testing.T) {
	for _, w := range realWords {
		if got := Compose(Telex, StyleOld, telexKeys(w)); got != w {
			t.Errorf("Telex %q → %q, want %q", telexKeys(w), got, w)
		}
		if got := Compose(VNI, StyleOld, vniKeys(w)); got != w {
			t.Errorf("VNI %q → %q, want %q", vniKeys(w), got, w)
		}
	}
}

func TestCompose(t *testing.T) {
	for _, tc := range []struct {
		m     Method
		s     Style
		keys  string
		want  string
		about string
	}{
		{Telex, StyleOld, "Nguyeenx", "Nguyễn", "the brief's example"},
		{VNI, StyleOld, "Nguye6n4", "Nguyễn", "the brief's example"},
		{Telex, StyleOld, "Nguyeenx Thij Hoaf", "Nguyễn Thị Hòa", "a full name, old style"},
		{Telex, StyleNew, "Nguyeenx Thij Hoaf", "Nguyễn Thị Hoà", "a full name, new style"},
		{Telex, StyleOld, "thuyr", "thủy", "uy open: first vowel"},
		{Telex, StyleNew, "thuyr", "thuỷ", "uy open: second vowel"},
		{Telex, StyleOld, "khoer", "khỏe", "oe open"},
		{Telex, StyleNew, "khoer", "khoẻ", "oe open, new"},
		{Telex, StyleOld, "hoafn", "hoàn", "the tone moves when a final comes"},
		{Telex, StyleNew, "mufa", "mùa", "ua is not a new-style pair"},
		{Telex, StyleOld, "nguyene", "nguyên", "a mark key after the final"},
		{Telex, StyleOld, "nguoiwf", "người", "w gives ươ its two horns"},
		{Telex, StyleOld, "dduwowcj", "được", "dd and uw ow"},
		{Telex, StyleOld, "tieengs Vieejt", "tiếng Việt", "two words"},
		{Telex, StyleOld, "w", "ư", "w alone"},
		{Telex, StyleOld, "tw", "tư", "w after a consonant"},
		{Telex, StyleOld, "quoocs", "quốc", "qu: u is the initial's"},
		{Telex, StyleOld, "giaf", "già", "gi: i is the initial's"},
		{Telex, StyleOld, "gif", "gì", "gi alone keeps its i"},
		{Telex, StyleOld, "ass", "as", "a second tone key undoes and types itself"},
		{Telex, StyleOld, "aaa", "aa", "a third a undoes"},
		{Telex, StyleOld, "ddd", "dd", "a third d undoes"},
		{Telex, StyleOld, "aww", "aw", "a second w undoes"},
		{Telex, StyleOld, "hoafz", "hoa", "z clears the tone"},
		{Telex, StyleOld, "hoasf", "hòa", "another tone replaces"},
		{Telex, StyleOld, "emails", "emails", "a foreign word is left alone"},
		{Telex, StyleOld, "Số 12", "Số 12", "digits type themselves in Telex"},
		{Telex, StyleOld, "NGUYEENX", "NGUYỄN", "capitals keep their case"},
		{Telex, StyleOld, "DDawngj", "Đặng", "DD"},
		{VNI, StyleOld, "Vie65t", "Việt", "VNI mark then tone"},
		{VNI, StyleOld, "d9u7o7c5", "được", "VNI horns and đ"},
		{VNI, StyleOld, "duoc79", "đươc", "7 on uo, 9 strokes the initial d"},
		{VNI, StyleOld, "a11", "a1", "a second tone digit undoes"},
		{VNI, StyleOld, "Phong2 101", "Phòng 101", "digits after a space stay digits"},
		{Off, StyleOld, "Nguyeenx", "Nguyeenx", "off types keys"},
	} {
		if got := Compose(tc.m, tc.s, tc.keys); got != tc.want {
			t.Errorf("%s %q (%s): %q, want %q", tc.m, tc.keys, tc.about, got, tc.want)
		}
	}
}

func TestBackspace(t *testing.T) {
	for _, tc := range []struct {
		s     Style
		keys  string
		back  int
		want  string
		about string
	}{
		{StyleOld, "toanf", 1, "tòa", "the tone moves back to the first vowel"},
		{StyleNew, "toanf", 1, "toà", "new style keeps it on the second"},
		{StyleOld, "Nguyeenx", 1, "Nguyễ", "the last letter goes, marks stay"},
		{StyleOld, "Nguyeenx", 2, "Nguy", "ễ goes whole: letter, circumflex and tone"},
		{StyleOld, "ban ", 1, "ban", "a space"},
		{StyleOld, "ba", 5, "", "more backspaces than text"},
		{StyleOld, "hoaf", 1, "hò", "the tone stays while a vowel does"},
		{StyleOld, "as", 1, "", "the last vowel takes the tone with it"},
		{StyleNew, "hoaf", 1, "ho", "the letter that carried the tone takes it"},
	} {
		c := New(Telex, tc.s)
		for _, r := range tc.keys {
			c.Key(r)
		}
		for range tc.back {
			c.Backspace()
		}
		if got := c.Text(); got != tc.want {
			t.Errorf("%q ⌫×%d (%s): %q, want %q", tc.keys, tc.back, tc.about, got, tc.want)
		}
	}
	// Typing goes on from what backspace left.
	c := New(Telex, StyleOld)
	for _, r := range "toanf" {
		c.Key(r)
	}
	c.Backspace()
	c.Key('n')
	if c.Text() != "toàn" {
		t.Errorf("retyped: %q", c.Text())
	}
}

func TestBounds(t *testing.T) {
	c := &Composer{Method: Telex, MaxRunes: 5}
	for _, r := range "abcdefgh" {
		c.Key(r)
	}
	if c.Text() != "abcde" {
		t.Fatalf("bounded text %q", c.Text())
	}
	if c.Key('x') {
		t.Fatal("a key past the bound was taken")
	}
	c.SetText("chanh")
	if !c.Key('s') || c.Text() != "chánh" {
		t.Fatalf("a tone key at the bound: %q", c.Text())
	}
	if c.Key('\n') || c.Key(0x7f) || c.Key(utf8.RuneError) {
		t.Fatal("control characters were taken")
	}
	c.MaxRunes = 0
	c.SetText("xin\x00 chào\xff")
	if c.Text() != "xin chào" {
		t.Fatalf("SetText kept controls or invalid bytes: %q", c.Text())
	}
}

// FuzzComposer: any keys, with backspaces (0x08) among them, give valid
// UTF-8 within the bound, and as many backspaces as runes empty the text.
func FuzzComposer(f *testing.F) {
	f.Add("Nguyeenx Thij Hoaf", byte(1))
	f.Add("Nguye6n4\bx", byte(2))
	f.Add("dduwowcjwwwsfrxjz\b\b", byte(1))
	f.Add("ươ\u0301 quoocs giaf", byte(1))
	f.Fuzz(func(t *testing.T, keys string, m byte) {
		c := New(Method(m%3), Style(m/3%2))
		for _, r := range keys {
			if r == '\b' {
				c.Backspace()
				continue
			}
			c.Key(r)
		}
		got := c.Text()
		if !utf8.ValidString(got) || c.Len() > DefaultMaxRunes || utf8.RuneCountInString(got) != c.Len() {
			t.Fatalf("text %q (%d runes)", got, c.Len())
		}
		for n := c.Len(); n > 0; n-- {
			c.Backspace()
		}
		if c.Text() != "" {
			t.Fatalf("%d backspaces left %q", utf8.RuneCountInString(got), c.Text())
		}
	})
}

func BenchmarkTelexName(b *testing.B) {
	keys := "Nguyeenx Thij Thuyr Tieen Hoafng"
	for b.Loop() {
		_ = Compose(Telex, StyleOld, keys)
	}
}

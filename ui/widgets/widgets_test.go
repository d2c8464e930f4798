package widgets

import (
	"errors"
	"image"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	kiosktheme "github.com/kiosk06/kiosk/ui/theme"
)

func newApp(t *testing.T) {
	t.Helper()
	a := test.NewTempApp(t)
	a.Settings().SetTheme(kiosktheme.New(kiosktheme.Options{}))
}

func TestButtonTouchTargetAndTaps(t *testing.T) {
	newApp(t)
	taps := 0
	b := NewButton("OK", Primary, func() { taps++ })
	test.NewTempWindow(t, b)
	if s := b.MinSize(); s.Width < kiosktheme.TouchTarget || s.Height < kiosktheme.TouchTarget {
		t.Errorf("MinSize %v under the %v touch target", s, kiosktheme.TouchTarget)
	}
	test.Tap(b)
	b.Disable()
	test.Tap(b)
	b.Enable()
	test.Tap(b)
	if taps != 2 {
		t.Errorf("taps = %d, want 2 (the disabled tap ignored)", taps)
	}
	NewButton("nil handler", Secondary, nil).Tapped(nil) // must not panic
}

func TestKeypad(t *testing.T) {
	newApp(t)
	var submitted string
	k := NewKeypad(KeypadLabels{Delete: "Xóa", OK: "Xong"}, 6, 6, func(v string) { submitted = v })
	var changes int
	k.OnChanged = func(string) { changes++ }
	test.NewTempWindow(t, k)
	if !k.OKButton().Disabled() {
		t.Fatal("OK enabled with no digits")
	}
	for _, d := range []int{1, 2, 3, 4, 5, 6, 7} { // the 7th is over MaxLen
		test.Tap(k.Digit(d))
	}
	if k.Value() != "123456" {
		t.Fatalf("Value = %q", k.Value())
	}
	test.Tap(k.DeleteButton())
	if k.Value() != "12345" || !k.OKButton().Disabled() {
		t.Fatalf("after delete: %q, OK disabled %v", k.Value(), k.OKButton().Disabled())
	}
	test.Tap(k.Digit(0))
	test.Tap(k.OKButton())
	if submitted != "123450" {
		t.Errorf("submitted %q", submitted)
	}
	if changes != 8 {
		t.Errorf("OnChanged called %d times, want 8", changes)
	}
	k.Press('x') // ignored
	k.Reset()
	k.Press('\b') // on empty: ignored
	if k.Value() != "" {
		t.Errorf("after Reset: %q", k.Value())
	}
	k.Mask = true
	k.Press('9')
	if got := k.display.Text; !strings.HasPrefix(got, "•") || strings.Contains(got, "9") {
		t.Errorf("masked display %q shows the digit", got)
	}
}

// TestKeypadGroups: a date keypad shows its format while typing; the value
// stays digits only.
func TestKeypadGroups(t *testing.T) {
	newApp(t)
	k := NewKeypad(KeypadLabels{Delete: "Xóa", OK: "Xong"}, 8, 8, nil)
	k.Groups, k.Separator = []int{2, 2, 4}, "/"
	test.NewTempWindow(t, k)
	for in, want := range map[string]string{
		"":         "_ _ / _ _ / _ _ _ _",
		"050":      "0 5 / 0 _ / _ _ _ _",
		"05032019": "0 5 / 0 3 / 2 0 1 9",
	} {
		k.SetValue(in)
		if k.Text() != want || k.Value() != in {
			t.Errorf("SetValue(%q): shows %q (value %q), want %q", in, k.Text(), k.Value(), want)
		}
	}
}

// TestKeyboard: every key reports its rune, the wide keys backspace and
// space, Done calls done.
func TestKeyboard(t *testing.T) {
	newApp(t)
	var typed []rune
	done := false
	kb := NewKeyboard(8, KeyboardLabels{Delete: "Xóa", Space: "Dấu cách", Done: "Xong"}, func(r rune) { typed = append(typed, r) }, func() { done = true })
	w := test.NewTempWindow(t, kb)
	w.Resize(fyne.NewSize(1080, 900))
	buttons := map[string]*Button{}
	var walk func(o fyne.CanvasObject)
	walk = func(o fyne.CanvasObject) {
		switch x := o.(type) {
		case *Button:
			buttons[x.Text] = x
		case *fyne.Container:
			for _, c := range x.Objects {
				walk(c)
			}
		}
	}
	walk(kb)
	for _, l := range []string{"a", "z", "9", "Dấu cách", "Xóa", "Xong"} {
		b := buttons[l]
		if b == nil {
			t.Fatalf("no key %q", l)
		}
		if b.Size().Height < kiosktheme.TouchTarget {
			t.Errorf("key %q is %v, under the touch target", l, b.Size())
		}
		test.Tap(b)
	}
	if string(typed) != "az9 \b" || !done {
		t.Errorf("typed %q, done %v", string(typed), done)
	}
}

func TestKeypadSetValue(t *testing.T) {
	newApp(t)
	k := NewKeypad(KeypadLabels{Delete: "Xóa", OK: "Xong"}, 6, 6, nil)
	changed := false
	k.OnChanged = func(string) { changed = true }
	test.NewTempWindow(t, k)
	for in, want := range map[string]string{"0123": "0123", "01 23-4x5": "012345", "01234567": "012345", "": "", "١٢٣": ""} {
		k.SetValue(in)
		if k.Value() != want {
			t.Errorf("SetValue(%q): %q, want %q", in, k.Value(), want)
		}
		if k.OKButton().Disabled() != (len(want) < 6) {
			t.Errorf("SetValue(%q): OK disabled %v", in, k.OKButton().Disabled())
		}
	}
	if changed {
		t.Error("SetValue called OnChanged")
	}
}

func TestProgressClamps(t *testing.T) {
	newApp(t)
	p := NewProgress(-1, "")
	test.NewTempWindow(t, p)
	for in, want := range map[float64]float64{-0.5: 0, 0.4: 0.4, 2: 1} {
		p.Set(in, "Đang đọc chip…")
		if p.Fraction() != want {
			t.Errorf("Set(%v): fraction %v, want %v", in, p.Fraction(), want)
		}
	}
}

func TestCountdown(t *testing.T) {
	newApp(t)
	now := time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC)
	c := NewCountdown(now.Add(90*time.Second), func() time.Time { return now }, func(d time.Duration) string { return d.String() })
	test.NewTempWindow(t, c)
	if c.Text() != "1m30s" {
		t.Errorf("Text = %q", c.Text())
	}
	now = now.Add(2 * time.Minute)
	c.Tick()
	if c.Text() != "0s" || c.Remaining() != 0 {
		t.Errorf("after the deadline: %q %v", c.Text(), c.Remaining())
	}
}

func TestQRImage(t *testing.T) {
	img, err := QRImage("00020101021238570010A000000727")
	if err != nil {
		t.Fatal(err)
	}
	g := img.(*image.Gray)
	n := g.Bounds().Dx()
	// Version 2 (25 modules) at level M holds 30 bytes; plus 2×4 quiet zone.
	if n != 25+8 {
		t.Errorf("side %d modules, want 33", n)
	}
	// Quiet zone white, finder pattern's top-left module black (ISO/IEC 18004 §6.3.3).
	if g.GrayAt(0, 0).Y != 0xff || g.GrayAt(4, 4).Y != 0 {
		t.Error("quiet zone or finder pattern wrong")
	}
	for _, bad := range []string{"", strings.Repeat("x", MaxQRPayload+1)} {
		if _, err := QRImage(bad); !errors.Is(err, ErrQRPayload) {
			t.Errorf("QRImage(%d bytes) err = %v", len(bad), err)
		}
	}
}

func TestNewQRCodeWholeModules(t *testing.T) {
	newApp(t)
	ci, err := NewQRCode("00020101021238570010A000000727", 440)
	if err != nil {
		t.Fatal(err)
	}
	side := ci.Image.Bounds().Dx()
	if side%33 != 0 || side > 440 || side < 400 {
		t.Errorf("image side %d: want a multiple of 33 modules ≤ 440", side)
	}
	if ci.MinSize() != fyne.NewSize(float32(side), float32(side)) {
		t.Errorf("MinSize %v", ci.MinSize())
	}
}

func FuzzQRImage(f *testing.F) {
	f.Add("00020101021238570010A000000727")
	f.Add("")
	f.Add(strings.Repeat("\xff", 600))
	f.Fuzz(func(t *testing.T, s string) {
		img, err := QRImage(s)
		if err == nil && img.Bounds().Dx() < 21+8 {
			t.Fatalf("impossible QR size %v", img.Bounds())
		}
	})
}

func TestPageAndErrorPageBuild(t *testing.T) {
	newApp(t)
	for _, landscape := range []bool{false, true} {
		back := NewButton("Quay lại", Secondary, nil)
		help := NewButton("Gọi nhân viên", Help, nil)
		o := ErrorPage{Title: "Có lỗi xảy ra", WhatHeading: "Điều gì đã xảy ra", What: "x",
			NextHeading: "Bạn cần làm gì tiếp theo", Next: "y", Back: back, Help: help, Landscape: landscape,
			Actions: []*Button{NewButton("Thử lại", Primary, nil), NewButton("Hủy", Secondary, nil)}}.Build()
		w := test.NewTempWindow(t, o)
		w.Resize(fyne.NewSize(1080, 1920))
		if back.Size().Height < kiosktheme.TouchTarget || help.Position().X <= back.Position().X {
			t.Errorf("landscape=%v: back %v at %v, help at %v", landscape, back.Size(), back.Position(), help.Position())
		}
	}
}

// TestSlideshow: the slide shown is Current (clamped to the slides), with
// its caption, its picture at the frame's size and one dot per slide; a
// tap anywhere on it calls OnTapped; no slides builds an empty object.
func TestSlideshow(t *testing.T) {
	newApp(t)
	pic := fyne.NewStaticResource("p.svg", []byte(`<svg xmlns="http://www.w3.org/2000/svg" width="4" height="3"><rect width="4" height="3" fill="#0B4F96"/></svg>`))
	slides := []Slide{{pic, "một"}, {nil, "hai"}, {pic, "ba"}}
	taps := 0
	for _, tc := range []struct {
		current int
		caption string
	}{{0, "một"}, {1, "hai"}, {2, "ba"}, {7, "ba"}, {-1, "một"}} {
		obj := Slideshow{Slides: slides, Current: tc.current, PictureSize: fyne.NewSize(400, 300), OnTapped: func() { taps++ }}.Build()
		w := test.NewTempWindow(t, obj)
		w.Resize(fyne.NewSize(600, 700))
		var labels []string
		var images, dots, tapAreas int
		var walk func(o fyne.CanvasObject)
		walk = func(o fyne.CanvasObject) {
			switch x := o.(type) {
			case *fyne.Container:
				for _, c := range x.Objects {
					walk(c)
				}
			case *widget.Label:
				labels = append(labels, x.Text)
			case *canvas.Image:
				images++
				if x.MinSize() != fyne.NewSize(400, 300) {
					t.Errorf("picture frame %v", x.MinSize())
				}
			case *canvas.Circle:
				dots++
			case *tapArea:
				tapAreas++
				test.Tap(x)
			}
		}
		walk(obj)
		if len(labels) != 1 || labels[0] != tc.caption || dots != len(slides) || tapAreas != 1 {
			t.Errorf("current %d: labels %q, %d dots, %d tap areas", tc.current, labels, dots, tapAreas)
		}
		if wantImg := map[bool]int{true: 0, false: 1}[tc.caption == "hai"]; images != wantImg {
			t.Errorf("current %d: %d pictures, want %d", tc.current, images, wantImg)
		}
	}
	if taps != 5 {
		t.Errorf("%d taps reached OnTapped, want 5", taps)
	}
	if o := (Slideshow{}).Build(); o.MinSize().Height != 0 {
		t.Errorf("no slides: %v", o.MinSize())
	}
}

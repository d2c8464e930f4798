package hospitalui

import (
	"testing"

	"fyne.io/fyne/v2/test"

	"github.com/kiosk06/kiosk/firmware/hospital"
	"github.com/kiosk06/kiosk/ui/internal/fixtures"
	"github.com/kiosk06/kiosk/ui/internal/uitest"
	kiosktheme "github.com/kiosk06/kiosk/ui/theme"
)

// TestChildEntryScreens renders the child's entry at each step, with
// what the shell keeps typed, and compares each with testdata/.
func TestChildEntryScreens(t *testing.T) {
	typed := func(f ChildField, digits, birth, name string) *ChildEntry {
		c := &ChildEntry{Digits: digits, BirthDate: birth, Focus: f}
		c.SetName(name)
		return c
	}
	shots := []struct {
		name  string
		state string
		v     variant
		child *ChildEntry
	}{
		{"40-child-id-typing", "37-identify-child", variant{lang: hospital.LangVI}, typed(ChildID, "0792190", "", "")},
		{"41-child-birth", "37-identify-child", variant{lang: hospital.LangVI}, typed(ChildBirth, "079219012345", "050", "")},
		{"42-child-name", "37-identify-child", variant{lang: hospital.LangVI}, typed(ChildName, "079219012345", "05032019", "Trần Bảo Ngọc")},
		{"43-child-review", "37-identify-child", variant{lang: hospital.LangVI}, typed(ChildReview, "079219012345", "05032019", "Trần Bảo Ngọc")},
		{"44-child-refused-review", "38-identify-child-refused", variant{lang: hospital.LangVI}, typed(ChildReview, "079219012345", "05032018", "Trần Bảo Ngọc")},
		{"46-child-birth-en", "37-identify-child", variant{lang: hospital.LangEN}, typed(ChildBirth, "079219012345", "", "")},
		{"47-child-name-large", "38-identify-child-refused", variant{lang: hospital.LangVI, display: kiosktheme.Options{LargeText: true}}, typed(ChildName, "079219012345", "05032019", "")},
	}
	app := uitest.NewApp(t, kiosktheme.Options{})
	for _, sh := range shots {
		t.Run(sh.name, func(t *testing.T) {
			app.Settings().SetTheme(kiosktheme.New(sh.v.display))
			s := fixtures.ByName(sh.state)
			s.Lang = sh.v.lang
			content := Render(s, withChild(env(t, sh.v.lang, sh.v.landscape, sh.v.display, nil), sh.child))
			w := test.NewTempWindow(t, content)
			w.SetPadded(false)
			w.Resize(size(sh.v.landscape))
			uitest.SetScale(w, uitest.GoldenScale)
			if fits := content.MinSize(); fits.Height > size(sh.v.landscape).Height || fits.Width > size(sh.v.landscape).Width {
				t.Errorf("content needs %v, more than the %v screen", fits, size(sh.v.landscape))
			}
			for _, b := range uitest.Buttons(content) {
				if b.Size().Height < kiosktheme.TouchTarget || b.Size().Width < kiosktheme.TouchTarget {
					t.Errorf("button %q is %v, under the %v touch target", b.Text, b.Size(), kiosktheme.TouchTarget)
				}
			}
			uitest.AssertScreen(t, sh.name+".png", w.Canvas().Capture(), *update)
		})
	}
}

func withChild(e Env, c *ChildEntry) Env { e.Child = c; return e }

// childScript: the card result offers "for a child", which asks for the
// child's details; anything else stays.
func childScript(cur string, in hospital.Intent) (string, hospital.State, bool) {
	if cur == "03-card-genuine" && in.Kind == hospital.IntentForChild {
		return "37-identify-child", fixtures.ByName("37-identify-child"), true
	}
	if in.Kind == hospital.IntentActivity { // the flow publishes again
		return cur, fixtures.ByName(cur), true
	}
	return "", hospital.State{}, false
}

// TestChildEntryTaps: from a parent's card result, "Lựa chọn khác" and
// "Đăng ký cho trẻ em chưa có thẻ" behind it, then the ID number and the birth date on the keypad and the
// name typed with Telex on the keyboard, each key re-rendering the screen
// as the real flow's activity does; "Đăng ký cho trẻ" sends IntentChild
// with exactly what was typed, the ID number is masked once typed, and
// the entry is dropped when the flow stops asking.
func TestChildEntryTaps(t *testing.T) {
	k, f := newKiosk(t, childScript)
	f.show("03-card-genuine", fixtures.ByName("03-card-genuine"))
	tap(t, k, "Lựa chọn khác")
	tap(t, k, "Đăng ký cho trẻ em chưa có thẻ")
	if f.cur != "37-identify-child" {
		t.Fatalf("after the tap the flow is at %q", f.cur)
	}
	for _, d := range "079219012345" {
		tap(t, k, string(d))
	}
	tap(t, k, "Tiếp")
	for _, d := range "05032019" {
		tap(t, k, string(d))
	}
	tap(t, k, "Tiếp")
	for _, key := range "Traanf Baor Ngocj" {
		label := string(key)
		switch key {
		case ' ':
			label = "Dấu cách"
		case 'T', 'B', 'N':
			label = string(key + 'a' - 'A') // the keyboard has lower case only
		}
		tap(t, k, label)
	}
	tap(t, k, "Xóa") // and retype the last letter
	tap(t, k, "c")
	tap(t, k, "Tiếp")
	assertShows(t, k, "43-child-review")
	for _, b := range uitest.Buttons(k.Window().Content()) {
		if b.Text == "079219012345" {
			t.Error("the ID number is shown in full after it was typed")
		}
	}
	tap(t, k, "Đăng ký cho trẻ")

	var child []hospital.Intent
	for _, in := range f.sent {
		if in.Kind == hospital.IntentChild {
			child = append(child, in)
		}
	}
	want := hospital.Intent{Kind: hospital.IntentChild, Digits: "079219012345", BirthDate: "05032019", Name: "TRẦN BẢO NGỌC"}
	if len(child) != 1 || child[0] != want {
		t.Fatalf("sent %+v, want one %+v", child, want)
	}
	if k.child == nil {
		t.Fatal("the entry was dropped while the flow still asks")
	}
	f.show("01-welcome", fixtures.ByName("01-welcome"))
	if k.child != nil {
		t.Error("the child's entry is kept after the flow stopped asking")
	}
}

// TestCardLeftBlinks: while the card lies on the reader each tick flips
// the banner and calls the audio hook.
func TestCardLeftBlinks(t *testing.T) {
	k, f := newKiosk(t, nil)
	beeps := 0
	k.opts.Remind = func() { beeps++ }
	f.show("39-welcome-card-left", fixtures.ByName("39-welcome-card-left"))
	assertShows(t, k, "39-welcome-card-left")
	k.Tick()
	assertShows(t, k, "39-welcome-card-left-on")
	k.Tick()
	assertShows(t, k, "39-welcome-card-left")
	if beeps != 2 {
		t.Errorf("Remind called %d times over 2 ticks", beeps)
	}
	f.show("01-welcome", fixtures.ByName("01-welcome"))
	k.Tick()
	if beeps != 2 {
		t.Errorf("Remind called after the card was taken")
	}
}

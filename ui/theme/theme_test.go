package theme

import (
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	fynetheme "fyne.io/fyne/v2/theme"
)

func TestOptions(t *testing.T) {
	test.NewTempApp(t) // Fyne's fallback colours need an app
	normal, large, hc := New(Options{}), New(Options{LargeText: true}), New(Options{HighContrast: true})
	for name := range textSizes {
		if large.Size(name) <= normal.Size(name) {
			t.Errorf("large %s = %v, not above %v", name, large.Size(name), normal.Size(name))
		}
	}
	if large.Size(fynetheme.SizeNamePadding) != normal.Size(fynetheme.SizeNamePadding) {
		t.Error("padding scaled with large text")
	}
	for name := range normalPalette {
		if _, ok := highContrastPalette[name]; !ok {
			t.Errorf("%s missing from the high-contrast palette", name)
		}
	}
	for name := range highContrastPalette {
		if _, ok := normalPalette[name]; !ok {
			t.Errorf("%s missing from the normal palette", name)
		}
	}
	if hc.Color(fynetheme.ColorNameBackground, 0) == normal.Color(fynetheme.ColorNameBackground, 0) {
		t.Error("high contrast background equals normal")
	}
	// Unknown names fall back to Fyne's defaults rather than nil.
	if normal.Color("noSuchColour", 0) == nil || normal.Size("noSuchSize") < 0 {
		t.Error("fallbacks broken")
	}
	if normal.Font(fyne.TextStyle{Bold: true}) == nil || normal.Icon(fynetheme.IconNameConfirm) == nil {
		t.Error("no font or icon")
	}
}

// TestSessionElder: large text turns on once for a person of 60 or more,
// stays off when they turn it off, and a new session restores the
// kiosk's defaults.
func TestSessionElder(t *testing.T) {
	s := NewSession(Options{HighContrast: true})
	if s.Aged(59) || s.Aged(-1) || s.Options().LargeText {
		t.Fatal("large text for a person under 60")
	}
	if !s.Aged(ElderAge) || !s.Options().LargeText {
		t.Fatal("no large text at 60")
	}
	s.ToggleLargeText()
	if s.Aged(75) || s.Options().LargeText {
		t.Fatal("large text came back after the person turned it off")
	}
	s.ToggleContrast()
	if !s.Reset() || s.Options() != (Options{HighContrast: true}) {
		t.Fatalf("reset: %+v", s.Options())
	}
	if !s.Aged(80) || !s.Options().LargeText {
		t.Fatal("a new session's elder gets no large text")
	}
	if s.Reset(); s.Reset() {
		t.Fatal("a second reset changed something")
	}
}

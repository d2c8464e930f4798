package onestopui

import (
	"unicode/utf8"

	"fyne.io/fyne/v2"

	"github.com/kiosk06/kiosk/firmware/onestop"
	"github.com/kiosk06/kiosk/ui/vnime"
	"github.com/kiosk06/kiosk/ui/widgets"
)

// keyBackspace is the on-screen keyboard's delete key (widgets.NewKeyboard).
const keyBackspace = widgets.KeyBackspace

// keyboard is the shared on-screen keyboard with this package's words:
// each key goes to key, done ends the typing (its label doneLabel).
func keyboard(s onestop.State, key func(rune), done func(), doneLabel string) fyne.CanvasObject {
	return widgets.NewKeyboard(8, widgets.KeyboardLabels{
		Delete: w(s, "Xóa", "Delete"), Space: w(s, "Dấu cách", "Space"), Done: doneLabel}, key, done)
}

// maxSearch bounds the search text.
const maxSearch = 80

// typeRune applies a key to plain text (the search: the catalogue is
// searched with or without diacritics, so no composition is needed).
func typeRune(s string, r rune) string {
	if r == keyBackspace {
		if s == "" {
			return s
		}
		_, n := utf8.DecodeLastRuneInString(s)
		return s[:len(s)-n]
	}
	if utf8.RuneCountInString(s) >= maxSearch {
		return s
	}
	return s + string(r)
}

// focus starts typing the form field key from its value.
func (e *Entry) focus(key, value string) {
	e.Field = key
	e.Composer = vnime.New(vnime.Telex, vnime.StyleOld)
	e.Composer.SetText(value)
	e.changed()
}

// typeKey types one key into the focused field.
func (e *Entry) typeKey(r rune) {
	if e.Composer == nil {
		e.Composer = vnime.New(vnime.Telex, vnime.StyleOld)
	}
	if r == keyBackspace {
		e.Composer.Backspace()
		return
	}
	e.Composer.Key(r)
}

func (e *Entry) changed() {
	if e.Changed != nil {
		e.Changed()
	}
}

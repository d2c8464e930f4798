package onestopui

import (
	"unicode/utf8"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"

	"github.com/kiosk06/kiosk/firmware/onestop"
	"github.com/kiosk06/kiosk/ui/vnime"
	"github.com/kiosk06/kiosk/ui/widgets"
)

// Keys of the on-screen keyboard besides letters and digits.
const (
	keyBackspace = '\b'
	keySpace     = ' '
)

// keyRows are the keyboard's rows, alphabetical (eight keys a row keep each
// key at the touch target on the portrait width; Telex types the marks
// with letters: "Nguyeenx" → "Nguyễn").
var keyRows = []string{"abcdefgh", "ijklmnop", "qrstuvwx", "yz012345", "6789,.-/"}

// keyboard is the on-screen keyboard: each key goes to key, done ends the
// typing (its label doneLabel).
func keyboard(s onestop.State, key func(rune), done func(), doneLabel string) fyne.CanvasObject {
	rows := container.NewVBox()
	for _, row := range keyRows {
		g := container.NewGridWithColumns(8)
		for _, r := range row {
			g.Add(widgets.NewButton(string(r), widgets.Secondary, func() { key(r) }))
		}
		rows.Add(g)
	}
	rows.Add(container.NewGridWithColumns(3,
		widgets.NewButton(w(s, "Xóa", "Delete"), widgets.Secondary, func() { key(keyBackspace) }),
		widgets.NewButton(w(s, "Dấu cách", "Space"), widgets.Secondary, func() { key(keySpace) }),
		widgets.NewButton(doneLabel, widgets.Primary, done)))
	return rows
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

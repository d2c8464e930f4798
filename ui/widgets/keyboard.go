package widgets

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
)

// Keys a Keyboard reports besides letters, digits and punctuation.
const (
	KeyBackspace = '\b'
	KeySpace     = ' '
)

// KeyboardKeys are the on-screen keyboard's keys, alphabetical, then the
// digits and the punctuation of names and addresses (Telex, ui/vnime,
// types the marks with letters: "Nguyeenx" → "Nguyễn").
const KeyboardKeys = "abcdefghijklmnopqrstuvwxyz0123456789,.-/"

// KeyboardLabels are the translated labels of the keyboard's wide keys.
type KeyboardLabels struct {
	Delete string // KeyBackspace
	Space  string // KeySpace
	Done   string // ends the typing
}

// NewKeyboard returns the on-screen text keyboard (desktop Linux has none
// and the kiosk has no physical one), columns keys a row (eight keep each
// key at the touch target on the portrait width; ten save a row in
// landscape): each key is reported to key (the
// caller composes, e.g. with a vnime.Composer), the wide Done key calls
// done. The keyboard keeps no text of its own, so a screen rebuilt with
// every state loses nothing.
func NewKeyboard(columns int, labels KeyboardLabels, key func(rune), done func()) fyne.CanvasObject {
	g := container.NewGridWithColumns(max(columns, 1))
	for _, r := range KeyboardKeys {
		g.Add(NewButton(string(r), Secondary, func() { key(r) }))
	}
	rows := container.NewVBox(g)
	rows.Add(container.NewGridWithColumns(3,
		NewButton(labels.Delete, Secondary, func() { key(KeyBackspace) }),
		NewButton(labels.Space, Secondary, func() { key(KeySpace) }),
		NewButton(labels.Done, Primary, done)))
	return rows
}

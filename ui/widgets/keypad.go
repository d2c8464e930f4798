package widgets

import (
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	fynetheme "fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	kiosktheme "github.com/kiosk06/kiosk/ui/theme"
)

// KeypadLabels are the translated labels of the keypad's non-digit keys.
type KeypadLabels struct {
	Delete string // removes the last digit
	OK     string // submits
}

// Keypad is an on-screen numeric keypad with its own display: digits 0–9,
// delete and OK (enabled once MinLen digits are entered). It replaces the
// on-screen keyboard desktop Linux lacks; use it for the CAN, a phone
// number or a card number.
type Keypad struct {
	widget.BaseWidget

	MinLen, MaxLen int
	// Mask shows entered digits as • (PIN-like entries).
	Mask bool
	// Groups splits the display into groups of that many digits with
	// Separator between them ("_ _ / _ _ / _ _ _ _" for a date typed
	// DDMMYYYY: Groups {2, 2, 4}, Separator "/"), so the person sees the
	// format as they type; the value stays digits only. Set both before
	// SetValue or the first key.
	Groups    []int
	Separator string
	// TextSize is the entry's size (kiosktheme.SizeNameDisplay when
	// empty); a smaller one saves height on a landscape panel. Set it
	// before the keypad is shown.
	TextSize fyne.ThemeSizeName
	// OnChanged is called after each edit; OnSubmit when OK is tapped.
	OnChanged func(value string)
	OnSubmit  func(value string)

	value   string
	display *canvas.Text
	digits  [10]*Button
	del, ok *Button
}

// NewKeypad returns a keypad accepting minLen..maxLen digits.
func NewKeypad(labels KeypadLabels, minLen, maxLen int, onSubmit func(string)) *Keypad {
	k := &Keypad{MinLen: minLen, MaxLen: maxLen, OnSubmit: onSubmit}
	k.display = canvas.NewText("", nil)
	k.display.Alignment = fyne.TextAlignCenter
	k.display.TextStyle = fyne.TextStyle{Monospace: true, Bold: true}
	for d := range k.digits {
		r := rune('0' + d)
		k.digits[d] = NewButton(string(r), Secondary, func() { k.Press(r) })
	}
	k.del = NewButton(labels.Delete, Secondary, func() { k.Press('\b') })
	k.ok = NewButton(labels.OK, Primary, func() {
		if k.OnSubmit != nil {
			k.OnSubmit(k.value)
		}
	})
	k.ExtendBaseWidget(k)
	k.sync()
	return k
}

// Press applies one key: '0'–'9' appends (up to MaxLen), '\b' deletes the
// last digit; anything else is ignored.
func (k *Keypad) Press(r rune) {
	switch {
	case r >= '0' && r <= '9':
		if len(k.value) >= k.MaxLen {
			return
		}
		k.value += string(r)
	case r == '\b':
		if k.value == "" {
			return
		}
		k.value = k.value[:len(k.value)-1]
	default:
		return
	}
	k.sync()
	if k.OnChanged != nil {
		k.OnChanged(k.value)
	}
}

// SetValue replaces the entry with the digits of v (other characters are
// dropped, the rest cut at MaxLen) without calling OnChanged: a screen that
// is rebuilt restores what was typed so far.
func (k *Keypad) SetValue(v string) {
	digits := make([]byte, 0, len(v))
	for i := 0; i < len(v) && len(digits) < k.MaxLen; i++ {
		if v[i] >= '0' && v[i] <= '9' {
			digits = append(digits, v[i])
		}
	}
	k.value = string(digits)
	k.sync()
}

// Value returns the digits entered so far.
func (k *Keypad) Value() string { return k.value }

// Reset clears the entry.
func (k *Keypad) Reset() { k.value = ""; k.sync() }

// Digit returns the button for digit d (0–9), for tests.
func (k *Keypad) Digit(d int) *Button { return k.digits[d] }

// DeleteButton returns the delete key, for tests.
func (k *Keypad) DeleteButton() *Button { return k.del }

// OKButton returns the OK key, for tests.
func (k *Keypad) OKButton() *Button { return k.ok }

// sync redraws the display and the OK key's enabled state.
func (k *Keypad) sync() {
	// One slot per digit, spaced, so the person sees how many are left
	// (underscores side by side draw as one line).
	slots := make([]string, 0, max(k.MaxLen, len(k.value)))
	for _, d := range k.value {
		if k.Mask {
			slots = append(slots, "•")
		} else {
			slots = append(slots, string(d))
		}
	}
	for len(slots) < k.MaxLen {
		slots = append(slots, "_")
	}
	k.display.Text = strings.Join(k.group(slots), " ")
	if len(k.value) >= k.MinLen {
		k.ok.Enable()
	} else {
		k.ok.Disable()
	}
	k.display.Refresh()
}

// group inserts Separator between the Groups of slots (slots past the
// groups stay in the last one).
func (k *Keypad) group(slots []string) []string {
	if len(k.Groups) == 0 || k.Separator == "" {
		return slots
	}
	out := make([]string, 0, len(slots)+len(k.Groups))
	i := 0
	for g, n := range k.Groups {
		if g > 0 && i < len(slots) {
			out = append(out, k.Separator)
		}
		end := min(i+n, len(slots))
		if g == len(k.Groups)-1 {
			end = len(slots)
		}
		out = append(out, slots[i:end]...)
		i = end
	}
	return out
}

// Text returns what the display shows (the digits, or • when masked, in
// their groups, "_" for each digit still to type).
func (k *Keypad) Text() string { return k.display.Text }

// CreateRenderer implements fyne.Widget.
func (k *Keypad) CreateRenderer() fyne.WidgetRenderer {
	th := k.Theme()
	size := k.TextSize
	if size == "" {
		size = kiosktheme.SizeNameDisplay
	}
	k.display.TextSize = th.Size(size)
	k.display.Color = th.Color(fynetheme.ColorNameForeground, fyne.CurrentApp().Settings().ThemeVariant())
	box := canvas.NewRectangle(th.Color(fynetheme.ColorNameInputBackground, 0))
	box.StrokeColor = th.Color(fynetheme.ColorNameInputBorder, 0)
	box.StrokeWidth = th.Size(fynetheme.SizeNameInputBorder)
	box.CornerRadius = th.Size(fynetheme.SizeNameInputRadius)
	grid := container.NewGridWithColumns(3,
		k.digits[1], k.digits[2], k.digits[3],
		k.digits[4], k.digits[5], k.digits[6],
		k.digits[7], k.digits[8], k.digits[9],
		k.del, k.digits[0], k.ok,
	)
	display := container.NewStack(box, container.NewPadded(k.display))
	return widget.NewSimpleRenderer(container.NewBorder(display, nil, nil, nil, grid))
}

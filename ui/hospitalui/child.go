package hospitalui

// The child's entry (this file): a parent whose card was read registers a
// child who has no card (hospital.Identify.NeedChild). The parent types
// three things, one at a time, in the order of the birth certificate: the
// child's 12-digit personal ID number and the birth date on the numeric
// keypad (the date shows its format, "_ _ / _ _ / _ _ _ _", as it is
// typed), then the full name on the on-screen keyboard with Telex marks
// (ui/vnime: "Nguyeenx" → "Nguyễn"). Each keypad's OK moves to the next
// field; the keyboard's Done shows the three lines for a last check, and
// "Đăng ký cho trẻ" sends hospital.IntentChild with exactly what was typed.
// Tapping a line edits it again. What was typed lives in ChildEntry, which
// the shell keeps across renders while the flow asks and drops as soon as
// it does not; the ID number is shown only while it is typed, masked
// otherwise. Nothing here logs.

import (
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/kiosk06/kiosk/firmware/hospital"
	kiosktheme "github.com/kiosk06/kiosk/ui/theme"
	"github.com/kiosk06/kiosk/ui/vnime"
	"github.com/kiosk06/kiosk/ui/widgets"
)

// Lengths of the child's typed numbers.
const (
	childIDLen    = 12 // the personal ID number (số định danh cá nhân)
	childBirthLen = 8  // DDMMYYYY, what hospital.Intent.BirthDate takes
)

// ChildField is the line of the child's entry being typed.
type ChildField int

// The lines, in the order they are typed. ChildReview types none: the
// three lines and the submit button are shown for a last check.
const (
	ChildID ChildField = iota
	ChildBirth
	ChildName
	ChildReview
)

// ChildEntry is what a parent has typed for a child without a card (the
// zero value: nothing typed, the ID number in focus). The shell keeps one
// while Identify.NeedChild and drops it as soon as the flow stops asking;
// the screens only edit it.
type ChildEntry struct {
	// Digits is the personal ID number typed so far (≤ 12 digits).
	Digits string
	// BirthDate is the birth date typed so far, DDMMYYYY (≤ 8 digits).
	BirthDate string
	// Focus is the line being typed.
	Focus ChildField
	// Changed redraws the screen after a change only it shows (another
	// line in focus); nil draws nothing (goldens).
	Changed func()

	name *vnime.Composer
}

// Name returns the name typed so far (NFC, Vietnamese marks composed), in
// capitals as the card and the birth certificate print names (the
// keyboard has small letters only).
func (c *ChildEntry) Name() string {
	if c.name == nil {
		return ""
	}
	return strings.ToUpper(c.name.Text())
}

// SetName replaces the name (to start from a known value).
func (c *ChildEntry) SetName(s string) { c.composer().SetText(s) }

func (c *ChildEntry) composer() *vnime.Composer {
	if c.name == nil {
		c.name = vnime.New(vnime.Telex, vnime.StyleOld)
		c.name.MaxRunes = childNameMax
	}
	return c.name
}

// childNameMax bounds the typed name (the flow refuses longer ones).
const childNameMax = 100

// Complete reports whether every line is filled in (the flow still checks
// the number against the date).
func (c *ChildEntry) Complete() bool {
	return len(c.Digits) == childIDLen && len(c.BirthDate) == childBirthLen && strings.TrimSpace(c.Name()) != ""
}

// Intent is what "Đăng ký cho trẻ" sends.
func (c *ChildEntry) Intent() hospital.Intent {
	return hospital.Intent{Kind: hospital.IntentChild, Digits: c.Digits, BirthDate: c.BirthDate, Name: strings.TrimSpace(c.Name())}
}

func (c *ChildEntry) focus(f ChildField) {
	c.Focus = f
	if c.Changed != nil {
		c.Changed()
	}
}

// maskChildID hides the ID number once typed, as the patient strip does a
// card's ("0790••••••34"); a partial number is all dots.
func maskChildID(d string) string {
	if len(d) == childIDLen {
		return d[:4] + strings.Repeat("•", childIDLen-6) + d[childIDLen-2:]
	}
	return strings.Repeat("•", len(d))
}

// formatBirth shows DDMMYYYY as dd/mm/yyyy, "_" for what is still to type.
func formatBirth(d string) string {
	b := []byte(d + strings.Repeat("_", max(childBirthLen-len(d), 0)))
	return string(b[:2]) + "/" + string(b[2:4]) + "/" + string(b[4:8])
}

// childScreen asks for the child's details: the flow's prompt, why the
// last entry was refused, the three lines (the one in focus highlighted)
// and the keypad or keyboard of the line in focus.
func childScreen(s hospital.State, id *hospital.Identify, env Env) widgets.Page {
	c := env.Child
	if c == nil {
		c = &ChildEntry{}
	}
	activity := env.send(hospital.Intent{Kind: hospital.IntentActivity})
	// Why the last entry was refused takes the prompt's place (the
	// screen is full with the keyboard): it says what to check.
	var prompt fyne.CanvasObject = centred(widgets.Subheading(env.text(s, id.Message)))
	if !id.ChildError.IsZero() {
		refused := widgets.Paragraph(env.text(s, id.ChildError))
		refused.Importance = widget.DangerImportance
		refused.TextStyle.Bold = true
		prompt = widgets.Card(refused)
	}
	line := func(f ChildField, label, value string) *widgets.Button {
		kind := widgets.Secondary
		if c.Focus == f {
			kind = widgets.Primary
		}
		// Empty: what to type, big, and "tap to type"; filled: what
		// was typed, big, and what it is.
		text, sub := value, label
		if value == "" {
			text, sub = label, env.T.T("child.tap")
		}
		return widgets.NewSubButton(text, sub, kind, func() { c.focus(f); activity() })
	}
	idValue := maskChildID(c.Digits)
	if c.Focus == ChildID {
		idValue = c.Digits
	}
	birthValue := ""
	if c.BirthDate != "" {
		birthValue = formatBirth(c.BirthDate)
	}
	idLine := line(ChildID, env.T.T("child.id"), idValue)
	birthLine := line(ChildBirth, env.T.T("child.birth"), birthValue)
	nameLine := line(ChildName, env.T.T("child.name"), c.Name())
	// While a line is typed only it is shown (the keypad or keyboard
	// needs the height); the check shows all three.
	lines := container.NewVBox(idLine, birthLine, nameLine)
	{
		switch c.Focus {
		case ChildID:
			lines = container.NewVBox(idLine)
		case ChildBirth:
			lines = container.NewVBox(birthLine)
		case ChildName:
			lines = container.NewVBox(nameLine)
		}
	}

	var input fyne.CanvasObject
	var hint string
	switch c.Focus {
	case ChildID:
		hint = env.T.T("child.id_where")
		input = childKeypad(env, childIDLen, c.Digits, nil, func(d string) {
			c.Digits = d
			idLine.Text, idLine.Sub = firstNonEmpty(d, env.T.T("child.id")), env.T.T("child.id")
			idLine.Refresh()
			activity()
		}, func() { c.focus(ChildBirth); activity() })
	case ChildBirth:
		hint = env.T.T("child.birth_hint")
		input = childKeypad(env, childBirthLen, c.BirthDate, []int{2, 2, 4}, func(d string) {
			c.BirthDate = d
			birthLine.Text, birthLine.Sub = formatBirth(d), env.T.T("child.birth")
			birthLine.Refresh()
			activity()
		}, func() { c.focus(ChildName); activity() })
	case ChildName:
		hint = env.T.T("child.name_hint")
		cols := 8
		if env.Landscape {
			cols = 10 // four rows fit under the landscape title
		}
		input = widgets.NewKeyboard(cols, widgets.KeyboardLabels{
			Delete: env.T.T("keypad.delete"), Space: env.T.T("keyboard.space"), Done: env.T.T("child.next")},
			func(r rune) {
				comp := c.composer()
				if r == widgets.KeyBackspace {
					comp.Backspace()
				} else {
					comp.Key(r)
				}
				nameLine.Text, nameLine.Sub = firstNonEmpty(c.Name(), env.T.T("child.name")), env.T.T("child.name")
				nameLine.Refresh()
				activity()
			}, func() { c.focus(ChildReview); activity() })
	default:
		hint = env.T.T("child.review")
		submit := widgets.NewButton(env.T.T("child.submit"), widgets.Primary, func() {
			if c.Complete() {
				env.send(c.Intent())()
			}
		})
		if !c.Complete() {
			submit.Disable()
		}
		input = submit
	}
	guide := widgets.Paragraph(hint)
	var body fyne.CanvasObject
	switch {
	case env.Landscape:
		// The lines keep their width on the left; the keypad or the
		// keyboard (eight keys a row) takes the rest.
		left := container.NewVBox(prompt, lines, guide)
		if c.Focus == ChildName {
			left = container.NewVBox(lines, guide)
		}
		body = container.NewBorder(nil, nil, left, nil, input)
	case c.Focus == ChildName:
		// The keyboard needs the height: the line says what to type,
		// and why the last entry was refused was shown on the check.
		body = container.NewVBox(lines, guide, input)
	default:
		if c.Focus != ChildReview {
			input = container.NewBorder(nil, nil, spacerW(childKeypadSide), spacerW(childKeypadSide), input)
		}
		body = container.NewVBox(prompt, lines, guide, input)
	}
	return widgets.Page{Title: env.text(s, s.Title), Body: body}
}

// childKeypadSide is the margin left and right of the child's keypads in
// portrait: narrower than the CAN's (keypadSide), as the 12 slots of the
// ID number are twice as many.
const childKeypadSide float32 = 60

// childKeypad is the numeric keypad of one line: n digits, OK ("Tiếp")
// once all are typed.
func childKeypad(env Env, n int, value string, groups []int, changed func(string), next func()) *widgets.Keypad {
	kp := widgets.NewKeypad(widgets.KeypadLabels{Delete: env.T.T("keypad.delete"), OK: env.T.T("child.next")}, n, n, nil)
	kp.TextSize = kiosktheme.SizeNameHeadline
	if groups != nil {
		kp.Groups, kp.Separator = groups, "/"
	}
	kp.SetValue(value)
	kp.OnChanged = changed
	kp.OnSubmit = func(string) { next() }
	return kp
}

func firstNonEmpty(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// keepChild keeps the child's entry while s asks for it (a new one when
// the flow starts asking) and drops it as soon as s does not.
func (k *Kiosk) keepChild(s hospital.State) {
	switch {
	case s.Identify == nil || !s.Identify.NeedChild:
		k.child = nil
	case k.child == nil:
		k.child = &ChildEntry{Changed: k.render}
	}
}

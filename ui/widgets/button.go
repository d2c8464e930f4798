package widgets

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	fynetheme "fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	kiosktheme "github.com/kiosk06/kiosk/ui/theme"
)

// Kind is a button's role, which picks its colours.
type Kind int

// Button kinds.
const (
	Secondary Kind = iota // neutral action (back, no, other choices)
	Primary               // the recommended next step
	Help                  // call staff
	Danger                // cancel / destructive
)

// Button is a large touch button: a label, an optional smaller second
// line and an optional icon before them (issue 20: a picture on every
// primary button for people who do not read well), at least
// theme.TouchTarget on each side.
type Button struct {
	widget.BaseWidget

	Text     string
	Sub      string // optional second line (e.g. a clinic's room and queue)
	Kind     Kind
	OnTapped func()
	// TextSize overrides the label size (theme.SizeNameButtonText by
	// default); the top bar uses the smaller body size.
	TextSize fyne.ThemeSizeName
	// Icon, when set (a Fyne theme icon such as theme.ConfirmIcon()), is
	// drawn before the label in the label's colour, when the button is
	// wide enough for both (it does not widen the button).
	Icon fyne.Resource
	// Wide asks a Page's action column for a whole row even though the
	// button is not primary (a label too long to share the row).
	Wide bool

	disabled bool
}

// NewButton returns a button; onTap may be nil.
func NewButton(text string, kind Kind, onTap func()) *Button {
	b := &Button{Text: text, Kind: kind, OnTapped: onTap}
	b.ExtendBaseWidget(b)
	return b
}

// NewIconButton returns a button with an icon before its label.
func NewIconButton(icon fyne.Resource, text string, kind Kind, onTap func()) *Button {
	b := NewButton(text, kind, onTap)
	b.Icon = icon
	return b
}

// NewSubButton returns a two-line button.
func NewSubButton(text, sub string, kind Kind, onTap func()) *Button {
	b := NewButton(text, kind, onTap)
	b.Sub = sub
	return b
}

// Tapped implements fyne.Tappable.
func (b *Button) Tapped(*fyne.PointEvent) {
	if b.disabled || b.OnTapped == nil {
		return
	}
	b.OnTapped()
}

// Disable greys the button out and ignores taps.
func (b *Button) Disable() { b.disabled = true; b.Refresh() }

// Enable undoes Disable.
func (b *Button) Enable() { b.disabled = false; b.Refresh() }

// Disabled reports whether taps are ignored.
func (b *Button) Disabled() bool { return b.disabled }

// CreateRenderer implements fyne.Widget.
func (b *Button) CreateRenderer() fyne.WidgetRenderer {
	r := &buttonRenderer{
		b:    b,
		bg:   canvas.NewRectangle(color.Transparent),
		text: canvas.NewText("", color.Black),
		sub:  canvas.NewText("", color.Black),
		icon: &canvas.Image{FillMode: canvas.ImageFillContain},
	}
	r.text.TextStyle.Bold = true
	r.text.Alignment = fyne.TextAlignCenter
	r.sub.Alignment = fyne.TextAlignCenter
	r.Refresh()
	return r
}

type buttonRenderer struct {
	b         *Button
	bg        *canvas.Rectangle
	text, sub *canvas.Text
	icon      *canvas.Image
}

// fgName is the colour name of the label (and icon) of the button.
func (r *buttonRenderer) fgName() fyne.ThemeColorName {
	if r.b.disabled {
		return fynetheme.ColorNameDisabled
	}
	switch r.b.Kind {
	case Primary:
		return kiosktheme.ColorNameOnPrimary
	case Help, Danger:
		return kiosktheme.ColorNameOnHelp
	}
	return fynetheme.ColorNameForeground
}

// iconSide is the icon's side: the label's height.
func (r *buttonRenderer) iconSide() float32 {
	if r.b.Icon == nil {
		return 0
	}
	return r.text.MinSize().Height
}

func (r *buttonRenderer) colors(th fyne.Theme, v fyne.ThemeVariant) (bg, fg color.Color) {
	if r.b.disabled {
		return th.Color(fynetheme.ColorNameDisabledButton, v), th.Color(fynetheme.ColorNameDisabled, v)
	}
	switch r.b.Kind {
	case Primary:
		return th.Color(fynetheme.ColorNamePrimary, v), th.Color(kiosktheme.ColorNameOnPrimary, v)
	case Help:
		return th.Color(kiosktheme.ColorNameHelp, v), th.Color(kiosktheme.ColorNameOnHelp, v)
	case Danger:
		return th.Color(fynetheme.ColorNameError, v), th.Color(kiosktheme.ColorNameOnHelp, v)
	default:
		return th.Color(fynetheme.ColorNameButton, v), th.Color(fynetheme.ColorNameForeground, v)
	}
}

func (r *buttonRenderer) Refresh() {
	th := r.b.Theme()
	v := fyne.CurrentApp().Settings().ThemeVariant()
	bg, fg := r.colors(th, v)
	r.bg.FillColor = bg
	r.bg.CornerRadius = th.Size(kiosktheme.SizeNameCornerRadius)
	r.bg.StrokeColor = th.Color(kiosktheme.ColorNameBorder, v)
	r.bg.StrokeWidth = th.Size(fynetheme.SizeNameInputBorder)
	r.text.Text, r.text.Color = r.b.Text, fg
	size := r.b.TextSize
	if size == "" {
		size = kiosktheme.SizeNameButtonText
	}
	r.text.TextSize = th.Size(size)
	r.sub.Text, r.sub.Color = r.b.Sub, fg
	r.sub.TextSize = th.Size(fynetheme.SizeNameCaptionText)
	if r.b.Icon != nil {
		r.icon.Resource = fynetheme.NewColoredResource(r.b.Icon, r.fgName())
		r.icon.Refresh()
	} else {
		r.icon.Resource = nil
		r.icon.Hide()
	}
	r.Layout(r.b.Size())
	canvas.Refresh(r.b)
}

func (r *buttonRenderer) Layout(size fyne.Size) {
	r.bg.Resize(size)
	r.bg.Move(fyne.NewPos(0, 0))
	th := r.b.Theme()
	pad := th.Size(fynetheme.SizeNameInnerPadding)
	th1 := r.text.MinSize().Height
	// With an icon, icon and label are centred together; the label's
	// lines are centred in the room right of the icon. The icon asks for
	// no room of its own (a layout sized without icons stays as it is):
	// where the label leaves none for it, it is not drawn.
	left, width := pad, size.Width-2*pad
	block := r.text.MinSize().Width
	if r.b.Sub != "" {
		block = max(block, r.sub.MinSize().Width)
	}
	if side := r.iconSide(); side > 0 && size.Width >= block+side+3*pad {
		start := (size.Width - side - pad - block) / 2
		r.icon.Resize(fyne.NewSquareSize(side))
		r.icon.Move(fyne.NewPos(start, (size.Height-side)/2))
		r.icon.Show()
		left, width = start+side+pad, block
	} else {
		r.icon.Hide()
	}
	if r.b.Sub == "" {
		r.text.Resize(fyne.NewSize(width, th1))
		r.text.Move(fyne.NewPos(left, (size.Height-th1)/2))
		r.sub.Hide()
		return
	}
	r.sub.Show()
	th2 := r.sub.MinSize().Height
	top := (size.Height - th1 - th2) / 2
	r.text.Resize(fyne.NewSize(width, th1))
	r.text.Move(fyne.NewPos(left, top))
	r.sub.Resize(fyne.NewSize(width, th2))
	r.sub.Move(fyne.NewPos(left, top+th1))
}

func (r *buttonRenderer) MinSize() fyne.Size {
	pad := r.b.Theme().Size(fynetheme.SizeNameInnerPadding)
	w := r.text.MinSize().Width
	h := r.text.MinSize().Height
	if r.b.Sub != "" {
		w = max(w, r.sub.MinSize().Width)
		h += r.sub.MinSize().Height
	}
	return fyne.NewSize(max(w+2*pad, kiosktheme.TouchTarget), max(h+2*pad, kiosktheme.TouchTarget))
}

func (r *buttonRenderer) Objects() []fyne.CanvasObject {
	return []fyne.CanvasObject{r.bg, r.icon, r.text, r.sub}
}

func (r *buttonRenderer) Destroy() {}

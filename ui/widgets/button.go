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

// Button is a large touch button: a label and an optional smaller second
// line, at least theme.TouchTarget on each side.
type Button struct {
	widget.BaseWidget

	Text     string
	Sub      string // optional second line (e.g. a clinic's room and queue)
	Kind     Kind
	OnTapped func()
	// TextSize overrides the label size (theme.SizeNameButtonText by
	// default); the top bar uses the smaller body size.
	TextSize fyne.ThemeSizeName
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
	r.Layout(r.b.Size())
	canvas.Refresh(r.b)
}

func (r *buttonRenderer) Layout(size fyne.Size) {
	r.bg.Resize(size)
	r.bg.Move(fyne.NewPos(0, 0))
	th := r.b.Theme()
	pad := th.Size(fynetheme.SizeNameInnerPadding)
	th1 := r.text.MinSize().Height
	if r.b.Sub == "" {
		r.text.Resize(fyne.NewSize(size.Width-2*pad, th1))
		r.text.Move(fyne.NewPos(pad, (size.Height-th1)/2))
		r.sub.Hide()
		return
	}
	r.sub.Show()
	th2 := r.sub.MinSize().Height
	top := (size.Height - th1 - th2) / 2
	r.text.Resize(fyne.NewSize(size.Width-2*pad, th1))
	r.text.Move(fyne.NewPos(pad, top))
	r.sub.Resize(fyne.NewSize(size.Width-2*pad, th2))
	r.sub.Move(fyne.NewPos(pad, top+th1))
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
	return []fyne.CanvasObject{r.bg, r.text, r.sub}
}

func (r *buttonRenderer) Destroy() {}

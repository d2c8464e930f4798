package widgets

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	fynetheme "fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	kiosktheme "github.com/kiosk06/kiosk/ui/theme"
)

// Page is the scaffold of every kiosk screen: a title (and optional step
// and lead text) at the top, the body in the middle, the main choices
// below it (to the right in landscape), and a bottom bar with Back on the
// left and Call staff on the right, where a hand expects them on every
// screen.
type Page struct {
	Title     string
	Lead      string // one or two sentences under the title; empty hides it
	Body      fyne.CanvasObject
	Actions   []*Button // main choices: Primary ones full width, the others two per row
	Back      *Button   // nil hides it
	Help      *Button   // nil hides it
	Landscape bool
}

// Build lays the page out.
func (p Page) Build() fyne.CanvasObject {
	top := container.NewVBox(Headline(p.Title))
	if p.Lead != "" {
		top.Add(Paragraph(p.Lead))
	}
	actions := actionColumn(p.Actions)
	body := p.Body
	if body == nil {
		body = layout.NewSpacer()
	}
	if p.Landscape {
		// One bottom row: Back, the actions, Call staff.
		return container.NewPadded(container.NewBorder(top, actionRow(p.Back, p.Actions, p.Help), nil, nil, body))
	}
	// The body scrolls when it does not fit (large text, a long list):
	// the actions, Back and Call staff stay on the panel, never below it.
	middle := container.NewBorder(nil, actions, nil, nil, container.NewVScroll(body))
	return container.NewPadded(container.NewBorder(top, bottomBar(p.Back, p.Help), nil, nil, middle))
}

// actionRow is the landscape bottom row: Back, the actions, Call staff,
// equal widths.
func actionRow(back *Button, bs []*Button, help *Button) fyne.CanvasObject {
	var objs []fyne.CanvasObject
	if back != nil {
		objs = append(objs, back)
	}
	for _, b := range bs {
		objs = append(objs, b)
	}
	if help != nil {
		objs = append(objs, help)
	}
	if len(objs) == 0 {
		return layout.NewSpacer()
	}
	sep := canvas.NewRectangle(color.Transparent)
	sep.SetMinSize(fyne.NewSize(0, 12))
	return container.NewVBox(sep, container.NewGridWithColumns(len(objs), objs...))
}

// actionColumn stacks primary buttons full width and pairs the others two
// per row, so a screen with many choices still fits; a Wide button gets a
// row of its own after the pairs.
func actionColumn(bs []*Button) *fyne.Container {
	c := container.NewVBox()
	var rest, wide []fyne.CanvasObject
	for _, b := range bs {
		switch {
		case b.Kind == Primary:
			c.Add(b)
		case b.Wide:
			wide = append(wide, b)
		default:
			rest = append(rest, b)
		}
	}
	defer func() {
		for _, b := range wide {
			c.Add(b)
		}
	}()
	switch len(rest) {
	case 0:
	case 1:
		c.Add(rest[0])
	default:
		c.Add(container.NewGridWithColumns(2, rest...))
	}
	return c
}

// bottomBar puts Back left and Help right, each half the width.
func bottomBar(back, help *Button) fyne.CanvasObject {
	var objs []fyne.CanvasObject
	switch {
	case back != nil && help != nil:
		objs = []fyne.CanvasObject{back, help}
	case back != nil:
		objs = []fyne.CanvasObject{back, layout.NewSpacer()}
	case help != nil:
		objs = []fyne.CanvasObject{layout.NewSpacer(), help}
	default:
		return layout.NewSpacer()
	}
	sep := canvas.NewRectangle(color.Transparent)
	sep.SetMinSize(fyne.NewSize(0, 24))
	return container.NewVBox(sep, container.NewGridWithColumns(2, objs...))
}

// Headline is a wrapped, bold screen title.
func Headline(text string) *widget.Label {
	l := widget.NewLabel(text)
	l.Wrapping = fyne.TextWrapWord
	l.TextStyle.Bold = true
	l.SizeName = kiosktheme.SizeNameHeadline
	return l
}

// Subheading is a wrapped, bold section heading.
func Subheading(text string) *widget.Label {
	l := widget.NewLabel(text)
	l.Wrapping = fyne.TextWrapWord
	l.TextStyle.Bold = true
	l.SizeName = fynetheme.SizeNameSubHeadingText
	return l
}

// Paragraph is wrapped body text.
func Paragraph(text string) *widget.Label {
	l := widget.NewLabel(text)
	l.Wrapping = fyne.TextWrapWord
	return l
}

// Caption is small secondary text.
func Caption(text string) *widget.Label {
	l := widget.NewLabel(text)
	l.SizeName = fynetheme.SizeNameCaptionText
	l.Importance = widget.LowImportance
	return l
}

// Display is one big centred figure (a ticket number, an amount).
func Display(text string) *widget.Label {
	l := widget.NewLabel(text)
	l.Alignment = fyne.TextAlignCenter
	l.TextStyle.Bold = true
	l.SizeName = kiosktheme.SizeNameDisplay
	return l
}

// Field is one "label: value" row of a result panel.
type Field struct{ Label, Value string }

// Panel is a bordered card holding rows of fields and any extra objects.
// Both columns wrap, so long fee-line or facility names fit any width.
func Panel(fields []Field, extra ...fyne.CanvasObject) fyne.CanvasObject {
	inner := container.NewVBox()
	for _, f := range fields {
		k := widget.NewLabel(f.Label)
		k.Importance = widget.LowImportance
		k.Wrapping = fyne.TextWrapWord
		v := widget.NewLabel(f.Value)
		v.TextStyle.Bold = true
		v.Wrapping = fyne.TextWrapWord
		inner.Add(container.New(fieldRow{keyShare: 0.45}, k, v))
	}
	for _, e := range extra {
		inner.Add(e)
	}
	return Card(inner)
}

// fieldRow lays a key and a value side by side, the key taking keyShare of
// the width; the row is as tall as the taller of the two at those widths.
type fieldRow struct{ keyShare float32 }

func (r fieldRow) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	if len(objs) < 2 {
		return
	}
	kw := size.Width * r.keyShare
	objs[0].Move(fyne.NewPos(0, 0))
	objs[0].Resize(fyne.NewSize(kw, size.Height))
	objs[1].Move(fyne.NewPos(kw, 0))
	objs[1].Resize(fyne.NewSize(size.Width-kw, size.Height))
}

func (r fieldRow) MinSize(objs []fyne.CanvasObject) fyne.Size {
	if len(objs) < 2 {
		return fyne.NewSize(0, 0)
	}
	a, b := objs[0].MinSize(), objs[1].MinSize()
	return fyne.NewSize(a.Width+b.Width, max(a.Height, b.Height))
}

// Card draws a rounded panel behind content.
func Card(content fyne.CanvasObject) fyne.CanvasObject {
	th := fyne.CurrentApp().Settings().Theme()
	bg := canvas.NewRectangle(th.Color(kiosktheme.ColorNamePanel, 0))
	bg.StrokeColor = th.Color(kiosktheme.ColorNameBorder, 0)
	bg.StrokeWidth = th.Size(fynetheme.SizeNameInputBorder)
	bg.CornerRadius = th.Size(kiosktheme.SizeNameCornerRadius)
	return container.NewStack(bg, container.NewPadded(container.NewPadded(content)))
}

package widgets

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	fynetheme "fyne.io/fyne/v2/theme"
)

// ErrorPage is the template for every failure screen: what happened, in
// plain words, and what to do next, with the way forward as buttons and
// Call staff always present.
type ErrorPage struct {
	Title       string
	WhatHeading string // "Điều gì đã xảy ra"
	What        string
	NextHeading string // "Quý khách cần làm gì tiếp theo"
	Next        string
	Actions     []*Button
	Back, Help  *Button
	Landscape   bool
	Warning     bool // amber instead of red: a detour, not a failure
}

// Build lays the page out.
func (e ErrorPage) Build() fyne.CanvasObject {
	return Page{
		Title: e.Title, Body: ErrorBody(e.WhatHeading, e.What, e.NextHeading, e.Next, e.Warning, e.Landscape),
		Actions: e.Actions, Back: e.Back, Help: e.Help, Landscape: e.Landscape,
	}.Build()
}

// ErrorBody is the body of an error page: a large error (or warning) icon
// and a card with the two sections; an empty section is left out. Wide
// (landscape) puts the icon left of the card.
func ErrorBody(whatHeading, what, nextHeading, next string, warning, wide bool) fyne.CanvasObject {
	icon, colour := fynetheme.ErrorIcon(), fynetheme.ColorNameError
	if warning {
		icon, colour = fynetheme.WarningIcon(), fynetheme.ColorNameWarning
	}
	sections := container.NewVBox()
	if what != "" {
		sections.Add(Subheading(whatHeading))
		sections.Add(Paragraph(what))
	}
	if next != "" {
		sections.Add(Subheading(nextHeading))
		sections.Add(Paragraph(next))
	}
	if wide {
		return container.NewBorder(nil, nil, container.NewVBox(BigIcon(icon, colour)), nil, Card(sections))
	}
	return container.NewVBox(BigIcon(icon, colour), Card(sections))
}

// BigIcon is a theme icon in a theme colour, three inline-icon sizes wide,
// centred.
func BigIcon(res fyne.Resource, colour fyne.ThemeColorName) fyne.CanvasObject {
	th := fyne.CurrentApp().Settings().Theme()
	img := canvas.NewImageFromResource(fynetheme.NewColoredResource(res, colour))
	img.FillMode = canvas.ImageFillContain
	side := th.Size(fynetheme.SizeNameInlineIcon) * 3
	img.SetMinSize(fyne.NewSize(side, side))
	return container.NewCenter(img)
}

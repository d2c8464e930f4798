package widgets

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	fynetheme "fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	kiosktheme "github.com/kiosk06/kiosk/ui/theme"
)

// Slide is one step of a Slideshow: a picture and one short line under
// it.
type Slide struct {
	Picture fyne.Resource // an SVG or PNG resource; nil leaves the frame empty
	Caption string
}

// Slideshow shows how to use a kiosk one step at a time (issue 20, the
// idle screen's attract loop): the current slide's picture large on a
// panel, its caption in big bold text under it, and a row of dots saying
// which of the steps it is. Like Page it is a value built into objects:
// the caller moves it on (Current) and builds it again — from a timer, or,
// as the hospital kiosk does, from its flow's state — so a screenshot of
// a given step is always the same. A tap anywhere on it calls OnTapped.
type Slideshow struct {
	Slides  []Slide
	Current int // clamped to the slides
	// PictureSize is the picture's frame (default 640×400): the picture
	// keeps its aspect ratio inside it.
	PictureSize fyne.Size
	OnTapped    func()
}

// dotSide is the diameter of a step dot.
const dotSide float32 = 18

// Build lays the slideshow out.
func (s Slideshow) Build() fyne.CanvasObject {
	size := s.PictureSize
	if size.IsZero() {
		size = fyne.NewSize(640, 400)
	}
	if len(s.Slides) == 0 {
		return container.NewStack()
	}
	cur := min(max(s.Current, 0), len(s.Slides)-1)
	slide := s.Slides[cur]
	var pic fyne.CanvasObject
	if slide.Picture != nil {
		img := canvas.NewImageFromResource(slide.Picture)
		img.FillMode = canvas.ImageFillContain
		img.SetMinSize(size)
		pic = img
	} else {
		r := canvas.NewRectangle(color.Transparent)
		r.SetMinSize(size)
		pic = r
	}
	caption := widget.NewLabel(slide.Caption)
	caption.Wrapping = fyne.TextWrapWord
	caption.Alignment = fyne.TextAlignCenter
	caption.TextStyle.Bold = true
	caption.SizeName = kiosktheme.SizeNameHeadline
	body := container.NewVBox(container.NewCenter(pic), caption, container.NewCenter(s.dots(cur)))
	return container.NewStack(Card(body), newTapArea(s.OnTapped))
}

// dots is the row of step dots, the current one filled.
func (s Slideshow) dots(cur int) fyne.CanvasObject {
	th := fyne.CurrentApp().Settings().Theme()
	v := fyne.CurrentApp().Settings().ThemeVariant()
	row := container.NewHBox()
	for i := range s.Slides {
		c := canvas.NewCircle(color.Transparent)
		c.StrokeColor = th.Color(fynetheme.ColorNamePrimary, v)
		c.StrokeWidth = 2
		if i == cur {
			c.FillColor = th.Color(fynetheme.ColorNamePrimary, v)
		}
		row.Add(container.NewGridWrap(fyne.NewSize(dotSide, dotSide), c))
	}
	return row
}

// tapArea is an invisible widget over the slideshow that takes its taps.
type tapArea struct {
	widget.BaseWidget
	onTap func()
}

func newTapArea(onTap func()) *tapArea {
	t := &tapArea{onTap: onTap}
	t.ExtendBaseWidget(t)
	return t
}

// Tapped implements fyne.Tappable.
func (t *tapArea) Tapped(*fyne.PointEvent) {
	if t.onTap != nil {
		t.onTap()
	}
}

// CreateRenderer implements fyne.Widget: nothing is drawn.
func (t *tapArea) CreateRenderer() fyne.WidgetRenderer {
	return widget.NewSimpleRenderer(canvas.NewRectangle(color.Transparent))
}

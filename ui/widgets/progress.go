package widgets

import (
	"fmt"
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	fynetheme "fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// progressBarHeight is the bar's thickness in Fyne units.
const progressBarHeight float32 = 48

// Progress is a thick progress bar with the percentage inside and a caption
// under it ("Đang đọc chip…"), shown while the flow does long work such as
// the chip read. Call Set on the Fyne goroutine (fyne.Do).
type Progress struct {
	widget.BaseWidget

	fraction float64
	caption  string
}

// NewProgress returns an empty progress indicator.
func NewProgress(fraction float64, caption string) *Progress {
	p := &Progress{}
	p.ExtendBaseWidget(p)
	p.Set(fraction, caption)
	return p
}

// Set updates the fraction (clamped to 0..1) and the caption.
func (p *Progress) Set(fraction float64, caption string) {
	p.fraction = min(max(fraction, 0), 1)
	p.caption = caption
	p.Refresh()
}

// Fraction returns the shown fraction.
func (p *Progress) Fraction() float64 { return p.fraction }

// CreateRenderer implements fyne.Widget.
func (p *Progress) CreateRenderer() fyne.WidgetRenderer {
	r := &progressRenderer{
		p:       p,
		track:   canvas.NewRectangle(color.Transparent),
		fill:    canvas.NewRectangle(color.Transparent),
		percent: canvas.NewText("", color.Black),
		caption: canvas.NewText("", color.Black),
	}
	r.percent.TextStyle.Bold = true
	r.percent.Alignment = fyne.TextAlignCenter
	r.caption.Alignment = fyne.TextAlignCenter
	r.Refresh()
	return r
}

type progressRenderer struct {
	p                *Progress
	track, fill      *canvas.Rectangle
	percent, caption *canvas.Text
}

func (r *progressRenderer) Refresh() {
	th := r.p.Theme()
	v := fyne.CurrentApp().Settings().ThemeVariant()
	r.track.FillColor = th.Color(fynetheme.ColorNameButton, v)
	r.track.StrokeColor = th.Color(fynetheme.ColorNameInputBorder, v)
	r.track.StrokeWidth = th.Size(fynetheme.SizeNameInputBorder)
	r.track.CornerRadius = progressBarHeight / 2
	r.fill.FillColor = th.Color(fynetheme.ColorNamePrimary, v)
	r.fill.CornerRadius = progressBarHeight / 2
	r.percent.Text = fmt.Sprintf("%d%%", int(r.p.fraction*100+0.5))
	r.percent.Color = th.Color(fynetheme.ColorNameForeground, v)
	r.percent.TextSize = th.Size(fynetheme.SizeNameText)
	r.caption.Text = r.p.caption
	r.caption.Color = th.Color(fynetheme.ColorNameForeground, v)
	r.caption.TextSize = th.Size(fynetheme.SizeNameSubHeadingText)
	r.Layout(r.p.Size())
	canvas.Refresh(r.p)
}

func (r *progressRenderer) Layout(size fyne.Size) {
	r.track.Resize(fyne.NewSize(size.Width, progressBarHeight))
	r.track.Move(fyne.NewPos(0, 0))
	w := float32(r.p.fraction) * size.Width
	if w > 0 {
		w = max(w, progressBarHeight)
	}
	r.fill.Resize(fyne.NewSize(w, progressBarHeight))
	r.fill.Move(fyne.NewPos(0, 0))
	ph := r.percent.MinSize().Height
	r.percent.Resize(fyne.NewSize(size.Width, ph))
	r.percent.Move(fyne.NewPos(0, progressBarHeight+r.gap()))
	ch := r.caption.MinSize().Height
	r.caption.Resize(fyne.NewSize(size.Width, ch))
	r.caption.Move(fyne.NewPos(0, progressBarHeight+2*r.gap()+ph))
}

func (r *progressRenderer) gap() float32 { return r.p.Theme().Size(fynetheme.SizeNamePadding) }

func (r *progressRenderer) MinSize() fyne.Size {
	w := max(r.caption.MinSize().Width, 4*progressBarHeight)
	return fyne.NewSize(w, progressBarHeight+2*r.gap()+r.percent.MinSize().Height+r.caption.MinSize().Height)
}

func (r *progressRenderer) Objects() []fyne.CanvasObject {
	return []fyne.CanvasObject{r.track, r.fill, r.percent, r.caption}
}

func (r *progressRenderer) Destroy() {}

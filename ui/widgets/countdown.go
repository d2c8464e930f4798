package widgets

import (
	"context"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	fynetheme "fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// Countdown shows the time left until a deadline (the payment window),
// formatted by the caller ("Còn 4:59"). Tick redraws it; Run ticks every
// second from its own goroutine until ctx ends or the deadline passes.
type Countdown struct {
	widget.BaseWidget

	deadline time.Time
	now      func() time.Time
	format   func(remaining time.Duration) string
	text     *canvas.Text
}

// NewCountdown returns a countdown to deadline; now is the clock (time.Now
// in production, fixed in screenshot tests).
func NewCountdown(deadline time.Time, now func() time.Time, format func(time.Duration) string) *Countdown {
	c := &Countdown{deadline: deadline, now: now, format: format}
	c.text = canvas.NewText("", nil)
	c.text.Alignment = fyne.TextAlignCenter
	c.text.TextStyle.Bold = true
	c.ExtendBaseWidget(c)
	c.Tick()
	return c
}

// Remaining returns the time left (never negative).
func (c *Countdown) Remaining() time.Duration { return max(c.deadline.Sub(c.now()), 0) }

// Text returns the shown text.
func (c *Countdown) Text() string { return c.text.Text }

// Tick recomputes the text; call it on the Fyne goroutine.
func (c *Countdown) Tick() {
	c.text.Text = c.format(c.Remaining())
	c.Refresh()
}

// Run ticks once a second (each tick via fyne.Do) until ctx is done or the
// deadline has passed. Run it in its own goroutine.
func (c *Countdown) Run(ctx context.Context) {
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			fyne.Do(c.Tick)
			if c.Remaining() == 0 {
				return
			}
		}
	}
}

// CreateRenderer implements fyne.Widget.
func (c *Countdown) CreateRenderer() fyne.WidgetRenderer {
	th := c.Theme()
	c.text.TextSize = th.Size(fynetheme.SizeNameSubHeadingText)
	c.text.Color = th.Color(fynetheme.ColorNameForeground, fyne.CurrentApp().Settings().ThemeVariant())
	return widget.NewSimpleRenderer(c.text)
}

package widgets

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
)

// Relayout re-runs every container layout under root, top-down. Call it
// after setting new content on an already-sized window: the first layout
// places wrapped labels before they know their width, so their height is
// wrong until a second pass (Fyne lays out once per size change).
func Relayout(root fyne.CanvasObject) {
	switch o := root.(type) {
	case *fyne.Container:
		if o.Layout != nil {
			o.Layout.Layout(o.Objects, o.Size())
		}
		for _, c := range o.Objects {
			Relayout(c)
		}
	case *container.Scroll:
		if o.Content != nil {
			o.Refresh()
			Relayout(o.Content)
		}
	}
}

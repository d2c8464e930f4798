package widgets

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	fynetheme "fyne.io/fyne/v2/theme"
)

// ListenButton is the large "Nghe hướng dẫn" button a speaking kiosk puts
// under every screen (issue 20): a loudspeaker icon (Fyne's VolumeUp, a
// Material Design icon, Apache-2.0) and the label; onTap says the screen's
// guidance again and must not block.
func ListenButton(label string, onTap func()) *Button {
	return NewIconButton(fynetheme.VolumeUpIcon(), label, Secondary, onTap)
}

// WithListen puts b (a ListenButton) under content, across the window;
// a nil b returns content.
func WithListen(content fyne.CanvasObject, b *Button) fyne.CanvasObject {
	if b == nil {
		return content
	}
	return container.NewBorder(nil, container.NewPadded(b), nil, nil, content)
}

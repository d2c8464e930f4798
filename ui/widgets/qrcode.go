package widgets

import (
	"errors"
	"fmt"
	"image"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"rsc.io/qr"
)

// MaxQRPayload bounds the payload accepted by QRImage. A VietQR (EMVCo
// merchant-presented) payload is well under 512 bytes; anything longer is
// a bug upstream, and would give a code too dense to scan from a screen.
const MaxQRPayload = 512

// ErrQRPayload is returned for an empty or over-long payload.
var ErrQRPayload = errors.New("widgets: QR payload empty or longer than 512 bytes")

// QRImage encodes payload (ISO/IEC 18004, error correction level M as the
// NAPAS VietQR guideline recommends) as a 1-pixel-per-module grey image
// with the 4-module quiet zone the standard requires.
func QRImage(payload string) (image.Image, error) {
	if payload == "" || len(payload) > MaxQRPayload {
		return nil, ErrQRPayload
	}
	code, err := qr.Encode(payload, qr.M)
	if err != nil {
		return nil, fmt.Errorf("widgets: QR encode: %w", err)
	}
	// Copy into an *image.Gray: rsc.io/qr's own image type reports a size
	// but Fyne's software painter draws it blank.
	n := code.Size + 8 // 4-module quiet zone each side (ISO/IEC 18004 §6.3.8)
	img := image.NewGray(image.Rect(0, 0, n, n))
	for y := range n {
		for x := range n {
			v := uint8(0xff)
			if code.Black(x-4, y-4) {
				v = 0
			}
			img.Pix[y*img.Stride+x] = v
		}
	}
	return img, nil
}

// NewQRCode returns payload's QR code at most side units wide, each module
// a whole number of pixels so every module has the same size (scanners
// misread uneven modules). It is always dark on white (banking apps do not
// read inverted codes), whatever the theme.
func NewQRCode(payload string, side float32) (*canvas.Image, error) {
	img, err := QRImage(payload)
	if err != nil {
		return nil, err
	}
	n := img.Bounds().Dx()
	scale := max(int(side)/n, 1)
	big := image.NewGray(image.Rect(0, 0, n*scale, n*scale))
	src := img.(*image.Gray)
	for y := range n * scale {
		for x := range n * scale {
			big.Pix[y*big.Stride+x] = src.Pix[(y/scale)*src.Stride+x/scale]
		}
	}
	side = float32(n * scale)
	ci := canvas.NewImageFromImage(big)
	ci.FillMode = canvas.ImageFillContain
	ci.ScaleMode = canvas.ImageScalePixels
	ci.SetMinSize(fyne.NewSize(side, side))
	return ci, nil
}

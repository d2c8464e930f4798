package escpos

import (
	"image"
	"image/color"
)

// Bitmap is a 1-bit image in the layout GS v 0 sends: rows of Stride bytes,
// most significant bit leftmost, a set bit prints a black dot.
type Bitmap struct {
	W, H   int
	Stride int
	Pix    []byte
}

// NewBitmap returns a white bitmap of w×h dots.
func NewBitmap(w, h int) *Bitmap {
	w, h = max(w, 0), max(h, 0)
	stride := (w + 7) / 8
	return &Bitmap{W: w, H: h, Stride: stride, Pix: make([]byte, stride*h)}
}

// Set blackens (or whitens) the dot at x, y; out-of-range dots are ignored.
func (b *Bitmap) Set(x, y int, black bool) {
	if x < 0 || y < 0 || x >= b.W || y >= b.H {
		return
	}
	i, m := y*b.Stride+x/8, byte(0x80>>(x%8))
	if black {
		b.Pix[i] |= m
	} else {
		b.Pix[i] &^= m
	}
}

// Black reports whether the dot at x, y is black.
func (b *Bitmap) Black(x, y int) bool {
	if x < 0 || y < 0 || x >= b.W || y >= b.H {
		return false
	}
	return b.Pix[y*b.Stride+x/8]&(0x80>>(x%8)) != 0
}

// Draw copies src onto b with its top-left corner at x, y (black dots only).
func (b *Bitmap) Draw(src *Bitmap, x, y int) {
	for sy := 0; sy < src.H; sy++ {
		for sx := 0; sx < src.W; sx++ {
			if src.Black(sx, sy) {
				b.Set(x+sx, y+sy, true)
			}
		}
	}
}

// Image converts the bitmap to an 8-bit gray image (black on white).
func (b *Bitmap) Image() *image.Gray {
	img := image.NewGray(image.Rect(0, 0, b.W, b.H))
	for i := range img.Pix {
		img.Pix[i] = 0xFF
	}
	for y := 0; y < b.H; y++ {
		for x := 0; x < b.W; x++ {
			if b.Black(x, y) {
				img.Pix[y*img.Stride+x] = 0
			}
		}
	}
	return img
}

// FromImage thresholds any image to a bitmap: a pixel darker than mid-gray
// (or, with alpha, a mostly opaque dark pixel) prints.
func FromImage(src image.Image) *Bitmap {
	r := src.Bounds()
	bm := NewBitmap(r.Dx(), r.Dy())
	for y := 0; y < r.Dy(); y++ {
		for x := 0; x < r.Dx(); x++ {
			g := color.GrayModel.Convert(src.At(r.Min.X+x, r.Min.Y+y)).(color.Gray)
			_, _, _, a := src.At(r.Min.X+x, r.Min.Y+y).RGBA()
			if g.Y < 0x80 && a >= 0x8000 {
				bm.Set(x, y, true)
			}
		}
	}
	return bm
}

// placed returns a bitmap of width w holding src aligned within it.
func placed(src *Bitmap, w int, a Align) *Bitmap {
	if src.W >= w {
		return src
	}
	out := NewBitmap(w, src.H)
	out.Draw(src, alignX(src.W, w, a), 0)
	return out
}

func alignX(content, width int, a Align) int {
	switch a {
	case AlignCenter:
		return (width - content) / 2
	case AlignRight:
		return width - content
	}
	return 0
}

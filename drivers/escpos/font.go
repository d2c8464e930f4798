package escpos

import (
	_ "embed"
	"fmt"
	"image"
	"strings"
	"sync"
	"unicode/utf8"

	"golang.org/x/image/font"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/math/fixed"
)

// Noto Sans (SIL OFL 1.1, fonts/OFL.txt) covers every Vietnamese letter and ₫.
var (
	//go:embed fonts/NotoSans-Regular.ttf
	notoRegular []byte
	//go:embed fonts/NotoSans-Bold.ttf
	notoBold []byte
)

// Font sizes in dots (pixels per em) used by Text blocks at 203 dpi.
const (
	SizeSmall  = 20
	SizeNormal = 24
	SizeLarge  = 34
	SizeHuge   = 96
)

// Renderer draws text to 1-bit rasters with the bundled font. It caches
// font faces per size and weight; it is safe for concurrent use.
type Renderer struct {
	regular, bold *opentype.Font

	mu    sync.Mutex
	faces map[faceKey]font.Face
}

type faceKey struct {
	size int
	bold bool
}

// NewRenderer parses the bundled fonts.
func NewRenderer() (*Renderer, error) {
	reg, err := opentype.Parse(notoRegular)
	if err != nil {
		return nil, fmt.Errorf("escpos: parse Noto Sans Regular: %w", err)
	}
	bold, err := opentype.Parse(notoBold)
	if err != nil {
		return nil, fmt.Errorf("escpos: parse Noto Sans Bold: %w", err)
	}
	return &Renderer{regular: reg, bold: bold, faces: map[faceKey]font.Face{}}, nil
}

func (r *Renderer) face(size int, bold bool) (font.Face, error) {
	size = clamp(size, 6, 400)
	r.mu.Lock()
	defer r.mu.Unlock()
	k := faceKey{size, bold}
	if f, ok := r.faces[k]; ok {
		return f, nil
	}
	src := r.regular
	if bold {
		src = r.bold
	}
	f, err := opentype.NewFace(src, &opentype.FaceOptions{Size: float64(size), DPI: 72, Hinting: font.HintingFull})
	if err != nil {
		return nil, fmt.Errorf("escpos: font face %d dots: %w", size, err)
	}
	r.faces[k] = f
	return f, nil
}

// Wrap breaks text into lines no wider than width dots at the given size,
// at spaces where possible and inside a word only when it alone is too wide.
// Newlines in text force breaks.
func (r *Renderer) Wrap(text string, size int, bold bool, width int) ([]string, error) {
	f, err := r.face(size, bold)
	if err != nil {
		return nil, err
	}
	r.mu.Lock() // faces are not safe for concurrent use
	defer r.mu.Unlock()
	limit := fixed.I(width)
	var out []string
	for _, para := range strings.Split(text, "\n") {
		out = append(out, wrapPara(f, para, limit)...)
	}
	return out, nil
}

func wrapPara(f font.Face, para string, limit fixed.Int26_6) []string {
	var lines []string
	line := ""
	for _, word := range strings.Fields(para) {
		cand := word
		if line != "" {
			cand = line + " " + word
		}
		if font.MeasureString(f, cand) <= limit {
			line = cand
			continue
		}
		if line != "" {
			lines = append(lines, line)
		}
		line = word
		for font.MeasureString(f, line) > limit && utf8.RuneCountInString(line) > 1 {
			head := splitToFit(f, line, limit)
			lines = append(lines, head)
			line = line[len(head):]
		}
	}
	return append(lines, line)
}

// splitToFit returns the longest rune prefix of s (at least one rune) that fits.
func splitToFit(f font.Face, s string, limit fixed.Int26_6) string {
	end := 0
	for i, rn := range s {
		next := i + utf8.RuneLen(rn)
		if end > 0 && font.MeasureString(f, s[:next]) > limit {
			break
		}
		end = next
	}
	return s[:end]
}

// Line renders one line of text to a bitmap exactly as wide as the text and
// as tall as the font's line height at size.
func (r *Renderer) Line(text string, size int, bold bool) (*Bitmap, error) {
	f, err := r.face(size, bold)
	if err != nil {
		return nil, err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	m := f.Metrics()
	w := max(1, font.MeasureString(f, text).Ceil())
	h := max(1, (m.Ascent + m.Descent).Ceil())
	canvas := image.NewAlpha(image.Rect(0, 0, w, h))
	d := font.Drawer{Dst: canvas, Src: image.Opaque, Face: f, Dot: fixed.Point26_6{Y: m.Ascent}}
	d.DrawString(text)
	return alphaToBitmap(canvas), nil
}

// alphaToBitmap prints every pixel covered at least half by a glyph.
func alphaToBitmap(a *image.Alpha) *Bitmap {
	b := a.Bounds()
	bm := NewBitmap(b.Dx(), b.Dy())
	for y := 0; y < b.Dy(); y++ {
		row := a.Pix[y*a.Stride : y*a.Stride+b.Dx()]
		for x, v := range row {
			if v >= 0x80 {
				bm.Pix[y*bm.Stride+x/8] |= 0x80 >> (x % 8)
			}
		}
	}
	return bm
}

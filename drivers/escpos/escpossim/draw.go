package escpossim

import (
	"fmt"

	"github.com/kiosk06/kiosk/drivers/escpos"
	"rsc.io/qr"
)

// printLine renders the pending text as one line with the font of the
// escpos package; feed also advances by the line spacing when empty.
func (in *interp) printLine(feed bool) {
	if len(in.line) == 0 {
		if feed {
			in.advance(in.modes.spacing)
		}
		return
	}
	runs := in.line
	in.line = nil
	hmul, wmul, bold := 1, 1, false
	raw := make([]byte, 0, len(runs))
	for _, r := range runs {
		hmul, wmul, bold = max(hmul, r.hmul), max(wmul, r.wmul), bold || r.bold
		raw = append(raw, r.b)
	}
	text := in.decode(raw, runs[0].codePage)
	bm, err := in.render.Line(text, escpos.SizeNormal*hmul, bold)
	if err != nil {
		in.problem(err)
		return
	}
	if wmul != hmul {
		bm = scaleX(bm, wmul, hmul)
	}
	if in.modes.inverse {
		bm = inverted(bm, in.width)
	}
	in.place(bm)
	if gap := in.modes.spacing - escpos.SizeNormal; gap > 0 && hmul == 1 {
		in.advance(gap / 2)
	}
}

// decode maps text bytes to runes: CP1258 when its table is selected,
// otherwise ASCII with '?' for bytes whose glyph the simulator does not know.
func (in *interp) decode(b []byte, codePage byte) string {
	if codePage == in.cp1258 {
		return escpos.DecodeCP1258(b)
	}
	out := make([]byte, len(b))
	for i, c := range b {
		if c >= 0x80 {
			c = '?'
		}
		out[i] = c
	}
	return string(out)
}

// inverted draws a line white on black across the paper (GS B).
func inverted(bm *escpos.Bitmap, width int) *escpos.Bitmap {
	out := escpos.NewBitmap(width, bm.H)
	for y := 0; y < bm.H; y++ {
		for x := 0; x < width; x++ {
			out.Set(x, y, !bm.Black(x, y))
		}
	}
	return out
}

func scaleX(bm *escpos.Bitmap, num, den int) *escpos.Bitmap {
	w := min(bm.W*num/den, 8192)
	out := escpos.NewBitmap(w, bm.H)
	for y := 0; y < bm.H; y++ {
		for x := 0; x < w; x++ {
			if bm.Black(x*den/num, y) {
				out.Set(x, y, true)
			}
		}
	}
	return out
}

// raster handles GS v 0 m xL xH yL yH d1…dk (k = x·y bytes).
func (in *interp) raster() error {
	p, err := in.read(6)
	if err != nil {
		return err
	}
	if p[0] != '0' {
		return fmt.Errorf("escpossim: GS v %#02x unsupported", p[0])
	}
	m := p[1] % 48
	xb, h := int(p[2])|int(p[3])<<8, int(p[4])|int(p[5])<<8
	k := xb * h
	if k > in.maxRast || m > 3 {
		if err := in.skip(k); err != nil {
			return err
		}
		return fmt.Errorf("escpossim: GS v 0 block of %d bytes exceeds the %d-byte buffer (or bad mode %d)", k, in.maxRast, m)
	}
	data, err := in.read(k)
	if err != nil {
		return err
	}
	in.printLine(false)
	bm := &escpos.Bitmap{W: xb * 8, H: h, Stride: xb, Pix: data}
	if m&1 == 1 {
		bm = scaleX(bm, 2, 1)
	}
	if m&2 == 2 {
		bm = scaleY2(bm)
	}
	if bm.W > in.width {
		return fmt.Errorf("escpossim: GS v 0 image %d dots wide on %d-dot paper", bm.W, in.width)
	}
	in.place(bm)
	return nil
}

func scaleY2(bm *escpos.Bitmap) *escpos.Bitmap {
	out := escpos.NewBitmap(bm.W, bm.H*2)
	for y := 0; y < out.H; y++ {
		copy(out.Pix[y*out.Stride:(y+1)*out.Stride], bm.Pix[(y/2)*bm.Stride:(y/2+1)*bm.Stride])
	}
	return out
}

// paren handles GS ( k pL pH cn fn [params]: the QR code functions (cn 49)
// 165 model, 167 module size, 169 error correction, 180 store, 181 print.
func (in *interp) paren() error {
	p, err := in.read(3)
	if err != nil {
		return err
	}
	n := int(p[1]) | int(p[2])<<8
	if p[0] != 'k' {
		if err := in.skip(n); err != nil {
			return err
		}
		return fmt.Errorf("escpossim: GS ( %q unsupported", p[0])
	}
	if n < 2 || n > maxQRStore+3 {
		if err := in.skip(n); err != nil {
			return err
		}
		return fmt.Errorf("escpossim: GS ( k length %d out of range", n)
	}
	body, err := in.read(n)
	if err != nil {
		return err
	}
	if body[0] != '1' { // cn 49: QR code; PDF417 and others are ignored
		return nil
	}
	return in.qrFunc(body[1], body[2:])
}

func (in *interp) qrFunc(fn byte, args []byte) error {
	m := &in.modes
	switch {
	case fn == 67 && len(args) == 1:
		m.qrModule = min(16, max(1, int(args[0])))
	case fn == 69 && len(args) == 1:
		m.qrEC = args[0]
	case fn == 80 && len(args) >= 1:
		m.qrData = append([]byte(nil), args[1:]...)
	case fn == 81:
		return in.printQR()
	case fn == 65 || fn == 82:
	default:
		return fmt.Errorf("escpossim: GS ( k fn %d with %d bytes unsupported", fn, len(args))
	}
	return nil
}

func (in *interp) printQR() (err error) {
	m := &in.modes
	if len(m.qrData) == 0 {
		return fmt.Errorf("escpossim: QR print with no stored data")
	}
	level := qr.Level(min(3, max(0, int(m.qrEC)-48)))
	defer func() { // guard against a third-party encoder panic on odd input
		if r := recover(); r != nil {
			err = fmt.Errorf("escpossim: QR encoder failed: %v", r)
		}
	}()
	code, err := qr.Encode(string(m.qrData), level)
	if err != nil {
		return fmt.Errorf("escpossim: QR: %w", err)
	}
	mod := m.qrModule
	if code.Size*mod > in.width {
		return fmt.Errorf("escpossim: QR of %d modules × %d dots wider than paper", code.Size, mod)
	}
	in.printLine(false)
	in.qrs = append(in.qrs, string(m.qrData))
	bm := escpos.NewBitmap(code.Size*mod, code.Size*mod)
	for y := 0; y < code.Size; y++ {
		for x := 0; x < code.Size; x++ {
			if code.Black(x, y) {
				fillRect(bm, x*mod, y*mod, mod, mod)
			}
		}
	}
	in.place(bm)
	return nil
}

func fillRect(bm *escpos.Bitmap, x0, y0, w, h int) {
	for y := y0; y < y0+h; y++ {
		for x := x0; x < x0+w; x++ {
			bm.Set(x, y, true)
		}
	}
}

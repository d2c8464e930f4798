package escpos

import (
	"fmt"
)

// Control bytes (ESC/POS Command Reference, "Command list").
const (
	LF  = 0x0A
	ESC = 0x1B
	GS  = 0x1D
	DLE = 0x10
	EOT = 0x04
)

// Align is a justification (ESC a n).
type Align byte

// Justifications.
const (
	AlignLeft   Align = 0
	AlignCenter Align = 1
	AlignRight  Align = 2
)

// ECLevel is a QR error-correction level (GS ( k fn 69).
type ECLevel byte

// QR error-correction levels: L 7 %, M 15 %, Q 25 %, H 30 %.
const (
	ECL ECLevel = 48
	ECM ECLevel = 49
	ECQ ECLevel = 50
	ECH ECLevel = 51
)

// Builder appends ESC/POS commands to a byte slice. The zero value is ready.
// Methods return the Builder so calls chain; Bytes returns the result.
type Builder struct {
	b []byte
}

// Bytes returns the commands built so far.
func (w *Builder) Bytes() []byte { return w.b }

// Len is the number of bytes built so far.
func (w *Builder) Len() int { return len(w.b) }

// Raw appends bytes unchanged (already-encoded text).
func (w *Builder) Raw(p ...byte) *Builder { w.b = append(w.b, p...); return w }

// Init resets the printer's modes: ESC @.
func (w *Builder) Init() *Builder { return w.Raw(ESC, '@') }

// Align sets justification: ESC a n.
func (w *Builder) Align(a Align) *Builder { return w.Raw(ESC, 'a', byte(a)) }

// Emphasis turns bold on or off: ESC E n.
func (w *Builder) Emphasis(on bool) *Builder { return w.Raw(ESC, 'E', boolByte(on)) }

// Size sets the character magnification: GS ! n, width and height 1..8.
func (w *Builder) Size(width, height int) *Builder {
	width, height = clamp(width, 1, 8), clamp(height, 1, 8)
	return w.Raw(GS, '!', byte((width-1)<<4|(height-1)))
}

// Reverse turns white-on-black printing on or off: GS B n.
func (w *Builder) Reverse(on bool) *Builder { return w.Raw(GS, 'B', boolByte(on)) }

// LineSpacing sets the line spacing in dots: ESC 3 n.
func (w *Builder) LineSpacing(dots int) *Builder { return w.Raw(ESC, '3', byte(clamp(dots, 0, 255))) }

// DefaultLineSpacing restores the default line spacing: ESC 2.
func (w *Builder) DefaultLineSpacing() *Builder { return w.Raw(ESC, '2') }

// Feed prints the buffer and feeds n lines: ESC d n.
func (w *Builder) Feed(lines int) *Builder { return w.Raw(ESC, 'd', byte(clamp(lines, 0, 255))) }

// FeedDots prints the buffer and feeds n dots: ESC J n.
func (w *Builder) FeedDots(dots int) *Builder { return w.Raw(ESC, 'J', byte(clamp(dots, 0, 255))) }

// CodePage selects a character code table: ESC t n. The number for CP1258
// differs by vendor (Epson 52, many clones 94 or 27, Rongta 35).
func (w *Builder) CodePage(n byte) *Builder { return w.Raw(ESC, 't', n) }

// Cut feeds the paper to the cutter position plus feed dots and cuts:
// GS V 65 n (full) or GS V 66 n (partial), function B.
func (w *Builder) Cut(partial bool, feed int) *Builder {
	m := byte(65)
	if partial {
		m = 66
	}
	return w.Raw(GS, 'V', m, byte(clamp(feed, 0, 255)))
}

// Beep sounds the buzzer times times for duration×50 ms each: ESC B n t,
// as found on most kiosk printers with a buzzer (Epson TM models use a
// different command; printers without a buzzer ignore it).
func (w *Builder) Beep(times, duration int) *Builder {
	return w.Raw(ESC, 'B', byte(clamp(times, 1, 9)), byte(clamp(duration, 1, 9)))
}

// Status appends a real-time status request: DLE EOT n, n = 1..4.
func (w *Builder) Status(n byte) *Builder { return w.Raw(DLE, EOT, n) }

// Raster appends a 1-bit image as GS v 0 blocks of at most maxBytes image
// bytes each (a printer's receive buffer is small; 0 means 4096), so that a
// tall image is sent as a stack of bands.
func (w *Builder) Raster(bm *Bitmap, maxBytes int) *Builder {
	if bm == nil || bm.W <= 0 || bm.H <= 0 {
		return w
	}
	if maxBytes <= 0 {
		maxBytes = 4096
	}
	rows := max(1, min(maxBytes/bm.Stride, 0xFFFF))
	for y := 0; y < bm.H; y += rows {
		h := min(rows, bm.H-y)
		w.Raw(GS, 'v', '0', 0, byte(bm.Stride), byte(bm.Stride>>8), byte(h), byte(h>>8))
		w.Raw(bm.Pix[y*bm.Stride : (y+h)*bm.Stride]...)
	}
	return w
}

// MaxQRData is the largest QR payload accepted (model 2, version 40, level L,
// byte mode holds 2953 bytes; GS ( k limits the store to 7089).
const MaxQRData = 2953

// QR appends a QR code, model 2: GS ( k functions 165 (model), 167 (module
// size 1..16 dots), 169 (error correction), 180 (store data), 181 (print).
func (w *Builder) QR(data []byte, module int, ec ECLevel) (*Builder, error) {
	if len(data) == 0 || len(data) > MaxQRData {
		return w, fmt.Errorf("%w: QR data of %d bytes (want 1..%d)", ErrTooLarge, len(data), MaxQRData)
	}
	if ec < ECL || ec > ECH {
		ec = ECM
	}
	w.qrFunc(65, '2', 0)                          // fn 65: model 2
	w.qrFunc(67, byte(clamp(module, 1, 16)))      // fn 67: module size
	w.qrFunc(69, byte(ec))                        // fn 69: error correction level
	w.qrFunc(80, append([]byte{'0'}, data...)...) // fn 80: store, m = 48
	w.qrFunc(81, '0')                             // fn 81: print
	return w, nil
}

// qrFunc appends GS ( k pL pH cn=49 fn params.
func (w *Builder) qrFunc(fn byte, params ...byte) {
	n := len(params) + 2
	w.Raw(GS, '(', 'k', byte(n), byte(n>>8), '1', fn)
	w.Raw(params...)
}

// Code128 appends a CODE128 barcode (GS k m=73) in code set B, with bar
// height in dots (GS h) and module width 2..6 (GS w), no HRI text (GS H 0).
func (w *Builder) Code128(data string, height, module int) (*Builder, error) {
	if len(data) == 0 || len(data) > 253 {
		return w, fmt.Errorf("%w: CODE128 data of %d bytes (want 1..253)", ErrTooLarge, len(data))
	}
	for i := 0; i < len(data); i++ {
		if data[i] < 0x20 || data[i] > 0x7E {
			return w, fmt.Errorf("escpos: CODE128 data byte %#x is not printable ASCII", data[i])
		}
	}
	payload := []byte("{B")
	for i := 0; i < len(data); i++ {
		payload = append(payload, data[i])
		if data[i] == '{' { // "{{" encodes a literal '{' (GS k, function B, CODE128)
			payload = append(payload, '{')
		}
	}
	if len(payload) > 255 {
		return w, fmt.Errorf("%w: CODE128 data too long after escaping", ErrTooLarge)
	}
	w.Raw(GS, 'h', byte(clamp(height, 1, 255)))
	w.Raw(GS, 'w', byte(clamp(module, 2, 6)))
	w.Raw(GS, 'H', 0)
	w.Raw(GS, 'k', 73, byte(len(payload)))
	w.Raw(payload...)
	return w, nil
}

func boolByte(b bool) byte {
	if b {
		return 1
	}
	return 0
}

func clamp(v, lo, hi int) int { return max(lo, min(v, hi)) }

package escpos

import (
	"fmt"
	"strings"
)

// Block is one element of a Document: Text, QR, Barcode, Image, Rule, Space,
// Beep or Cut.
type Block interface{ isBlock() }

// Text is a paragraph, word-wrapped to the paper width.
type Text struct {
	Text  string
	Size  int // dots per em; 0 means SizeNormal
	Bold  bool
	Align Align
	// Inverse prints white on black across the paper (GS B in text mode).
	Inverse bool
	// Fit shrinks a single line (a ticket number, a licence plate) until
	// it fits the paper instead of wrapping it.
	Fit bool
}

// QR is a QR code printed by the printer itself (GS ( k, model 2).
type QR struct {
	Data   string
	Module int     // dots per module 1..16; 0 means 6
	EC     ECLevel // 0 means ECM
	Align  Align
}

// Barcode is a CODE128 barcode (code set B).
type Barcode struct {
	Data   string
	Height int // dots; 0 means 80
	Module int // 2..6; 0 means 2
	Align  Align
}

// Image is a 1-bit picture (a logo) sent as GS v 0.
type Image struct {
	Bitmap *Bitmap
	Align  Align
}

// Row is one line with Left text flush left and Right text flush right
// (an item and its price). Text that does not fit is wrapped on the left.
type Row struct {
	Left, Right string
	Size        int // dots per em; 0 means SizeNormal
	Bold        bool
}

// Rule is a horizontal line across the paper, solid or dashed.
type Rule struct{ Dashed bool }

// Space feeds Dots of blank paper.
type Space struct{ Dots int }

// Beep sounds the buzzer, where the printer has one.
type Beep struct{ Times, Duration int }

// Cut feeds past the print head and cuts (partial leaves a hinge).
type Cut struct{ Partial bool }

func (Text) isBlock()    {}
func (Row) isBlock()     {}
func (QR) isBlock()      {}
func (Barcode) isBlock() {}
func (Image) isBlock()   {}
func (Rule) isBlock()    {}
func (Space) isBlock()   {}
func (Beep) isBlock()    {}
func (Cut) isBlock()     {}

// Document is what a caller prints: blocks from top to bottom.
type Document struct {
	Blocks []Block
}

// Add appends blocks and returns the document.
func (d *Document) Add(b ...Block) *Document {
	d.Blocks = append(d.Blocks, b...)
	return d
}

// EncoderOptions select how a Document becomes bytes.
type EncoderOptions struct {
	// Width of the printable area in dots: Width58mm or Width80mm.
	Width int
	// TextMode sends text the printer can show from its code page as
	// CP1258 text (ESC t CodePage) instead of raster. Lines it cannot
	// encode still go as raster.
	TextMode bool
	// CodePage is the ESC t number of CP1258 on this printer model
	// (Epson 52, many clones 94 or 27, Rongta 35).
	CodePage byte
	// ChunkBytes bounds each GS v 0 band (the printer's receive buffer);
	// 0 means 4096.
	ChunkBytes int
}

// Encoder turns Documents into ESC/POS bytes.
type Encoder struct {
	opts EncoderOptions
	r    *Renderer
}

// NewEncoder returns an Encoder; a zero Width means Width80mm.
func NewEncoder(opts EncoderOptions) (*Encoder, error) {
	if opts.Width == 0 {
		opts.Width = Width80mm
	}
	if opts.Width < 8 || opts.Width > 4096 {
		return nil, fmt.Errorf("escpos: width %d dots out of range", opts.Width)
	}
	r, err := NewRenderer()
	if err != nil {
		return nil, err
	}
	return &Encoder{opts: opts, r: r}, nil
}

// Width is the paper width in dots.
func (e *Encoder) Width() int { return e.opts.Width }

// encodeState accumulates consecutive raster lines into one band.
type encodeState struct {
	w    Builder
	band []*Bitmap
}

// Encode returns the bytes for doc, starting with ESC @.
func (e *Encoder) Encode(doc *Document) ([]byte, error) {
	st := &encodeState{}
	st.w.Init()
	for i, b := range doc.Blocks {
		if err := e.block(st, b); err != nil {
			return nil, fmt.Errorf("escpos: block %d (%T): %w", i, b, err)
		}
	}
	e.flushBand(st)
	return st.w.Bytes(), nil
}

func (e *Encoder) block(st *encodeState, b Block) error {
	switch b := b.(type) {
	case Text:
		return e.text(st, b)
	case Row:
		return e.row(st, b)
	case Image:
		if b.Bitmap == nil {
			return nil
		}
		if b.Bitmap.W > e.opts.Width {
			return fmt.Errorf("%w: image %d dots wide on %d-dot paper", ErrTooLarge, b.Bitmap.W, e.opts.Width)
		}
		st.band = append(st.band, placed(b.Bitmap, e.opts.Width, b.Align))
	case Rule:
		st.band = append(st.band, rule(e.opts.Width, b.Dashed))
	case Space:
		st.band = append(st.band, NewBitmap(e.opts.Width, clamp(b.Dots, 0, 2000)))
	default:
		e.flushBand(st)
		return e.command(st, b)
	}
	return nil
}

// command encodes the blocks the printer draws itself.
func (e *Encoder) command(st *encodeState, b Block) error {
	var err error
	switch b := b.(type) {
	case QR:
		st.w.Align(b.Align)
		_, err = st.w.QR([]byte(b.Data), orDefault(b.Module, 6), b.EC)
		st.w.Raw(LF).Align(AlignLeft)
	case Barcode:
		st.w.Align(b.Align)
		_, err = st.w.Code128(b.Data, orDefault(b.Height, 80), orDefault(b.Module, 2))
		st.w.Raw(LF).Align(AlignLeft)
	case Beep:
		st.w.Beep(orDefault(b.Times, 1), orDefault(b.Duration, 2))
	case Cut:
		st.w.Cut(b.Partial, 96)
	default:
		err = fmt.Errorf("escpos: unknown block type %T", b)
	}
	return err
}

func (e *Encoder) flushBand(st *encodeState) {
	if len(st.band) == 0 {
		return
	}
	h := 0
	for _, bm := range st.band {
		h += bm.H
	}
	out := NewBitmap(e.opts.Width, h)
	y := 0
	for _, bm := range st.band {
		out.Draw(bm, 0, y)
		y += bm.H
	}
	st.band = st.band[:0]
	st.w.Align(AlignLeft).Raster(out, e.opts.ChunkBytes)
}

func (e *Encoder) text(st *encodeState, t Text) error {
	size := orDefault(t.Size, SizeNormal)
	if t.Fit {
		var err error
		if size, err = e.fitSize(t.Text, size, t.Bold); err != nil {
			return err
		}
	}
	if e.opts.TextMode {
		return e.textMode(st, t, size)
	}
	lines, err := e.r.Wrap(t.Text, size, t.Bold, e.opts.Width)
	if err != nil {
		return err
	}
	for _, l := range lines {
		if err := e.rasterLine(st, l, size, t.Bold, t.Align); err != nil {
			return err
		}
		if t.Inverse {
			invert(st.band[len(st.band)-1])
		}
	}
	return nil
}

// fitSize is the largest size ≤ size at which text fits on one line.
func (e *Encoder) fitSize(text string, size int, bold bool) (int, error) {
	for size > SizeSmall {
		bm, err := e.r.Line(text, size, bold)
		if err != nil {
			return 0, err
		}
		if bm.W <= e.opts.Width {
			break
		}
		size = size * 9 / 10
	}
	return size, nil
}

func invert(bm *Bitmap) {
	for i := range bm.Pix {
		bm.Pix[i] = ^bm.Pix[i]
	}
	if pad := bm.Stride*8 - bm.W; pad > 0 { // keep padding bits white
		for y := 0; y < bm.H; y++ {
			bm.Pix[y*bm.Stride+bm.Stride-1] &^= byte(1<<pad - 1)
		}
	}
}

// row renders Right flush right and Left in the remaining width; in text
// mode an encodable row is padded with spaces to the column count.
func (e *Encoder) row(st *encodeState, r Row) error {
	size := orDefault(r.Size, SizeNormal)
	if e.opts.TextMode && size < SizeNormal*3/2 {
		cols := e.opts.Width / 12
		left, right := []rune(r.Left), []rune(r.Right)
		if pad := cols - len(left) - len(right); pad >= 1 {
			line := r.Left + strings.Repeat(" ", pad) + r.Right
			if enc, ok := EncodeCP1258(line); ok {
				e.flushBand(st)
				st.w.CodePage(e.opts.CodePage).Emphasis(r.Bold).Raw(enc...).Raw(LF).Emphasis(false)
				return nil
			}
		}
	}
	right, err := e.r.Line(r.Right, size, r.Bold)
	if err != nil {
		return err
	}
	gap := size / 2
	lines, err := e.r.Wrap(r.Left, size, r.Bold, max(e.opts.Width/3, e.opts.Width-right.W-gap))
	if err != nil {
		return err
	}
	for i, l := range lines {
		left, err := e.r.Line(l, size, r.Bold)
		if err != nil {
			return err
		}
		out := NewBitmap(e.opts.Width, max(left.H, right.H))
		out.Draw(left, 0, 0)
		if i == len(lines)-1 {
			out.Draw(right, e.opts.Width-right.W, 0)
		}
		st.band = append(st.band, out)
	}
	return nil
}

func (e *Encoder) rasterLine(st *encodeState, line string, size int, bold bool, a Align) error {
	bm, err := e.r.Line(line, size, bold)
	if err != nil {
		return err
	}
	st.band = append(st.band, placed(bm, e.opts.Width, a))
	return nil
}

// textMode sends each wrapped line as CP1258 text with Font A (12×24 dots),
// magnified by GS ! to approximate size; a line CP1258 cannot carry is
// rendered as raster so it is never printed as mojibake.
func (e *Encoder) textMode(st *encodeState, t Text, size int) error {
	mult := clamp((size+SizeNormal/2)/SizeNormal, 1, 8)
	cols := max(1, e.opts.Width/(12*mult))
	for _, para := range strings.Split(t.Text, "\n") {
		for _, l := range wrapColumns(para, cols) {
			enc, ok := EncodeCP1258(l)
			if !ok {
				if err := e.rasterLine(st, l, size, t.Bold, t.Align); err != nil {
					return err
				}
				if t.Inverse {
					invert(st.band[len(st.band)-1])
				}
				continue
			}
			e.flushBand(st)
			st.w.CodePage(e.opts.CodePage).Align(t.Align).Emphasis(t.Bold).Size(mult, mult).Reverse(t.Inverse)
			st.w.Raw(enc...).Raw(LF)
			st.w.Reverse(false).Size(1, 1).Emphasis(false).Align(AlignLeft)
		}
	}
	return nil
}

// wrapColumns wraps at spaces to lines of at most cols runes.
func wrapColumns(s string, cols int) []string {
	var lines []string
	line := []rune{}
	for _, word := range strings.Fields(s) {
		wr := []rune(word)
		if len(line) > 0 && len(line)+1+len(wr) <= cols {
			line = append(append(line, ' '), wr...)
			continue
		}
		if len(line) > 0 {
			lines = append(lines, string(line))
		}
		for len(wr) > cols {
			lines = append(lines, string(wr[:cols]))
			wr = wr[cols:]
		}
		line = wr
	}
	return append(lines, string(line))
}

func rule(width int, dashed bool) *Bitmap {
	bm := NewBitmap(width, 12)
	for x := 0; x < width; x++ {
		if dashed && (x/8)%2 == 1 {
			continue
		}
		bm.Set(x, 5, true)
		bm.Set(x, 6, true)
	}
	return bm
}

func orDefault(v, def int) int {
	if v == 0 {
		return def
	}
	return v
}

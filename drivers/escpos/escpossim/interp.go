package escpossim

import (
	"errors"
	"fmt"
	"io"

	"github.com/kiosk06/kiosk/drivers/escpos"
)

// Limits that keep hostile input from exhausting memory.
const (
	maxPageDots  = 8000  // a page longer than this is cut automatically (1 m)
	maxQRStore   = 7089  // GS ( k fn 80 store limit (ESC/POS reference)
	maxParamData = 65535 // largest pL pH length
)

// byteSource is what the interpreter reads commands from.
type byteSource interface {
	ReadByte() (byte, error)
}

// host is the device around the interpreter: the serial line, the
// switchable state and the paper output.
type host interface {
	reply(b []byte)                       // sends status answers to the host
	state() printerState                  // current device state
	page(bm *escpos.Bitmap, qrs []string) // receives each cut page and the data of the QR codes on it
	problem(err error)                    // records input the printer would reject
	beep(times int)                       // counts buzzer soundings
}

// printerState is the simulated device state the host can query.
type printerState struct {
	Paper     escpos.Paper
	CoverOpen bool
}

// interp executes the ESC/POS subset of the escpos package on a page canvas.
type interp struct {
	src     byteSource
	host    host
	render  *escpos.Renderer
	width   int
	cp1258  byte // ESC t number that selects CP1258
	maxRast int

	page  *escpos.Bitmap
	y     int
	lost  bool     // something was sent while printing was impossible
	drawn bool     // something was drawn on the page
	qrs   []string // data of the QR codes printed on the page
	modes modes
	line  []textRun
}

// modes are the settings ESC @ resets.
type modes struct {
	align      escpos.Align
	bold       bool
	inverse    bool
	wmul, hmul int
	spacing    int
	codePage   byte
	qrModule   int
	qrEC       byte
	qrData     []byte
	barHeight  int
	barModule  int
}

type textRun struct {
	b          byte
	bold       bool
	wmul, hmul int
	codePage   byte
}

func defaultModes() modes {
	return modes{wmul: 1, hmul: 1, spacing: 30, qrModule: 3, qrEC: 48, barHeight: 162, barModule: 3}
}

func (in *interp) reset() {
	in.modes = defaultModes()
	in.line = in.line[:0]
}

// run executes commands until the source fails (closed pty, end of input).
func (in *interp) run() error {
	in.reset()
	in.page = escpos.NewBitmap(in.width, 0)
	for {
		c, err := in.src.ReadByte()
		if err != nil {
			return err
		}
		if err := in.step(c); err != nil {
			if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
				return err
			}
			in.problem(err)
		}
	}
}

func (in *interp) problem(err error) { in.host.problem(err) }

func (in *interp) next() (byte, error) { return in.src.ReadByte() }

// read returns the next n bytes (n bounded by the caller).
func (in *interp) read(n int) ([]byte, error) {
	b := make([]byte, n)
	for i := range b {
		c, err := in.src.ReadByte()
		if err != nil {
			return nil, err
		}
		b[i] = c
	}
	return b, nil
}

// skip discards n bytes.
func (in *interp) skip(n int) error {
	for ; n > 0; n-- {
		if _, err := in.src.ReadByte(); err != nil {
			return err
		}
	}
	return nil
}

func (in *interp) step(c byte) error {
	switch c {
	case escpos.ESC:
		return in.esc()
	case escpos.GS:
		return in.gs()
	case escpos.DLE:
		return in.dle()
	case escpos.LF:
		in.printLine(true)
	case '\r':
	case '\t':
		in.addText(' ')
	default:
		if c >= 0x20 {
			in.addText(c)
		}
	}
	return nil
}

// addText buffers one character; like a printer, a full line (Font A is
// 12 dots wide, times the width magnification) is printed at once.
func (in *interp) addText(c byte) {
	m := in.modes
	if len(in.line) >= max(1, in.width/(12*m.wmul)) {
		in.printLine(false)
	}
	in.line = append(in.line, textRun{c, m.bold, m.wmul, m.hmul, m.codePage})
}

// esc handles ESC x commands (ESC/POS Command Reference).
func (in *interp) esc() error {
	c, err := in.next()
	if err != nil {
		return err
	}
	switch c {
	case '@':
		in.reset()
		return nil
	case '2':
		in.modes.spacing = 30
		return nil
	}
	arity := map[byte]int{'a': 1, 'E': 1, 'G': 1, '!': 1, '3': 1, 'd': 1, 'J': 1, 't': 1, 'B': 2,
		'-': 1, 'M': 1, 'p': 3, 'R': 1, 'V': 1, '{': 1, 'c': 2, ' ': 1, 'U': 1, '$': 2}
	n, ok := arity[c]
	if !ok {
		return fmt.Errorf("escpossim: unsupported ESC %#02x", c)
	}
	p, err := in.read(n)
	if err != nil {
		return err
	}
	in.escArgs(c, p)
	return nil
}

func (in *interp) escArgs(c byte, p []byte) {
	m := &in.modes
	switch c {
	case 'a':
		m.align = escpos.Align(p[0] % 48 % 3)
	case 'E', 'G':
		m.bold = p[0]&1 == 1
	case '!':
		m.bold = p[0]&0x08 != 0
		m.hmul, m.wmul = 1+int(p[0]>>4&1), 1+int(p[0]>>5&1)
	case '3':
		m.spacing = int(p[0])
	case 'd':
		in.printLine(false)
		in.advance(int(p[0]) * m.spacing)
	case 'J':
		in.printLine(false)
		in.advance(int(p[0]))
	case 't':
		m.codePage = p[0]
	case 'B':
		in.host.beep(int(p[0]))
	}
}

// gs handles GS x commands.
func (in *interp) gs() error {
	c, err := in.next()
	if err != nil {
		return err
	}
	switch c {
	case 'v':
		return in.raster()
	case '(':
		return in.paren()
	case 'k':
		return in.barcode()
	case 'V':
		return in.cut()
	}
	arity := map[byte]int{'!': 1, 'h': 1, 'w': 1, 'H': 1, 'f': 1, 'L': 2, 'W': 2, 'B': 1, 'a': 1, 'r': 1, 'I': 1, 'P': 2}
	n, ok := arity[c]
	if !ok {
		return fmt.Errorf("escpossim: unsupported GS %#02x", c)
	}
	p, err := in.read(n)
	if err != nil {
		return err
	}
	m := &in.modes
	switch c {
	case '!':
		m.wmul, m.hmul = 1+int(p[0]>>4&7), 1+int(p[0]&7)
	case 'h':
		m.barHeight = max(1, int(p[0]))
	case 'B':
		m.inverse = p[0]&1 == 1
	case 'w':
		m.barModule = min(6, max(1, int(p[0])))
	}
	return nil
}

// dle handles the real-time commands DLE EOT n, DLE ENQ n and DLE DC4.
func (in *interp) dle() error {
	c, err := in.next()
	if err != nil {
		return err
	}
	switch c {
	case escpos.EOT:
		n, err := in.next()
		if err != nil {
			return err
		}
		if n >= 1 && n <= 4 {
			b := escpos.EncodeStatus(deviceStatus(in.host.state()))
			in.host.reply([]byte{b[n-1]})
		}
	case 0x05: // DLE ENQ n
		return in.skip(1)
	case 0x14: // DLE DC4 fn m t
		return in.skip(3)
	}
	return nil
}

// deviceStatus is what the simulated printer reports: it stops (goes offline)
// with the cover open or the paper out, as Epson printers do.
func deviceStatus(s printerState) escpos.Status {
	paper := s.Paper
	if paper == "" {
		paper = escpos.PaperOK
	}
	return escpos.Status{Online: !s.CoverOpen && paper != escpos.PaperEnd, Paper: paper, CoverOpen: s.CoverOpen}
}

func (in *interp) canPrint() bool {
	st := deviceStatus(in.host.state())
	if !st.Online {
		in.lost = true
		return false
	}
	return true
}

// advance moves the paper by dots, growing the page.
func (in *interp) advance(dots int) {
	if !in.canPrint() {
		return
	}
	in.y += max(0, dots) // blank paper: the canvas grows when something is drawn
	if in.y > maxPageDots {
		in.problem(fmt.Errorf("escpossim: page longer than %d dots, cut", maxPageDots))
		in.finishPage()
	}
}

func (in *interp) grow(h int) { in.grow0(in.page, h) }

// grow0 lengthens p to h rows in place; append amortises the copies.
func (in *interp) grow0(p *escpos.Bitmap, h int) {
	if h <= p.H {
		return
	}
	p.Pix = append(p.Pix, make([]byte, (h-p.H)*p.Stride)...)
	p.H = h
}

// place draws bm at the current line with the current alignment and
// advances the paper by its height.
func (in *interp) place(bm *escpos.Bitmap) {
	if bm == nil || !in.canPrint() {
		return
	}
	x := 0
	if bm.W < in.width {
		switch in.modes.align {
		case escpos.AlignCenter:
			x = (in.width - bm.W) / 2
		case escpos.AlignRight:
			x = in.width - bm.W
		}
	}
	if in.y+bm.H > maxPageDots {
		in.problem(fmt.Errorf("escpossim: page longer than %d dots, cut", maxPageDots))
		in.finishPage()
	}
	in.grow(min(in.y+bm.H, maxPageDots))
	in.drawn = true
	in.page.Draw(bm, x, in.y)
	in.y += bm.H
}

// cut handles GS V: function A (m = 0, 1, 48, 49), B (65, 66 + n feed) and
// C/D (97, 98, 103, 104 + n).
func (in *interp) cut() error {
	m, err := in.next()
	if err != nil {
		return err
	}
	feed := 0
	switch m {
	case 0, 1, 48, 49:
	case 65, 66, 97, 98, 103, 104:
		n, err := in.next()
		if err != nil {
			return err
		}
		if m == 65 || m == 66 {
			feed = int(n)
		}
	default:
		return fmt.Errorf("escpossim: GS V %d unsupported", m)
	}
	in.printLine(false)
	in.advance(feed)
	in.finishPage()
	return nil
}

// finishPage emits the page printed since the last cut, unless nothing was
// printed or part of it was lost to a stopped printer.
func (in *interp) finishPage() {
	page, lost, drawn, y, qrs := in.page, in.lost, in.drawn, in.y, in.qrs
	in.page, in.y, in.lost, in.drawn, in.qrs = escpos.NewBitmap(in.width, 0), 0, false, false, nil
	if !drawn || lost {
		if lost {
			in.problem(errors.New("escpossim: page discarded: printer stopped (paper end or cover open)"))
		}
		return
	}
	in.grow0(page, min(y, maxPageDots)) // trailing feed
	in.host.page(page, qrs)
}

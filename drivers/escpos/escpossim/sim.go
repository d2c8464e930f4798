// Package escpossim is the device side of an ESC/POS receipt printer on a
// pseudo-terminal, for tests, `kioskd sim` and documentation pictures.
//
// It interprets the subset the escpos package sends — ESC @, ESC a, ESC E,
// ESC !, GS !, ESC 2/3, ESC d, ESC J, ESC t, ESC B, GS v 0 (raster, with a
// bounded block size like a real receive buffer), GS ( k (QR code model 2,
// drawn from the stored data with rsc.io/qr), GS k 73 (CODE128), GS V (cut)
// — answers DLE EOT 1..4 from its switchable state (paper ok / near end /
// end, cover open), and renders each cut page to a PNG file. Text-mode text
// is drawn with the same bundled font as the driver's raster text, decoding
// CP1258 when the configured ESC t table is selected.
//
// Like a real printer it stops while the cover is open or the paper is out:
// data received then is parsed but not printed, and the page is discarded.
//
// Specification: Epson ESC/POS Command Reference. It imports the escpos
// package only for shared tables (status bits, CP1258, font), never its
// Printer: tests reach the simulator over a real pty.
package escpossim

import (
	"bufio"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"log/slog"
	"os"
	"path/filepath"
	"sync"

	"github.com/kiosk06/kiosk/drivers/escpos"
	"github.com/kiosk06/kiosk/drivers/serialport/ptypair"
)

// Options configure a simulated printer. The zero value (or nil) is an
// 80 mm printer that keeps pages in memory only.
type Options struct {
	// Dir receives page-NNN.png for each cut page; "" keeps pages in memory.
	Dir string
	// Width in dots; 0 means escpos.Width80mm.
	Width int
	// Baud shown in DeviceString; 0 means escpos.DefaultBaud.
	Baud int
	// CodePage is the ESC t number this model uses for CP1258; 0 means 52 (Epson).
	CodePage byte
	// MaxRasterBytes is the largest GS v 0 block accepted (the receive
	// buffer); larger blocks are rejected. 0 means 65535.
	MaxRasterBytes int
	// Link, if set, is a symlink kept pointing at the pty (like udev's
	// /dev/kiosk-printer); Path then returns it.
	Link string
	// Logger for problems in received data; nil means slog.Default().
	Logger *slog.Logger
}

// maxKeptPages bounds the pages Pages keeps in memory (files are all kept).
const maxKeptPages = 100

// Page is one cut page.
type Page struct {
	Image *image.Gray
	File  string // PNG path, "" without Options.Dir
	// QR holds the data of each QR code printed on the page, in order: what
	// a scanner held over the slip would read (a parking ticket's QR).
	QR []string
}

// Sim is a running simulated printer.
type Sim struct {
	opts Options
	pair *ptypair.Pair
	done chan struct{}

	mu       sync.Mutex
	paper    escpos.Paper
	cover    bool
	pages    []Page // the last maxKeptPages
	printed  int
	beeps    int
	problems []error
}

// Start allocates a pty and runs the printer on its master side until ctx
// is done or Close is called. nil opts means defaults.
func Start(ctx context.Context, opts *Options) (*Sim, error) {
	var o Options
	if opts != nil {
		o = *opts
	}
	if o.Width == 0 {
		o.Width = escpos.Width80mm
	}
	if o.Baud == 0 {
		o.Baud = escpos.DefaultBaud
	}
	if o.CodePage == 0 {
		o.CodePage = 52
	}
	if o.MaxRasterBytes == 0 {
		o.MaxRasterBytes = 65535
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.Width < 8 || o.Width > 4096 {
		return nil, fmt.Errorf("escpossim: width %d out of range", o.Width)
	}
	if o.Dir != "" {
		if err := os.MkdirAll(o.Dir, 0o755); err != nil {
			return nil, fmt.Errorf("escpossim: %w", err)
		}
	}
	r, err := escpos.NewRenderer()
	if err != nil {
		return nil, err
	}
	pair, err := ptypair.Open(&ptypair.Options{Link: o.Link})
	if err != nil {
		return nil, fmt.Errorf("escpossim: %w", err)
	}
	s := &Sim{opts: o, pair: pair, done: make(chan struct{}), paper: escpos.PaperOK}
	in := &interp{host: s, render: r, width: o.Width, cp1258: o.CodePage, maxRast: o.MaxRasterBytes,
		src: bufio.NewReader(pair.Master())}
	go func() {
		defer close(s.done)
		in.run()
	}()
	go func() {
		select {
		case <-ctx.Done():
			s.Close()
		case <-s.done:
		}
	}()
	return s, nil
}

// Path is the host side of the pty, what the driver opens.
func (s *Sim) Path() string { return s.pair.Path() }

// DeviceString is the escpos device string for the driver, e.g.
// "escpos:/dev/pts/3@19200".
func (s *Sim) DeviceString() string {
	return escpos.Device{Path: s.Path(), Baud: s.opts.Baud}.String()
}

// SetPaper switches the roll sensor: escpos.PaperOK, PaperNearEnd or PaperEnd.
func (s *Sim) SetPaper(p escpos.Paper) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.paper = p
}

// SetCover opens or closes the cover.
func (s *Sim) SetCover(open bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.cover = open
}

// Pages returns the pages cut so far (the last 100).
func (s *Sim) Pages() []Page {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Page(nil), s.pages...)
}

// Beeps is how many buzzer soundings were requested.
func (s *Sim) Beeps() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.beeps
}

// Problems returns data the printer rejected (unsupported commands,
// oversized raster blocks, discarded pages), oldest first, at most 100.
func (s *Sim) Problems() []error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]error(nil), s.problems...)
}

// Close stops the printer and releases the pty. It may be called more than
// once.
func (s *Sim) Close() error {
	err := s.pair.Close()
	<-s.done
	return err
}

func (s *Sim) reply(b []byte) {
	if _, err := s.pair.Master().Write(b); err != nil {
		s.problem(fmt.Errorf("escpossim: reply: %w", err))
	}
}

func (s *Sim) state() printerState {
	s.mu.Lock()
	defer s.mu.Unlock()
	return printerState{Paper: s.paper, CoverOpen: s.cover}
}

func (s *Sim) beep(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.beeps += n
}

func (s *Sim) problem(err error) {
	s.opts.Logger.Debug("escpossim: rejected input", "err", err)
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.problems) < 100 {
		s.problems = append(s.problems, err)
	}
}

func (s *Sim) page(bm *escpos.Bitmap, qrs []string) {
	img := bm.Image()
	p := Page{Image: img, QR: qrs}
	s.mu.Lock()
	s.printed++
	n := s.printed
	s.mu.Unlock()
	if s.opts.Dir != "" {
		p.File = filepath.Join(s.opts.Dir, fmt.Sprintf("page-%03d.png", n))
		if err := writePNG(p.File, bm); err != nil {
			s.problem(err)
			p.File = ""
		}
	}
	s.mu.Lock()
	s.pages = append(s.pages, p)
	if len(s.pages) > maxKeptPages {
		s.pages = append([]Page(nil), s.pages[len(s.pages)-maxKeptPages:]...)
	}
	s.mu.Unlock()
}

// writePNG writes bm as a 1-bit PNG file.
func writePNG(path string, bm *escpos.Bitmap) error {
	img := image.NewPaletted(image.Rect(0, 0, bm.W, bm.H), color.Palette{color.White, color.Black})
	for y := 0; y < bm.H; y++ {
		for x := 0; x < bm.W; x++ {
			if bm.Black(x, y) {
				img.Pix[y*img.Stride+x] = 1
			}
		}
	}
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("escpossim: %w", err)
	}
	if err := png.Encode(f, img); err != nil {
		f.Close()
		return fmt.Errorf("escpossim: write %s: %w", path, err)
	}
	return f.Close()
}

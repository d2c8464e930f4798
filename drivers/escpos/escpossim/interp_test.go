package escpossim

import (
	"bytes"
	"strings"
	"testing"

	"github.com/kiosk06/kiosk/drivers/escpos"
)

// recorder is a host that keeps everything in memory (parser tests and fuzzing).
type recorder struct {
	st       printerState
	replies  []byte
	pages    []*escpos.Bitmap
	qrs      [][]string
	problems []error
	beeps    int
}

func (r *recorder) reply(b []byte)      { r.replies = append(r.replies, b...) }
func (r *recorder) state() printerState { return r.st }
func (r *recorder) page(bm *escpos.Bitmap, qrs []string) {
	r.pages, r.qrs = append(r.pages, bm), append(r.qrs, qrs)
}
func (r *recorder) problem(err error) { r.problems = append(r.problems, err) }
func (r *recorder) beep(n int)        { r.beeps += n }
func (r *recorder) String() string    { return "recorder" }

func runBytes(tb testing.TB, rec *recorder, width int, data []byte) {
	tb.Helper()
	r, err := escpos.NewRenderer()
	if err != nil {
		tb.Fatal(err)
	}
	in := &interp{host: rec, render: r, width: width, cp1258: 52, maxRast: 4096, src: bytes.NewReader(data)}
	in.run()
}

func TestStatusReplies(t *testing.T) {
	tests := []struct {
		name string
		st   printerState
		want []byte
	}{
		{"ok", printerState{Paper: escpos.PaperOK}, []byte{0x12, 0x12, 0x12, 0x12}},
		{"near end", printerState{Paper: escpos.PaperNearEnd}, []byte{0x12, 0x12, 0x12, 0x1E}},
		{"end", printerState{Paper: escpos.PaperEnd}, []byte{0x1A, 0x32, 0x12, 0x72}},
		{"cover", printerState{Paper: escpos.PaperOK, CoverOpen: true}, []byte{0x1A, 0x16, 0x12, 0x12}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rec := &recorder{st: tc.st}
			runBytes(t, rec, 384, []byte{0x10, 4, 1, 0x10, 4, 2, 0x10, 4, 3, 0x10, 4, 4, 0x10, 4, 9})
			if !bytes.Equal(rec.replies, tc.want) {
				t.Errorf("replies % X, want % X", rec.replies, tc.want)
			}
		})
	}
}

// Each page keeps the data of the QR codes printed on it (GS ( k fn 80
// stores, fn 81 prints), as a scanner held over the slip would read them;
// a page lost to a stopped printer takes its codes with it.
func TestPageQRData(t *testing.T) {
	var w escpos.Builder
	w.Init()
	w.QR([]byte("K7Q2M4ZP3X"), 6, escpos.ECM)
	w.Cut(true, 3)
	w.QR([]byte("A"), 4, escpos.ECM)
	w.QR([]byte("B"), 4, escpos.ECM)
	w.Cut(true, 3)
	rec := &recorder{st: printerState{Paper: escpos.PaperOK}}
	runBytes(t, rec, 576, w.Bytes())
	if len(rec.qrs) != 2 || strings.Join(rec.qrs[0], ",") != "K7Q2M4ZP3X" || strings.Join(rec.qrs[1], ",") != "A,B" {
		t.Fatalf("pages' QR data %q", rec.qrs)
	}
	rec = &recorder{st: printerState{Paper: escpos.PaperEnd}}
	runBytes(t, rec, 576, w.Bytes())
	if len(rec.pages) != 0 || len(rec.qrs) != 0 {
		t.Fatalf("out of paper: %d pages, QR data %q", len(rec.pages), rec.qrs)
	}
}

func TestRasterBufferLimit(t *testing.T) {
	var w escpos.Builder
	w.Raster(escpos.NewBitmap(384, 200), 100000) // one 9600-byte block
	w.Cut(true, 0)
	rec := &recorder{st: printerState{Paper: escpos.PaperOK}}
	runBytes(t, rec, 384, w.Bytes())
	if len(rec.problems) == 0 || !strings.Contains(rec.problems[0].Error(), "exceeds") {
		t.Errorf("oversized block accepted: %v", rec.problems)
	}
	rec = &recorder{st: printerState{Paper: escpos.PaperOK}}
	w = escpos.Builder{}
	bm := escpos.NewBitmap(384, 200)
	bm.Set(10, 199, true)
	w.Raster(bm, 4096).Cut(true, 0)
	runBytes(t, rec, 384, w.Bytes())
	if len(rec.problems) != 0 || len(rec.pages) != 1 || rec.pages[0].H != 200 || !rec.pages[0].Black(10, 199) {
		t.Errorf("chunked raster: problems %v, pages %d", rec.problems, len(rec.pages))
	}
}

func TestPaperEndDiscardsPage(t *testing.T) {
	var w escpos.Builder
	w.Raw([]byte("hello")...).Raw(escpos.LF).Cut(false, 0)
	rec := &recorder{st: printerState{Paper: escpos.PaperEnd}}
	runBytes(t, rec, 384, w.Bytes())
	if len(rec.pages) != 0 || len(rec.problems) == 0 {
		t.Errorf("pages %d problems %v", len(rec.pages), rec.problems)
	}
}

// TestCode128Decodes reads the drawn bars back into symbol values.
func TestCode128Decodes(t *testing.T) {
	var w escpos.Builder
	if _, err := w.Code128("FT26{326", 40, 2); err != nil {
		t.Fatal(err)
	}
	w.Cut(true, 0)
	rec := &recorder{st: printerState{Paper: escpos.PaperOK}}
	runBytes(t, rec, 576, w.Bytes())
	if len(rec.pages) != 1 || len(rec.problems) > 0 {
		t.Fatalf("pages %d problems %v", len(rec.pages), rec.problems)
	}
	got := readBars(rec.pages[0], 2)
	want, _ := code128Values([]byte("{BFT26{{326"))
	if len(got) != len(want) {
		t.Fatalf("bars decode to %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("bars decode to %v, want %v", got, want)
		}
	}
}

// readBars converts the first row of a barcode into pattern indices.
func readBars(bm *escpos.Bitmap, mod int) []int {
	var widths []byte
	x := 0
	for x < bm.W && !bm.Black(x, 0) {
		x++
	}
	for x < bm.W {
		c, n := bm.Black(x, 0), 0
		for x < bm.W && bm.Black(x, 0) == c {
			x, n = x+1, n+1
		}
		if x >= bm.W && !c {
			break
		}
		widths = append(widths, byte('0'+n/mod))
	}
	var vals []int
	for len(widths) >= 6 {
		n := 6
		if len(widths) == 7 {
			n = 7
		}
		found := -1
		for v, p := range code128Patterns {
			if p == string(widths[:n]) {
				found = v
			}
		}
		vals = append(vals, found)
		widths = widths[n:]
	}
	return vals
}

func TestTextModeRendersCP1258(t *testing.T) {
	enc, err := escpos.NewEncoder(escpos.EncoderOptions{Width: 384, TextMode: true, CodePage: 52})
	if err != nil {
		t.Fatal(err)
	}
	b, err := enc.Encode(&escpos.Document{Blocks: []escpos.Block{escpos.Text{Text: "Tầng 2"}, escpos.Cut{}}})
	if err != nil {
		t.Fatal(err)
	}
	rec := &recorder{st: printerState{Paper: escpos.PaperOK}}
	runBytes(t, rec, 384, b)
	r, _ := escpos.NewRenderer()
	want, _ := r.Line("Tầng 2", escpos.SizeNormal, false)
	if len(rec.pages) != 1 || len(rec.problems) > 0 {
		t.Fatalf("pages %d problems %v", len(rec.pages), rec.problems)
	}
	for y := 0; y < want.H; y++ {
		for x := 0; x < want.W; x++ {
			if want.Black(x, y) != rec.pages[0].Black(x, y) {
				t.Fatalf("text-mode line differs from the font rendering at (%d,%d)", x, y)
			}
		}
	}
}

func TestStartRejectsBadWidth(t *testing.T) {
	if _, err := Start(t.Context(), &Options{Width: 4}); err == nil {
		t.Error("width 4 accepted")
	}
}

// FuzzInterp feeds arbitrary bytes to the command parser: it must never
// panic, and pages stay within the paper width and page limit.
func FuzzInterp(f *testing.F) {
	var w escpos.Builder
	w.Init().Align(escpos.AlignCenter).Emphasis(true).Size(2, 2).Raw([]byte("A023")...).Raw(escpos.LF)
	w.QR([]byte("Q-1"), 4, escpos.ECH)
	w.Code128("ABC", 20, 2)
	w.Raster(escpos.NewBitmap(16, 4), 0).Status(4).Beep(1, 1).Cut(true, 3)
	f.Add(w.Bytes())
	f.Add([]byte{0x1D, 0x76, 0x30, 0, 0xFF, 0xFF, 0xFF, 0xFF})
	f.Add([]byte{0x1D, 0x28, 0x6B, 0xFF, 0xFF, 0x31, 0x50})
	f.Add([]byte{0x1D, 0x6B, 73, 4, '{', 'C', 0xFF, '{'})
	f.Add([]byte{0x1B, 0x74, 52, 0xE2, 0xCC, 0xF2, 0x0A, 0x1D, 0x56, 0x00})
	f.Add([]byte{0x1B, 0x64, 0xFF, 0x1B, 0x64, 0xFF, 0x1B, 0x33, 0xFF, 0x0A})
	r, err := escpos.NewRenderer()
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		rec := &recorder{st: printerState{Paper: escpos.PaperOK}}
		in := &interp{host: rec, render: r, width: 384, cp1258: 52, maxRast: 4096, src: bytes.NewReader(data)}
		in.run()
		for _, p := range rec.pages {
			if p.W != 384 || p.H > maxPageDots || len(p.Pix) != p.Stride*p.H {
				t.Fatalf("page %dx%d with %d bytes", p.W, p.H, len(p.Pix))
			}
		}
	})
}

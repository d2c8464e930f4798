package tickets_test

import (
	"context"
	"flag"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/kiosk06/kiosk/drivers/escpos"
	"github.com/kiosk06/kiosk/drivers/escpos/escpossim"
	"github.com/kiosk06/kiosk/firmware/tickets"
)

var update = flag.Bool("update", false, "rewrite testdata/*.png from the simulator's output")

// sampleTime is fixed so that golden images do not change: Hà Nội time.
var sampleTime = time.Date(2026, 11, 22, 8, 15, 0, 0, time.FixedZone("ICT", 7*3600))

func TestFormatVND(t *testing.T) {
	tests := []struct {
		in   int64
		want string
	}{
		{0, "0 ₫"}, {500, "500 ₫"}, {1000, "1.000 ₫"}, {50000, "50.000 ₫"},
		{1234567, "1.234.567 ₫"}, {-1500, "-1.500 ₫"},
		{-9223372036854775808, "-9.223.372.036.854.775.808 ₫"},
	}
	for _, tc := range tests {
		if got := tickets.FormatVND(tc.in); got != tc.want {
			t.Errorf("FormatVND(%d) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// TestGolden prints every sample through the real driver to escpossim over a
// pty and compares the cut page with testdata/<width>/<name>.png.
func TestGolden(t *testing.T) {
	for _, width := range []int{escpos.Width80mm, escpos.Width58mm} {
		for _, name := range tickets.SampleNames() {
			t.Run(filepath.Join(widthName(width), name), func(t *testing.T) {
				golden(t, width, name)
			})
		}
	}
}

func widthName(w int) string {
	if w == escpos.Width58mm {
		return "58mm"
	}
	return "80mm"
}

func golden(t *testing.T, width int, name string) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	dir := t.TempDir()
	sim, err := escpossim.Start(ctx, &escpossim.Options{Dir: dir, Width: width, MaxRasterBytes: 4096})
	if err != nil {
		t.Fatal(err)
	}
	defer sim.Close()
	dev, err := escpos.ParseDevice(sim.DeviceString())
	if err != nil {
		t.Fatal(err)
	}
	// A generous status timeout: CI machines run many test binaries at once.
	p, err := escpos.Open(dev, &escpos.Options{StatusTimeout: 2 * time.Second, EncoderOptions: escpos.EncoderOptions{Width: width, ChunkBytes: 4096}})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	doc, err := tickets.Sample(name, sampleTime)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.Print(ctx, doc); err != nil {
		t.Fatal(err)
	}
	if probs := sim.Problems(); len(probs) > 0 {
		t.Fatalf("simulator rejected input: %v", probs)
	}
	pages := sim.Pages()
	if len(pages) != 1 {
		t.Fatalf("got %d pages, want 1", len(pages))
	}
	want := filepath.Join("testdata", widthName(width), name+".png")
	if *update {
		copyFile(t, pages[0].File, want)
		return
	}
	if !sameImage(t, pages[0].Image, want) {
		failed := filepath.Join(os.TempDir(), "tickets-"+widthName(width)+"-"+name+".png")
		copyFile(t, pages[0].File, failed)
		t.Errorf("page differs from %s; got %s (run go test -update to accept)", want, failed)
	}
}

func sameImage(t *testing.T, got *image.Gray, path string) bool {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	defer f.Close()
	want, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	if want.Bounds() != got.Bounds() {
		t.Logf("size %v, golden %v", got.Bounds(), want.Bounds())
		return false
	}
	b := got.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, _, _, _ := want.At(x, y).RGBA()
			if (got.GrayAt(x, y).Y < 0x80) != (r < 0x8000) {
				t.Logf("first difference at (%d,%d)", x, y)
				return false
			}
		}
	}
	return true
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(to), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// BenchmarkPrintQueueTicket measures a whole queue ticket: layout, raster
// encoding, the pty, the simulator's parsing and rendering (no PNG files).
func BenchmarkPrintQueueTicket(b *testing.B) {
	ctx := context.Background()
	sim, err := escpossim.Start(ctx, &escpossim.Options{Width: escpos.Width80mm})
	if err != nil {
		b.Fatal(err)
	}
	defer sim.Close()
	dev, _ := escpos.ParseDevice(sim.DeviceString())
	p, err := escpos.Open(dev, nil)
	if err != nil {
		b.Fatal(err)
	}
	defer p.Close()
	doc, _ := tickets.Sample("queue", sampleTime)
	for b.Loop() {
		if _, err := p.Print(ctx, doc); err != nil {
			b.Fatal(err)
		}
	}
}

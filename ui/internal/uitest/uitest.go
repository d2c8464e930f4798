// Package uitest is the screenshot-test kit shared by ui/ packages: a test
// Fyne app with the kiosk theme, golden-image comparison with an update
// mode, PNG writing, and lookups of buttons by label for test.Tap.
//
// Golden images live in the calling package's testdata/ directory and are
// compared pixel for pixel (fyne.io/fyne/v2/test.AssertImageMatches); a
// mismatch leaves the actual image in testdata/failed/. Tests regenerate
// them with their package's -update flag. It is imported by tests only; it
// must NOT import drivers or firmware flows.
package uitest

import (
	"image"
	"image/png"
	"os"
	"path/filepath"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	kiosktheme "github.com/kiosk06/kiosk/ui/theme"
	"github.com/kiosk06/kiosk/ui/widgets"
)

// Portrait and Landscape are the kiosk panel sizes in Fyne units (scale 1).
var (
	Portrait  = fyne.NewSize(1080, 1920)
	Landscape = fyne.NewSize(1920, 1080)
)

// GoldenScale is the canvas scale of golden images: half the panel's
// pixels (540×960 for portrait) keeps the race-enabled suite fast while
// text and layout changes still show. README screenshots use scale 1.
const GoldenScale float32 = 0.5

// SetScale sets a test window's canvas scale (1 unit = scale pixels).
func SetScale(w fyne.Window, scale float32) {
	if c, ok := w.Canvas().(interface{ SetScale(float32) }); ok {
		c.SetScale(scale)
	}
}

// NewApp starts a test app with the kiosk theme; it is torn down when the
// test ends.
func NewApp(t testing.TB, opts kiosktheme.Options) fyne.App {
	t.Helper()
	a := test.NewTempApp(t)
	a.Settings().SetTheme(kiosktheme.New(opts))
	return a
}

// AssertScreen compares img with testdata/name, or (update) rewrites
// testdata/name with img.
func AssertScreen(t *testing.T, name string, img image.Image, update bool) {
	t.Helper()
	if update {
		if err := WritePNG(filepath.Join("testdata", name), img); err != nil {
			t.Fatal(err)
		}
		return
	}
	test.AssertImageMatches(t, name, img)
}

// WritePNG writes img to path, creating directories.
func WritePNG(path string, img image.Image) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	enc := png.Encoder{CompressionLevel: png.DefaultCompression}
	if err := enc.Encode(f, img); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// Buttons returns every kiosk button drawn under root.
func Buttons(root fyne.CanvasObject) []*widgets.Button {
	var out []*widgets.Button
	for _, o := range test.LaidOutObjects(root) {
		if b, ok := o.(*widgets.Button); ok && b.Visible() {
			out = append(out, b)
		}
	}
	return out
}

// Button returns the visible button labelled text, failing the test if
// there is none.
func Button(t testing.TB, root fyne.CanvasObject, text string) *widgets.Button {
	t.Helper()
	for _, b := range Buttons(root) {
		if b.Text == text {
			return b
		}
	}
	var labels []string
	for _, b := range Buttons(root) {
		labels = append(labels, b.Text)
	}
	t.Fatalf("no button %q on screen; buttons: %q", text, labels)
	return nil
}

package hospitalui

import (
	"flag"
	"image"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/kiosk06/kiosk/firmware/hospital"
	"github.com/kiosk06/kiosk/ui/i18n"
	"github.com/kiosk06/kiosk/ui/internal/fixtures"
	"github.com/kiosk06/kiosk/ui/internal/uitest"
	kiosktheme "github.com/kiosk06/kiosk/ui/theme"
	"github.com/kiosk06/kiosk/ui/widgets"
)

var (
	update        = flag.Bool("update", false, "rewrite the golden images in testdata/")
	updateScreens = flag.String("update-screens", "", "also write the README screenshots to this directory (make screenshots passes ../../docs/screens)")
)

type variant struct {
	landscape bool
	lang      hospital.Lang
	display   kiosktheme.Options
}

func env(t *testing.T, lang hospital.Lang, landscape bool, d kiosktheme.Options, send func(hospital.Intent)) Env {
	t.Helper()
	cat, err := i18n.Load(i18n.Lang(lang))
	if err != nil {
		t.Fatal(err)
	}
	return Env{T: cat, Send: send, Landscape: landscape, Now: func() time.Time { return fixtures.Now },
		Display: Display{HighContrast: d.HighContrast, LargeText: d.LargeText}}
}

func size(landscape bool) fyne.Size {
	if landscape {
		return uitest.Landscape
	}
	return uitest.Portrait
}

// lastContent is the content shoot drew last (tests run sequentially).
var lastContent fyne.CanvasObject

// shoot renders s the way Kiosk does — a sized window at the given
// canvas scale, new content, relayout — and captures it.
func shoot(t *testing.T, s hospital.State, v variant, scale float32) image.Image {
	t.Helper()
	content := Render(s, env(t, v.lang, v.landscape, v.display, nil))
	w := test.NewTempWindow(t, nil)
	w.SetPadded(false)
	w.Resize(size(v.landscape))
	uitest.SetScale(w, scale)
	w.SetContent(content)
	widgets.Relayout(content)
	lastContent = content
	return w.Canvas().Capture()
}

// TestScreens renders every fixture screen in Vietnamese portrait, plus
// English, landscape, high-contrast and large-text variants of a few, and
// compares each with testdata/<name>.png.
func TestScreens(t *testing.T) {
	type shot struct {
		name string
		s    hospital.State
		v    variant
	}
	var shots []shot
	for _, n := range fixtures.All() {
		shots = append(shots, shot{n.Name, n.State, variant{lang: hospital.LangVI}})
	}
	for _, name := range []string{"01-welcome", "06-clinic", "09-payment", "29-error-his", "32-identify-can", "35-out-of-service"} {
		s := fixtures.ByName(name)
		shots = append(shots,
			shot{name + "-en", fixtures.English(s), variant{lang: hospital.LangEN}},
			shot{name + "-landscape", s, variant{landscape: true, lang: hospital.LangVI}},
		)
	}
	shots = append(shots,
		shot{"01-welcome-contrast", fixtures.ByName("01-welcome"), variant{lang: hospital.LangVI, display: kiosktheme.Options{HighContrast: true}}},
		shot{"06-clinic-large", fixtures.ByName("06-clinic"), variant{lang: hospital.LangVI, display: kiosktheme.Options{LargeText: true}}},
		// An elderly patient's card result: large text turns on by itself
		// at 60+, and five actions once pushed Call staff off the panel.
		shot{"03-card-genuine-large", fixtures.ByName("03-card-genuine"), variant{lang: hospital.LangVI, display: kiosktheme.Options{LargeText: true}}},
		shot{"09-payment-contrast-large", fixtures.ByName("09-payment"), variant{lang: hospital.LangVI, display: kiosktheme.Options{HighContrast: true, LargeText: true}}},
		shot{"33-identify-can-wrong-large", fixtures.ByName("33-identify-can-wrong"), variant{lang: hospital.LangVI, display: kiosktheme.Options{LargeText: true}}},
	)
	// One app for all shots: a new app (or theme) drops Fyne's font caches,
	// which would dominate the run time.
	app := uitest.NewApp(t, kiosktheme.Options{})
	current := kiosktheme.Options{}
	for _, sh := range shots {
		t.Run(sh.name, func(t *testing.T) {
			if sh.v.display != current {
				app.Settings().SetTheme(kiosktheme.New(sh.v.display))
				current = sh.v.display
			}
			img := shoot(t, sh.s, sh.v, uitest.GoldenScale)
			if got, want := img.Bounds().Size(), size(sh.v.landscape); got.X != int(want.Width*uitest.GoldenScale) || got.Y != int(want.Height*uitest.GoldenScale) {
				t.Fatalf("captured %v, want %v at scale %v", got, want, uitest.GoldenScale)
			}
			content := lastContent
			if fits := content.MinSize(); fits.Height > size(sh.v.landscape).Height || fits.Width > size(sh.v.landscape).Width {
				t.Errorf("content needs %v, more than the %v screen", fits, size(sh.v.landscape))
			}
			for _, b := range uitest.Buttons(content) {
				if b.Size().Height < kiosktheme.TouchTarget || b.Size().Width < kiosktheme.TouchTarget {
					t.Errorf("button %q is %v, under the %v touch target", b.Text, b.Size(), kiosktheme.TouchTarget)
				}
				if strings.Contains(b.Text, "[") {
					t.Errorf("button %q has a missing translation", b.Text)
				}
			}
			uitest.AssertScreen(t, sh.name+".png", img, *update)
			if *updateScreens != "" {
				if err := uitest.WritePNG(filepath.Join(*updateScreens, sh.name+".png"), shoot(t, sh.s, sh.v, 1)); err != nil {
					t.Fatal(err)
				}
			}
		})
	}
}

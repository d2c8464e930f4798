package tests

import (
	"encoding/binary"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// TestScreensInARealWindow opens every profile that has a screen in a real
// X window (Xvfb, Mesa's software GL: what a board without a desktop runs)
// and looks at what the X server shows, not at Fyne's test renderer: the
// parking keypad once drew blank tiles in a real window while its goldens
// passed. The framebuffer is read from the file Xvfb keeps of it (-fbdir,
// XWD format), so the test needs nothing but Xvfb. Each screen must carry
// text (dark pixels on the light theme) and more than a handful of
// colours; the screenshots are written as PNG to KIOSK_SCREENS_DIR when
// it is set, for a person to look at.
func TestScreensInARealWindow(t *testing.T) {
	if _, err := exec.LookPath("Xvfb"); err != nil {
		t.Fatal("Xvfb is not installed (make deps installs it): the real-window check cannot run")
	}
	examples, err := filepath.Abs("../firmware/config/examples")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		profile string
		args    []string
		minInk  float64 // the least share of dark (text) pixels in the window
		buttons int     // the least number of (secondary) buttons on the first screen
	}{
		{"hospital", nil, 0.004, 3},
		{"parking", []string{"--config", filepath.Join(examples, "sim-parking.toml")}, 0.004, 30}, // the attendant's plate keypad
		{"ticketing", []string{"--config", filepath.Join(examples, "sim-ticketing.toml")}, 0.002, 0},
		{"onestop", []string{"--config", filepath.Join(examples, "sim-onestop.toml")}, 0.002, 0},
	} {
		t.Run(tc.profile, func(t *testing.T) {
			display, fb := startXvfb(t)
			dir := t.TempDir()
			args := append([]string{"run", "--sim", "--no-panel"}, tc.args...)
			_, lines, stderr := startKioskd(t, dir, []string{"DISPLAY=" + display, "WAYLAND_DISPLAY="}, args...)
			waitLine(t, lines, "ready", 60*time.Second, stderr)
			// The window maps a moment after "ready"; wait for the first
			// frame with text on it, then for it to settle.
			var img *image.RGBA
			var ink float64
			deadline := time.Now().Add(30 * time.Second)
			for {
				img, err = readXWD(fb)
				// A window mapped but not painted yet is one flat dark
				// colour: all "ink", no text; wait for a painted one.
				if err == nil && distinctColours(img, 8) >= 8 {
					if ink = darkShare(img); ink >= tc.minInk {
						time.Sleep(time.Second)
						if img, err = readXWD(fb); err == nil {
							ink = darkShare(img)
						}
						break
					}
				}
				if time.Now().After(deadline) {
					break
				}
				time.Sleep(250 * time.Millisecond)
			}
			if err != nil {
				t.Fatalf("framebuffer: %v", err)
			}
			if out := os.Getenv("KIOSK_SCREENS_DIR"); out != "" {
				savePNG(t, filepath.Join(out, "xvfb-"+tc.profile+".png"), img)
			}
			colours := distinctColours(img, 64)
			t.Logf("%s: %.2f %% dark pixels, %d colours", tc.profile, 100*ink, colours)
			labelled, blank := buttonLabels(img)
			t.Logf("%s: %d buttons with a label, %d blank", tc.profile, labelled, len(blank))
			if len(blank) > 0 || labelled < tc.buttons {
				savePNG(t, filepath.Join(t.TempDir(), "screen.png"), img)
				t.Fatalf("the %s screen in a real window has %d labelled buttons (want ≥ %d) and %d drawn without a label, at %v",
					tc.profile, labelled, tc.buttons, len(blank), blank)
			}
			if ink < tc.minInk || colours < 8 {
				savePNG(t, filepath.Join(t.TempDir(), "screen.png"), img)
				t.Fatalf("the %s screen in a real window looks blank: %.3f %% dark pixels (want ≥ %.2f %%), %d colours; stderr:\n%s",
					tc.profile, 100*ink, 100*tc.minInk, colours, tail(stderr.String(), 3000))
			}
			if tc.profile == "hospital" {
				attractInARealWindow(t, fb, img)
			}
		})
	}
}

// attractOrange is the arrows' and highlights' colour in the hospital
// attract loop's pictures (ui/hospitalui/pictures).
var attractOrange = color.RGBA{R: 0xF5, G: 0x7C, B: 0x00, A: 255}

// attractInARealWindow: the idle hospital kiosk's welcome screen is its
// attract loop (issue 20). Its first picture (the card laid on the reader,
// with orange arrows) is drawn by the real window's renderer from its SVG,
// and the loop moves on by itself: within two steps (6 s each) the window
// shows another picture.
func attractInARealWindow(t *testing.T, fb string, first *image.RGBA) {
	t.Helper()
	if share := colourShare(first, attractOrange); share < 0.0005 {
		savePNG(t, filepath.Join(t.TempDir(), "attract.png"), first)
		t.Fatalf("the attract loop's first picture is not drawn: %.3f %% of the window is its orange", 100*share)
	}
	out := os.Getenv("KIOSK_SCREENS_DIR")
	if out != "" {
		savePNG(t, filepath.Join(out, "xvfb-hospital-attract-1.png"), first)
	}
	deadline := time.Now().Add(15 * time.Second)
	for {
		img, err := readXWD(fb)
		if err == nil && changedShare(first, img) > 0.02 && darkShare(img) > 0.004 {
			t.Logf("attract loop: the next picture after the first")
			if out != "" {
				savePNG(t, filepath.Join(out, "xvfb-hospital-attract-2.png"), img)
			}
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the attract loop did not move on in 15 s (%v)", err)
		}
		time.Sleep(250 * time.Millisecond)
	}
}

// colourShare is the share of img's pixels within a few levels of c.
func colourShare(img *image.RGBA, c color.RGBA) float64 {
	near := func(a, b uint8) bool { return a-b < 12 || b-a < 12 }
	n, all := 0, 0
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y += 2 {
		for x := b.Min.X; x < b.Max.X; x += 2 {
			p := img.RGBAAt(x, y)
			all++
			if near(p.R, c.R) && near(p.G, c.G) && near(p.B, c.B) {
				n++
			}
		}
	}
	return float64(n) / float64(max(all, 1))
}

// changedShare is the share of pixels that differ between a and b.
func changedShare(a, b *image.RGBA) float64 {
	if a.Bounds() != b.Bounds() {
		return 1
	}
	n := 0
	for i := 0; i+3 < len(a.Pix); i += 4 {
		if a.Pix[i] != b.Pix[i] || a.Pix[i+1] != b.Pix[i+1] || a.Pix[i+2] != b.Pix[i+2] {
			n++
		}
	}
	return float64(n) / float64(max(len(a.Pix)/4, 1))
}

// startXvfb starts Xvfb on a free display, big enough for a portrait
// 1080×1920 and a landscape 1920×1080 window, keeping its framebuffer in a
// file; it returns the DISPLAY value and the file's path.
func startXvfb(t *testing.T) (display, fbFile string) {
	t.Helper()
	fbdir := t.TempDir()
	for n := 140; n < 240; n++ {
		if _, err := os.Stat(fmt.Sprintf("/tmp/.X11-unix/X%d", n)); err == nil {
			continue
		}
		if _, err := os.Stat(fmt.Sprintf("/tmp/.X%d-lock", n)); err == nil {
			continue
		}
		cmd := exec.Command("Xvfb", fmt.Sprintf(":%d", n), "-screen", "0", "1920x1920x24", "-br", "-fbdir", fbdir, "-nolisten", "tcp")
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		exited := make(chan struct{})
		go func() { _ = cmd.Wait(); close(exited) }()
		t.Cleanup(func() { _ = cmd.Process.Kill(); <-exited })
		for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
			select {
			case <-exited: // the display was taken after all: try the next
			default:
				if _, err := os.Stat(fmt.Sprintf("/tmp/.X11-unix/X%d", n)); err == nil {
					return fmt.Sprintf(":%d", n), filepath.Join(fbdir, "Xvfb_screen0")
				}
				continue
			}
			break
		}
	}
	t.Fatal("no free X display for Xvfb")
	return "", ""
}

// readXWD decodes the XWD dump Xvfb keeps of its screen (X11 XWDFileHeader,
// version 7: 25 big-endian 32-bit fields, the window name, the colour map,
// then the pixels). Only the TrueColor 24/32-bit layout Xvfb writes for a
// depth-24 screen is supported.
func readXWD(path string) (*image.RGBA, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	if len(raw) < 100 {
		return nil, errors.New("xwd: short header")
	}
	f := func(i int) uint32 { return binary.BigEndian.Uint32(raw[4*i:]) }
	headerSize, version, format := f(0), f(1), f(2)
	w, h := int(f(4)), int(f(5))
	byteOrder, bpp, stride := f(7), int(f(11)), int(f(12))
	ncolors := int(f(19))
	if version != 7 || format != 2 || bpp != 32 || w <= 0 || h <= 0 || w > 8192 || h > 8192 || stride < 4*w {
		return nil, fmt.Errorf("xwd: unsupported layout (version %d, format %d, %d bpp, %dx%d)", version, format, bpp, w, h)
	}
	off := int(headerSize) + 12*ncolors
	if off < 0 || off+stride*h > len(raw) {
		return nil, errors.New("xwd: short pixel data")
	}
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		row := raw[off+y*stride:]
		for x := 0; x < w; x++ {
			var p uint32
			if byteOrder == 0 { // LSBFirst
				p = binary.LittleEndian.Uint32(row[4*x:])
			} else {
				p = binary.BigEndian.Uint32(row[4*x:])
			}
			img.SetRGBA(x, y, color.RGBA{R: uint8(p >> 16), G: uint8(p >> 8), B: uint8(p), A: 255})
		}
	}
	return img, nil
}

// darkShare is the share of pixels dark enough to be text on the kiosk's
// light theme (luma below 90), counted inside the kiosk window: the
// screen's black background outside it is not ink.
func darkShare(img *image.RGBA) float64 {
	var dark, inWindow int
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			c := img.RGBAAt(x, y)
			if c.R == 0 && c.G == 0 && c.B == 0 {
				continue // the root window, not the kiosk's
			}
			inWindow++
			if (299*int(c.R)+587*int(c.G)+114*int(c.B))/1000 < 90 {
				dark++
			}
		}
	}
	if inWindow == 0 {
		return 0
	}
	return float64(dark) / float64(inWindow)
}

// distinctColours counts the colours of img, stopping at limit.
func distinctColours(img *image.RGBA, limit int) int {
	seen := map[color.RGBA]bool{}
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y && len(seen) < limit; y += 3 {
		for x := b.Min.X; x < b.Max.X && len(seen) < limit; x += 3 {
			seen[img.RGBAAt(x, y)] = true
		}
	}
	return len(seen)
}

func savePNG(t *testing.T, path string, img image.Image) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := png.Encode(f, img); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot: %s", path)
}

// buttonFill is the kiosk theme's button colour (ui/theme's normal palette,
// ColorNameButton): a secondary button's flat interior is exactly this.
var buttonFill = color.RGBA{R: 0xDC, G: 0xE5, B: 0xEF, A: 255}

// buttonLabels finds the buttons on img — connected areas of buttonFill at
// least a touch target's quarter on each side — and counts those with text
// inside (dark pixels within the area's bounds) and those without, which a
// person sees as blank tiles.
func buttonLabels(img *image.RGBA) (labelled int, blank []image.Rectangle) {
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	seen := make([]bool, w*h)
	var queue []int
	for start := 0; start < w*h; start++ {
		if seen[start] || img.RGBAAt(start%w, start/w) != buttonFill {
			continue
		}
		seen[start] = true
		queue = append(queue[:0], start)
		r := image.Rect(start%w, start/w, start%w+1, start/w+1)
		n := 0
		for len(queue) > 0 {
			p := queue[len(queue)-1]
			queue = queue[:len(queue)-1]
			n++
			x, y := p%w, p/w
			r = r.Union(image.Rect(x, y, x+1, y+1))
			for _, q := range [4][2]int{{x - 1, y}, {x + 1, y}, {x, y - 1}, {x, y + 1}} {
				if q[0] < 0 || q[1] < 0 || q[0] >= w || q[1] >= h {
					continue
				}
				i := q[1]*w + q[0]
				if !seen[i] && img.RGBAAt(q[0], q[1]) == buttonFill {
					seen[i] = true
					queue = append(queue, i)
				}
			}
		}
		if r.Dx() < 48 || r.Dy() < 48 || n < 48*48/2 {
			continue // a sliver, an outline, not a button
		}
		dark := 0
		for y := r.Min.Y; y < r.Max.Y; y++ {
			for x := r.Min.X; x < r.Max.X; x++ {
				c := img.RGBAAt(x, y)
				if (299*int(c.R)+587*int(c.G)+114*int(c.B))/1000 < 90 {
					dark++
				}
			}
		}
		if dark >= 20 {
			labelled++
		} else {
			blank = append(blank, r)
		}
	}
	return labelled, blank
}

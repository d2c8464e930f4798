package crosstest

import (
	"slices"
	"strings"
	"testing"
)

// TestProductDeps: the kioskd that is packaged (cross/build's tags for each
// variant, on each architecture it ships for, and amd64 for the native
// build) links no test machinery — no simulator, fake back-end, test PKI,
// collector or gpiotest — and the -tags sim build (make run, the tests)
// does, so the check cannot pass by matching nothing.
func TestProductDeps(t *testing.T) {
	for _, variant := range []string{"gui", "nogui"} {
		tags := VariantTags(t, variant)
		for _, goarch := range []string{"amd64", "arm64", "arm"} {
			deps := Deps(t, goarch, tags)
			if !slices.Contains(deps, "github.com/kiosk06/kiosk/firmware/kiosk") {
				t.Fatalf("%s %s: go list found %d packages without firmware/kiosk", goarch, variant, len(deps))
			}
			for _, p := range deps {
				if TestMachinery.MatchString(p) {
					t.Errorf("the packaged kioskd (%s, tags %q) links %s", goarch, tags, p)
				}
			}
		}
	}
	sim := Deps(t, "amd64", "sim")
	for _, want := range []string{"github.com/kiosk06/kiosk/firmware/simrig", "github.com/kiosk06/kiosk/tests/collector",
		"github.com/kiosk06/kiosk/drivers/pn532/pn532sim", "github.com/kiosk06/kiosk/drivers/emrtd/testpki", "periph.io/x/conn/v3/gpio/gpiotest",
		"github.com/kiosk06/kiosk/drivers/serialport/ptypair", "github.com/kiosk06/kiosk/payments/session/sessionfake"} {
		if !slices.Contains(sim, want) {
			t.Errorf("kioskd built with -tags sim does not link %s", want)
		}
		if !TestMachinery.MatchString(want) {
			t.Errorf("TestMachinery does not match %s", want)
		}
	}
}

// TestProductRefusesSim: the packaged kioskd (built natively with the
// headless variant's tags) says, to every way into the simulator, that it
// has none and how to build one that has.
func TestProductRefusesSim(t *testing.T) {
	b := Native(t, "nogui")
	for _, args := range [][]string{{"run", "--sim"}, {"selftest", "--sim"}, {"sim"}} {
		r := Emulate(t, b, t.TempDir(), args...)
		if r.Code != 2 || !strings.Contains(r.Stderr, "built without the simulator") || !strings.Contains(r.Stderr, "make run") {
			t.Errorf("kioskd %s: exit %d, stderr %q", strings.Join(args, " "), r.Code, r.Stderr)
		}
	}
}

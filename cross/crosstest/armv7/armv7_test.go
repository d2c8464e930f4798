// Package armv7 tests the 32-bit ARMv7 hard-float builds of kioskd (`make
// armv7`, `make armv7-nogui`): built with cross/build (against the armhf
// sysroot where multiarch cannot install the GUI libraries), run under
// qemu-arm, the kiosk one packaged as the armhf .deb and linted. Its own
// package, so that `go test ./...` runs this architecture's cold cgo builds
// beside the arm64 ones and the other packages' tests.
package armv7

import (
	"testing"

	"github.com/kiosk06/kiosk/cross/crosstest"
)

// TestArmv7 builds the kiosk (Fyne) variant, then the headless one: one
// after the other, so the second reuses the first's compiled packages.
// Kiosk: version, selftest (--sim refused; the packaged config compared with the native
// build) and the armhf .deb a kiosk installs (`make deb-armv7`). Headless:
// version.
func TestArmv7(t *testing.T) {
	gui := crosstest.Build(t, crosstest.Armv7, "gui")
	t.Run("gui", func(t *testing.T) {
		t.Run("version", func(t *testing.T) { crosstest.CheckVersion(t, gui) })
		t.Run("selftest", func(t *testing.T) { crosstest.CheckSelftest(t, gui, crosstest.Native(t, "gui")) })
		t.Run("deb", func(t *testing.T) { crosstest.CheckDeb(t, gui) })
	})
	nogui := crosstest.Build(t, crosstest.Armv7, "nogui")
	t.Run("nogui", func(t *testing.T) { crosstest.CheckVersion(t, nogui) })
}

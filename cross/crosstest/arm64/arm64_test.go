// Package arm64 tests the arm64 builds of kioskd (`make arm64-nogui`,
// `make arm64`): built with cross/build, run under qemu-aarch64, the
// headless one packaged as a validator's .deb and linted. Its own package,
// so that `go test ./...` runs this architecture's cold cgo builds beside
// the armv7 ones and the other packages' tests.
package arm64

import (
	"testing"

	"github.com/kiosk06/kiosk/cross/crosstest"
)

// TestArm64 builds the headless variant, then the kiosk (Fyne) one: one
// after the other, so the second reuses the first's compiled packages.
// Headless: version, selftest (--sim refused; the packaged config compared with the
// native build), the transit scenario, the manual page against the usage,
// and the .deb. Kiosk: version and selftest (it loads the target's GL/X11
// libraries and starts without a display).
func TestArm64(t *testing.T) {
	nogui := crosstest.Build(t, crosstest.Arm64, "nogui")
	t.Run("nogui", func(t *testing.T) {
		native := crosstest.Native(t, "nogui")
		t.Run("version", func(t *testing.T) { crosstest.CheckVersion(t, nogui) })
		t.Run("selftest", func(t *testing.T) { crosstest.CheckSelftest(t, nogui, native) })
		t.Run("transit", func(t *testing.T) { crosstest.CheckTransit(t, nogui) })
		t.Run("manpage", func(t *testing.T) { crosstest.CheckManPage(t, nogui) })
		t.Run("deb", func(t *testing.T) { crosstest.CheckDeb(t, nogui) })
	})
	gui := crosstest.Build(t, crosstest.Arm64, "gui")
	t.Run("gui", func(t *testing.T) {
		t.Run("version", func(t *testing.T) { crosstest.CheckVersion(t, gui) })
		t.Run("selftest", func(t *testing.T) { crosstest.CheckSelftest(t, gui, crosstest.Native(t, "gui")) })
	})
}

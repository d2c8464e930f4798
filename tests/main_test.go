// Package tests holds kiosk06's end-to-end tests: a real kioskd process,
// simulators on pseudo-terminals, the local collector. TestMain builds kioskd
// once per run; tests use kioskdBin.
package tests

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// kioskdBin is the kioskd binary built for this test run (set by TestMain).
var kioskdBin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "kioskd-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	kioskdBin = filepath.Join(dir, "kioskd")
	// -tags sim: the tests drive kioskd's simulator (run --sim, --control),
	// which the packaged build does not carry.
	build := exec.Command("go", "build", "-tags", "sim", "-o", kioskdBin, "github.com/kiosk06/kiosk/firmware/cmd/kioskd")
	build.Stdout, build.Stderr = os.Stdout, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "tests: building kioskd:", err)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// Package tests holds kiosk06's end-to-end tests: a real kioskd process,
// simulators on pseudo-terminals, the local collector. TestMain builds kioskd
// once per run; tests use kioskdBin.
package tests

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strings"
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
	// which the packaged build does not carry; with the other tags this
	// test binary was built with (make test's libsqlite3: the store on
	// Debian's SQLite, as packaged), so kioskd is the build under test.
	build := exec.Command("go", "build", "-tags", kioskdTags(), "-o", kioskdBin, "github.com/kiosk06/kiosk/firmware/cmd/kioskd")
	build.Stdout, build.Stderr = os.Stdout, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "tests: building kioskd:", err)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// kioskdTags is "sim" and the build tags of this test binary.
func kioskdTags() string {
	tags := []string{"sim"}
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, s := range bi.Settings {
			if s.Key == "-tags" {
				for _, t := range strings.Split(s.Value, ",") {
					if t != "" && !slices.Contains(tags, t) {
						tags = append(tags, t)
					}
				}
			}
		}
	}
	return strings.Join(tags, ",")
}

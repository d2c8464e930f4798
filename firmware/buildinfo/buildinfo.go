// Package buildinfo reports what binary this is: version and commit (set at
// link time by the Makefile with -ldflags -X), Go version and platform.
// It imports nothing of the project.
package buildinfo

import (
	"fmt"
	"runtime"
)

// Set at link time: -X github.com/kiosk06/kiosk/firmware/buildinfo.version=…
var (
	version = "dev"
	commit  = "unknown"
)

// Info describes the running binary.
type Info struct {
	Version   string `json:"version"`
	Commit    string `json:"commit"`
	GoVersion string `json:"go_version"`
	GOOS      string `json:"goos"`
	GOARCH    string `json:"goarch"`
	GUI       bool   `json:"gui"`
}

// Get returns the build information; gui tells whether the binary was built
// with the Fyne UI (not with -tags nogui).
func Get(gui bool) Info {
	return Info{Version: version, Commit: commit, GoVersion: runtime.Version(), GOOS: runtime.GOOS, GOARCH: runtime.GOARCH, GUI: gui}
}

// String implements fmt.Stringer.
func (i Info) String() string {
	ui := "gui"
	if !i.GUI {
		ui = "nogui"
	}
	return fmt.Sprintf("kioskd %s (commit %s) %s %s/%s %s", i.Version, i.Commit, i.GoVersion, i.GOOS, i.GOARCH, ui)
}

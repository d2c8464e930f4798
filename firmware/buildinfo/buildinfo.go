// Package buildinfo reports what binary this is: version and commit (set at
// link time by the Makefile with -ldflags -X; the version is a Debian
// version that sorts, from cross/version), Go version and platform. A
// binary built without the stamps (plain `go build`) reports "dev" and the
// commit the go command recorded from git, if any.
// It imports nothing of the project.
package buildinfo

import (
	"fmt"
	"runtime"
	"runtime/debug"
	"time"
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
	// Time is when the commit was made (vcs.time, stamped by the go
	// command from git; zero without it): no correct clock reads earlier,
	// so it is the store's first floor for a plausible wall clock.
	Time time.Time `json:"commit_time,omitzero"`
}

// Get returns the build information; gui tells whether the binary was built
// with the Fyne UI (not with -tags nogui).
func Get(gui bool) Info {
	c := commit
	var at time.Time
	if bi, ok := debug.ReadBuildInfo(); ok {
		if c == "unknown" {
			c = vcsCommit(bi.Settings)
		}
		at = vcsTime(bi.Settings)
	}
	return Info{Version: version, Commit: c, GoVersion: runtime.Version(), GOOS: runtime.GOOS, GOARCH: runtime.GOARCH, GUI: gui, Time: at}
}

// vcsTime is the commit time the go command stamped (vcs.time, RFC 3339),
// or zero.
func vcsTime(settings []debug.BuildSetting) time.Time {
	for _, s := range settings {
		if s.Key == "vcs.time" {
			if t, err := time.Parse(time.RFC3339, s.Value); err == nil {
				return t
			}
		}
	}
	return time.Time{}
}

// vcsCommit is the commit the go command stamped (vcs.revision, 12 digits
// like the Makefile's, "+dirty" for uncommitted changes), or "unknown".
func vcsCommit(settings []debug.BuildSetting) string {
	var rev string
	var modified bool
	for _, s := range settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			modified = s.Value == "true"
		}
	}
	if rev == "" {
		return "unknown"
	}
	if len(rev) > 12 {
		rev = rev[:12]
	}
	if modified {
		rev += "+dirty"
	}
	return rev
}

// String implements fmt.Stringer.
func (i Info) String() string {
	ui := "gui"
	if !i.GUI {
		ui = "nogui"
	}
	return fmt.Sprintf("kioskd %s (commit %s) %s %s/%s %s", i.Version, i.Commit, i.GoVersion, i.GOOS, i.GOARCH, ui)
}

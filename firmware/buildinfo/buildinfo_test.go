package buildinfo

import (
	"runtime/debug"
	"strings"
	"testing"
)

func TestVCSCommit(t *testing.T) {
	const rev = "0434163d3afc9d1c7a5f2d1c3e8e0f1a2b3c4d5e"
	for _, tc := range []struct {
		name     string
		settings []debug.BuildSetting
		want     string
	}{
		{"none", nil, "unknown"},
		{"clean", []debug.BuildSetting{{Key: "vcs.revision", Value: rev}, {Key: "vcs.modified", Value: "false"}}, "0434163d3afc"},
		{"dirty", []debug.BuildSetting{{Key: "vcs.revision", Value: rev}, {Key: "vcs.modified", Value: "true"}}, "0434163d3afc+dirty"},
		{"short", []debug.BuildSetting{{Key: "vcs.revision", Value: "abc"}}, "abc"},
		{"modified only", []debug.BuildSetting{{Key: "vcs.modified", Value: "true"}}, "unknown"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := vcsCommit(tc.settings); got != tc.want {
				t.Errorf("vcsCommit = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestString(t *testing.T) {
	i := Info{Version: "0.0.0+132.g0434163d3afc", Commit: "0434163d3afc", GoVersion: "go1.27.3", GOOS: "linux", GOARCH: "arm64"}
	if got, want := i.String(), "kioskd 0.0.0+132.g0434163d3afc (commit 0434163d3afc) go1.27.3 linux/arm64 nogui"; got != want {
		t.Errorf("String = %q, want %q", got, want)
	}
	i.GUI = true
	if !strings.HasSuffix(i.String(), " gui") {
		t.Errorf("String = %q, want the gui suffix", i.String())
	}
}

package crosstest

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestCIEntry: .ci/run is what CI calls, and the developers' guide says it
// calls exactly `make test` with GOTOOLCHAIN exported. A commit once turned
// it into the `make run` launcher: every local `make test` stayed green
// while CI ran the kiosk, found no ./kioskd and failed (exit 127) on every
// push. This keeps the two scripts apart.
func TestCIEntry(t *testing.T) {
	root := RepoRoot(t)
	data, err := os.ReadFile(filepath.Join(root, ".ci", "run"))
	if err != nil {
		t.Fatal(err)
	}
	var cmds []string
	for _, line := range strings.Split(string(data), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		cmds = append(cmds, line)
	}
	if len(cmds) == 0 || cmds[len(cmds)-1] != "make test" {
		t.Errorf(".ci/run must end with exactly `make test`; its commands are %q", cmds)
	}
	if !strings.Contains(string(data), "export GOTOOLCHAIN=go1.27.3") {
		t.Error(".ci/run does not export GOTOOLCHAIN=go1.27.3")
	}
	if strings.Contains(string(data), "kioskd") {
		t.Error(".ci/run mentions kioskd: it runs the tests, not the kiosk")
	}
	mk, err := os.ReadFile(filepath.Join(root, "Makefile"))
	if err != nil {
		t.Fatal(err)
	}
	if regexp.MustCompile(`(?m)^\s*@?\.ci/run\s*$`).Match(mk) {
		t.Error("the Makefile calls .ci/run (CI's entry) from a target: make test would recurse or make run would run the tests")
	}
}

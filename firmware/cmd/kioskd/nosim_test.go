//go:build !sim

package main

import (
	"strings"
	"testing"
)

// A kioskd built without -tags sim (the packaged one) refuses every way
// into the simulator with one clear message saying how to get a kioskd
// that has it. (`make test` builds with -tags sim; cross/crosstest checks
// the same on the packaged binaries.)
func TestNoSimulatorInThisBuild(t *testing.T) {
	for _, args := range [][]string{{"run", "--sim"}, {"selftest", "--sim"}, {"sim"}} {
		code, _, stderr := runDiagStdin(t, "", args...)
		if code != exitUsage || !strings.Contains(stderr, "built without the simulator") || !strings.Contains(stderr, "make run") || !strings.Contains(stderr, "-tags sim") {
			t.Errorf("kioskd %s: exit %d, stderr %q", strings.Join(args, " "), code, stderr)
		}
	}
}

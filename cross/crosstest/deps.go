package crosstest

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// VariantTags are the go build tags cross/build gives VARIANT (gui, nogui),
// as `cross/build tags VARIANT` prints them.
func VariantTags(t testing.TB, variant string) string {
	t.Helper()
	root := RepoRoot(t)
	cmd := exec.Command(filepath.Join(root, "cross", "build"), "tags", variant)
	cmd.Dir = root
	return strings.TrimSpace(MustRun(t, "cross/build tags "+variant, time.Minute, cmd))
}

// TestMachinery matches the import paths that are test machinery: the
// device simulators (…sim and the pty pairs they stand on), the test PKI, the fake
// back-ends, the local collector and everything else under tests/, periph's
// gpiotest, and firmware/simrig, which wires them into a --sim run.
var TestMachinery = regexp.MustCompile(`(sim|fake)(/|$)|/testpki(/|$)|^github\.com/kiosk06/kiosk/tests(/|$)|/gpiotest(/|$)|/firmware/simrig(/|$)|/ptypair(/|$)`)

// Deps lists the packages kioskd links when built for goarch with tags
// (`go list -deps`, cgo on, as cross/build builds it).
func Deps(t testing.TB, goarch, tags string) []string {
	t.Helper()
	root := RepoRoot(t)
	cmd := exec.Command("go", "list", "-deps", "-tags", tags, "./firmware/cmd/kioskd")
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "GOOS=linux", "GOARCH="+goarch, "CGO_ENABLED=1")
	if goarch == "arm" {
		cmd.Env = append(cmd.Env, "GOARM=7")
	}
	return strings.Fields(MustRun(t, "go list -deps -tags '"+tags+"' (GOARCH="+goarch+")", NativeBuildLimit, cmd))
}

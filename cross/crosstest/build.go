package crosstest

import (
	"bytes"
	"context"
	"debug/elf"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Step limits: each long step has its own deadline, so a slow machine fails
// with the step's name and the load, long before `go test -timeout` would
// kill the whole package without saying what it was doing. The measured
// times are in BENCHMARKS.md ("make test").
const (
	// CrossBuildLimit bounds one cross/build: a cold cgo build with Fyne
	// takes about 4 min on a quiet 2-core machine, but 10–12 min with both
	// architectures building at load average 10–18 (2026-12-04, several
	// jobs sharing the machine), so the limit leaves room for a busy CI
	// machine while `go test -timeout` (45 min in the Makefile) stays out
	// of reach for two builds in a row.
	CrossBuildLimit = 20 * time.Minute
	// NativeBuildLimit bounds one native build of kioskd.
	NativeBuildLimit = 5 * time.Minute
	// EmulateLimit bounds one run under qemu-user (`timeout -s KILL`:
	// qemu-user can ignore SIGTERM).
	EmulateLimit = 60 * time.Second
	// PackageLimit bounds cross/deb (copyright generation included; about
	// 20 s warm on a quiet machine).
	PackageLimit = 5 * time.Minute
	// LintianLimit bounds one lintian run.
	LintianLimit = 3 * time.Minute
)

// Target is one ARM architecture kioskd ships for.
type Target struct {
	Arch    string      // cross/build ARCH
	DebArch string      // Debian architecture
	CC      string      // the cross compiler cross/build uses
	Qemu    string      // qemu-user binary
	Machine elf.Machine // e_machine
	Class   elf.Class
	Interp  string // PT_INTERP of a dynamically linked cgo binary
	GOARCH  string
}

// The two ARM targets.
var (
	Arm64 = Target{
		Arch: "arm64", DebArch: "arm64", CC: "aarch64-linux-gnu-gcc",
		Qemu: "qemu-aarch64", Machine: elf.EM_AARCH64, Class: elf.ELFCLASS64,
		Interp: "/lib/ld-linux-aarch64.so.1", GOARCH: "arm64",
	}
	Armv7 = Target{
		Arch: "armv7", DebArch: "armhf", CC: "arm-linux-gnueabihf-gcc",
		Qemu: "qemu-arm", Machine: elf.EM_ARM, Class: elf.ELFCLASS32,
		Interp: "/lib/ld-linux-armhf.so.3", GOARCH: "arm",
	}
)

// ARM EABI e_flags (ELF for the Arm Architecture, §5.2 "ELF Header").
const (
	efARMEABIMask   = 0xFF000000
	efARMEABIVer5   = 0x05000000
	efARMABIFloatHF = 0x00000400
)

// StampedVersion is the version the tests stamp into every build.
const StampedVersion = "0.0.0+1.gcrosstest"

// RepoRoot is the module root (the directory holding go.mod).
func RepoRoot(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("crosstest: go.mod not found above the test directory")
		}
		dir = parent
	}
}

// Binary is one built kioskd and how to run it.
type Binary struct {
	Target   Target // zero for a native build
	Variant  string // gui | nogui
	Path     string
	LDPrefix string // QEMU_LD_PREFIX: "/" (multiarch) or the sysroot
}

// RequireToolchain skips the test, saying what is missing, when the cross
// toolchain or the target libraries of tg's variant are not there (`make
// deps-cross` provides them), and returns the QEMU_LD_PREFIX its builds run
// with (`cross/build ldprefix`: the host for multiarch, else the sysroot).
func RequireToolchain(t testing.TB, tg Target, variant string) string {
	t.Helper()
	var missing []string
	for _, tool := range []string{tg.CC, tg.Qemu, "timeout", "pkg-config"} {
		if _, err := exec.LookPath(tool); err != nil {
			missing = append(missing, tool)
		}
	}
	cmd := exec.Command(filepath.Join(RepoRoot(t), "cross", "build"), "ldprefix", tg.Arch, variant)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	b, err := cmd.Output()
	prefix := strings.TrimSpace(string(b))
	if err != nil {
		missing = append(missing, strings.TrimSpace(stderr.String()))
	} else if _, err := os.Stat(filepath.Join(prefix, tg.Interp)); err != nil {
		missing = append(missing, filepath.Join(prefix, tg.Interp))
	}
	if len(missing) > 0 {
		t.Skipf("cross toolchain for %s %s not installed (missing %s): run `make deps-cross`", tg.Arch, variant, strings.Join(missing, ", "))
	}
	return prefix
}

// Build cross-compiles kioskd with cross/build, the way `make ARCH[-nogui]`
// does, within CrossBuildLimit, and checks its ELF header. Build the
// variants of one architecture one after the other: the second reuses the
// first's compiled packages from the build cache, where two at once would
// both compile them.
func Build(t testing.TB, tg Target, variant string) Binary {
	t.Helper()
	prefix := RequireToolchain(t, tg, variant)
	root := RepoRoot(t)
	out := filepath.Join(t.TempDir(), tg.Arch+"-"+variant, "kioskd")
	cmd := exec.Command(filepath.Join(root, "cross", "build"), tg.Arch, variant, out,
		"-X github.com/kiosk06/kiosk/firmware/buildinfo.version="+StampedVersion)
	cmd.Dir = root
	MustRun(t, "cross/build "+tg.Arch+" "+variant+" (cold: the target's standard library, cgo C code and Fyne)", CrossBuildLimit, cmd)
	CheckELF(t, tg, out)
	return Binary{Target: tg, Variant: variant, Path: out, LDPrefix: prefix}
}

// Native builds kioskd for this machine with the variant's tags. A -race
// test binary builds it with -race too: `go vet -race` and `go test -race`
// compiled every package that way already, so this only links.
func Native(t testing.TB, variant string) Binary {
	t.Helper()
	root := RepoRoot(t)
	bin := filepath.Join(t.TempDir(), "native-"+variant, "kioskd")
	tags := VariantTags(t, variant)
	args := []string{"build", "-tags", tags, "-ldflags", "-X github.com/kiosk06/kiosk/firmware/buildinfo.version=" + StampedVersion, "-o", bin}
	if raceEnabled {
		args = append(args, "-race")
	}
	cmd := exec.Command("go", append(args, "./firmware/cmd/kioskd")...)
	cmd.Dir = root
	MustRun(t, "native build of kioskd ("+variant+")", NativeBuildLimit, cmd)
	return Binary{Variant: variant, Path: bin}
}

// CheckELF asserts machine, class, interpreter, a stripped position-
// independent executable (DF_1_PIE, what file(1) calls "pie executable")
// with immediate binding, and on ARM the hard-float EABI.
func CheckELF(t testing.TB, tg Target, path string) {
	t.Helper()
	f, err := elf.Open(path)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	defer f.Close()
	if f.Machine != tg.Machine || f.Class != tg.Class {
		t.Fatalf("%s: machine %v class %v, want %v %v", path, f.Machine, f.Class, tg.Machine, tg.Class)
	}
	var interp string
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			b := make([]byte, p.Filesz)
			if _, err := p.ReadAt(b, 0); err != nil {
				t.Fatalf("%s: PT_INTERP: %v", path, err)
			}
			interp = string(bytes.TrimRight(b, "\x00"))
		}
	}
	if interp != tg.Interp {
		t.Errorf("%s: interpreter %q, want %q (a cgo binary is dynamically linked)", path, interp, tg.Interp)
	}
	if f.Section(".symtab") != nil {
		t.Errorf("%s: has .symtab, want a stripped binary (-s -w)", path)
	}
	flags1, _ := f.DynValue(elf.DT_FLAGS_1)
	if f.Type != elf.ET_DYN || len(flags1) == 0 || flags1[0]&uint64(elf.DF_1_PIE) == 0 {
		t.Errorf("%s: type %v, DT_FLAGS_1 %v: want a position-independent executable (ET_DYN with DF_1_PIE, -buildmode=pie)", path, f.Type, flags1)
	}
	if len(flags1) == 0 || flags1[0]&uint64(elf.DF_1_NOW) == 0 {
		t.Errorf("%s: DT_FLAGS_1 %v lacks DF_1_NOW: want immediate binding (-z now)", path, flags1)
	}
	if tg.Machine == elf.EM_ARM {
		flags := armFlags(t, path)
		if flags&efARMEABIMask != efARMEABIVer5 || flags&efARMABIFloatHF == 0 {
			t.Errorf("%s: e_flags %#08x, want EABI5 hard-float (%#08x)", path, flags, efARMEABIVer5|efARMABIFloatHF)
		}
	}
}

// armFlags reads e_flags of a 32-bit little-endian ELF (offset 0x24, ELF
// spec "ELF Header"); debug/elf does not expose it.
func armFlags(t testing.TB, path string) uint32 {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var hdr [0x28]byte
	if _, err := f.ReadAt(hdr[:], 0); err != nil {
		t.Fatalf("%s: header: %v", path, err)
	}
	return binary.LittleEndian.Uint32(hdr[0x24:])
}

// Result is one finished command.
type Result struct {
	Stdout, Stderr string
	Code           int
}

// Emulate runs b under qemu-user with its target libraries (QEMU_LD_PREFIX),
// in dir, killed after EmulateLimit; a native b runs directly.
func Emulate(t testing.TB, b Binary, dir string, args ...string) Result {
	t.Helper()
	limit := fmt.Sprint(int(EmulateLimit.Seconds()))
	argv := append([]string{"-s", "KILL", limit, b.Path}, args...)
	if b.Target.Qemu != "" {
		argv = append([]string{"-s", "KILL", limit, b.Target.Qemu, b.Path}, args...)
	}
	cmd := exec.Command("timeout", argv...)
	cmd.Dir = dir
	if b.Target.Qemu != "" {
		cmd.Env = append(os.Environ(), "QEMU_LD_PREFIX="+b.LDPrefix)
	}
	r := Run(t, what(cmd), EmulateLimit+10*time.Second, cmd)
	if r.Code == 137 || r.Code == -1 {
		t.Fatalf("%s: killed after %s (qemu hang?)\nstdout:\n%s\nstderr:\n%s", strings.Join(cmd.Args, " "), EmulateLimit, r.Stdout, r.Stderr)
	}
	return r
}

// what names a command for messages.
func what(cmd *exec.Cmd) string { return strings.Join(cmd.Args, " ") }

// Run runs cmd within limit and returns its output and exit code. A command
// that cannot start, or that is still running at the limit, fails the test
// naming the step, how long it ran and the machine's load; the whole
// process group is killed then (go build leaves compilers behind
// otherwise).
func Run(t testing.TB, step string, limit time.Duration, cmd *exec.Cmd) Result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	defer cancel()
	var stdout, stderr bytes.Buffer
	if cmd.Stdout == nil {
		cmd.Stdout = &stdout
	}
	if cmd.Stderr == nil {
		cmd.Stderr = &stderr
	}
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	start := time.Now()
	if err := cmd.Start(); err != nil {
		t.Fatalf("%s: %v", step, err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	var err error
	select {
	case err = <-done:
	case <-ctx.Done():
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		<-done
		t.Fatalf("%s: still running after %s (load average %s), killed; the limit is in cross/crosstest, measured times in BENCHMARKS.md\nstdout:\n%s\nstderr:\n%s",
			step, time.Since(start).Round(time.Second), loadAverage(), tail(stdout.String()), tail(stderr.String()))
	}
	elapsed := time.Since(start)
	if elapsed > limit/2 {
		t.Logf("%s took %s, more than half its limit %s (load average %s)", step, elapsed.Round(time.Second), limit, loadAverage())
	}
	var exit *exec.ExitError
	code := 0
	switch {
	case errors.As(err, &exit):
		code = exit.ExitCode()
	case err != nil:
		t.Fatalf("%s: %v", step, err)
	}
	return Result{Stdout: stdout.String(), Stderr: stderr.String(), Code: code}
}

// MustRun is Run for a step that must succeed; it returns stdout.
func MustRun(t testing.TB, step string, limit time.Duration, cmd *exec.Cmd) string {
	t.Helper()
	r := Run(t, step, limit, cmd)
	if r.Code != 0 {
		t.Fatalf("%s: exit %d\n%s%s", step, r.Code, r.Stdout, r.Stderr)
	}
	return r.Stdout
}

// loadAverage is the 1, 5 and 15 minute load average, for messages.
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], " ")
}

// tail is the end of a long output.
func tail(s string) string {
	const n = 4000
	if len(s) > n {
		return "…" + s[len(s)-n:]
	}
	return s
}

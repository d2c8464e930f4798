package crosstest

import (
	"bytes"
	"debug/elf"
	"encoding/binary"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// qemuTimeout is the hard limit of one emulated run, in seconds (`timeout
// -s KILL`: qemu-user can ignore SIGTERM).
const qemuTimeout = "60"

// target is one ARM architecture kioskd ships for.
type target struct {
	arch    string      // cross/build ARCH
	cc      string      // the cross compiler cross/build uses
	qemu    string      // qemu-user binary
	machine elf.Machine // e_machine
	class   elf.Class
	interp  string // PT_INTERP of a dynamically linked cgo binary
}

var (
	arm64 = target{
		arch: "arm64", cc: "aarch64-linux-gnu-gcc",
		qemu: "qemu-aarch64", machine: elf.EM_AARCH64, class: elf.ELFCLASS64,
		interp: "/lib/ld-linux-aarch64.so.1",
	}
	armv7 = target{
		arch: "armv7", cc: "arm-linux-gnueabihf-gcc",
		qemu: "qemu-arm", machine: elf.EM_ARM, class: elf.ELFCLASS32,
		interp: "/lib/ld-linux-armhf.so.3",
	}
)

// ARM EABI e_flags (ELF for the Arm Architecture, §5.2 "ELF Header").
const (
	efARMEABIMask   = 0xFF000000
	efARMEABIVer5   = 0x05000000
	efARMABIFloatHF = 0x00000400
)

// repoRoot is the module root (the directory holding go.mod).
func repoRoot(t *testing.T) string {
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

// crossBinary is one cross-built kioskd and how qemu-user runs it.
type crossBinary struct {
	tg       target
	variant  string // gui | nogui
	path     string
	ldprefix string // QEMU_LD_PREFIX: "/" (multiarch) or the sysroot
}

// requireToolchain skips the test, saying what is missing, when the cross
// toolchain or the target libraries of tg's variant are not there (`make
// deps-cross` provides them), and returns the QEMU_LD_PREFIX its builds run
// with (`cross/build ldprefix`: the host for multiarch, else the sysroot).
func requireToolchain(t *testing.T, tg target, variant string) string {
	t.Helper()
	var missing []string
	for _, tool := range []string{tg.cc, tg.qemu, "timeout", "pkg-config"} {
		if _, err := exec.LookPath(tool); err != nil {
			missing = append(missing, tool)
		}
	}
	cmd := exec.Command(filepath.Join(repoRoot(t), "cross", "build"), "ldprefix", tg.arch, variant)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	b, err := cmd.Output()
	prefix := strings.TrimSpace(string(b))
	if err != nil {
		missing = append(missing, strings.TrimSpace(stderr.String()))
	} else if _, err := os.Stat(filepath.Join(prefix, tg.interp)); err != nil {
		missing = append(missing, filepath.Join(prefix, tg.interp))
	}
	if len(missing) > 0 {
		t.Skipf("cross toolchain for %s %s not installed (missing %s): run `make deps-cross`", tg.arch, variant, strings.Join(missing, ", "))
	}
	return prefix
}

// build cross-compiles kioskd with cross/build, the way `make ARCH[-nogui]`
// does, and checks its ELF header.
func build(t *testing.T, tg target, variant string) crossBinary {
	t.Helper()
	prefix := requireToolchain(t, tg, variant)
	root := repoRoot(t)
	out := filepath.Join(t.TempDir(), tg.arch+"-"+variant, "kioskd")
	cmd := exec.Command(filepath.Join(root, "cross", "build"), tg.arch, variant, out,
		"-X github.com/kiosk06/kiosk/firmware/buildinfo.version=0.0.0-crosstest")
	cmd.Dir = root
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("cross/build %s %s: %v\n%s", tg.arch, variant, err, b)
	}
	checkELF(t, tg, out)
	return crossBinary{tg: tg, variant: variant, path: out, ldprefix: prefix}
}

// checkELF asserts machine, class, interpreter and (ARM) the hard-float EABI.
func checkELF(t *testing.T, tg target, path string) {
	t.Helper()
	f, err := elf.Open(path)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	defer f.Close()
	if f.Machine != tg.machine || f.Class != tg.class || f.Type != elf.ET_EXEC && f.Type != elf.ET_DYN {
		t.Fatalf("%s: machine %v class %v type %v, want %v %v executable", path, f.Machine, f.Class, f.Type, tg.machine, tg.class)
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
	if interp != tg.interp {
		t.Errorf("%s: interpreter %q, want %q (a cgo binary is dynamically linked)", path, interp, tg.interp)
	}
	if f.Section(".symtab") != nil {
		t.Errorf("%s: has .symtab, want a stripped binary (-s -w)", path)
	}
	if tg.machine == elf.EM_ARM {
		flags := armFlags(t, path)
		if flags&efARMEABIMask != efARMEABIVer5 || flags&efARMABIFloatHF == 0 {
			t.Errorf("%s: e_flags %#08x, want EABI5 hard-float (%#08x)", path, flags, efARMEABIVer5|efARMABIFloatHF)
		}
	}
}

// armFlags reads e_flags of a 32-bit little-endian ELF (offset 0x24, ELF
// spec "ELF Header"); debug/elf does not expose it.
func armFlags(t *testing.T, path string) uint32 {
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

// result is one finished run.
type result struct {
	stdout, stderr string
	code           int
}

// emulate runs b under qemu-user with its target libraries (QEMU_LD_PREFIX),
// in dir, killed after qemuTimeout seconds.
func emulate(t *testing.T, b crossBinary, dir string, args ...string) result {
	t.Helper()
	cmd := exec.Command("timeout", append([]string{"-s", "KILL", qemuTimeout, b.tg.qemu, b.path}, args...)...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "QEMU_LD_PREFIX="+b.ldprefix)
	return run(t, cmd)
}

// run runs cmd and returns its output and exit code; a command that cannot
// start fails the test.
func run(t *testing.T, cmd *exec.Cmd) result {
	t.Helper()
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var exit *exec.ExitError
	code := 0
	switch {
	case errors.As(err, &exit):
		code = exit.ExitCode()
	case err != nil:
		t.Fatalf("%s: %v", strings.Join(cmd.Args, " "), err)
	}
	if code == 137 || code == -1 {
		t.Fatalf("%s: killed after %s s (qemu hang?)\nstdout:\n%s\nstderr:\n%s", strings.Join(cmd.Args, " "), qemuTimeout, stdout.String(), stderr.String())
	}
	return result{stdout: stdout.String(), stderr: stderr.String(), code: code}
}

// TestArm64NoGUI builds the headless arm64 kioskd the way `make arm64-nogui`
// does and runs it under qemu-aarch64: version, selftest with simulated
// devices (compared with the native build), and a short transit scenario.
// The same binary is then packaged and inspected (TestDeb… helpers).
func TestArm64NoGUI(t *testing.T) {
	t.Parallel()
	b := build(t, arm64, "nogui")
	t.Run("version", func(t *testing.T) { checkVersion(t, b) })
	t.Run("selftest", func(t *testing.T) { checkSelftest(t, b) })
	t.Run("transit", func(t *testing.T) { checkTransit(t, b) })
	t.Run("deb", func(t *testing.T) { checkDeb(t, b) })
}

// TestArmv7NoGUI builds the headless ARMv7 hard-float kioskd and runs
// `kioskd version` under qemu-arm. The cross tests run in parallel so the
// cold cgo builds share the machine's cores.
func TestArmv7NoGUI(t *testing.T) {
	t.Parallel()
	checkVersion(t, build(t, armv7, "nogui"))
}

// TestArm64GUI builds the kiosk (Fyne) arm64 kioskd, `make arm64`, and runs
// `kioskd version` and `selftest --sim` under qemu-aarch64: the binary loads
// the target's GL/X11 libraries and starts without a display.
func TestArm64GUI(t *testing.T) {
	t.Parallel()
	b := build(t, arm64, "gui")
	checkVersion(t, b)
	checkSelftest(t, b)
}

// TestArmv7GUI builds the kiosk (Fyne) ARMv7 hard-float kioskd, `make
// armv7`, runs `kioskd version` and `selftest --sim` under qemu-arm, and
// packages it as the armhf .deb a kiosk installs (`make deb-armv7`).
func TestArmv7GUI(t *testing.T) {
	t.Parallel()
	b := build(t, armv7, "gui")
	t.Run("version", func(t *testing.T) { checkVersion(t, b) })
	t.Run("selftest", func(t *testing.T) { checkSelftest(t, b) })
	t.Run("deb", func(t *testing.T) { checkDeb(t, b) })
}

// checkVersion runs `kioskd version` under qemu: the right platform, the
// variant and the stamped version.
func checkVersion(t *testing.T, b crossBinary) {
	t.Helper()
	r := emulate(t, b, t.TempDir(), "version")
	platform := "linux/" + map[string]string{"arm64": "arm64", "armv7": "arm"}[b.tg.arch] + " "
	if r.code != 0 || !strings.Contains(r.stdout, platform) || !strings.Contains(r.stdout, " "+b.variant) || !strings.Contains(r.stdout, "0.0.0-crosstest") {
		t.Fatalf("kioskd version: exit %d, stdout %q, stderr %q; want %s%s 0.0.0-crosstest", r.code, r.stdout, r.stderr, platform, b.variant)
	}
}

// selftestLines maps each check name of `kioskd selftest` output ("ok   name
// detail…" / "FAIL name detail…") to its status.
func selftestLines(out string) map[string]string {
	m := map[string]string{}
	for _, line := range strings.Split(out, "\n") {
		f := strings.Fields(line)
		if len(f) >= 2 && (f[0] == "ok" || f[0] == "FAIL") {
			m[f[1]] = f[0]
		}
	}
	return m
}

// checkSelftest runs `kioskd selftest --sim` under qemu: the simulators run
// on real ptys inside the emulated process. The result must equal the native
// build's (same tags), check by check, and the config check must pass: a
// check failing on both is a wiring gap of the firmware, not of the cross
// build, and is logged as such.
func checkSelftest(t *testing.T, b crossBinary) {
	t.Helper()
	got := emulate(t, b, t.TempDir(), "selftest", "--sim")
	native := nativeSelftest(t, b.variant)
	name := b.tg.arch + " " + b.variant
	t.Logf("%s selftest --sim (exit %d):\n%s%s", name, got.code, got.stdout, got.stderr)
	gotLines, wantLines := selftestLines(got.stdout), selftestLines(native.stdout)
	if gotLines["config"] != "ok" {
		t.Fatalf("%s selftest: config check %q, want ok", name, gotLines["config"])
	}
	if len(gotLines) != len(wantLines) || got.code != native.code {
		t.Fatalf("%s selftest: exit %d with %d checks, native exit %d with %d checks\nnative:\n%s", name, got.code, len(gotLines), native.code, len(wantLines), native.stdout)
	}
	for check, want := range wantLines {
		if gotLines[check] != want {
			t.Errorf("%s selftest %s: %q, native %q", name, check, gotLines[check], want)
		}
		if want == "FAIL" {
			t.Logf("selftest %s fails natively too (firmware wiring, not the cross build)", check)
		}
	}
}

// nativeSelftest builds kioskd for this machine with the variant's tags and
// runs `kioskd selftest --sim`, the reference for the emulated run.
func nativeSelftest(t *testing.T, variant string) result {
	t.Helper()
	root := repoRoot(t)
	bin := filepath.Join(t.TempDir(), "kioskd")
	tags := map[string]string{"gui": "", "nogui": "nogui"}[variant]
	cmd := exec.Command("go", "build", "-tags", tags, "-o", bin, "./firmware/cmd/kioskd")
	cmd.Dir = root
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("native build: %v\n%s", err, b)
	}
	c := exec.Command("timeout", "-s", "KILL", qemuTimeout, bin, "selftest", "--sim")
	c.Dir = t.TempDir()
	return run(t, c)
}

// checkTransit runs the short transit scenario (`kioskd diag bench transit`:
// token → verdict → durable record → feedback) under qemu.
func checkTransit(t *testing.T, b crossBinary) {
	dir := t.TempDir()
	r := emulate(t, b, dir, "diag", "bench", "transit", "--taps", "20", "--dir", dir)
	if r.code != 0 {
		t.Fatalf("diag bench transit: exit %d\nstdout:\n%s\nstderr:\n%s", r.code, r.stdout, r.stderr)
	}
	var out struct {
		Taps  int     `json:"taps"`
		P50MS float64 `json:"p50_ms"`
		P99MS float64 `json:"p99_ms"`
	}
	if err := json.Unmarshal([]byte(strings.TrimSpace(r.stdout)), &out); err != nil {
		t.Fatalf("diag bench transit: %v in %q", err, r.stdout)
	}
	if out.Taps != 20 || out.P50MS <= 0 || out.P99MS < out.P50MS {
		t.Fatalf("diag bench transit: %+v, want 20 taps with p50 > 0 and p99 >= p50", out)
	}
	t.Logf("transit under %s: %s", b.tg.qemu, strings.TrimSpace(r.stdout))
}

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
	libdir  string      // multiarch library directory (libpcsclite.so for the link)
	qemu    string      // qemu-user binary
	machine elf.Machine // e_machine
	class   elf.Class
	interp  string // PT_INTERP of a dynamically linked cgo binary
}

var (
	arm64 = target{
		arch: "arm64", cc: "aarch64-linux-gnu-gcc", libdir: "/usr/lib/aarch64-linux-gnu",
		qemu: "qemu-aarch64", machine: elf.EM_AARCH64, class: elf.ELFCLASS64,
		interp: "/lib/ld-linux-aarch64.so.1",
	}
	armv7 = target{
		arch: "armv7", cc: "arm-linux-gnueabihf-gcc", libdir: "/usr/lib/arm-linux-gnueabihf",
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

// requireToolchain skips the test, saying what is missing, when the cross
// toolchain for tg is not installed (`make deps-cross` installs it).
func requireToolchain(t *testing.T, tg target) {
	t.Helper()
	var missing []string
	for _, tool := range []string{tg.cc, tg.qemu, "timeout", "pkg-config"} {
		if _, err := exec.LookPath(tool); err != nil {
			missing = append(missing, tool)
		}
	}
	for _, f := range []string{filepath.Join(tg.libdir, "libpcsclite.so"), tg.interp} {
		if _, err := os.Stat(f); err != nil {
			missing = append(missing, f)
		}
	}
	if len(missing) > 0 {
		t.Skipf("cross toolchain for %s not installed (missing %s): run `make deps-cross`", tg.arch, strings.Join(missing, ", "))
	}
}

// build cross-compiles kioskd with cross/build and returns the binary path.
func build(t *testing.T, tg target, variant string) string {
	t.Helper()
	root := repoRoot(t)
	out := filepath.Join(t.TempDir(), tg.arch+"-"+variant, "kioskd")
	cmd := exec.Command(filepath.Join(root, "cross", "build"), tg.arch, variant, out,
		"-X github.com/kiosk06/kiosk/firmware/buildinfo.version=0.0.0-crosstest")
	cmd.Dir = root
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("cross/build %s %s: %v\n%s", tg.arch, variant, err, b)
	}
	return out
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

// emulate runs bin under qemu-user with the host's multiarch libraries
// (QEMU_LD_PREFIX=/), in dir, killed after qemuTimeout seconds.
func emulate(t *testing.T, tg target, dir, bin string, args ...string) result {
	t.Helper()
	cmd := exec.Command("timeout", append([]string{"-s", "KILL", qemuTimeout, tg.qemu, bin}, args...)...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "QEMU_LD_PREFIX=/")
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
	requireToolchain(t, arm64)
	t.Parallel()
	bin := build(t, arm64, "nogui")
	checkELF(t, arm64, bin)

	t.Run("version", func(t *testing.T) {
		r := emulate(t, arm64, t.TempDir(), bin, "version")
		if r.code != 0 || !strings.Contains(r.stdout, "linux/arm64") || !strings.Contains(r.stdout, "nogui") || !strings.Contains(r.stdout, "0.0.0-crosstest") {
			t.Fatalf("kioskd version: exit %d, stdout %q, stderr %q; want linux/arm64 nogui 0.0.0-crosstest", r.code, r.stdout, r.stderr)
		}
	})
	t.Run("selftest", func(t *testing.T) { checkSelftest(t, bin) })
	t.Run("transit", func(t *testing.T) { checkTransit(t, bin) })
	t.Run("deb", func(t *testing.T) { checkDeb(t, bin) })
}

// TestArmv7NoGUI builds the headless ARMv7 hard-float kioskd and runs
// `kioskd version` under qemu-arm. It runs beside TestArm64NoGUI so the two
// cold cgo builds share the machine's cores.
func TestArmv7NoGUI(t *testing.T) {
	requireToolchain(t, armv7)
	t.Parallel()
	bin := build(t, armv7, "nogui")
	checkELF(t, armv7, bin)
	r := emulate(t, armv7, t.TempDir(), bin, "version")
	if r.code != 0 || !strings.Contains(r.stdout, "linux/arm") || !strings.Contains(r.stdout, "nogui") {
		t.Fatalf("kioskd version: exit %d, stdout %q, stderr %q; want linux/arm nogui", r.code, r.stdout, r.stderr)
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
// on real ptys inside the emulated process. The arm64 result must equal the
// native build's, check by check, and the config check must pass: a check
// failing on both is a wiring gap of the firmware, not of the cross build,
// and is logged as such.
func checkSelftest(t *testing.T, bin string) {
	got := emulate(t, arm64, t.TempDir(), bin, "selftest", "--sim")
	native := nativeSelftest(t)
	t.Logf("arm64 selftest --sim (exit %d):\n%s%s", got.code, got.stdout, got.stderr)
	gotLines, wantLines := selftestLines(got.stdout), selftestLines(native.stdout)
	if gotLines["config"] != "ok" {
		t.Fatalf("arm64 selftest: config check %q, want ok", gotLines["config"])
	}
	if len(gotLines) != len(wantLines) || got.code != native.code {
		t.Fatalf("arm64 selftest: exit %d with %d checks, native exit %d with %d checks\nnative:\n%s", got.code, len(gotLines), native.code, len(wantLines), native.stdout)
	}
	for name, want := range wantLines {
		if gotLines[name] != want {
			t.Errorf("arm64 selftest %s: %q, native %q", name, gotLines[name], want)
		}
		if want == "FAIL" {
			t.Logf("selftest %s fails natively too (firmware wiring, not the cross build)", name)
		}
	}
}

// nativeSelftest builds kioskd for this machine with the same tags and runs
// `kioskd selftest --sim`, the reference for the emulated run.
func nativeSelftest(t *testing.T) result {
	t.Helper()
	root := repoRoot(t)
	bin := filepath.Join(t.TempDir(), "kioskd")
	cmd := exec.Command("go", "build", "-tags", "nogui", "-o", bin, "./firmware/cmd/kioskd")
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
func checkTransit(t *testing.T, bin string) {
	dir := t.TempDir()
	r := emulate(t, arm64, dir, bin, "diag", "bench", "transit", "--taps", "20", "--dir", dir)
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
	t.Logf("transit under qemu-aarch64: %s", strings.TrimSpace(r.stdout))
}

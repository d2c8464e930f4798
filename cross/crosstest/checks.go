package crosstest

import (
	"encoding/json"
	"os"
	"regexp"
	"strings"
	"testing"
)

// CheckVersion runs `kioskd version` under qemu: the right platform, the
// variant and the stamped version.
func CheckVersion(t testing.TB, b Binary) {
	t.Helper()
	r := Emulate(t, b, t.TempDir(), "version")
	platform := "linux/" + b.Target.GOARCH + " "
	if r.Code != 0 || !strings.Contains(r.Stdout, platform) || !strings.Contains(r.Stdout, " "+b.Variant) || !strings.Contains(r.Stdout, StampedVersion) {
		t.Fatalf("kioskd version: exit %d, stdout %q, stderr %q; want %s%s %s", r.Code, r.Stdout, r.Stderr, platform, b.Variant, StampedVersion)
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

// CheckSelftest runs the packaged binary's `kioskd selftest` under qemu.
// A packaged kioskd carries no simulator: `selftest --sim` must refuse,
// saying so and how to get one. `selftest --config` with the packaged
// configuration (cross/kiosk.toml, its data and key paths moved into a
// temporary directory) must equal the native build's (same tags), check by
// check, and its config check must pass: the store check opens SQLite
// inside the emulated process; the devices, which a build machine does not
// have, fail on both, and a check failing on both is logged as the
// machine's, not the cross build's.
func CheckSelftest(t testing.TB, b, native Binary) {
	t.Helper()
	if native.Variant != b.Variant {
		t.Fatalf("CheckSelftest: %s binary compared with a %s native build", b.Variant, native.Variant)
	}
	name := b.Target.Arch + " " + b.Variant
	for _, bin := range []Binary{b, native} {
		r := Emulate(t, bin, t.TempDir(), "selftest", "--sim")
		if r.Code != 2 || !strings.Contains(r.Stderr, "built without the simulator") || !strings.Contains(r.Stderr, "-tags sim") {
			t.Fatalf("%s selftest --sim: exit %d, stderr %q; want exit 2 saying the packaged kioskd has no simulator and how to build one", name, r.Code, r.Stderr)
		}
	}
	selftest := func(bin Binary) Result {
		dir := t.TempDir()
		cfg := strings.NewReplacer(
			`"/var/lib/kiosk06"`, `"`+dir+`/var"`,
			`"/etc/credstore/kiosk06-seal.key"`, `"`+dir+`/seal.key"`,
			`"/etc/kiosk06/`, `"`+dir+`/etc/`,
			`"127.0.0.1:9406"`, `""`,
		).Replace(ReadFile(t, RepoRoot(t)+"/cross/kiosk.toml"))
		if err := os.WriteFile(dir+"/kiosk.toml", []byte(cfg), 0o644); err != nil {
			t.Fatal(err)
		}
		return Emulate(t, bin, dir, "selftest", "--config", dir+"/kiosk.toml")
	}
	got, want := selftest(b), selftest(native)
	t.Logf("%s selftest (exit %d):\n%s%s", name, got.Code, got.Stdout, got.Stderr)
	gotLines, wantLines := selftestLines(got.Stdout), selftestLines(want.Stdout)
	if gotLines["config"] != "ok" {
		t.Fatalf("%s selftest: config check %q, want ok", name, gotLines["config"])
	}
	if len(gotLines) != len(wantLines) || got.Code != want.Code {
		t.Fatalf("%s selftest: exit %d with %d checks, native exit %d with %d checks\nnative:\n%s", name, got.Code, len(gotLines), want.Code, len(wantLines), want.Stdout)
	}
	for check, w := range wantLines {
		if gotLines[check] != w {
			t.Errorf("%s selftest %s: %q, native %q", name, check, gotLines[check], w)
		}
		if w == "FAIL" {
			t.Logf("selftest %s fails natively too (no such device on this machine, not the cross build)", check)
		}
	}
}

// CheckTransit runs the short transit scenario (`kioskd diag bench transit`:
// token → verdict → durable record → feedback) under qemu.
func CheckTransit(t testing.TB, b Binary) {
	t.Helper()
	dir := t.TempDir()
	r := Emulate(t, b, dir, "diag", "bench", "transit", "--taps", "20", "--dir", dir)
	if r.Code != 0 {
		t.Fatalf("diag bench transit: exit %d\nstdout:\n%s\nstderr:\n%s", r.Code, r.Stdout, r.Stderr)
	}
	var out struct {
		Taps  int     `json:"taps"`
		P50MS float64 `json:"p50_ms"`
		P99MS float64 `json:"p99_ms"`
	}
	if err := json.Unmarshal([]byte(strings.TrimSpace(r.Stdout)), &out); err != nil {
		t.Fatalf("diag bench transit: %v in %q", err, r.Stdout)
	}
	if out.Taps != 20 || out.P50MS <= 0 || out.P99MS < out.P50MS {
		t.Fatalf("diag bench transit: %+v, want 20 taps with p50 > 0 and p99 >= p50", out)
	}
	t.Logf("transit under %s: %s", b.Target.Qemu, strings.TrimSpace(r.Stdout))
}

// commandLine is one "  name   summary" line of a usage text.
var commandLine = regexp.MustCompile(`(?m)^  ([a-z][a-z0-9-]*)\s{2,}`)

// CheckManPage checks that kioskd(1) (cross/debian/kioskd.1) names every
// command and diag tool the binary lists in its usage, so the manual cannot
// fall behind the program.
func CheckManPage(t testing.TB, b Binary) {
	t.Helper()
	page := ReadFile(t, RepoRoot(t)+"/cross/debian/kioskd.1")
	// roff escapes the hyphen: printer\-status.
	page = strings.ReplaceAll(page, `\-`, "-")
	for _, args := range [][]string{{"--help"}, {"diag", "--help"}} {
		r := Emulate(t, b, t.TempDir(), args...)
		usage := r.Stdout + r.Stderr
		names := commandLine.FindAllStringSubmatch(usage, -1)
		if len(names) < 3 {
			t.Fatalf("kioskd %s: found %d commands in\n%s", strings.Join(args, " "), len(names), usage)
		}
		for _, n := range names {
			if !regexp.MustCompile(`(?m)^\.B ` + regexp.QuoteMeta(n[1]) + `( |$)`).MatchString(page) {
				t.Errorf("kioskd.1 does not describe `kioskd %s%s` (add a .B %s entry)", map[bool]string{true: "diag ", false: ""}[len(args) == 2], n[1], n[1])
			}
		}
	}
}

package crosstest

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// installSuite is the Debian release the install test's root filesystem is
// made of: the boards' release, as in cross/sysroot.
const installSuite = "bookworm"

// TestDebInstall installs the package for real, with dpkg inside a fresh
// Debian root filesystem (mmdebstrap, chroot), and follows its life on a
// board: install (maintainer scripts create the user and hand it the state
// folder), the service user reading its config, an upgrade that keeps the
// technician's edit of the conffile and the stored transactions, remove
// (config and state stay), purge (state, config and user go). The package
// is built for amd64 from the same nfpm config and scripts as the ARM ones,
// because the root filesystem's programs must run here without binfmt.
func TestDebInstall(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("installing a .deb into a chroot needs root (CI and `make test` as root run it); this run is not root")
	}
	for _, tool := range []string{"mmdebstrap", "chroot", "dpkg-deb", "readelf"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s not installed: run `make deps-cross`", tool)
		}
	}
	nfpm := nfpmPath(t)
	t.Parallel()
	repo := repoRoot(t)

	bin := filepath.Join(t.TempDir(), "kioskd")
	// The flags of nativeSelftest's build (no -trimpath), so a cold run
	// compiles the native packages once; -ldflags only changes the link.
	build := exec.Command("go", "build", "-tags", "nogui",
		"-ldflags", "-s -w -X github.com/kiosk06/kiosk/firmware/buildinfo.version=0.0.0-install", "-o", bin, "./firmware/cmd/kioskd")
	build.Dir = repo
	if b, err := build.CombinedOutput(); err != nil {
		t.Fatalf("native build: %v\n%s", err, b)
	}
	debs := t.TempDir()
	pack := func(version string) string {
		cmd := exec.Command(filepath.Join(repo, "cross", "deb"), "amd64", bin, debs, version)
		cmd.Env = append(os.Environ(), "NFPM="+nfpm)
		if b, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("cross/deb %s: %v\n%s", version, err, b)
		}
		return filepath.Join(debs, "kiosk06_"+version+"_amd64.deb")
	}
	v1, v2 := pack("1.0.0"), pack("1.0.1")

	root := filepath.Join(t.TempDir(), "root")
	mk := exec.Command("mmdebstrap", "--quiet", "--mode=root", "--variant=essential",
		"--include=adduser,libpcsclite1", installSuite, root, "deb http://deb.debian.org/debian "+installSuite+" main")
	if b, err := mk.CombinedOutput(); err != nil {
		t.Fatalf("mmdebstrap: %v\n%s", err, b)
	}
	for _, deb := range []string{v1, v2} {
		data, err := os.ReadFile(deb)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(root, filepath.Base(deb)), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}

	// in runs a command inside the root filesystem, stdin closed (a dpkg
	// conffile prompt would fail rather than wait).
	in := func(args ...string) result {
		t.Helper()
		return run(t, exec.Command("chroot", append([]string{root}, args...)...))
	}
	must := func(args ...string) string {
		t.Helper()
		r := in(args...)
		if r.code != 0 {
			t.Fatalf("%s: exit %d\n%s%s", strings.Join(args, " "), r.code, r.stdout, r.stderr)
		}
		return strings.TrimSpace(r.stdout)
	}
	exists := func(path string) bool {
		_, err := os.Lstat(filepath.Join(root, path))
		return err == nil
	}
	owner := func(path, want string) {
		t.Helper()
		if got := must("stat", "-c", "%U:%G %a", path); got != want {
			t.Errorf("%s: %s, want %s", path, got, want)
		}
	}

	// Install.
	must("dpkg", "-i", "/"+filepath.Base(v1))
	if got := must("dpkg-query", "-W", "-f", "${Status} ${Version}", "kiosk06"); got != "install ok installed 1.0.0" {
		t.Fatalf("after install: %q", got)
	}
	owner("/usr/bin/kioskd", "root:root 755")
	owner("/etc/kiosk06", "root:kiosk06 750")
	owner("/etc/kiosk06/kiosk.toml", "root:kiosk06 640")
	owner("/etc/kiosk06/trust", "root:kiosk06 750")
	owner("/var/lib/kiosk06", "kiosk06:kiosk06 750")
	owner("/lib/systemd/system/kioskd.service", "root:root 644")
	owner("/lib/udev/rules.d/70-kiosk06.rules", "root:root 644")
	// The sealing key: made once, outside the state directory, root only
	// (systemd hands kioskd a copy).
	owner("/etc/credstore", "root:root 700")
	owner("/etc/credstore/kiosk06-seal.key", "root:root 400")
	if got := must("stat", "-c", "%s", "/etc/credstore/kiosk06-seal.key"); got != "32" {
		t.Errorf("sealing key: %s bytes, want 32", got)
	}
	sealKey := readFile(t, filepath.Join(root, "etc", "credstore", "kiosk06-seal.key"))
	if exists("/var/lib/kiosk06/seal.key") {
		t.Error("a new install put a sealing key in the state directory")
	}
	pw := must("getent", "passwd", "kiosk06")
	if f := strings.Split(pw, ":"); len(f) != 7 || f[5] != "/var/lib/kiosk06" || f[6] != "/usr/sbin/nologin" {
		t.Errorf("kiosk06 user %q: want home /var/lib/kiosk06, shell /usr/sbin/nologin", pw)
	}
	if uid := must("id", "-u", "kiosk06"); uid == "0" || len(uid) > 3 {
		t.Errorf("kiosk06 uid %s: want a system user (below 1000, not root)", uid)
	}
	if groups := must("id", "-nG", "kiosk06"); !strings.Contains(" "+groups+" ", " dialout ") {
		t.Errorf("kiosk06 groups %q: want dialout (serial ports the udev rules do not name)", groups)
	}
	// The service user reads its config and nothing asks for more rights.
	if out := must("chroot", "--userspec=kiosk06:kiosk06", "/", "kioskd", "config", "check", "/etc/kiosk06/kiosk.toml"); !strings.Contains(out, ": ok") {
		t.Errorf("kioskd config check as kiosk06: %q", out)
	}
	if r := in("chroot", "--userspec=nobody:nogroup", "/", "cat", "/etc/kiosk06/kiosk.toml"); r.code == 0 {
		t.Errorf("another user could read /etc/kiosk06/kiosk.toml")
	}

	// Upgrade: the technician's edit of the conffile and the store survive,
	// without a dpkg prompt.
	toml := filepath.Join(root, "etc", "kiosk06", "kiosk.toml")
	edited := readFile(t, toml) + "\n# edited on site\n"
	if err := os.WriteFile(toml, []byte(edited), 0o640); err != nil {
		t.Fatal(err)
	}
	must("chroot", "--userspec=kiosk06:kiosk06", "/", "sh", "-c", "echo store > /var/lib/kiosk06/kiosk.db")
	must("dpkg", "-i", "/"+filepath.Base(v2))
	if got := must("dpkg-query", "-W", "-f", "${Version}", "kiosk06"); got != "1.0.1" {
		t.Errorf("after upgrade: version %q", got)
	}
	if readFile(t, filepath.Join(root, "etc", "credstore", "kiosk06-seal.key")) != sealKey {
		t.Error("the upgrade replaced the sealing key: every sealed record would be unreadable")
	}
	if got := readFile(t, toml); got != edited {
		t.Errorf("upgrade replaced the edited /etc/kiosk06/kiosk.toml")
	}
	owner("/etc/kiosk06/kiosk.toml", "root:kiosk06 640")
	owner("/var/lib/kiosk06/kiosk.db", "kiosk06:kiosk06 644")

	// Remove keeps config and state; purge deletes them and the user.
	must("dpkg", "-r", "kiosk06")
	if exists("/usr/bin/kioskd") || exists("/lib/systemd/system/kioskd.service") {
		t.Errorf("dpkg -r left the binary or the unit")
	}
	if !exists("/etc/kiosk06/kiosk.toml") || !exists("/var/lib/kiosk06/kiosk.db") {
		t.Errorf("dpkg -r removed the config or the store; only purge may")
	}
	must("dpkg", "-P", "kiosk06")
	for _, p := range []string{"/etc/kiosk06", "/var/lib/kiosk06", "/etc/credstore/kiosk06-seal.key"} {
		if exists(p) {
			t.Errorf("dpkg -P left %s", p)
		}
	}
	if r := in("getent", "passwd", "kiosk06"); r.code == 0 {
		t.Errorf("dpkg -P left the kiosk06 user: %s", r.stdout)
	}
	if r := in("getent", "group", "kiosk06"); r.code == 0 {
		t.Errorf("dpkg -P left the kiosk06 group: %s", r.stdout)
	}
}

// Package debinstall installs the kiosk06 package for real, with dpkg in a
// fresh Debian root filesystem, and follows its life on a board. Its own
// package, so that its download of the root filesystem runs beside the
// cross builds.
package debinstall

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kiosk06/kiosk/cross/crosstest"
)

// installSuite is the Debian release the root filesystem is made of: the
// boards' release, as in cross/sysroot.
const installSuite = "bookworm"

// mmdebstrapLimit bounds making the root filesystem (a download of about
// 120 packages from the Debian mirror).
const mmdebstrapLimit = 6 * time.Minute

// systemctlStub stands in for systemctl where the root filesystem has no
// running systemd: it records every call, answers the calls that would talk
// to a running manager (daemon-reload, start, restart, try-restart, stop)
// with success, and hands the rest (preset, enable, is-enabled: the
// offline operations on the unit files) to the real systemctl.
const systemctlStub = `#!/bin/sh
echo "$*" >>/var/log/systemctl-calls
for a in "$@"; do
  case "$a" in
  daemon-reload | start | restart | try-restart | stop | reload | is-active) exit 0 ;;
  esac
done
exec /usr/bin/systemctl "$@"
`

// TestDebInstall installs the package with dpkg inside a fresh Debian root
// filesystem (mmdebstrap, chroot), with systemd's systemctl as on a board:
// install (maintainer scripts create the user, hand it the state folder and
// enable the unit without starting it), the service user reading its
// config, the administrator disabling the service, an upgrade that keeps it
// disabled, the technician's edit of the conffile and the stored
// transactions, and asks for a restart of a running service only; a
// re-enable that an upgrade keeps; remove (config and state stay), purge
// (state, config, user and the unit's links go). The package is built for
// amd64 from the same cross/deb and scripts as the ARM ones, because the
// root filesystem's programs must run here without binfmt.
func TestDebInstall(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("installing a .deb into a chroot needs root (CI and `make test` as root run it); this run is not root")
	}
	for _, tool := range []string{"mmdebstrap", "chroot", "systemctl"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s not installed: run `make deps-cross`", tool)
		}
	}

	root := filepath.Join(t.TempDir(), "root")
	// The root filesystem downloads while the binary builds and packs.
	ctx, cancel := context.WithTimeout(context.Background(), mmdebstrapLimit)
	defer cancel()
	mk := exec.CommandContext(ctx, "mmdebstrap", "--quiet", "--mode=root", "--variant=essential",
		"--include=adduser,libpcsclite1,libsqlite3-0,systemd", installSuite, root, "deb http://deb.debian.org/debian "+installSuite+" main")
	var mkOut bytes.Buffer
	mk.Stdout, mk.Stderr = &mkOut, &mkOut
	start := time.Now()
	if err := mk.Start(); err != nil {
		t.Fatalf("mmdebstrap: %v", err)
	}
	bin := crosstest.Native(t, "nogui")
	v1 := crosstest.Package(t, bin, "amd64", "1.0.0")
	v2 := crosstest.Package(t, bin, "amd64", "1.0.0+1.g0123456789ab")
	if err := mk.Wait(); err != nil {
		if ctx.Err() != nil {
			t.Fatalf("mmdebstrap %s (the root filesystem download) still running after %s, killed: a slow mirror or machine\n%s", installSuite, time.Since(start).Round(time.Second), mkOut.String())
		}
		t.Fatalf("mmdebstrap: %v\n%s", err, mkOut.String())
	}
	t.Logf("mmdebstrap %s took %s", installSuite, time.Since(start).Round(time.Second))
	for _, deb := range []string{v1, v2} {
		data, err := os.ReadFile(deb)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(root, filepath.Base(deb)), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// A booted system as postinst sees it, with the stub recording what the
	// maintainer scripts ask of systemd.
	if err := os.MkdirAll(filepath.Join(root, "run", "systemd", "system"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, "usr", "local", "sbin", "systemctl"), []byte(systemctlStub), 0o755); err != nil {
		t.Fatal(err)
	}

	// in runs a command inside the root filesystem, stdin closed (a dpkg
	// conffile prompt would fail rather than wait).
	in := func(args ...string) crosstest.Result {
		t.Helper()
		cmd := exec.Command("chroot", append([]string{root}, args...)...)
		cmd.Env = append(os.Environ(), "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin")
		return crosstest.Run(t, "chroot "+strings.Join(args, " "), 2*time.Minute, cmd)
	}
	must := func(args ...string) string {
		t.Helper()
		r := in(args...)
		if r.Code != 0 {
			t.Fatalf("%s: exit %d\n%s%s", strings.Join(args, " "), r.Code, r.Stdout, r.Stderr)
		}
		return strings.TrimSpace(r.Stdout)
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
	// offline runs systemctl on the root filesystem's unit files, as an
	// administrator's systemctl would on the board (inside the chroot,
	// systemctl would look for the running manager /run/systemd/system
	// announces).
	offline := func(args ...string) crosstest.Result {
		t.Helper()
		cmd := exec.Command("systemctl", append([]string{"--root=" + root}, args...)...)
		return crosstest.Run(t, "systemctl "+strings.Join(args, " "), time.Minute, cmd)
	}
	enabled := func() string {
		t.Helper()
		return strings.TrimSpace(offline("is-enabled", "kioskd.service").Stdout)
	}
	calls := func() string {
		t.Helper()
		p := filepath.Join(root, "var", "log", "systemctl-calls")
		b, _ := os.ReadFile(p)
		_ = os.Remove(p)
		return string(b)
	}
	asked := func(calls, action string) bool {
		for _, l := range strings.Split(calls, "\n") {
			f := strings.Fields(l)
			for i, w := range f {
				if w == action && i+1 < len(f) && f[len(f)-1] == "kioskd.service" {
					return true
				}
			}
		}
		return false
	}

	// Install: enabled, not started (the technician configures first).
	must("dpkg", "-i", "/"+filepath.Base(v1))
	if got := must("dpkg-query", "-W", "-f", "${Status} ${Version}", "kiosk06"); got != "install ok installed 1.0.0" {
		t.Fatalf("after install: %q", got)
	}
	if got := enabled(); got != "enabled" {
		t.Errorf("after install: kioskd.service %q, want enabled", got)
	}
	if c := calls(); asked(c, "start") || asked(c, "restart") || asked(c, "try-restart") {
		t.Errorf("a first install started kioskd before it was configured; systemctl calls:\n%s", c)
	}
	owner("/usr/bin/kioskd", "root:root 755")
	owner("/etc/kiosk06", "root:kiosk06 750")
	owner("/etc/kiosk06/kiosk.toml", "root:kiosk06 640")
	owner("/etc/kiosk06/trust", "root:kiosk06 750")
	owner("/var/lib/kiosk06", "kiosk06:kiosk06 750")
	owner("/lib/systemd/system/kioskd.service", "root:root 644")
	owner("/var/lib/kiosk06-update", "root:root 755")
	// The updater's watch on kioskd's trigger file is on from the start.
	if got := strings.TrimSpace(offline("is-enabled", "kiosk06-update.path").Stdout); got != "enabled" {
		t.Errorf("after install: kiosk06-update.path %q, want enabled", got)
	}
	owner("/lib/udev/rules.d/70-kiosk06.rules", "root:root 644")
	// The sealing key: made once, outside the state directory, root only
	// (systemd hands kioskd a copy with LoadCredential=).
	owner("/etc/credstore", "root:root 700")
	owner("/etc/credstore/kiosk06-seal.key", "root:root 400")
	if got := must("stat", "-c", "%s", "/etc/credstore/kiosk06-seal.key"); got != "32" {
		t.Errorf("sealing key: %s bytes, want 32", got)
	}
	sealKey := crosstest.ReadFile(t, filepath.Join(root, "etc", "credstore", "kiosk06-seal.key"))
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
	if r := in("chroot", "--userspec=nobody:nogroup", "/", "cat", "/etc/kiosk06/kiosk.toml"); r.Code == 0 {
		t.Errorf("another user could read /etc/kiosk06/kiosk.toml")
	}

	// The administrator disables the service; an upgrade keeps it so,
	// keeps the technician's conffile edit and the store, without a dpkg
	// prompt, and asks systemd to restart kioskd only if it is running.
	if r := offline("disable", "kioskd.service"); r.Code != 0 {
		t.Fatalf("systemctl disable: exit %d %s", r.Code, r.Stderr)
	}
	if got := enabled(); got != "disabled" {
		t.Fatalf("after systemctl disable: %q", got)
	}
	toml := filepath.Join(root, "etc", "kiosk06", "kiosk.toml")
	edited := crosstest.ReadFile(t, toml) + "\n# edited on site\n"
	if err := os.WriteFile(toml, []byte(edited), 0o640); err != nil {
		t.Fatal(err)
	}
	must("chroot", "--userspec=kiosk06:kiosk06", "/", "sh", "-c", "echo store > /var/lib/kiosk06/kiosk.db")
	calls()
	must("dpkg", "-i", "/"+filepath.Base(v2))
	if got := must("dpkg-query", "-W", "-f", "${Version}", "kiosk06"); got != "1.0.0+1.g0123456789ab" {
		t.Errorf("after upgrade: version %q", got)
	}
	if crosstest.ReadFile(t, filepath.Join(root, "etc", "credstore", "kiosk06-seal.key")) != sealKey {
		t.Error("the upgrade replaced the sealing key: every sealed record would be unreadable")
	}
	if got := enabled(); got != "disabled" {
		t.Errorf("the upgrade re-enabled the service the administrator disabled: %q", got)
	}
	c := calls()
	if !asked(c, "try-restart") || asked(c, "start") || asked(c, "restart") {
		t.Errorf("upgrade: want exactly a try-restart (restart only if running), got systemctl calls:\n%s", c)
	}
	if got := crosstest.ReadFile(t, toml); got != edited {
		t.Errorf("upgrade replaced the edited /etc/kiosk06/kiosk.toml")
	}
	owner("/etc/kiosk06/kiosk.toml", "root:kiosk06 640")
	owner("/var/lib/kiosk06/kiosk.db", "kiosk06:kiosk06 644")

	// Enabled again, it stays enabled across a reinstall of the same version.
	if r := offline("enable", "kioskd.service"); r.Code != 0 {
		t.Fatalf("systemctl enable: exit %d %s", r.Code, r.Stderr)
	}
	must("dpkg", "-i", "/"+filepath.Base(v2))
	if got := enabled(); got != "enabled" {
		t.Errorf("after re-enable and reinstall: %q, want enabled", got)
	}

	// Remove keeps config and state; purge deletes them, the user and the
	// unit's links.
	must("dpkg", "-r", "kiosk06")
	if exists("/usr/bin/kioskd") || exists("/lib/systemd/system/kioskd.service") {
		t.Errorf("dpkg -r left the binary or the unit")
	}
	if !exists("/etc/kiosk06/kiosk.toml") || !exists("/var/lib/kiosk06/kiosk.db") {
		t.Errorf("dpkg -r removed the config or the store; only purge may")
	}
	must("dpkg", "-P", "kiosk06")
	for _, p := range []string{"/etc/kiosk06", "/var/lib/kiosk06", "/var/lib/kiosk06-update", "/etc/credstore/kiosk06-seal.key",
		"/etc/systemd/system/multi-user.target.wants/kioskd.service", "/etc/systemd/system/kioskd.service",
		"/etc/systemd/system/paths.target.wants/kiosk06-update.path", "/etc/systemd/system/multi-user.target.wants/kiosk06-update.service"} {
		if exists(p) {
			t.Errorf("dpkg -P left %s", p)
		}
	}
	if r := in("getent", "passwd", "kiosk06"); r.Code == 0 {
		t.Errorf("dpkg -P left the kiosk06 user: %s", r.Stdout)
	}
	if r := in("getent", "group", "kiosk06"); r.Code == 0 {
		t.Errorf("dpkg -P left the kiosk06 group: %s", r.Stdout)
	}
}

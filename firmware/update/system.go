package update

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/kiosk06/kiosk/firmware/statefile"
)

// Step limits of the package system's commands.
const (
	RefreshLimit = 5 * time.Minute  // apt-get update of one source
	InstallLimit = 15 * time.Minute // apt-get install, dpkg -i (maintainer scripts included)
	CheckLimit   = 2 * time.Minute  // one health check
)

// System is the Installer of a Debian board: apt restricted to the kiosk06
// source for fetching (apt verifies the archive's signature and each
// .deb's hash), dpkg for the rollback.
type System struct {
	// SourcesFile is the kiosk06 source ([update] apt_source), the only
	// one apt reads for the update.
	SourcesFile string
	// Archives is apt's package cache (default /var/cache/apt/archives).
	Archives string
}

// aptSource restricts apt to the kiosk06 source.
func (s System) aptSource() []string {
	return []string{"-o", "Dir::Etc::SourceList=" + s.SourcesFile, "-o", "Dir::Etc::SourceParts=-", "-o", "APT::Get::List-Cleanup=0"}
}

// dpkgKeep answers dpkg's conffile question the way a technician's edit
// survives: keep the installed file.
var dpkgKeep = []string{"-o", "Dpkg::Options::=--force-confdef", "-o", "Dpkg::Options::=--force-confold"}

// Installed implements Installer: the version of a fully installed
// kiosk06 ("" if it is not installed or half way).
func (s System) Installed(ctx context.Context) (string, error) {
	out, err := command(ctx, CheckLimit, "", nil, "dpkg-query", "-W", "-f", "${Status}\t${Version}", Package)
	if err != nil {
		if strings.Contains(out, "no packages found") {
			return "", nil
		}
		return "", err
	}
	status, version, _ := strings.Cut(strings.TrimSpace(out), "\t")
	if status != "install ok installed" {
		return "", nil
	}
	return version, nil
}

// Repair implements Installer.
func (s System) Repair(ctx context.Context) error {
	_, err := command(ctx, InstallLimit, "", nil, "dpkg", "--force-confdef", "--force-confold", "--configure", "-a")
	return err
}

// Refresh implements Installer.
func (s System) Refresh(ctx context.Context) error {
	if _, err := os.Stat(s.SourcesFile); err != nil {
		return fmt.Errorf("the kiosk06 apt source: %w", err)
	}
	out, err := command(ctx, RefreshLimit, "", nil, "apt-get", append([]string{"-q", "update"}, s.aptSource()...)...)
	if err != nil {
		return err
	}
	// apt-get update may exit 0 while it refused an index and kept the
	// old one: a refused signature or a failed fetch is a failure here.
	for _, bad := range []string{"GPG error", "is not signed", "NO_PUBKEY", "BADSIG", "EXPKEYSIG", "Failed to fetch", "Hash Sum mismatch"} {
		if strings.Contains(out, bad) {
			return fmt.Errorf("apt-get update: %s", tailOf(out))
		}
	}
	return nil
}

// Keep implements Installer: the .deb from apt's cache, or fetched from
// the repository (which keeps the previous release: OPERATIONS.md).
func (s System) Keep(ctx context.Context, version, dir string) (string, error) {
	archives := s.Archives
	if archives == "" {
		archives = "/var/cache/apt/archives"
	}
	name := Package + "_" + strings.ReplaceAll(version, ":", "%3a") + "_"
	matches, _ := filepath.Glob(filepath.Join(archives, name+"*.deb"))
	if len(matches) == 1 {
		dst := filepath.Join(dir, filepath.Base(matches[0]))
		return dst, copyFile(matches[0], dst)
	}
	tmp, err := os.MkdirTemp(dir, ".download-")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(tmp)
	if _, err := command(ctx, RefreshLimit, tmp, nil, "apt-get", append([]string{"-q", "download", Package + "=" + version}, s.aptSource()...)...); err != nil {
		return "", fmt.Errorf("not in %s, and apt-get download: %w", archives, err)
	}
	matches, _ = filepath.Glob(filepath.Join(tmp, name+"*.deb"))
	if len(matches) != 1 {
		return "", fmt.Errorf("apt-get download %s=%s left %d .deb files", Package, version, len(matches))
	}
	dst := filepath.Join(dir, filepath.Base(matches[0]))
	return dst, copyFile(matches[0], dst)
}

// Install implements Installer.
func (s System) Install(ctx context.Context, version string) error {
	args := append([]string{"-q", "-y", "--no-install-recommends", "install"}, s.aptSource()...)
	args = append(args, dpkgKeep...)
	_, err := command(ctx, InstallLimit, "", nil, "apt-get", append(args, Package+"="+version)...)
	return err
}

// Reinstall implements Installer.
func (s System) Reinstall(ctx context.Context, deb string) error {
	_, err := command(ctx, InstallLimit, "", nil, "dpkg", "--force-confdef", "--force-confold", "-i", deb)
	return err
}

// UnitActive is the gate's check that systemd runs the unit and it told
// systemd it is ready (Type=notify: active only after READY=1).
type UnitActive struct {
	Unit string // kioskd.service
}

// Check implements Check.
func (c UnitActive) Check(ctx context.Context) error {
	out, err := command(ctx, CheckLimit, "", nil, "systemctl", "is-active", c.Unit)
	if err != nil {
		return fmt.Errorf("systemctl is-active %s: %s", c.Unit, strings.TrimSpace(out))
	}
	return nil
}

// Reason implements Check.
func (UnitActive) Reason() string { return "not_active" }

// Selftest is the gate's check that the installed kioskd passes `kioskd
// selftest` with the device's configuration, run as the owner of the data
// directory (the service's user, so the files it touches stay its own).
type Selftest struct {
	Kioskd  string // /usr/bin/kioskd: the new binary, not this process
	Config  string
	DataDir string
	// SkipDevices: --skip-devices. On a board the running kioskd holds
	// the devices (a second process on a serial device garbles both), and
	// UnitActive, checked first, already says they answered: kioskd is
	// ready only once every device did.
	SkipDevices bool
}

// Check implements Check.
func (c Selftest) Check(ctx context.Context) error {
	cred, err := ownerOf(c.DataDir)
	if err != nil {
		return err
	}
	args := []string{"selftest", "--config", c.Config}
	if c.SkipDevices {
		args = append(args, "--skip-devices")
	}
	out, err := command(ctx, CheckLimit, "/", cred, c.Kioskd, args...)
	if err == nil {
		return nil
	}
	var lines []string
	for _, l := range strings.Split(out, "\n") {
		if strings.HasPrefix(l, "FAIL") {
			lines = append(lines, strings.TrimSpace(l))
		}
	}
	if len(lines) == 0 {
		lines = append(lines, tailOf(out))
	}
	status := "failed"
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		status = exit.String()
	}
	return fmt.Errorf("kioskd selftest: %s: %s", status, clip(strings.Join(lines, "; "), 1024))
}

// Reason implements Check.
func (Selftest) Reason() string { return "selftest_failed" }

// ownerOf returns the credentials of dir's owner (its groups included);
// nil when this process is not root (it runs as itself).
func ownerOf(dir string) (*syscall.Credential, error) {
	if os.Geteuid() != 0 {
		return nil, nil
	}
	fi, err := os.Stat(dir)
	if err != nil {
		return nil, fmt.Errorf("update: %w", err)
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok || st.Uid == 0 {
		return nil, nil
	}
	c := &syscall.Credential{Uid: st.Uid, Gid: st.Gid}
	if u, err := user.LookupId(strconv.Itoa(int(st.Uid))); err == nil {
		if ids, err := u.GroupIds(); err == nil {
			for _, id := range ids {
				if g, err := strconv.Atoi(id); err == nil {
					c.Groups = append(c.Groups, uint32(g))
				}
			}
		}
	}
	return c, nil
}

// command runs name within limit, non-interactively, and returns its
// combined output; an error names the command and carries the output's
// end. The whole process group is killed at the limit.
func command(ctx context.Context, limit time.Duration, dir string, cred *syscall.Credential, name string, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, limit)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "DEBIAN_FRONTEND=noninteractive", "APT_LISTCHANGES_FRONTEND=none", "LC_ALL=C")
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Credential: cred}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr, cmd.Stdin = &out, &out, nil
	err := cmd.Run()
	s := out.String()
	switch {
	case ctx.Err() != nil && errors.Is(ctx.Err(), context.DeadlineExceeded):
		return s, fmt.Errorf("%s %s: still running after %s, killed: %s", name, strings.Join(args, " "), limit, tailOf(s))
	case err != nil:
		return s, fmt.Errorf("%s %s: %w: %s", name, strings.Join(args, " "), err, tailOf(s))
	}
	return s, nil
}

func tailOf(s string) string {
	s = strings.TrimSpace(s)
	if len(s) > 1500 {
		return "…" + s[len(s)-1500:]
	}
	return s
}

// copyFile copies src to dst durably (kept for a rollback that may come
// after a power cut).
func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	b, err := io.ReadAll(in)
	if err != nil {
		return err
	}
	return statefile.Write(dst, b, 0o644)
}

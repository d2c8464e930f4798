// Package debupdate tests signed updates with rollback (issue 22.2) the way
// a fleet of Debian boards runs them: a signed apt archive made with
// reprepro, a device in a fresh Debian root (mmdebstrap, chroot) that
// trusts the archive's key with signed-by, signed triggers, and `kioskd
// update apply` installing, health-gating and rolling back real packages
// with apt and dpkg. Its own package (beside debinstall), so that its root
// filesystem downloads and its packages build beside the other cross
// tests.
package debupdate

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/kiosk06/kiosk/cross/crosstest"
)

// suite is the boards' Debian release (as in cross/sysroot and debinstall).
const suite = "bookworm"

// Step limits.
const (
	// mmdebstrapLimit bounds making the root (about 130 packages, apt and
	// gpgv included: 47 s on this machine on 2026-12-05).
	mmdebstrapLimit = 6 * time.Minute
	// applyLimit bounds one `kioskd update apply` (apt-get update and
	// install from a local archive, the health gate of healthTimeout).
	applyLimit = 3 * time.Minute
	// healthTimeout is the device's [update] health_timeout here: two
	// passing rounds 5 s apart, with room for a slow selftest (-race, a
	// loaded machine); the broken release waits it out.
	healthTimeout = "20s"
)

// systemctlStub stands in for systemctl in the root, which runs no
// systemd: it records each call and answers those that would talk to a
// running manager with success — is-active too, so the health gate's
// "is kioskd active" passes and the gate turns on `kioskd selftest`.
const systemctlStub = `#!/bin/sh
echo "$*" >>/var/log/systemctl-calls
for a in "$@"; do
  case "$a" in
  daemon-reload | start | restart | try-restart | stop | reload | is-active) exit 0 ;;
  esac
done
exec /usr/bin/systemctl "$@"
`

// deviceID is the device's [device] id.
const deviceID = "bus-test-01"

// TestUpdateCycle: v1 installed; v2 published and triggered → installed,
// health gate passed, update.applied; a broken v3 published and triggered
// → installed, gate failed, v2 reinstalled from the kept .deb,
// update.rolled_back, v3 never retried. Before v2: a trigger signed with
// another key, a Release signed with another key and a .deb whose hash is
// not the signed index's install nothing. At each step: the installed
// version (dpkg-query), the technician's conffile edit, the store (its
// records and epoch) and its sealing key.
func TestUpdateCycle(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("installing packages into a chroot needs root (CI and `make test` as root run it); this run is not root")
	}
	for _, tool := range []string{"mmdebstrap", "chroot", "systemctl", "reprepro", "gpg", "python3"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s not installed: run `make deps-cross`", tool)
		}
	}
	began := time.Now()
	tmp := t.TempDir()
	root := filepath.Join(tmp, "root")
	ctx, cancel := context.WithTimeout(context.Background(), mmdebstrapLimit)
	defer cancel()
	mk := exec.CommandContext(ctx, "mmdebstrap", "--quiet", "--mode=root", "--variant=essential",
		"--include=adduser,libpcsclite1,libsqlite3-0,systemd,apt,gpgv", suite, root, "deb http://deb.debian.org/debian "+suite+" main")
	var mkOut bytes.Buffer
	mk.Stdout, mk.Stderr = &mkOut, &mkOut
	if err := mk.Start(); err != nil {
		t.Fatalf("mmdebstrap: %v", err)
	}

	// While it downloads: the releases and the keys.
	bin := crosstest.Native(t, "nogui")
	broken := buildBroken(t)
	v1 := crosstest.Package(t, bin, "amd64", "1.0.0")
	v2 := crosstest.Package(t, bin, "amd64", "1.1.0")
	v3 := crosstest.Package(t, broken, "amd64", "1.2.0")
	host := func(step string, limit time.Duration, env []string, name string, args ...string) string {
		t.Helper()
		cmd := exec.Command(name, args...)
		cmd.Env = append(os.Environ(), env...)
		return crosstest.MustRun(t, step, limit, cmd)
	}
	// The archive key (OpenPGP, as apt wants it) and an impostor's.
	archiveKey, otherKey := filepath.Join(tmp, "gnupg"), filepath.Join(tmp, "gnupg-other")
	for _, home := range []string{archiveKey, otherKey} {
		if err := os.Mkdir(home, 0o700); err != nil {
			t.Fatal(err)
		}
		host("gpg --quick-gen-key", time.Minute, []string{"GNUPGHOME=" + home}, "gpg", "--batch", "--quiet", "--passphrase", "",
			"--quick-gen-key", "kiosk06 test archive <archive@kiosk06.invalid>", "ed25519", "sign", "never")
	}
	fpr := regexp.MustCompile(`(?m)^fpr:+([0-9A-F]{40}):`).FindStringSubmatch(
		host("gpg --list-keys", time.Minute, []string{"GNUPGHOME=" + archiveKey}, "gpg", "--batch", "--with-colons", "--list-keys"))
	if fpr == nil {
		t.Fatal("gpg: no fingerprint for the archive key")
	}
	// The operator's trigger key, and an impostor's.
	opKey, evilKey := filepath.Join(tmp, "op.key"), filepath.Join(tmp, "evil.key")
	pub := host("kioskd update keygen", time.Minute, nil, bin.Path, "update", "keygen", "--out", opKey)
	host("kioskd update keygen (impostor)", time.Minute, nil, bin.Path, "update", "keygen", "--out", evilKey)
	sign := func(key, version string) string {
		t.Helper()
		return host("kioskd update sign "+version, time.Minute, nil, bin.Path, "update", "sign", "--key", key, "--version", version, "--stage", "100")
	}

	if err := mk.Wait(); err != nil {
		if ctx.Err() != nil {
			t.Fatalf("mmdebstrap %s (the root filesystem download) still running after %s, killed: a slow mirror or machine\n%s", suite, mmdebstrapLimit, mkOut.String())
		}
		t.Fatalf("mmdebstrap: %v\n%s", err, mkOut.String())
	}
	t.Logf("ready to install after %s (mmdebstrap with apt and gpgv, builds, three packages, keys)", time.Since(began).Round(time.Second))

	write := func(path, content string, mode os.FileMode) {
		t.Helper()
		p := filepath.Join(root, path)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), mode); err != nil {
			t.Fatal(err)
		}
	}
	read := func(path string) string {
		t.Helper()
		return crosstest.ReadFile(t, filepath.Join(root, path))
	}
	if err := os.MkdirAll(filepath.Join(root, "run", "systemd", "system"), 0o755); err != nil {
		t.Fatal(err)
	}
	write("usr/local/sbin/systemctl", systemctlStub, 0o755)
	in := func(limit time.Duration, args ...string) crosstest.Result {
		t.Helper()
		cmd := exec.Command("chroot", append([]string{root}, args...)...)
		cmd.Env = append(os.Environ(), "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin")
		return crosstest.Run(t, "chroot "+strings.Join(args, " "), limit, cmd)
	}
	must := func(args ...string) string {
		t.Helper()
		r := in(2*time.Minute, args...)
		if r.Code != 0 {
			t.Fatalf("%s: exit %d\n%s%s", strings.Join(args, " "), r.Code, r.Stdout, r.Stderr)
		}
		return strings.TrimSpace(r.Stdout)
	}
	installed := func() string {
		t.Helper()
		return must("dpkg-query", "-W", "-f", "${Status} ${Version}", "kiosk06")
	}

	// The archive: reprepro, signed with the archive key; component main
	// holds the current release, previous the one before (reprepro 5.3
	// keeps one version per component: OPERATIONS.md, Updates).
	archive := filepath.Join(root, "srv", "kiosk06")
	write("srv/kiosk06/conf/distributions", "Origin: kiosk06\nLabel: kiosk06\nCodename: stable\nArchitectures: amd64\n"+
		"Components: main previous\nDescription: kiosk06 firmware (update cycle test)\nSignWith: "+fpr[1]+"\n", 0o644)
	reprepro := func(args ...string) {
		t.Helper()
		host("reprepro "+strings.Join(args, " "), time.Minute, []string{"GNUPGHOME=" + archiveKey}, "reprepro", append([]string{"-b", archive}, args...)...)
	}
	publish := func(deb, previous string) {
		t.Helper()
		if previous != "" {
			reprepro("-C", "previous", "includedeb", "stable", previous)
		}
		reprepro("-C", "main", "includedeb", "stable", deb)
	}
	// The device trusts the archive key for this source only (signed-by).
	keyring := host("gpg --export", time.Minute, []string{"GNUPGHOME=" + archiveKey}, "gpg", "--batch", "--export", fpr[1])
	write("etc/apt/keyrings/kiosk06.gpg", keyring, 0o644)
	write("etc/apt/sources.list.d/kiosk06.sources", "Types: deb\nURIs: copy:/srv/kiosk06\nSuites: stable\nComponents: main previous\n"+
		"Signed-By: /etc/apt/keyrings/kiosk06.gpg\n", 0o644)

	// v1, installed by hand (so the updater fetches its .deb for the
	// rollback from the archive's previous component).
	publish(v1, "")
	write("kiosk06_1.0.0.deb", crosstest.ReadFile(t, v1), 0o644)
	must("dpkg", "-i", "/kiosk06_1.0.0.deb")
	if got := installed(); got != "install ok installed 1.0.0" {
		t.Fatalf("v1: %q", got)
	}
	// The technician's edit of the conffile: the device's id, no devices
	// on this bench, updates on with the operator's key.
	toml := read("etc/kiosk06/kiosk.toml")
	toml = strings.Replace(toml, `id = "kiosk06-unconfigured"`, `id = "`+deviceID+`"`, 1)
	toml = regexp.MustCompile(`(?m)^\[devices\.[a-z]+\]\n(?:[^\[\n].*\n|\n)*`).ReplaceAllString(toml, "")
	toml = strings.Replace(toml, "enabled = false\npublic_key_file", "enabled = true\npublic_key_file", 1)
	toml = strings.Replace(toml, `health_timeout = "5m"`, `health_timeout = "`+healthTimeout+`"`, 1)
	if !strings.Contains(toml, "enabled = true\npublic_key_file") || strings.Contains(toml, "[devices.") {
		t.Fatalf("cross/kiosk.toml changed shape; the test's edit did not apply:\n%s", toml)
	}
	write("etc/kiosk06/kiosk.toml", toml, 0o640)
	write("etc/kiosk06/update.pub", pub, 0o644)
	// Records in the store before the first update, and its sealing key.
	must("kioskd", "diag", "txgen", "--db", "/var/lib/kiosk06/kiosk.db", "--key", "/etc/credstore/kiosk06-seal.key", "--device-id", deviceID, "--count", "3")
	must("chown", "-R", "kiosk06:kiosk06", "/var/lib/kiosk06")
	sealKey := read("etc/credstore/kiosk06-seal.key")
	before := storeRecords(t, filepath.Join(root, "var", "lib", "kiosk06", "kiosk.db"))
	if len(before.Records) != 3 {
		t.Fatalf("txgen: %d records", len(before.Records))
	}
	if r := in(time.Minute, "chroot", "--userspec=kiosk06:kiosk06", "/", "kioskd", "selftest", "--config", "/etc/kiosk06/kiosk.toml"); r.Code != 0 {
		t.Fatalf("v1 selftest must pass for the gate to mean anything: exit %d\n%s%s", r.Code, r.Stdout, r.Stderr)
	}
	same := func(step string) {
		t.Helper()
		if read("etc/kiosk06/kiosk.toml") != toml {
			t.Errorf("%s: the edited /etc/kiosk06/kiosk.toml was replaced", step)
		}
		if read("etc/credstore/kiosk06-seal.key") != sealKey {
			t.Errorf("%s: the sealing key changed: every sealed record would be unreadable", step)
		}
		now := storeRecords(t, filepath.Join(root, "var", "lib", "kiosk06", "kiosk.db"))
		if now.Epoch != before.Epoch {
			t.Errorf("%s: store epoch %s, was %s", step, now.Epoch, before.Epoch)
		}
		for i, r := range before.Records {
			if i >= len(now.Records) || now.Records[i] != r {
				t.Errorf("%s: record %d changed or lost: %+v", step, i+1, r)
			}
		}
	}
	apply := func(step string) crosstest.Result {
		t.Helper()
		start := time.Now()
		r := in(applyLimit, "kioskd", "update", "apply")
		t.Logf("%s: kioskd update apply took %s: exit %d: %s", step, time.Since(start).Round(100*time.Millisecond), r.Code, strings.TrimSpace(r.Stdout))
		return r
	}

	// A trigger signed with another key: refused by kioskd update
	// trigger (as by the downlink), and by the updater when someone puts
	// it in the trigger file itself.
	write("evil.json", sign(evilKey, "1.1.0"), 0o644)
	if r := in(time.Minute, "kioskd", "update", "trigger", "/evil.json"); r.Code == 0 || !strings.Contains(r.Stderr, "signature") {
		t.Errorf("a trigger signed with another key was taken: exit %d\n%s%s", r.Code, r.Stdout, r.Stderr)
	}
	write("var/lib/kiosk06/update-trigger.json", sign(evilKey, "1.1.0"), 0o640)
	if r := apply("forged trigger file"); r.Code != 0 || !strings.Contains(r.Stdout, "rejected: signature") {
		t.Errorf("forged trigger file: exit %d\n%s%s", r.Code, r.Stdout, r.Stderr)
	}
	if got := installed(); got != "install ok installed 1.0.0" {
		t.Fatalf("after a forged trigger: %q", got)
	}

	// v2 published (v1 kept as previous) and triggered.
	publish(v2, v1)
	write("t2.json", sign(opKey, "1.1.0"), 0o644)
	if out := must("kioskd", "update", "trigger", "/t2.json"); !strings.Contains(out, "taken: 1.1.0") {
		t.Fatalf("kioskd update trigger: %s", out)
	}

	// The archive's Release signed by someone else: apt refuses it.
	dists := filepath.Join(archive, "dists", "stable")
	for _, f := range []string{"InRelease", "Release.gpg"} {
		if err := os.Remove(filepath.Join(dists, f)); err != nil {
			t.Fatal(err)
		}
	}
	host("gpg --clearsign (impostor)", time.Minute, []string{"GNUPGHOME=" + otherKey}, "gpg", "--batch", "--clearsign", "-o", filepath.Join(dists, "InRelease"), filepath.Join(dists, "Release"))
	host("gpg --detach-sign (impostor)", time.Minute, []string{"GNUPGHOME=" + otherKey}, "gpg", "--batch", "-a", "--detach-sign", "-o", filepath.Join(dists, "Release.gpg"), filepath.Join(dists, "Release"))
	if r := apply("Release signed by another key"); !strings.Contains(r.Stdout, "rejected 1.1.0: fetch_failed") {
		t.Errorf("a Release signed with another key: exit %d\n%s%s", r.Code, r.Stdout, r.Stderr)
	}
	if got := installed(); got != "install ok installed 1.0.0" {
		t.Fatalf("after a wrongly signed archive: %q", got)
	}
	reprepro("export", "stable") // signed again with the archive key

	// A .deb in the pool that is not the one the signed index names.
	pooled := filepath.Join(archive, "pool", "main", "k", "kiosk06", "kiosk06_1.1.0_amd64.deb")
	good := crosstest.ReadFile(t, pooled)
	if err := os.WriteFile(pooled, []byte(crosstest.ReadFile(t, v3)), 0o644); err != nil {
		t.Fatal(err)
	}
	if r := apply("tampered .deb"); !strings.Contains(r.Stdout, "rejected 1.1.0: fetch_failed") {
		t.Errorf("a .deb whose hash is not the signed index's: exit %d\n%s%s", r.Code, r.Stdout, r.Stderr)
	}
	if got := installed(); got != "install ok installed 1.0.0" {
		t.Fatalf("after a tampered .deb: %q", got)
	}
	if err := os.WriteFile(pooled, []byte(good), 0o644); err != nil {
		t.Fatal(err)
	}
	same("after the refusals")

	// The same trigger, the archive whole again: v2 installed and gated.
	if r := apply("v2"); r.Code != 0 || !strings.Contains(r.Stdout, "applied 1.1.0") {
		t.Fatalf("v2: exit %d\n%s%s", r.Code, r.Stdout, r.Stderr)
	}
	if got := installed(); got != "install ok installed 1.1.0" {
		t.Fatalf("after v2: %q", got)
	}
	if _, err := os.Stat(filepath.Join(root, "var", "lib", "kiosk06-update", "kiosk06_1.0.0_amd64.deb")); err != nil {
		t.Errorf("v1's .deb is not kept for a rollback: %v", err)
	}
	same("after v2")

	// A broken v3 (its kioskd exits 1): installed, the gate fails, v2 back.
	publish(v3, v2)
	write("t3.json", sign(opKey, "1.2.0"), 0o644)
	must("kioskd", "update", "trigger", "/t3.json")
	r := apply("v3 (broken)")
	if r.Code != 1 || !strings.Contains(r.Stdout, "rolled back 1.2.0: selftest_failed") {
		t.Fatalf("v3: exit %d, want 1 with a rollback\n%s%s", r.Code, r.Stdout, r.Stderr)
	}
	if got := installed(); got != "install ok installed 1.1.0" {
		t.Fatalf("after the rollback: %q, want v2", got)
	}
	same("after the rollback")
	// Not retried: the same trigger does nothing, a new one is refused.
	if r := apply("v3 again"); r.Code != 0 || !strings.Contains(r.Stdout, "nothing to do") {
		t.Errorf("the rolled-back trigger again: exit %d\n%s%s", r.Code, r.Stdout, r.Stderr)
	}
	write("t3b.json", sign(opKey, "1.2.0"), 0o644)
	if r := in(time.Minute, "kioskd", "update", "trigger", "/t3b.json"); r.Code == 0 || !strings.Contains(r.Stderr, "rolled_back") {
		t.Errorf("a new trigger for the rolled-back version: exit %d\n%s%s", r.Code, r.Stdout, r.Stderr)
	}
	var status struct {
		Installed string   `json:"installed"`
		Floor     string   `json:"floor"`
		Bad       []string `json:"bad"`
		Last      struct {
			Outcome, Version, Reason string
		} `json:"last"`
	}
	if err := json.Unmarshal([]byte(must("kioskd", "update", "status", "--json")), &status); err != nil {
		t.Fatal(err)
	}
	if status.Installed != "1.1.0" || status.Floor != "1.1.0" || len(status.Bad) != 1 || status.Bad[0] != "1.2.0" || status.Last.Outcome != "rolled_back" {
		t.Errorf("kioskd update status: %+v", status)
	}

	// The records, in the store kioskd uploads from.
	kinds := map[string]int{}
	var rolled map[string]any
	for _, rec := range storeRecords(t, filepath.Join(root, "var", "lib", "kiosk06", "kiosk.db")).Records {
		kinds[rec.Kind]++
		if rec.Kind == "update.rolled_back" {
			_ = json.Unmarshal([]byte(rec.Payload), &rolled)
		}
	}
	if kinds["update.applied"] != 1 || kinds["update.rolled_back"] != 1 || kinds["update.rejected"] < 3 || kinds["diag.txgen"] != 3 {
		t.Errorf("records by kind: %v; want 3 diag.txgen, 1 update.applied, 1 update.rolled_back, update.rejected for the forged trigger, the bad signature and the bad .deb", kinds)
	}
	if rolled["version"] != "1.2.0" || rolled["restored"] != "1.1.0" || rolled["reason"] != "selftest_failed" {
		t.Errorf("update.rolled_back: %v", rolled)
	}
	t.Logf("update cycle: %s in all", time.Since(began).Round(time.Second))
}

// buildBroken builds the broken release's kioskd (testdata/brokenkioskd).
func buildBroken(t *testing.T) crosstest.Binary {
	t.Helper()
	out := filepath.Join(t.TempDir(), "broken", "kioskd")
	cmd := exec.Command("go", "build", "-o", out, "./cross/crosstest/debupdate/testdata/brokenkioskd")
	cmd.Dir = crosstest.RepoRoot(t)
	crosstest.MustRun(t, "go build brokenkioskd", crosstest.NativeBuildLimit, cmd)
	return crosstest.Binary{Variant: "nogui", Path: out}
}

// record is one stored record.
type record struct {
	Seq     int64  `json:"seq"`
	Kind    string `json:"kind"`
	Payload string `json:"payload"`
}

// storeContents is what the store holds.
type storeContents struct {
	Epoch   string   `json:"epoch"`
	Records []record `json:"records"`
}

// readStore reads a store with Python's sqlite3, read only: a reader
// independent of the firmware's.
const readStore = `
import json, sqlite3, sys
c = sqlite3.connect("file:" + sys.argv[1] + "?mode=ro", uri=True)
epoch = c.execute("SELECT value FROM meta WHERE key = 'epoch'").fetchone()[0]
rows = [{"seq": s, "kind": k, "payload": p.decode()} for s, k, p in c.execute("SELECT seq, kind, payload FROM records ORDER BY seq")]
print(json.dumps({"epoch": epoch, "records": rows}))
`

func storeRecords(t *testing.T, db string) storeContents {
	t.Helper()
	out := crosstest.MustRun(t, "python3 sqlite3 reading the store", time.Minute, exec.Command("python3", "-c", readStore, db))
	var s storeContents
	if err := json.Unmarshal([]byte(out), &s); err != nil {
		t.Fatalf("store: %v in %q", err, out)
	}
	return s
}

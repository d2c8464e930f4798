package tests

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/kiosk06/kiosk/firmware/remoteconfig"
	"github.com/kiosk06/kiosk/tests/collector/mqttcollector"
	"github.com/kiosk06/kiosk/tests/mqttbroker"
)

// hbConfig is the heartbeat's "config" member.
type hbConfig struct {
	RemoteEnabled  bool   `json:"remote_enabled"`
	SHA256         string `json:"sha256"`
	AppliedVersion uint64 `json:"applied_version"`
	Trying         uint64 `json:"trying"`
	Drift          bool   `json:"drift"`
	Running        string `json:"running"`
}

// lastConfig returns the config member of the device's newest heartbeat
// received after since.
func lastConfig(mc *mqttcollector.Collector, since time.Time) (hbConfig, bool) {
	hbs := mc.Heartbeats(mqttDevice)
	if len(hbs) == 0 || hbs[len(hbs)-1].Received.Before(since) {
		return hbConfig{}, false
	}
	var hb struct {
		Config *hbConfig `json:"config"`
	}
	if json.Unmarshal(hbs[len(hbs)-1].Body, &hb) != nil || hb.Config == nil {
		return hbConfig{}, false
	}
	return *hb.Config, true
}

// configRecords returns the payloads of the device's config.* records of kind.
func configRecords(mc *mqttcollector.Collector, kind string) []map[string]any {
	var out []map[string]any
	for _, r := range mc.Records(mqttDevice) {
		if r.Kind == kind {
			var p map[string]any
			_ = json.Unmarshal(r.Payload, &p)
			out = append(out, p)
		}
	}
	return out
}

// TestRemoteConfigOverMQTT is issue 22.3's acceptance test against a real
// mosquitto: a kioskd on the MQTT uplink refuses a bundle signed by
// another key and one its configuration checker refuses (both recorded,
// nothing changed), applies a good bundle the backend retains on its
// down/config topic (kioskd config bundle signs it) although the
// configuration's directory is read-only (as ProtectSystem=strict makes
// /etc): it writes DATA_DIR/remote-config/kiosk.toml, exits 75, comes back
// (started again as systemd would) running it — the heartbeat shows its
// hash and version, the retained bundle redelivered is a no-op —, and
// after a technician edits the base file on the device, runs the edit and
// reports the drift.
func TestRemoteConfigOverMQTT(t *testing.T) {
	t.Parallel() // waits on kioskd processes of its own (directory, ports, broker): runs beside the others
	b := mqttbroker.Start(t, mqttbroker.Options{})
	cert, key := b.Client(mqttbroker.Backend)
	mc, err := mqttcollector.Start(mqttcollector.Options{BrokerURL: b.URL, CAFile: b.CAFile, CertFile: cert, KeyFile: key})
	if err != nil {
		t.Fatal(err)
	}
	defer mc.Close()
	dir := t.TempDir()
	data := filepath.Join(dir, "var")
	if err := os.MkdirAll(data, 0o700); err != nil {
		t.Fatal(err)
	}
	pub, priv, _ := ed25519.GenerateKey(rand.Reader)
	keyFile := filepath.Join(dir, "operator.key")
	if err := os.WriteFile(keyFile, []byte(base64.StdEncoding.EncodeToString(priv)+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	etc := filepath.Join(dir, "etc")
	if err := os.MkdirAll(etc, 0o755); err != nil {
		t.Fatal(err)
	}
	editPath := mqttConfig(t, etc, data, b)
	base, _ := os.ReadFile(editPath)
	original := string(base) + fmt.Sprintf("\n[remote_config]\npublic_key = %q\nstart_timeout = \"60s\"\nhealthy_for = \"1s\"\n", base64.StdEncoding.EncodeToString(pub))
	if err := os.WriteFile(editPath, []byte(original), 0o640); err != nil {
		t.Fatal(err)
	}
	// kioskd reads the configuration where it cannot write (editPath is
	// the technician's way in).
	roEtc := readOnlyDir(t, etc)
	cfgPath := filepath.Join(roEtc, filepath.Base(editPath))
	managed := remoteconfig.ManagedPath(data)
	env := []string{"DISPLAY=", "WAYLAND_DISPLAY="}
	var stderr *syncBuffer
	state := func() string {
		var kinds []string
		for _, r := range mc.Records(mqttDevice) {
			if strings.HasPrefix(r.Kind, "config.") {
				kinds = append(kinds, r.Kind+" "+string(r.Payload))
			}
		}
		hbs := mc.Heartbeats(mqttDevice)
		last := ""
		if len(hbs) > 0 {
			last = string(hbs[len(hbs)-1].Body)
		}
		return fmt.Sprintf("config records %q\nlast heartbeat %s\nkioskd stderr:\n%s", kinds, last, tail(stderr.String(), 3000))
	}
	sign := func(k ed25519.PrivateKey, v uint64, text string) []byte {
		now := time.Now()
		p, err := remoteconfig.Sign(k, remoteconfig.Bundle{Device: mqttDevice, Version: v, Signed: now, NotBefore: now.Add(-time.Minute),
			Expires: now.Add(time.Hour), Config: text})
		if err != nil {
			t.Fatal(err)
		}
		return p
	}

	cmd, lines, se := startKioskd(t, dir, env, "run", "--sim", "--config", cfgPath)
	stderr = se
	waitLine(t, lines, "ready", 30*time.Second, stderr)
	start := time.Now()
	waitFor(t, 30*time.Second, "a heartbeat with remote configuration on", func() bool {
		c, ok := lastConfig(mc, start)
		return ok && c.RemoteEnabled && c.SHA256 == remoteconfig.Hash([]byte(original)) && !c.Drift && c.Running == "base"
	}, state)

	// 1. Refused: another key; a configuration the checker refuses.
	_, forger, _ := ed25519.GenerateKey(rand.Reader)
	if err := mc.SendDown(mqttDevice, "config", sign(forger, 2, original), false); err != nil {
		t.Fatal(err)
	}
	bad := strings.Replace(original, `interval = "200ms"`, `interval = "5ms"`, 1)
	if err := mc.SendDown(mqttDevice, "config", sign(priv, 2, bad), false); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 30*time.Second, "both refusals recorded at the backend", func() bool {
		return len(configRecords(mc, "config.rejected")) == 2
	}, state)
	rej := configRecords(mc, "config.rejected")
	// The two refusals may reach the backend in either order (the uplink
	// sends in batches); what matters is one of each.
	if rej[0]["reason"] == "invalid_config" {
		rej[0], rej[1] = rej[1], rej[0]
	}
	if rej[0]["reason"] != "signature" || rej[1]["reason"] != "invalid_config" || !strings.Contains(fmt.Sprint(rej[1]["detail"]), "bundle-v2.toml:") ||
		!strings.Contains(fmt.Sprint(rej[1]["detail"]), "uplink.interval") {
		t.Fatalf("refusals %v", rej)
	}
	if now, _ := os.ReadFile(cfgPath); string(now) != original {
		t.Fatal("a refused bundle changed the configuration file")
	}

	// 2. A good bundle, retained as a backend keeps a device's current
	// configuration: applied, and kioskd exits to be restarted.
	next := strings.Replace(original, `heartbeat_interval = "1s"`, `heartbeat_interval = "2s"`, 1)
	nextFile := filepath.Join(dir, "next.toml")
	if err := os.WriteFile(nextFile, []byte(next), 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(kioskdBin, "config", "bundle", "--key", keyFile, "--version", "3", "--sim", nextFile).Output()
	if err != nil {
		t.Fatalf("kioskd config bundle: %v", err)
	}
	if err := mc.SendDown(mqttDevice, "config", out, true); err != nil {
		t.Fatal(err)
	}
	exited := make(chan *os.ProcessState, 1)
	go func() { ps, _ := cmd.Process.Wait(); exited <- ps }()
	select {
	case ps := <-exited:
		if ps.ExitCode() != 75 {
			t.Fatalf("kioskd exited %d after a bundle, want 75 (restart)\n%s", ps.ExitCode(), state())
		}
	case <-time.After(30 * time.Second):
		t.Fatalf("kioskd did not exit to take the bundle\n%s", state())
	}
	if now, _ := os.ReadFile(managed); string(now) != next {
		t.Fatalf("the managed configuration is not the bundle's\n%s", state())
	}
	if now, _ := os.ReadFile(cfgPath); string(now) != original {
		t.Fatalf("the base configuration file changed")
	}
	if out, err := exec.Command(kioskdBin, "config", "check", "--sim", cfgPath).Output(); err != nil || !strings.Contains(string(out), "runs: "+managed+" (bundle v3 being tried)") {
		t.Fatalf("kioskd config check: %v\n%s", err, out)
	}

	// 3. Started again (systemd's Restart=always): it runs the bundle,
	// keeps it, and the retained bundle redelivered changes nothing.
	cmd, lines, stderr = startKioskd(t, dir, env, "run", "--sim", "--config", cfgPath)
	waitLine(t, lines, "ready", 30*time.Second, stderr)
	start = time.Now()
	waitFor(t, 30*time.Second, "the bundle kept and reported", func() bool {
		c, ok := lastConfig(mc, start)
		return ok && c.AppliedVersion == 3 && c.Trying == 0 && c.SHA256 == remoteconfig.Hash([]byte(next)) && !c.Drift && c.Running == "managed" &&
			len(configRecords(mc, "config.applied")) == 2
	}, state)
	applied := configRecords(mc, "config.applied")
	if applied[0]["state"] != "trying" || applied[1]["state"] != "kept" || applied[1]["version"] != float64(3) {
		t.Fatalf("applied records %v", applied)
	}
	if n := len(configRecords(mc, "config.rejected")); n != 2 {
		t.Fatalf("%d refusals: the retained running bundle was refused on redelivery\n%s", n, state())
	}

	// 4. A technician edits the base file on the device and restarts
	// kioskd: the edit runs, and is reported as drift.
	_ = cmd.Process.Signal(syscall.SIGTERM)
	if ps, _ := cmd.Process.Wait(); ps == nil || ps.ExitCode() != 0 {
		t.Fatalf("kioskd stop: %v\n%s", ps, state())
	}
	edited := original + "# edited on the device by a technician\n"
	if err := os.WriteFile(editPath, []byte(edited), 0o640); err != nil {
		t.Fatal(err)
	}
	cmd, lines, stderr = startKioskd(t, dir, env, "run", "--sim", "--config", cfgPath)
	waitLine(t, lines, "ready", 30*time.Second, stderr)
	start = time.Now()
	waitFor(t, 30*time.Second, "the drift reported", func() bool {
		c, ok := lastConfig(mc, start)
		return ok && c.Drift && c.Running == "base" && c.AppliedVersion == 3 && c.SHA256 == remoteconfig.Hash([]byte(edited)) && len(configRecords(mc, "config.drift")) == 1
	}, state)
	if d := configRecords(mc, "config.drift")[0]; d["sha256"] != remoteconfig.Hash([]byte(edited)) || d["applied_version"] != float64(3) {
		t.Fatalf("drift %v", d)
	}
	_ = cmd.Process.Signal(syscall.SIGTERM)
	_, _ = cmd.Process.Wait()
}

// readOnlyDir makes dir read-only for kioskd, as ProtectSystem=strict makes
// /etc, and returns the path kioskd reads it by: dir itself, mode 0555, for
// a non-root test; for root, whom modes do not stop, a read-only bind mount
// of dir (what systemd does). dir stays writable by the test (a
// technician's edit). The test fails if writes there still succeed.
func readOnlyDir(t *testing.T, dir string) string {
	t.Helper()
	if err := os.Chmod(dir, 0o555); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.Chmod(dir, 0o755) })
	ro := dir
	if os.Geteuid() == 0 {
		ro = dir + "-ro"
		if err := os.Mkdir(ro, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := syscall.Mount(dir, ro, "", syscall.MS_BIND, ""); err != nil {
			t.Skipf("skipped: as root the configuration's directory is made read-only with a bind mount, which needs CAP_SYS_ADMIN: %v", err)
		}
		t.Cleanup(func() { _ = syscall.Unmount(ro, 0) })
		if err := syscall.Mount("", ro, "", syscall.MS_REMOUNT|syscall.MS_BIND|syscall.MS_RDONLY, ""); err != nil {
			t.Fatalf("remount %s read-only: %v", ro, err)
		}
	}
	if f, err := os.CreateTemp(ro, "probe"); err == nil {
		f.Close()
		t.Fatalf("%s is still writable", ro)
	}
	return ro
}

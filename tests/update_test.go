package tests

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/kiosk06/kiosk/firmware/records"
	"github.com/kiosk06/kiosk/firmware/update"
	"github.com/kiosk06/kiosk/tests/collector/mqttcollector"
	"github.com/kiosk06/kiosk/tests/mqttbroker"
)

// TestUpdateTriggerOverMQTT is kioskd's side of issue 22.2 against a real
// mosquitto: a trigger signed by another key is refused and recorded
// (update.rejected reaches the backend), a signed one is written as
// received to DATA_DIR/update-trigger.json for kiosk06-update.path, and
// a record the updater left in its state (it runs as root, outside
// kioskd) is written to the store by kioskd and uploaded once; the
// heartbeat carries the update member. The install itself is
// cross/crosstest/debupdate's (apt and dpkg in a Debian root).
func TestUpdateTriggerOverMQTT(t *testing.T) {
	t.Parallel() // waits on kioskd processes of its own (directory, ports, broker): runs beside the others
	b := mqttbroker.Start(t, mqttbroker.Options{})
	cert, key := b.Client(mqttbroker.Backend)
	mc, err := mqttcollector.Start(mqttcollector.Options{BrokerURL: b.URL, CAFile: b.CAFile, CertFile: cert, KeyFile: key})
	if err != nil {
		t.Fatal(err)
	}
	defer mc.Close()
	dir := t.TempDir()
	data, stateDir := filepath.Join(dir, "var"), filepath.Join(dir, "update-state")
	if err := os.MkdirAll(data, 0o700); err != nil {
		t.Fatal(err)
	}
	pub, priv, _ := ed25519.GenerateKey(rand.Reader)
	pubFile := filepath.Join(dir, "update.pub")
	if err := os.WriteFile(pubFile, []byte(base64.StdEncoding.EncodeToString(pub)+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cfgPath := mqttConfig(t, dir, data, b)
	base, _ := os.ReadFile(cfgPath)
	cfg := string(base) + fmt.Sprintf("\n[update]\nenabled = true\npublic_key_file = %q\nstate_dir = %q\n", pubFile, stateDir)
	if err := os.WriteFile(cfgPath, []byte(cfg), 0o640); err != nil {
		t.Fatal(err)
	}
	sign := func(k ed25519.PrivateKey, version string) []byte {
		now := time.Now()
		p, err := update.Sign(k, update.Trigger{Package: update.Package, Version: version, Stage: 100, Signed: now,
			NotBefore: now.Add(-time.Minute), Expires: now.Add(time.Hour)})
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	of := func(kind string) []map[string]any {
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
	var stderr *syncBuffer
	diag := func() string {
		return fmt.Sprintf("records %d, kioskd stderr:\n%s", len(mc.Records(mqttDevice)), tail(stderr.String(), 3000))
	}

	cmd, lines, se := startKioskd(t, dir, []string{"DISPLAY=", "WAYLAND_DISPLAY="}, "run", "--sim", "--config", cfgPath)
	stderr = se
	defer func() { _ = cmd.Process.Signal(syscall.SIGTERM); _ = cmd.Wait() }()
	waitLine(t, lines, "ready", 30*time.Second, stderr)

	_, forger, _ := ed25519.GenerateKey(rand.Reader)
	if err := mc.SendDown(mqttDevice, "update", sign(forger, "9.0.0"), false); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 30*time.Second, "the forged trigger's refusal at the backend", func() bool { return len(of("update.rejected")) == 1 }, diag)
	if r := of("update.rejected")[0]; r["reason"] != "signature" {
		t.Errorf("update.rejected: %v, want reason signature", r)
	}
	trigger := filepath.Join(data, update.TriggerFile)
	if _, err := os.Stat(trigger); err == nil {
		t.Fatal("a forged trigger was written for the updater")
	}

	good := sign(priv, "9.0.0")
	if err := mc.SendDown(mqttDevice, "update", good, true); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 30*time.Second, "the signed trigger written for the updater", func() bool {
		got, err := os.ReadFile(trigger)
		return err == nil && bytes.Equal(got, good)
	}, diag)

	// The updater's outcome, as it leaves it while kioskd holds the store.
	if err := (update.QueueRecorder{StateDir: stateDir}).Record(context.Background(),
		&records.UpdateApplied{Version: "9.0.0", From: "8.0.0", Stage: 100, At: time.Now().UTC().Format(time.RFC3339)}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 40*time.Second, "update.applied written by kioskd and uploaded", func() bool { return len(of("update.applied")) == 1 }, diag)
	waitFor(t, 20*time.Second, "a heartbeat with the update member", func() bool {
		hbs := mc.Heartbeats(mqttDevice)
		if len(hbs) == 0 {
			return false
		}
		var hb struct {
			Update *struct {
				Enabled bool   `json:"enabled"`
				Last    string `json:"last"`
			} `json:"update"`
		}
		return json.Unmarshal(hbs[len(hbs)-1].Body, &hb) == nil && hb.Update != nil && hb.Update.Enabled
	}, diag)
	// Written once: kioskd noted it (the next flushes skip it).
	if s, err := update.ReadStatus(data, stateDir); err != nil || s.Waiting != 0 {
		t.Errorf("after kioskd wrote it: %+v %v, want no record waiting", s, err)
	}
}

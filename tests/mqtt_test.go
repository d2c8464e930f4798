package tests

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/kiosk06/kiosk/tests/collector/mqttcollector"
	"github.com/kiosk06/kiosk/tests/mqttbroker"
)

// mqttDevice is the device id of the embedded simulator configuration.
const mqttDevice = "sim-kiosk-001"

// mqttConfig is the embedded simulator configuration with its state on
// dataDir, metrics off and the uplink on the test's broker: transport
// mqtt, the device's certificate, a 1 s heartbeat.
func mqttConfig(t *testing.T, dir, dataDir string, b *mqttbroker.Broker) string {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("..", "firmware", "config", "sim.toml"))
	if err != nil {
		t.Fatal(err)
	}
	cert, key := b.Client(mqttDevice)
	cfg := string(raw)
	for old, repl := range map[string]string{
		`data_dir = "./var"`:                       fmt.Sprintf("data_dir = %q", dataDir),
		`key_file = "./var/seal.key"`:              fmt.Sprintf("key_file = %q", filepath.Join(dataDir, "seal.key")),
		`listen = "127.0.0.1:9406"`:                `listen = ""`,
		`format = "auto"`:                          `format = "text"`,
		"[uplink]\nbase_url = \"\"        # empty": fmt.Sprintf("[uplink]\ntransport = \"mqtt\"\nbroker_url = %q\nclient_cert = %q\nclient_key = %q\nca_file = %q\ntimeout = \"2s\"\nheartbeat_interval = \"1s\"\n# was: base_url empty", b.URL, cert, key, b.CAFile),
		`interval = "2s"`:                          `interval = "200ms"`,
	} {
		if !strings.Contains(cfg, old) {
			t.Fatalf("sim.toml no longer has %q", old)
		}
		cfg = strings.Replace(cfg, old, repl, 1)
	}
	path := filepath.Join(dir, "mqtt.toml")
	if err := os.WriteFile(path, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// txgenInto appends n synthetic records to the kiosk's database.
func txgenInto(t *testing.T, db, key string, n int) {
	t.Helper()
	out, err := exec.Command(kioskdBin, "diag", "txgen", "--db", db, "--key", key, "--device-id", mqttDevice,
		"--writers", "8", "--count", strconv.Itoa(n)).CombinedOutput()
	if err != nil {
		t.Fatalf("txgen: %v: %s", err, out)
	}
}

// outboxOf reads the outbox of a database no process holds.
func outboxOf(t *testing.T, db string) (pending, lastSeq, lastAcked int64) {
	t.Helper()
	out, err := exec.Command(kioskdBin, "diag", "outbox", "--db", db).Output()
	if err != nil {
		t.Fatalf("diag outbox: %v", err)
	}
	var ob struct {
		Pending      int64 `json:"pending"`
		LastSeq      int64 `json:"last_seq"`
		LastAckedSeq int64 `json:"last_acked_seq"`
	}
	if err := json.Unmarshal(out, &ob); err != nil {
		t.Fatalf("diag outbox %q: %v", out, err)
	}
	return ob.Pending, ob.LastSeq, ob.LastAckedSeq
}

func waitFor(t *testing.T, d time.Duration, what string, cond func() bool, diag func() string) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("not %s within %v; %s", what, d, tail(diag(), 4000))
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// TestMQTTUplinkExactlyOnce is issue 22.5's acceptance test against a real
// mosquitto: a real kioskd drains its outbox over MQTT, is SIGKILLed mid
// drain (its last will marks it offline), the broker restarts (twice:
// with the device away, then mid drain), more records are written, and at
// the end the backend holds every record of the store exactly once, the
// device acknowledged exactly what the backend has, the heartbeats came
// over MQTT, and a clean stop says "offline" (shutdown).
func TestMQTTUplinkExactlyOnce(t *testing.T) {
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
	db, sealKey := filepath.Join(data, "kiosk.db"), filepath.Join(data, "seal.key")
	const first, second = 20000, 10000
	txgenInto(t, db, sealKey, first)
	cfg := mqttConfig(t, dir, data, b)
	env := []string{"DISPLAY=", "WAYLAND_DISPLAY="}
	state := func() string {
		p, _ := mc.Presence(mqttDevice)
		return fmt.Sprintf("collector %+v, mqtt %+v, presence %+v\nbroker log:\n%s", mc.Stats(), mc.MQTTStats(), p, tail(b.Log(), 3000))
	}

	// 1. Drain, and SIGKILL kioskd at the first acknowledged batch.
	cmd, lines, stderr := startKioskd(t, dir, env, "run", "--sim", "--config", cfg)
	waitLine(t, lines, "ready", 30*time.Second, stderr)
	waitFor(t, 30*time.Second, "a first batch stored", func() bool { return mc.Stats().Stored > 0 }, state)
	_ = cmd.Process.Signal(syscall.SIGKILL)
	_, _ = cmd.Process.Wait()
	storedAtKill := mc.Stats().Stored
	waitFor(t, 10*time.Second, "offline by the last will", func() bool {
		p, ok := mc.Presence(mqttDevice)
		return ok && p.State == "offline" && p.Reason == "connection lost"
	}, state)
	pending, _, acked := outboxOf(t, db)
	t.Logf("killed with %d records stored at the backend, %d acknowledged on the device, %d pending", storedAtKill, acked, pending)
	if pending == 0 {
		t.Logf("the drain finished before the kill; the restart below still resends nothing twice")
	}
	if acked > int64(mc.Stats().Stored) {
		t.Fatalf("the device acknowledged %d records, the backend stored %d", acked, mc.Stats().Stored)
	}

	// 2. The broker restarts while the device is away; the device writes more.
	b.Restart()
	txgenInto(t, db, sealKey, second)

	// 3. kioskd comes back; the broker restarts again mid drain.
	cmd, lines, stderr = startKioskd(t, dir, env, "run", "--sim", "--config", cfg)
	waitLine(t, lines, "ready", 30*time.Second, stderr)
	before := mc.Stats().Stored
	waitFor(t, 30*time.Second, "the drain resumed", func() bool { return mc.Stats().Stored > before }, state)
	b.Restart()
	restartedAt := mc.Stats().Stored
	waitFor(t, 60*time.Second, "online again", func() bool {
		p, ok := mc.Presence(mqttDevice)
		return ok && p.State == "online" && mc.Connected()
	}, state)
	var heartbeats int
	waitFor(t, 90*time.Second, "the outbox drained and a heartbeat after the restart", func() bool {
		heartbeats = 0
		for _, h := range mc.Heartbeats(mqttDevice) {
			if h.Via == "mqtt" {
				heartbeats++
			}
		}
		if mc.Stats().Stored < first+second || heartbeats < 2 {
			return false
		}
		time.Sleep(100 * time.Millisecond)
		pending, _, _ := outboxOf(t, db) // read-only: safe while kioskd runs
		return pending == 0
	}, state)

	// 4. A clean stop: "offline", reason shutdown.
	_ = cmd.Process.Signal(syscall.SIGTERM)
	if err := cmd.Wait(); err != nil {
		t.Fatalf("kioskd stop: %v\n%s", err, stderr)
	}
	waitFor(t, 10*time.Second, "offline (shutdown)", func() bool {
		p, ok := mc.Presence(mqttDevice)
		return ok && p.State == "offline" && p.Reason == "shutdown"
	}, state)

	pending, lastSeq, acked := outboxOf(t, db)
	st := mc.Stats()
	t.Logf("broker restarted with %d of %d stored; end: collector %+v, mqtt %+v, device last seq %d acked %d, %d heartbeats",
		restartedAt, first+second, st, mc.MQTTStats(), lastSeq, acked, heartbeats)
	if pending != 0 || acked != lastSeq {
		t.Fatalf("device outbox: %d pending, acked %d of %d", pending, acked, lastSeq)
	}
	seqs := mc.Seqs(mqttDevice)
	if int64(len(seqs)) != lastSeq || st.Stored != int(lastSeq) || st.Conflicts != 0 {
		t.Fatalf("backend holds %d records (%+v), the device wrote %d", len(seqs), st, lastSeq)
	}
	for i, s := range seqs {
		if s != int64(i+1) {
			t.Fatalf("backend: seq %d at position %d", s, i)
		}
	}
	var hb struct {
		DeviceID string `json:"device_id"`
		Version  string `json:"version"`
		Devices  []struct {
			Role string `json:"role"`
		} `json:"devices"`
		Uplink struct {
			Transport string `json:"transport"`
		} `json:"uplink"`
	}
	hbs := mc.Heartbeats(mqttDevice)
	if err := json.Unmarshal(hbs[len(hbs)-1].Body, &hb); err != nil {
		t.Fatal(err)
	}
	if hb.DeviceID != mqttDevice || hb.Version == "" || hb.Uplink.Transport != "mqtt" || len(hb.Devices) < 4 {
		t.Fatalf("heartbeat %s", hbs[len(hbs)-1].Body)
	}
}

func tail(s string, n int) string {
	if len(s) > n {
		return s[len(s)-n:]
	}
	return s
}

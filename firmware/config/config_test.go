package config_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kiosk06/kiosk/firmware/config"
)

func TestSimDefault(t *testing.T) {
	c, err := config.SimDefault(config.FakeProfiles())
	if err != nil {
		t.Fatal(err)
	}
	if !c.Sim || c.Device.DataDir != "./var" || c.Store.Path != "var/kiosk.db" {
		t.Fatalf("unexpected sim default: sim=%v data_dir=%q store=%q", c.Sim, c.Device.DataDir, c.Store.Path)
	}
	for role, d := range c.Devices {
		if !d.IsSim() {
			t.Errorf("device %s is not simulated in the sim default", role)
		}
	}
}

func TestDefaultsApplied(t *testing.T) {
	c, err := config.Parse("t.toml", []byte(`
[device]
id = "dev-1"
profile = "transit"
[devices.nfc]
driver = "pn532-uart"
port = "/dev/ttyUSB0"
[devices.printer]
driver = "escpos"
port = "/dev/ttyUSB1"
`), config.RealOptions())
	if err != nil {
		t.Fatal(err)
	}
	if c.Device.Timezone != "Asia/Ho_Chi_Minh" || c.Device.Location().String() != "Asia/Ho_Chi_Minh" {
		t.Errorf("timezone default: %q", c.Device.Timezone)
	}
	if c.Devices["nfc"].Baud != 115200 || c.Devices["printer"].Baud != 19200 || c.Devices["printer"].Width != 576 {
		t.Errorf("driver defaults not applied: %+v %+v", c.Devices["nfc"], c.Devices["printer"])
	}
	if c.Store.Retention.D().Hours() != 168 {
		t.Errorf("retention default %v", c.Store.Retention.D())
	}
}

// errorsOf parses doc and returns its errors, failing if it parsed.
func errorsOf(t *testing.T, doc string) config.Errors {
	t.Helper()
	_, err := config.Parse("bad.toml", []byte(doc), config.RealOptions())
	var es config.Errors
	if !errors.As(err, &es) {
		t.Fatalf("want config.Errors, got %v", err)
	}
	return es
}

func find(es config.Errors, key string) *config.FieldError {
	for i := range es {
		if es[i].Key == key {
			return &es[i]
		}
	}
	return nil
}

func TestStrictErrors(t *testing.T) {
	doc := `[device]
id = "dev-1"
profile = "hopsital"
timezone = "Mars/Olympus"
colour = "blue"

[devices.nfc]
driver = "pn532-uart"
port = "/dev/ttyUSB0"
baud = "fast"
bus = "/dev/i2c-1"

[devices.toaster]
driver = "escpos"

[uplink]
interval = 10

[ui]
orientation = "diagonal"
`
	es := errorsOf(t, doc)
	want := []struct {
		key, problem string
		line         int
		value        string
		expect       string
	}{
		{"device.profile", "invalid value", 3, `"hopsital"`, "one of the profiles this kioskd runs: hospital, kiosk, parking, transit"},
		{"device.timezone", "invalid value", 4, `"Mars/Olympus"`, "IANA"},
		{"device.colour", "unknown key", 5, `"blue"`, "one of"},
		{"devices.nfc.baud", "wrong type", 10, `"fast"`, "baud rate"},
		{"devices.nfc.bus", "unknown key", 11, "", "a key of driver pn532-uart"},
		{"devices.toaster", "unknown key", 13, "", "a device role"},
		{"uplink.interval", "wrong type", 17, "10", "duration"},
		{"ui.orientation", "invalid value", 20, `"diagonal"`, "portrait or landscape"},
	}
	for _, w := range want {
		e := find(es, w.key)
		if e == nil {
			t.Errorf("no error for %s; got:\n%v", w.key, es)
			continue
		}
		if !strings.HasPrefix(e.Problem, w.problem) || e.Line != w.line || e.Value != w.value || !strings.Contains(e.Expected, w.expect) {
			t.Errorf("%s: got %+v, want problem %q line %d value %s expected~%q", w.key, *e, w.problem, w.line, w.value, w.expect)
		}
	}
	// The message a technician sees names file, line, key, value and expectation.
	msg := find(es, "device.colour").Error()
	if !strings.Contains(msg, "bad.toml:5:") || !strings.Contains(msg, "device.colour") || !strings.Contains(msg, "unknown key") {
		t.Errorf("message %q lacks file:line, key or problem", msg)
	}
}

func TestMissingRequired(t *testing.T) {
	es := errorsOf(t, "[log]\nlevel = \"info\"\n[devices.printer]\nport = \"/dev/x\"\n")
	for _, k := range []string{"device.id", "device.profile", "devices.printer.driver"} {
		if e := find(es, k); e == nil || e.Problem != "missing" {
			t.Errorf("want missing %s, got %v", k, es)
		}
	}
}

func TestSyntaxError(t *testing.T) {
	es := errorsOf(t, "[device]\nid = \"x\nprofile = 3\n")
	if len(es) != 1 || es[0].Line != 2 || !strings.Contains(es[0].Problem, "syntax error") {
		t.Fatalf("got %v", es)
	}
}

func TestDriverValues(t *testing.T) {
	es := errorsOf(t, `[device]
id = "dev-1"
profile = "parking"
[devices.printer]
driver = "escpos"
port = "relative/tty"
width = 300
code_page = "cp1258"
[devices.nfc]
driver = "pn532-spi"
bus = "/dev/spidev0.0"
speed_hz = 20000000
[devices.loop]
driver = "gpio-out"
pin = "GPIO4"
[metrics]
listen = "0.0.0.0:9406"
`)
	for _, k := range []string{"devices.printer.port", "devices.printer.width", "devices.printer.code_table", "devices.nfc.speed_hz", "devices.loop.driver", "metrics.listen"} {
		if find(es, k) == nil {
			t.Errorf("no error for %s; got:\n%v", k, es)
		}
	}
}

func TestLoadMissingFile(t *testing.T) {
	if _, err := config.Load(filepath.Join(t.TempDir(), "nope.toml"), config.RealOptions()); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("got %v", err)
	}
}

func FuzzParse(f *testing.F) {
	for _, name := range []string{"examples/hospital.toml", "examples/transit.toml", "examples/parking.toml", "sim.toml"} {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte("a.b.c = {d = [1, {e = 2}]}\n[[x]]\ny=1\n[[x]]\n"))
	f.Fuzz(func(t *testing.T, doc []byte) {
		c, err := config.Parse("fuzz.toml", doc, config.RealOptions())
		if err == nil && c == nil {
			t.Fatal("nil config without error")
		}
	})
}

// TestSealingKeyOutsideDataDir: the sealing key defaults to a directory
// beside the data directory, not inside it, and systemd's credential wins.
func TestSealingKeyOutsideDataDir(t *testing.T) {
	c, err := config.Parse("t.toml", []byte("[device]\nid = \"dev-1\"\nprofile = \"transit\"\ndata_dir = \"/var/lib/kiosk06\"\n"), config.RealOptions())
	if err != nil {
		t.Fatal(err)
	}
	if c.Store.KeyFile != "/var/lib/kiosk06-credentials/seal.key" || c.KeyInDataDir() {
		t.Fatalf("default key_file %q (in data dir: %v)", c.Store.KeyFile, c.KeyInDataDir())
	}
	if p, cred := c.Store.KeyPath("/run/credentials/kioskd.service"); p != "/run/credentials/kioskd.service/seal.key" || !cred {
		t.Fatalf("KeyPath with credentials: %q %v", p, cred)
	}
	if p, cred := c.Store.KeyPath(""); p != c.Store.KeyFile || cred {
		t.Fatalf("KeyPath without credentials: %q %v", p, cred)
	}
	if c.Store.MinFreeMB != 16 {
		t.Fatalf("min_free_mb default %d", c.Store.MinFreeMB)
	}
	for _, tc := range []struct {
		key  string
		want bool
	}{
		{"/var/lib/kiosk06/seal.key", true},
		{"/var/lib/kiosk06/sub/seal.key", true},
		{"/var/lib/kiosk06-credentials/seal.key", false},
		{"/etc/credstore/kiosk06-seal.key", false},
	} {
		c.Store.KeyFile = tc.key
		if got := c.KeyInDataDir(); got != tc.want {
			t.Errorf("KeyInDataDir(%s) = %v", tc.key, got)
		}
	}
	sim, _ := config.SimDefault(config.FakeProfiles())
	if sim.Store.KeyFile != "./var/seal.key" {
		t.Errorf("sim key %q", sim.Store.KeyFile)
	}
	if es := errorsOf(t, "[device]\nid = \"dev-1\"\nprofile = \"transit\"\n[store]\nmin_free_mb = 0\n"); !strings.Contains(es.Error(), "store.min_free_mb") {
		t.Errorf("min_free_mb = 0 accepted: %v", es)
	}
}

// TestMetricsListen: every loopback form the message offers is accepted —
// "[::1]:9406" was refused while the error named it — and nothing else is.
func TestMetricsListen(t *testing.T) {
	for listen, ok := range map[string]bool{
		"127.0.0.1:9406": true, "localhost:9406": true, "[::1]:9406": true, "127.0.0.2:9406": true,
		"0.0.0.0:9406": false, "[::]:9406": false, "192.168.1.5:9406": false, "[::1]": false,
		"127.0.0.1": false, "127.0.0.1:http": false, "127.0.0.1:70000": false, "::1:9406": false,
	} {
		es := errorsOf(t, "[metrics]\nlisten = \""+listen+"\"\n")
		if got := find(es, "metrics.listen") == nil; got != ok {
			t.Errorf("listen %q accepted=%v, want %v (%v)", listen, got, ok, find(es, "metrics.listen"))
		}
	}
}

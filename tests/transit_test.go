package tests

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestTransitProfileEndToEnd runs the bus validator profile in a real kioskd
// process: a CCCD QR scanned on a simulated scanner (pty) becomes an offline
// decision, a durable transit.tap record, and an upload to the collector —
// with no ID number anywhere in what is uploaded.
func TestTransitProfileEndToEnd(t *testing.T) {
	dir := t.TempDir()
	coll, url, sc := backendAndScanner(t, "t0ken")

	cfg := filepath.Join(dir, "transit.toml")
	os.WriteFile(cfg, []byte(`[device]
id = "bus-e2e-1"
profile = "transit"
data_dir = "`+filepath.Join(dir, "var")+`"
[uplink]
base_url = "`+url+`"
token = "t0ken"
interval = "200ms"
[devices.scanner]
driver = "scanner"
port = "`+sc.Path()+`"
suffix = "cr"
[devices.led_green]
driver = "gpio-out"
pin = "sim"
[devices.led_red]
driver = "gpio-out"
pin = "sim"
[transit]
route = "47"
[transit.fares]
"47" = 7000
`), 0o644)

	cmd, lines, stderr := startKioskd(t, dir, nil, "run", "--sim", "--config", cfg)
	waitLine(t, lines, "ready", 20*time.Second, stderr)

	const id = "001099012345"
	if err := sc.Scan(id + "|013456789|Nguyễn Văn An|15031999|Nam|Số 12 Phố Hàng Bạc, Hà Nội|10012024"); err != nil {
		t.Fatal(err)
	}
	rec := waitRecord(t, coll, "bus-e2e-1", "transit.tap", 15*time.Second, stderr)
	var tap map[string]any
	json.Unmarshal(rec.Payload, &tap)
	if tap["verdict"] != "accept" {
		t.Errorf("tap verdict %v, payload %s", tap["verdict"], rec.Payload)
	}
	taps := 0
	for _, r := range coll.Records("bus-e2e-1") {
		if r.Kind == "transit.tap" {
			taps++
		}
	}
	if taps != 1 {
		t.Fatalf("one scan gave %d transit.tap records", taps)
	}
	for _, r := range coll.Records("bus-e2e-1") {
		if strings.Contains(string(r.Payload), id) || strings.Contains(string(r.Payload), "Nguyễn") {
			t.Fatalf("personal data uploaded: %s", r.Payload)
		}
	}
	if strings.Contains(stderr.String(), id) {
		t.Fatal("ID number in kioskd's logs")
	}
	cmd.Process.Signal(os.Interrupt)
	cmd.Wait()
}

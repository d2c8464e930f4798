package tests

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kiosk06/kiosk/drivers/escpos/escpossim"
	"github.com/kiosk06/kiosk/tests/collector"
)

// waitRecord waits until the collector holds a record of kind and returns it.
func waitRecord(t *testing.T, c *collector.Collector, device, kind string, d time.Duration, stderr interface{ String() string }) collector.Record {
	t.Helper()
	for deadline := time.Now().Add(d); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		for _, r := range c.Records(device) {
			if r.Kind == kind {
				return r
			}
		}
	}
	t.Fatalf("no %s record at the collector within %v; stderr:\n%s", kind, d, stderr.String())
	return collector.Record{}
}

// TestParkingProfileEndToEnd runs the parking lane in a real kioskd process:
// a driver's CCCD QR admits the vehicle and prints a ticket on the simulated
// printer; scanning the ticket's QR within the grace period lets it out for
// free; both steps reach the collector, without any ID number.
func TestParkingProfileEndToEnd(t *testing.T) {
	dir := t.TempDir()
	coll, url, sc := backendAndScanner(t, "")
	ctx := context.Background()
	pr, err := escpossim.Start(ctx, &escpossim.Options{Dir: filepath.Join(dir, "pages"), Width: 576})
	if err != nil {
		t.Fatal(err)
	}
	defer pr.Close()

	cfg := filepath.Join(dir, "parking.toml")
	os.WriteFile(cfg, []byte(`[device]
id = "lot-e2e-1"
profile = "parking"
data_dir = "`+filepath.Join(dir, "var")+`"
[uplink]
base_url = "`+url+`"
interval = "200ms"
[devices.scanner]
driver = "scanner"
port = "`+sc.Path()+`"
suffix = "cr"
[devices.printer]
driver = "escpos"
port = "`+pr.Path()+`"
baud = 19200
[devices.barrier]
driver = "gpio-out"
pin = "sim"
[devices.loop]
driver = "gpio-in"
pin = "sim"
[parking]
gate = "A1"
lane = "both"
barrier_timeout = "1s"
`), 0o644)
	cmd, lines, stderr := startKioskd(t, dir, nil, "run", "--sim", "--config", cfg)
	waitLine(t, lines, "ready", 20*time.Second, stderr)

	const id = "079203000111"
	if err := sc.Scan(id + "||Trần Thị Bình|02021988|Nữ|12 Lê Lợi, Huế|05052022"); err != nil {
		t.Fatal(err)
	}
	entry := waitRecord(t, coll, "lot-e2e-1", "parking.entry", 15*time.Second, stderr)
	var e struct{ Ticket, Vehicle string }
	json.Unmarshal(entry.Payload, &e)
	if len(e.Ticket) != 10 || e.Vehicle != "motorbike" {
		t.Fatalf("entry record %s", entry.Payload)
	}
	// The entry record is durable before the ticket prints, so
	// the record can reach the collector while the page is still on the wire.
	for deadline := time.Now().Add(10 * time.Second); len(pr.Pages()) < 1 && time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
	}
	if n := len(pr.Pages()); n != 1 {
		t.Fatalf("printed %d pages, want the entry ticket", n)
	}

	time.Sleep(1500 * time.Millisecond) // the barrier closes (no vehicle crossed the loop)
	if err := sc.Scan(e.Ticket); err != nil {
		t.Fatal(err)
	}
	exit := waitRecord(t, coll, "lot-e2e-1", "parking.exit", 15*time.Second, stderr)
	var x struct {
		Ticket string
		Amount int64
	}
	json.Unmarshal(exit.Payload, &x)
	if x.Ticket != e.Ticket || x.Amount != 0 {
		t.Fatalf("exit within grace: %s", exit.Payload)
	}
	checkUploaded(t, fromCollector(coll.Records("lot-e2e-1")))
	for _, r := range coll.Records("lot-e2e-1") {
		if strings.Contains(string(r.Payload), id) {
			t.Fatalf("ID number uploaded: %s", r.Payload)
		}
	}
	cmd.Process.Signal(os.Interrupt)
	cmd.Wait()
}

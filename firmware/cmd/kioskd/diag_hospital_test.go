package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kiosk06/kiosk/firmware/bhyt/bhytfake"
	"github.com/kiosk06/kiosk/firmware/his/hisfake"
)

func TestDiagHospital(t *testing.T) {
	b := bhytfake.New("kiosk", "s3cret")
	defer b.Close()
	h := hisfake.New("tok")
	defer h.Close()
	dir := t.TempDir()
	pw := filepath.Join(dir, "pw")
	if err := os.WriteFile(pw, []byte("s3cret\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg := filepath.Join(dir, "k.toml")
	// The fakes speak plain http, as on a lab bench.
	doc := "[device]\nid = \"h-01\"\nprofile = \"hospital\"\ndata_dir = \"" + dir + "\"\nallow_insecure_http = true\n" +
		"[bhyt]\nbase_url = \"" + b.URL() + "\"\nusername = \"kiosk\"\npassword_file = \"" + pw + "\"\nstaff_name = \"Trần Thị A\"\nstaff_cccd = \"079190000001\"\n" +
		"[his]\nbase_url = \"" + h.URL() + "\"\ntoken = \"tok\"\n"
	if err := os.WriteFile(cfg, []byte(doc), 0o600); err != nil {
		t.Fatal(err)
	}
	b.SetCode("079090001234", "010")
	code, out, errs := runDiag(t, "diag", "hospital", "bhyt", "--config", cfg, "--id", "079090001234", "--name", "Nguyễn Văn An", "--dob", "17/05/1990")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errs)
	}
	// It says which configuration it acts for: the one `kioskd run` runs
	// (here the base: remote configuration is off).
	if !strings.Contains(errs, "configuration: "+cfg+" (remote configuration is off") {
		t.Fatalf("which configuration: %q", errs)
	}
	var got bhytDiagJSON
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatal(err)
	}
	if got.Code != "010" || got.Class != "invalid" || got.Next != "fee_paying" || strings.Contains(out, "Nguyễn") {
		t.Fatalf("%s", out)
	}
	b.SetOutage(true)
	if code, out, _ = runDiag(t, "diag", "hospital", "bhyt", "--config", cfg, "--id", "079090001234", "--name", "An", "--dob", "17/05/1990"); code != exitFailure || !strings.Contains(out, `"class": "unavailable"`) {
		t.Fatalf("outage: exit %d %s", code, out)
	}
	code, out, errs = runDiag(t, "diag", "hospital", "clinics", "--config", cfg)
	if code != exitOK || !strings.Contains(out, "K01") {
		t.Fatalf("clinics exit %d: %s %s", code, out, errs)
	}
}

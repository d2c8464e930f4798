package main

import (
	"bytes"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kiosk06/kiosk/drivers/emrtd/pa"
	"github.com/kiosk06/kiosk/drivers/emrtd/testpki"
)

func TestDiagTrustList(t *testing.T) {
	p, err := testpki.NewPKI("diag-trust")
	if err != nil {
		t.Fatal(err)
	}
	dir := realTrustDir(t, "de", "at", "my")
	ml, err := p.MasterList()
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, dir, "VN_ML.ml", ml)
	writeFile(t, dir, "broken.ml", ml[:300])
	// The test CSCA with its basicConstraints cA written 01 01 01: BER,
	// not the DER RFC 5280 §4.1 requires — like the Vietnam CSCA in the
	// German and Dutch master lists.
	quirk := bytes.Clone(p.CSCA.DER)
	i := bytes.LastIndex(quirk, []byte{0x30, 0x03, 0x01, 0x01, 0xff})
	if i < 0 {
		i = bytes.LastIndex(quirk, []byte{0x30, 0x06, 0x01, 0x01, 0xff})
	}
	if i < 0 {
		t.Fatal("basicConstraints not found")
	}
	quirk[i+4] = 0x01
	writeFile(t, dir, "quirk.der", quirk)

	code, out, errs := runDiag(t, "diag", "trust", "list", dir, "--at", "2026-11-22")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errs)
	}
	for _, want := range []string{"4 anchors", "VN_ML.ml", "master list", "signer chains to a CSCA in the list",
		"broken.ml", "LEFT OUT", "quirk.der", "not_der", "BOOLEAN TRUE encoded as 01", "DE     1", "VN     1"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}

	code, out, _ = runDiag(t, "diag", "trust", "list", "--json", "--anchors", "--at", "2026-11-22", dir)
	var rep trustListReport
	if err := json.Unmarshal([]byte(out), &rep); err != nil || code != exitOK {
		t.Fatalf("exit %d, %v: %s", code, err, out)
	}
	reasons := map[pa.SkipReason]int{}
	for _, s := range rep.Skipped {
		reasons[s.Reason]++
	}
	if rep.Anchors != 4 || len(rep.Countries) != 4 || len(rep.List) != 4 || reasons[pa.SkipNotDER] != 1 || reasons[pa.SkipMalformed] != 1 {
		t.Fatalf("report %+v", rep)
	}

	if code, _, _ := runDiag(t, "diag", "trust", "list", t.TempDir()); code != exitFailure {
		t.Errorf("empty folder: exit %d, want %d", code, exitFailure)
	}
	if code, _, _ := runDiag(t, "diag", "trust", "list", filepath.Join(dir, "missing")); code != exitFailure {
		t.Errorf("missing folder: exit %d", code)
	}
	if code, _, _ := runDiag(t, "diag", "trust", "list"); code != exitUsage {
		t.Errorf("no folder: exit %d", code)
	}
}

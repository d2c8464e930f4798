package identity_test

import (
	"bytes"
	"context"
	"encoding/asn1"
	"encoding/json"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kiosk06/kiosk/drivers/emrtd/emrtdsim"
	"github.com/kiosk06/kiosk/drivers/emrtd/testpki"
	"github.com/kiosk06/kiosk/firmware/identity"
)

// indefiniteInside re-encodes every constructed element inside EF.SOD's
// definite 77 tag with the indefinite-length form, the shape of the New
// Zealand passport SOD in drivers/emrtd/pa/testdata/real.
func indefiniteInside(t *testing.T, sod []byte) []byte {
	t.Helper()
	var outer asn1.RawValue
	if _, err := asn1.Unmarshal(sod, &outer); err != nil {
		t.Fatal(err)
	}
	inner := indefinite(t, outer.Bytes)
	return append([]byte{0x77, 0x82, byte(len(inner) >> 8), byte(len(inner))}, inner...)
}

func indefinite(t *testing.T, der []byte) []byte {
	var out []byte
	for len(der) > 0 {
		var rv asn1.RawValue
		rest, err := asn1.Unmarshal(der, &rv)
		if err != nil {
			t.Fatal(err)
		}
		if rv.IsCompound && rv.FullBytes[0]&0x1F != 0x1F {
			out = append(out, rv.FullBytes[0], 0x80)
			out = append(out, indefinite(t, rv.Bytes)...)
			out = append(out, 0, 0)
		} else {
			out = append(out, rv.FullBytes...)
		}
		der = rest
	}
	return out
}

// A card whose SOD is BER (not DER as ICAO 9303-10 asks) is genuine, and
// the verdict carries a warning saying so (issue 16 #6).
func TestBERSODIsGenuineWithWarning(t *testing.T) {
	c := card(t, testpki.Genuine)
	c.SOD = indefiniteInside(t, c.SOD)
	c.Files[testpki.FIDSOD] = c.SOD
	var logs bytes.Buffer
	p := identity.NewPipeline(identity.Options{Trust: trust(t, c), Logger: slog.New(slog.NewJSONHandler(&logs, nil))})
	id, err := p.Read(context.Background(), emrtdsim.Card(chip(t, c, nil)), identity.Keys{QR: qrOf(t, c)})
	if err != nil {
		t.Fatal(err)
	}
	if id.Verdict != identity.Genuine || len(id.Warnings) != 1 || !strings.Contains(id.Warnings[0], "indefinite-length") {
		t.Fatalf("verdict %s (%s %s), warnings %q", id.Verdict, id.Reason, id.Detail, id.Warnings)
	}
	if !strings.Contains(logs.String(), "indefinite-length") {
		t.Fatalf("warning not logged:\n%s", logs.String())
	}
}

// LoadTrust logs each skipped anchor with its reason and still loads the
// rest of the folder.
func TestLoadTrustLogsSkips(t *testing.T) {
	c := card(t, testpki.Genuine)
	dir := t.TempDir()
	if err := c.PKI.WriteTrustDir(dir); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "broken.cer"), []byte{0x30, 0x03, 1, 2}, 0o644); err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	ts, err := identity.LoadTrust(dir, slog.New(slog.NewJSONHandler(&logs, nil)))
	if err != nil || ts.Len() != 1 {
		t.Fatalf("LoadTrust: %v, %d anchors", err, ts.Len())
	}
	var skipped, summary bool
	for _, line := range strings.Split(strings.TrimSpace(logs.String()), "\n") {
		var rec map[string]any
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatal(err)
		}
		switch rec["msg"] {
		case "trust anchor skipped":
			skipped = rec["file"] == "broken.cer" && rec["reason"] == "malformed" && rec["level"] == "WARN"
		case "trust anchors loaded":
			summary = rec["anchors"] == float64(1) && rec["skipped"] == float64(1) && rec["countries"] == "VN:1"
		}
	}
	if !skipped || !summary {
		t.Fatalf("logs:\n%s", logs.String())
	}
	if _, err := identity.LoadTrust(filepath.Join(dir, "missing"), nil); err == nil {
		t.Fatal("a missing folder loaded")
	}
}

package main

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kiosk06/kiosk/drivers/emrtd/testpki"
	"github.com/kiosk06/kiosk/firmware/identity"
)

// realData is drivers/emrtd/pa's folder of real documents' SODs and CSCAs.
const realData = "../../../drivers/emrtd/pa/testdata/real"

func realFile(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(realData, name+".hex"))
	if err != nil {
		t.Fatal(err)
	}
	der, err := hex.DecodeString(strings.TrimSpace(string(b)))
	if err != nil {
		t.Fatal(err)
	}
	return der
}

func writeFile(t *testing.T, dir, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// realTrustDir writes the real CSCAs (PEM and DER) into a fresh folder.
func realTrustDir(t *testing.T, countries ...string) string {
	dir := t.TempDir()
	for i, c := range countries {
		der := realFile(t, c+"_csca")
		if i%2 == 0 {
			writeFile(t, dir, c+".pem", pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))
		} else {
			writeFile(t, dir, c+".cer", der)
		}
	}
	return dir
}

func TestDiagPAVerifyRealDocuments(t *testing.T) {
	trust := realTrustDir(t, "my", "nz", "de")
	work := t.TempDir()
	tests := []struct {
		name, sod string
		hexFile   bool
		want      []string
	}{
		{"MY: issuer RDNs in another order", "my", false, []string{"found by its issuer name normalised", "another order", "PASSED"}},
		{"NZ: BER, given as a hex dump", "nz", true, []string{"indefinite-length", "signature  ok", "PASSED"}},
		{"DE: brainpool explicit parameters", "de", false, []string{"chain      ok", "csca-germany", "PASSED"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			data := realFile(t, tc.sod+"_sod")
			if tc.hexFile {
				data = []byte(strings.ToUpper(hex.EncodeToString(data)) + "\n")
			}
			sod := writeFile(t, work, tc.sod+".sod", data)
			code, out, errs := runDiag(t, "diag", "pa", "verify", "--trust", trust, "--sod", sod, "--at", "2026-11-22")
			if code != exitOK {
				t.Fatalf("exit %d: %s%s", code, out, errs)
			}
			for _, w := range tc.want {
				if !strings.Contains(out, w) {
					t.Errorf("output lacks %q:\n%s", w, out)
				}
			}
		})
	}
}

// With a test card's data groups every hash is checked, and a forged DG13
// is named while the other steps still report (issue 16: "every reason").
func TestDiagPAVerifyDataGroups(t *testing.T) {
	p, err := testpki.NewPKI("diag-pa")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	trust := filepath.Join(dir, "trust")
	if err := p.WriteTrustDir(trust); err != nil {
		t.Fatal(err)
	}
	args := func(c *testpki.Card, extra ...string) []string {
		a := []string{"diag", "pa", "verify", "--json", "--trust", trust, "--sod", writeFile(t, dir, c.Variant.String()+".sod", c.SOD)}
		for n, b := range c.DataGroups {
			a = append(a, "--dg", fmt.Sprintf("%d=%s", n, writeFile(t, dir, fmt.Sprintf("%s.dg%d", c.Variant, n), b)))
		}
		return append(a, extra...)
	}
	results := func(out string) (paReport, map[string]string) {
		var rep paReport
		if err := json.Unmarshal([]byte(out), &rep); err != nil {
			t.Fatalf("%v: %s", err, out)
		}
		m := map[string]string{}
		for _, c := range rep.Checks {
			if _, seen := m[c.Step]; !seen || c.Result == "failed" {
				m[c.Step] = c.Result
			}
		}
		return rep, m
	}

	genuine, err := testpki.NewCCCD(&testpki.Options{PKI: p})
	if err != nil {
		t.Fatal(err)
	}
	code, out, errs := runDiag(t, args(genuine, "--at", "2026-11-22")...)
	rep, res := results(out)
	if code != exitOK || rep.Verdict != identity.Genuine {
		t.Fatalf("genuine: exit %d, %+v %s", code, rep, errs)
	}
	for _, step := range []string{"trust", "sod", "signer", "signature", "DG1", "DG2", "DG13", "DG14", "DG15", "chain", "validity"} {
		if res[step] != "ok" {
			t.Errorf("genuine: %s = %q", step, res[step])
		}
	}

	altered, err := testpki.NewCCCD(&testpki.Options{PKI: p, Variant: testpki.DG13Altered})
	if err != nil {
		t.Fatal(err)
	}
	code, out, _ = runDiag(t, args(altered, "--at", "2026-11-22")...)
	rep, res = results(out)
	if code != exitFailure || rep.Verdict != identity.NotGenuine || rep.Reason != identity.ReasonHashMismatch ||
		res["DG13"] != "failed" || res["DG1"] != "ok" || res["signature"] != "ok" || res["chain"] != "ok" {
		t.Fatalf("DG13 altered: exit %d, %+v", code, rep)
	}

	code, out, _ = runDiag(t, args(genuine, "--at", "2050-01-01")...)
	rep, res = results(out)
	if code != exitFailure || rep.Reason != identity.ReasonExpiredSigner || res["validity"] != "failed" || res["signature"] != "ok" {
		t.Fatalf("expired: exit %d, %+v", code, rep)
	}

	// Without a trust folder the chain cannot be checked: unverified.
	code, out, _ = runDiag(t, "diag", "pa", "verify", "--json", "--sod", writeFile(t, dir, "g.sod", genuine.SOD))
	rep, res = results(out)
	if code != exitFailure || rep.Verdict != identity.Unverified || res["chain"] != "failed" {
		t.Fatalf("no trust: exit %d, %+v", code, rep)
	}
}

func TestDiagPAVerifyUsage(t *testing.T) {
	dir := t.TempDir()
	sod := writeFile(t, dir, "x.sod", []byte{0x77, 0x00})
	for _, args := range [][]string{
		{"diag", "pa", "verify"},
		{"diag", "pa", "verify", "--sod", sod, "--dg", "17=x"},
		{"diag", "pa", "verify", "--sod", sod, "--dg", "1"},
		{"diag", "pa", "verify", "--sod", sod, "--at", "tomorrow"},
		{"diag", "pa", "verify", "--sod", filepath.Join(dir, "missing")},
		{"diag", "pa", "nope"},
	} {
		if code, _, _ := runDiag(t, args...); code != exitUsage {
			t.Errorf("%v: exit %d, want %d", args, code, exitUsage)
		}
	}
	// A malformed SOD is a verdict, not a usage error.
	code, out, _ := runDiag(t, "diag", "pa", "verify", "--sod", sod)
	if code != exitFailure || !strings.Contains(out, "sod        failed") || !strings.Contains(out, "(malformed)") {
		t.Fatalf("exit %d:\n%s", code, out)
	}
	if code, out, _ := runDiag(t, "diag", "--help"); code != exitOK || !bytes.Contains([]byte(out), []byte("pa verify")) || !strings.Contains(out, "trust list") {
		t.Fatalf("diag --help: %d %s", code, out)
	}
}

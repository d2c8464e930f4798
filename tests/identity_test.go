package tests

import (
	"context"
	"encoding/json"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kiosk06/kiosk/drivers/emrtd/emrtdsim"
	"github.com/kiosk06/kiosk/drivers/emrtd/testpki"
	"github.com/kiosk06/kiosk/drivers/pcsc/pcsctest"
	"github.com/kiosk06/kiosk/drivers/pcsc/vpcdsim"
	"github.com/kiosk06/kiosk/drivers/pn532/pn532sim"
	"github.com/kiosk06/kiosk/firmware/simrig"
)

// variantWant is the verdict kioskd must print for each virtual card.
var variantWant = []struct {
	v       testpki.Variant
	verdict string
	reason  string
}{
	{testpki.Genuine, "genuine", ""},
	{testpki.DG13Altered, "not_genuine", "hash_mismatch"},
	{testpki.UntrustedSigner, "not_genuine", "untrusted_signer"},
	{testpki.ExpiredSigner, "not_genuine", "expired_signer"},
	{testpki.Clone, "not_genuine", "clone"},
	{testpki.BACOnly, "genuine", ""},
	{testpki.CardAccessTampered, "not_genuine", "card_access_mismatch"},
}

var (
	e2ePKIOnce sync.Once
	e2ePKI     *testpki.PKI
	e2eTrust   string
	e2ePKIErr  error
)

// e2eCard returns a virtual CCCD of variant v and the trust dir of its PKI.
func e2eCard(t *testing.T, v testpki.Variant) (*testpki.Card, string) {
	t.Helper()
	e2ePKIOnce.Do(func() {
		e2ePKI, e2ePKIErr = testpki.NewPKI("e2e-identity")
		if e2ePKIErr == nil {
			// Shared by every test of the run: lives (and is removed) with the built binary.
			e2eTrust = filepath.Join(filepath.Dir(kioskdBin), "trust")
			e2ePKIErr = e2ePKI.WriteTrustDir(e2eTrust)
		}
	})
	if e2ePKIErr != nil {
		t.Fatal(e2ePKIErr)
	}
	c, err := testpki.NewCCCD(testpki.Options{Seed: "e2e-" + v.String(), Variant: v, PKI: e2ePKI})
	if err != nil {
		t.Fatal(err)
	}
	return c, e2eTrust
}

type readCardOut struct {
	Verdict   string            `json:"verdict"`
	Reason    string            `json:"reason"`
	Method    string            `json:"method"`
	ChipAuth  string            `json:"chip_auth"`
	Citizen   map[string]string `json:"citizen"`
	APDUs     int               `json:"apdus"`
	TimingsMS map[string]int64  `json:"timings_ms"`
}

func readCard(t *testing.T, env []string, args ...string) (readCardOut, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, kioskdBin, append([]string{"diag", "read-card"}, args...)...)
	cmd.Env = append(cmd.Environ(), env...)
	out, err := cmd.Output()
	var stderr string
	if ee, ok := err.(*exec.ExitError); ok {
		stderr = string(ee.Stderr)
	}
	if err != nil {
		return readCardOut{}, stderr + err.Error()
	}
	var r readCardOut
	if err := json.Unmarshal(out, &r); err != nil {
		t.Fatalf("bad JSON %q: %v", out, err)
	}
	return r, stderr
}

func checkVerdict(t *testing.T, got readCardOut, stderr string, wantVerdict, wantReason string, c *testpki.Card) {
	t.Helper()
	if got.Verdict != wantVerdict || got.Reason != wantReason {
		t.Fatalf("verdict %s/%s, want %s/%s (stderr: %s)", got.Verdict, got.Reason, wantVerdict, wantReason, stderr)
	}
	// Personal fields are redacted without --show-pii.
	if got.Citizen["id"] != "[redacted]" || strings.Contains(stderr, c.Citizen.ID) {
		t.Fatalf("personal data not redacted: %v", got.Citizen)
	}
}

// TestReadCardOverPN532 reads every virtual card through kioskd, a PN532
// driver and pn532sim on a real pty.
func TestReadCardOverPN532(t *testing.T) {
	sim, err := pn532sim.Start(context.Background(), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer sim.Close()
	for _, tc := range variantWant {
		t.Run(tc.v.String(), func(t *testing.T) {
			c, trust := e2eCard(t, tc.v)
			chip, err := emrtdsim.FromTestPKI(c, emrtdsim.Config{})
			if err != nil {
				t.Fatal(err)
			}
			sim.SetCard(chip)
			got, stderr := readCard(t, nil, "--device", sim.DeviceString(), "--qr", simrig.QRPayload(c), "--trust", trust, "--timeout", "20s")
			checkVerdict(t, got, stderr, tc.verdict, tc.reason, c)
		})
	}
	// Pulled away mid-read: a clear error, exit 1.
	c, trust := e2eCard(t, testpki.Genuine)
	chip, _ := emrtdsim.FromTestPKI(c, emrtdsim.Config{RemoveAfter: 8})
	sim.SetCard(chip)
	_, stderr := readCard(t, nil, "--device", sim.DeviceString(), "--qr", simrig.QRPayload(c), "--trust", trust, "--timeout", "10s")
	if !strings.Contains(stderr, "card removed") {
		t.Fatalf("card removed mid-read: %q", stderr)
	}
}

// TestReadCardOverPCSC reads every virtual card through kioskd, libpcsclite,
// a real pcscd and the vpcd driver, the virtual chip attached by vpcdsim.
func TestReadCardOverPCSC(t *testing.T) {
	d := pcsctest.StartPCSCD(t)
	ctx := context.Background()
	c0, _ := e2eCard(t, testpki.Genuine)
	chip0, _ := emrtdsim.FromTestPKI(c0, emrtdsim.Config{})
	sim, err := vpcdsim.Start(ctx, chip0, d.VPCDAddr)
	if err != nil {
		t.Fatal(err)
	}
	defer sim.Close()
	for _, tc := range variantWant {
		t.Run(tc.v.String(), func(t *testing.T) {
			c, trust := e2eCard(t, tc.v)
			chip, err := emrtdsim.FromTestPKI(c, emrtdsim.Config{})
			if err != nil {
				t.Fatal(err)
			}
			if err := sim.SetCard(ctx, chip); err != nil {
				t.Fatal(err)
			}
			got, stderr := readCard(t, d.Env, "--device", "pcsc:"+d.ReaderName, "--qr", simrig.QRPayload(c), "--trust", trust, "--timeout", "20s")
			checkVerdict(t, got, stderr, tc.verdict, tc.reason, c)
		})
	}
	// Pulled away mid-read.
	c, trust := e2eCard(t, testpki.Genuine)
	chip, _ := emrtdsim.FromTestPKI(c, emrtdsim.Config{RemoveAfter: 8})
	if err := sim.SetCard(ctx, chip); err != nil {
		t.Fatal(err)
	}
	_, stderr := readCard(t, d.Env, "--device", "pcsc:"+d.ReaderName, "--qr", simrig.QRPayload(c), "--trust", trust, "--timeout", "10s")
	if !strings.Contains(stderr, "card removed") {
		t.Fatalf("card removed mid-read: %q", stderr)
	}
}

package tests

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kiosk06/kiosk/drivers/emrtd"
	"github.com/kiosk06/kiosk/drivers/emrtd/emrtdsim"
	"github.com/kiosk06/kiosk/drivers/emrtd/pa"
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
	c, err := testpki.NewCCCD(&testpki.Options{Seed: "e2e-" + v.String(), Variant: v, PKI: e2ePKI})
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

// TestIdentityReadOverPN532 reads every virtual card through kioskd, a PN532
// driver and pn532sim on a real pty.
func TestIdentityReadOverPN532(t *testing.T) {
	sim, err := pn532sim.Start(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer sim.Close()
	for _, tc := range variantWant {
		t.Run(tc.v.String(), func(t *testing.T) {
			c, trust := e2eCard(t, tc.v)
			chip, err := emrtdsim.NewCCCD(c, nil)
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
	chip, _ := emrtdsim.NewCCCD(c, &emrtdsim.Options{RemoveAfter: 8})
	sim.SetCard(chip)
	_, stderr := readCard(t, nil, "--device", sim.DeviceString(), "--qr", simrig.QRPayload(c), "--trust", trust, "--timeout", "10s")
	if !strings.Contains(stderr, "card removed") {
		t.Fatalf("card removed mid-read: %q", stderr)
	}
}

// TestIdentityReadOverPCSC reads every virtual card through kioskd, libpcsclite,
// a real pcscd and the vpcd driver, the virtual chip attached by vpcdsim.
func TestIdentityReadOverPCSC(t *testing.T) {
	d := pcsctest.Start(t, nil)
	ctx := context.Background()
	c0, _ := e2eCard(t, testpki.Genuine)
	chip0, _ := emrtdsim.NewCCCD(c0, nil)
	sim, err := vpcdsim.Start(ctx, &vpcdsim.Options{Addr: d.Addr(), Card: chip0})
	if err != nil {
		t.Fatal(err)
	}
	defer sim.Close()
	for _, tc := range variantWant {
		t.Run(tc.v.String(), func(t *testing.T) {
			c, trust := e2eCard(t, tc.v)
			chip, err := emrtdsim.NewCCCD(c, nil)
			if err != nil {
				t.Fatal(err)
			}
			if err := sim.SetCard(ctx, chip); err != nil {
				t.Fatal(err)
			}
			got, stderr := readCard(t, d.Env(), "--device", "pcsc:"+d.ReaderName(), "--qr", simrig.QRPayload(c), "--trust", trust, "--timeout", "20s")
			checkVerdict(t, got, stderr, tc.verdict, tc.reason, c)
			t.Logf("%s: %s, %d APDUs", tc.v, got.Method, got.APDUs)
		})
	}
	// Pulled away mid-read.
	c, trust := e2eCard(t, testpki.Genuine)
	chip, _ := emrtdsim.NewCCCD(c, &emrtdsim.Options{RemoveAfter: 8})
	if err := sim.SetCard(ctx, chip); err != nil {
		t.Fatal(err)
	}
	_, stderr := readCard(t, d.Env(), "--device", "pcsc:"+d.ReaderName(), "--qr", simrig.QRPayload(c), "--trust", trust, "--timeout", "10s")
	if !strings.Contains(stderr, "card removed") {
		t.Fatalf("card removed mid-read: %q", stderr)
	}
}

// mrtdreaderOut is what Debian's mrtdreader printed: the bytes of each
// file it read.
type mrtdreaderOut struct {
	com, sod, dg1 []byte
}

// parseMrtdreader takes EF.COM and EF.SOD from the "File content: <hex>"
// lines (in that order) and DG1 from the raw bytes printed between
// "Getting EF.DG1... done" and the blank line before its "File size".
func parseMrtdreader(out string) (mrtdreaderOut, error) {
	var r mrtdreaderOut
	var hexes [][]byte
	for _, line := range strings.Split(out, "\n") {
		if h, ok := strings.CutPrefix(line, "File content: "); ok {
			b, err := hex.DecodeString(strings.TrimSpace(h))
			if err != nil {
				return r, err
			}
			hexes = append(hexes, b)
		}
	}
	if len(hexes) < 2 {
		return r, fmt.Errorf("%d hex file dumps, want EF.COM and EF.SOD", len(hexes))
	}
	r.com, r.sod = hexes[0], hexes[1]
	_, after, ok := strings.Cut(out, "Getting EF.DG1... done\n")
	if !ok {
		return r, errors.New("no DG1")
	}
	dg1, _, ok := strings.Cut(after, "\n\nFile size:")
	if !ok {
		return r, errors.New("DG1 not terminated")
	}
	r.dg1 = []byte(dg1)
	return r, nil
}

// TestIdentityIndependentReader reads the virtual CCCD with a reader we
// did not write: Debian's mrtdreader (libmrtd, libgcrypt) through libnfc's
// pn532_uart driver and pn532sim. It runs BAC and 3DES secure messaging
// (it knows neither PACE nor Chip Authentication and has no Passive
// Authentication) and reads EF.COM, EF.SOD, DG1 and DG2; it polls for
// ISO/IEC 14443 Type B only, so the chip presents itself as Type B. The
// bytes it read must be the card's, and pass our Passive Authentication.
// Why not over pcscd+vpcd, and why not a PACE reader: BENCHMARKS.md.
func TestIdentityIndependentReader(t *testing.T) {
	bin, err := exec.LookPath("mrtdreader")
	if err != nil {
		t.Skip("mrtdreader is not installed (apt-get install mrtdreader; .ci/deps installs it)")
	}
	c, _ := e2eCard(t, testpki.Genuine)
	chip, err := emrtdsim.NewCCCD(c, &emrtdsim.Options{TypeB: true})
	if err != nil {
		t.Fatal(err)
	}
	sim, err := pn532sim.Start(context.Background(), &pn532sim.Options{Card: chip})
	if err != nil {
		t.Fatal(err)
	}
	defer sim.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	// mrtdreader polls until a card answers: the context ends it if none does.
	cmd := exec.CommandContext(ctx, bin, "-p", c.DocumentNumber, "-b", c.DateOfBirth, "-e", c.DateOfExpiry)
	cmd.Dir = t.TempDir()
	cmd.Env = append(cmd.Environ(), "LIBNFC_DEFAULT_DEVICE=pn532_uart:"+sim.Path()+":115200", "LIBNFC_LOG_LEVEL=1")
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "Challenge successful") {
		t.Fatalf("mrtdreader: %v\n%s", err, out)
	}
	got, err := parseMrtdreader(string(out))
	if err != nil {
		t.Fatalf("mrtdreader output: %v\n%s", err, out)
	}
	if !bytes.Equal(got.com, c.COM) || !bytes.Equal(got.sod, c.SOD) || !bytes.Equal(got.dg1, c.DataGroups[1]) {
		t.Fatalf("mrtdreader read other bytes: EF.COM %v, EF.SOD %v, DG1 %v",
			bytes.Equal(got.com, c.COM), bytes.Equal(got.sod, c.SOD), bytes.Equal(got.dg1, c.DataGroups[1]))
	}
	trust := pa.NewTrustStore()
	for _, der := range c.TrustAnchors {
		if err := trust.AddDER(der); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := pa.Verify(got.sod, map[int][]byte{1: got.dg1}, trust, time.Now()); err != nil {
		t.Fatalf("Passive Authentication of what mrtdreader read: %v", err)
	}
	// The same files with our reader and the same access (BAC: without
	// EF.CardAccess, so that it does not run PACE), for the APDU
	// comparison in BENCHMARKS.md.
	bacOnly := *c
	bacOnly.CardAccess = nil
	ours, err := emrtdsim.NewCCCD(&bacOnly, &emrtdsim.Options{TypeB: true})
	if err != nil {
		t.Fatal(err)
	}
	s, err := emrtd.Open(ctx, emrtdsim.Card(ours), emrtd.AccessKey{DocumentNumber: c.DocumentNumber,
		DateOfBirth: c.DateOfBirth, DateOfExpiry: c.DateOfExpiry}, emrtd.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if s.Method() != emrtd.MethodBAC {
		t.Fatalf("our reader opened with %s", s.Method())
	}
	for _, fid := range []uint16{emrtd.FileCOM, emrtd.FileSOD, emrtd.DGFile(1), emrtd.DGFile(2)} {
		if b, err := s.ReadFile(ctx, fid, nil); err != nil || !bytes.Equal(b, c.Files[fid]) {
			t.Fatalf("our read of %04X: %v", fid, err)
		}
	}
	t.Logf("EF.COM, EF.SOD, DG1, DG2 after BAC: mrtdreader %d APDUs, emrtd %d APDUs", chip.APDUs(), ours.APDUs())
}

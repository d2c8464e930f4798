package identity_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kiosk06/kiosk/drivers/cccd"
	"github.com/kiosk06/kiosk/drivers/emrtd/emrtdsim"
	"github.com/kiosk06/kiosk/drivers/emrtd/pa"
	"github.com/kiosk06/kiosk/drivers/emrtd/testpki"
	"github.com/kiosk06/kiosk/firmware/identity"
)

var (
	pkiOnce sync.Once
	pki     *testpki.PKI
	pkiErr  error
)

func testPKI(t testing.TB) *testpki.PKI {
	pkiOnce.Do(func() { pki, pkiErr = testpki.NewPKI("identity-test") })
	if pkiErr != nil {
		t.Fatal(pkiErr)
	}
	return pki
}

func card(t testing.TB, v testpki.Variant) *testpki.Card {
	t.Helper()
	c, err := testpki.NewCCCD(&testpki.Options{Seed: "identity-" + v.String(), Variant: v, PKI: testPKI(t)})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func trust(t testing.TB, c *testpki.Card) *pa.TrustStore {
	ts := pa.NewTrustStore()
	for _, der := range c.TrustAnchors {
		if err := ts.AddDER(der); err != nil {
			t.Fatal(err)
		}
	}
	return ts
}

// qrOf is the QR printed on the card, in the 2021–2024 CCCD format.
func qrOf(t testing.TB, c *testpki.Card) *cccd.QRData {
	z := c.Citizen
	payload := fmt.Sprintf("%s|%s|%s|%s|%s|%s|%s", z.ID, z.OldID, z.FullName, z.DateOfBirth.Format("02012006"),
		z.Sex, z.Residence, z.IssueDate.Format("02012006"))
	q, err := cccd.ParseQR(payload)
	if err != nil {
		t.Fatal(err)
	}
	return &q
}

func chip(t testing.TB, c *testpki.Card, cfg *emrtdsim.Options) *emrtdsim.Chip {
	ch, err := emrtdsim.NewCCCD(c, cfg)
	if err != nil {
		t.Fatal(err)
	}
	ch.Reset()
	return ch
}

func TestVerdicts(t *testing.T) {
	cases := []struct {
		variant testpki.Variant
		verdict identity.Verdict
		reason  identity.Reason
		method  string
	}{
		{testpki.Genuine, identity.Genuine, identity.ReasonNone, "PACE-CAN"},
		{testpki.DG13Altered, identity.NotGenuine, identity.ReasonHashMismatch, "PACE-CAN"},
		{testpki.UntrustedSigner, identity.NotGenuine, identity.ReasonUntrustedSigner, "PACE-CAN"},
		{testpki.ExpiredSigner, identity.NotGenuine, identity.ReasonExpiredSigner, "PACE-CAN"},
		{testpki.Clone, identity.NotGenuine, identity.ReasonClone, "PACE-CAN"},
		// A BAC-only chip opens with the MRZ key derived from the QR by the age rules.
		{testpki.BACOnly, identity.Genuine, identity.ReasonNone, "BAC"},
		// EF.CardAccess steered PACE to 3DES; the signed DG14 says AES.
		{testpki.CardAccessTampered, identity.NotGenuine, identity.ReasonCardAccessMismatch, "PACE-CAN"},
	}
	for _, tc := range cases {
		t.Run(tc.variant.String(), func(t *testing.T) {
			c := card(t, tc.variant)
			p := identity.NewPipeline(identity.Options{Trust: trust(t, c)})
			id, err := p.Read(context.Background(), emrtdsim.Card(chip(t, c, nil)), identity.Keys{QR: qrOf(t, c)})
			if err != nil {
				t.Fatal(err)
			}
			if id.Verdict != tc.verdict || id.Reason != tc.reason || string(id.Access) != tc.method {
				t.Fatalf("got %s/%s via %s (%s), want %s/%s via %s", id.Verdict, id.Reason, id.Access, id.Detail, tc.verdict, tc.reason, tc.method)
			}
			if tc.variant == testpki.Genuine {
				if id.ChipAuth != "CA" || id.Citizen.ID != c.Citizen.ID || id.Citizen.Name != c.Citizen.FullName || id.MRZ == "" {
					t.Fatalf("genuine read incomplete: chip auth %q, citizen %v", id.ChipAuth, id.Citizen.Redacted())
				}
				if id.Stats.APDUs == 0 || id.Timings.Total <= 0 {
					t.Fatalf("no stats/timings: %+v %+v", id.Stats, id.Timings)
				}
			}
		})
	}
}

func TestUnverifiedWithoutTrustAnchor(t *testing.T) {
	for _, tc := range []struct {
		v      testpki.Variant
		want   identity.Verdict
		reason identity.Reason
	}{
		{testpki.Genuine, identity.Unverified, identity.ReasonNoTrustAnchor},
		// Proven forgeries stay NotGenuine even with no anchor configured.
		{testpki.DG13Altered, identity.NotGenuine, identity.ReasonHashMismatch},
		{testpki.Clone, identity.NotGenuine, identity.ReasonClone},
	} {
		c := card(t, tc.v)
		p := identity.NewPipeline(identity.Options{})
		id, err := p.Read(context.Background(), emrtdsim.Card(chip(t, c, nil)), identity.Keys{QR: qrOf(t, c)})
		if err != nil {
			t.Fatal(err)
		}
		if id.Verdict != tc.want || id.Reason != tc.reason {
			t.Errorf("%v without anchors: %s/%s, want %s/%s", tc.v, id.Verdict, id.Reason, tc.want, tc.reason)
		}
	}
}

func TestKeys(t *testing.T) {
	c := card(t, testpki.Genuine)
	p := identity.NewPipeline(identity.Options{Trust: trust(t, c)})
	ctx := context.Background()

	if _, err := p.Read(ctx, emrtdsim.Card(chip(t, c, nil)), identity.Keys{}); !errors.Is(err, identity.ErrNoKey) {
		t.Errorf("no keys: %v, want ErrNoKey", err)
	}
	// Typed CAN alone.
	id, err := p.Read(ctx, emrtdsim.Card(chip(t, c, nil)), identity.Keys{CAN: c.CAN})
	if err != nil || id.Verdict != identity.Genuine {
		t.Fatalf("CAN only: %v %v", err, id)
	}
	// Another person's QR: every key fails.
	other := *qrOf(t, c)
	other.ID = "079203000111"
	if _, err := p.Read(ctx, emrtdsim.Card(chip(t, c, nil)), identity.Keys{QR: &other}); !errors.Is(err, identity.ErrWrongKey) {
		t.Errorf("wrong QR: %v, want ErrWrongKey", err)
	}
	// A QR whose last 6 digits open the chip but whose ID is someone else's.
	same6 := *qrOf(t, c)
	same6.ID = "079203" + c.Citizen.ID[6:]
	id, err = p.Read(ctx, emrtdsim.Card(chip(t, c, nil)), identity.Keys{QR: &same6})
	if err != nil {
		t.Fatal(err)
	}
	if id.Verdict != identity.NotGenuine || id.Reason != identity.ReasonDataMismatch {
		t.Fatalf("mismatched QR: %s/%s", id.Verdict, id.Reason)
	}
}

func TestCardRemovedMidRead(t *testing.T) {
	c := card(t, testpki.Genuine)
	p := identity.NewPipeline(identity.Options{Trust: trust(t, c)})
	for _, after := range []int{3, 12, 20} {
		_, err := p.Read(context.Background(), emrtdsim.Card(chip(t, c, &emrtdsim.Options{RemoveAfter: after})), identity.Keys{QR: qrOf(t, c)})
		if !errors.Is(err, identity.ErrCardRemoved) {
			t.Errorf("removed after %d APDUs: %v, want ErrCardRemoved", after, err)
		}
	}
}

func TestProgressAndFace(t *testing.T) {
	c := card(t, testpki.Genuine)
	var steps []identity.Progress
	p := identity.NewPipeline(identity.Options{Trust: trust(t, c), ReadFace: true, Progress: func(pr identity.Progress) { steps = append(steps, pr) }})
	id, err := p.Read(context.Background(), emrtdsim.Card(chip(t, c, nil)), identity.Keys{QR: qrOf(t, c)})
	if err != nil {
		t.Fatal(err)
	}
	if id.Face == nil || len(id.Face.Image) == 0 {
		t.Fatal("DG2 face not extracted")
	}
	last := -1.0
	for _, s := range steps {
		if s.Fraction < last-1e-9 || s.Fraction > 1+1e-9 {
			t.Fatalf("progress not monotonic in [0,1]: %+v", steps)
		}
		last = s.Fraction
	}
	if last < 0.99 {
		t.Fatalf("progress ended at %.2f", last)
	}
}

func TestNoPersonalDataInLogs(t *testing.T) {
	c := card(t, testpki.Genuine)
	var buf bytes.Buffer
	log := slog.New(slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	p := identity.NewPipeline(identity.Options{Trust: trust(t, c), Logger: log, Now: func() time.Time { return time.Now() }})
	if _, err := p.Read(context.Background(), emrtdsim.Card(chip(t, c, nil)), identity.Keys{QR: qrOf(t, c)}); err != nil {
		t.Fatal(err)
	}
	if out := buf.String(); strings.Contains(out, c.Citizen.ID) || strings.Contains(out, c.Citizen.FullName) || strings.Contains(out, c.CAN) {
		t.Fatalf("personal data in logs:\n%s", out)
	}
}

package emrtdsim

//lint:file-ignore SA1019 the test compares brainpool elliptic.Curve values, which crypto/ecdh does not offer.

import (
	"crypto/elliptic"
	"math/rand/v2"
	"testing"

	"github.com/ProtonMail/go-crypto/brainpool"
	"github.com/kiosk06/kiosk/drivers/emrtd/internal/ecc"
	"github.com/kiosk06/kiosk/drivers/emrtd/testpki"
)

// TestChipUsesReferenceCurves pins the split that makes every simulated
// read an interoperability test: the terminal's brainpool curves (ecc,
// pa) are not ProtonMail's, and the chip maps them to ProtonMail's.
func TestChipUsesReferenceCurves(t *testing.T) {
	for id, want := range map[int]elliptic.Curve{13: brainpool.P256r1(), 16: brainpool.P384r1(), 17: brainpool.P512r1()} {
		term, err := ecc.ByParamID(id)
		if err != nil {
			t.Fatal(err)
		}
		if term == want {
			t.Errorf("parameter ID %d: the terminal computes with ProtonMail's curve", id)
		}
		if chipCurve(term) != want {
			t.Errorf("parameter ID %d: the chip does not compute with ProtonMail's curve", id)
		}
	}
	k, err := GenerateECKey(nil, rand.NewChaCha8([32]byte{1}))
	if err != nil {
		t.Fatal(err)
	}
	if k.Curve != brainpool.P256r1() {
		t.Errorf("GenerateECKey curve %T", k.Curve)
	}
	dk, err := testpki.DeriveKey([]byte("seed"), "chip-authentication", "brainpoolP256r1")
	if err != nil {
		t.Fatal(err)
	}
	if dk.Curve != brainpool.P256r1() || FromECDSA(dk).Curve != brainpool.P256r1() {
		t.Errorf("test PKI key curve %T", dk.Curve)
	}
	p256, _ := ecc.ByParamID(12)
	if chipCurve(p256) != elliptic.P256() {
		t.Error("NIST curves must pass through unchanged")
	}
}

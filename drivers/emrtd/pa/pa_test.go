package pa_test

//lint:file-ignore SA1019 brainpool curves exist only as elliptic.Curve with big.Int coordinates; crypto/ecdsa offers no non-deprecated API for non-NIST curves.

import (
	"bytes"
	"crypto/x509/pkix"
	"errors"
	"math/big"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/ProtonMail/go-crypto/brainpool"
	"github.com/kiosk06/kiosk/drivers/emrtd/pa"
	"github.com/kiosk06/kiosk/drivers/emrtd/testpki"
)

var (
	fixtureOnce sync.Once
	fixturePKI  *testpki.PKI
	fixtureCard *testpki.Card
	fixtureErr  error
)

// fixture returns the default test PKI and its genuine card, built once.
func fixture(t testing.TB) (*testpki.PKI, *testpki.Card) {
	t.Helper()
	fixtureOnce.Do(func() {
		if fixturePKI, fixtureErr = testpki.NewPKI(""); fixtureErr == nil {
			fixtureCard, fixtureErr = testpki.NewCCCD(&testpki.Options{PKI: fixturePKI})
		}
	})
	if fixtureErr != nil {
		t.Fatal(fixtureErr)
	}
	return fixturePKI, fixtureCard
}

func trustOf(t testing.TB, ders ...[]byte) *pa.TrustStore {
	t.Helper()
	ts := pa.NewTrustStore()
	for _, d := range ders {
		if err := ts.AddDER(d); err != nil {
			t.Fatal(err)
		}
	}
	return ts
}

var now = time.Date(2026, 11, 22, 8, 0, 0, 0, time.UTC)

func TestCurves(t *testing.T) {
	bp := map[string]*big.Int{
		"brainpoolP256r1": brainpool.P256r1().Params().P,
		"brainpoolP384r1": brainpool.P384r1().Params().P,
		"brainpoolP512r1": brainpool.P512r1().Params().P,
	}
	for _, c := range pa.Curves() {
		// G must lie on y² = x³ + ax + b with the table's a and b, which
		// checks the RFC 5639 constants typed into curves.go.
		g := c.EncodePoint(c.Gx, c.Gy)
		if _, _, ok := c.DecodePoint(g); !ok {
			t.Errorf("%s: G is not on the curve (a or b wrong)", c.Name)
		}
		if !c.Curve.IsOnCurve(c.Gx, c.Gy) {
			t.Errorf("%s: G rejected by the elliptic.Curve implementation", c.Name)
		}
		if p, ok := bp[c.Name]; ok && p.Cmp(c.P) != 0 {
			t.Errorf("%s: p differs from the brainpool package", c.Name)
		}
		if cp := c.Curve.Params(); cp.Name != c.Name || cp.P.Cmp(c.P) != 0 || cp.N.Cmp(c.N) != 0 || (cp.B != nil && cp.B.Cmp(c.B) != 0) {
			t.Errorf("%s: the elliptic.Curve's parameters differ from the table", c.Name)
		}
		// Compressed encoding round trip.
		comp := append([]byte{2 + byte(c.Gy.Bit(0))}, c.Gx.FillBytes(make([]byte, c.ByteLen()))...)
		if x, y, ok := c.DecodePoint(comp); !ok || x.Cmp(c.Gx) != 0 || y.Cmp(c.Gy) != 0 {
			t.Errorf("%s: compressed G does not decode", c.Name)
		}
	}
}

func TestCSCAExplicitBrainpoolP512r1(t *testing.T) {
	p, _ := fixture(t)
	c, err := pa.ParseCertificate(p.CSCA.DER)
	if err != nil {
		t.Fatal(err)
	}
	if !c.ExplicitParams || c.Curve == nil || c.Curve.Name != "brainpoolP512r1" {
		t.Fatalf("CSCA key: explicit=%v curve=%v, want explicit brainpoolP512r1", c.ExplicitParams, c.Curve)
	}
	if got := pa.SignatureAlgorithmName(c.SignatureAlgorithm); got != "ecdsa-with-SHA512" {
		t.Errorf("signature algorithm %s", got)
	}
	if !c.IsCA || c.KeyUsage&pa.KeyUsageCertSign == 0 || len(c.SubjectKeyID) != 20 {
		t.Errorf("CA extensions: IsCA=%v KeyUsage=%b SKI=%x", c.IsCA, c.KeyUsage, c.SubjectKeyID)
	}
	if err := c.CheckSignatureFrom(c); err != nil {
		t.Fatalf("self-signature: %v", err)
	}
	ds, err := pa.ParseCertificate(p.DS.DER)
	if err != nil {
		t.Fatal(err)
	}
	if err := ds.CheckSignatureFrom(c); err != nil {
		t.Fatalf("DS under CSCA: %v", err)
	}
	if err := ds.CheckSignatureFrom(p.RogueCSCA.Cert); err == nil {
		t.Fatal("DS verified under the rogue CSCA")
	}
}

// flip returns a copy of b with the byte at i inverted.
func flip(b []byte, i int) []byte {
	c := bytes.Clone(b)
	c[i] ^= 0xFF
	return c
}

func TestVerifyErrors(t *testing.T) {
	p, card := fixture(t)
	trust := trustOf(t, p.CSCA.DER)
	sod := card.SOD
	s, err := pa.ParseSOD(sod)
	if err != nil {
		t.Fatal(err)
	}
	sigAt := bytes.LastIndex(sod, s.Signer.Signature)
	dsSigAt := bytes.Index(sod, s.DS.Signature)
	dg1HashAt := bytes.Index(sod, s.DataGroupHashes[1])
	withDG := func(n int, b []byte) map[int][]byte {
		m := map[int][]byte{}
		for k, v := range card.DataGroups {
			m[k] = v
		}
		m[n] = b
		return m
	}
	expiringCSCA, err := testpki.NewCSCA([]byte("x"), "short-csca", pkix.Name{CommonName: "Short CSCA"},
		time.Date(2015, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	shortDS, err := expiringCSCA.NewSigner([]byte("x"), "short-ds", "P-256", 7, pkix.Name{CommonName: "DS"},
		time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2035, 1, 1, 0, 0, 0, 0, time.UTC), p.DS.Hash)
	if err != nil {
		t.Fatal(err)
	}
	shortSOD, err := testpki.SignSOD(card.DataGroups, shortDS)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		sod   []byte
		dgs   map[int][]byte
		trust *pa.TrustStore
		now   time.Time
		want  error
	}{
		{"genuine", sod, card.DataGroups, trust, now, nil},
		{"genuine, no DGs", sod, nil, trust, now, nil},
		{"SOD signature byte flipped", flip(sod, sigAt+10), card.DataGroups, trust, now, pa.ErrBadSignature},
		{"LDS hash value altered (messageDigest)", flip(sod, dg1HashAt+3), card.DataGroups, trust, now, pa.ErrBadSignature},
		{"DS certificate signature flipped", flip(sod, dsSigAt+12), card.DataGroups, trust, now, pa.ErrUntrustedSigner},
		{"DG1 altered", sod, withDG(1, flip(card.DataGroups[1], 20)), trust, now, pa.ErrHashMismatch},
		{"DG3 not in SOD", sod, withDG(3, []byte{0x63, 0}), trust, now, pa.ErrHashMismatch},
		{"empty trust store", sod, card.DataGroups, pa.NewTrustStore(), now, pa.ErrNoTrustAnchor},
		{"nil trust store", sod, card.DataGroups, nil, now, pa.ErrNoTrustAnchor},
		{"only the rogue CSCA trusted", sod, card.DataGroups, trustOf(t, p.RogueCSCA.DER), now, pa.ErrUntrustedSigner},
		{"DS not yet valid", sod, card.DataGroups, trust, time.Date(2020, 6, 1, 0, 0, 0, 0, time.UTC), pa.ErrExpiredSigner},
		{"CSCA expired, DS valid", shortSOD, card.DataGroups, trustOf(t, expiringCSCA.DER), now, pa.ErrExpiredSigner},
		{"hash mismatch beats missing trust", sod, withDG(13, []byte{0x6D, 0}), nil, now, pa.ErrHashMismatch},
		{"empty SOD", nil, nil, trust, now, pa.ErrMalformed},
		{"truncated SOD", sod[:len(sod)/2], nil, trust, now, pa.ErrMalformed},
		{"not a SOD", []byte("hello"), nil, trust, now, pa.ErrMalformed},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := pa.Verify(tc.sod, tc.dgs, tc.trust, tc.now)
			if (tc.want == nil) != (err == nil) || !errors.Is(err, tc.want) {
				t.Fatalf("Verify = %v, want %v", err, tc.want)
			}
		})
	}
}

func TestHashMismatchNamesDG(t *testing.T) {
	p, card := fixture(t)
	dgs := map[int][]byte{1: card.DataGroups[1], 13: append(bytes.Clone(card.DataGroups[13]), 0)}
	_, err := pa.Verify(card.SOD, dgs, trustOf(t, p.CSCA.DER), now)
	var hm *pa.HashMismatchError
	if !errors.As(err, &hm) || hm.DG != 13 || hm.Unlisted {
		t.Fatalf("err = %v, want HashMismatchError for DG13", err)
	}
}

func TestVerifyResult(t *testing.T) {
	p, card := fixture(t)
	res, err := pa.Verify(card.SOD, card.DataGroups, trustOf(t, p.CSCA.DER), now)
	if err != nil {
		t.Fatal(err)
	}
	var checked []int
	for _, c := range res.Checked {
		checked = append(checked, c.DG)
	}
	want := []int{1, 2, 13, 14, 15}
	if !equalInts(checked, want) || !equalInts(res.SODDataGroups, want) {
		t.Errorf("checked %v, SOD lists %v, want %v", checked, res.SODDataGroups, want)
	}
	if res.HashAlgorithm != "SHA-256" || res.SignatureAlgorithm != "ecdsa-with-SHA256" || res.DSAlgorithm != "ecdsa-with-SHA512" {
		t.Errorf("algorithms %q %q %q", res.HashAlgorithm, res.SignatureAlgorithm, res.DSAlgorithm)
	}
	if res.CSCASubject != p.CSCA.Cert.Subject || res.SignerSubject != p.DS.Cert.Subject || res.LDSVersion != "0108" {
		t.Errorf("subjects %q / %q, LDS %q", res.SignerSubject, res.CSCASubject, res.LDSVersion)
	}
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestTrustDirRoundTrip(t *testing.T) {
	p, card := fixture(t)
	dir := t.TempDir()
	if err := p.WriteTrustDir(dir); err != nil {
		t.Fatal(err)
	}
	ts, err := pa.LoadTrustStore(dir)
	if err != nil {
		t.Fatal(err)
	}
	if ts.Len() != 1 { // csca.pem and csca.ml carry the same certificate
		t.Fatalf("trust store has %d anchors, want 1", ts.Len())
	}
	if _, err := pa.Verify(card.SOD, card.DataGroups, ts, now); err != nil {
		t.Fatal(err)
	}
	// The master list alone anchors too.
	if err := os.Remove(filepath.Join(dir, "csca.pem")); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "README.txt"), []byte("ignored"), 0o644); err != nil {
		t.Fatal(err)
	}
	ts, err = pa.LoadTrustStore(dir)
	if err != nil || ts.Len() != 1 {
		t.Fatalf("master-list-only store: %v, %d anchors", err, ts.Len())
	}
	if _, err := pa.Verify(card.SOD, card.DataGroups, ts, now); err != nil {
		t.Fatal(err)
	}
	// A corrupt certificate file is left out, named with its reason; the
	// other files still anchor (issue 16: one bad file never disables
	// the others).
	if err := os.WriteFile(filepath.Join(dir, "bad.der"), []byte{0x30, 0x03, 1, 2, 3}, 0o644); err != nil {
		t.Fatal(err)
	}
	ts, err = pa.LoadTrustStore(dir)
	if err != nil || ts.Len() != 1 {
		t.Fatalf("with a corrupt file: %v, %d anchors", err, ts.Len())
	}
	if sk := ts.Skipped(); len(sk) != 1 || sk[0].File != "bad.der" || sk[0].Reason != pa.SkipMalformed {
		t.Fatalf("skipped = %v, want bad.der malformed", sk)
	}
	if _, err := pa.Verify(card.SOD, card.DataGroups, ts, now); err != nil {
		t.Fatal(err)
	}
	if _, err := pa.LoadTrustStore(filepath.Join(dir, "missing")); err == nil {
		t.Fatal("missing dir loaded")
	}
	empty, err := pa.LoadTrustStore(t.TempDir())
	if err != nil || empty.Len() != 0 {
		t.Fatalf("empty dir: %v %d", err, empty.Len())
	}
}

func TestMasterList(t *testing.T) {
	p, _ := fixture(t)
	ml, err := p.MasterList()
	if err != nil {
		t.Fatal(err)
	}
	m, err := pa.ParseMasterList(ml)
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Certificates) != 1 || !bytes.Equal(m.Certificates[0].Raw, p.CSCA.DER) || !m.SignerChained || len(m.Skipped) != 0 {
		t.Fatalf("master list: %d certs, chained=%v, skipped=%v", len(m.Certificates), m.SignerChained, m.Skipped)
	}
	sd, err := pa.ParseSignedData(ml)
	if err != nil {
		t.Fatal(err)
	}
	at := bytes.Index(ml, sd.Content)
	if _, err := pa.ParseMasterList(flip(ml, at+len(sd.Content)-5)); !errors.Is(err, pa.ErrBadSignature) {
		t.Fatalf("tampered master list: err = %v, want ErrBadSignature", err)
	}
	if _, err := pa.NewTrustStore().AddMasterList(ml[:100]); !errors.Is(err, pa.ErrMalformed) {
		t.Fatalf("truncated master list: err = %v", err)
	}
}

func TestAddPEM(t *testing.T) {
	p, _ := fixture(t)
	dir := t.TempDir()
	if err := p.WriteTrustDir(dir); err != nil {
		t.Fatal(err)
	}
	pemBytes, err := os.ReadFile(filepath.Join(dir, "csca.pem"))
	if err != nil {
		t.Fatal(err)
	}
	ts := pa.NewTrustStore()
	if n, err := ts.AddPEM(append(pemBytes, pemBytes...)); err != nil || n != 2 || ts.Len() != 1 {
		t.Fatalf("AddPEM = %d, %v; Len %d", n, err, ts.Len())
	}
	if _, err := ts.AddPEM([]byte("no pem here")); !errors.Is(err, pa.ErrMalformed) {
		t.Fatalf("AddPEM(garbage) = %v", err)
	}
}

// BenchmarkVerifyGenuineCold measures a first read: a fresh trust store, so
// the CSCA signature on the DS certificate (brainpoolP512r1) is verified.
func BenchmarkVerifyGenuineCold(b *testing.B) {
	p, card := fixture(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := pa.Verify(card.SOD, card.DataGroups, trustOf(b, p.CSCA.DER), now); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkVerifyGenuine measures a read whose DS certificate the store has
// already chained (the common case on a kiosk).
func BenchmarkVerifyGenuine(b *testing.B) {
	p, card := fixture(b)
	trust := trustOf(b, p.CSCA.DER)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := pa.Verify(card.SOD, card.DataGroups, trust, now); err != nil {
			b.Fatal(err)
		}
	}
}

func TestSignerIdentifiedBySKI(t *testing.T) {
	p, card := fixture(t)
	ds := *p.DS
	ds.SIDKeyID = true
	sod, err := testpki.SignSOD(card.DataGroups, &ds)
	if err != nil {
		t.Fatal(err)
	}
	s, err := pa.ParseSOD(sod)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(s.Signer.SubjectKeyID, p.DS.Cert.SubjectKeyID) || s.Signer.RawSerial != nil {
		t.Fatalf("sid: SKI %x serial %x", s.Signer.SubjectKeyID, s.Signer.RawSerial)
	}
	if _, err := pa.Verify(sod, card.DataGroups, trustOf(t, p.CSCA.DER), now); err != nil {
		t.Fatal(err)
	}
}

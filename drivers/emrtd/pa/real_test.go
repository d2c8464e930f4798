package pa_test

import (
	"bytes"
	"crypto"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kiosk06/kiosk/drivers/emrtd/pa"
	"github.com/kiosk06/kiosk/drivers/emrtd/testpki"
)

// realHex reads testdata/real/NAME.hex: EF.SOD files of real passports and
// the real CSCA certificates they chain to (see testdata/real/README.md).
func realHex(t testing.TB, name string) []byte {
	t.Helper()
	s, err := os.ReadFile(filepath.Join("testdata", "real", name+".hex"))
	if err != nil {
		t.Fatal(err)
	}
	b, err := hex.DecodeString(strings.TrimSpace(string(s)))
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return b
}

// TestRealSODs verifies real documents' SODs against their real CSCAs:
// signature, chain and validity (the data groups themselves were not
// published, so no hash is compared here).
func TestRealSODs(t *testing.T) {
	tests := []struct {
		country string
		match   pa.SignerMatch
		warn    string // substring of the one expected warning, "" for none
	}{
		// brainpoolP384r1 DS under a brainpoolP512r1 CSCA, both with
		// explicit parameters and ECDSA-SHA512 — the Vietnam CSCA's shape.
		{"de", pa.MatchExact, ""},
		// brainpoolP256r1 DS, brainpoolP384r1 CSCA whose signature
		// algorithm carries NULL parameters.
		{"at", pa.MatchExact, ""},
		// RSASSA-PSS; the SignerInfo lists the issuer's RDNs as C, O, ST,
		// L, OU, CN, the certificate as C, ST, L, O, OU, CN (issue 16 #5).
		{"my", pa.MatchNormalizedIssuer, "another order"},
		// SignedData in indefinite-length BER inside a definite 77 (issue 16 #6).
		{"nz", pa.MatchExact, "indefinite-length"},
	}
	for _, tc := range tests {
		t.Run(tc.country, func(t *testing.T) {
			sod := realHex(t, tc.country+"_sod")
			trust := trustOf(t, realHex(t, tc.country+"_csca"))
			res, err := pa.Verify(sod, nil, trust, now)
			if err != nil {
				t.Fatalf("Verify: %v", err)
			}
			if !strings.Contains(res.CSCASubject, "C="+strings.ToUpper(tc.country)) {
				t.Errorf("chained to %q", res.CSCASubject)
			}
			s, err := pa.ParseSOD(sod)
			if err != nil {
				t.Fatal(err)
			}
			if s.SignerMatch != tc.match {
				t.Errorf("signer match %d, want %d", s.SignerMatch, tc.match)
			}
			switch {
			case tc.warn == "" && len(res.Warnings) != 0:
				t.Errorf("unexpected warnings %q", res.Warnings)
			case tc.warn != "" && (len(res.Warnings) != 1 || !strings.Contains(res.Warnings[0], tc.warn)):
				t.Errorf("warnings %q, want one containing %q", res.Warnings, tc.warn)
			}
		})
	}
}

// The loose matching and BER tolerance must not weaken any check: a changed
// byte in what was signed still fails, and a foreign CSCA still does not
// anchor.
func TestRealSODsStillChecked(t *testing.T) {
	my, nz := realHex(t, "my_sod"), realHex(t, "nz_sod")
	myTrust, nzTrust := trustOf(t, realHex(t, "my_csca")), trustOf(t, realHex(t, "nz_csca"))
	flipAt := func(b []byte, needle []byte) []byte {
		i := bytes.Index(b, needle)
		if i < 0 {
			t.Fatalf("needle %X not found", needle)
		}
		out := bytes.Clone(b)
		out[i+len(needle)-1] ^= 1
		return out
	}
	// The DG1 hash inside the signed LDSSecurityObject.
	myDG1 := []byte{0x02, 0x01, 0x01, 0x04, 0x20, 0x70, 0xd0}
	nzDG1 := []byte{0x02, 0x01, 0x01, 0x04, 0x20, 0xc3, 0x4b}
	tests := []struct {
		name  string
		sod   []byte
		trust *pa.TrustStore
		want  error
	}{
		{"MY content altered", flipAt(my, myDG1), myTrust, pa.ErrBadSignature},
		{"NZ content altered", flipAt(nz, nzDG1), nzTrust, pa.ErrBadSignature},
		{"MY signature altered", flipAt(my, []byte{0x04, 0x82, 0x01, 0x00, 0x96, 0xe3}), myTrust, pa.ErrBadSignature},
		{"MY under the NZ CSCA", my, nzTrust, pa.ErrUntrustedSigner},
		{"NZ under the MY CSCA", nz, myTrust, pa.ErrUntrustedSigner},
		{"NZ end-of-contents missing", nz[:len(nz)-2], nzTrust, pa.ErrMalformed},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := pa.Verify(tc.sod, nil, tc.trust, now); !errors.Is(err, tc.want) {
				t.Fatalf("Verify = %v, want %v", err, tc.want)
			}
		})
	}
}

// A sid that names no embedded certificate falls back to the only one
// (RFC 5652 §5.3 leaves the choice to the verifier); its signature decides.
func TestSignerOnlyCertificate(t *testing.T) {
	my := realHex(t, "my_sod")
	// Change the sid's serial number 69ee7da36620dfab to …dfac: the
	// SignerInfo is not covered by the signature.
	sid := []byte{0x02, 0x08, 0x69, 0xee, 0x7d, 0xa3, 0x66, 0x20, 0xdf, 0xab, 0x30, 0x0d}
	i := bytes.Index(my, sid)
	if i < 0 {
		t.Fatal("sid serial not found")
	}
	mod := bytes.Clone(my)
	mod[i+9] = 0xac
	s, err := pa.ParseSOD(mod)
	if err != nil {
		t.Fatal(err)
	}
	if s.SignerMatch != pa.MatchOnlyCertificate || len(s.Warnings) != 1 || !strings.Contains(s.Warnings[0], "used that certificate") {
		t.Fatalf("match %d, warnings %q", s.SignerMatch, s.Warnings)
	}
	if _, err := pa.Verify(mod, nil, trustOf(t, realHex(t, "my_csca")), now); err != nil {
		t.Fatal(err)
	}
}

// toIndefinite re-encodes every constructed element of a DER encoding with
// the indefinite-length form, as streaming CMS encoders do (and as US
// passports' 77 80 … 00 00 EF.SOD does at the outermost level).
func toIndefinite(t testing.TB, der []byte) []byte {
	t.Helper()
	var out []byte
	for len(der) > 0 {
		var rv asn1.RawValue
		rest, err := asn1.Unmarshal(der, &rv)
		if err != nil {
			t.Fatal(err)
		}
		hdr := rv.FullBytes[:len(rv.FullBytes)-len(rv.Bytes)]
		if rv.IsCompound {
			tagLen := 1
			if hdr[0]&0x1F == 0x1F {
				for tagLen = 1; hdr[tagLen]&0x80 != 0; tagLen++ {
				}
				tagLen++
			}
			out = append(out, hdr[:tagLen]...)
			out = append(out, 0x80)
			out = append(out, toIndefinite(t, rv.Bytes)...)
			out = append(out, 0, 0)
		} else {
			out = append(out, rv.FullBytes...)
		}
		der = rest
	}
	return out
}

// A real DER SOD re-encoded in BER throughout — every SEQUENCE, SET and
// tag indefinite, the certificate and signed attributes included — still
// verifies, because what was signed is the DER form the re-encoding
// restores (RFC 5652 §5.4).
func TestBERSODRoundTrip(t *testing.T) {
	for _, c := range []string{"de", "at", "my"} {
		ber := toIndefinite(t, realHex(t, c+"_sod"))
		res, err := pa.Verify(ber, nil, trustOf(t, realHex(t, c+"_csca")), now)
		if err != nil {
			t.Fatalf("%s: %v", c, err)
		}
		if len(res.Warnings) == 0 || !strings.Contains(res.Warnings[0], "indefinite-length") {
			t.Fatalf("%s: warnings %q", c, res.Warnings)
		}
	}
}

// vietnamQuirkCSCA returns a CSCA like the "CSCA ePassport Vietnam" found in
// the German and Dutch master lists: brainpoolP512r1 with explicit
// parameters, ECDSA-SHA512, validly self-signed over a tbsCertificate whose
// basicConstraints encodes cA TRUE as 01 (BER), not FF (DER).
func vietnamQuirkCSCA(t testing.TB) []byte {
	t.Helper()
	name := pkix.Name{Country: []string{"VN"}, Organization: []string{"kiosk06 TEST - Ministry of Public Security"}, CommonName: "CSCA ePassport Vietnam"}
	a, err := testpki.NewCSCA([]byte("issue 16"), "vn-quirk", name, time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2040, 1, 1, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	var cert struct {
		TBS    asn1.RawValue
		SigAlg asn1.RawValue
		Sig    asn1.BitString
	}
	if _, err := asn1.Unmarshal(a.DER, &cert); err != nil {
		t.Fatal(err)
	}
	tbs := bytes.Clone(cert.TBS.FullBytes)
	bc := []byte{0x06, 0x03, 0x55, 0x1d, 0x13} // basicConstraints OID
	i := bytes.Index(tbs, bc)
	j := bytes.Index(tbs[i:], []byte{0x01, 0x01, 0xff})
	j = i + j + bytes.Index(tbs[i+j+3:], []byte{0x01, 0x01, 0xff}) + 3 // skip "critical", take cA
	if i < 0 || tbs[j] != 0x01 || tbs[j+2] != 0xff {
		t.Fatal("basicConstraints cA not found")
	}
	tbs[j+2] = 0x01
	sig, err := testpki.SignECDSA(a.Key, crypto.SHA512, tbs)
	if err != nil {
		t.Fatal(err)
	}
	der, err := asn1.Marshal(struct {
		TBS    asn1.RawValue
		SigAlg asn1.RawValue
		Sig    asn1.BitString
	}{asn1.RawValue{FullBytes: tbs}, cert.SigAlg, asn1.BitString{Bytes: sig, BitLength: 8 * len(sig)}})
	if err != nil {
		t.Fatal(err)
	}
	return der
}

// realMasterList builds a CSCA master list with the structure of the German
// and Dutch ones (CMS SignedData, eContentType id-icao-cscaMasterList,
// CscaMasterList { version 0, certList SET OF Certificate }, signer
// certificate embedded and issued by a CSCA in the list) that lists real
// CSCAs (DE, AT, MY, NZ), the test CSCA, the Vietnam-like certificate with
// BOOLEAN 01 and, wrongly, a document signer certificate.
func realMasterList(t testing.TB, extra ...[]byte) []byte {
	t.Helper()
	p, _ := fixture(t)
	certs := [][]byte{realHex(t, "de_csca"), realHex(t, "at_csca"), vietnamQuirkCSCA(t),
		realHex(t, "my_csca"), realHex(t, "nz_csca"), p.CSCA.DER, p.DS.DER}
	ml, err := testpki.MasterList(append(certs, extra...), p.MLSigner)
	if err != nil {
		t.Fatal(err)
	}
	return ml
}

// TestMasterListSkipsOneBadCertificate reproduces issue 16 #1: one
// certificate that breaks DER used to throw away the whole list.
func TestMasterListSkipsOneBadCertificate(t *testing.T) {
	m, err := pa.ParseMasterList(realMasterList(t))
	if err != nil {
		t.Fatalf("ParseMasterList: %v", err)
	}
	if len(m.Certificates) != 5 || !m.SignerChained {
		t.Fatalf("%d certificates kept, chained %v", len(m.Certificates), m.SignerChained)
	}
	if len(m.Skipped) != 2 {
		t.Fatalf("skipped %v", m.Skipped)
	}
	// certList is a SET OF, so DER sorts it: find the skips by subject.
	vn, ds := m.Skipped[0], m.Skipped[1]
	if strings.Contains(ds.Subject, "Vietnam") {
		vn, ds = ds, vn
	}
	if vn.Index == 0 || vn.Reason != pa.SkipNotDER || !strings.Contains(vn.Subject, "CSCA ePassport Vietnam") ||
		!strings.Contains(vn.Detail, "BOOLEAN TRUE encoded as 01") {
		t.Errorf("Vietnam certificate skip = %+v", vn)
	}
	if ds.Index == 0 || ds.Index == vn.Index || ds.Reason != pa.SkipNotCA || !strings.Contains(ds.Subject, "Document Signer") {
		t.Errorf("DS certificate skip = %+v", ds)
	}
}

// TestTrustDirWithRealMasterLists loads a trust folder the way a field
// engineer fills it — overlapping master lists, a corrupt file, a list
// whose signature fails — and then verifies real documents with it.
func TestTrustDirWithRealMasterLists(t *testing.T) {
	p, card := fixture(t)
	dir := t.TempDir()
	good := realMasterList(t)
	second := realMasterList(t, realHex(t, "de_csca")) // a later list: same CSCAs, one listed twice
	bad := bytes.Clone(good)
	bad[len(bad)/3] ^= 0x40 // inside the signed content
	files := map[string][]byte{
		"DE_ML_2026-08-19.ml": good, "NL_ML_2026-07-22.ml": second, "tampered.ml": bad,
		"truncated.ml": good[:500], "notes.txt": []byte("ignored"), "csca-vn.der": p.CSCA.DER,
	}
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	ts, err := pa.LoadTrustStore(dir)
	if err != nil {
		t.Fatal(err)
	}
	if ts.Len() != 5 {
		t.Fatalf("%d anchors, want 5", ts.Len())
	}
	for _, c := range []string{"de", "at", "my", "nz"} {
		if _, err := pa.Verify(realHex(t, c+"_sod"), nil, ts, now); err != nil {
			t.Errorf("%s: %v", c, err)
		}
	}
	if _, err := pa.Verify(card.SOD, card.DataGroups, ts, now); err != nil {
		t.Errorf("test card: %v", err)
	}
	counts := ts.SkipCounts()
	want := map[pa.SkipReason]int{pa.SkipNotDER: 2, pa.SkipNotCA: 2, pa.SkipBadSignature: 1, pa.SkipMalformed: 1}
	for r, n := range want {
		if counts[r] != n {
			t.Errorf("%s skips = %d, want %d (all: %v)", r, counts[r], n, ts.Skipped())
		}
	}
	if got := ts.ByCountry(); got["DE"] != 1 || got["VN"] != 1 || got["NZ"] != 1 {
		t.Errorf("by country %v", got)
	}
	byName := map[string]pa.FileReport{}
	for _, f := range ts.Files() {
		byName[f.Name] = f
	}
	if f := byName["DE_ML_2026-08-19.ml"]; f.Added != 5 || f.Skipped != 2 || !f.SignerChained {
		t.Errorf("DE list report %+v", f)
	}
	// Its certificates were already held and not parsed again; its signer
	// still chains, to the CSCA the first list brought.
	if f := byName["NL_ML_2026-07-22.ml"]; f.Added != 0 || f.Duplicates != 6 || !f.SignerChained {
		t.Errorf("NL list report %+v", f)
	}
	if f := byName["tampered.ml"]; f.Error == "" || f.Added != 0 {
		t.Errorf("tampered list report %+v", f)
	}
	if _, ok := byName["notes.txt"]; ok {
		t.Error("notes.txt read")
	}
}

// masterList500 is a master list of 500 certificates, about the size of
// the German one.
func masterList500(b *testing.B) []byte {
	p, _ := fixture(b)
	real := [][]byte{realHex(b, "de_csca"), realHex(b, "at_csca"), realHex(b, "my_csca"), realHex(b, "nz_csca"), p.CSCA.DER}
	certs := make([][]byte, 0, 500)
	for i := 0; len(certs) < 500; i++ {
		c := bytes.Clone(real[i%len(real)])
		c[len(c)-1] ^= byte(i / len(real)) // distinct encodings (signatures not checked at load)
		certs = append(certs, c)
	}
	ml, err := testpki.MasterList(certs, p.MLSigner)
	if err != nil {
		b.Fatal(err)
	}
	return ml
}

// BenchmarkParseMasterList500 parses one large master list.
func BenchmarkParseMasterList500(b *testing.B) {
	ml := masterList500(b)
	b.SetBytes(int64(len(ml)))
	b.ResetTimer()
	for b.Loop() {
		m, err := pa.ParseMasterList(ml)
		if err != nil || len(m.Certificates) != 500 {
			b.Fatalf("%v, %d certificates", err, len(m.Certificates))
		}
	}
}

// BenchmarkLoadTrustDir19Lists loads a folder holding 19 versions of a
// 500-certificate list (issue 16's 11 German and 8 Dutch lists overlap
// almost entirely), as the kiosk does at start-up.
func BenchmarkLoadTrustDir19Lists(b *testing.B) {
	ml := masterList500(b)
	dir := b.TempDir()
	for i := range 19 {
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("ML_%02d.ml", i)), ml, 0o644); err != nil {
			b.Fatal(err)
		}
	}
	b.ResetTimer()
	for b.Loop() {
		ts, err := pa.LoadTrustStore(dir)
		if err != nil || ts.Len() != 500 {
			b.Fatalf("%v, %d anchors", err, ts.Len())
		}
	}
}

// A DS certificate that breaks DER is not a signer, however it is named:
// the error says which certificate was left out and why.
func TestSODWithNonDERSigner(t *testing.T) {
	de := realHex(t, "de_sod")
	ku := []byte{0x06, 0x03, 0x55, 0x1d, 0x0f, 0x01, 0x01, 0xff} // keyUsage, critical TRUE
	i := bytes.Index(de, ku)
	if i < 0 {
		t.Fatal("keyUsage not found")
	}
	de[i+len(ku)-1] = 0x01
	_, err := pa.Verify(de, nil, trustOf(t, realHex(t, "de_csca")), now)
	if !errors.Is(err, pa.ErrMalformed) || !strings.Contains(err.Error(), "not_der") || !strings.Contains(err.Error(), "Document Signer Passport") {
		t.Fatalf("err = %v", err)
	}
}

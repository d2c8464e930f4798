package testpki_test

//lint:file-ignore SA1019 brainpool curves exist only as elliptic.Curve with big.Int coordinates; crypto/ecdsa offers no non-deprecated API for non-NIST curves.

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/rsa"
	"encoding/asn1"
	"errors"
	"image/jpeg"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kiosk06/kiosk/drivers/cccd"
	"github.com/kiosk06/kiosk/drivers/emrtd/pa"
	"github.com/kiosk06/kiosk/drivers/emrtd/testpki"
)

var (
	pkiOnce sync.Once
	pkiVal  *testpki.PKI
	pkiErr  error
)

// sharedPKI builds the default PKI once per test binary (brainpoolP512r1
// arithmetic is slow-ish).
func sharedPKI(t testing.TB) *testpki.PKI {
	t.Helper()
	pkiOnce.Do(func() { pkiVal, pkiErr = testpki.NewPKI("") })
	if pkiErr != nil {
		t.Fatal(pkiErr)
	}
	return pkiVal
}

var now = time.Date(2026, 11, 22, 8, 0, 0, 0, time.UTC)

func TestVariantsVerify(t *testing.T) {
	p := sharedPKI(t)
	trust := pa.NewTrustStore()
	for _, der := range p.TrustAnchors() {
		if err := trust.AddDER(der); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		variant testpki.Variant
		want    error
	}{
		{testpki.Genuine, nil},
		{testpki.DG13Altered, pa.ErrHashMismatch},
		{testpki.UntrustedSigner, pa.ErrUntrustedSigner},
		{testpki.ExpiredSigner, pa.ErrExpiredSigner},
		{testpki.Clone, nil},
		{testpki.BACOnly, nil},
		{testpki.CardAccessTampered, nil}, // signed files are genuine: emrtd.CheckCardAccess catches it
	}
	for _, tc := range tests {
		t.Run(tc.variant.String(), func(t *testing.T) {
			card, err := testpki.NewCCCD(&testpki.Options{PKI: p, Variant: tc.variant})
			if err != nil {
				t.Fatal(err)
			}
			res, err := pa.Verify(card.SOD, card.DataGroups, trust, now)
			if !errors.Is(err, tc.want) || (tc.want == nil) != (err == nil) {
				t.Fatalf("Verify = %v, want %v", err, tc.want)
			}
			t.Logf("%s: %v %+v", tc.variant, err, res)
		})
	}
}

func TestDeterministic(t *testing.T) {
	p := sharedPKI(t)
	a, err := testpki.NewCCCD(&testpki.Options{PKI: p})
	if err != nil {
		t.Fatal(err)
	}
	p2, err := testpki.NewPKI("")
	if err != nil {
		t.Fatal(err)
	}
	b, err := testpki.NewCCCD(&testpki.Options{PKI: p2})
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(p.CSCA.DER, p2.CSCA.DER) || !bytes.Equal(a.SOD, b.SOD) {
		t.Fatal("same seed gave different CSCA or SOD bytes")
	}
	for fid, f := range a.Files {
		if !bytes.Equal(f, b.Files[fid]) {
			t.Errorf("file %04X differs", fid)
		}
	}
	other, err := testpki.NewPKI("another seed")
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Equal(other.CSCA.DER, p.CSCA.DER) {
		t.Fatal("different seeds gave the same CSCA")
	}
}

// TestTD1ICAOExample reproduces the check digits of the TD1 specimen in ICAO 9303-5
// check digits (document D23145890, born 740812, expires 120415).
func TestTD1ICAOExample(t *testing.T) {
	l1 := "I<UTOD231458907<<<<<<<<<<<<<<<"
	l2 := "7408122F1204159UTO<<<<<<<<<<<6"
	for _, c := range []struct {
		field string
		want  byte
	}{{"D23145890", '7'}, {"740812", '2'}, {"120415", '9'}, {l1[5:30] + l2[0:7] + l2[8:15] + l2[18:29], '6'}} {
		if got := testpki.CheckDigit(c.field); got != c.want {
			t.Errorf("CheckDigit(%q) = %c, want %c", c.field, got, c.want)
		}
	}
}

func TestCCCDLayout(t *testing.T) {
	card, err := testpki.NewCCCD(&testpki.Options{PKI: sharedPKI(t)})
	if err != nil {
		t.Fatal(err)
	}
	wantMRZ := [3]string{
		"IDVNM0990123459001099012345<<<",
		"9903159M3903157VNM<<<<<<<<<<<0",
		"NGUYEN<<VAN<AN<<<<<<<<<<<<<<<<",
	}
	if card.MRZ != wantMRZ {
		t.Errorf("MRZ\n%q\nwant\n%q", card.MRZ, wantMRZ)
	}
	if card.CAN != "012345" || card.DocumentNumber != "099012345" || card.DateOfBirth != "990315" || card.DateOfExpiry != "390315" {
		t.Errorf("access data: CAN %s doc %s dob %s exp %s", card.CAN, card.DocumentNumber, card.DateOfBirth, card.DateOfExpiry)
	}
	if got := card.DataGroups[1]; !bytes.Equal(got[:5], []byte{0x61, 0x5D, 0x5F, 0x1F, 0x5A}) || string(got[5:]) != strings.Join(wantMRZ[:], "") {
		t.Errorf("DG1 = % X", got)
	}
	wantCOM := []byte{0x60, 0x18, 0x5F, 0x01, 0x04, '0', '1', '0', '7', 0x5F, 0x36, 0x06, '0', '4', '0', '0', '0', '0', 0x5C, 0x06, 0x61, 0x75, 0x63, 0x6D, 0x6E, 0x6F}
	if !bytes.Equal(card.COM, wantCOM) {
		t.Errorf("EF.COM = % X", card.COM)
	}
	// DG2: the JPEG sits at the end of the 5F2E ISO 19794-5 record and decodes.
	dg2 := card.DataGroups[2]
	if dg2[0] != 0x75 || !bytes.HasSuffix(dg2, card.FaceJPEG) || !bytes.Contains(dg2, []byte("FAC\x00010\x00")) {
		t.Error("DG2 wrapper")
	}
	img, err := jpeg.Decode(bytes.NewReader(card.FaceJPEG))
	if err != nil || img.Bounds().Dx() != 60 || img.Bounds().Dy() != 80 {
		t.Errorf("face JPEG: %v", err)
	}
}

type dg13Body struct {
	Version int
	OID     asn1.ObjectIdentifier
	Fields  []asn1.RawValue `asn1:"set"`
}

func TestDG13(t *testing.T) {
	cz := testpki.DefaultCitizen()
	cz.Spouse = "Lê Thị Dung"
	var rv asn1.RawValue
	if _, err := asn1.Unmarshal(testpki.DG13(cz), &rv); err != nil || rv.Class != asn1.ClassApplication || rv.Tag != 13 {
		t.Fatalf("DG13 tag: %v %+v", err, rv)
	}
	var body dg13Body
	if _, err := asn1.Unmarshal(rv.Bytes, &body); err != nil {
		t.Fatal(err)
	}
	if body.Version != 1 || !body.OID.Equal(asn1.ObjectIdentifier{1, 0, 10646, 1, 0, 8}) || len(body.Fields) != 15 {
		t.Fatalf("DG13 header: %d %v, %d fields", body.Version, body.OID, len(body.Fields))
	}
	want := map[int][]string{1: {"001099012345"}, 2: {"Nguyễn Văn An"}, 3: {"15/03/1999"}, 4: {"Nam"},
		5: {"Việt Nam"}, 11: {"10/01/2024"}, 12: {"15/03/2039"}, 13: {"Nguyễn Văn Bình", "Trần Thị Cúc"},
		14: {"Lê Thị Dung"}, 15: {"013456789"}}
	for i, f := range body.Fields {
		rest := f.Bytes
		var n int
		rest, err := asn1.Unmarshal(rest, &n)
		if err != nil || n != i+1 {
			t.Fatalf("field %d: number %d, %v", i+1, n, err)
		}
		var vals []string
		for len(rest) > 0 {
			var s string
			if rest, err = asn1.UnmarshalWithParams(rest, &s, "utf8"); err != nil {
				t.Fatalf("field %d: %v", n, err)
			}
			vals = append(vals, s)
		}
		if w, ok := want[n]; ok && strings.Join(w, "|") != strings.Join(vals, "|") {
			t.Errorf("field %d = %q, want %q", n, vals, w)
		}
	}
}

func TestChipKeys(t *testing.T) {
	p := sharedPKI(t)
	for _, tc := range []struct {
		variant testpki.Variant
		aa      testpki.AAKeyType
		match   bool
	}{
		{testpki.Genuine, testpki.AAECDSA, true},
		{testpki.Clone, testpki.AAECDSA, false},
		{testpki.Genuine, testpki.AARSA1024, true},
		{testpki.Clone, testpki.AARSA1024, false},
	} {
		card, err := testpki.NewCCCD(&testpki.Options{PKI: p, Variant: tc.variant, AAKey: tc.aa})
		if err != nil {
			t.Fatal(err)
		}
		// DG15: 6F { SubjectPublicKeyInfo }.
		var dg15 asn1.RawValue
		if _, err := asn1.Unmarshal(card.DataGroups[15], &dg15); err != nil || dg15.Tag != 15 {
			t.Fatalf("DG15: %v", err)
		}
		aaPub, err := pa.ParseSubjectPublicKeyInfo(dg15.Bytes)
		if err != nil {
			t.Fatal(err)
		}
		if got := publicKeyEqual(aaPub, card.AAKey.Public()); got != tc.match {
			t.Errorf("%v/%d: AA key matches DG15 = %v, want %v", tc.variant, tc.aa, got, tc.match)
		}
		caPub := dg14CAKey(t, card.DataGroups[14])
		if got := publicKeyEqual(caPub, &card.CAKey.PublicKey); got != tc.match {
			t.Errorf("%v: CA key matches DG14 = %v, want %v", tc.variant, got, tc.match)
		}
	}
}

func publicKeyEqual(a, b crypto.PublicKey) bool {
	switch a := a.(type) {
	case *ecdsa.PublicKey:
		b, ok := b.(*ecdsa.PublicKey)
		return ok && a.X.Cmp(b.X) == 0 && a.Y.Cmp(b.Y) == 0
	case *rsa.PublicKey:
		return a.Equal(b)
	}
	return false
}

// dg14CAKey finds ChipAuthenticationPublicKeyInfo in DG14 and checks the
// ChipAuthenticationInfo and TerminalAuthenticationInfo entries.
func dg14CAKey(t *testing.T, dg14 []byte) crypto.PublicKey {
	t.Helper()
	var outer asn1.RawValue
	if _, err := asn1.Unmarshal(dg14, &outer); err != nil || outer.Tag != 14 {
		t.Fatalf("DG14: %v", err)
	}
	var infos []asn1.RawValue
	if _, err := asn1.UnmarshalWithParams(outer.Bytes, &infos, "set"); err != nil {
		t.Fatal(err)
	}
	var key crypto.PublicKey
	seen := map[string]bool{}
	for _, info := range infos {
		var head struct {
			Protocol asn1.ObjectIdentifier
			Rest     asn1.RawValue
		}
		if _, err := asn1.Unmarshal(info.FullBytes, &head); err != nil {
			t.Fatal(err)
		}
		seen[head.Protocol.String()] = true
		if head.Protocol.Equal(testpki.OIDPKECDH) {
			k, err := pa.ParseSubjectPublicKeyInfo(head.Rest.FullBytes)
			if err != nil {
				t.Fatal(err)
			}
			key = k
		}
	}
	for _, oid := range []asn1.ObjectIdentifier{testpki.OIDPKECDH, testpki.OIDCAECDHAESCBCCMAC128, testpki.OIDTA} {
		if !seen[oid.String()] {
			t.Errorf("DG14 lacks %v", oid)
		}
	}
	return key
}

func TestWriteTrustDir(t *testing.T) {
	dir := t.TempDir()
	if err := testpki.WriteTrustDir(dir); err != nil {
		t.Fatal(err)
	}
	ts, err := pa.LoadTrustStore(dir)
	if err != nil || ts.Len() != 1 || !bytes.Equal(ts.Certificates()[0].Raw, sharedPKI(t).CSCA.DER) {
		t.Fatalf("LoadTrustStore: %v, %d anchors", err, ts.Len())
	}
}

// The fixture card's expiry must be the one the CCCD age rules give, or the
// BAC keys derived from its QR would never open it.
func TestDefaultCitizenExpiryFollowsLaw(t *testing.T) {
	c := testpki.DefaultCitizen()
	exp, ok := cccd.CardExpiry(c.DateOfBirth, c.IssueDate)
	if !ok || !exp.Equal(c.DateOfExpiry) {
		t.Fatalf("fixture expiry %v, law gives %v (ok=%v)", c.DateOfExpiry, exp, ok)
	}
}

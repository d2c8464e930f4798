package emrtd_test

import (
	"bytes"
	"encoding/asn1"
	"errors"
	"math/big"
	"testing"

	"github.com/ProtonMail/go-crypto/brainpool"
	"github.com/kiosk06/kiosk/drivers/emrtd"
	"github.com/kiosk06/kiosk/drivers/emrtd/emrtdsim"
)

func TestParseTLV(t *testing.T) {
	for _, tc := range []struct {
		name    string
		in      string
		tag     uint32
		val     string
		rest    string
		wantErr bool
	}{
		{"short", "5F0104 30313037 AA", 0x5F01, "30313037", "AA", false},
		{"81 length", "7F61 8103 010203", 0x7F61, "010203", "", false},
		{"82 length", "75 820002 ABCD", 0x75, "ABCD", "", false},
		{"three-byte tag", "5F8F01 01 00", 0x5F8F01, "00", "", false},
		{"empty", "", 0, "", "", true},
		{"truncated value", "61 05 0102", 0, "", "", true},
		{"truncated length", "61 82 01", 0, "", "", true},
		{"indefinite length", "61 80 0000", 0, "", "", true},
		{"five-byte length", "61 85 0000000001 00", 0, "", "", true},
		{"four-byte tag", "5F8F8F01 00", 0, "", "", true},
		{"tag 00", "00 00", 0, "", "", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, rest, err := emrtd.ParseTLV(h(t, tc.in))
			if (err != nil) != tc.wantErr {
				t.Fatalf("err = %v", err)
			}
			if err != nil {
				if !errors.Is(err, emrtd.ErrMalformed) {
					t.Errorf("err %v is not ErrMalformed", err)
				}
				return
			}
			if got.Tag != tc.tag || hx(got.Value) != tc.val || hx(rest) != tc.rest {
				t.Errorf("got %X %X rest %X", got.Tag, got.Value, rest)
			}
		})
	}
}

func TestFindTLV(t *testing.T) {
	dg1 := emrtdsim.EncodeDG1(testMRZ)
	if v, ok := emrtd.FindTLV(dg1, 0x61, 0x5F1F); !ok || string(v.Value) != testMRZ {
		t.Errorf("FindTLV(61/5F1F) = %q, %v", v.Value, ok)
	}
	if _, ok := emrtd.FindTLV(dg1, 0x61, 0x5F20); ok {
		t.Error("found a missing tag")
	}
}

// The CCCD's EF.CardAccess as design §4 describes it, and the G.1 one.
func TestParseCardAccess(t *testing.T) {
	si, err := emrtd.ParseCardAccess(emrtdsim.CardAccessCCCD())
	if err != nil {
		t.Fatal(err)
	}
	if len(si.PACE) != 1 || !si.PACE[0].Protocol.Equal(emrtd.OIDPACEECDHGMAES128) || si.PACE[0].Version != 2 || si.PACE[0].ParameterID != 13 {
		t.Errorf("PACE = %+v", si.PACE)
	}
	if len(si.CA) != 1 || !si.CA[0].Protocol.Equal(emrtd.OIDCAECDHAES128) || si.CA[0].KeyID != -1 {
		t.Errorf("CA = %+v", si.CA)
	}
	if len(si.TA) != 1 || si.TA[0].Version != 1 {
		t.Errorf("TA = %+v", si.TA)
	}
	g1, err := emrtd.ParseCardAccess(h(t, "31143012060A04007F0007020204020202010202010D 0000"))
	if err != nil || len(g1.PACE) != 1 || g1.PACE[0].ParameterID != 13 {
		t.Errorf("G.1 EF.CardAccess: %+v %v", g1, err)
	}
	for _, bad := range []string{"", "30 00", "31 03 020101", "31 05 3003 020101"} {
		if _, err := emrtd.ParseCardAccess(h(t, bad)); err == nil {
			t.Errorf("%s accepted", bad)
		}
	}
}

// explicitSPKI encodes an EC key with explicit domain parameters (RFC 3279
// §2.3.5), as eMRTD DG14 files and the Vietnam CSCA do.
func explicitSPKI(t *testing.T, pub emrtd.ECPublicKey) []byte {
	t.Helper()
	cp := pub.Curve.Params()
	base := emrtd.ECPublicKey{Curve: pub.Curve, X: cp.Gx, Y: cp.Gy}.Marshal()
	a, _ := new(big.Int).SetString("7D5A0975FC2C3057EEF67530417AFFE7FB8055C126DC5C6CE94A4B44F330B5D9", 16)
	b, _ := new(big.Int).SetString("26DC5C6CE94A4B44F330B5D9BBD77CBF958416295CF7E1CE6BCCDC18FF8C07B6", 16)
	params, err := asn1.Marshal(struct {
		Version int
		Field   struct {
			Type  asn1.ObjectIdentifier
			Prime *big.Int
		}
		Curve    struct{ A, B []byte }
		Base     []byte
		Order    *big.Int
		Cofactor int
	}{1, struct {
		Type  asn1.ObjectIdentifier
		Prime *big.Int
	}{asn1.ObjectIdentifier{1, 2, 840, 10045, 1, 1}, cp.P}, struct{ A, B []byte }{a.Bytes(), b.Bytes()}, base, cp.N, 1})
	if err != nil {
		t.Fatal(err)
	}
	pt := pub.Marshal()
	spki, err := asn1.Marshal(struct {
		Alg struct {
			OID    asn1.ObjectIdentifier
			Params asn1.RawValue
		}
		Key asn1.BitString
	}{struct {
		OID    asn1.ObjectIdentifier
		Params asn1.RawValue
	}{emrtd.OIDECPublicKey, asn1.RawValue{FullBytes: params}}, asn1.BitString{Bytes: pt, BitLength: 8 * len(pt)}})
	if err != nil {
		t.Fatal(err)
	}
	return spki
}

func TestParseDG14(t *testing.T) {
	key, err := emrtdsim.GenerateECKey(brainpool.P256r1(), seeded(4))
	if err != nil {
		t.Fatal(err)
	}
	named, err := emrtdsim.EncodeDG14(key.Public())
	if err != nil {
		t.Fatal(err)
	}
	pkInfo, _ := asn1.Marshal(struct {
		Protocol asn1.ObjectIdentifier
		Key      asn1.RawValue
		KeyID    int
	}{emrtd.OIDPKECDH, asn1.RawValue{FullBytes: explicitSPKI(t, key.Public())}, 7})
	caInfo, _ := asn1.Marshal(struct {
		Protocol asn1.ObjectIdentifier
		Version  int
		KeyID    int
	}{emrtd.OIDCAECDH3DES, 1, 7})
	aaInfo, _ := asn1.Marshal(struct {
		Protocol asn1.ObjectIdentifier
		Version  int
		Alg      asn1.ObjectIdentifier
	}{emrtd.OIDAA, 1, asn1.ObjectIdentifier{0, 4, 0, 127, 0, 7, 1, 1, 4, 1, 3}})
	explicit := emrtd.EncodeTLV(0x6E, emrtd.EncodeTLV(0x31, append(append(caInfo, pkInfo...), aaInfo...)))
	for name, dg14 := range map[string][]byte{"named curve": named, "explicit parameters": explicit} {
		t.Run(name, func(t *testing.T) {
			si, err := emrtd.ParseDG14(dg14)
			if err != nil {
				t.Fatal(err)
			}
			if len(si.CAKeys) != 1 || si.CAKeys[0].Key.X.Cmp(key.Public().X) != 0 || si.CAKeys[0].Key.Curve.Params().Name != "brainpoolP256r1" {
				t.Errorf("CA keys = %+v", si.CAKeys)
			}
			if len(si.CA) != 1 {
				t.Errorf("CA infos = %+v", si.CA)
			}
		})
	}
	if si, _ := emrtd.ParseDG14(explicit); len(si.AA) != 1 || si.CAKeys[0].KeyID != 7 {
		t.Errorf("explicit DG14: %+v", si)
	}
}

func TestParseDG15(t *testing.T) {
	rsaDG15, err := emrtdsim.EncodeDG15(&testRSAKey(t).PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	k, err := emrtd.ParseDG15(rsaDG15)
	if err != nil || k.RSA == nil || k.RSA.N.BitLen() != 2048 {
		t.Errorf("RSA DG15: %+v %v", k, err)
	}
	ec, _ := emrtdsim.GenerateECKey(nil, seeded(5))
	explicit := emrtd.EncodeTLV(0x6F, explicitSPKI(t, ec.Public()))
	if k, err := emrtd.ParseDG15(explicit); err != nil || k.EC == nil || k.EC.Y.Cmp(ec.Public().Y) != 0 {
		t.Errorf("EC DG15: %+v %v", k, err)
	}
}

func TestParseDG1(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   []byte
		ok   bool
	}{
		{"TD1", emrtdsim.EncodeDG1(testMRZ), true},
		{"wrong length", emrtdsim.EncodeDG1(testMRZ[:89]), false},
		{"lower case", emrtdsim.EncodeDG1("a" + testMRZ[1:]), false},
		{"no MRZ", emrtd.EncodeTLV(0x61, nil), false},
	} {
		if _, err := emrtd.ParseDG1(tc.in); (err == nil) != tc.ok {
			t.Errorf("%s: err = %v", tc.name, err)
		}
	}
}

func TestParseDG2JPEG2000(t *testing.T) {
	jp2 := append([]byte{0, 0, 0, 0x0C, 0x6A, 0x50, 0x20, 0x20}, bytes.Repeat([]byte{1}, 50)...)
	f, err := emrtd.ParseDG2(emrtdsim.EncodeDG2(jp2, 1, 240, 320))
	if err != nil || f.MIME != emrtd.ImageJPEG2000 || !bytes.Equal(f.Image, jp2) || f.Gender != 1 {
		t.Errorf("face %+v, %v", f, err)
	}
	if _, err := emrtd.ParseDG2(emrtdsim.EncodeDG2([]byte("not an image"), 0, 1, 1)); err == nil {
		t.Error("accepted a non-image")
	}
}

func FuzzParseTLV(f *testing.F) {
	f.Add(h(f, "60145F0104303130365F36063034303030305C026175"))
	f.Add(h(f, "7F618103010203"))
	f.Add([]byte{0x5F, 0x8F, 0x8F})
	f.Fuzz(func(t *testing.T, b []byte) {
		if tl, rest, err := emrtd.ParseTLV(b); err == nil && len(tl.Value)+len(rest) > len(b) {
			t.Fatal("value and rest exceed the input")
		}
		_, _ = emrtd.ParseTLVs(b)
		_, _ = emrtd.FindTLV(b, 0x75, 0x7F61, 0x7F60, 0x5F2E)
		_, _ = emrtd.TLVHeaderLen(b)
	})
}

func FuzzParseCardAccess(f *testing.F) {
	f.Add(emrtdsim.CardAccessCCCD())
	f.Add(h(f, "31143012060A04007F0007020204020202010202010D"))
	f.Fuzz(func(t *testing.T, b []byte) {
		_, _ = emrtd.ParseCardAccess(b)
	})
}

func FuzzParseDG14(f *testing.F) {
	key, _ := emrtdsim.GenerateECKey(nil, seeded(6))
	dg14, _ := emrtdsim.EncodeDG14(key.Public())
	f.Add(dg14)
	f.Fuzz(func(t *testing.T, b []byte) {
		_, _ = emrtd.ParseDG14(b)
	})
}

func FuzzParseDG15(f *testing.F) {
	key, _ := emrtdsim.GenerateECKey(nil, seeded(7))
	dg15, _ := emrtdsim.EncodeDG15(key.Public())
	f.Add(dg15)
	f.Fuzz(func(t *testing.T, b []byte) {
		_, _ = emrtd.ParseDG15(b)
	})
}

func FuzzParseLDS(f *testing.F) {
	f.Add(emrtdsim.EncodeDG2([]byte{0xFF, 0xD8, 1, 2}, 0, 1, 1))
	f.Add(emrtdsim.EncodeDG1(testMRZ))
	f.Add(emrtdsim.EncodeCOM([]byte{0x61, 0x75}))
	f.Fuzz(func(t *testing.T, b []byte) {
		_, _ = emrtd.ParseDG2(b)
		_, _ = emrtd.ParseDG1(b)
		_, _ = emrtd.ParseCOM(b)
	})
}

package emrtdsim

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/x509"
	"encoding/asn1"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math/big"

	"github.com/ProtonMail/go-crypto/brainpool"
	"github.com/kiosk06/kiosk/drivers/emrtd"
	"github.com/kiosk06/kiosk/drivers/emrtd/internal/ecc"
	"github.com/kiosk06/kiosk/drivers/emrtd/testpki"
)

// ECKey is an elliptic-curve private key of the virtual chip (the
// standard library's ecdsa keys cannot hold brainpool curves without
// deprecated fields). The chip computes on testpki.ReferenceCurve(Curve):
// ProtonMail's brainpool implementation, independent of the terminal's.
type ECKey struct {
	Curve elliptic.Curve
	D     *big.Int
}

// chipCurve is the implementation the virtual chip computes with: for a
// brainpool curve always ProtonMail's, even when the caller hands in the
// terminal's (drivers/emrtd/internal/weier, from ecc.ByParamID or pa), so
// that chip and terminal never share point arithmetic.
func chipCurve(c elliptic.Curve) elliptic.Curve { return testpki.ReferenceCurve(c) }

// Public returns the public point D·G.
func (k *ECKey) Public() emrtd.ECPublicKey {
	pub, _ := ecc.Mul(ecc.Generator(chipCurve(k.Curve)), k.D) // D in [1, n-1]: never at infinity
	return pub
}

// FromECDSA converts a crypto/ecdsa key (as drivers/emrtd/testpki makes
// them, possibly on a brainpool curve) to an ECKey.
func FromECDSA(k *ecdsa.PrivateKey) *ECKey {
	if k == nil {
		return nil
	}
	//lint:ignore SA1019 a brainpool ecdsa key exposes its scalar only through D
	d := k.D
	return &ECKey{Curve: chipCurve(k.Curve), D: new(big.Int).Set(d)}
}

// GenerateECKey makes a key on curve (brainpoolP256r1 when nil) from rnd.
func GenerateECKey(curve elliptic.Curve, rnd io.Reader) (*ECKey, error) {
	if curve == nil {
		curve = brainpool.P256r1()
	}
	curve = chipCurve(curve)
	d, err := ecc.RandScalar(curve, rnd)
	if err != nil {
		return nil, fmt.Errorf("emrtdsim: generate key: %w", err)
	}
	return &ECKey{Curve: curve, D: d}, nil
}

type securityInfo struct {
	Protocol asn1.ObjectIdentifier
	Version  int
	Param    int `asn1:"optional"`
}

// CardAccessCCCD is an EF.CardAccess shaped like the Vietnamese CCCD's
// (design §4): PACE v2 ECDH-GM AES-128 on brainpoolP256r1 (parameter ID
// 13), Chip Authentication ECDH AES-128 v1, Terminal Authentication v1.
func CardAccessCCCD() []byte {
	return CardAccess(emrtd.OIDPACEECDHGMAES128, 13)
}

// CardAccess encodes an EF.CardAccess with one PACE entry plus CA and TA
// entries like the CCCD's.
func CardAccess(paceOID asn1.ObjectIdentifier, paramID int) []byte {
	body := SecurityInfoPACE(paceOID, paramID)
	body = append(body, securityInfoVersion(emrtd.OIDCAECDHAES128, 1)...)
	body = append(body, securityInfoVersion(emrtd.OIDTA, 1)...)
	return emrtd.EncodeTLV(0x31, body)
}

// SecurityInfoPACE is the DER PACEInfo (9303-11 §9.2.1): version 2 and,
// when paramID is not 0, the standardized domain parameter ID.
func SecurityInfoPACE(oid asn1.ObjectIdentifier, paramID int) []byte {
	if paramID == 0 {
		return securityInfoVersion(oid, 2)
	}
	der, _ := asn1.Marshal(securityInfo{Protocol: oid, Version: 2, Param: paramID}) // always encodes
	return der
}

// SecurityInfoAA is the DER ActiveAuthenticationInfo (9303-11 §9.2):
// version 1 and the signature algorithm (e.g. ecdsa-with-SHA256).
func SecurityInfoAA(sigAlg asn1.ObjectIdentifier) []byte {
	der, _ := asn1.Marshal(struct {
		Protocol asn1.ObjectIdentifier
		Version  int
		SigAlg   asn1.ObjectIdentifier
	}{emrtd.OIDAA, 1, sigAlg}) // always encodes
	return der
}

func securityInfoVersion(oid asn1.ObjectIdentifier, version int) []byte {
	der, _ := asn1.Marshal(struct {
		Protocol asn1.ObjectIdentifier
		Version  int
	}{oid, version}) // always encodes
	return der
}

type algorithmIdentifier struct {
	Algorithm  asn1.ObjectIdentifier
	Parameters asn1.RawValue `asn1:"optional"`
}

type subjectPublicKeyInfo struct {
	Algorithm algorithmIdentifier
	PublicKey asn1.BitString
}

// ecSPKI encodes an EC public key with a named-curve OID.
func ecSPKI(pub emrtd.ECPublicKey) ([]byte, error) {
	oid, ok := ecc.OID(pub.Curve)
	if !ok {
		return nil, errors.New("emrtdsim: curve without an OID")
	}
	param, _ := asn1.Marshal(oid)
	pt := pub.Marshal()
	return asn1.Marshal(subjectPublicKeyInfo{
		Algorithm: algorithmIdentifier{Algorithm: emrtd.OIDECPublicKey, Parameters: asn1.RawValue{FullBytes: param}},
		PublicKey: asn1.BitString{Bytes: pt, BitLength: 8 * len(pt)},
	})
}

// EncodeDG14 encodes DG14 (tag 6E) with ChipAuthenticationInfo (ECDH
// AES-128 v1), ChipAuthenticationPublicKeyInfo for caPub and the DER
// SecurityInfos in more (e.g. SecurityInfoPACE, SecurityInfoAA).
func EncodeDG14(caPub emrtd.ECPublicKey, more ...[]byte) ([]byte, error) {
	spki, err := ecSPKI(caPub)
	if err != nil {
		return nil, err
	}
	caInfo, _ := asn1.Marshal(struct {
		Protocol asn1.ObjectIdentifier
		Version  int
	}{emrtd.OIDCAECDHAES128, 1})
	pkInfo, err := asn1.Marshal(struct {
		Protocol asn1.ObjectIdentifier
		Key      asn1.RawValue
	}{emrtd.OIDPKECDH, asn1.RawValue{FullBytes: spki}})
	if err != nil {
		return nil, err
	}
	body := append(caInfo, pkInfo...)
	for _, m := range more {
		body = append(body, m...)
	}
	return emrtd.EncodeTLV(0x6E, emrtd.EncodeTLV(0x31, body)), nil
}

// EncodeDG15 encodes DG15 (tag 6F) with the Active Authentication public
// key: *rsa.PublicKey or emrtd.ECPublicKey.
func EncodeDG15(pub any) ([]byte, error) {
	var spki []byte
	var err error
	switch k := pub.(type) {
	case *rsa.PublicKey:
		spki, err = x509.MarshalPKIXPublicKey(k)
	case emrtd.ECPublicKey:
		spki, err = ecSPKI(k)
	default:
		err = fmt.Errorf("emrtdsim: DG15 key type %T", pub)
	}
	if err != nil {
		return nil, err
	}
	return emrtd.EncodeTLV(0x6F, spki), nil
}

// EncodeCOM encodes EF.COM (LDS 1.7, Unicode 4.0.0) listing the DG tags.
func EncodeCOM(tags []byte) []byte {
	body := emrtd.EncodeTLV(0x5F01, []byte("0107"))
	body = append(body, emrtd.EncodeTLV(0x5F36, []byte("040000"))...)
	body = append(body, emrtd.EncodeTLV(0x5C, tags)...)
	return emrtd.EncodeTLV(0x60, body)
}

// EncodeDG1 encodes DG1 (61 → 5F1F) around a raw MRZ (90 characters for TD1).
func EncodeDG1(mrz string) []byte {
	return emrtd.EncodeTLV(0x61, emrtd.EncodeTLV(0x5F1F, []byte(mrz)))
}

// EncodeDG2 encodes DG2 with one ISO/IEC 19794-5 facial record around a
// JPEG (imageType 0) or JPEG2000 (1) image.
func EncodeDG2(image []byte, dataType byte, width, height int) []byte {
	var fi []byte
	fi = binary.BigEndian.AppendUint32(fi, uint32(20+12+len(image)))
	fi = append(fi, 0, 0)        // feature points
	fi = append(fi, 1, 0, 0)     // gender male, eye and hair colour unspecified
	fi = append(fi, 0, 0, 0)     // feature mask
	fi = append(fi, 0, 1)        // expression neutral
	fi = append(fi, 0, 0, 0)     // pose angles
	fi = append(fi, 0, 0, 0)     // pose uncertainty
	fi = append(fi, 1, dataType) // full frontal
	fi = binary.BigEndian.AppendUint16(fi, uint16(width))
	fi = binary.BigEndian.AppendUint16(fi, uint16(height))
	fi = append(fi, 1, 2, 0, 0, 0, 0) // colour space, source, device type, quality
	fi = append(fi, image...)
	rec := []byte("FAC\x00010\x00")
	rec = binary.BigEndian.AppendUint32(rec, uint32(14+len(fi)))
	rec = append(rec, 0, 1)
	rec = append(rec, fi...)
	bht := emrtd.EncodeTLV(0xA1, append(emrtd.EncodeTLV(0x80, []byte{1, 1}), emrtd.EncodeTLV(0x87, []byte{1, 1})...))
	bio := emrtd.EncodeTLV(0x7F60, append(bht, emrtd.EncodeTLV(0x5F2E, rec)...))
	group := emrtd.EncodeTLV(0x7F61, append(emrtd.EncodeTLV(0x02, []byte{1}), bio...))
	return emrtd.EncodeTLV(0x75, group)
}

package emrtd

import (
	"bytes"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/x509"
	"encoding/asn1"
	"fmt"
	"math/big"

	"github.com/kiosk06/kiosk/drivers/emrtd/internal/ecc"
)

// File identifiers (9303-10 §4.6.1, table 37).
const (
	FileCardAccess uint16 = 0x011C
	FileCOM        uint16 = 0x011E
	FileSOD        uint16 = 0x011D
)

// DGFile is the file identifier of data group n (1…16): 0x0101…0x0110.
func DGFile(n int) uint16 { return 0x0100 + uint16(n) }

// AIDLDS1 is the eMRTD LDS1 application identifier (9303-10 §4.6.2).
var AIDLDS1 = []byte{0xA0, 0x00, 0x00, 0x02, 0x47, 0x10, 0x01}

// Object identifiers (9303-11 §9.2, BSI TR-03110 part 3 appendix A).
var (
	OIDPACEECDHGM3DES   = asn1.ObjectIdentifier{0, 4, 0, 127, 0, 7, 2, 2, 4, 2, 1}
	OIDPACEECDHGMAES128 = asn1.ObjectIdentifier{0, 4, 0, 127, 0, 7, 2, 2, 4, 2, 2}
	OIDPACEECDHGMAES192 = asn1.ObjectIdentifier{0, 4, 0, 127, 0, 7, 2, 2, 4, 2, 3}
	OIDPACEECDHGMAES256 = asn1.ObjectIdentifier{0, 4, 0, 127, 0, 7, 2, 2, 4, 2, 4}
	OIDCAECDH3DES       = asn1.ObjectIdentifier{0, 4, 0, 127, 0, 7, 2, 2, 3, 2, 1}
	OIDCAECDHAES128     = asn1.ObjectIdentifier{0, 4, 0, 127, 0, 7, 2, 2, 3, 2, 2}
	OIDCAECDHAES192     = asn1.ObjectIdentifier{0, 4, 0, 127, 0, 7, 2, 2, 3, 2, 3}
	OIDCAECDHAES256     = asn1.ObjectIdentifier{0, 4, 0, 127, 0, 7, 2, 2, 3, 2, 4}
	OIDPKECDH           = asn1.ObjectIdentifier{0, 4, 0, 127, 0, 7, 2, 2, 1, 2}
	OIDTA               = asn1.ObjectIdentifier{0, 4, 0, 127, 0, 7, 2, 2, 2}
	OIDAA               = asn1.ObjectIdentifier{2, 23, 136, 1, 1, 5}
	OIDECPublicKey      = asn1.ObjectIdentifier{1, 2, 840, 10045, 2, 1}
	OIDRSAEncryption    = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 1}
	oidPrimeField       = asn1.ObjectIdentifier{1, 2, 840, 10045, 1, 1}
	oidPACEPrefix       = asn1.ObjectIdentifier{0, 4, 0, 127, 0, 7, 2, 2, 4}
	oidCAPrefix         = asn1.ObjectIdentifier{0, 4, 0, 127, 0, 7, 2, 2, 3}
	oidTAPrefix         = OIDTA
)

func hasPrefix(oid, prefix asn1.ObjectIdentifier) bool {
	return len(oid) > len(prefix) && oid[:len(prefix)].Equal(prefix) || oid.Equal(prefix)
}

// PACEInfo advertises one PACE variant (9303-11 §9.2.1).
type PACEInfo struct {
	Protocol    asn1.ObjectIdentifier
	Version     int
	ParameterID int // -1 when absent
}

// ChipAuthenticationInfo advertises Chip Authentication (§9.2.5).
type ChipAuthenticationInfo struct {
	Protocol asn1.ObjectIdentifier
	Version  int
	KeyID    int // -1 when absent
}

// TerminalAuthenticationInfo advertises Terminal Authentication (§9.2.6).
type TerminalAuthenticationInfo struct {
	Version int
}

// ActiveAuthenticationInfo names the AA signature algorithm (§9.2.11).
type ActiveAuthenticationInfo struct {
	Version            int
	SignatureAlgorithm asn1.ObjectIdentifier
}

// ECPublicKey is an elliptic-curve public point (Curve, X, Y), validated
// on its curve when parsed.
type ECPublicKey = ecc.Point

// ChipAuthenticationPublicKeyInfo is the chip's static CA key (§9.2.7).
type ChipAuthenticationPublicKeyInfo struct {
	Protocol asn1.ObjectIdentifier
	Key      ECPublicKey
	KeyID    int // -1 when absent
}

// SecurityInfos is the parsed content of EF.CardAccess or DG14 (a SET OF
// SecurityInfo). Unknown entries are skipped.
type SecurityInfos struct {
	PACE      []PACEInfo
	CA        []ChipAuthenticationInfo
	CAKeys    []ChipAuthenticationPublicKeyInfo
	TA        []TerminalAuthenticationInfo
	AA        []ActiveAuthenticationInfo
	Unhandled []asn1.ObjectIdentifier
	// Raw holds each SecurityInfo's DER encoding, in file order (for
	// comparing EF.CardAccess with DG14).
	Raw [][]byte
}

type securityInfo struct {
	Protocol asn1.ObjectIdentifier
	Required asn1.RawValue
	Optional asn1.RawValue `asn1:"optional"`
}

// maxSecurityInfos bounds how many entries are looked at.
const maxSecurityInfos = 64

// ParseCardAccess parses EF.CardAccess (9303-11 §9.2.x): a DER SET OF
// SecurityInfo, possibly followed by padding.
func ParseCardAccess(b []byte) (*SecurityInfos, error) {
	t, _, err := ParseTLV(b)
	if err != nil {
		return nil, err
	}
	if t.Tag != 0x31 {
		return nil, malformed("EF.CardAccess: tag %X, want 31 (SET)", t.Tag)
	}
	return parseSecurityInfoSet(t.Value)
}

// ParseDG14 parses DG14 (tag 6E wrapping a SET OF SecurityInfo).
func ParseDG14(b []byte) (*SecurityInfos, error) {
	t, _, err := ParseTLV(b)
	if err != nil {
		return nil, err
	}
	if t.Tag != 0x6E {
		return nil, malformed("DG14: tag %X, want 6E", t.Tag)
	}
	set, _, err := ParseTLV(t.Value)
	if err != nil {
		return nil, err
	}
	if set.Tag != 0x31 {
		return nil, malformed("DG14: inner tag %X, want 31 (SET)", set.Tag)
	}
	return parseSecurityInfoSet(set.Value)
}

// CheckCardAccess verifies EF.CardAccess against DG14. EF.CardAccess is
// not signed, so a relay or an emulator can rewrite it (for instance to
// steer PACE to weaker parameters); ICAO Doc 9303 has every SecurityInfo
// of EF.CardAccess repeated in DG14 (9303-11 §9.2, 9303-10 §4.7.14),
// which the SOD signs. Each SecurityInfo of cardAccess must appear,
// byte for byte (both are DER), in dg14; a missing one is
// ErrCardAccessMismatch. Only meaningful once Passive Authentication has
// verified DG14. A nil cardAccess (a BAC-only chip) passes.
func CheckCardAccess(cardAccess *SecurityInfos, dg14 []byte) error {
	if cardAccess == nil {
		return nil
	}
	signed, err := ParseDG14(dg14)
	if err != nil {
		return err
	}
	for _, raw := range cardAccess.Raw {
		found := false
		for _, d := range signed.Raw {
			if bytes.Equal(raw, d) {
				found = true
				break
			}
		}
		if !found {
			var si securityInfo
			_, _ = asn1.Unmarshal(raw, &si) // parsed once already
			return fmt.Errorf("%w: %v", ErrCardAccessMismatch, si.Protocol)
		}
	}
	return nil
}

func parseSecurityInfoSet(body []byte) (*SecurityInfos, error) {
	out := &SecurityInfos{}
	for n := 0; len(body) > 0; n++ {
		if n == maxSecurityInfos {
			return nil, malformed("SecurityInfos: more than %d entries", maxSecurityInfos)
		}
		var si securityInfo
		rest, err := asn1.Unmarshal(body, &si)
		if err != nil {
			return nil, malformed("SecurityInfo: %v", err)
		}
		out.Raw = append(out.Raw, bytes.Clone(body[:len(body)-len(rest)]))
		body = rest
		if err := out.add(si); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func intOf(rv asn1.RawValue) (int, bool) {
	if rv.Class != asn1.ClassUniversal || rv.Tag != asn1.TagInteger || len(rv.Bytes) == 0 || len(rv.Bytes) > 4 {
		return 0, false
	}
	var v int
	if _, err := asn1.Unmarshal(rv.FullBytes, &v); err != nil {
		return 0, false
	}
	return v, true
}

func optionalInt(rv asn1.RawValue) int {
	if len(rv.FullBytes) == 0 {
		return -1
	}
	v, ok := intOf(rv)
	if !ok {
		return -1
	}
	return v
}

func (s *SecurityInfos) add(si securityInfo) error {
	p := si.Protocol
	switch {
	case p.Equal(OIDPKECDH):
		pt, err := parseECSubjectPublicKeyInfo(si.Required.FullBytes)
		if err != nil {
			return err
		}
		s.CAKeys = append(s.CAKeys, ChipAuthenticationPublicKeyInfo{Protocol: p, Key: pt, KeyID: optionalInt(si.Optional)})
	case hasPrefix(p, oidPACEPrefix) && len(p) == len(oidPACEPrefix)+2:
		v, ok := intOf(si.Required)
		if !ok {
			return malformed("PACEInfo: version")
		}
		s.PACE = append(s.PACE, PACEInfo{Protocol: p, Version: v, ParameterID: optionalInt(si.Optional)})
	case hasPrefix(p, oidCAPrefix) && len(p) == len(oidCAPrefix)+2:
		v, ok := intOf(si.Required)
		if !ok {
			return malformed("ChipAuthenticationInfo: version")
		}
		s.CA = append(s.CA, ChipAuthenticationInfo{Protocol: p, Version: v, KeyID: optionalInt(si.Optional)})
	case p.Equal(oidTAPrefix):
		v, _ := intOf(si.Required)
		s.TA = append(s.TA, TerminalAuthenticationInfo{Version: v})
	case p.Equal(OIDAA):
		v, _ := intOf(si.Required)
		var alg asn1.ObjectIdentifier
		if len(si.Optional.FullBytes) > 0 {
			if _, err := asn1.Unmarshal(si.Optional.FullBytes, &alg); err != nil {
				return malformed("ActiveAuthenticationInfo: signature algorithm: %v", err)
			}
		}
		s.AA = append(s.AA, ActiveAuthenticationInfo{Version: v, SignatureAlgorithm: alg})
	default:
		s.Unhandled = append(s.Unhandled, p)
	}
	return nil
}

type algorithmIdentifier struct {
	Algorithm  asn1.ObjectIdentifier
	Parameters asn1.RawValue `asn1:"optional"`
}

type subjectPublicKeyInfo struct {
	Algorithm algorithmIdentifier
	PublicKey asn1.BitString
}

type fieldID struct {
	FieldType asn1.ObjectIdentifier
	Prime     *big.Int
}

type curveDef struct {
	A, B []byte
	Seed asn1.BitString `asn1:"optional"`
}

type ecParameters struct {
	Version  int
	FieldID  fieldID
	Curve    curveDef
	Base     []byte
	Order    *big.Int
	Cofactor *big.Int `asn1:"optional"`
}

// curveFromParams resolves named or explicit EC domain parameters (RFC 3279
// §2.3.5) to a supported curve.
func curveFromParams(rv asn1.RawValue) (elliptic.Curve, error) {
	if rv.Tag == asn1.TagOID {
		var oid asn1.ObjectIdentifier
		if _, err := asn1.Unmarshal(rv.FullBytes, &oid); err != nil {
			return nil, malformed("EC parameters: %v", err)
		}
		c, err := ecc.ByOID(oid)
		return c, wrapUnsupported(err)
	}
	var p ecParameters
	if _, err := asn1.Unmarshal(rv.FullBytes, &p); err != nil {
		return nil, malformed("EC parameters: %v", err)
	}
	if !p.FieldID.FieldType.Equal(oidPrimeField) || p.FieldID.Prime == nil || p.Order == nil {
		return nil, malformed("EC parameters: not a prime field")
	}
	n := (p.FieldID.Prime.BitLen() + 7) / 8
	if len(p.Base) != 1+2*n || p.Base[0] != 4 {
		return nil, malformed("EC parameters: base point encoding")
	}
	gx := new(big.Int).SetBytes(p.Base[1 : 1+n])
	gy := new(big.Int).SetBytes(p.Base[1+n:])
	c, err := ecc.ByExplicit(p.FieldID.Prime, p.Order, gx, gy)
	return c, wrapUnsupported(err)
}

func wrapUnsupported(err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("%w: %w", ErrUnsupported, err)
}

func parseECSubjectPublicKeyInfo(der []byte) (ecc.Point, error) {
	var spki subjectPublicKeyInfo
	if rest, err := asn1.Unmarshal(der, &spki); err != nil || len(rest) != 0 {
		return ecc.Point{}, malformed("SubjectPublicKeyInfo: %v", err)
	}
	if !spki.Algorithm.Algorithm.Equal(OIDECPublicKey) {
		return ecc.Point{}, wrapUnsupported(malformed("public key algorithm %v", spki.Algorithm.Algorithm))
	}
	curve, err := curveFromParams(spki.Algorithm.Parameters)
	if err != nil {
		return ecc.Point{}, err
	}
	pt, err := ecc.Unmarshal(curve, spki.PublicKey.RightAlign())
	if err != nil {
		return ecc.Point{}, malformed("EC public key: %v", err)
	}
	return pt, nil
}

// AAPublicKey is the Active Authentication key from DG15: exactly one of
// RSA or EC is set.
type AAPublicKey struct {
	RSA *rsa.PublicKey
	EC  *ECPublicKey
}

// ParseDG15 parses DG15 (tag 6F wrapping a SubjectPublicKeyInfo, 9303-10
// §4.7.15): RSA or EC (named or explicit parameters).
func ParseDG15(b []byte) (*AAPublicKey, error) {
	t, _, err := ParseTLV(b)
	if err != nil {
		return nil, err
	}
	if t.Tag != 0x6F {
		return nil, malformed("DG15: tag %X, want 6F", t.Tag)
	}
	var spki subjectPublicKeyInfo
	if _, err := asn1.Unmarshal(t.Value, &spki); err != nil {
		return nil, malformed("DG15: %v", err)
	}
	switch {
	case spki.Algorithm.Algorithm.Equal(OIDRSAEncryption):
		k, err := x509.ParsePKCS1PublicKey(spki.PublicKey.RightAlign())
		if err != nil {
			return nil, malformed("DG15: RSA key: %v", err)
		}
		return &AAPublicKey{RSA: k}, nil
	case spki.Algorithm.Algorithm.Equal(OIDECPublicKey):
		pt, err := parseECSubjectPublicKeyInfo(t.Value)
		if err != nil {
			return nil, err
		}
		return &AAPublicKey{EC: &pt}, nil
	}
	return nil, wrapUnsupported(malformed("DG15: key algorithm %v", spki.Algorithm.Algorithm))
}

// COM is EF.COM (9303-10 §4.6.3): LDS and Unicode versions and the list of
// data group tags present.
type COM struct {
	LDSVersion     string
	UnicodeVersion string
	Tags           []byte // DG tags, e.g. 61 (DG1), 75 (DG2), 6D (DG13)
}

// ParseCOM parses EF.COM (tag 60).
func ParseCOM(b []byte) (*COM, error) {
	t, _, err := ParseTLV(b)
	if err != nil {
		return nil, err
	}
	if t.Tag != 0x60 {
		return nil, malformed("EF.COM: tag %X, want 60", t.Tag)
	}
	c := &COM{}
	if v, ok := FindTLV(t.Value, 0x5F01); ok {
		c.LDSVersion = string(v.Value)
	}
	if v, ok := FindTLV(t.Value, 0x5F36); ok {
		c.UnicodeVersion = string(v.Value)
	}
	v, ok := FindTLV(t.Value, 0x5C)
	if !ok {
		return nil, malformed("EF.COM: no tag list (5C)")
	}
	c.Tags = append([]byte(nil), v.Value...)
	return c, nil
}

// DGNumberOfTag maps an LDS data group tag (61, 75, …) to its number.
func DGNumberOfTag(tag byte) int {
	tags := []byte{0x61, 0x75, 0x63, 0x76, 0x65, 0x66, 0x67, 0x68, 0x69, 0x6A, 0x6B, 0x6C, 0x6D, 0x6E, 0x6F, 0x70}
	for i, t := range tags {
		if t == tag {
			return i + 1
		}
	}
	return 0
}

// ParseDG1 returns the raw MRZ (tag 61 → 5F1F) of DG1 (9303-10 §4.7.1):
// 90 characters for TD1, 72 for TD2, 88 for TD3, without line breaks.
// The caller (drivers/cccd) parses it; this is personal data.
func ParseDG1(b []byte) (string, error) {
	v, ok := FindTLV(b, 0x61, 0x5F1F)
	if !ok {
		return "", malformed("DG1: no MRZ (61/5F1F)")
	}
	switch len(v.Value) {
	case 90, 72, 88:
	default:
		return "", malformed("DG1: MRZ of %d characters", len(v.Value))
	}
	for _, c := range v.Value {
		if !(c == '<' || c >= '0' && c <= '9' || c >= 'A' && c <= 'Z') {
			return "", malformed("DG1: MRZ has a byte outside [0-9A-Z<]")
		}
	}
	return string(v.Value), nil
}

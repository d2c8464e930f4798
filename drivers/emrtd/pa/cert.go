package pa

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/rsa"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/hex"
	"fmt"
	"math/big"
	"time"
)

// MaxCertificateSize bounds a certificate's DER length.
const MaxCertificateSize = 64 << 10

// AlgorithmIdentifier is the X.509 / CMS AlgorithmIdentifier (RFC 5280 §4.1.1.2).
type AlgorithmIdentifier struct {
	Algorithm  asn1.ObjectIdentifier
	Parameters asn1.RawValue `asn1:"optional"`
}

// KeyUsage bits (RFC 5280 §4.2.1.3), bit 0 = digitalSignature.
type KeyUsage uint16

// Key usage bits used by ICAO 9303-12 profiles.
const (
	KeyUsageDigitalSignature KeyUsage = 1 << 0
	KeyUsageCertSign         KeyUsage = 1 << 5
	KeyUsageCRLSign          KeyUsage = 1 << 6
)

// Certificate is the subset of an X.509 certificate (RFC 5280) that Passive
// Authentication needs, parsed with encoding/asn1.
type Certificate struct {
	Raw        []byte // whole DER
	RawTBS     []byte // tbsCertificate DER (what the issuer signed)
	RawSerial  []byte // serialNumber INTEGER content bytes, as encoded
	RawIssuer  []byte // issuer Name DER
	RawSubject []byte // subject Name DER
	RawSPKI    []byte // SubjectPublicKeyInfo DER

	Version      int // 1, 2 or 3
	SerialNumber *big.Int
	Issuer       string // RFC 2253-style rendering, for display
	Subject      string
	NotBefore    time.Time
	NotAfter     time.Time

	PublicKey      crypto.PublicKey // *ecdsa.PublicKey or *rsa.PublicKey
	Curve          *Curve           // set for EC keys
	ExplicitParams bool             // EC key carried explicit domain parameters

	SignatureAlgorithm AlgorithmIdentifier
	Signature          []byte

	SubjectKeyID          []byte
	AuthorityKeyID        []byte
	BasicConstraintsValid bool
	IsCA                  bool
	KeyUsage              KeyUsage // 0 when the extension is absent
}

type rawCertificate struct {
	TBS       asn1.RawValue
	SigAlg    AlgorithmIdentifier
	Signature asn1.BitString
}

type rawTBS struct {
	Raw        asn1.RawContent
	Version    int `asn1:"optional,explicit,default:0,tag:0"`
	Serial     asn1.RawValue
	SigAlg     AlgorithmIdentifier
	Issuer     asn1.RawValue
	Validity   validity
	Subject    asn1.RawValue
	SPKI       asn1.RawValue
	IssuerUID  asn1.BitString `asn1:"optional,tag:1"`
	SubjectUID asn1.BitString `asn1:"optional,tag:2"`
	Extensions []rawExtension `asn1:"optional,explicit,tag:3"`
}

type validity struct {
	NotBefore, NotAfter time.Time
}

type rawExtension struct {
	ID       asn1.ObjectIdentifier
	Critical bool `asn1:"optional"`
	Value    []byte
}

// ParseCertificate parses one DER X.509 certificate. EC keys may use a
// namedCurve OID or explicit parameters equal to a known curve.
func ParseCertificate(der []byte) (*Certificate, error) {
	if len(der) > MaxCertificateSize {
		return nil, malformed("certificate too large", nil)
	}
	der = bytes.Clone(der) // the Raw fields must not alias the caller's buffer
	var rc rawCertificate
	rest, err := asn1.Unmarshal(der, &rc)
	if err != nil {
		return nil, malformed("certificate", err)
	}
	if len(rest) != 0 {
		return nil, malformed("certificate: trailing data", nil)
	}
	var tbs rawTBS
	if rest, err := asn1.Unmarshal(rc.TBS.FullBytes, &tbs); err != nil || len(rest) != 0 {
		return nil, malformed("tbsCertificate", err)
	}
	if tbs.Serial.Class != asn1.ClassUniversal || tbs.Serial.Tag != asn1.TagInteger || len(tbs.Serial.Bytes) == 0 {
		return nil, malformed("serialNumber", nil)
	}
	c := &Certificate{
		Raw:                der,
		RawTBS:             rc.TBS.FullBytes,
		RawSerial:          tbs.Serial.Bytes,
		RawIssuer:          tbs.Issuer.FullBytes,
		RawSubject:         tbs.Subject.FullBytes,
		RawSPKI:            tbs.SPKI.FullBytes,
		Version:            tbs.Version + 1,
		SerialNumber:       signedInt(tbs.Serial.Bytes),
		Issuer:             nameString(tbs.Issuer.FullBytes),
		Subject:            nameString(tbs.Subject.FullBytes),
		NotBefore:          tbs.Validity.NotBefore,
		NotAfter:           tbs.Validity.NotAfter,
		SignatureAlgorithm: rc.SigAlg,
		Signature:          rc.Signature.RightAlign(),
	}
	if !tbs.SigAlg.Algorithm.Equal(rc.SigAlg.Algorithm) {
		return nil, malformed("certificate: signature algorithm differs from tbsCertificate.signature", nil)
	}
	spki, err := parseSPKI(tbs.SPKI.FullBytes)
	if err != nil {
		return nil, fmt.Errorf("pa: certificate %s: %w", c.Subject, err)
	}
	c.PublicKey, c.Curve, c.ExplicitParams = spki.key, spki.curve, spki.explicit
	if err := c.parseExtensions(tbs.Extensions); err != nil {
		return nil, err
	}
	return c, nil
}

// signedInt decodes two's-complement INTEGER content leniently (real
// certificates carry non-minimal and negative serials).
func signedInt(b []byte) *big.Int {
	n := new(big.Int).SetBytes(b)
	if len(b) > 0 && b[0]&0x80 != 0 {
		n.Sub(n, new(big.Int).Lsh(big.NewInt(1), uint(len(b)*8)))
	}
	return n
}

// nameString renders a Name for display; undecodable names print as hex.
func nameString(der []byte) string {
	var rdn pkix.RDNSequence
	if rest, err := asn1.Unmarshal(der, &rdn); err != nil || len(rest) != 0 {
		return "#" + hex.EncodeToString(der)
	}
	var n pkix.Name
	n.FillFromRDNSequence(&rdn)
	return n.String()
}

type basicConstraints struct {
	IsCA       bool `asn1:"optional"`
	MaxPathLen int  `asn1:"optional,default:-1"`
}

type authorityKeyID struct {
	ID []byte `asn1:"optional,tag:0"`
}

func (c *Certificate) parseExtensions(exts []rawExtension) error {
	for _, e := range exts {
		var err error
		switch {
		case e.ID.Equal(oidExtSubjectKeyID):
			_, err = asn1.Unmarshal(e.Value, &c.SubjectKeyID)
		case e.ID.Equal(oidExtAuthorityKeyID):
			var aki authorityKeyID
			_, err = asn1.Unmarshal(e.Value, &aki)
			c.AuthorityKeyID = aki.ID
		case e.ID.Equal(oidExtBasicConstraint):
			var bc basicConstraints
			_, err = asn1.Unmarshal(e.Value, &bc)
			c.BasicConstraintsValid, c.IsCA = err == nil, bc.IsCA
		case e.ID.Equal(oidExtKeyUsage):
			var bits asn1.BitString
			_, err = asn1.Unmarshal(e.Value, &bits)
			for i := 0; i < 9 && err == nil; i++ {
				if bits.At(i) != 0 {
					c.KeyUsage |= 1 << i
				}
			}
		}
		if err != nil {
			return malformed(fmt.Sprintf("certificate %s: extension %v", c.Subject, e.ID), err)
		}
	}
	return nil
}

// CheckSignatureFrom verifies that parent's key signed c (issuer name or
// authority key identifier must match parent's subject / SKI).
func (c *Certificate) CheckSignatureFrom(parent *Certificate) error {
	if !c.IssuedBy(parent) {
		return fmt.Errorf("%w: %s was not issued by %s", ErrBadSignature, c.Subject, parent.Subject)
	}
	if err := VerifySignature(parent.PublicKey, c.SignatureAlgorithm, 0, c.RawTBS, c.Signature); err != nil {
		return fmt.Errorf("pa: certificate %s: %w", c.Subject, err)
	}
	return nil
}

// IssuedBy reports whether parent names c's issuer: the AKI equals parent's
// SKI when both are present, otherwise issuer and subject names match.
func (c *Certificate) IssuedBy(parent *Certificate) bool {
	if len(c.AuthorityKeyID) > 0 && len(parent.SubjectKeyID) > 0 {
		return bytes.Equal(c.AuthorityKeyID, parent.SubjectKeyID)
	}
	return bytes.Equal(c.RawIssuer, parent.RawSubject) || c.Issuer == parent.Subject
}

// ValidAt reports whether now lies within [NotBefore, NotAfter].
func (c *Certificate) ValidAt(now time.Time) bool {
	return !now.Before(c.NotBefore) && !now.After(c.NotAfter)
}

// spki is a parsed SubjectPublicKeyInfo.
type spki struct {
	key      crypto.PublicKey
	curve    *Curve
	explicit bool
}

type rawSPKI struct {
	Algorithm AlgorithmIdentifier
	PublicKey asn1.BitString
}

// ecParameters is SEC 1 §C.2 / RFC 3279 ECParameters (prime fields only).
type ecParameters struct {
	Version  int
	FieldID  fieldID
	Curve    ecCurve
	Base     []byte
	Order    *big.Int
	Cofactor *big.Int `asn1:"optional"`
}

type fieldID struct {
	FieldType asn1.ObjectIdentifier
	Prime     *big.Int
}

type ecCurve struct {
	A, B []byte
	Seed asn1.BitString `asn1:"optional"`
}

// ParseSubjectPublicKeyInfo parses a DER SubjectPublicKeyInfo (RFC 5280
// §4.1.2.7) holding an RSA key or an EC key with named or explicit
// parameters. It returns *rsa.PublicKey or *ecdsa.PublicKey. DG15 and
// DG14's chip authentication keys use this encoding too.
func ParseSubjectPublicKeyInfo(der []byte) (crypto.PublicKey, error) {
	s, err := parseSPKI(der)
	if err != nil {
		return nil, err
	}
	return s.key, nil
}

func parseSPKI(der []byte) (spki, error) {
	var r rawSPKI
	if rest, err := asn1.Unmarshal(der, &r); err != nil || len(rest) != 0 {
		return spki{}, malformed("SubjectPublicKeyInfo", err)
	}
	bits := r.PublicKey.RightAlign()
	switch {
	case r.Algorithm.Algorithm.Equal(OIDRSAEncryption), r.Algorithm.Algorithm.Equal(OIDRSAPSS):
		k, err := parseRSAKey(bits)
		return spki{key: k}, err
	case r.Algorithm.Algorithm.Equal(OIDECPublicKey):
		return parseECKey(r.Algorithm.Parameters, bits)
	}
	return spki{}, fmt.Errorf("%w: public key algorithm %v", ErrUnsupported, r.Algorithm.Algorithm)
}

type pkcs1PublicKey struct {
	N *big.Int
	E *big.Int
}

func parseRSAKey(b []byte) (*rsa.PublicKey, error) {
	var k pkcs1PublicKey
	if rest, err := asn1.Unmarshal(b, &k); err != nil || len(rest) != 0 {
		return nil, malformed("RSA public key", err)
	}
	if k.N.Sign() <= 0 || k.E.Sign() <= 0 || !k.E.IsInt64() || k.E.Int64() > 1<<31-1 || k.N.BitLen() > 16384 {
		return nil, malformed("RSA public key values", nil)
	}
	return &rsa.PublicKey{N: k.N, E: int(k.E.Int64())}, nil
}

// ParseECParameters resolves an EC AlgorithmIdentifier parameters field
// (namedCurve OID or explicit ECParameters) to a known curve.
func ParseECParameters(params asn1.RawValue) (c *Curve, explicit bool, err error) {
	if params.Tag == asn1.TagOID && params.Class == asn1.ClassUniversal {
		var oid asn1.ObjectIdentifier
		if _, err := asn1.Unmarshal(params.FullBytes, &oid); err != nil {
			return nil, false, malformed("namedCurve", err)
		}
		c, ok := CurveByOID(oid)
		if !ok {
			return nil, false, fmt.Errorf("%w: named curve %v", ErrUnsupported, oid)
		}
		return c, false, nil
	}
	if params.Tag != asn1.TagSequence {
		return nil, false, malformed("EC parameters: neither OID nor ECParameters", nil)
	}
	var p ecParameters
	if rest, err := asn1.Unmarshal(params.FullBytes, &p); err != nil || len(rest) != 0 {
		return nil, false, malformed("ECParameters", err)
	}
	if !p.FieldID.FieldType.Equal(oidPrimeField) || p.FieldID.Prime == nil || p.Order == nil {
		return nil, false, fmt.Errorf("%w: EC field type %v", ErrUnsupported, p.FieldID.FieldType)
	}
	gx, gy, ok := splitBase(p.Base, p.FieldID.Prime)
	if !ok {
		return nil, false, malformed("ECParameters base point", nil)
	}
	c, ok = curveByParams(p.FieldID.Prime, new(big.Int).SetBytes(p.Curve.A), new(big.Int).SetBytes(p.Curve.B), gx, gy, p.Order)
	if !ok {
		return nil, true, fmt.Errorf("%w: explicit EC parameters match no known curve", ErrUnsupported)
	}
	if gy == nil && c.Gy.Bit(0) != uint(p.Base[0]&1) {
		return nil, true, malformed("ECParameters base point parity", nil)
	}
	return c, true, nil
}

// splitBase returns the base point coordinates; gy is nil for a compressed point.
func splitBase(b []byte, prime *big.Int) (gx, gy *big.Int, ok bool) {
	n := (prime.BitLen() + 7) / 8
	switch {
	case len(b) == 1+2*n && b[0] == 4:
		return new(big.Int).SetBytes(b[1 : 1+n]), new(big.Int).SetBytes(b[1+n:]), true
	case len(b) == 1+n && (b[0] == 2 || b[0] == 3):
		return new(big.Int).SetBytes(b[1:]), nil, true
	}
	return nil, nil, false
}

func parseECKey(params asn1.RawValue, point []byte) (spki, error) {
	c, explicit, err := ParseECParameters(params)
	if err != nil {
		return spki{}, err
	}
	x, y, ok := c.DecodePoint(point)
	if !ok {
		return spki{}, malformed("EC public key point not on "+c.Name, nil)
	}
	// Brainpool keys (the Vietnam CSCA) have no crypto/ecdh or
	// ParseUncompressedPublicKey support; the coordinates are the only way
	// to hand them to ecdsa.Verify with a custom elliptic.Curve.
	//lint:ignore SA1019 brainpool curves need the raw coordinates (see above)
	return spki{key: &ecdsa.PublicKey{Curve: c.Curve, X: x, Y: y}, curve: c, explicit: explicit}, nil
}

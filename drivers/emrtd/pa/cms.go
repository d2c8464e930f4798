package pa

import (
	"bytes"
	"crypto/subtle"
	"encoding/asn1"
	"fmt"
)

// MaxSignedDataSize bounds EF.SOD and master list inputs (a real SOD is a few
// KiB; master lists reach a few MiB).
const MaxSignedDataSize = 16 << 20

// maxCerts bounds the certificates parsed out of one SignedData.
const maxCerts = 4096

type contentInfo struct {
	ContentType asn1.ObjectIdentifier
	Content     asn1.RawValue `asn1:"explicit,tag:0"`
}

type rawSignedData struct {
	Version          int
	DigestAlgorithms asn1.RawValue
	EncapContent     encapContentInfo
	Certificates     asn1.RawValue   `asn1:"optional,tag:0"`
	CRLs             asn1.RawValue   `asn1:"optional,tag:1"`
	SignerInfos      []rawSignerInfo `asn1:"set"`
}

type encapContentInfo struct {
	ContentType asn1.ObjectIdentifier
	Content     []byte `asn1:"optional,explicit,tag:0"`
}

type rawSignerInfo struct {
	Version            int
	SID                asn1.RawValue
	DigestAlgorithm    AlgorithmIdentifier
	SignedAttrs        asn1.RawValue `asn1:"optional,tag:0"`
	SignatureAlgorithm AlgorithmIdentifier
	Signature          []byte
	UnsignedAttrs      asn1.RawValue `asn1:"optional,tag:1"`
}

type issuerAndSerial struct {
	Issuer asn1.RawValue
	Serial asn1.RawValue
}

type attribute struct {
	Type   asn1.ObjectIdentifier
	Values asn1.RawValue `asn1:"set"`
}

// SignerInfo is one CMS SignerInfo (RFC 5652 §5.3).
type SignerInfo struct {
	// Signer identifier: either IssuerAndSerialNumber or SubjectKeyIdentifier.
	RawIssuer          []byte
	RawSerial          []byte
	SubjectKeyID       []byte
	DigestAlgorithm    AlgorithmIdentifier
	SignatureAlgorithm AlgorithmIdentifier
	Signature          []byte
	// RawSignedAttrs is the DER of the signed attributes re-tagged as SET OF
	// (what is actually signed, RFC 5652 §5.4); nil when absent.
	RawSignedAttrs []byte
	ContentType    []byte // DER of the contentType attribute value
	MessageDigest  []byte // messageDigest attribute value
}

// SignedData is a parsed CMS SignedData (RFC 5652 §5.1).
type SignedData struct {
	ContentType  asn1.ObjectIdentifier // eContentType
	Content      []byte                // eContent octets
	Certificates []*Certificate        // the embedded certificates that parse
	SignerInfos  []SignerInfo
	// SkippedCertificates are embedded certificates that do not parse
	// (Index counts from 1 in the certificates field); a signer is never
	// looked for among them.
	SkippedCertificates []Skip
	// Warnings name BER forms met in the input (see normalizeBER).
	Warnings []string
}

// ParseSignedData parses a ContentInfo holding SignedData with an
// encapsulated content. BER input is re-encoded as DER first when that is
// unambiguous, and Warnings says so. An embedded certificate that does not
// parse is left out (SkippedCertificates), not fatal: the signer is still
// required to be among those that do.
func ParseSignedData(b []byte) (*SignedData, error) {
	if len(b) > MaxSignedDataSize {
		return nil, malformed("SignedData too large", nil)
	}
	der, rest, notes, err := normalizeBER(b) // a fresh copy: results never alias b
	if err != nil {
		return nil, fmt.Errorf("pa: ContentInfo: %w", err)
	}
	if len(rest) != 0 {
		return nil, malformed("ContentInfo: trailing data", nil)
	}
	var ci contentInfo
	if rest, err := asn1.Unmarshal(der, &ci); err != nil || len(rest) != 0 {
		return nil, malformed("ContentInfo", err)
	}
	if !ci.ContentType.Equal(oidSignedData) {
		return nil, malformed(fmt.Sprintf("ContentInfo type %v is not signedData", ci.ContentType), nil)
	}
	var sd rawSignedData
	if rest, err := asn1.Unmarshal(ci.Content.Bytes, &sd); err != nil || len(rest) != 0 {
		return nil, malformed("SignedData", err)
	}
	if sd.EncapContent.Content == nil {
		return nil, malformed("SignedData without encapsulated content", nil)
	}
	out := &SignedData{ContentType: sd.EncapContent.ContentType, Content: sd.EncapContent.Content}
	for _, n := range notes {
		out.Warnings = append(out.Warnings, "not DER: "+n)
	}
	if out.Certificates, out.SkippedCertificates, err = parseCertSet(sd.Certificates.Bytes); err != nil {
		return nil, err
	}
	if len(sd.SignerInfos) == 0 {
		return nil, malformed("SignedData without signerInfos", nil)
	}
	for _, rsi := range sd.SignerInfos {
		si, err := parseSignerInfo(rsi)
		if err != nil {
			return nil, err
		}
		out.SignerInfos = append(out.SignerInfos, si)
	}
	return out, nil
}

// parseCertSet parses the content of a [0] IMPLICIT CertificateSet; other
// certificate choices (attribute certificates, tagged) are ignored and
// certificates that do not parse are returned as skips.
func parseCertSet(b []byte) ([]*Certificate, []Skip, error) {
	var certs []*Certificate
	var skips []Skip
	for i := 1; len(b) > 0; i++ {
		var rv asn1.RawValue
		rest, err := asn1.Unmarshal(b, &rv)
		if err != nil {
			return nil, nil, malformed("certificates", err)
		}
		b = rest
		if rv.Class != asn1.ClassUniversal || rv.Tag != asn1.TagSequence {
			continue
		}
		if len(certs)+len(skips) >= maxCerts {
			return nil, nil, malformed("too many certificates", nil)
		}
		c, err := ParseCertificate(rv.FullBytes)
		if err != nil {
			skips = append(skips, skipFor(rv.FullBytes, err, i))
			continue
		}
		certs = append(certs, c)
	}
	return certs, skips, nil
}

func parseSignerInfo(r rawSignerInfo) (SignerInfo, error) {
	si := SignerInfo{
		DigestAlgorithm:    r.DigestAlgorithm,
		SignatureAlgorithm: r.SignatureAlgorithm,
		Signature:          r.Signature,
	}
	switch {
	case r.SID.Class == asn1.ClassUniversal && r.SID.Tag == asn1.TagSequence:
		var ias issuerAndSerial
		if rest, err := asn1.Unmarshal(r.SID.FullBytes, &ias); err != nil || len(rest) != 0 || ias.Serial.Tag != asn1.TagInteger {
			return si, malformed("SignerInfo issuerAndSerialNumber", err)
		}
		si.RawIssuer, si.RawSerial = ias.Issuer.FullBytes, ias.Serial.Bytes
	case r.SID.Class == asn1.ClassContextSpecific && r.SID.Tag == 0 && !r.SID.IsCompound:
		si.SubjectKeyID = r.SID.Bytes
	default:
		return si, malformed("SignerInfo sid", nil)
	}
	if len(r.SignedAttrs.FullBytes) == 0 {
		return si, nil
	}
	// RFC 5652 §5.4: the signature covers the attributes with an explicit SET OF tag.
	signed := bytes.Clone(r.SignedAttrs.FullBytes)
	signed[0] = 0x31
	si.RawSignedAttrs = signed
	return si, si.parseAttrs(r.SignedAttrs.Bytes)
}

func (si *SignerInfo) parseAttrs(b []byte) error {
	for len(b) > 0 {
		var a attribute
		rest, err := asn1.Unmarshal(b, &a)
		if err != nil {
			return malformed("signed attribute", err)
		}
		b = rest
		var v asn1.RawValue
		if rest, err := asn1.Unmarshal(a.Values.Bytes, &v); err != nil || len(rest) != 0 {
			return malformed(fmt.Sprintf("signed attribute %v: exactly one value", a.Type), err)
		}
		switch {
		case a.Type.Equal(oidAttrContentType):
			if si.ContentType != nil {
				return malformed("duplicate contentType attribute", nil)
			}
			si.ContentType = v.FullBytes
		case a.Type.Equal(oidAttrMessageDigest):
			if si.MessageDigest != nil || v.Tag != asn1.TagOctetString {
				return malformed("messageDigest attribute", nil)
			}
			si.MessageDigest = v.Bytes
		}
	}
	if si.ContentType == nil || si.MessageDigest == nil {
		return malformed("signed attributes lack contentType or messageDigest", nil)
	}
	return nil
}

// SignerMatch says how FindSigner chose the signer's certificate.
type SignerMatch int

// How a SignerInfo's sid (RFC 5652 §5.3) was matched.
const (
	// MatchExact: the issuerAndSerialNumber or subjectKeyIdentifier names
	// the certificate byte for byte.
	MatchExact SignerMatch = iota + 1
	// MatchNormalizedIssuer: same serial number, and the issuer names hold
	// the same attributes after RFC 5280 §7.1 normalisation, in any order.
	MatchNormalizedIssuer
	// MatchOnlyCertificate: the sid names no embedded certificate, and
	// there is exactly one; it is used because the signature check that
	// follows decides, not the sid.
	MatchOnlyCertificate
)

// FindSigner returns the embedded certificate the SignerInfo names, and how
// it was matched. Real readers accept a sid whose issuer lists its RDNs in
// another order than the certificate, or a lone embedded certificate; so
// does this, because only the certificate's key, checked against the
// signature and chained to a CSCA, makes a document genuine — the sid is a
// hint for finding that key.
func (sd *SignedData) FindSigner(si *SignerInfo) (*Certificate, SignerMatch, bool) {
	for _, c := range sd.Certificates {
		if si.Matches(c) {
			return c, MatchExact, true
		}
	}
	if si.SubjectKeyID == nil {
		for _, c := range sd.Certificates {
			if bytes.Equal(trimInt(si.RawSerial), trimInt(c.RawSerial)) && namesEquivalent(si.RawIssuer, c.RawIssuer) {
				return c, MatchNormalizedIssuer, true
			}
		}
	}
	if len(sd.Certificates) == 1 && len(sd.SkippedCertificates) == 0 {
		return sd.Certificates[0], MatchOnlyCertificate, true
	}
	return nil, 0, false
}

// matchWarning explains a signer match that was not exact ("" if it was).
func matchWarning(si *SignerInfo, c *Certificate, m SignerMatch) string {
	switch m {
	case MatchNormalizedIssuer:
		return fmt.Sprintf("SignerInfo names the issuer %q, the certificate %q: same attributes in another order or spacing, matched as RFC 5280 §7.1 compares names",
			nameInOrder(si.RawIssuer), nameInOrder(c.RawIssuer))
	case MatchOnlyCertificate:
		if si.SubjectKeyID != nil {
			return fmt.Sprintf("SignerInfo names subject key %X, which the only embedded certificate (%s) does not carry; used that certificate", si.SubjectKeyID, c.Subject)
		}
		return fmt.Sprintf("SignerInfo names issuer %s serial %s, not the only embedded certificate (%s, serial %s); used that certificate",
			nameString(si.RawIssuer), serialString(si.RawSerial), c.Subject, c.SerialNumber)
	}
	return ""
}

// Matches reports whether c is the certificate si's sid identifies exactly.
func (si *SignerInfo) Matches(c *Certificate) bool {
	if si.SubjectKeyID != nil {
		return bytes.Equal(si.SubjectKeyID, c.SubjectKeyID)
	}
	return bytes.Equal(si.RawIssuer, c.RawIssuer) && bytes.Equal(trimInt(si.RawSerial), trimInt(c.RawSerial))
}

// trimInt drops redundant leading sign bytes of an INTEGER encoding.
func trimInt(b []byte) []byte {
	for len(b) > 1 && ((b[0] == 0 && b[1]&0x80 == 0) || (b[0] == 0xff && b[1]&0x80 != 0)) {
		b = b[1:]
	}
	return b
}

// VerifySigner checks si's signature by cert over the encapsulated content:
// with signed attributes, contentType must equal eContentType, messageDigest
// must equal the content's digest, and the signature covers the attributes
// (RFC 5652 §5.4, §11); without them it covers the content directly.
func (sd *SignedData) VerifySigner(si *SignerInfo, cert *Certificate) error {
	ha, ok := lookupHash(si.DigestAlgorithm.Algorithm)
	if !ok {
		return fmt.Errorf("%w: digest algorithm %v", ErrUnsupported, si.DigestAlgorithm.Algorithm)
	}
	signed := sd.Content
	if si.RawSignedAttrs != nil {
		var ct asn1.ObjectIdentifier
		if rest, err := asn1.Unmarshal(si.ContentType, &ct); err != nil || len(rest) != 0 || !ct.Equal(sd.ContentType) {
			return fmt.Errorf("%w: contentType attribute differs from eContentType", ErrBadSignature)
		}
		h := ha.hash.New()
		h.Write(sd.Content)
		if subtle.ConstantTimeCompare(h.Sum(nil), si.MessageDigest) != 1 {
			return fmt.Errorf("%w: messageDigest attribute does not match the content", ErrBadSignature)
		}
		signed = si.RawSignedAttrs
	}
	return VerifySignature(cert.PublicKey, si.SignatureAlgorithm, ha.hash, signed, si.Signature)
}

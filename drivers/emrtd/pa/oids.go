package pa

import (
	"crypto"
	"encoding/asn1"
)

// Object identifiers used by CMS (RFC 5652), X.509 (RFC 5280), RFC 4055,
// RFC 5639, SEC 2, BSI TR-03111 and ICAO 9303-10/-12.
var (
	oidSignedData        = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 2}
	oidAttrContentType   = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 3}
	oidAttrMessageDigest = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 4}

	// OIDLDSSecurityObject is id-icao-mrtd-security-ldsSecurityObject (ICAO 9303-10 §4.6.2).
	OIDLDSSecurityObject = asn1.ObjectIdentifier{2, 23, 136, 1, 1, 1}
	// OIDCSCAMasterList is id-icao-cscaMasterList (ICAO 9303-12 §9).
	OIDCSCAMasterList = asn1.ObjectIdentifier{2, 23, 136, 1, 1, 2}

	oidSHA1   = asn1.ObjectIdentifier{1, 3, 14, 3, 2, 26}
	oidSHA256 = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 1}
	oidSHA384 = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 2}
	oidSHA512 = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 3}
	oidSHA224 = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 4}

	// OIDECPublicKey is id-ecPublicKey (RFC 5480).
	OIDECPublicKey = asn1.ObjectIdentifier{1, 2, 840, 10045, 2, 1}
	oidPrimeField  = asn1.ObjectIdentifier{1, 2, 840, 10045, 1, 1}
	// OIDRSAEncryption is rsaEncryption (RFC 8017).
	OIDRSAEncryption = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 1}
	// OIDRSAPSS is id-RSASSA-PSS (RFC 4055).
	OIDRSAPSS = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 10}
	oidMGF1   = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 8}

	// OIDECDSAWithSHA1 is ecdsa-with-SHA1 (X9.62, RFC 3279).
	OIDECDSAWithSHA1 = asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 1}
	// OIDECDSAWithSHA224 is ecdsa-with-SHA224 (RFC 5758).
	OIDECDSAWithSHA224 = asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 1}
	// OIDECDSAWithSHA256 is ecdsa-with-SHA256 (RFC 5758).
	OIDECDSAWithSHA256 = asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 2}
	// OIDECDSAWithSHA384 is ecdsa-with-SHA384 (RFC 5758).
	OIDECDSAWithSHA384 = asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 3}
	// OIDECDSAWithSHA512 is ecdsa-with-SHA512 (RFC 5758), what the Vietnam CSCA uses.
	OIDECDSAWithSHA512 = asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 4}

	oidExtSubjectKeyID    = asn1.ObjectIdentifier{2, 5, 29, 14}
	oidExtKeyUsage        = asn1.ObjectIdentifier{2, 5, 29, 15}
	oidExtBasicConstraint = asn1.ObjectIdentifier{2, 5, 29, 19}
	oidExtAuthorityKeyID  = asn1.ObjectIdentifier{2, 5, 29, 35}
)

// hashAlg maps a digest algorithm OID to a crypto.Hash.
type hashAlg struct {
	oid  asn1.ObjectIdentifier
	hash crypto.Hash
	name string
}

var hashAlgs = []hashAlg{
	{oidSHA1, crypto.SHA1, "SHA-1"},
	{oidSHA224, crypto.SHA224, "SHA-224"},
	{oidSHA256, crypto.SHA256, "SHA-256"},
	{oidSHA384, crypto.SHA384, "SHA-384"},
	{oidSHA512, crypto.SHA512, "SHA-512"},
}

// sigKind says how a signature algorithm OID is verified.
type sigKind int

const (
	sigECDSA        sigKind = iota + 1 // X9.62 DER SEQUENCE { r, s }
	sigECDSAPlain                      // BSI TR-03111 plain r || s
	sigRSAPKCS1                        // RSASSA-PKCS1-v1_5
	sigRSAPSS                          // RSASSA-PSS, hash from parameters
	sigRSAPKCS1Hash                    // rsaEncryption as signature OID: hash from the digest algorithm
)

type sigAlg struct {
	oid  asn1.ObjectIdentifier
	kind sigKind
	hash crypto.Hash
	name string
}

var sigAlgs = []sigAlg{
	{OIDECDSAWithSHA1, sigECDSA, crypto.SHA1, "ecdsa-with-SHA1"},
	{OIDECDSAWithSHA224, sigECDSA, crypto.SHA224, "ecdsa-with-SHA224"},
	{OIDECDSAWithSHA256, sigECDSA, crypto.SHA256, "ecdsa-with-SHA256"},
	{OIDECDSAWithSHA384, sigECDSA, crypto.SHA384, "ecdsa-with-SHA384"},
	{OIDECDSAWithSHA512, sigECDSA, crypto.SHA512, "ecdsa-with-SHA512"},
	{asn1.ObjectIdentifier{0, 4, 0, 127, 0, 7, 1, 1, 4, 1, 1}, sigECDSAPlain, crypto.SHA1, "ecdsa-plain-SHA1"},
	{asn1.ObjectIdentifier{0, 4, 0, 127, 0, 7, 1, 1, 4, 1, 2}, sigECDSAPlain, crypto.SHA224, "ecdsa-plain-SHA224"},
	{asn1.ObjectIdentifier{0, 4, 0, 127, 0, 7, 1, 1, 4, 1, 3}, sigECDSAPlain, crypto.SHA256, "ecdsa-plain-SHA256"},
	{asn1.ObjectIdentifier{0, 4, 0, 127, 0, 7, 1, 1, 4, 1, 4}, sigECDSAPlain, crypto.SHA384, "ecdsa-plain-SHA384"},
	{asn1.ObjectIdentifier{0, 4, 0, 127, 0, 7, 1, 1, 4, 1, 5}, sigECDSAPlain, crypto.SHA512, "ecdsa-plain-SHA512"},
	{asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 5}, sigRSAPKCS1, crypto.SHA1, "sha1WithRSAEncryption"},
	{asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 14}, sigRSAPKCS1, crypto.SHA224, "sha224WithRSAEncryption"},
	{asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 11}, sigRSAPKCS1, crypto.SHA256, "sha256WithRSAEncryption"},
	{asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 12}, sigRSAPKCS1, crypto.SHA384, "sha384WithRSAEncryption"},
	{asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 13}, sigRSAPKCS1, crypto.SHA512, "sha512WithRSAEncryption"},
	{OIDRSAPSS, sigRSAPSS, 0, "RSASSA-PSS"},
	{OIDRSAEncryption, sigRSAPKCS1Hash, 0, "rsaEncryption"},
}

func lookupHash(oid asn1.ObjectIdentifier) (hashAlg, bool) {
	for _, h := range hashAlgs {
		if h.oid.Equal(oid) {
			return h, true
		}
	}
	return hashAlg{}, false
}

func lookupSig(oid asn1.ObjectIdentifier) (sigAlg, bool) {
	for _, s := range sigAlgs {
		if s.oid.Equal(oid) {
			return s, true
		}
	}
	return sigAlg{}, false
}

// HashOID returns the digest AlgorithmIdentifier OID of h (SHA-1/224/256/384/512).
func HashOID(h crypto.Hash) (asn1.ObjectIdentifier, bool) {
	for _, a := range hashAlgs {
		if a.hash == h {
			return a.oid, true
		}
	}
	return nil, false
}

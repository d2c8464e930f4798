// Package pa implements Passive Authentication of an eMRTD (ICAO Doc 9303-11
// §5.1, Doc 9303-12): it parses EF.SOD (tag 0x77 wrapping a CMS SignedData,
// RFC 5652) whose content is the LDSSecurityObject (ICAO 9303-10 §4.6.2),
// verifies the Document Signer (DS) signature over it, chains the DS
// certificate to a Country Signing CA (CSCA) certificate held in a TrustStore
// (PEM/DER certificates and ICAO CSCA master lists), checks validity dates and
// compares every data group's hash with the value the SOD lists.
//
// Certificates, SignedData and public keys are parsed with encoding/asn1 and
// not crypto/x509, because crypto/x509 rejects EC keys with explicit domain
// parameters (the Vietnam CSCA is ECDSA-SHA512 on brainpoolP512r1 with
// explicit parameters in its SubjectPublicKeyInfo). Explicit parameters are
// accepted only when they equal a known curve (p, a, b, G, n compared).
// Brainpool curves come from drivers/emrtd/internal/weier.
//
// Supported signatures: ECDSA (X9.62 DER and BSI TR-03111 plain r||s) with
// SHA-1/224/256/384/512 on NIST P-224/256/384/521 and brainpoolP256r1,
// brainpoolP384r1, brainpoolP512r1; RSA PKCS#1 v1.5 and RSASSA-PSS (RFC 4055 parameters).
//
// Documents in circulation do not all follow the letter of the standards,
// so: a CSCA master list or trust folder keeps every usable certificate
// and records the others with their reason (Skip), since one certificate
// breaking DER must not cost every other anchor; EF.SOD may be BER where
// its DER re-encoding is unambiguous (X.690), with a warning; and the
// SignerInfo's sid may name the signer's issuer with its RDNs in another
// order (RFC 5280 §7.1 normalisation) or not at all when only one
// certificate is embedded — the signature and the chain still decide.
//
// Every parser here takes hostile bytes from a card or a file: lengths are
// bounded and errors wrap ErrMalformed; nothing panics. Callers branch on the
// sentinel errors (ErrHashMismatch, ErrBadSignature, ErrUntrustedSigner,
// ErrExpiredSigner, ErrNoTrustAnchor, ErrMalformed, ErrUnsupported,
// ErrNotCA).
//
// This package stands alone: it must not import drivers/emrtd (which calls
// into it) nor drivers/emrtd/testpki (test support only; tests may use it).
package pa

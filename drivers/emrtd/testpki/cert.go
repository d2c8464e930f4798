package testpki

//lint:file-ignore SA1019 brainpool curves exist only as elliptic.Curve with big.Int coordinates; crypto/ecdsa offers no non-deprecated API for non-NIST curves.

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/sha1"
	"crypto/x509/pkix"
	"encoding/asn1"
	"fmt"
	"math/big"
	"time"

	"github.com/kiosk06/kiosk/drivers/emrtd/pa"
)

var (
	oidPrimeField      = asn1.ObjectIdentifier{1, 2, 840, 10045, 1, 1}
	oidExtSKI          = asn1.ObjectIdentifier{2, 5, 29, 14}
	oidExtKeyUsage     = asn1.ObjectIdentifier{2, 5, 29, 15}
	oidExtBasicConstr  = asn1.ObjectIdentifier{2, 5, 29, 19}
	oidExtAKI          = asn1.ObjectIdentifier{2, 5, 29, 35}
	oidExtDocumentType = asn1.ObjectIdentifier{2, 23, 136, 1, 1, 6, 2} // ICAO 9303-12 §7.1.1.1 DocumentTypeList

)

// Authority is a certificate authority (a CSCA) and its private key.
type Authority struct {
	Cert    *pa.Certificate
	DER     []byte
	Key     *ecdsa.PrivateKey
	name    []byte // subject Name DER
	skid    []byte
	sigHash crypto.Hash
}

// Signer is a Document Signer (or master list signer) and its private key.
type Signer struct {
	Cert *pa.Certificate
	DER  []byte
	Key  *ecdsa.PrivateKey
	Hash crypto.Hash // hash used for the LDS, messageDigest and signature
	// SIDKeyID makes SignSOD name the signer by subjectKeyIdentifier
	// instead of issuerAndSerialNumber.
	SIDKeyID bool
}

type ecParameters struct {
	Version  int
	FieldID  fieldID
	Curve    ecCurve
	Base     []byte
	Order    *big.Int
	Cofactor *big.Int
}

type fieldID struct {
	FieldType asn1.ObjectIdentifier
	Prime     *big.Int
}

type ecCurve struct {
	A, B []byte
}

type spkiDER struct {
	Algorithm pa.AlgorithmIdentifier
	PublicKey asn1.BitString
}

// ECPublicKeyInfo encodes an EC public key as a SubjectPublicKeyInfo, with a
// namedCurve OID or, when explicit, full ECParameters (SEC 1 §C.2).
func ECPublicKeyInfo(pub *ecdsa.PublicKey, explicit bool) ([]byte, error) {
	c, ok := pa.CurveOf(pub.Curve)
	if !ok {
		return nil, fmt.Errorf("testpki: unsupported curve %s", pub.Curve.Params().Name)
	}
	var params []byte
	var err error
	if explicit {
		n := c.ByteLen()
		params, err = asn1.Marshal(ecParameters{
			Version:  1,
			FieldID:  fieldID{oidPrimeField, c.P},
			Curve:    ecCurve{A: c.A.FillBytes(make([]byte, n)), B: c.B.FillBytes(make([]byte, n))},
			Base:     c.EncodePoint(c.Gx, c.Gy),
			Order:    c.N,
			Cofactor: big.NewInt(1),
		})
	} else {
		params, err = asn1.Marshal(c.OID)
	}
	if err != nil {
		return nil, err
	}
	point := c.EncodePoint(pub.X, pub.Y)
	return asn1.Marshal(spkiDER{
		Algorithm: pa.AlgorithmIdentifier{Algorithm: pa.OIDECPublicKey, Parameters: asn1.RawValue{FullBytes: params}},
		PublicKey: asn1.BitString{Bytes: point, BitLength: 8 * len(point)},
	})
}

type tbsCertificate struct {
	Version    int `asn1:"explicit,tag:0"`
	Serial     *big.Int
	SigAlg     pa.AlgorithmIdentifier
	Issuer     asn1.RawValue
	Validity   validity
	Subject    asn1.RawValue
	SPKI       asn1.RawValue
	Extensions []extension `asn1:"explicit,tag:3"`
}

type validity struct {
	NotBefore, NotAfter time.Time
}

type extension struct {
	ID       asn1.ObjectIdentifier
	Critical bool `asn1:"optional"`
	Value    []byte
}

type certificate struct {
	TBS       asn1.RawValue
	SigAlg    pa.AlgorithmIdentifier
	Signature asn1.BitString
}

// certTemplate is what a certificate says; issue signs it.
type certTemplate struct {
	serial              int64
	subject             pkix.Name
	notBefore, notAfter time.Time
	pub                 *ecdsa.PublicKey
	explicit            bool
	ca                  bool
}

func sigAlgFor(h crypto.Hash) (asn1.ObjectIdentifier, error) {
	switch h {
	case crypto.SHA256:
		return pa.OIDECDSAWithSHA256, nil
	case crypto.SHA384:
		return pa.OIDECDSAWithSHA384, nil
	case crypto.SHA512:
		return pa.OIDECDSAWithSHA512, nil
	}
	return nil, fmt.Errorf("testpki: no ECDSA algorithm for %v", h)
}

func encodeName(n pkix.Name) ([]byte, error) { return asn1.Marshal(n.ToRDNSequence()) }

func keyID(spki []byte) ([]byte, error) {
	var s spkiDER
	if _, err := asn1.Unmarshal(spki, &s); err != nil {
		return nil, err
	}
	sum := sha1.Sum(s.PublicKey.Bytes) // RFC 5280 §4.2.1.2 method (1)
	return sum[:], nil
}

// issue builds and signs a certificate. issuerName/issuerKey/issuerSKID
// describe the signer; for a self-signed CSCA they are the template's own.
func issue(t certTemplate, issuerName, issuerSKID []byte, issuerKey *ecdsa.PrivateKey, h crypto.Hash) ([]byte, error) {
	sigOID, err := sigAlgFor(h)
	if err != nil {
		return nil, err
	}
	subject, err := encodeName(t.subject)
	if err != nil {
		return nil, err
	}
	spki, err := ECPublicKeyInfo(t.pub, t.explicit)
	if err != nil {
		return nil, err
	}
	exts, err := extensions(t, spki, issuerSKID)
	if err != nil {
		return nil, err
	}
	if issuerName == nil {
		issuerName = subject
	}
	alg := pa.AlgorithmIdentifier{Algorithm: sigOID}
	tbs, err := asn1.Marshal(tbsCertificate{
		Version: 2, Serial: big.NewInt(t.serial), SigAlg: alg,
		Issuer:   asn1.RawValue{FullBytes: issuerName},
		Validity: validity{t.notBefore.UTC(), t.notAfter.UTC()},
		Subject:  asn1.RawValue{FullBytes: subject}, SPKI: asn1.RawValue{FullBytes: spki},
		Extensions: exts,
	})
	if err != nil {
		return nil, err
	}
	sig, err := SignECDSA(issuerKey, h, tbs)
	if err != nil {
		return nil, err
	}
	return asn1.Marshal(certificate{TBS: asn1.RawValue{FullBytes: tbs}, SigAlg: alg,
		Signature: asn1.BitString{Bytes: sig, BitLength: 8 * len(sig)}})
}

type basicConstraints struct {
	IsCA       bool `asn1:"optional"`
	MaxPathLen int  `asn1:"optional,default:-1"`
}

type authorityKeyID struct {
	ID []byte `asn1:"optional,tag:0"`
}

// extensions follow the ICAO 9303-12 §7.1.1 CSCA and DS profiles.
func extensions(t certTemplate, spki, issuerSKID []byte) ([]extension, error) {
	skid, err := keyID(spki)
	if err != nil {
		return nil, err
	}
	if issuerSKID == nil {
		issuerSKID = skid
	}
	ku := asn1.BitString{Bytes: []byte{0x80}, BitLength: 1} // digitalSignature
	if t.ca {
		ku = asn1.BitString{Bytes: []byte{0x06}, BitLength: 7} // keyCertSign, cRLSign
	}
	var exts []extension
	add := func(id asn1.ObjectIdentifier, critical bool, v any) {
		if err != nil {
			return
		}
		var b []byte
		b, err = asn1.Marshal(v)
		exts = append(exts, extension{id, critical, b})
	}
	add(oidExtAKI, false, authorityKeyID{ID: issuerSKID})
	add(oidExtSKI, false, skid)
	add(oidExtKeyUsage, true, ku)
	if t.ca {
		add(oidExtBasicConstr, true, basicConstraints{IsCA: true, MaxPathLen: 0})
	} else {
		var doc []byte
		if doc, err = asn1.MarshalWithParams(documentTypeListTag, "printable"); err != nil {
			return nil, err
		}
		add(oidExtDocumentType, false, struct {
			Version int
			Types   asn1.RawValue
		}{0, asn1.RawValue{FullBytes: tlv([]byte{0x31}, doc)}})
	}
	return exts, err
}

// NewCSCA derives a self-signed CSCA: ECDSA-SHA512 on brainpoolP512r1 with
// explicit domain parameters (like Vietnam's), valid [notBefore, notAfter].
func NewCSCA(seed []byte, label string, subject pkix.Name, notBefore, notAfter time.Time) (*Authority, error) {
	key, err := DeriveKey(seed, label, "brainpoolP512r1")
	if err != nil {
		return nil, err
	}
	t := certTemplate{serial: 1, subject: subject, notBefore: notBefore, notAfter: notAfter,
		pub: &key.PublicKey, explicit: true, ca: true}
	der, err := issue(t, nil, nil, key, crypto.SHA512)
	if err != nil {
		return nil, fmt.Errorf("testpki: CSCA: %w", err)
	}
	c, err := pa.ParseCertificate(der)
	if err != nil {
		return nil, fmt.Errorf("testpki: CSCA does not parse: %w", err)
	}
	return &Authority{Cert: c, DER: der, Key: key, name: c.RawSubject, skid: c.SubjectKeyID, sigHash: crypto.SHA512}, nil
}

// NewSigner derives a Document Signer key on curve (e.g. "brainpoolP256r1",
// "P-256"), certified by a with serial number serial; it signs with hash h.
func (a *Authority) NewSigner(seed []byte, label, curve string, serial int64, subject pkix.Name, notBefore, notAfter time.Time, h crypto.Hash) (*Signer, error) {
	key, err := DeriveKey(seed, label, curve)
	if err != nil {
		return nil, err
	}
	t := certTemplate{serial: serial, subject: subject, notBefore: notBefore, notAfter: notAfter, pub: &key.PublicKey}
	der, err := issue(t, a.name, a.skid, a.Key, a.sigHash)
	if err != nil {
		return nil, fmt.Errorf("testpki: signer %s: %w", label, err)
	}
	c, err := pa.ParseCertificate(der)
	if err != nil {
		return nil, fmt.Errorf("testpki: signer %s does not parse: %w", label, err)
	}
	return &Signer{Cert: c, DER: der, Key: key, Hash: h}, nil
}

// documentTypeListTag is the document type a DS may sign (ICAO 9303-12 §7.1.1.1).
const documentTypeListTag = "ID"

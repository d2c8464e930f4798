package testpki

import (
	"bytes"
	"encoding/asn1"
	"fmt"
	"sort"

	"github.com/kiosk06/kiosk/drivers/emrtd/pa"
)

var (
	oidSignedData        = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 2}
	oidAttrContentType   = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 3}
	oidAttrMessageDigest = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 4}
)

type dataGroupHash struct {
	Number int
	Hash   []byte
}

type ldsVersionInfo struct {
	LDSVersion     string `asn1:"printable"`
	UnicodeVersion string `asn1:"printable"`
}

type ldsSecurityObject struct {
	Version       int
	HashAlgorithm pa.AlgorithmIdentifier
	Hashes        []dataGroupHash
	VersionInfo   ldsVersionInfo
}

// SignSOD hashes dgs (data group number → file bytes as stored on the chip)
// and returns EF.SOD (tag 0x77 around a CMS SignedData over an
// LDSSecurityObject V1, ICAO 9303-10 §4.6.2) signed by signer.
func SignSOD(dgs map[int][]byte, signer *Signer) ([]byte, error) {
	hashOID, ok := pa.HashOID(signer.Hash)
	if !ok {
		return nil, fmt.Errorf("testpki: SignSOD: unsupported hash %v", signer.Hash)
	}
	nums := make([]int, 0, len(dgs))
	for n := range dgs {
		nums = append(nums, n)
	}
	sort.Ints(nums)
	lds := ldsSecurityObject{Version: 1, HashAlgorithm: pa.AlgorithmIdentifier{Algorithm: hashOID},
		VersionInfo: ldsVersionInfo{"0108", "040000"}}
	for _, n := range nums {
		h := signer.Hash.New()
		h.Write(dgs[n])
		lds.Hashes = append(lds.Hashes, dataGroupHash{n, h.Sum(nil)})
	}
	content, err := asn1.Marshal(lds)
	if err != nil {
		return nil, err
	}
	sd, err := signedData(pa.OIDLDSSecurityObject, content, signer)
	if err != nil {
		return nil, fmt.Errorf("testpki: SignSOD: %w", err)
	}
	return tlv([]byte{pa.TagSOD}, sd), nil
}

type contentInfo struct {
	ContentType asn1.ObjectIdentifier
	Content     asn1.RawValue // [0] EXPLICIT, built by hand
}

type encapContentInfo struct {
	ContentType asn1.ObjectIdentifier
	Content     []byte `asn1:"explicit,tag:0"`
}

type signedDataDER struct {
	Version          int
	DigestAlgorithms []pa.AlgorithmIdentifier `asn1:"set"`
	EncapContent     encapContentInfo
	Certificates     asn1.RawValue   `asn1:"tag:0"`
	SignerInfos      []signerInfoDER `asn1:"set"`
}

type issuerAndSerial struct {
	Issuer asn1.RawValue
	Serial asn1.RawValue
}

type signerInfoDER struct {
	Version            int
	SID                asn1.RawValue
	DigestAlgorithm    pa.AlgorithmIdentifier
	SignedAttrs        asn1.RawValue
	SignatureAlgorithm pa.AlgorithmIdentifier
	Signature          []byte
}

type attribute struct {
	Type   asn1.ObjectIdentifier
	Values []asn1.RawValue `asn1:"set"`
}

// signedData builds a DER ContentInfo/SignedData (RFC 5652 §5) with signed
// attributes contentType and messageDigest, the signer certificate embedded
// and the signer named by issuerAndSerialNumber.
func signedData(contentType asn1.ObjectIdentifier, content []byte, signer *Signer) ([]byte, error) {
	hashOID, _ := pa.HashOID(signer.Hash)
	sigOID, err := sigAlgFor(signer.Hash)
	if err != nil {
		return nil, err
	}
	h := signer.Hash.New()
	h.Write(content)
	attrs, err := signedAttrs(contentType, h.Sum(nil))
	if err != nil {
		return nil, err
	}
	sig, err := SignECDSA(signer.Key, signer.Hash, tlv([]byte{0x31}, attrs))
	if err != nil {
		return nil, err
	}
	sid, version, err := signerID(signer)
	if err != nil {
		return nil, err
	}
	si := signerInfoDER{
		Version:            version,
		SID:                asn1.RawValue{FullBytes: sid},
		DigestAlgorithm:    pa.AlgorithmIdentifier{Algorithm: hashOID},
		SignedAttrs:        asn1.RawValue{FullBytes: tlv([]byte{0xA0}, attrs)},
		SignatureAlgorithm: pa.AlgorithmIdentifier{Algorithm: sigOID},
		Signature:          sig,
	}
	sd, err := asn1.Marshal(signedDataDER{
		Version:          3,
		DigestAlgorithms: []pa.AlgorithmIdentifier{{Algorithm: hashOID}},
		EncapContent:     encapContentInfo{contentType, content},
		Certificates:     asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 0, IsCompound: true, Bytes: signer.DER},
		SignerInfos:      []signerInfoDER{si},
	})
	if err != nil {
		return nil, err
	}
	return asn1.Marshal(contentInfo{oidSignedData, asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 0, IsCompound: true, Bytes: sd}})
}

// signerID encodes the SignerIdentifier and the SignerInfo version it
// implies (RFC 5652 §5.3): issuerAndSerialNumber → 1, subjectKeyIdentifier → 3.
func signerID(signer *Signer) ([]byte, int, error) {
	if signer.SIDKeyID {
		return tlv([]byte{0x80}, signer.Cert.SubjectKeyID), 3, nil
	}
	b, err := asn1.Marshal(issuerAndSerial{Issuer: asn1.RawValue{FullBytes: signer.Cert.RawIssuer},
		Serial: asn1.RawValue{Tag: asn1.TagInteger, Bytes: signer.Cert.RawSerial}})
	return b, 1, err
}

// signedAttrs returns the DER-sorted content of the SET OF Attribute.
func signedAttrs(contentType asn1.ObjectIdentifier, digest []byte) ([]byte, error) {
	ct, err := asn1.Marshal(contentType)
	if err != nil {
		return nil, err
	}
	md, err := asn1.Marshal(digest)
	if err != nil {
		return nil, err
	}
	var elems [][]byte
	for _, a := range []attribute{
		{oidAttrContentType, []asn1.RawValue{{FullBytes: ct}}},
		{oidAttrMessageDigest, []asn1.RawValue{{FullBytes: md}}},
	} {
		b, err := asn1.Marshal(a)
		if err != nil {
			return nil, err
		}
		elems = append(elems, b)
	}
	return derSetContent(elems), nil
}

// derSetContent concatenates SET OF elements in DER order (X.690 §11.6).
func derSetContent(elems [][]byte) []byte {
	sort.Slice(elems, func(i, j int) bool { return bytes.Compare(elems[i], elems[j]) < 0 })
	return bytes.Join(elems, nil)
}

// tlv encodes tag || length (BER definite form) || value.
func tlv(tag []byte, value []byte) []byte {
	out := append([]byte{}, tag...)
	n := len(value)
	switch {
	case n < 0x80:
		out = append(out, byte(n))
	case n < 0x100:
		out = append(out, 0x81, byte(n))
	case n < 0x10000:
		out = append(out, 0x82, byte(n>>8), byte(n))
	default:
		out = append(out, 0x83, byte(n>>16), byte(n>>8), byte(n))
	}
	return append(out, value...)
}

type cscaMasterList struct {
	Version  int
	CertList []asn1.RawValue `asn1:"set"`
}

// MasterList returns an ICAO CSCA master list (ICAO 9303-12 §9) listing
// certs (DER), signed by signer.
func MasterList(certs [][]byte, signer *Signer) ([]byte, error) {
	ml := cscaMasterList{Version: 0}
	for _, c := range certs {
		ml.CertList = append(ml.CertList, asn1.RawValue{FullBytes: c})
	}
	content, err := asn1.Marshal(ml)
	if err != nil {
		return nil, err
	}
	return signedData(pa.OIDCSCAMasterList, content, signer)
}

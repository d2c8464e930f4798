package pa

import (
	"crypto"
	"encoding/asn1"
	"fmt"
	"sort"
)

// TagSOD is the EF.SOD application tag (ICAO 9303-10 §4.6.2).
const TagSOD = 0x77

// maxDataGroupHashes bounds dataGroupHashValues (ub-DataGroups = 16; some
// issuers list more, e.g. DG0 or proprietary groups).
const maxDataGroupHashes = 64

// SOD is a parsed EF.SOD: the SignedData and its LDSSecurityObject.
type SOD struct {
	SignedData *SignedData
	Signer     *SignerInfo  // the single SignerInfo
	DS         *Certificate // the Document Signer certificate it names

	Version         int // LDSSecurityObject version (0 = V0, 1 = V1 with ldsVersionInfo)
	HashAlgorithm   crypto.Hash
	HashName        string
	DataGroupHashes map[int][]byte
	LDSVersion      string // from ldsVersionInfo, "" for V0
	UnicodeVersion  string
}

type ldsSecurityObject struct {
	Version       int
	HashAlgorithm AlgorithmIdentifier
	Hashes        []dataGroupHash
	VersionInfo   ldsVersionInfo `asn1:"optional"`
}

type dataGroupHash struct {
	Number int
	Hash   []byte
}

type ldsVersionInfo struct {
	LDSVersion     string `asn1:"printable"`
	UnicodeVersion string `asn1:"printable"`
}

// ParseSOD parses EF.SOD (with or without its 0x77 wrapper): SignedData,
// LDSSecurityObject and the embedded DS certificate. It checks structure
// only; Verify checks signatures, trust and hashes.
func ParseSOD(b []byte) (*SOD, error) {
	inner, err := unwrapSOD(b)
	if err != nil {
		return nil, err
	}
	sd, err := ParseSignedData(inner)
	if err != nil {
		return nil, err
	}
	if !sd.ContentType.Equal(OIDLDSSecurityObject) {
		return nil, malformed(fmt.Sprintf("SOD content type %v is not ldsSecurityObject", sd.ContentType), nil)
	}
	if len(sd.SignerInfos) != 1 {
		return nil, malformed(fmt.Sprintf("SOD has %d signerInfos, want 1", len(sd.SignerInfos)), nil)
	}
	s := &SOD{SignedData: sd, Signer: &sd.SignerInfos[0]}
	if ds, ok := sd.FindSigner(s.Signer); ok {
		s.DS = ds
	} else {
		return nil, malformed("SOD carries no certificate matching its signer", nil)
	}
	return s, s.parseLDS(sd.Content)
}

// unwrapSOD strips the 0x77 application tag (ICAO 9303-10 §4.6.2).
func unwrapSOD(b []byte) ([]byte, error) {
	if len(b) > MaxSignedDataSize {
		return nil, malformed("SOD too large", nil)
	}
	if len(b) == 0 || b[0] != TagSOD {
		return b, nil
	}
	var rv asn1.RawValue
	rest, err := asn1.Unmarshal(b, &rv)
	if err != nil {
		return nil, malformed("SOD tag 77", err)
	}
	if len(rest) != 0 && !allZeroOrFF(rest) {
		return nil, malformed("SOD: trailing data after tag 77", nil)
	}
	return rv.Bytes, nil
}

// allZeroOrFF accepts the padding some chips return past the end of a file.
func allZeroOrFF(b []byte) bool {
	for _, c := range b {
		if c != 0 && c != 0xff {
			return false
		}
	}
	return true
}

func (s *SOD) parseLDS(b []byte) error {
	var lds ldsSecurityObject
	if rest, err := asn1.Unmarshal(b, &lds); err != nil || len(rest) != 0 {
		return malformed("LDSSecurityObject", err)
	}
	ha, ok := lookupHash(lds.HashAlgorithm.Algorithm)
	if !ok {
		return fmt.Errorf("%w: LDS hash algorithm %v", ErrUnsupported, lds.HashAlgorithm.Algorithm)
	}
	if len(lds.Hashes) == 0 || len(lds.Hashes) > maxDataGroupHashes {
		return malformed(fmt.Sprintf("LDSSecurityObject lists %d hashes", len(lds.Hashes)), nil)
	}
	s.Version, s.HashAlgorithm, s.HashName = lds.Version, ha.hash, ha.name
	s.LDSVersion, s.UnicodeVersion = lds.VersionInfo.LDSVersion, lds.VersionInfo.UnicodeVersion
	s.DataGroupHashes = make(map[int][]byte, len(lds.Hashes))
	for _, h := range lds.Hashes {
		if h.Number < 0 || h.Number > 255 {
			return malformed(fmt.Sprintf("data group number %d", h.Number), nil)
		}
		if _, dup := s.DataGroupHashes[h.Number]; dup {
			return malformed(fmt.Sprintf("DG%d listed twice", h.Number), nil)
		}
		s.DataGroupHashes[h.Number] = h.Hash
	}
	return nil
}

// DataGroups returns the data group numbers the SOD lists, ascending.
func (s *SOD) DataGroups() []int {
	out := make([]int, 0, len(s.DataGroupHashes))
	for n := range s.DataGroupHashes {
		out = append(out, n)
	}
	sort.Ints(out)
	return out
}

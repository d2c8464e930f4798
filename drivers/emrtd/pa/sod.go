package pa

import (
	"crypto"
	"encoding/asn1"
	"fmt"
	"sort"
	"strings"
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
	// SignerMatch says how DS was found from the SignerInfo's sid.
	SignerMatch SignerMatch

	Version         int // LDSSecurityObject version (0 = V0, 1 = V1 with ldsVersionInfo)
	HashAlgorithm   crypto.Hash
	HashName        string
	DataGroupHashes map[int][]byte
	LDSVersion      string // from ldsVersionInfo, "" for V0
	UnicodeVersion  string

	// Warnings describe what was accepted although ICAO 9303 or RFC 5652
	// asks otherwise: BER instead of DER, a signer named loosely. None of
	// them weakens a check; a technician should still hear of them.
	Warnings []string
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
//
// ICAO 9303-10 §4.6.2 asks for DER. BER that re-encodes unambiguously as
// DER (indefinite lengths, long-form lengths, constructed OCTET STRING) is
// accepted with a warning, since real documents carry it; the signature is
// then checked over the DER form of the signed attributes, which is what
// RFC 5652 §5.4 says was signed.
func ParseSOD(b []byte) (*SOD, error) {
	inner, notes, err := unwrapSOD(b)
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
	for _, n := range notes {
		s.Warnings = append(s.Warnings, "EF.SOD is not DER as ICAO 9303-10 §4.6.2 asks: "+n+"; read as its DER equivalent")
	}
	s.Warnings = append(s.Warnings, sd.Warnings...)
	for _, sk := range sd.SkippedCertificates {
		s.Warnings = append(s.Warnings, "embedded certificate left out: "+sk.String())
	}
	ds, how, ok := sd.FindSigner(s.Signer)
	if !ok {
		return nil, noSigner("SOD", sd)
	}
	s.DS, s.SignerMatch = ds, how
	if w := matchWarning(s.Signer, ds, how); w != "" {
		s.Warnings = append(s.Warnings, w)
	}
	return s, s.parseLDS(sd.Content)
}

// unwrapSOD strips the 0x77 application tag (ICAO 9303-10 §4.6.2) and
// returns the ContentInfo in DER with the BER forms it had.
func unwrapSOD(b []byte) ([]byte, []string, error) {
	if len(b) > MaxSignedDataSize {
		return nil, nil, malformed("SOD too large", nil)
	}
	if len(b) == 0 {
		return nil, nil, malformed("SOD: empty", nil)
	}
	der, rest, notes, err := normalizeBER(b)
	if err != nil {
		return nil, nil, fmt.Errorf("pa: SOD: %w", err)
	}
	if len(rest) != 0 && !allZeroOrFF(rest) {
		return nil, nil, malformed("SOD: trailing data", nil)
	}
	if b[0] != TagSOD {
		return der, notes, nil
	}
	var rv asn1.RawValue
	if _, err := asn1.Unmarshal(der, &rv); err != nil {
		return nil, nil, malformed("SOD tag 77", err)
	}
	return rv.Bytes, notes, nil
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
	// eContent is an OCTET STRING, so the outer normalisation did not
	// reach the LDSSecurityObject inside it; its hash (messageDigest) is
	// over these bytes as they are.
	der, rest, notes, err := normalizeBER(b)
	if err != nil {
		return fmt.Errorf("pa: LDSSecurityObject: %w", err)
	}
	for _, n := range notes {
		s.Warnings = append(s.Warnings, "LDSSecurityObject is not DER: "+n+"; read as its DER equivalent")
	}
	var lds ldsSecurityObject
	if r, err := asn1.Unmarshal(der, &lds); err != nil || len(r) != 0 || len(rest) != 0 {
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

// noSigner explains a SignedData whose signer certificate is missing,
// naming the embedded certificates that did not parse (a DS certificate
// breaking DER lands here, not among the loosely matched).
func noSigner(what string, sd *SignedData) error {
	if len(sd.SkippedCertificates) == 0 {
		return malformed(what+" carries no certificate matching its signer", nil)
	}
	var parts []string
	for _, s := range sd.SkippedCertificates {
		parts = append(parts, s.String())
	}
	return malformed(what+" carries no usable certificate matching its signer; left out: "+strings.Join(parts, "; "), nil)
}

package pa

import (
	"encoding/asn1"
	"fmt"
)

// MasterList is a verified ICAO CSCA master list (ICAO 9303-12 §9).
type MasterList struct {
	Version      int
	Certificates []*Certificate // the listed CSCA certificates that can be anchors
	// Skipped are listed certificates left out (Index is the 1-based
	// position in certList): not DER, unparsable, an unsupported
	// algorithm, not a CA.
	Skipped []Skip
	Signer  *Certificate // the master list signer
	// SignerChained is true when the signer's certificate verifies under a
	// CSCA certificate in the list itself.
	SignerChained bool
	Warnings      []string // BER forms accepted, embedded certificates left out
	// Known counts listed certificates a trust store already held, which
	// it did not parse again (always 0 from ParseMasterList).
	Known int
}

type cscaMasterList struct {
	Version  int
	CertList asn1.RawValue
}

// ParseMasterList parses a master list — CMS SignedData whose content is
// CscaMasterList ::= SEQUENCE { version CscaMasterListVersion, certList SET
// OF Certificate } (ICAO 9303-12 §9) — and verifies its signature with the
// embedded signer certificate (ErrBadSignature when it fails).
//
// One bad certificate does not spoil the list: every listed certificate is
// parsed on its own, and those that cannot serve as trust anchors are
// returned in Skipped with the reason. German and Dutch master lists, for
// one, carry a foreign CSCA that encodes BOOLEAN TRUE as 01 rather than
// DER's FF; RFC 5280 §4.1 makes that certificate invalid, not the list.
func ParseMasterList(b []byte) (*MasterList, error) { return parseMasterList(b, nil) }

// parseMasterList is ParseMasterList; certificates for which known returns
// true (already trusted: the same list in another version) are counted in
// Known instead of being parsed again.
func parseMasterList(b []byte, known func(der []byte) bool) (*MasterList, error) {
	sd, err := ParseSignedData(b)
	if err != nil {
		return nil, err
	}
	if !sd.ContentType.Equal(OIDCSCAMasterList) {
		return nil, malformed(fmt.Sprintf("master list content type %v", sd.ContentType), nil)
	}
	si := &sd.SignerInfos[0]
	signer, how, ok := sd.FindSigner(si)
	if !ok {
		return nil, noSigner("master list", sd)
	}
	if err := sd.VerifySigner(si, signer); err != nil {
		return nil, fmt.Errorf("pa: master list signature: %w", err)
	}
	m := &MasterList{Signer: signer, Warnings: sd.Warnings}
	if w := matchWarning(si, signer, how); w != "" {
		m.Warnings = append(m.Warnings, w)
	}
	for _, sk := range sd.SkippedCertificates {
		m.Warnings = append(m.Warnings, "SignedData certificate left out: "+sk.String())
	}
	certs, err := m.parseContent(sd.Content)
	if err != nil {
		return nil, err
	}
	for i, der := range certs {
		if known != nil && known(der) {
			m.Known++
			continue
		}
		m.add(der, i+1)
	}
	return m, nil
}

// parseContent decodes CscaMasterList and returns the listed certificates'
// encodings, each as it was signed.
func (m *MasterList) parseContent(content []byte) ([][]byte, error) {
	var raw cscaMasterList
	if rest, err := asn1.Unmarshal(content, &raw); err != nil || len(rest) != 0 {
		return nil, malformed("CscaMasterList", err)
	}
	if raw.CertList.Class != asn1.ClassUniversal || raw.CertList.Tag != asn1.TagSet || !raw.CertList.IsCompound {
		return nil, malformed("CscaMasterList certList is not a SET", nil)
	}
	m.Version = raw.Version
	var out [][]byte
	for b := raw.CertList.Bytes; len(b) > 0; {
		if len(out) >= maxCerts {
			return nil, malformed("master list too long", nil)
		}
		// Split on the outer TLV only: a certificate whose encoding breaks
		// DER is still one element of the SET, to be judged on its own.
		n, err := elementLen(b)
		if err != nil {
			return nil, fmt.Errorf("pa: CscaMasterList certificate %d: %w", len(out)+1, err)
		}
		out = append(out, b[:n])
		b = b[n:]
	}
	return out, nil
}

// add parses one listed certificate and keeps it or records why not.
func (m *MasterList) add(der []byte, index int) {
	c, err := ParseCertificate(der)
	if err != nil {
		m.Skipped = append(m.Skipped, skipFor(der, err, index))
		return
	}
	if why := notCA(c); why != "" {
		m.Skipped = append(m.Skipped, Skip{Index: index, Subject: c.Subject, Reason: SkipNotCA, Detail: why})
		return
	}
	m.Certificates = append(m.Certificates, c)
	if !m.SignerChained && m.Signer.IssuedBy(c) && m.Signer.CheckSignatureFrom(c) == nil {
		m.SignerChained = true
	}
}

// elementLen returns the size of the BER element at the start of b.
func elementLen(b []byte) (int, error) {
	h, err := readBERHeader(b)
	if err != nil {
		return 0, malformed("BER", err)
	}
	if !h.indefinite {
		return h.size + h.length, nil
	}
	_, rest, _, err := normalizeBER(b)
	if err != nil {
		return 0, err
	}
	return len(b) - len(rest), nil
}

package pa

import (
	"bytes"
	"crypto/sha256"
	"encoding/asn1"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
)

// TrustStore holds CSCA certificates, the trust anchors of Passive
// Authentication. Build it (Add…, LoadTrustStore), then share it: Verify may
// run concurrently on one store, Add must not run concurrently with anything.
//
// The store remembers which Document Signer certificates it has already
// chained (a bounded cache keyed by the certificate's SHA-256), because
// verifying a CSCA signature on brainpoolP512r1 costs tens of milliseconds
// and most cards share a handful of DS certificates.
type TrustStore struct {
	certs []*Certificate

	mu      sync.Mutex
	chained map[[sha256.Size]byte]*Certificate // DS digest → anchor that signed it
}

// maxChainCache bounds TrustStore.chained.
const maxChainCache = 1024

// cachedIssuer returns the anchor that previously verified ds.
func (t *TrustStore) cachedIssuer(ds *Certificate) (*Certificate, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	c, ok := t.chained[sha256.Sum256(ds.Raw)]
	return c, ok
}

// remember records that anchor verified ds.
func (t *TrustStore) remember(ds, anchor *Certificate) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.chained == nil || len(t.chained) >= maxChainCache {
		t.chained = make(map[[sha256.Size]byte]*Certificate)
	}
	t.chained[sha256.Sum256(ds.Raw)] = anchor
}

// NewTrustStore returns an empty store.
func NewTrustStore() *TrustStore { return &TrustStore{} }

// Len returns the number of anchors.
func (t *TrustStore) Len() int {
	if t == nil {
		return 0
	}
	return len(t.certs)
}

// Certificates returns the anchors (shared, do not modify).
func (t *TrustStore) Certificates() []*Certificate {
	if t == nil {
		return nil
	}
	return t.certs
}

// Add adds a parsed CSCA certificate; duplicates are ignored.
func (t *TrustStore) Add(c *Certificate) {
	for _, o := range t.certs {
		if bytes.Equal(o.Raw, c.Raw) {
			return
		}
	}
	t.certs = append(t.certs, c)
}

// AddDER parses and adds one DER certificate.
func (t *TrustStore) AddDER(der []byte) error {
	c, err := ParseCertificate(der)
	if err != nil {
		return err
	}
	t.Add(c)
	return nil
}

// AddPEM adds every CERTIFICATE block of a PEM file and returns how many.
func (t *TrustStore) AddPEM(data []byte) (int, error) {
	n := 0
	for {
		var b *pem.Block
		b, data = pem.Decode(data)
		if b == nil {
			break
		}
		if b.Type != "CERTIFICATE" {
			continue
		}
		if err := t.AddDER(b.Bytes); err != nil {
			return n, err
		}
		n++
	}
	if n == 0 {
		return 0, malformed("PEM without CERTIFICATE blocks", nil)
	}
	return n, nil
}

// AddMasterList verifies an ICAO CSCA master list (ParseMasterList) and
// adds the certificates it carries; it returns how many were added.
func (t *TrustStore) AddMasterList(ml []byte) (int, error) {
	m, err := ParseMasterList(ml)
	if err != nil {
		return 0, err
	}
	for _, c := range m.Certificates {
		t.Add(c)
	}
	return len(m.Certificates), nil
}

// issuersOf returns anchors that name c as issued by them.
func (t *TrustStore) issuersOf(c *Certificate) []*Certificate {
	var out []*Certificate
	for _, a := range t.Certificates() {
		if c.IssuedBy(a) {
			out = append(out, a)
		}
	}
	return out
}

// LoadTrustStore reads every *.pem, *.crt, *.cer, *.der (certificates, PEM
// or DER) and *.ml (ICAO master list) file in dir (not recursive). Other
// files are ignored; a file that fails to parse is an error naming it. An
// empty directory gives an empty store (Verify then reports ErrNoTrustAnchor).
func LoadTrustStore(dir string) (*TrustStore, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("pa: trust store: %w", err)
	}
	names := make([]string, 0, len(entries))
	for _, e := range entries {
		// Follow symbolic links; skip directories and devices.
		if fi, err := os.Stat(filepath.Join(dir, e.Name())); err == nil && fi.Mode().IsRegular() {
			names = append(names, e.Name())
		}
	}
	sort.Strings(names)
	t := NewTrustStore()
	for _, name := range names {
		if err := t.loadFile(filepath.Join(dir, name)); err != nil {
			return nil, fmt.Errorf("pa: trust store %s: %w", name, err)
		}
	}
	return t, nil
}

func (t *TrustStore) loadFile(path string) error {
	ext := strings.ToLower(filepath.Ext(path))
	switch ext {
	case ".pem", ".crt", ".cer", ".der", ".ml":
	default:
		return nil
	}
	fi, err := os.Stat(path)
	if err != nil {
		return err
	}
	if fi.Size() > MaxSignedDataSize {
		return malformed("file too large", nil)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	switch {
	case ext == ".ml":
		_, err = t.AddMasterList(data)
	case bytes.Contains(data, []byte("-----BEGIN")):
		_, err = t.AddPEM(data)
	default:
		err = t.AddDER(data)
	}
	return err
}

// MasterList is a verified ICAO CSCA master list (ICAO 9303-12 §9).
type MasterList struct {
	Version      int
	Certificates []*Certificate // the CSCA certificates it lists (parsable ones)
	Skipped      int            // listed certificates with unsupported algorithms, left out
	Signer       *Certificate   // the master list signer
	// SignerChained is true when the signer's certificate verifies under a
	// CSCA certificate in the list itself.
	SignerChained bool
}

type cscaMasterList struct {
	Version  int
	CertList []asn1.RawValue `asn1:"set"`
}

// ParseMasterList parses a master list (CMS SignedData whose content is
// CscaMasterList { version, certList SET OF Certificate }) and verifies its
// signature with the embedded signer certificate (ErrBadSignature when it
// fails). Listed certificates that use an unsupported algorithm or curve are
// counted in Skipped; malformed ones are an error.
func ParseMasterList(b []byte) (*MasterList, error) {
	sd, err := ParseSignedData(b)
	if err != nil {
		return nil, err
	}
	if !sd.ContentType.Equal(OIDCSCAMasterList) {
		return nil, malformed(fmt.Sprintf("master list content type %v", sd.ContentType), nil)
	}
	si := &sd.SignerInfos[0]
	signer, ok := sd.FindSigner(si)
	if !ok {
		return nil, malformed("master list carries no signer certificate", nil)
	}
	if err := sd.VerifySigner(si, signer); err != nil {
		return nil, fmt.Errorf("pa: master list signature: %w", err)
	}
	var raw cscaMasterList
	if rest, err := asn1.Unmarshal(sd.Content, &raw); err != nil || len(rest) != 0 {
		return nil, malformed("CscaMasterList", err)
	}
	if len(raw.CertList) > maxCerts {
		return nil, malformed("master list too long", nil)
	}
	m := &MasterList{Version: raw.Version, Signer: signer}
	for _, rv := range raw.CertList {
		c, err := ParseCertificate(rv.FullBytes)
		switch {
		case errors.Is(err, ErrUnsupported):
			m.Skipped++
			continue
		case err != nil:
			return nil, err
		}
		m.Certificates = append(m.Certificates, c)
		if !m.SignerChained && signer.IssuedBy(c) && signer.CheckSignatureFrom(c) == nil {
			m.SignerChained = true
		}
	}
	return m, nil
}

package pa

import (
	"bytes"
	"crypto/sha256"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
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
// A certificate that cannot serve as an anchor (not DER, unparsable, an
// unsupported algorithm, not a CA) is left out and recorded with its reason
// (Skipped); it never takes the other anchors with it.
//
// The store remembers which Document Signer certificates it has already
// chained (a bounded cache keyed by the certificate's SHA-256), because
// verifying a CSCA signature on brainpoolP512r1 costs tens of milliseconds
// and most cards share a handful of DS certificates.
type TrustStore struct {
	certs []*Certificate
	seen  map[[sha256.Size]byte]bool
	skips []Skip
	files []FileReport

	mu      sync.Mutex
	chained map[[sha256.Size]byte]*Certificate // DS digest → anchor that signed it
}

// maxChainCache bounds TrustStore.chained.
const maxChainCache = 1024

// maxSkips bounds the skips a store records (a hostile directory cannot
// grow it without limit); they are still counted in the file reports.
const maxSkips = 4096

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

// Skipped returns the certificates and files left out, in load order
// (shared, do not modify).
func (t *TrustStore) Skipped() []Skip {
	if t == nil {
		return nil
	}
	return t.skips
}

// SkipCounts counts Skipped by reason, for a metric.
func (t *TrustStore) SkipCounts() map[SkipReason]int {
	out := map[SkipReason]int{}
	for _, s := range t.Skipped() {
		out[s.Reason]++
	}
	return out
}

// Files describes what each file LoadTrustStore read contributed.
func (t *TrustStore) Files() []FileReport {
	if t == nil {
		return nil
	}
	return t.files
}

// ByCountry counts the anchors per subject countryName ("" when absent).
func (t *TrustStore) ByCountry() map[string]int {
	out := map[string]int{}
	for _, c := range t.Certificates() {
		out[c.Country()]++
	}
	return out
}

// Add adds a parsed CSCA certificate and reports whether it was new;
// duplicates are ignored. It does not check that c is a CA (AddDER does).
func (t *TrustStore) Add(c *Certificate) bool {
	if t.seen == nil {
		t.seen = make(map[[sha256.Size]byte]bool)
	}
	k := sha256.Sum256(c.Raw)
	if t.seen[k] {
		return false
	}
	t.seen[k] = true
	t.certs = append(t.certs, c)
	return true
}

// AddDER parses one DER certificate and adds it when it can be an anchor.
// The error is an *AnchorError (errors.Is ErrMalformed, ErrUnsupported or
// ErrNotCA) saying why not.
func (t *TrustStore) AddDER(der []byte) error {
	_, err := t.addDER(der, "", 0)
	return err
}

func (t *TrustStore) addDER(der []byte, file string, index int) (added bool, err error) {
	c, err := ParseCertificate(der)
	if err != nil {
		sk := skipFor(der, err, index)
		sk.File = file
		return false, &AnchorError{Skip: sk, err: err}
	}
	if why := notCA(c); why != "" {
		sk := Skip{File: file, Index: index, Subject: c.Subject, Reason: SkipNotCA, Detail: why}
		return false, &AnchorError{Skip: sk, err: ErrNotCA}
	}
	return t.Add(c), nil
}

// notCA says why c cannot be a CSCA ("" when it can): ICAO 9303-12
// §7.1.1 gives CSCA certificates basicConstraints cA TRUE and keyUsage
// keyCertSign; an old certificate without those extensions is accepted.
func notCA(c *Certificate) string {
	switch {
	case c.BasicConstraintsValid && !c.IsCA:
		return "basicConstraints says it is not a CA"
	case c.KeyUsage != 0 && c.KeyUsage&KeyUsageCertSign == 0:
		return "keyUsage lacks keyCertSign"
	}
	return ""
}

// AddPEM adds every CERTIFICATE block of a PEM file that can be an anchor
// and returns how many could (duplicates included). Blocks that cannot are
// left out; the error joins their *AnchorErrors (ErrMalformed without any
// CERTIFICATE block at all).
func (t *TrustStore) AddPEM(data []byte) (int, error) {
	r := t.addPEM(data, "")
	if r.blocks == 0 {
		return 0, malformed("PEM without CERTIFICATE blocks", nil)
	}
	var errs []error
	for _, s := range r.skips {
		errs = append(errs, s)
	}
	return r.accepted, errors.Join(errs...)
}

// pemResult counts what addPEM did.
type pemResult struct {
	blocks, accepted, added int
	skips                   []*AnchorError
}

func (t *TrustStore) addPEM(data []byte, file string) pemResult {
	var r pemResult
	for {
		var b *pem.Block
		b, data = pem.Decode(data)
		if b == nil {
			return r
		}
		if b.Type != "CERTIFICATE" {
			continue
		}
		r.blocks++
		added, err := t.addDER(b.Bytes, file, r.blocks)
		var ae *AnchorError
		switch {
		case errors.As(err, &ae):
			r.skips = append(r.skips, ae)
			continue
		case added:
			r.added++
		}
		r.accepted++
	}
}

// AddMasterList verifies an ICAO CSCA master list (ParseMasterList) and
// adds the certificates it carries; it returns how many were new. Listed
// certificates that cannot be anchors are recorded in Skipped.
func (t *TrustStore) AddMasterList(ml []byte) (int, error) {
	r, err := t.addMasterList(ml, "")
	return r.Added, err
}

func (t *TrustStore) addMasterList(ml []byte, file string) (FileReport, error) {
	r := FileReport{Name: file, Kind: "master list"}
	// Lists overlap (every German list repeats most of the last one):
	// certificates already held are not parsed again.
	m, err := parseMasterList(ml, func(der []byte) bool { return t.seen[sha256.Sum256(der)] })
	if err != nil {
		return r, err
	}
	r.Signer, r.SignerChained, r.Warnings = m.Signer.Subject, m.SignerChained, m.Warnings
	if !r.SignerChained {
		r.SignerChained = t.signs(m.Signer)
	}
	r.Duplicates = m.Known
	for _, c := range m.Certificates {
		if t.Add(c) {
			r.Added++
		} else {
			r.Duplicates++
		}
	}
	for _, s := range m.Skipped {
		s.File = file
		t.recordSkip(s)
	}
	r.Skipped = len(m.Skipped)
	return r, nil
}

func (t *TrustStore) recordSkip(s Skip) {
	if len(t.skips) < maxSkips {
		t.skips = append(t.skips, s)
	}
}

// signs reports whether an anchor in the store issued and signed c.
func (t *TrustStore) signs(c *Certificate) bool {
	for _, a := range t.issuersOf(c) {
		if c.CheckSignatureFrom(a) == nil {
			return true
		}
	}
	return false
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

// trustExts are the file name extensions LoadTrustStore reads.
var trustExts = map[string]string{".pem": "certificate", ".crt": "certificate", ".cer": "certificate", ".der": "certificate", ".ml": "master list"}

// LoadTrustStore reads every *.pem, *.crt, *.cer, *.der (certificates, PEM
// or DER) and *.ml (ICAO master list) file in dir (not recursive); other
// files are ignored. The only error is a directory that cannot be listed:
// a file that cannot be read, a master list whose signature fails and a
// certificate that cannot be an anchor are each recorded in Skipped (the
// whole file with Index 0) while every other file still loads. An empty
// directory gives an empty store (Verify then reports ErrNoTrustAnchor).
func LoadTrustStore(dir string) (*TrustStore, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("pa: trust store: %w", err)
	}
	names := make([]string, 0, len(entries))
	for _, e := range entries {
		if _, ok := trustExts[strings.ToLower(filepath.Ext(e.Name()))]; !ok {
			continue
		}
		// Follow symbolic links; skip directories and devices.
		if fi, err := os.Stat(filepath.Join(dir, e.Name())); err == nil && fi.Mode().IsRegular() {
			names = append(names, e.Name())
		}
	}
	sort.Strings(names)
	t := NewTrustStore()
	for _, name := range names {
		t.files = append(t.files, t.loadFile(dir, name))
	}
	return t, nil
}

// loadFile adds one file's anchors and reports what it contributed.
func (t *TrustStore) loadFile(dir, name string) FileReport {
	ext := strings.ToLower(filepath.Ext(name))
	r := FileReport{Name: name, Kind: trustExts[ext]}
	fileSkip := func(reason SkipReason, err error) FileReport {
		t.recordSkip(Skip{File: name, Reason: reason, Detail: err.Error()})
		r.Skipped++
		r.Error = err.Error()
		return r
	}
	data, err := readBounded(filepath.Join(dir, name))
	if err != nil {
		return fileSkip(SkipUnreadable, err)
	}
	switch {
	case ext == ".ml":
		mr, err := t.addMasterList(data, name)
		if err != nil {
			reason := SkipMalformed
			if errors.Is(err, ErrBadSignature) || errors.Is(err, ErrUnsupported) {
				reason = SkipBadSignature
			}
			return fileSkip(reason, err)
		}
		return mr
	case bytes.Contains(data, []byte("-----BEGIN")):
		r.Kind = "PEM"
		pr := t.addPEM(data, name)
		if pr.blocks == 0 {
			return fileSkip(SkipMalformed, malformed("PEM without CERTIFICATE blocks", nil))
		}
		r.Added, r.Duplicates, r.Skipped = pr.added, pr.accepted-pr.added, len(pr.skips)
		for _, s := range pr.skips {
			t.recordSkip(s.Skip)
		}
	case len(data) == 0 || data[0] != 0x30:
		return fileSkip(SkipMalformed, malformed(fmt.Sprintf("neither a PEM nor a DER certificate (%d bytes, first %q)", len(data), data[:min(len(data), 8)]), nil))
	default:
		added, err := t.addDER(data, name, 0)
		var ae *AnchorError
		if errors.As(err, &ae) {
			t.recordSkip(ae.Skip)
			r.Skipped, r.Error = 1, ae.Skip.Detail
			return r
		}
		if added {
			r.Added = 1
		} else {
			r.Duplicates = 1
		}
	}
	return r
}

// readBounded reads a trust file of at most MaxSignedDataSize bytes.
func readBounded(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if fi.Size() > MaxSignedDataSize {
		return nil, fmt.Errorf("%d bytes, more than the %d a master list may have", fi.Size(), MaxSignedDataSize)
	}
	data := make([]byte, fi.Size())
	if _, err := io.ReadFull(f, data); err != nil {
		return nil, err
	}
	return data, nil
}

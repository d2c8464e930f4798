package pa

import (
	"crypto/subtle"
	"errors"
	"fmt"
	"sort"
	"time"
)

// DataGroupCheck records one data group whose hash was compared.
type DataGroupCheck struct {
	DG   int    // data group number
	Hash []byte // the hash, equal in the DG and in the SOD
}

// Result describes a Passive Authentication run. Verify fills it as far as
// it got, also when it returns an error.
type Result struct {
	HashAlgorithm      string           // LDSSecurityObject hashAlgorithm, e.g. "SHA-256"
	SignatureAlgorithm string           // SignerInfo signatureAlgorithm, e.g. "ecdsa-with-SHA256"
	DSAlgorithm        string           // algorithm the CSCA used on the DS certificate
	SignerSubject      string           // DS certificate subject (a state authority, not personal data)
	SignerSerial       string           // DS certificate serial, decimal
	SignerNotAfter     time.Time        // DS certificate expiry
	CSCASubject        string           // the anchor the DS chained to
	SODDataGroups      []int            // data groups listed in the SOD
	Checked            []DataGroupCheck // data groups provided and matched, ascending
	LDSVersion         string           // "" for LDSSecurityObject V0
	// Warnings name what was accepted although the standards ask
	// otherwise (BER instead of DER, a loosely named signer); see SOD.
	Warnings []string
}

// Verify performs Passive Authentication (ICAO 9303-11 §5.1) at time now:
//  1. parse sod (EF.SOD bytes as read, tag 0x77) — ErrMalformed / ErrUnsupported;
//  2. verify the SignerInfo with the embedded DS certificate — ErrBadSignature;
//  3. hash every provided data group (map from DG number to the whole file
//     as read, tag included) and compare — ErrHashMismatch (*HashMismatchError);
//  4. find a CSCA in trust that issued and signed the DS certificate —
//     ErrNoTrustAnchor when trust is empty, ErrUntrustedSigner otherwise;
//  5. check DS and CSCA validity at now — ErrExpiredSigner.
//
// Checks run in this order so a forged document is reported as such even
// when no trust anchor is configured.
func Verify(sod []byte, dgs map[int][]byte, trust *TrustStore, now time.Time) (Result, error) {
	var res Result
	s, err := ParseSOD(sod)
	if err != nil {
		return res, err
	}
	res.HashAlgorithm, res.LDSVersion, res.SODDataGroups = s.HashName, s.LDSVersion, s.DataGroups()
	res.Warnings = s.Warnings
	res.SignatureAlgorithm = SignatureAlgorithmName(s.Signer.SignatureAlgorithm)
	res.SignerSubject, res.SignerSerial, res.SignerNotAfter = s.DS.Subject, s.DS.SerialNumber.String(), s.DS.NotAfter
	res.DSAlgorithm = SignatureAlgorithmName(s.DS.SignatureAlgorithm)
	if err := s.SignedData.VerifySigner(s.Signer, s.DS); err != nil {
		return res, fmt.Errorf("pa: SOD signature: %w", err)
	}
	if res.Checked, err = s.CheckDataGroups(dgs); err != nil {
		return res, err
	}
	csca, err := chain(s.DS, trust)
	if err != nil {
		return res, err
	}
	res.CSCASubject = csca.Subject
	if !s.DS.ValidAt(now) {
		return res, fmt.Errorf("%w: DS %s valid %s to %s", ErrExpiredSigner, s.DS.Subject,
			s.DS.NotBefore.Format(time.DateOnly), s.DS.NotAfter.Format(time.DateOnly))
	}
	if !csca.ValidAt(now) {
		return res, fmt.Errorf("%w: CSCA %s valid %s to %s", ErrExpiredSigner, csca.Subject,
			csca.NotBefore.Format(time.DateOnly), csca.NotAfter.Format(time.DateOnly))
	}
	return res, nil
}

// CheckDataGroups hashes each provided data group with the SOD's algorithm
// and compares it with the listed value (constant time). A DG the SOD does
// not list is a mismatch.
func (s *SOD) CheckDataGroups(dgs map[int][]byte) ([]DataGroupCheck, error) {
	nums := make([]int, 0, len(dgs))
	for n := range dgs {
		nums = append(nums, n)
	}
	sort.Ints(nums)
	out := make([]DataGroupCheck, 0, len(nums))
	for _, n := range nums {
		want, ok := s.DataGroupHashes[n]
		if !ok {
			return out, &HashMismatchError{DG: n, Unlisted: true}
		}
		h := s.HashAlgorithm.New()
		h.Write(dgs[n])
		got := h.Sum(nil)
		if subtle.ConstantTimeCompare(got, want) != 1 {
			return out, &HashMismatchError{DG: n}
		}
		out = append(out, DataGroupCheck{DG: n, Hash: got})
	}
	return out, nil
}

// Chain returns the anchor that issued and signed ds (its name or key
// identifier and its signature), as Verify does: ErrNoTrustAnchor when the
// store is empty, ErrUntrustedSigner when no anchor fits. Validity dates
// are not checked here.
func (t *TrustStore) Chain(ds *Certificate) (*Certificate, error) { return chain(ds, t) }

// chain finds the anchor that issued and signed ds.
func chain(ds *Certificate, trust *TrustStore) (*Certificate, error) {
	if trust.Len() == 0 {
		return nil, ErrNoTrustAnchor
	}
	if c, ok := trust.cachedIssuer(ds); ok {
		return c, nil
	}
	cands := trust.issuersOf(ds)
	if len(cands) == 0 {
		return nil, fmt.Errorf("%w: no CSCA named %s in the trust store", ErrUntrustedSigner, ds.Issuer)
	}
	var errs []error
	for _, c := range cands {
		err := ds.CheckSignatureFrom(c)
		if err == nil {
			trust.remember(ds, c)
			return c, nil
		}
		errs = append(errs, err)
	}
	return nil, fmt.Errorf("%w: DS certificate signature does not verify under %s: %v", ErrUntrustedSigner, ds.Issuer, errors.Join(errs...))
}

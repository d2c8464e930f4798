package pa

import (
	"errors"
	"fmt"
)

// Sentinel errors callers branch on (wrapped with detail; test with errors.Is).
var (
	// ErrMalformed: the SOD, a certificate, a key or a master list does not parse.
	ErrMalformed = errors.New("pa: malformed input")
	// ErrUnsupported: a well-formed structure uses an algorithm or curve this package does not implement.
	ErrUnsupported = errors.New("pa: unsupported algorithm")
	// ErrHashMismatch: a data group's hash differs from the SOD's value, or the SOD does not list it.
	ErrHashMismatch = errors.New("pa: data group hash mismatch")
	// ErrBadSignature: the SOD's signature (or its messageDigest/contentType attributes) does not verify under the DS key.
	ErrBadSignature = errors.New("pa: bad signature")
	// ErrUntrustedSigner: no CSCA in the trust store issued (and signed) the DS certificate.
	ErrUntrustedSigner = errors.New("pa: untrusted document signer")
	// ErrExpiredSigner: the DS or CSCA certificate is outside its validity period at the given time.
	ErrExpiredSigner = errors.New("pa: signer certificate expired or not yet valid")
	// ErrNoTrustAnchor: the trust store is nil or empty, so the chain cannot be checked.
	ErrNoTrustAnchor = errors.New("pa: no trust anchor configured")
)

// HashMismatchError reports which data group failed; it matches ErrHashMismatch.
type HashMismatchError struct {
	DG       int  // data group number
	Unlisted bool // true when the SOD has no hash for this data group
}

// Error implements error.
func (e *HashMismatchError) Error() string {
	if e.Unlisted {
		return fmt.Sprintf("pa: DG%d is not listed in the SOD", e.DG)
	}
	return fmt.Sprintf("pa: DG%d hash does not match the SOD", e.DG)
}

// Is makes errors.Is(err, ErrHashMismatch) true.
func (e *HashMismatchError) Is(target error) bool { return target == ErrHashMismatch }

func malformed(what string, err error) error {
	if err != nil {
		return fmt.Errorf("%w: %s: %v", ErrMalformed, what, err)
	}
	return fmt.Errorf("%w: %s", ErrMalformed, what)
}

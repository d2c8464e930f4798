package emrtd

import (
	"bytes"
	"context"
	"crypto"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/asn1"
	"fmt"
	"hash"
	"io"
	"math/big"

	"github.com/kiosk06/kiosk/drivers/emrtd/internal/ecc"
	"github.com/kiosk06/kiosk/drivers/emrtd/internal/sm"
)

// ActiveAuthenticate runs Active Authentication (9303-11 §6.1): INTERNAL
// AUTHENTICATE with a fresh random 8-byte challenge, verified with the DG15
// key — RSA with ISO/IEC 9796-2 digital signature scheme 1 (the hash named
// by the signature's own trailer), or ECDSA with a plain signature (BSI
// TR-03111 §5.2.1) over the hash that DG14's ActiveAuthenticationInfo
// names (9303-11 §6.1, §9.2: required when the key is ECDSA; without it
// the ECDSA signature cannot be checked, ErrUnsupported). dg14 may be nil
// for an RSA key. A signature that does not verify (a clone) is
// ErrActiveAuthentication. The caller must also check DG14's and DG15's
// hashes (PA).
func (s *Session) ActiveAuthenticate(ctx context.Context, dg15, dg14 []byte) error {
	key, err := ParseDG15(dg15)
	if err != nil {
		return stepErr("AA", "DG15", err)
	}
	var hash crypto.Hash
	if key.EC != nil {
		if hash, err = aaECDSAHash(dg14); err != nil {
			return stepErr("AA", "DG14", err)
		}
	}
	return s.withSession(ctx, func() error {
		challenge := make([]byte, 8)
		if _, err := io.ReadFull(s.rand, challenge); err != nil {
			return stepErr("AA", "challenge", err)
		}
		sig, sw, err := s.transmit(ctx, sm.Command{INS: 0x88, Data: challenge, Ne: 256})
		if err != nil {
			return stepErr("AA", "INTERNAL AUTHENTICATE", err)
		}
		if sw != 0x9000 {
			return stepErr("AA", "INTERNAL AUTHENTICATE", fmt.Errorf("%w: %w", ErrActiveAuthentication, &StatusError{SW: sw}))
		}
		if key.RSA != nil {
			err = VerifyISO9796_2(key.RSA, challenge, sig)
		} else {
			err = verifyAAECDSA(*key.EC, hash, challenge, sig)
		}
		if err != nil {
			return stepErr("AA", "verify signature", err)
		}
		return nil
	})
}

// AA signature algorithms an ActiveAuthenticationInfo may name: the X9.62
// ecdsa-with-SHA* identifiers (RFC 5758 §3.2) and BSI TR-03111 §5.2.1's
// ecdsa-plain-SHA* — both stand for a plain r‖s signature in AA.
var aaSignatureHashes = []struct {
	oid  asn1.ObjectIdentifier
	hash crypto.Hash
}{
	{asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 1}, crypto.SHA1},
	{asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 1}, crypto.SHA224},
	{asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 2}, crypto.SHA256},
	{asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 3}, crypto.SHA384},
	{asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 4}, crypto.SHA512},
	{asn1.ObjectIdentifier{0, 4, 0, 127, 0, 7, 1, 1, 4, 1, 1}, crypto.SHA1},
	{asn1.ObjectIdentifier{0, 4, 0, 127, 0, 7, 1, 1, 4, 1, 2}, crypto.SHA224},
	{asn1.ObjectIdentifier{0, 4, 0, 127, 0, 7, 1, 1, 4, 1, 3}, crypto.SHA256},
	{asn1.ObjectIdentifier{0, 4, 0, 127, 0, 7, 1, 1, 4, 1, 4}, crypto.SHA384},
	{asn1.ObjectIdentifier{0, 4, 0, 127, 0, 7, 1, 1, 4, 1, 5}, crypto.SHA512},
}

// AASignatureHash maps an ActiveAuthenticationInfo signature algorithm to
// its hash (ok false for one this package does not know).
func AASignatureHash(oid asn1.ObjectIdentifier) (crypto.Hash, bool) {
	for _, a := range aaSignatureHashes {
		if a.oid.Equal(oid) {
			return a.hash, true
		}
	}
	return 0, false
}

// aaECDSAHash is the hash DG14's ActiveAuthenticationInfo names.
func aaECDSAHash(dg14 []byte) (crypto.Hash, error) {
	if len(dg14) == 0 {
		return 0, fmt.Errorf("%w: ECDSA Active Authentication needs DG14's ActiveAuthenticationInfo (9303-11 §6.1)", ErrUnsupported)
	}
	si, err := ParseDG14(dg14)
	if err != nil {
		return 0, err
	}
	if len(si.AA) == 0 {
		return 0, fmt.Errorf("%w: DG14 has no ActiveAuthenticationInfo for the ECDSA key (9303-11 §6.1)", ErrUnsupported)
	}
	h, ok := AASignatureHash(si.AA[0].SignatureAlgorithm)
	if !ok {
		return 0, fmt.Errorf("%w: AA signature algorithm %v", ErrUnsupported, si.AA[0].SignatureAlgorithm)
	}
	return h, nil
}

func verifyAAECDSA(pub ecc.Point, h crypto.Hash, challenge, sig []byte) error {
	d := h.New()
	d.Write(challenge)
	if !ecc.VerifyPlain(pub, d.Sum(nil), sig) {
		return fmt.Errorf("%w: ECDSA signature does not verify with %v", ErrActiveAuthentication, h)
	}
	return nil
}

// iso9796Hash maps an ISO/IEC 9796-2 trailer to its hash: BC is SHA-1
// (implicit); xx CC names the hash by its ISO/IEC 10118 identifier.
func iso9796Hash(f []byte) (hash.Hash, int, bool) {
	last := f[len(f)-1]
	if last == 0xBC {
		return sha1.New(), 1, true
	}
	if last != 0xCC || len(f) < 2 {
		return nil, 0, false
	}
	switch f[len(f)-2] {
	case 0x33:
		return sha1.New(), 2, true
	case 0x34:
		return sha256.New(), 2, true
	case 0x35:
		return sha512.New(), 2, true
	case 0x36:
		return sha512.New384(), 2, true
	case 0x38:
		return sha256.New224(), 2, true
	}
	return nil, 0, false
}

// VerifyISO9796_2 verifies an ISO/IEC 9796-2 scheme 1 signature with
// partial message recovery over m2 (the AA challenge): the recovered
// representative is 6A ‖ M1 ‖ H(M1 ‖ M2) ‖ trailer.
func VerifyISO9796_2(pub *rsa.PublicKey, m2, sig []byte) error {
	k := pub.Size()
	if len(sig) != k || pub.E < 3 {
		return fmt.Errorf("%w: RSA signature of %d bytes for a %d-byte key", ErrActiveAuthentication, len(sig), k)
	}
	sv := new(big.Int).SetBytes(sig)
	if sv.Cmp(pub.N) >= 0 {
		return fmt.Errorf("%w: RSA signature out of range", ErrActiveAuthentication)
	}
	f := new(big.Int).Exp(sv, big.NewInt(int64(pub.E)), pub.N)
	if new(big.Int).And(f, big.NewInt(15)).Int64() != 12 { // §B.6: take n − f when f ≢ 12 (mod 16)
		f.Sub(pub.N, f)
	}
	fb := f.FillBytes(make([]byte, k))
	if fb[0]&0xC0 != 0x40 || fb[0]&0x20 == 0 {
		return fmt.Errorf("%w: not a partial-recovery 9796-2 representative", ErrActiveAuthentication)
	}
	h, tlen, ok := iso9796Hash(fb)
	if !ok {
		return fmt.Errorf("%w: unknown 9796-2 trailer", ErrActiveAuthentication)
	}
	hl := h.Size()
	if k < 1+hl+tlen+1 {
		return fmt.Errorf("%w: RSA key too small", ErrActiveAuthentication)
	}
	// The first byte holds header bits and the first padding nibble: with
	// 6A the recovered message M1 starts at byte 1.
	m1 := fb[1 : k-hl-tlen]
	digest := fb[k-hl-tlen : k-tlen]
	h.Write(m1)
	h.Write(m2)
	if !bytes.Equal(h.Sum(nil), digest) {
		return fmt.Errorf("%w: 9796-2 digest mismatch", ErrActiveAuthentication)
	}
	return nil
}

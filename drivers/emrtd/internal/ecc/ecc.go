// Package ecc holds the elliptic-curve arithmetic of ICAO Doc 9303-11 used
// by both the terminal (drivers/emrtd) and the virtual chip (emrtdsim): the
// standardized domain parameters of PACE (§9.5.1, table of parameter IDs),
// curve lookup from SubjectPublicKeyInfo parameters, point encoding
// (BSI TR-03111 §3.2, uncompressed), random scalars, ECDH, the PACE Generic
// Mapping (§4.4.3.3.1) and ECDSA with plain signatures (TR-03111 §5.2.1).
//
// Brainpool curves come from drivers/emrtd/internal/weier (fixed-limb
// Montgomery arithmetic, constant-time scalar multiplication), which
// exposes elliptic.Curve; all arithmetic goes through that interface and
// every received point is checked with IsOnCurve before use (the standard
// library's curves panic on invalid points). Curves are compared by
// Params().Name, never by identity: the virtual chip (emrtdsim) passes
// ProtonMail's brainpool curves through this package as well.
package ecc

//lint:file-ignore SA1019 brainpool curves exist only as elliptic.Curve (drivers/emrtd/internal/weier); crypto/ecdh has no brainpool, so the generic point API is the only way (design §4).

import (
	"crypto/elliptic"
	"encoding/asn1"
	"errors"
	"fmt"
	"io"
	"math/big"

	"github.com/kiosk06/kiosk/drivers/emrtd/internal/weier"
)

// Errors.
var (
	ErrUnknownCurve = errors.New("ecc: unsupported domain parameters")
	ErrBadPoint     = errors.New("ecc: invalid point")
	ErrRandom       = errors.New("ecc: random source failed")
)

// ByParamID returns the curve of a standardized domain parameter ID
// (9303-11 §9.5.1): 10 P-224, 12 P-256, 13 brainpoolP256r1, 15 P-384,
// 16 brainpoolP384r1, 17 brainpoolP512r1, 18 P-521. IDs 8, 9, 11 and 14
// (192/224/320-bit curves) are not supported.
func ByParamID(id int) (elliptic.Curve, error) {
	switch id {
	case 10:
		return elliptic.P224(), nil
	case 12:
		return elliptic.P256(), nil
	case 13:
		return weier.BrainpoolP256r1(), nil
	case 15:
		return elliptic.P384(), nil
	case 16:
		return weier.BrainpoolP384r1(), nil
	case 17:
		return weier.BrainpoolP512r1(), nil
	case 18:
		return elliptic.P521(), nil
	}
	return nil, fmt.Errorf("%w: parameter id %d", ErrUnknownCurve, id)
}

// Named-curve OIDs (RFC 5480, RFC 5639).
var namedCurves = []struct {
	oid asn1.ObjectIdentifier
	id  int
}{
	{asn1.ObjectIdentifier{1, 3, 132, 0, 33}, 10},
	{asn1.ObjectIdentifier{1, 2, 840, 10045, 3, 1, 7}, 12},
	{asn1.ObjectIdentifier{1, 3, 36, 3, 3, 2, 8, 1, 1, 7}, 13},
	{asn1.ObjectIdentifier{1, 3, 132, 0, 34}, 15},
	{asn1.ObjectIdentifier{1, 3, 36, 3, 3, 2, 8, 1, 1, 11}, 16},
	{asn1.ObjectIdentifier{1, 3, 36, 3, 3, 2, 8, 1, 1, 13}, 17},
	{asn1.ObjectIdentifier{1, 3, 132, 0, 35}, 18},
}

// ByOID returns a named curve.
func ByOID(oid asn1.ObjectIdentifier) (elliptic.Curve, error) {
	for _, n := range namedCurves {
		if n.oid.Equal(oid) {
			return ByParamID(n.id)
		}
	}
	return nil, fmt.Errorf("%w: curve %v", ErrUnknownCurve, oid)
}

// OID returns the named-curve OID of c.
func OID(c elliptic.Curve) (asn1.ObjectIdentifier, bool) {
	for _, n := range namedCurves {
		k, _ := ByParamID(n.id)
		if k.Params().Name == c.Params().Name {
			return n.oid, true
		}
	}
	return nil, false
}

// ParamID returns the standardized parameter ID of c.
func ParamID(c elliptic.Curve) (int, bool) {
	for _, n := range namedCurves {
		k, _ := ByParamID(n.id)
		if k.Params().Name == c.Params().Name {
			return n.id, true
		}
	}
	return 0, false
}

// ByExplicit matches explicit ECParameters (prime p, generator, order n),
// as eMRTD certificates and DG14 carry them, against the supported curves.
func ByExplicit(p, n, gx, gy *big.Int) (elliptic.Curve, error) {
	for _, nc := range namedCurves {
		c, _ := ByParamID(nc.id)
		cp := c.Params()
		if cp.P.Cmp(p) == 0 && cp.N.Cmp(n) == 0 && cp.Gx.Cmp(gx) == 0 && cp.Gy.Cmp(gy) == 0 {
			return c, nil
		}
	}
	return nil, fmt.Errorf("%w: explicit parameters (%d-bit prime)", ErrUnknownCurve, p.BitLen())
}

// Point is an affine point on Curve.
type Point struct {
	Curve elliptic.Curve
	X, Y  *big.Int
}

// ByteLen is the field element size in bytes.
func ByteLen(c elliptic.Curve) int { return (c.Params().BitSize + 7) / 8 }

// Marshal encodes p uncompressed (04 ‖ X ‖ Y).
func (p Point) Marshal() []byte {
	n := ByteLen(p.Curve)
	out := make([]byte, 1+2*n)
	out[0] = 4
	p.X.FillBytes(out[1 : 1+n])
	p.Y.FillBytes(out[1+n:])
	return out
}

// Unmarshal decodes an uncompressed point and checks it lies on c and is
// not the point at infinity.
func Unmarshal(c elliptic.Curve, b []byte) (Point, error) {
	n := ByteLen(c)
	if len(b) != 1+2*n || b[0] != 4 {
		return Point{}, fmt.Errorf("%w: %d-byte encoding", ErrBadPoint, len(b))
	}
	x := new(big.Int).SetBytes(b[1 : 1+n])
	y := new(big.Int).SetBytes(b[1+n:])
	p := c.Params().P
	if x.Cmp(p) >= 0 || y.Cmp(p) >= 0 || !c.IsOnCurve(x, y) {
		return Point{}, fmt.Errorf("%w: not on %s", ErrBadPoint, c.Params().Name)
	}
	return Point{c, x, y}, nil
}

// RandScalar draws k in [1, n-1] by reading ByteLen(n) bytes from r and
// rejecting out-of-range values (so a fixed byte stream gives the exact
// scalar, as the ICAO worked examples need).
func RandScalar(c elliptic.Curve, r io.Reader) (*big.Int, error) {
	n := c.Params().N
	buf := make([]byte, (n.BitLen()+7)/8)
	excess := uint(len(buf)*8 - n.BitLen())
	for range 64 {
		if _, err := io.ReadFull(r, buf); err != nil {
			return nil, fmt.Errorf("%w: %v", ErrRandom, err)
		}
		buf[0] &= 0xFF >> excess
		k := new(big.Int).SetBytes(buf)
		if k.Sign() > 0 && k.Cmp(n) < 0 {
			return k, nil
		}
	}
	return nil, ErrRandom
}

// Mul is k·P; P must already be validated.
func Mul(p Point, k *big.Int) (Point, error) {
	kb := k.Bytes()
	x, y := p.Curve.ScalarMult(p.X, p.Y, kb)
	if x.Sign() == 0 && y.Sign() == 0 {
		return Point{}, fmt.Errorf("%w: point at infinity", ErrBadPoint)
	}
	return Point{p.Curve, x, y}, nil
}

// Generator is the curve's base point.
func Generator(c elliptic.Curve) Point {
	cp := c.Params()
	return Point{c, new(big.Int).Set(cp.Gx), new(big.Int).Set(cp.Gy)}
}

// MapGeneric computes the PACE Generic Mapping Ĝ = s·G + H where
// H = sk·pk (9303-11 §4.4.3.3.1).
func MapGeneric(c elliptic.Curve, s []byte, sk *big.Int, pk Point) (mapped, h Point, err error) {
	h, err = Mul(pk, sk)
	if err != nil {
		return Point{}, Point{}, err
	}
	sx, sy := c.ScalarBaseMult(s)
	if sx.Sign() == 0 && sy.Sign() == 0 {
		return Point{}, Point{}, fmt.Errorf("%w: s·G at infinity", ErrBadPoint)
	}
	if sx.Cmp(h.X) == 0 {
		// Doubling or cancellation: elliptic.Curve.Add is not defined here.
		return Point{}, Point{}, fmt.Errorf("%w: degenerate mapping", ErrBadPoint)
	}
	x, y := c.Add(sx, sy, h.X, h.Y)
	return Point{c, x, y}, h, nil
}

// SharedX is the ECDH shared secret: the x-coordinate of sk·pk as a
// ByteLen-sized string (TR-03111 §4.3.1).
func SharedX(sk *big.Int, pk Point) ([]byte, error) {
	k, err := Mul(pk, sk)
	if err != nil {
		return nil, err
	}
	return k.X.FillBytes(make([]byte, ByteLen(pk.Curve))), nil
}

// hashToInt truncates a digest to the bit length of n (TR-03111 §4.2.1.1).
func hashToInt(digest []byte, n *big.Int) *big.Int {
	bits := n.BitLen()
	if len(digest)*8 > bits {
		digest = digest[:(bits+7)/8]
	}
	e := new(big.Int).SetBytes(digest)
	if excess := len(digest)*8 - bits; excess > 0 {
		e.Rsh(e, uint(excess))
	}
	return e
}

// VerifyPlain verifies an ECDSA signature in plain format r ‖ s (each
// ByteLen(n) bytes, TR-03111 §5.2.1) over digest with public key q.
func VerifyPlain(q Point, digest, sig []byte) bool {
	n := q.Curve.Params().N
	l := (n.BitLen() + 7) / 8
	if len(sig) != 2*l {
		return false
	}
	r := new(big.Int).SetBytes(sig[:l])
	s := new(big.Int).SetBytes(sig[l:])
	if r.Sign() <= 0 || s.Sign() <= 0 || r.Cmp(n) >= 0 || s.Cmp(n) >= 0 {
		return false
	}
	e := hashToInt(digest, n)
	w := new(big.Int).ModInverse(s, n)
	u1 := new(big.Int).Mul(e, w)
	u1.Mod(u1, n)
	u2 := new(big.Int).Mul(r, w)
	u2.Mod(u2, n)
	x1, y1 := q.Curve.ScalarBaseMult(u1.Bytes())
	x2, y2 := q.Curve.ScalarMult(q.X, q.Y, u2.Bytes())
	var x *big.Int
	switch {
	case x1.Cmp(x2) == 0 && y1.Cmp(y2) == 0:
		x, _ = q.Curve.Double(x1, y1)
	case x1.Cmp(x2) == 0:
		return false
	default:
		x, _ = q.Curve.Add(x1, y1, x2, y2)
	}
	x.Mod(x, n)
	return x.Cmp(r) == 0
}

// SignPlain makes a plain ECDSA signature r ‖ s with private key d (for
// the virtual chip's Active Authentication).
func SignPlain(c elliptic.Curve, d *big.Int, digest []byte, rnd io.Reader) ([]byte, error) {
	n := c.Params().N
	l := (n.BitLen() + 7) / 8
	e := hashToInt(digest, n)
	for range 64 {
		k, err := RandScalar(c, rnd)
		if err != nil {
			return nil, err
		}
		x, _ := c.ScalarBaseMult(k.Bytes())
		r := new(big.Int).Mod(x, n)
		if r.Sign() == 0 {
			continue
		}
		s := new(big.Int).Mul(r, d)
		s.Add(s, e)
		s.Mul(s, new(big.Int).ModInverse(k, n))
		s.Mod(s, n)
		if s.Sign() == 0 {
			continue
		}
		out := make([]byte, 2*l)
		r.FillBytes(out[:l])
		s.FillBytes(out[l:])
		return out, nil
	}
	return nil, ErrRandom
}

// Scalar reads a big-endian scalar.
func Scalar(b []byte) *big.Int { return new(big.Int).SetBytes(b) }

// WarmUp builds the base-point tables of the brainpool curves (parameter
// IDs 13, 16, 17) now rather than at their first use. Safe to call
// concurrently and more than once; later calls cost nothing.
func WarmUp() {
	for _, id := range []int{13, 16, 17} {
		if c, err := ByParamID(id); err == nil {
			c.ScalarBaseMult([]byte{1})
		}
	}
}

package weier

import (
	"crypto/elliptic"
	"errors"
	"fmt"
	"math/big"
	"sync"
)

const (
	minBits = 128 // smallest supported prime
	maxBits = 512 // largest supported prime (8 limbs)
	// maxScalar is the byte length of the largest order: by the Hasse bound
	// n ≤ p + 1 + 2√p, so a 512-bit p may have a 513-bit n.
	maxScalar = 66
	window    = 4 // bits per digit of the scalar multiplications
)

// curve implements elliptic.Curve for one prime-order short-Weierstrass
// curve. Everything in it is immutable after construction except the base
// point table, which base computes once.
type curve[E limbs] struct {
	arith[E]
	params  *elliptic.CurveParams // returned by Params; never read here
	n       *big.Int              // the group order (own copy)
	nBE     [maxScalar]byte       // n big-endian in the first nBytes bytes
	nBytes  int
	topMask byte // bits of a nBytes-long scalar's first byte above n's bit length
	digits  int  // window-bit digits of a reduced scalar
	g       jac[E]
	base    func() [][15]aff[E] // base()[i][d-1] = d·2^(4i)·G, d = 1..15
}

// ErrParams is wrapped by every error of New.
var ErrParams = errors.New("weier: unsupported curve parameters")

// New returns the curve y² = x³ + ax + b over GF(p) with the generator,
// order and name of params (params.B is b; a negative a is taken mod p, so
// -3 describes the NIST curves). params is copied. It checks what the
// arithmetic relies on and returns an error wrapping ErrParams otherwise:
// p an odd prime of 128 to 512 bits equal to params.BitSize; 0 ≤ a, b < p
// and 4a³ + 27b² ≠ 0 mod p; G on the curve; n prime, within the Hasse
// bound |n - p - 1| ≤ 2√p and above 4√p, so the group has exactly n
// points (cofactor 1); and (n-1)·G = -G.
func New(params *elliptic.CurveParams, a *big.Int) (elliptic.Curve, error) {
	if params == nil || a == nil || params.P == nil || params.N == nil || params.B == nil || params.Gx == nil || params.Gy == nil {
		return nil, fmt.Errorf("%w: missing values", ErrParams)
	}
	p, n := params.P, params.N
	if p.Sign() <= 0 || p.Bit(0) == 0 || p.BitLen() < minBits || p.BitLen() > maxBits {
		return nil, fmt.Errorf("%w: p must be odd and of %d to %d bits", ErrParams, minBits, maxBits)
	}
	if params.BitSize != p.BitLen() {
		return nil, fmt.Errorf("%w: BitSize %d, p has %d bits", ErrParams, params.BitSize, p.BitLen())
	}
	if !p.ProbablyPrime(20) {
		return nil, fmt.Errorf("%w: p is not prime", ErrParams)
	}
	aa := new(big.Int).Set(a)
	if aa.Sign() < 0 {
		aa.Add(aa, p)
	}
	inRange := func(v *big.Int) bool { return v.Sign() >= 0 && v.Cmp(p) < 0 }
	if !inRange(aa) || !inRange(params.B) || !inRange(params.Gx) || !inRange(params.Gy) {
		return nil, fmt.Errorf("%w: a, b or G not reduced mod p", ErrParams)
	}
	// 4a³ + 27b² ≠ 0: the curve is not singular.
	disc := new(big.Int).Exp(aa, big.NewInt(3), p)
	disc.Mul(disc, big.NewInt(4))
	b2 := new(big.Int).Mul(params.B, params.B)
	disc.Add(disc, b2.Mul(b2, big.NewInt(27)))
	if disc.Mod(disc, p).Sign() == 0 {
		return nil, fmt.Errorf("%w: singular curve", ErrParams)
	}
	// |n - (p+1)| ≤ 2√p ⇔ (n - p - 1)² ≤ 4p, and n > 4√p ⇔ n² > 16p.
	d := new(big.Int).Sub(n, p)
	d.Sub(d, big.NewInt(1))
	d.Mul(d, d)
	fourP := new(big.Int).Lsh(p, 2)
	n2 := new(big.Int).Mul(n, n)
	if n.Sign() <= 0 || d.Cmp(fourP) > 0 || n2.Cmp(new(big.Int).Lsh(p, 4)) <= 0 {
		return nil, fmt.Errorf("%w: order outside the Hasse bound", ErrParams)
	}
	if !n.ProbablyPrime(20) {
		return nil, fmt.Errorf("%w: order is not prime", ErrParams)
	}
	c := build(params, aa)
	if err := c.check(); err != nil {
		return nil, err
	}
	return c, nil
}

// checked is a curve that can verify its generator.
type checked interface {
	elliptic.Curve
	check() error
}

// build makes the curve with the smallest limb count that holds p. The
// parameters must be valid (New checks them; the built-in curves are
// checked by the tests).
func build(params *elliptic.CurveParams, a *big.Int) checked {
	switch l := (params.P.BitLen() + 63) / 64; {
	case l <= 4:
		return newCurve[[4]uint64](params, a)
	case l <= 6:
		return newCurve[[6]uint64](params, a)
	default:
		return newCurve[[8]uint64](params, a)
	}
}

func copyInt(v *big.Int) *big.Int { return new(big.Int).Set(v) }

func newCurve[E limbs](params *elliptic.CurveParams, a *big.Int) *curve[E] {
	f := newField[E](params.P)
	c := &curve[E]{
		arith: arith[E]{f: f},
		params: &elliptic.CurveParams{
			P: copyInt(params.P), N: copyInt(params.N), B: copyInt(params.B),
			Gx: copyInt(params.Gx), Gy: copyInt(params.Gy),
			BitSize: params.BitSize, Name: params.Name,
		},
		n: copyInt(params.N),
	}
	f.fromBig(&c.a, a)
	f.fromBig(&c.b, params.B)
	f.fromBig(&c.g.x, params.Gx)
	f.fromBig(&c.g.y, params.Gy)
	c.g.z = f.one
	nBits := c.n.BitLen()
	c.nBytes = (nBits + 7) / 8
	c.n.FillBytes(c.nBE[:c.nBytes])
	if r := nBits % 8; r != 0 {
		c.topMask = byte(0xFF << r)
	}
	c.digits = (nBits + window - 1) / window
	c.base = sync.OnceValue(c.buildBase)
	return c
}

// check verifies that G lies on the curve and that (n-1)·G = -G, computed
// with complete formulas and without reducing the scalar.
func (c *curve[E]) check() error {
	g := aff[E]{c.g.x, c.g.y}
	if c.onCurve(&g.x, &g.y) != 1 {
		return fmt.Errorf("%w: G is not on the curve", ErrParams)
	}
	k := new(big.Int).Sub(c.n, big.NewInt(1))
	var acc jac[E]
	c.infinity(&acc)
	for i := k.BitLen() - 1; i >= 0; i-- {
		c.double(&acc, &acc)
		if k.Bit(i) == 1 {
			c.addComplete(&acc, &acc, &c.g)
		}
	}
	x, y := c.toAffine(&acc)
	var negY E
	c.f.neg(&negY, &g.y)
	if isInfinity(&acc) == 1 || equal(&x, &g.x) != 1 || equal(&y, &negY) != 1 {
		return fmt.Errorf("%w: G does not have order n", ErrParams)
	}
	return nil
}

// Params returns the curve's parameters. Its B is the curve's b, but a is
// not -3 in general, so the methods of *elliptic.CurveParams (which assume
// a = -3) must not be used on it; callers must not modify it.
func (c *curve[E]) Params() *elliptic.CurveParams { return c.params }

// load sets p from affine big.Int coordinates and reports whether they are
// a valid point: (0, 0) for the point at infinity, or a point on the curve
// with coordinates in [0, p).
func (c *curve[E]) load(p *jac[E], x, y *big.Int) bool {
	if x == nil || y == nil {
		return false
	}
	if x.Sign() == 0 && y.Sign() == 0 {
		c.infinity(p)
		return true
	}
	if !c.f.fromBig(&p.x, x) || !c.f.fromBig(&p.y, y) {
		return false
	}
	p.z = c.f.one
	return c.onCurve(&p.x, &p.y) == 1
}

// result converts p to affine big.Int coordinates, (0, 0) for the point at
// infinity.
func (c *curve[E]) result(p *jac[E]) (*big.Int, *big.Int) {
	x, y := c.toAffine(p)
	return c.f.toBig(&x), c.f.toBig(&y)
}

// IsOnCurve reports whether (x, y) is a point of the curve: both
// coordinates in [0, p) and y² = x³ + ax + b. The point at infinity (0, 0)
// is not on the curve; nil coordinates are not either.
func (c *curve[E]) IsOnCurve(x, y *big.Int) bool {
	var fx, fy E
	if !c.f.fromBig(&fx, x) || !c.f.fromBig(&fy, y) {
		return false
	}
	return c.onCurve(&fx, &fy) == 1
}

// Add returns (x1, y1) + (x2, y2) for all points, including equal and
// opposite ones; (0, 0) stands for the point at infinity, in and out. If an
// input is neither (0, 0) nor on the curve the result is (0, 0).
func (c *curve[E]) Add(x1, y1, x2, y2 *big.Int) (x, y *big.Int) {
	var p, q jac[E]
	if !c.load(&p, x1, y1) || !c.load(&q, x2, y2) {
		return new(big.Int), new(big.Int)
	}
	c.addComplete(&p, &p, &q)
	return c.result(&p)
}

// Double returns 2·(x1, y1); (0, 0) for the point at infinity and for an
// input that is not on the curve.
func (c *curve[E]) Double(x1, y1 *big.Int) (x, y *big.Int) {
	var p jac[E]
	if !c.load(&p, x1, y1) {
		return new(big.Int), new(big.Int)
	}
	c.double(&p, &p)
	return c.result(&p)
}

// ScalarMult returns k·(x1, y1) for a big-endian scalar k of any length
// (taken mod n). The result is (0, 0) for the point at infinity, for a
// multiple of n and for an input that is not on the curve. For the
// generator itself it uses ScalarBaseMult's table.
func (c *curve[E]) ScalarMult(x1, y1 *big.Int, k []byte) (x, y *big.Int) {
	var p jac[E]
	if !c.load(&p, x1, y1) {
		return new(big.Int), new(big.Int)
	}
	s := c.scalar(k)
	var r jac[E]
	if isInfinity(&p) == 0 && equal(&p.x, &c.g.x)&equal(&p.y, &c.g.y) == 1 {
		// k·G (key generation passes G explicitly): the base table is about
		// four times faster. The branch depends on the public point only.
		c.scalarBaseMult(&r, &s)
	} else {
		c.scalarMult(&r, &p, &s)
	}
	return c.result(&r)
}

// ScalarBaseMult returns k·G for a big-endian scalar k of any length (taken
// mod n); (0, 0) when k is a multiple of n. The first call builds the
// curve's table of multiples of G.
func (c *curve[E]) ScalarBaseMult(k []byte) (x, y *big.Int) {
	s := c.scalar(k)
	var r jac[E]
	c.scalarBaseMult(&r, &s)
	return c.result(&r)
}

// scalar returns k mod n big-endian in the first nBytes bytes. A scalar
// that fits in n's bit length is below 2n and is reduced by one
// constant-time conditional subtraction; a longer one (not the usual case)
// goes through big.Int, which is not constant-time.
func (c *curve[E]) scalar(k []byte) (s [maxScalar]byte) {
	nb := c.nBytes
	if len(k) > nb || (len(k) == nb && k[0]&c.topMask != 0) {
		v := new(big.Int).SetBytes(k)
		v.Mod(v, c.n)
		v.FillBytes(s[:nb])
		return s
	}
	copy(s[nb-len(k):nb], k)
	var d [maxScalar]byte
	borrow := 0
	for i := nb - 1; i >= 0; i-- {
		v := int(s[i]) - int(c.nBE[i]) - borrow
		d[i] = byte(v)
		borrow = (v >> 8) & 1
	}
	keep := byte(borrow) - 1 // 0xFF when s ≥ n: take s - n
	for i := 0; i < nb; i++ {
		s[i] = (d[i] & keep) | (s[i] &^ keep)
	}
	return s
}

// digit returns the i-th 4-bit digit of s (0 the least significant).
func (c *curve[E]) digit(s *[maxScalar]byte, i int) uint64 {
	b := s[c.nBytes-1-i/2]
	return uint64(b>>(4*uint(i%2))) & 15
}

// eq returns 1 when a == b, else 0, without branching.
func eq(a, b uint64) uint64 {
	x := a ^ b
	return ((x | -x) >> 63) ^ 1
}

// scalarMult sets r = s·p with a fixed 4-bit window from the most
// significant digit: 4 doublings and one addition of a multiple of p read
// from a table in constant time per digit. With p of order n and s < n the
// addition never meets equal points (acc = 16·m·p and the table entry is
// d·p with 16m + d ≤ s < n), only the point at infinity, which add handles.
func (c *curve[E]) scalarMult(r, p *jac[E], s *[maxScalar]byte) {
	var tbl [16]jac[E]
	c.infinity(&tbl[0])
	tbl[1] = *p
	c.double(&tbl[2], p)
	for i := 3; i < 16; i++ {
		c.add(&tbl[i], &tbl[i-1], p)
	}
	var acc, t jac[E]
	c.infinity(&acc)
	for i := c.digits - 1; i >= 0; i-- {
		if i != c.digits-1 {
			for range window {
				c.double(&acc, &acc)
			}
		}
		d := c.digit(s, i)
		for j := range tbl {
			cmovJac(&t, &tbl[j], eq(uint64(j), d))
		}
		c.add(&acc, &acc, &t)
	}
	*r = acc
}

// scalarBaseMult sets r = s·G as a sum of one table entry per 4-bit digit
// (no doublings). The partial sum before digit i is below 16^i and the
// whole sum below n, so no addition meets equal or opposite points.
func (c *curve[E]) scalarBaseMult(r *jac[E], s *[maxScalar]byte) {
	tbl := c.base()
	var acc jac[E]
	c.infinity(&acc)
	for i := 0; i < c.digits; i++ {
		d := c.digit(s, i)
		var t aff[E]
		w := &tbl[i]
		for j := 1; j < 16; j++ {
			e := eq(uint64(j), d)
			cmov(&t.x, &w[j-1].x, e)
			cmov(&t.y, &w[j-1].y, e)
		}
		c.addMixed(&acc, &acc, &t, eq(d, 0))
	}
	*r = acc
}

// buildBase computes d·16^i·G for every digit position i and d = 1..15, and
// converts them to affine coordinates with one shared inversion.
func (c *curve[E]) buildBase() [][15]aff[E] {
	f := c.f
	pts := make([]jac[E], c.digits*15)
	b := c.g
	for i := 0; i < c.digits; i++ {
		w := pts[15*i : 15*i+15]
		w[0] = b
		for d := 2; d <= 15; d++ {
			if d%2 == 0 {
				c.double(&w[d-1], &w[d/2-1])
			} else {
				c.add(&w[d-1], &w[d-2], &b) // (d-1)·b ≠ ±b: n > 16 is prime
			}
		}
		c.double(&b, &w[7]) // 16·b = 2·(8·b)
	}
	// Batch inversion: prod[i] = z_0···z_i, one inversion of the total,
	// then each 1/z_i from the running inverse walking back.
	prod := make([]E, len(pts))
	acc := f.one
	for i := range pts {
		f.mul(&acc, &acc, &pts[i].z)
		prod[i] = acc
	}
	var inv E
	f.inv(&inv, &acc)
	out := make([][15]aff[E], c.digits)
	for i := len(pts) - 1; i >= 0; i-- {
		zi := inv
		if i > 0 {
			f.mul(&zi, &inv, &prod[i-1])
		}
		f.mul(&inv, &inv, &pts[i].z)
		var zi2 E
		f.sqr(&zi2, &zi)
		o := &out[i/15][i%15]
		f.mul(&o.x, &pts[i].x, &zi2)
		f.mul(&zi2, &zi2, &zi)
		f.mul(&o.y, &pts[i].y, &zi2)
	}
	return out
}

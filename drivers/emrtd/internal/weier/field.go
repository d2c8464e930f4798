package weier

import (
	"math/big"
	"math/bits"
)

// limbs is the set of field-element representations: little-endian 64-bit
// limbs, 4 for primes up to 256 bits, 6 up to 384 and 8 up to 512. Each
// size is a separate instantiation, so len(E) is a constant in the loops.
type limbs interface {
	[4]uint64 | [6]uint64 | [8]uint64
}

// field is arithmetic modulo an odd prime p < 2^(64·len(E)) in Montgomery
// form (x is held as x·R mod p, R = 2^(64·len(E))). Every value a field
// operation receives or produces is fully reduced (< p). All operations
// are branch-free in their operands; none allocates.
type field[E limbs] struct {
	p    E        // the modulus
	pinv uint64   // -p⁻¹ mod 2⁶⁴
	rr   E        // R² mod p, to enter Montgomery form
	one  E        // R mod p: 1 in Montgomery form
	pm2  E        // p-2, the exponent of inversion (public)
	size int      // bytes of p
	pBig *big.Int // p, for range checks of big.Int inputs (never modified)
}

// newField sets up arithmetic modulo p, which must be odd, > 3 and fit E.
func newField[E limbs](p *big.Int) *field[E] {
	f := &field[E]{size: (p.BitLen() + 7) / 8, pBig: new(big.Int).Set(p)}
	setBig(&f.p, p)
	setBig(&f.pm2, new(big.Int).Sub(p, big.NewInt(2)))
	nbits := uint(64 * len(f.p))
	r := new(big.Int).Lsh(big.NewInt(1), nbits)
	setBig(&f.one, new(big.Int).Mod(r, p))
	setBig(&f.rr, new(big.Int).Mod(new(big.Int).Mul(r, r), p))
	// Newton iteration for p⁻¹ mod 2⁶⁴: each step doubles the correct bits
	// (p·p ≡ 1 mod 8 gives 3 to start with).
	p0 := f.p[0]
	inv := p0
	for range 5 {
		inv *= 2 - p0*inv
	}
	f.pinv = -inv
	return f
}

// setBig sets z to the plain (non-Montgomery) value v, which must be
// non-negative and fit E.
func setBig[E limbs](z *E, v *big.Int) {
	var buf [64]byte
	n := 8 * len(*z)
	v.FillBytes(buf[:n])
	setBytesBE(z, buf[:n])
}

// setBytesBE sets z to the plain big-endian value b (len(b) ≤ 8·len(E)).
func setBytesBE[E limbs](z *E, b []byte) {
	var zero E
	*z = zero
	for i := range b {
		k := len(b) - 1 - i // byte index from the least significant end
		(*z)[k/8] |= uint64(b[i]) << (8 * uint(k%8))
	}
}

// fillBytesBE writes the plain value x big-endian into b, which must be long
// enough to hold it (the bytes above len(E) limbs are zeroed).
func fillBytesBE[E limbs](b []byte, x *E) {
	for i := range b {
		k := len(b) - 1 - i
		if k/8 < len(*x) {
			b[i] = byte((*x)[k/8] >> (8 * uint(k%8)))
		} else {
			b[i] = 0
		}
	}
}

// fromBig sets z to v in Montgomery form and reports whether 0 ≤ v < p; z
// is zero when it is not.
func (f *field[E]) fromBig(z *E, v *big.Int) bool {
	var zero E
	*z = zero
	if v == nil || v.Sign() < 0 || v.Cmp(f.pBig) >= 0 {
		return false
	}
	setBig(z, v)
	f.mul(z, z, &f.rr)
	return true
}

// toBig returns the plain value of x (Montgomery form) as a new big.Int.
func (f *field[E]) toBig(x *E) *big.Int {
	var t E
	f.fromMont(&t, x)
	var buf [64]byte
	fillBytesBE(buf[:f.size], &t)
	return new(big.Int).SetBytes(buf[:f.size])
}

// fromMont sets z to the plain value of x: x·R⁻¹ mod p.
func (f *field[E]) fromMont(z, x *E) {
	var one E
	one[0] = 1
	f.mul(z, x, &one)
}

// mul sets z = x·y·R⁻¹ mod p (Montgomery product, interleaved word by word:
// for every word of y, add x·y[i] and a multiple m·p of the modulus that
// clears the lowest word, then shift one word). z may alias x or y. With
// x, y < p the running value stays below 2p, so one conditional
// subtraction at the end reduces it.
func (f *field[E]) mul(z, x, y *E) {
	if z4, ok := any(z).(*[4]uint64); ok {
		mul4(z4, any(x).(*[4]uint64), any(y).(*[4]uint64), any(&f.p).(*[4]uint64), f.pinv)
		return
	}
	const maxLen = 8
	n := len(*x)
	var t [maxLen + 1]uint64
	for i := 0; i < n; i++ {
		yi := (*y)[i]
		hi, lo := bits.Mul64((*x)[0], yi)
		lo, c := bits.Add64(lo, t[0], 0)
		c1 := hi + c
		m := lo * f.pinv
		h2, l2 := bits.Mul64(m, f.p[0])
		_, c = bits.Add64(l2, lo, 0) // the low word cancels by the choice of m
		c2 := h2 + c
		for j := 1; j < n; j++ {
			hi, lo = bits.Mul64((*x)[j], yi)
			lo, c = bits.Add64(lo, t[j], 0)
			hi += c
			lo, c = bits.Add64(lo, c1, 0)
			c1 = hi + c
			h2, l2 = bits.Mul64(m, f.p[j])
			l2, c = bits.Add64(l2, lo, 0)
			h2 += c
			l2, c = bits.Add64(l2, c2, 0)
			c2 = h2 + c
			t[j-1] = l2
		}
		s, ca := bits.Add64(t[n], c1, 0)
		s, cb := bits.Add64(s, c2, 0)
		t[n-1] = s
		t[n] = ca + cb
	}
	var r E
	var b uint64
	for j := 0; j < n; j++ {
		r[j], b = bits.Sub64(t[j], f.p[j], b)
	}
	_, b = bits.Sub64(t[n], 0, b)
	keep := -b // all ones when t < p
	for j := 0; j < n; j++ {
		(*z)[j] = (t[j] & keep) | (r[j] &^ keep)
	}
}

// sqr sets z = x²·R⁻¹ mod p.
func (f *field[E]) sqr(z, x *E) { f.mul(z, x, x) }

// add sets z = x + y mod p.
func (f *field[E]) add(z, x, y *E) {
	n := len(*x)
	var s, r E
	var c, b uint64
	for j := 0; j < n; j++ {
		s[j], c = bits.Add64((*x)[j], (*y)[j], c)
	}
	for j := 0; j < n; j++ {
		r[j], b = bits.Sub64(s[j], f.p[j], b)
	}
	_, b = bits.Sub64(c, 0, b)
	keep := -b // all ones when x + y < p
	for j := 0; j < n; j++ {
		(*z)[j] = (s[j] & keep) | (r[j] &^ keep)
	}
}

// sub sets z = x - y mod p.
func (f *field[E]) sub(z, x, y *E) {
	n := len(*x)
	var d E
	var b, c uint64
	for j := 0; j < n; j++ {
		d[j], b = bits.Sub64((*x)[j], (*y)[j], b)
	}
	mask := -b // all ones when x < y: add p back
	for j := 0; j < n; j++ {
		(*z)[j], c = bits.Add64(d[j], f.p[j]&mask, c)
	}
}

// neg sets z = -x mod p.
func (f *field[E]) neg(z, x *E) {
	var zero E
	f.sub(z, &zero, x)
}

// inv sets z = x⁻¹ mod p (Montgomery form in and out) as x^(p-2), with a
// fixed 4-bit window over the public exponent; the inverse of 0 is 0.
func (f *field[E]) inv(z, x *E) {
	var tbl [16]E
	tbl[0] = f.one
	tbl[1] = *x
	for i := 2; i < 16; i++ {
		f.mul(&tbl[i], &tbl[i-1], x)
	}
	acc := f.one
	for i := 16*len(*x) - 1; i >= 0; i-- {
		f.sqr(&acc, &acc)
		f.sqr(&acc, &acc)
		f.sqr(&acc, &acc)
		f.sqr(&acc, &acc)
		d := (f.pm2[i/16] >> (4 * uint(i%16))) & 15
		f.mul(&acc, &acc, &tbl[d])
	}
	*z = acc
}

// isZero returns 1 when x is 0 and 0 otherwise.
func isZero[E limbs](x *E) uint64 {
	var v uint64
	for j := 0; j < len(*x); j++ {
		v |= (*x)[j]
	}
	return ((v | -v) >> 63) ^ 1
}

// equal returns 1 when x == y and 0 otherwise.
func equal[E limbs](x, y *E) uint64 {
	var v uint64
	for j := 0; j < len(*x); j++ {
		v |= (*x)[j] ^ (*y)[j]
	}
	return ((v | -v) >> 63) ^ 1
}

// cmov sets z = x when cond is 1 and leaves it when cond is 0.
func cmov[E limbs](z, x *E, cond uint64) {
	mask := -cond
	for j := 0; j < len(*z); j++ {
		(*z)[j] ^= mask & ((*z)[j] ^ (*x)[j])
	}
}

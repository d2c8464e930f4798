package weier

import "math/bits"

// mul4 is field.mul for 4 limbs with the inner loop written out, which
// lets the compiler keep the running value in registers; brainpoolP256r1,
// the curve of every PACE, Chip Authentication and Document Signer
// signature, spends most of its time here. Same algorithm and bounds as
// field.mul.
func mul4(z, x, y, p *[4]uint64, pinv uint64) {
	var t0, t1, t2, t3, t4 uint64
	x0, x1, x2, x3 := x[0], x[1], x[2], x[3]
	p0, p1, p2, p3 := p[0], p[1], p[2], p[3]
	for i := range 4 {
		yi := y[i]
		var c, hi, lo, h2, l2 uint64
		hi, lo = bits.Mul64(x0, yi)
		lo, c = bits.Add64(lo, t0, 0)
		c1 := hi + c
		m := lo * pinv
		h2, l2 = bits.Mul64(m, p0)
		_, c = bits.Add64(l2, lo, 0)
		c2 := h2 + c

		hi, lo = bits.Mul64(x1, yi)
		lo, c = bits.Add64(lo, t1, 0)
		hi += c
		lo, c = bits.Add64(lo, c1, 0)
		c1 = hi + c
		h2, l2 = bits.Mul64(m, p1)
		l2, c = bits.Add64(l2, lo, 0)
		h2 += c
		t0, c = bits.Add64(l2, c2, 0)
		c2 = h2 + c

		hi, lo = bits.Mul64(x2, yi)
		lo, c = bits.Add64(lo, t2, 0)
		hi += c
		lo, c = bits.Add64(lo, c1, 0)
		c1 = hi + c
		h2, l2 = bits.Mul64(m, p2)
		l2, c = bits.Add64(l2, lo, 0)
		h2 += c
		t1, c = bits.Add64(l2, c2, 0)
		c2 = h2 + c

		hi, lo = bits.Mul64(x3, yi)
		lo, c = bits.Add64(lo, t3, 0)
		hi += c
		lo, c = bits.Add64(lo, c1, 0)
		c1 = hi + c
		h2, l2 = bits.Mul64(m, p3)
		l2, c = bits.Add64(l2, lo, 0)
		h2 += c
		t2, c = bits.Add64(l2, c2, 0)
		c2 = h2 + c

		var ca, cb uint64
		t3, ca = bits.Add64(t4, c1, 0)
		t3, cb = bits.Add64(t3, c2, 0)
		t4 = ca + cb
	}
	var r0, r1, r2, r3, b uint64
	r0, b = bits.Sub64(t0, p0, 0)
	r1, b = bits.Sub64(t1, p1, b)
	r2, b = bits.Sub64(t2, p2, b)
	r3, b = bits.Sub64(t3, p3, b)
	_, b = bits.Sub64(t4, 0, b)
	keep := -b
	z[0] = (t0 & keep) | (r0 &^ keep)
	z[1] = (t1 & keep) | (r1 &^ keep)
	z[2] = (t2 & keep) | (r2 &^ keep)
	z[3] = (t3 & keep) | (r3 &^ keep)
}

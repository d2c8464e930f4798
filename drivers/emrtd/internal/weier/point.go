package weier

// jac is a point in Jacobian coordinates (X/Z², Y/Z³), field elements in
// Montgomery form. Z = 0 is the point at infinity (X and Y then carry no
// meaning).
type jac[E limbs] struct{ x, y, z E }

// aff is an affine point (Montgomery form); it cannot be the point at
// infinity.
type aff[E limbs] struct{ x, y E }

// arith is the group law of y² = x³ + ax + b over a field.
type arith[E limbs] struct {
	f    *field[E]
	a, b E // curve coefficients, Montgomery form
}

// infinity sets p to the point at infinity.
func (c *arith[E]) infinity(p *jac[E]) {
	var zero E
	p.x, p.y, p.z = c.f.one, c.f.one, zero
}

// isInfinity returns 1 when p is the point at infinity, else 0.
func isInfinity[E limbs](p *jac[E]) uint64 { return isZero(&p.z) }

// cmovJac sets z = x when cond is 1.
func cmovJac[E limbs](z, x *jac[E], cond uint64) {
	cmov(&z.x, &x.x, cond)
	cmov(&z.y, &x.y, cond)
	cmov(&z.z, &x.z, cond)
}

// onCurve returns 1 when the affine point (x, y) satisfies the equation.
func (c *arith[E]) onCurve(x, y *E) uint64 {
	f := c.f
	var lhs, rhs E
	f.sqr(&lhs, y)
	f.sqr(&rhs, x)
	f.add(&rhs, &rhs, &c.a)
	f.mul(&rhs, &rhs, x) // x³ + ax
	f.add(&rhs, &rhs, &c.b)
	return equal(&lhs, &rhs)
}

// double sets r = 2p for any a ("dbl-2007-bl", 1M + 8S + 1·a):
//
//	XX = X², YY = Y², YYYY = YY², ZZ = Z²
//	S = 2((X+YY)² - XX - YYYY), M = 3XX + a·ZZ², T = M² - 2S
//	X3 = T, Y3 = M(S - T) - 8YYYY, Z3 = (Y+Z)² - YY - ZZ
//
// It is complete: the point at infinity (Z = 0) and points of order 2
// (Y = 0) give Z3 = 0. r may alias p.
func (c *arith[E]) double(r, p *jac[E]) {
	f := c.f
	var xx, yy, yyyy, zz, s, m, t, u E
	f.sqr(&xx, &p.x)
	f.sqr(&yy, &p.y)
	f.sqr(&yyyy, &yy)
	f.sqr(&zz, &p.z)
	f.add(&s, &p.x, &yy)
	f.sqr(&s, &s)
	f.sub(&s, &s, &xx)
	f.sub(&s, &s, &yyyy)
	f.add(&s, &s, &s)
	f.sqr(&m, &zz)
	f.mul(&m, &m, &c.a)
	f.add(&m, &m, &xx)
	f.add(&m, &m, &xx)
	f.add(&m, &m, &xx)
	f.sqr(&t, &m)
	f.sub(&t, &t, &s)
	f.sub(&t, &t, &s)
	// Z3 first: it needs the old Y and Z, which r may overwrite.
	f.add(&u, &p.y, &p.z)
	f.sqr(&u, &u)
	f.sub(&u, &u, &yy)
	f.sub(&r.z, &u, &zz)
	r.x = t
	f.sub(&u, &s, &t)
	f.mul(&u, &u, &m)
	f.add(&yyyy, &yyyy, &yyyy)
	f.add(&yyyy, &yyyy, &yyyy)
	f.add(&yyyy, &yyyy, &yyyy)
	f.sub(&r.y, &u, &yyyy)
}

// addRaw sets r = p + q ("add-2007-bl", 11M + 5S):
//
//	U1 = X1·Z2², U2 = X2·Z1², S1 = Y1·Z2³, S2 = Y2·Z1³
//	H = U2 - U1, I = (2H)², J = H·I, R = 2(S2 - S1), V = U1·I
//	X3 = R² - J - 2V, Y3 = R(V - X3) - 2·S1·J, Z3 = ((Z1+Z2)² - Z1² - Z2²)·H
//
// The result is right when neither input is the point at infinity and
// p ≠ q (for p = -q it is the point at infinity, Z3 = 0). It returns 1
// when H = 0 and R = 0, i.e. p = q if both are finite. r may alias p or q.
func (c *arith[E]) addRaw(r, p, q *jac[E]) (same uint64) {
	f := c.f
	var z1z1, z2z2, u1, u2, s1, s2, h, i, j, rr, v, t E
	f.sqr(&z1z1, &p.z)
	f.sqr(&z2z2, &q.z)
	f.mul(&u1, &p.x, &z2z2)
	f.mul(&u2, &q.x, &z1z1)
	f.mul(&s1, &p.y, &q.z)
	f.mul(&s1, &s1, &z2z2)
	f.mul(&s2, &q.y, &p.z)
	f.mul(&s2, &s2, &z1z1)
	f.sub(&h, &u2, &u1)
	f.sub(&rr, &s2, &s1)
	same = isZero(&h) & isZero(&rr)
	f.add(&rr, &rr, &rr)
	f.add(&i, &h, &h)
	f.sqr(&i, &i)
	f.mul(&j, &h, &i)
	f.mul(&v, &u1, &i)
	// Z3 (needs Z1, Z2 before r overwrites them).
	f.add(&t, &p.z, &q.z)
	f.sqr(&t, &t)
	f.sub(&t, &t, &z1z1)
	f.sub(&t, &t, &z2z2)
	f.mul(&r.z, &t, &h)
	// X3
	f.sqr(&t, &rr)
	f.sub(&t, &t, &j)
	f.sub(&t, &t, &v)
	f.sub(&r.x, &t, &v)
	// Y3
	f.sub(&t, &v, &r.x)
	f.mul(&t, &t, &rr)
	f.mul(&s1, &s1, &j)
	f.add(&s1, &s1, &s1)
	f.sub(&r.y, &t, &s1)
	return same
}

// add sets r = p + q, handling the point at infinity on either side in
// constant time. p = q (both finite) is NOT handled: the scalar
// multiplications below never add a point to itself for points of prime
// order n and scalars below n. r may alias p or q.
func (c *arith[E]) add(r, p, q *jac[E]) {
	var s jac[E]
	c.addRaw(&s, p, q)
	cmovJac(&s, q, isInfinity(p))
	cmovJac(&s, p, isInfinity(q))
	*r = s
}

// addComplete sets r = p + q for all inputs, in constant time (it also
// computes 2p and selects it when p = q). r may alias p or q.
func (c *arith[E]) addComplete(r, p, q *jac[E]) {
	var s, d jac[E]
	same := c.addRaw(&s, p, q)
	c.double(&d, p)
	cmovJac(&s, &d, same)
	cmovJac(&s, q, isInfinity(p))
	cmovJac(&s, p, isInfinity(q))
	*r = s
}

// addMixed sets r = p + q for an affine q ("madd-2007-bl", 7M + 4S); q is
// taken as the point at infinity when qInf is 1. Infinity on either side is
// handled in constant time, p = q (finite) is not (see add). r may alias p.
func (c *arith[E]) addMixed(r, p *jac[E], q *aff[E], qInf uint64) {
	f := c.f
	var z1z1, u2, s2, h, hh, i, j, rr, v, t E
	var s jac[E]
	f.sqr(&z1z1, &p.z)
	f.mul(&u2, &q.x, &z1z1)
	f.mul(&s2, &q.y, &p.z)
	f.mul(&s2, &s2, &z1z1)
	f.sub(&h, &u2, &p.x)
	f.sqr(&hh, &h)
	f.add(&i, &hh, &hh)
	f.add(&i, &i, &i)
	f.mul(&j, &h, &i)
	f.sub(&rr, &s2, &p.y)
	f.add(&rr, &rr, &rr)
	f.mul(&v, &p.x, &i)
	f.sqr(&t, &rr)
	f.sub(&t, &t, &j)
	f.sub(&t, &t, &v)
	f.sub(&s.x, &t, &v)
	f.sub(&t, &v, &s.x)
	f.mul(&t, &t, &rr)
	f.mul(&u2, &p.y, &j) // u2 reused: Y1·J
	f.add(&u2, &u2, &u2)
	f.sub(&s.y, &t, &u2)
	f.add(&t, &p.z, &h)
	f.sqr(&t, &t)
	f.sub(&t, &t, &z1z1)
	f.sub(&s.z, &t, &hh)

	qj := jac[E]{x: q.x, y: q.y, z: c.f.one}
	cmovJac(&s, &qj, isInfinity(p))
	cmovJac(&s, p, qInf)
	*r = s
}

// toAffine returns the affine coordinates of p (Montgomery form); the point
// at infinity gives (0, 0) since the inverse of 0 is 0.
func (c *arith[E]) toAffine(p *jac[E]) (x, y E) {
	f := c.f
	var zinv, zinv2 E
	f.inv(&zinv, &p.z)
	f.sqr(&zinv2, &zinv)
	f.mul(&x, &p.x, &zinv2)
	f.mul(&zinv2, &zinv2, &zinv)
	f.mul(&y, &p.y, &zinv2)
	return x, y
}

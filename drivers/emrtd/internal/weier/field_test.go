package weier

import (
	"math/big"
	"math/rand/v2"
	"testing"
)

// testField checks the field operations modulo p against big.Int.
func testField[E limbs](t *testing.T, p *big.Int) {
	f := newField[E](p)
	rng := rand.New(rand.NewPCG(uint64(p.BitLen()), 11))
	one := big.NewInt(1)
	vals := []*big.Int{
		new(big.Int), big.NewInt(1), big.NewInt(2), new(big.Int).Sub(p, one), new(big.Int).Sub(p, big.NewInt(2)),
		new(big.Int).Rsh(p, 1), new(big.Int).Lsh(one, uint(p.BitLen()-1)),
	}
	for range 40 {
		b := make([]byte, f.size+8)
		for i := range b {
			b[i] = byte(rng.Uint32())
		}
		vals = append(vals, new(big.Int).Mod(new(big.Int).SetBytes(b), p))
	}
	for i, x := range vals {
		y := vals[(i*7+3)%len(vals)]
		var fx, fy, z E
		if !f.fromBig(&fx, x) || !f.fromBig(&fy, y) {
			t.Fatalf("fromBig(%X) failed", x)
		}
		if got := f.toBig(&fx); got.Cmp(x) != 0 {
			t.Fatalf("round trip %X → %X", x, got)
		}
		check := func(op string, want *big.Int) {
			t.Helper()
			want.Mod(want, p)
			if got := f.toBig(&z); got.Cmp(want) != 0 {
				t.Errorf("%d-bit p: %s(%X, %X) = %X, want %X", p.BitLen(), op, x, y, got, want)
			}
		}
		f.mul(&z, &fx, &fy)
		check("mul", new(big.Int).Mul(x, y))
		f.sqr(&z, &fx)
		check("sqr", new(big.Int).Mul(x, x))
		f.add(&z, &fx, &fy)
		check("add", new(big.Int).Add(x, y))
		f.sub(&z, &fx, &fy)
		check("sub", new(big.Int).Sub(x, y))
		f.neg(&z, &fx)
		check("neg", new(big.Int).Neg(x))
		f.inv(&z, &fx)
		if x.Sign() == 0 {
			check("inv", new(big.Int))
		} else {
			check("inv", new(big.Int).ModInverse(x, p))
		}
		// Aliased operands.
		z = fx
		f.mul(&z, &z, &z)
		check("mul aliased", new(big.Int).Mul(x, x))
		if got := equal(&fx, &fy); (got == 1) != (x.Cmp(y) == 0) {
			t.Errorf("equal(%X, %X) = %d", x, y, got)
		}
		if got := isZero(&fx); (got == 1) != (x.Sign() == 0) {
			t.Errorf("isZero(%X) = %d", x, got)
		}
	}
	var fx E
	for _, bad := range []*big.Int{p, new(big.Int).Add(p, one), big.NewInt(-1), nil} {
		if f.fromBig(&fx, bad) {
			t.Errorf("fromBig(%v) accepted", bad)
		}
	}
}

func TestField(t *testing.T) {
	for _, r := range []rfc5639{bp256, bp384, bp512} {
		params, _ := r.params()
		switch params.BitSize {
		case 256:
			testField[[4]uint64](t, params.P)
		case 384:
			testField[[6]uint64](t, params.P)
		case 512:
			testField[[8]uint64](t, params.P)
		}
	}
	// Primes that use the top limb fully or barely, with every size.
	for _, s := range []string{
		"FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEFFFFFC2F", // secp256k1
		"FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF000000000000000000000001",         // P-224
	} {
		p, _ := new(big.Int).SetString(s, 16)
		testField[[4]uint64](t, p)
		testField[[6]uint64](t, p)
		testField[[8]uint64](t, p)
	}
}

// TestNoAllocs checks that the scalar multiplications (after the base
// table exists) and the field operations do not allocate.
func TestNoAllocs(t *testing.T) {
	c := BrainpoolP256r1().(*curve[[4]uint64])
	k := c.scalar([]byte{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31})
	var r jac[[4]uint64]
	c.scalarBaseMult(&r, &k) // builds the table
	if n := testing.AllocsPerRun(3, func() { c.scalarMult(&r, &c.g, &k) }); n != 0 {
		t.Errorf("scalarMult: %v allocations", n)
	}
	if n := testing.AllocsPerRun(3, func() { c.scalarBaseMult(&r, &k) }); n != 0 {
		t.Errorf("scalarBaseMult: %v allocations", n)
	}
	c5 := BrainpoolP512r1().(*curve[[8]uint64])
	var x [8]uint64
	if n := testing.AllocsPerRun(10, func() {
		c5.f.mul(&x, &c5.g.x, &c5.g.y)
		c5.f.inv(&x, &x)
	}); n != 0 {
		t.Errorf("field ops: %v allocations", n)
	}
}

// TestBasePathsAgree checks the variable-base window against the base
// table on G itself (ScalarMult(G) takes the table, so the public API does
// not compare them).
func TestBasePathsAgree(t *testing.T) {
	rng := rand.New(rand.NewPCG(12, 13))
	check := func(name string, mul, base func(k []byte) bool) {
		for _, k := range scalars(rng, BrainpoolP256r1().Params().N, 3) {
			if !mul(k) || !base(k) {
				t.Errorf("%s: paths differ for k = %x", name, k)
			}
		}
	}
	c4 := BrainpoolP256r1().(*curve[[4]uint64])
	same4 := func(k []byte) bool {
		s := c4.scalar(k)
		var r1, r2 jac[[4]uint64]
		c4.scalarMult(&r1, &c4.g, &s)
		c4.scalarBaseMult(&r2, &s)
		x1, y1 := c4.result(&r1)
		x2, y2 := c4.result(&r2)
		return sameXY(x1, y1, x2, y2)
	}
	check("brainpoolP256r1", same4, same4)
	c8 := BrainpoolP512r1().(*curve[[8]uint64])
	same8 := func(k []byte) bool {
		s := c8.scalar(k)
		var r1, r2 jac[[8]uint64]
		c8.scalarMult(&r1, &c8.g, &s)
		c8.scalarBaseMult(&r2, &s)
		x1, y1 := c8.result(&r1)
		x2, y2 := c8.result(&r2)
		return sameXY(x1, y1, x2, y2)
	}
	check("brainpoolP512r1", same8, same8)
}

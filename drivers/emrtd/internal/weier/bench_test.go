package weier

//lint:file-ignore SA1019 this package implements elliptic.Curve for brainpool curves (crypto/ecdh has none); its tests call the interface's deprecated methods on it and on the reference implementations.

import (
	"crypto/elliptic"
	"math/big"
	"math/rand/v2"
	"testing"
)

// Each benchmark runs the same operation on this package's curve ("weier")
// and on ProtonMail's ("protonmail").
func benchCurves(b *testing.B, f func(b *testing.B, c elliptic.Curve, k []byte)) {
	for _, tc := range brainpoolCurves(b) {
		k := randScalar(rand.New(rand.NewPCG(1, 1)), tc.c.Params().N).Bytes()
		tc.c.ScalarBaseMult(k) // build the table outside the timing
		b.Run(tc.name+"/weier", func(b *testing.B) { f(b, tc.c, k) })
		b.Run(tc.name+"/protonmail", func(b *testing.B) { f(b, tc.other, k) })
	}
}

func BenchmarkScalarMult(b *testing.B) {
	benchCurves(b, func(b *testing.B, c elliptic.Curve, k []byte) {
		px, py := c.ScalarBaseMult([]byte{9, 9, 9})
		for b.Loop() {
			c.ScalarMult(px, py, k)
		}
	})
}

func BenchmarkScalarBaseMult(b *testing.B) {
	benchCurves(b, func(b *testing.B, c elliptic.Curve, k []byte) {
		for b.Loop() {
			c.ScalarBaseMult(k)
		}
	})
}

// BenchmarkBaseTable is the one-time cost of a curve's ScalarBaseMult table.
func BenchmarkBaseTable(b *testing.B) {
	for _, r := range []rfc5639{bp256, bp384, bp512} {
		b.Run(r.name, func(b *testing.B) {
			for b.Loop() {
				c := build(r.params())
				c.ScalarBaseMult([]byte{1})
			}
		})
	}
}

func BenchmarkFieldMul(b *testing.B) {
	b.Run("4limbs", func(b *testing.B) { benchMul[[4]uint64](b, BrainpoolP256r1().Params().P) })
	b.Run("6limbs", func(b *testing.B) { benchMul[[6]uint64](b, BrainpoolP384r1().Params().P) })
	b.Run("8limbs", func(b *testing.B) { benchMul[[8]uint64](b, BrainpoolP512r1().Params().P) })
}

func benchMul[E limbs](b *testing.B, p *big.Int) {
	f := newField[E](p)
	var x E
	f.fromBig(&x, new(big.Int).Rsh(p, 3))
	for b.Loop() {
		f.mul(&x, &x, &x)
	}
}

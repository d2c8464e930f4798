package weier

//lint:file-ignore SA1019 this package implements elliptic.Curve for brainpool curves (crypto/ecdh has none); its tests call the interface's deprecated methods on it and on the reference implementations.

import (
	"math/big"
	"testing"
)

// FuzzScalarMult compares ScalarMult and ScalarBaseMult with ProtonMail's
// brainpool curves: sel picks the curve, seed·G is the point, k the scalar.
// raw is also tried as a pair of coordinates, which must not panic and must
// give (0, 0) unless it is on the curve.
func FuzzScalarMult(f *testing.F) {
	f.Add(uint8(0), []byte{1}, []byte{2}, []byte{})
	f.Add(uint8(1), []byte{0xFF, 0xFF}, []byte{0}, []byte{1, 2, 3})
	f.Add(uint8(2), []byte{5}, make([]byte, 70), []byte{4})
	n256 := BrainpoolP256r1().Params().N.Bytes()
	f.Add(uint8(0), []byte{3}, n256, []byte{})
	f.Add(uint8(0), []byte{3}, append([]byte{0}, n256...), []byte{})
	curves := brainpoolCurves(f)
	f.Fuzz(func(t *testing.T, sel uint8, seed, k, raw []byte) {
		if len(seed) > 80 || len(k) > 80 || len(raw) > 200 {
			return
		}
		tc := curves[int(sel)%len(curves)]
		px, py := tc.other.ScalarBaseMult(seed)
		if x, y := tc.c.ScalarBaseMult(seed); !sameXY(x, y, px, py) {
			t.Fatalf("%s: ScalarBaseMult(%x) = (%X, %X), ProtonMail (%X, %X)", tc.name, seed, x, y, px, py)
		}
		if px.Sign() != 0 || py.Sign() != 0 {
			x, y := tc.c.ScalarMult(px, py, k)
			wx, wy := tc.other.ScalarMult(px, py, k)
			if !sameXY(x, y, wx, wy) {
				t.Fatalf("%s: ScalarMult(%x·G, %x) = (%X, %X), ProtonMail (%X, %X)", tc.name, seed, k, x, y, wx, wy)
			}
		}
		h := len(raw) / 2
		rx, ry := new(big.Int).SetBytes(raw[:h]), new(big.Int).SetBytes(raw[h:])
		on := tc.c.IsOnCurve(rx, ry)
		if on != tc.ref.onCurve(rx, ry) {
			t.Fatalf("%s: IsOnCurve(%X, %X) = %v, reference disagrees", tc.name, rx, ry, on)
		}
		x, y := tc.c.ScalarMult(rx, ry, k)
		x2, y2 := tc.c.Add(rx, ry, px, py)
		x3, y3 := tc.c.Double(rx, ry)
		if !on && (x.Sign() != 0 || y.Sign() != 0 || x2.Sign() != 0 || y2.Sign() != 0 || x3.Sign() != 0 || y3.Sign() != 0) &&
			(rx.Sign() != 0 || ry.Sign() != 0) {
			t.Fatalf("%s: operation on a point off the curve gave a point", tc.name)
		}
	})
}

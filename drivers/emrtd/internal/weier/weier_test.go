package weier

//lint:file-ignore SA1019 this package implements elliptic.Curve for brainpool curves (crypto/ecdh has none); its tests call the interface's deprecated methods on it and on the reference implementations.

import (
	"crypto/elliptic"
	"errors"
	"math/big"
	"math/rand/v2"
	"sync"
	"testing"

	"github.com/ProtonMail/go-crypto/brainpool"
)

// ref is a plain big.Int affine implementation of the group law, the
// independent reference of these tests (nil coordinates: the point at
// infinity).
type ref struct{ p, a, b, n, gx, gy *big.Int }

func (r *ref) mod(v *big.Int) *big.Int { return v.Mod(v, r.p) }

func (r *ref) onCurve(x, y *big.Int) bool {
	if x.Sign() < 0 || y.Sign() < 0 || x.Cmp(r.p) >= 0 || y.Cmp(r.p) >= 0 {
		return false
	}
	lhs := r.mod(new(big.Int).Mul(y, y))
	rhs := new(big.Int).Mul(x, x)
	rhs.Add(rhs, r.a)
	rhs.Mul(rhs, x)
	rhs.Add(rhs, r.b)
	return lhs.Cmp(r.mod(rhs)) == 0
}

func (r *ref) add(x1, y1, x2, y2 *big.Int) (*big.Int, *big.Int) {
	switch {
	case x1 == nil:
		return x2, y2
	case x2 == nil:
		return x1, y1
	}
	var l *big.Int
	if x1.Cmp(x2) == 0 {
		if new(big.Int).Add(y1, y2).Cmp(r.p) == 0 || (y1.Sign() == 0 && y2.Sign() == 0) {
			return nil, nil
		}
		// λ = (3x² + a) / 2y
		num := new(big.Int).Mul(x1, x1)
		num.Mul(num, big.NewInt(3)).Add(num, r.a)
		den := new(big.Int).Lsh(y1, 1)
		l = num.Mul(num, den.ModInverse(r.mod(den), r.p))
	} else {
		num := new(big.Int).Sub(y2, y1)
		den := r.mod(new(big.Int).Sub(x2, x1))
		l = num.Mul(num, den.ModInverse(den, r.p))
	}
	r.mod(l)
	x := new(big.Int).Mul(l, l)
	x.Sub(x, x1).Sub(x, x2)
	r.mod(x)
	y := new(big.Int).Sub(x1, x)
	y.Mul(y, l).Sub(y, y1)
	return x, r.mod(y)
}

// mul is k·P by double-and-add, k not reduced.
func (r *ref) mul(x, y, k *big.Int) (*big.Int, *big.Int) {
	var ax, ay *big.Int
	for i := k.BitLen() - 1; i >= 0; i-- {
		ax, ay = r.add(ax, ay, ax, ay)
		if k.Bit(i) == 1 {
			ax, ay = r.add(ax, ay, x, y)
		}
	}
	return ax, ay
}

// zero maps the reference's infinity to crypto/elliptic's (0, 0).
func zero(x, y *big.Int) (*big.Int, *big.Int) {
	if x == nil {
		return new(big.Int), new(big.Int)
	}
	return x, y
}

func hexBig(t testing.TB, s string) *big.Int {
	t.Helper()
	v, ok := new(big.Int).SetString(s, 16)
	if !ok {
		t.Fatalf("bad hex %q", s)
	}
	return v
}

// testCurve is a curve under test with its references.
type testCurve struct {
	name  string
	c     elliptic.Curve
	other elliptic.Curve // an independent implementation (ProtonMail or the standard library)
	ref   *ref
}

func refOf(params *elliptic.CurveParams, a *big.Int) *ref {
	aa := new(big.Int).Mod(a, params.P)
	return &ref{params.P, aa, params.B, params.N, params.Gx, params.Gy}
}

func brainpoolCurves(t testing.TB) []testCurve {
	var out []testCurve
	for _, tc := range []struct {
		r     rfc5639
		c     elliptic.Curve
		other elliptic.Curve
	}{
		{bp256, BrainpoolP256r1(), brainpool.P256r1()},
		{bp384, BrainpoolP384r1(), brainpool.P384r1()},
		{bp512, BrainpoolP512r1(), brainpool.P512r1()},
	} {
		params, a := tc.r.params()
		out = append(out, testCurve{tc.r.name, tc.c, tc.other, refOf(params, a)})
	}
	return out
}

func sameXY(x1, y1, x2, y2 *big.Int) bool { return x1.Cmp(x2) == 0 && y1.Cmp(y2) == 0 }

func randScalar(rng *rand.Rand, n *big.Int) *big.Int {
	b := make([]byte, (n.BitLen()+7)/8+8)
	for i := range b {
		b[i] = byte(rng.Uint32())
	}
	return new(big.Int).Mod(new(big.Int).SetBytes(b), n)
}

// scalars returns the edge cases and a few random scalars as byte strings.
func scalars(rng *rand.Rand, n *big.Int, random int) [][]byte {
	nb := (n.BitLen() + 7) / 8
	one := big.NewInt(1)
	ks := [][]byte{
		nil, {0}, {1}, {2}, {0, 0, 0, 3}, {15}, {16}, {17}, {0xFF},
		new(big.Int).Sub(n, one).Bytes(),
		new(big.Int).Sub(n, big.NewInt(2)).Bytes(),
		n.Bytes(),
		new(big.Int).Add(n, one).Bytes(),
		new(big.Int).Lsh(n, 1).Bytes(),
		new(big.Int).Lsh(n, 70).Bytes(),
		new(big.Int).Rsh(n, 1).Bytes(),
		make([]byte, nb+9),                    // zero, longer than the order
		append(make([]byte, 5), n.Bytes()...), // n with leading zero bytes
		new(big.Int).Lsh(one, uint(n.BitLen()-1)).Bytes(),
	}
	ff := make([]byte, nb)
	for i := range ff {
		ff[i] = 0xFF
	}
	ks = append(ks, ff, append([]byte{0xFF}, ff...))
	for range random {
		ks = append(ks, randScalar(rng, n).Bytes())
		long := make([]byte, nb+1+rng.IntN(40))
		for i := range long {
			long[i] = byte(rng.Uint32())
		}
		ks = append(ks, long)
	}
	return ks
}

func TestBuiltinParamsValid(t *testing.T) {
	for _, r := range []rfc5639{bp256, bp384, bp512} {
		params, a := r.params()
		if _, err := New(params, a); err != nil {
			t.Errorf("%s: New: %v", r.name, err)
		}
	}
	for _, tc := range brainpoolCurves(t) {
		got, want := tc.c.Params(), tc.other.Params()
		if got.Name != want.Name || got.BitSize != want.BitSize || got.P.Cmp(want.P) != 0 || got.N.Cmp(want.N) != 0 ||
			got.Gx.Cmp(want.Gx) != 0 || got.Gy.Cmp(want.Gy) != 0 {
			t.Errorf("%s: params differ from ProtonMail's", tc.name)
		}
		if tc.c.Params().B.Cmp(tc.ref.b) != 0 {
			t.Errorf("%s: B", tc.name)
		}
	}
	if c1, c2 := BrainpoolP256r1(), BrainpoolP256r1(); c1 != c2 || c1.Params() != c2.Params() {
		t.Error("BrainpoolP256r1 is not a single shared value")
	}
}

// RFC 7027 Appendix A (brainpool ECDH test vectors, also used by RFC 8734):
// dA, QA = dA·G, dB, QB = dB·G, Z = dA·QB = dB·QA.
var rfc7027 = []struct {
	curve                          func() elliptic.Curve
	dA, xA, yA, dB, xB, yB, xZ, yZ string
}{
	{
		BrainpoolP256r1,
		"81DB1EE100150FF2EA338D708271BE38300CB54241D79950F77B063039804F1D",
		"44106E913F92BC02A1705D9953A8414DB95E1AAA49E81D9E85F929A8E3100BE5",
		"8AB4846F11CACCB73CE49CBDD120F5A900A69FD32C272223F789EF10EB089BDC",
		"55E40BC41E37E3E2AD25C3C6654511FFA8474A91A0032087593852D3E7D76BD3",
		"8D2D688C6CF93E1160AD04CC4429117DC2C41825E1E9FCA0ADDD34E6F1B39F7B",
		"990C57520812BE512641E47034832106BC7D3E8DD0E4C7F1136D7006547CEC6A",
		"89AFC39D41D3B327814B80940B042590F96556EC91E6AE7939BCE31F3A18BF2B",
		"49C27868F4ECA2179BFD7D59B1E3BF34C1DBDE61AE12931648F43E59632504DE",
	},
	{
		BrainpoolP384r1,
		"1E20F5E048A5886F1F157C74E91BDE2B98C8B52D58E5003D57053FC4B0BD65D6F15EB5D1EE1610DF870795143627D042",
		"68B665DD91C195800650CDD363C625F4E742E8134667B767B1B476793588F885AB698C852D4A6E77A252D6380FCAF068",
		"55BC91A39C9EC01DEE36017B7D673A931236D2F1F5C83942D049E3FA20607493E0D038FF2FD30C2AB67D15C85F7FAA59",
		"032640BC6003C59260F7250C3DB58CE647F98E1260ACCE4ACDA3DD869F74E01F8BA5E0324309DB6A9831497ABAC96670",
		"4D44326F269A597A5B58BBA565DA5556ED7FD9A8A9EB76C25F46DB69D19DC8CE6AD18E404B15738B2086DF37E71D1EB4",
		"62D692136DE56CBE93BF5FA3188EF58BC8A3A0EC6C1E151A21038A42E9185329B5B275903D192F8D4E1F32FE9CC78C48",
		"0BD9D3A7EA0B3D519D09D8E48D0785FB744A6B355E6304BC51C229FBBCE239BBADF6403715C35D4FB2A5444F575D4F42",
		"0DF213417EBE4D8E40A5F76F66C56470C489A3478D146DECF6DF0D94BAE9E598157290F8756066975F1DB34B2324B7BD",
	},
	{
		BrainpoolP512r1,
		"16302FF0DBBB5A8D733DAB7141C1B45ACBC8715939677F6A56850A38BD87BD59B09E80279609FF333EB9D4C061231FB26F92EEB04982A5F1D1764CAD57665422",
		"0A420517E406AAC0ACDCE90FCD71487718D3B953EFD7FBEC5F7F27E28C6149999397E91E029E06457DB2D3E640668B392C2A7E737A7F0BF04436D11640FD09FD",
		"72E6882E8DB28AAD36237CD25D580DB23783961C8DC52DFA2EC138AD472A0FCEF3887CF62B623B2A87DE5C588301EA3E5FC269B373B60724F5E82A6AD147FDE7",
		"230E18E1BCC88A362FA54E4EA3902009292F7F8033624FD471B5D8ACE49D12CFABBC19963DAB8E2F1EBA00BFFB29E4D72D13F2224562F405CB80503666B25429",
		"9D45F66DE5D67E2E6DB6E93A59CE0BB48106097FF78A081DE781CDB31FCE8CCBAAEA8DD4320C4119F1E9CD437A2EAB3731FA9668AB268D871DEDA55A5473199F",
		"2FDC313095BCDD5FB3A91636F07A959C8E86B5636A1E930E8396049CB481961D365CC11453A06C719835475B12CB52FC3C383BCE35E27EF194512B71876285FA",
		"A7927098655F1F9976FA50A9D566865DC530331846381C87256BAF3226244B76D36403C024D7BBF0AA0803EAFF405D3D24F11A9B5C0BEF679FE1454B21C4CD1F",
		"7DB71C3DEF63212841C463E881BDCF055523BD368240E6C3143BD8DEF8B3B3223B95E0F53082FF5E412F4222537A43DF1C6D25729DDB51620A832BE6A26680A2",
	},
}

func TestRFC7027(t *testing.T) {
	for _, v := range rfc7027 {
		c := v.curve()
		name := c.Params().Name
		dA, dB := hexBig(t, v.dA), hexBig(t, v.dB)
		xA, yA, xB, yB := hexBig(t, v.xA), hexBig(t, v.yA), hexBig(t, v.xB), hexBig(t, v.yB)
		xZ, yZ := hexBig(t, v.xZ), hexBig(t, v.yZ)
		if x, y := c.ScalarBaseMult(dA.Bytes()); !sameXY(x, y, xA, yA) {
			t.Errorf("%s: dA·G = (%X, %X)", name, x, y)
		}
		if x, y := c.ScalarBaseMult(dB.Bytes()); !sameXY(x, y, xB, yB) {
			t.Errorf("%s: dB·G = (%X, %X)", name, x, y)
		}
		if x, y := c.ScalarMult(xB, yB, dA.Bytes()); !sameXY(x, y, xZ, yZ) {
			t.Errorf("%s: dA·QB = (%X, %X)", name, x, y)
		}
		if x, y := c.ScalarMult(xA, yA, dB.Bytes()); !sameXY(x, y, xZ, yZ) {
			t.Errorf("%s: dB·QA = (%X, %X)", name, x, y)
		}
		// ScalarMult on G (which takes the base table) and on QA with dB·dA⁻¹
		// (the window path) must agree as well.
		if x, y := c.ScalarMult(c.Params().Gx, c.Params().Gy, dA.Bytes()); !sameXY(x, y, xA, yA) {
			t.Errorf("%s: ScalarMult(G, dA) = (%X, %X)", name, x, y)
		}
		n := c.Params().N
		e := new(big.Int).ModInverse(dA, n)
		e.Mul(e, dB).Mod(e, n)
		if x, y := c.ScalarMult(xA, yA, e.Bytes()); !sameXY(x, y, xB, yB) {
			t.Errorf("%s: ScalarMult(QA, dB/dA) = (%X, %X)", name, x, y)
		}
	}
}

func TestScalarBaseMult(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, tc := range brainpoolCurves(t) {
		n := tc.c.Params().N
		for _, k := range scalars(rng, n, 4) {
			x, y := tc.c.ScalarBaseMult(k)
			wx, wy := tc.other.ScalarBaseMult(k)
			if !sameXY(x, y, wx, wy) {
				t.Errorf("%s: ScalarBaseMult(%x) = (%X, %X), ProtonMail (%X, %X)", tc.name, k, x, y, wx, wy)
			}
		}
		// A few against the big.Int reference (slow).
		for _, k := range [][]byte{{1}, {2}, new(big.Int).Sub(n, big.NewInt(1)).Bytes(), randScalar(rng, n).Bytes()} {
			x, y := tc.c.ScalarBaseMult(k)
			wx, wy := zero(tc.ref.mul(tc.ref.gx, tc.ref.gy, new(big.Int).SetBytes(k)))
			if !sameXY(x, y, wx, wy) {
				t.Errorf("%s: ScalarBaseMult(%x) = (%X, %X), reference (%X, %X)", tc.name, k, x, y, wx, wy)
			}
		}
	}
}

func TestScalarMult(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, tc := range brainpoolCurves(t) {
		n := tc.c.Params().N
		{
			px, py := tc.other.ScalarBaseMult(randScalar(rng, n).Bytes())
			for _, k := range scalars(rng, n, 2) {
				x, y := tc.c.ScalarMult(px, py, k)
				wx, wy := tc.other.ScalarMult(px, py, k)
				if !sameXY(x, y, wx, wy) {
					t.Errorf("%s: ScalarMult(P, %x) = (%X, %X), ProtonMail (%X, %X)", tc.name, k, x, y, wx, wy)
				}
			}
		}
		px, py := tc.other.ScalarBaseMult(randScalar(rng, n).Bytes())
		k := randScalar(rng, n)
		x, y := tc.c.ScalarMult(px, py, k.Bytes())
		if wx, wy := zero(tc.ref.mul(px, py, k)); !sameXY(x, y, wx, wy) {
			t.Errorf("%s: ScalarMult(P, %X) differs from the reference", tc.name, k)
		}
		// The point at infinity times anything is the point at infinity.
		if x, y := tc.c.ScalarMult(new(big.Int), new(big.Int), k.Bytes()); x.Sign() != 0 || y.Sign() != 0 {
			t.Errorf("%s: k·O = (%X, %X)", tc.name, x, y)
		}
	}
}

func TestAddDouble(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for _, tc := range brainpoolCurves(t) {
		c, r := tc.c, tc.ref
		n := c.Params().N
		px, py := c.ScalarBaseMult(randScalar(rng, n).Bytes())
		qx, qy := c.ScalarBaseMult(randScalar(rng, n).Bytes())
		negPy := new(big.Int).Sub(r.p, py)
		o := new(big.Int)
		cases := []struct {
			name           string
			x1, y1, x2, y2 *big.Int
		}{
			{"P+Q", px, py, qx, qy},
			{"Q+P", qx, qy, px, py},
			{"P+P", px, py, px, py},
			{"P+(-P)", px, py, px, negPy},
			{"P+O", px, py, o, o},
			{"O+P", o, o, px, py},
			{"O+O", o, o, o, o},
			{"G+G", r.gx, r.gy, r.gx, r.gy},
		}
		for _, cs := range cases {
			x, y := c.Add(cs.x1, cs.y1, cs.x2, cs.y2)
			var rx1, ry1, rx2, ry2 *big.Int
			if cs.x1.Sign() != 0 || cs.y1.Sign() != 0 {
				rx1, ry1 = cs.x1, cs.y1
			}
			if cs.x2.Sign() != 0 || cs.y2.Sign() != 0 {
				rx2, ry2 = cs.x2, cs.y2
			}
			wx, wy := zero(r.add(rx1, ry1, rx2, ry2))
			if !sameXY(x, y, wx, wy) {
				t.Errorf("%s: %s = (%X, %X), reference (%X, %X)", tc.name, cs.name, x, y, wx, wy)
			}
			if cs.name == "P+Q" || cs.name == "P+P" {
				if ox, oy := tc.other.Add(cs.x1, cs.y1, cs.x2, cs.y2); !sameXY(x, y, ox, oy) {
					t.Errorf("%s: %s differs from ProtonMail", tc.name, cs.name)
				}
			}
		}
		x, y := c.Double(px, py)
		wx, wy := r.add(px, py, px, py)
		if !sameXY(x, y, wx, wy) {
			t.Errorf("%s: Double(P) = (%X, %X), reference (%X, %X)", tc.name, x, y, wx, wy)
		}
		if ox, oy := tc.other.Double(px, py); !sameXY(x, y, ox, oy) {
			t.Errorf("%s: Double(P) differs from ProtonMail", tc.name)
		}
		if x, y := c.Double(o, o); x.Sign() != 0 || y.Sign() != 0 {
			t.Errorf("%s: Double(O) = (%X, %X)", tc.name, x, y)
		}
		// P + Q computed both ways round agrees with 2·P + ... identities.
		sx, sy := c.Add(px, py, qx, qy)
		tx, ty := c.Add(sx, sy, px, negPy)
		if !sameXY(tx, ty, qx, qy) {
			t.Errorf("%s: (P+Q)-P ≠ Q", tc.name)
		}
	}
}

func TestIsOnCurve(t *testing.T) {
	for _, tc := range brainpoolCurves(t) {
		c, r := tc.c, tc.ref
		p := r.p
		gx, gy := r.gx, r.gy
		yes := func(x, y *big.Int) bool { return c.IsOnCurve(x, y) }
		if !yes(gx, gy) {
			t.Errorf("%s: G not on curve", tc.name)
		}
		px, py := c.ScalarBaseMult([]byte{7})
		if !yes(px, py) {
			t.Errorf("%s: 7G not on curve", tc.name)
		}
		negGy := new(big.Int).Sub(p, gy)
		if !yes(gx, negGy) {
			t.Errorf("%s: -G not on curve", tc.name)
		}
		bad := [][2]*big.Int{
			{gx, new(big.Int).Add(gy, big.NewInt(1))},
			{new(big.Int).Add(gx, p), gy},
			{gx, new(big.Int).Add(gy, p)},
			{gx, new(big.Int).Sub(gy, p)},   // negative y ≡ gy
			{new(big.Int).Sub(gx, p), gy},   // negative x ≡ gx
			{new(big.Int).Neg(gx), gy},      //
			{new(big.Int).Lsh(gx, 600), gy}, // far too large
			{new(big.Int), new(big.Int)},    // the point at infinity
			{p, gy}, {gx, p},
			{nil, gy}, {gx, nil}, {nil, nil},
		}
		for i, b := range bad {
			if yes(b[0], b[1]) {
				t.Errorf("%s: bad point %d accepted", tc.name, i)
			}
			if b[0] != nil && b[1] != nil && r.onCurve(b[0], b[1]) {
				t.Errorf("%s: bad point %d accepted by the reference", tc.name, i)
			}
		}
		// Random x: agreement with the reference for on and off points.
		rng := rand.New(rand.NewPCG(7, 8))
		for range 20 {
			x := new(big.Int).Mod(new(big.Int).SetUint64(rng.Uint64()), p)
			rhs := new(big.Int).Mul(x, x)
			rhs.Add(rhs, r.a).Mul(rhs, x).Add(rhs, r.b).Mod(rhs, p)
			y := new(big.Int).ModSqrt(rhs, p)
			if y == nil {
				y = big.NewInt(5)
			}
			if got, want := yes(x, y), r.onCurve(x, y); got != want {
				t.Errorf("%s: IsOnCurve(%X, %X) = %v, reference %v", tc.name, x, y, got, want)
			}
		}
	}
}

// TestHostileInputs checks that points off the curve, out of range or nil
// give (0, 0) and never a panic.
func TestHostileInputs(t *testing.T) {
	for _, tc := range brainpoolCurves(t) {
		c, r := tc.c, tc.ref
		gx, gy := r.gx, r.gy
		off := new(big.Int).Add(gy, big.NewInt(1))
		big1 := new(big.Int).Add(gx, r.p)
		neg := new(big.Int).Neg(gx)
		for i, pt := range [][2]*big.Int{{gx, off}, {big1, gy}, {neg, gy}, {nil, gy}, {gx, nil}, {big.NewInt(1), big.NewInt(1)}, {big.NewInt(0), big.NewInt(1)}} {
			check := func(what string, x, y *big.Int) {
				if x == nil || y == nil || x.Sign() != 0 || y.Sign() != 0 {
					t.Errorf("%s: %s on bad point %d = (%v, %v), want (0, 0)", tc.name, what, i, x, y)
				}
			}
			x, y := c.ScalarMult(pt[0], pt[1], []byte{3})
			check("ScalarMult", x, y)
			x, y = c.Double(pt[0], pt[1])
			check("Double", x, y)
			x, y = c.Add(pt[0], pt[1], gx, gy)
			check("Add", x, y)
			x, y = c.Add(gx, gy, pt[0], pt[1])
			check("Add", x, y)
		}
	}
}

func TestNewRejects(t *testing.T) {
	good, a := bp256.params()
	mod := func(f func(p *elliptic.CurveParams, a *big.Int) *big.Int) (*elliptic.CurveParams, *big.Int) {
		p := *good
		p.P, p.N, p.B, p.Gx, p.Gy = copyInt(good.P), copyInt(good.N), copyInt(good.B), copyInt(good.Gx), copyInt(good.Gy)
		return &p, f(&p, copyInt(a))
	}
	one := big.NewInt(1)
	cases := map[string]func(p *elliptic.CurveParams, a *big.Int) *big.Int{
		"nil a":        func(p *elliptic.CurveParams, a *big.Int) *big.Int { return nil },
		"nil B":        func(p *elliptic.CurveParams, a *big.Int) *big.Int { p.B = nil; return a },
		"even p":       func(p *elliptic.CurveParams, a *big.Int) *big.Int { p.P.Add(p.P, one); return a },
		"composite p":  func(p *elliptic.CurveParams, a *big.Int) *big.Int { p.P.Add(p.P, big.NewInt(2)); return a },
		"BitSize":      func(p *elliptic.CurveParams, a *big.Int) *big.Int { p.BitSize = 255; return a },
		"a ≥ p":        func(p *elliptic.CurveParams, a *big.Int) *big.Int { return a.Add(a, p.P) },
		"a ≤ -p":       func(p *elliptic.CurveParams, a *big.Int) *big.Int { return a.Neg(p.P) },
		"b ≥ p":        func(p *elliptic.CurveParams, a *big.Int) *big.Int { p.B.Add(p.B, p.P); return a },
		"Gx ≥ p":       func(p *elliptic.CurveParams, a *big.Int) *big.Int { p.Gx.Add(p.Gx, p.P); return a },
		"G off curve":  func(p *elliptic.CurveParams, a *big.Int) *big.Int { p.Gy.Add(p.Gy, one); return a },
		"singular":     func(p *elliptic.CurveParams, a *big.Int) *big.Int { p.B.SetInt64(0); return a.SetInt64(0) },
		"n composite":  func(p *elliptic.CurveParams, a *big.Int) *big.Int { p.N.Add(p.N, one); return a },
		"n wrong":      func(p *elliptic.CurveParams, a *big.Int) *big.Int { p.N = nextPrime(p.N); return a },
		"n beyond":     func(p *elliptic.CurveParams, a *big.Int) *big.Int { p.N.Lsh(p.N, 1); return a },
		"n negative":   func(p *elliptic.CurveParams, a *big.Int) *big.Int { p.N.Neg(p.N); return a },
		"wrong b":      func(p *elliptic.CurveParams, a *big.Int) *big.Int { p.B.Add(p.B, one); return a },
		"P-521 (size)": nil,
	}
	for name, f := range cases {
		var params *elliptic.CurveParams
		var aa *big.Int
		if f == nil {
			params, aa = elliptic.P521().Params(), big.NewInt(-3)
		} else {
			params, aa = mod(f)
		}
		c, err := New(params, aa)
		if err == nil || c != nil || !errors.Is(err, ErrParams) {
			t.Errorf("%s: New = %v, %v; want an ErrParams error", name, c, err)
		}
	}
	if c, err := New(nil, a); err == nil || c != nil {
		t.Error("New(nil) accepted")
	}
}

func nextPrime(v *big.Int) *big.Int {
	n := new(big.Int).Add(v, big.NewInt(2))
	for !n.ProbablyPrime(20) {
		n.Add(n, big.NewInt(2))
	}
	return n
}

// TestOtherCurves runs New on curves with a = -3 and a = 0 and compares
// them with the standard library, ProtonMail's twisted brainpool curves
// and the reference: P-224 (a prime not a multiple of 64 bits), P-256,
// P-384, brainpoolP256t1/P384t1/P512t1 and secp256k1.
func TestOtherCurves(t *testing.T) {
	m3 := big.NewInt(-3)
	k1 := &elliptic.CurveParams{
		Name:    "secp256k1",
		P:       hexBig(t, "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEFFFFFC2F"),
		N:       hexBig(t, "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141"),
		B:       big.NewInt(7),
		Gx:      hexBig(t, "79BE667EF9DCBBAC55A06295CE870B07029BFCDB2DCE28D959F2815B16F81798"),
		Gy:      hexBig(t, "483ADA7726A3C4655DA4FBFC0E1108A8FD17B448A68554199C47D08FFB10D4B8"),
		BitSize: 256,
	}
	list := []struct {
		params *elliptic.CurveParams
		a      *big.Int
		other  elliptic.Curve
	}{
		{elliptic.P224().Params(), m3, elliptic.P224()},
		{elliptic.P256().Params(), m3, elliptic.P256()},
		{elliptic.P384().Params(), m3, elliptic.P384()},
		{brainpool.P256t1().Params(), m3, brainpool.P256t1()},
		{brainpool.P384t1().Params(), m3, brainpool.P384t1()},
		{brainpool.P512t1().Params(), m3, brainpool.P512t1()},
		{k1, new(big.Int), nil},
	}
	rng := rand.New(rand.NewPCG(9, 10))
	for _, l := range list {
		c, err := New(l.params, l.a)
		if err != nil {
			t.Errorf("%s: %v", l.params.Name, err)
			continue
		}
		r := refOf(l.params, l.a)
		n := l.params.N
		px, py := c.ScalarBaseMult(randScalar(rng, n).Bytes())
		if !r.onCurve(px, py) || !c.IsOnCurve(px, py) {
			t.Errorf("%s: k·G not on the curve", l.params.Name)
		}
		one := big.NewInt(1)
		long := append(randScalar(rng, n).Bytes(), 1, 2, 3, 4, 5, 6, 7, 8, 9)
		for _, k := range [][]byte{nil, {1}, {2}, {17}, new(big.Int).Sub(n, one).Bytes(), n.Bytes(),
			new(big.Int).Add(n, one).Bytes(), randScalar(rng, n).Bytes(), long} {
			x, y := c.ScalarBaseMult(k)
			x2, y2 := c.ScalarMult(px, py, k)
			var wx, wy, wx2, wy2 *big.Int
			if l.other != nil {
				wx, wy = l.other.ScalarBaseMult(k)
				wx2, wy2 = l.other.ScalarMult(px, py, k)
			} else {
				kk := new(big.Int).Mod(new(big.Int).SetBytes(k), n)
				wx, wy = zero(r.mul(r.gx, r.gy, kk))
				wx2, wy2 = zero(r.mul(px, py, kk))
			}
			if !sameXY(x, y, wx, wy) {
				t.Errorf("%s: ScalarBaseMult(%x) differs", l.params.Name, k)
			}
			if !sameXY(x2, y2, wx2, wy2) {
				t.Errorf("%s: ScalarMult(P, %x) differs", l.params.Name, k)
			}
		}
		qx, qy := c.ScalarBaseMult(randScalar(rng, n).Bytes())
		for _, pq := range [][4]*big.Int{{px, py, qx, qy}, {px, py, px, py}, {px, py, px, new(big.Int).Sub(r.p, py)}} {
			x, y := c.Add(pq[0], pq[1], pq[2], pq[3])
			if wx, wy := zero(r.add(pq[0], pq[1], pq[2], pq[3])); !sameXY(x, y, wx, wy) {
				t.Errorf("%s: Add differs from the reference", l.params.Name)
			}
		}
	}
}

// TestConcurrentFirstUse builds the base table of a fresh curve from
// several goroutines at once (for the race detector).
func TestConcurrentFirstUse(t *testing.T) {
	params, a := bp256.params()
	c, err := New(params, a)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := brainpool.P256r1().ScalarBaseMult([]byte{42})
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			x, _ := c.ScalarBaseMult([]byte{42})
			if x.Cmp(want) != 0 {
				t.Error("concurrent ScalarBaseMult differs")
			}
		})
	}
	wg.Wait()
}

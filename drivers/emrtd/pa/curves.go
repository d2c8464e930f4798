package pa

import (
	"crypto/elliptic"
	"encoding/asn1"
	"math/big"

	"github.com/kiosk06/kiosk/drivers/emrtd/internal/weier"
)

// Curve describes a known prime-field Weierstrass curve y² = x³ + ax + b.
// Explicit domain parameters in a key are matched against these by value.
type Curve struct {
	Name  string
	OID   asn1.ObjectIdentifier
	P, A  *big.Int
	B     *big.Int
	Gx    *big.Int
	Gy    *big.Int
	N     *big.Int
	Curve elliptic.Curve
}

// ByteLen is the length of a field element (and of X, Y in a point).
func (c *Curve) ByteLen() int { return (c.P.BitLen() + 7) / 8 }

func hexInt(s string) *big.Int {
	n, ok := new(big.Int).SetString(s, 16)
	if !ok {
		panic("pa: bad curve constant " + s) // constant tables only; covered by TestCurves
	}
	return n
}

// Curve constants of RFC 5639 §3.4, §3.6, §3.7 (elliptic.CurveParams has
// no A; TestCurves checks these against the arithmetic's curves).
const (
	bp256A = "7D5A0975FC2C3057EEF67530417AFFE7FB8055C126DC5C6CE94A4B44F330B5D9"
	bp256B = "26DC5C6CE94A4B44F330B5D9BBD77CBF958416295CF7E1CE6BCCDC18FF8C07B6"
	bp384A = "7BC382C63D8C150C3C72080ACE05AFA0C2BEA28E4FB22787139165EFBA91F90F8AA5814A503AD4EB04A8C7DD22CE2826"
	bp384B = "04A8C7DD22CE28268B39B55416F0447C2FB77DE107DCD2A62E880EA53EEB62D57CB4390295DBC9943AB78696FA504C11"
	bp512A = "7830A3318B603B89E2327145AC234CC594CBDD8D3DF91610A83441CAEA9863BC2DED5D5AA8253AA10A2EF1C98B9AC8B57F1117A72BF2C7B9E7C1AC4D77FC94CA"
	bp512B = "3DF91610A83441CAEA9863BC2DED5D5AA8253AA10A2EF1C98B9AC8B57F1117A72BF2C7B9E7C1AC4D77FC94CADC083E67984050B75EBAE5DD2809BD638016F723"
)

func fromParams(name string, oid asn1.ObjectIdentifier, c elliptic.Curve, a, b *big.Int) *Curve {
	p := c.Params()
	if a == nil { // NIST curves: a = -3 mod p
		a = new(big.Int).Sub(p.P, big.NewInt(3))
	}
	if b == nil {
		b = p.B
	}
	return &Curve{Name: name, OID: oid, P: p.P, A: a, B: b, Gx: p.Gx, Gy: p.Gy, N: p.N, Curve: c}
}

// Curves returns the table of supported curves (a fresh slice each call).
func Curves() []*Curve {
	return []*Curve{
		fromParams("P-224", asn1.ObjectIdentifier{1, 3, 132, 0, 33}, elliptic.P224(), nil, nil),
		fromParams("P-256", asn1.ObjectIdentifier{1, 2, 840, 10045, 3, 1, 7}, elliptic.P256(), nil, nil),
		fromParams("P-384", asn1.ObjectIdentifier{1, 3, 132, 0, 34}, elliptic.P384(), nil, nil),
		fromParams("P-521", asn1.ObjectIdentifier{1, 3, 132, 0, 35}, elliptic.P521(), nil, nil),
		fromParams("brainpoolP256r1", asn1.ObjectIdentifier{1, 3, 36, 3, 3, 2, 8, 1, 1, 7}, weier.BrainpoolP256r1(), hexInt(bp256A), hexInt(bp256B)),
		fromParams("brainpoolP384r1", asn1.ObjectIdentifier{1, 3, 36, 3, 3, 2, 8, 1, 1, 11}, weier.BrainpoolP384r1(), hexInt(bp384A), hexInt(bp384B)),
		fromParams("brainpoolP512r1", asn1.ObjectIdentifier{1, 3, 36, 3, 3, 2, 8, 1, 1, 13}, weier.BrainpoolP512r1(), hexInt(bp512A), hexInt(bp512B)),
	}
}

// CurveByName returns the curve named e.g. "brainpoolP256r1" or "P-256".
func CurveByName(name string) (*Curve, bool) {
	for _, c := range Curves() {
		if c.Name == name {
			return c, true
		}
	}
	return nil, false
}

// CurveByOID returns the curve with the namedCurve OID oid.
func CurveByOID(oid asn1.ObjectIdentifier) (*Curve, bool) {
	for _, c := range Curves() {
		if c.OID.Equal(oid) {
			return c, true
		}
	}
	return nil, false
}

// CurveOf returns the table entry for an elliptic.Curve (compared by name
// and field prime).
func CurveOf(ec elliptic.Curve) (*Curve, bool) {
	p := ec.Params()
	for _, c := range Curves() {
		if c.Name == p.Name && c.P.Cmp(p.P) == 0 {
			return c, true
		}
	}
	return nil, false
}

// curveByParams matches explicit domain parameters against the table.
func curveByParams(p, a, b, gx, gy, n *big.Int) (*Curve, bool) {
	for _, c := range Curves() {
		if c.P.Cmp(p) == 0 && c.A.Cmp(a) == 0 && c.B.Cmp(b) == 0 &&
			c.Gx.Cmp(gx) == 0 && (gy == nil || c.Gy.Cmp(gy) == 0) && c.N.Cmp(n) == 0 {
			return c, true
		}
	}
	return nil, false
}

// onCurve reports whether (x, y) satisfies y² = x³ + ax + b mod p with
// coordinates in range (SEC 1 §3.2.2.1).
func (c *Curve) onCurve(x, y *big.Int) bool {
	if x.Sign() < 0 || y.Sign() < 0 || x.Cmp(c.P) >= 0 || y.Cmp(c.P) >= 0 {
		return false
	}
	lhs := new(big.Int).Mul(y, y)
	lhs.Mod(lhs, c.P)
	rhs := c.rhs(x)
	return lhs.Cmp(rhs) == 0
}

// rhs computes x³ + ax + b mod p.
func (c *Curve) rhs(x *big.Int) *big.Int {
	r := new(big.Int).Mul(x, x)
	r.Mul(r, x)
	ax := new(big.Int).Mul(c.A, x)
	r.Add(r, ax)
	r.Add(r, c.B)
	return r.Mod(r, c.P)
}

// DecodePoint decodes an uncompressed (04||X||Y) or compressed (02/03||X)
// SEC 1 point and checks it lies on the curve.
func (c *Curve) DecodePoint(b []byte) (x, y *big.Int, ok bool) {
	n := c.ByteLen()
	switch {
	case len(b) == 1+2*n && b[0] == 4:
		x = new(big.Int).SetBytes(b[1 : 1+n])
		y = new(big.Int).SetBytes(b[1+n:])
	case len(b) == 1+n && (b[0] == 2 || b[0] == 3):
		x = new(big.Int).SetBytes(b[1:])
		if x.Cmp(c.P) >= 0 {
			return nil, nil, false
		}
		y = new(big.Int).ModSqrt(c.rhs(x), c.P)
		if y == nil {
			return nil, nil, false
		}
		if y.Bit(0) != uint(b[0]&1) {
			y.Sub(c.P, y)
		}
	default:
		return nil, nil, false
	}
	if !c.onCurve(x, y) {
		return nil, nil, false
	}
	return x, y, true
}

// EncodePoint returns the uncompressed SEC 1 encoding 04||X||Y.
func (c *Curve) EncodePoint(x, y *big.Int) []byte {
	n := c.ByteLen()
	out := make([]byte, 1+2*n)
	out[0] = 4
	x.FillBytes(out[1 : 1+n])
	y.FillBytes(out[1+n:])
	return out
}

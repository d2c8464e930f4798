package testpki

//lint:file-ignore SA1019 brainpool curves exist only as elliptic.Curve with big.Int coordinates; crypto/ecdsa offers no non-deprecated API for non-NIST curves.

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/hmac"
	"crypto/sha512"
	"encoding/asn1"
	"encoding/binary"
	"fmt"
	"math/big"

	"github.com/kiosk06/kiosk/drivers/emrtd/pa"
)

// DeriveKey derives an ECDSA private key on the named curve (pa.CurveByName)
// from seed and label: d = SHA-512 stream mod (n-1) + 1. The key's Curve is
// ReferenceCurve's implementation, not the terminal's.
func DeriveKey(seed []byte, label, curve string) (*ecdsa.PrivateKey, error) {
	c, ok := pa.CurveByName(curve)
	if !ok {
		return nil, fmt.Errorf("testpki: unknown curve %q", curve)
	}
	need := c.ByteLen() + 16
	var stream []byte
	for i := uint32(0); len(stream) < need; i++ {
		h := sha512.New()
		h.Write(seed)
		h.Write([]byte{0})
		h.Write([]byte(label))
		h.Write(binary.BigEndian.AppendUint32(nil, i))
		stream = h.Sum(stream)
	}
	nm1 := new(big.Int).Sub(c.N, big.NewInt(1))
	d := new(big.Int).SetBytes(stream[:need])
	d.Mod(d, nm1).Add(d, big.NewInt(1))
	ec := ReferenceCurve(c.Curve)
	x, y := ec.ScalarBaseMult(d.FillBytes(make([]byte, c.ByteLen())))
	return &ecdsa.PrivateKey{PublicKey: ecdsa.PublicKey{Curve: ec, X: x, Y: y}, D: d}, nil
}

// hashToInt converts a digest to an integer as in SEC 1 §4.1.3 step 5.
func hashToInt(digest []byte, n *big.Int) *big.Int {
	bits := n.BitLen()
	if size := (bits + 7) / 8; len(digest) > size {
		digest = digest[:size]
	}
	e := new(big.Int).SetBytes(digest)
	if excess := len(digest)*8 - bits; excess > 0 {
		e.Rsh(e, uint(excess))
	}
	return e
}

// SignECDSA signs msg hashed with h and returns the DER signature. The nonce
// is HMAC-SHA512(d, digest || counter) mod n, so signatures are
// deterministic (test use only).
func SignECDSA(key *ecdsa.PrivateKey, h crypto.Hash, msg []byte) ([]byte, error) {
	hh := h.New()
	hh.Write(msg)
	digest := hh.Sum(nil)
	params := key.Curve.Params()
	n := params.N
	e := hashToInt(digest, n)
	dBytes := key.D.FillBytes(make([]byte, (n.BitLen()+7)/8))
	for ctr := uint32(0); ctr < 100; ctr++ {
		mac := hmac.New(sha512.New, dBytes)
		mac.Write(digest)
		mac.Write(binary.BigEndian.AppendUint32(nil, ctr))
		kb := mac.Sum(nil)
		mac.Reset()
		mac.Write(kb)
		kb = mac.Sum(kb)
		k := new(big.Int).SetBytes(kb)
		k.Mod(k, n)
		if k.Sign() == 0 {
			continue
		}
		rx, _ := key.Curve.ScalarBaseMult(k.Bytes())
		r := rx.Mod(rx, n)
		if r.Sign() == 0 {
			continue
		}
		s := new(big.Int).Mul(r, key.D)
		s.Add(s, e)
		s.Mul(s, new(big.Int).ModInverse(k, n))
		s.Mod(s, n)
		if s.Sign() == 0 {
			continue
		}
		return asn1.Marshal(struct{ R, S *big.Int }{r, s})
	}
	return nil, fmt.Errorf("testpki: ECDSA nonce search failed")
}

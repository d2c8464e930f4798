package testpki

import (
	"crypto/elliptic"

	"github.com/ProtonMail/go-crypto/brainpool"
)

// ReferenceCurve returns ProtonMail's implementation
// (github.com/ProtonMail/go-crypto/brainpool) of c when c is one of the
// brainpool r1 curves (matched by name), and c otherwise. The test PKI's
// keys and signatures and the virtual chip (drivers/emrtd/emrtdsim) compute
// with it, while the terminal (drivers/emrtd and drivers/emrtd/pa) uses its
// own implementation (drivers/emrtd/internal/weier): every simulated read
// then checks one against the other.
func ReferenceCurve(c elliptic.Curve) elliptic.Curve {
	if c == nil {
		return nil
	}
	switch c.Params().Name {
	case "brainpoolP256r1":
		return brainpool.P256r1()
	case "brainpoolP384r1":
		return brainpool.P384r1()
	case "brainpoolP512r1":
		return brainpool.P512r1()
	}
	return c
}

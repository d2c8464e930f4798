// Package weier implements prime-field short-Weierstrass curves
// y² = x³ + ax + b with an arbitrary a behind the crypto/elliptic.Curve
// interface, for the eMRTD terminal's ECDH, PACE Generic Mapping and ECDSA
// verification on the brainpool r1 curves of RFC 5639 (BrainpoolP256r1,
// BrainpoolP384r1, BrainpoolP512r1), where a ≠ -3. New accepts any other
// prime-order curve of 128 to 512 bits after checking its parameters.
//
// It exists for speed. The brainpool curves of
// github.com/ProtonMail/go-crypto/brainpool run on the generic big.Int code
// of elliptic.CurveParams; a full chip read spent ~90 % of its ~23.5 ms of
// x86 CPU there (~200 ms on the kiosks' Cortex-A53). Here field elements
// are fixed arrays of 4, 6 or 8 64-bit limbs in Montgomery form (math/bits,
// one generic implementation plus a written-out 4-limb multiplication; no
// allocation per field operation), points are in Jacobian coordinates with
// the general-a doubling formula, ScalarMult uses a fixed 4-bit window and
// ScalarBaseMult a table of multiples of G built once per curve (first use
// costs ~1.3 ms for brainpoolP256r1, ~9 ms for brainpoolP512r1 on x86).
// On x86, brainpoolP256r1 ScalarMult is ~6× and ScalarBaseMult ~25× faster
// than ProtonMail's, and the terminal's share of a chip read fell from ~17
// to ~3 ms of CPU (BenchmarkScalarMult, BenchmarkScalarBaseMult here;
// BenchmarkReadInProcess in firmware/identity).
//
// Field arithmetic, table look-ups and the scalar multiplication ladders
// have no branches or memory accesses that depend on secret values. Only a
// scalar longer than the group order's bit length is reduced with
// (variable-time) big.Int; the usual k < n takes a constant-time path.
//
// Inputs are treated as hostile: IsOnCurve rejects coordinates outside
// [0, p), Add, Double and ScalarMult return (0, 0) for inputs that are not
// on the curve instead of computing on another curve, and nothing panics.
// (0, 0) stands for the point at infinity, as in crypto/elliptic.
//
// This package is a leaf: it imports only the standard library and nothing
// of this module. drivers/emrtd/internal/ecc and drivers/emrtd/pa use it on
// the terminal side; the virtual chip (drivers/emrtd/emrtdsim) and the test
// PKI deliberately stay on ProtonMail's implementation, so that every
// simulated read is an interoperability test between the two.
package weier

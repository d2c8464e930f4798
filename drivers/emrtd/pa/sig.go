package pa

//lint:file-ignore SA1019 brainpool curves exist only as elliptic.Curve with big.Int coordinates; crypto/ecdsa offers no non-deprecated API for non-NIST curves.

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/rsa"
	"encoding/asn1"
	"fmt"
	"math/big"

	// Register the hash implementations signatures refer to.
	_ "crypto/sha1"
	_ "crypto/sha256"
	_ "crypto/sha512"
)

// pssParams is RSASSA-PSS-params (RFC 4055 §3.1).
type pssParams struct {
	Hash         AlgorithmIdentifier `asn1:"optional,explicit,tag:0"`
	MGF          AlgorithmIdentifier `asn1:"optional,explicit,tag:1"`
	SaltLength   int                 `asn1:"optional,explicit,tag:2,default:20"`
	TrailerField int                 `asn1:"optional,explicit,tag:3,default:1"`
}

// SignatureAlgorithmName names a signature AlgorithmIdentifier for display.
func SignatureAlgorithmName(alg AlgorithmIdentifier) string {
	if s, ok := lookupSig(alg.Algorithm); ok {
		return s.name
	}
	return alg.Algorithm.String()
}

// VerifySignature verifies sig over msg with pub (*ecdsa.PublicKey or
// *rsa.PublicKey) under the signature algorithm alg. digest is the hash to
// use when alg is plain rsaEncryption (CMS signerInfos may name the hash
// only in digestAlgorithm); pass 0 otherwise. Failures wrap ErrBadSignature;
// unknown algorithms wrap ErrUnsupported.
func VerifySignature(pub crypto.PublicKey, alg AlgorithmIdentifier, digest crypto.Hash, msg, sig []byte) error {
	s, ok := lookupSig(alg.Algorithm)
	if !ok {
		return fmt.Errorf("%w: signature algorithm %v", ErrUnsupported, alg.Algorithm)
	}
	h := s.hash
	var opts *rsa.PSSOptions
	switch s.kind {
	case sigRSAPKCS1Hash:
		h = digest
	case sigRSAPSS:
		var err error
		if h, opts, err = parsePSS(alg.Parameters); err != nil {
			return err
		}
	}
	if h == 0 || !h.Available() {
		return fmt.Errorf("%w: hash for %s", ErrUnsupported, s.name)
	}
	hh := h.New()
	hh.Write(msg)
	sum := hh.Sum(nil)
	switch k := pub.(type) {
	case *ecdsa.PublicKey:
		return verifyECDSA(k, s, sum, sig)
	case *rsa.PublicKey:
		return verifyRSA(k, s, h, opts, sum, sig)
	}
	return fmt.Errorf("%w: public key type %T", ErrUnsupported, pub)
}

func verifyECDSA(k *ecdsa.PublicKey, s sigAlg, sum, sig []byte) error {
	if s.kind != sigECDSA && s.kind != sigECDSAPlain {
		return fmt.Errorf("%w: %s with an EC key", ErrBadSignature, s.name)
	}
	if k == nil || k.Curve == nil || k.X == nil || k.Y == nil || !k.Curve.IsOnCurve(k.X, k.Y) {
		return fmt.Errorf("%w: invalid EC public key", ErrBadSignature)
	}
	if s.kind == sigECDSAPlain {
		n := (k.Curve.Params().N.BitLen() + 7) / 8
		if len(sig) != 2*n {
			return fmt.Errorf("%w: plain ECDSA signature length %d", ErrBadSignature, len(sig))
		}
		der, err := asn1.Marshal(struct{ R, S *big.Int }{new(big.Int).SetBytes(sig[:n]), new(big.Int).SetBytes(sig[n:])})
		if err != nil {
			return fmt.Errorf("%w: %v", ErrBadSignature, err)
		}
		sig = der
	}
	if !ecdsa.VerifyASN1(k, sum, sig) {
		return fmt.Errorf("%w: %s on %s", ErrBadSignature, s.name, k.Curve.Params().Name)
	}
	return nil
}

func verifyRSA(k *rsa.PublicKey, s sigAlg, h crypto.Hash, opts *rsa.PSSOptions, sum, sig []byte) error {
	var err error
	switch s.kind {
	case sigRSAPKCS1, sigRSAPKCS1Hash:
		err = rsa.VerifyPKCS1v15(k, h, sum, sig)
	case sigRSAPSS:
		err = rsa.VerifyPSS(k, h, sum, sig, opts)
	default:
		return fmt.Errorf("%w: %s with an RSA key", ErrBadSignature, s.name)
	}
	if err != nil {
		return fmt.Errorf("%w: %s: %v", ErrBadSignature, s.name, err)
	}
	return nil
}

// parsePSS reads RSASSA-PSS-params; MGF1 must use the message hash
// (crypto/rsa's restriction) and the trailer field must be 1 (0xBC).
func parsePSS(raw asn1.RawValue) (crypto.Hash, *rsa.PSSOptions, error) {
	p := pssParams{SaltLength: 20, TrailerField: 1}
	if len(raw.FullBytes) > 0 && raw.Tag != asn1.TagNull {
		if rest, err := asn1.Unmarshal(raw.FullBytes, &p); err != nil || len(rest) != 0 {
			return 0, nil, malformed("RSASSA-PSS parameters", err)
		}
	}
	h := crypto.SHA1
	if len(p.Hash.Algorithm) > 0 {
		ha, ok := lookupHash(p.Hash.Algorithm)
		if !ok {
			return 0, nil, fmt.Errorf("%w: PSS hash %v", ErrUnsupported, p.Hash.Algorithm)
		}
		h = ha.hash
	}
	mgfHash := crypto.SHA1
	if len(p.MGF.Algorithm) > 0 {
		if !p.MGF.Algorithm.Equal(oidMGF1) {
			return 0, nil, fmt.Errorf("%w: PSS mask generation %v", ErrUnsupported, p.MGF.Algorithm)
		}
		var mh AlgorithmIdentifier
		if _, err := asn1.Unmarshal(p.MGF.Parameters.FullBytes, &mh); err != nil {
			return 0, nil, malformed("MGF1 parameters", err)
		}
		ha, ok := lookupHash(mh.Algorithm)
		if !ok {
			return 0, nil, fmt.Errorf("%w: MGF1 hash %v", ErrUnsupported, mh.Algorithm)
		}
		mgfHash = ha.hash
	}
	if mgfHash != h || p.TrailerField != 1 || p.SaltLength < 0 {
		return 0, nil, fmt.Errorf("%w: PSS parameters (MGF1 hash, trailer or salt)", ErrUnsupported)
	}
	return h, &rsa.PSSOptions{SaltLength: p.SaltLength, Hash: h}, nil
}

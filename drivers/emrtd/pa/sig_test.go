package pa_test

//lint:file-ignore SA1019 brainpool curves exist only as elliptic.Curve with big.Int coordinates; crypto/ecdsa offers no non-deprecated API for non-NIST curves.

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"math/big"
	"testing"
	"time"

	"github.com/kiosk06/kiosk/drivers/emrtd/pa"
)

// digest hashes msg with h.
func digest(h crypto.Hash, msg []byte) []byte {
	hh := h.New()
	hh.Write(msg)
	return hh.Sum(nil)
}

func TestVerifyECDSAAllCurvesAndHashes(t *testing.T) {
	msg := []byte("LDSSecurityObject")
	hashes := []struct {
		h        crypto.Hash
		der, raw asn1.ObjectIdentifier
	}{
		{crypto.SHA1, pa.OIDECDSAWithSHA1, asn1.ObjectIdentifier{0, 4, 0, 127, 0, 7, 1, 1, 4, 1, 1}},
		{crypto.SHA224, pa.OIDECDSAWithSHA224, asn1.ObjectIdentifier{0, 4, 0, 127, 0, 7, 1, 1, 4, 1, 2}},
		{crypto.SHA256, pa.OIDECDSAWithSHA256, asn1.ObjectIdentifier{0, 4, 0, 127, 0, 7, 1, 1, 4, 1, 3}},
		{crypto.SHA384, pa.OIDECDSAWithSHA384, asn1.ObjectIdentifier{0, 4, 0, 127, 0, 7, 1, 1, 4, 1, 4}},
		{crypto.SHA512, pa.OIDECDSAWithSHA512, asn1.ObjectIdentifier{0, 4, 0, 127, 0, 7, 1, 1, 4, 1, 5}},
	}
	// Every curve with one hash (rotating), and every hash on
	// brainpoolP256r1, the CCCD document signer's curve: the full cross
	// product is slow under -race with generic big.Int curve arithmetic.
	for i, c := range pa.Curves() {
		key, err := ecdsa.GenerateKey(c.Curve, rand.Reader)
		if err != nil {
			t.Fatalf("%s: %v", c.Name, err)
		}
		hs := hashes[i%len(hashes) : i%len(hashes)+1]
		if c.Name == "brainpoolP256r1" {
			hs = hashes
		}
		for _, h := range hs {
			sig, err := ecdsa.SignASN1(rand.Reader, key, digest(h.h, msg))
			if err != nil {
				t.Fatal(err)
			}
			if err := pa.VerifySignature(&key.PublicKey, pa.AlgorithmIdentifier{Algorithm: h.der}, 0, msg, sig); err != nil {
				t.Errorf("%s %v: %v", c.Name, h.h, err)
			}
			if err := pa.VerifySignature(&key.PublicKey, pa.AlgorithmIdentifier{Algorithm: h.der}, 0, []byte("other"), sig); !errors.Is(err, pa.ErrBadSignature) {
				t.Errorf("%s %v: wrong message: %v", c.Name, h.h, err)
			}
			// BSI TR-03111 plain r||s encoding.
			var rs struct{ R, S *big.Int }
			if _, err := asn1.Unmarshal(sig, &rs); err != nil {
				t.Fatal(err)
			}
			n := (c.N.BitLen() + 7) / 8
			plain := append(rs.R.FillBytes(make([]byte, n)), rs.S.FillBytes(make([]byte, n))...)
			if err := pa.VerifySignature(&key.PublicKey, pa.AlgorithmIdentifier{Algorithm: h.raw}, 0, msg, plain); err != nil {
				t.Errorf("%s plain %v: %v", c.Name, h.h, err)
			}
		}
	}
}

func TestVerifyRSA(t *testing.T) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	msg := []byte("signed attributes")
	sum := digest(crypto.SHA256, msg)
	pkcs1, _ := rsa.SignPKCS1v15(rand.Reader, key, crypto.SHA256, sum)
	pss32, _ := rsa.SignPSS(rand.Reader, key, crypto.SHA256, sum, &rsa.PSSOptions{SaltLength: 32})
	sum512 := digest(crypto.SHA512, msg)
	pss64, _ := rsa.SignPSS(rand.Reader, key, crypto.SHA512, sum512, &rsa.PSSOptions{SaltLength: 64})
	pssParams := func(h crypto.Hash, salt int) asn1.RawValue {
		hOID, _ := pa.HashOID(h)
		hAlg := pa.AlgorithmIdentifier{Algorithm: hOID, Parameters: asn1.NullRawValue}
		hDER, _ := asn1.Marshal(hAlg)
		der, err := asn1.Marshal(struct {
			Hash pa.AlgorithmIdentifier `asn1:"explicit,tag:0"`
			MGF  pa.AlgorithmIdentifier `asn1:"explicit,tag:1"`
			Salt int                    `asn1:"explicit,tag:2"`
		}{hAlg, pa.AlgorithmIdentifier{Algorithm: asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 8}, Parameters: asn1.RawValue{FullBytes: hDER}}, salt})
		if err != nil {
			t.Fatal(err)
		}
		return asn1.RawValue{FullBytes: der, Tag: asn1.TagSequence}
	}
	tests := []struct {
		name   string
		alg    pa.AlgorithmIdentifier
		digest crypto.Hash
		sig    []byte
		want   error
	}{
		{"sha256WithRSAEncryption", pa.AlgorithmIdentifier{Algorithm: asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 11}}, 0, pkcs1, nil},
		{"rsaEncryption + digestAlgorithm", pa.AlgorithmIdentifier{Algorithm: pa.OIDRSAEncryption}, crypto.SHA256, pkcs1, nil},
		{"PSS SHA-256 salt 32", pa.AlgorithmIdentifier{Algorithm: pa.OIDRSAPSS, Parameters: pssParams(crypto.SHA256, 32)}, 0, pss32, nil},
		{"PSS SHA-512 salt 64", pa.AlgorithmIdentifier{Algorithm: pa.OIDRSAPSS, Parameters: pssParams(crypto.SHA512, 64)}, 0, pss64, nil},
		{"PSS wrong salt length", pa.AlgorithmIdentifier{Algorithm: pa.OIDRSAPSS, Parameters: pssParams(crypto.SHA256, 20)}, 0, pss32, pa.ErrBadSignature},
		{"PKCS#1 signature as PSS", pa.AlgorithmIdentifier{Algorithm: pa.OIDRSAPSS, Parameters: pssParams(crypto.SHA256, 32)}, 0, pkcs1, pa.ErrBadSignature},
		{"unknown algorithm", pa.AlgorithmIdentifier{Algorithm: asn1.ObjectIdentifier{1, 2, 3}}, 0, pkcs1, pa.ErrUnsupported},
		{"ECDSA OID with RSA key", pa.AlgorithmIdentifier{Algorithm: pa.OIDECDSAWithSHA256}, 0, pkcs1, pa.ErrBadSignature},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := pa.VerifySignature(&key.PublicKey, tc.alg, tc.digest, msg, tc.sig)
			if (tc.want == nil) != (err == nil) || !errors.Is(err, tc.want) {
				t.Fatalf("VerifySignature = %v, want %v", err, tc.want)
			}
		})
	}
}

// TestParseStdlibCertificates cross-checks the parser against certificates
// crypto/x509 creates (NIST curves, RSA PKCS#1 v1.5 and PSS).
func TestParseStdlibCertificates(t *testing.T) {
	p256, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	p384, _ := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	p521, _ := ecdsa.GenerateKey(elliptic.P521(), rand.Reader)
	rsaKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		key  crypto.Signer
		alg  x509.SignatureAlgorithm
	}{
		{"P-256 SHA-256", p256, x509.ECDSAWithSHA256},
		{"P-384 SHA-384", p384, x509.ECDSAWithSHA384},
		{"P-521 SHA-512", p521, x509.ECDSAWithSHA512},
		{"RSA SHA-256", rsaKey, x509.SHA256WithRSA},
		{"RSA-PSS SHA-256", rsaKey, x509.SHA256WithRSAPSS},
		{"RSA-PSS SHA-512", rsaKey, x509.SHA512WithRSAPSS},
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tmpl := &x509.Certificate{
				SerialNumber: big.NewInt(int64(i + 1)), Subject: pkix.Name{Country: []string{"UT"}, CommonName: "CSCA " + tc.name},
				NotBefore: time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC), NotAfter: time.Date(2040, 1, 1, 0, 0, 0, 0, time.UTC),
				IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
				SignatureAlgorithm: tc.alg,
			}
			der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, tc.key.Public(), tc.key)
			if err != nil {
				t.Fatal(err)
			}
			c, err := pa.ParseCertificate(der)
			if err != nil {
				t.Fatal(err)
			}
			if err := c.CheckSignatureFrom(c); err != nil {
				t.Fatal(err)
			}
			if !c.IsCA || c.KeyUsage&pa.KeyUsageCertSign == 0 || c.SerialNumber.Int64() != int64(i+1) || c.Subject != tmpl.Subject.String() {
				t.Errorf("fields: CA=%v ku=%b serial=%v subject=%q", c.IsCA, c.KeyUsage, c.SerialNumber, c.Subject)
			}
			if !c.NotBefore.Equal(tmpl.NotBefore) || !c.NotAfter.Equal(tmpl.NotAfter) {
				t.Errorf("validity %v–%v", c.NotBefore, c.NotAfter)
			}
		})
	}
}

func TestParseSubjectPublicKeyInfo(t *testing.T) {
	k, _ := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	der, _ := x509.MarshalPKIXPublicKey(&k.PublicKey)
	pub, err := pa.ParseSubjectPublicKeyInfo(der)
	if err != nil {
		t.Fatal(err)
	}
	if got, ok := pub.(*ecdsa.PublicKey); !ok || got.X.Cmp(k.X) != 0 || got.Y.Cmp(k.Y) != 0 {
		t.Fatalf("got %#v", pub)
	}
	// A point off the curve is rejected.
	bad := append([]byte{}, der...)
	bad[len(bad)-1] ^= 1
	if _, err := pa.ParseSubjectPublicKeyInfo(bad); !errors.Is(err, pa.ErrMalformed) {
		t.Fatalf("off-curve point: %v", err)
	}
}

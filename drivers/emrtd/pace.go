package emrtd

import (
	"bytes"
	"context"
	"crypto/elliptic"
	"crypto/sha1"
	"crypto/subtle"
	"encoding/asn1"
	"errors"
	"fmt"
	"math/big"

	"github.com/kiosk06/kiosk/drivers/emrtd/internal/ecc"
	"github.com/kiosk06/kiosk/drivers/emrtd/internal/sm"
)

// password is a PACE password with its reference (9303-11 §4.4.4.1):
// 1 = MRZ, 2 = CAN.
type password struct {
	ref byte
	key []byte // K = f(π): SHA-1(MRZ information) or the CAN's ASCII
}

func passwordCAN(can string) password { return password{ref: 2, key: []byte(can)} }

func passwordMRZ(k AccessKey) password {
	h := sha1.Sum([]byte(mrzInformation(k)))
	return password{ref: 1, key: h[:]}
}

// paceCipher maps a PACE ECDH-GM protocol OID to its cipher and key length.
func paceCipher(oid asn1.ObjectIdentifier) (sm.Alg, int, bool) {
	switch {
	case oid.Equal(OIDPACEECDHGM3DES):
		return sm.TDES, 16, true
	case oid.Equal(OIDPACEECDHGMAES128):
		return sm.AES, 16, true
	case oid.Equal(OIDPACEECDHGMAES192):
		return sm.AES, 24, true
	case oid.Equal(OIDPACEECDHGMAES256):
		return sm.AES, 32, true
	}
	return 0, 0, false
}

// choosePACE picks the first PACE v2 ECDH-GM entry with a supported
// standardized curve.
func choosePACE(infos []PACEInfo) (PACEInfo, bool) {
	for _, p := range infos {
		if _, _, ok := paceCipher(p.Protocol); !ok || p.Version != 2 {
			continue
		}
		if _, err := ecc.ByParamID(p.ParameterID); err == nil {
			return p, true
		}
	}
	return PACEInfo{}, false
}

// paceRun is the state of one PACE run, like crypto/tls's
// clientHandshakeState.
type paceRun struct {
	s       *Session
	info    PACEInfo
	curve   elliptic.Curve
	alg     sm.Alg
	keyLen  int
	pw      password
	sendID  bool // include the parameter ID (DO'84') in MSE:Set AT
	nonce   []byte
	mapped  ecc.Point
	skIFD   *big.Int
	pkIFD   ecc.Point
	pkIC    ecc.Point
	ksEnc   []byte
	ksMac   []byte
	tokenIC []byte
}

// doPACE runs PACE v2 Generic Mapping ECDH (9303-11 §4.4): MSE:Set AT,
// then General Authenticate 1 (encrypted nonce), 2 (map nonce), 3 (key
// agreement), 4 (mutual authentication), and starts secure messaging with
// SSC = 0.
func (s *Session) doPACE(ctx context.Context, info PACEInfo, ca *SecurityInfos, pw password) error {
	alg, keyLen, _ := paceCipher(info.Protocol)
	curve, err := ecc.ByParamID(info.ParameterID)
	if err != nil {
		return stepErr("PACE", "domain parameters", fmt.Errorf("%w: %v", ErrUnsupported, err))
	}
	// DO'84' is conditional: needed when the parameters are ambiguous,
	// i.e. the chip advertises more than one PACEInfo (§4.4.4.1).
	p := &paceRun{s: s, info: info, curve: curve, alg: alg, keyLen: keyLen, pw: pw, sendID: len(ca.PACE) > 1}
	steps := []func(context.Context) error{
		p.mseSetAT, p.encryptedNonce, p.mapNonce, p.keyAgreement, p.mutualAuthenticate,
	}
	for _, step := range steps {
		if err := step(ctx); err != nil {
			return err
		}
	}
	if s.sm, err = sm.NewKeys(alg, p.ksEnc, p.ksMac, nil); err != nil {
		return stepErr("PACE", "start secure messaging", err)
	}
	return nil
}

// mseSetAT: MSE:Set AT (INS 22, P1P2 C1A4) with the protocol OID, the
// password reference and, when needed, the parameter ID. A chip that
// refuses the short form with 6A80 or 6A88 is asked again with DO'84'.
func (p *paceRun) mseSetAT(ctx context.Context) error {
	const step = "MSE:Set AT"
	for {
		data := appendTLV(nil, 0x80, oidBody(p.info.Protocol))
		data = appendTLV(data, 0x83, []byte{p.pw.ref})
		if p.sendID && p.info.ParameterID >= 0 {
			data = appendTLV(data, 0x84, []byte{byte(p.info.ParameterID)})
		}
		_, sw, err := p.s.transmit(ctx, sm.Command{INS: 0x22, P1: 0xC1, P2: 0xA4, Data: data})
		if err != nil {
			return stepErr("PACE", step, err)
		}
		switch {
		case sw == 0x9000 || sw&0xFFF0 == 0x63C0: // 63Cx: retry counter warning
			return nil
		case (sw == 0x6A80 || sw == 0x6A88) && !p.sendID && p.info.ParameterID >= 0:
			p.sendID = true
			continue
		}
		return stepErr("PACE", step, &StatusError{SW: sw})
	}
}

// oidBody is the DER content octets of an OID (without tag and length).
func oidBody(oid asn1.ObjectIdentifier) []byte {
	der, err := asn1.Marshal(oid)
	if err != nil || len(der) < 2 {
		return nil
	}
	return der[2:]
}

// generalAuthenticate sends one GA step: dynamic authentication data 7C
// with one DO, command chaining (CLA 10) except for the last step; it
// returns the DO with respTag from the response's 7C.
func (p *paceRun) generalAuthenticate(ctx context.Context, step string, last bool, tag uint32, v []byte, respTag uint32) ([]byte, error) {
	var inner []byte
	if tag != 0 {
		inner = appendTLV(nil, tag, v)
	}
	cla := byte(0x10)
	if last {
		cla = 0
	}
	data, sw, err := p.s.transmit(ctx, sm.Command{CLA: cla, INS: 0x86, Data: appendTLV(nil, 0x7C, inner), Ne: 256})
	if err != nil {
		return nil, stepErr("PACE", step, err)
	}
	if sw != 0x9000 {
		serr := error(&StatusError{SW: sw})
		if last || sw == 0x6300 || sw&0xFFF0 == 0x63C0 {
			serr = fmt.Errorf("%w: %w", ErrWrongKey, serr)
		}
		return nil, stepErr("PACE", step, serr)
	}
	do, ok := FindTLV(data, 0x7C, respTag)
	if !ok {
		return nil, stepErr("PACE", step, malformed("response has no DO'%X'", respTag))
	}
	return do.Value, nil
}

// encryptedNonce: GA 1 — the chip's nonce z, decrypted s = D(K_π, z).
func (p *paceRun) encryptedNonce(ctx context.Context) error {
	z, err := p.generalAuthenticate(ctx, "General Authenticate (encrypted nonce)", false, 0, nil, 0x80)
	if err != nil {
		return err
	}
	kpi, err := sm.KDF(p.pw.key, sm.CounterPI, p.alg, p.keyLen)
	if err != nil {
		return stepErr("PACE", "K_π", err)
	}
	if p.nonce, err = sm.DecryptCBC(p.alg, kpi, nil, z); err != nil {
		return stepErr("PACE", "decrypt nonce", malformed("encrypted nonce of %d bytes", len(z)))
	}
	return nil
}

// mapNonce: GA 2 — exchange mapping keys and compute Ĝ = s·G + H.
func (p *paceRun) mapNonce(ctx context.Context) error {
	const step = "General Authenticate (map nonce)"
	sk, err := ecc.RandScalar(p.curve, p.s.rand)
	if err != nil {
		return stepErr("PACE", step, err)
	}
	pk, err := ecc.Mul(ecc.Generator(p.curve), sk)
	if err != nil {
		return stepErr("PACE", step, err)
	}
	b, err := p.generalAuthenticate(ctx, step, false, 0x81, pk.Marshal(), 0x82)
	if err != nil {
		return err
	}
	pkIC, err := ecc.Unmarshal(p.curve, b)
	if err != nil {
		return stepErr("PACE", step, malformed("chip mapping key: %v", err))
	}
	if p.mapped, _, err = ecc.MapGeneric(p.curve, p.nonce, sk, pkIC); err != nil {
		return stepErr("PACE", step, err)
	}
	return nil
}

// keyAgreement: GA 3 — ephemeral ECDH on Ĝ, then KSenc and KSmac.
func (p *paceRun) keyAgreement(ctx context.Context) error {
	const step = "General Authenticate (key agreement)"
	var err error
	if p.skIFD, err = ecc.RandScalar(p.curve, p.s.rand); err != nil {
		return stepErr("PACE", step, err)
	}
	if p.pkIFD, err = ecc.Mul(p.mapped, p.skIFD); err != nil {
		return stepErr("PACE", step, err)
	}
	b, err := p.generalAuthenticate(ctx, step, false, 0x83, p.pkIFD.Marshal(), 0x84)
	if err != nil {
		return err
	}
	// §4.4.3.4: the chip's key must be valid and differ from ours.
	if p.pkIC, err = ecc.Unmarshal(p.curve, b); err != nil || bytes.Equal(b, p.pkIFD.Marshal()) {
		return stepErr("PACE", step, malformed("chip ephemeral key invalid"))
	}
	k, err := ecc.SharedX(p.skIFD, p.pkIC)
	if err != nil {
		return stepErr("PACE", step, err)
	}
	if p.ksEnc, err = sm.KDF(k, sm.CounterEnc, p.alg, p.keyLen); err != nil {
		return stepErr("PACE", step, err)
	}
	if p.ksMac, err = sm.KDF(k, sm.CounterMac, p.alg, p.keyLen); err != nil {
		return stepErr("PACE", step, err)
	}
	return nil
}

// authToken is the PACE authentication token (9303-11 §4.4.3.4): the MAC
// with KSmac of 7F49 { 06 OID, 86 public point }.
func authToken(alg sm.Alg, ksMac []byte, oid asn1.ObjectIdentifier, pk []byte) ([]byte, error) {
	body := appendTLV(nil, 0x06, oidBody(oid))
	body = appendTLV(body, 0x86, pk)
	return sm.TokenMAC(alg, ksMac, appendTLV(nil, 0x7F49, body))
}

// errBadToken: the chip's token does not verify.
var errBadToken = errors.New("chip authentication token does not verify")

// mutualAuthenticate: GA 4 — send T_IFD, verify T_IC.
func (p *paceRun) mutualAuthenticate(ctx context.Context) error {
	const step = "General Authenticate (mutual authentication)"
	tIFD, err := authToken(p.alg, p.ksMac, p.info.Protocol, p.pkIC.Marshal())
	if err != nil {
		return stepErr("PACE", step, err)
	}
	tIC, err := p.generalAuthenticate(ctx, step, true, 0x85, tIFD, 0x86)
	if err != nil {
		return err
	}
	want, err := authToken(p.alg, p.ksMac, p.info.Protocol, p.pkIFD.Marshal())
	if err != nil {
		return stepErr("PACE", step, err)
	}
	if subtle.ConstantTimeCompare(want, tIC) != 1 {
		return stepErr("PACE", step, fmt.Errorf("%w: %w", ErrWrongKey, errBadToken))
	}
	p.tokenIC = tIC
	return nil
}

package emrtdsim

import (
	"bytes"
	"crypto/elliptic"
	"crypto/sha1"
	"crypto/subtle"
	"encoding/asn1"
	"io"
	"math/big"

	"github.com/kiosk06/kiosk/drivers/emrtd"
	"github.com/kiosk06/kiosk/drivers/emrtd/internal/ecc"
	"github.com/kiosk06/kiosk/drivers/emrtd/internal/sm"
)

// paceCard is the chip's side of one PACE run (9303-11 §4.4).
type paceCard struct {
	oid    asn1.ObjectIdentifier
	curve  elliptic.Curve
	alg    sm.Alg
	keyLen int
	kpi    []byte
	step   int // GA steps done
	nonce  []byte
	mapped ecc.Point
	pkIFD  ecc.Point
	pkIC   ecc.Point
	ksEnc  []byte
	ksMac  []byte
}

func paceAlg(oid asn1.ObjectIdentifier) (sm.Alg, int, bool) {
	switch {
	case oid.Equal(emrtd.OIDPACEECDHGM3DES):
		return sm.TDES, 16, true
	case oid.Equal(emrtd.OIDPACEECDHGMAES128):
		return sm.AES, 16, true
	case oid.Equal(emrtd.OIDPACEECDHGMAES192):
		return sm.AES, 24, true
	case oid.Equal(emrtd.OIDPACEECDHGMAES256):
		return sm.AES, 32, true
	}
	return 0, 0, false
}

// mrzInformation is the BAC/PACE MRZ password string (9303-11 §9.7.2).
func mrzInformation(m *MRZ) string {
	doc := m.DocumentNumber
	for len(doc) < 9 {
		doc += "<"
	}
	out := ""
	for _, f := range []string{doc, m.DateOfBirth, m.DateOfExpiry} {
		out += f + string(emrtd.CheckDigit(f))
	}
	return out
}

// paceSetAT: MSE:Set AT for PACE — protocol, password reference (1 MRZ,
// 2 CAN) and optional parameter ID must match EF.CardAccess.
func (c *Chip) paceSetAT(oidBody, ref, param []byte) uint16 {
	c.st.paceRun = nil
	c.st.sm = nil
	if c.pace == nil {
		return swINSNotSup
	}
	oid := oidFromBody(oidBody)
	if !oid.Equal(c.pace.Protocol) || len(ref) != 1 {
		return swWrongData
	}
	if param == nil && c.opts.RequireParamID {
		return swWrongData
	}
	if param != nil && (len(param) != 1 || int(param[0]) != c.pace.ParameterID) {
		return swWrongData
	}
	var pw []byte
	switch {
	case ref[0] == 2 && c.opts.CAN != "":
		pw = []byte(c.opts.CAN)
	case ref[0] == 1 && c.opts.MRZ != nil:
		h := sha1.Sum([]byte(mrzInformation(c.opts.MRZ)))
		pw = h[:]
	default:
		return swWrongData
	}
	alg, keyLen, ok := paceAlg(oid)
	if !ok {
		return swWrongData
	}
	curve, err := ecc.ByParamID(c.pace.ParameterID)
	if err != nil {
		return swWrongData
	}
	curve = chipCurve(curve)
	kpi, err := sm.KDF(pw, sm.CounterPI, alg, keyLen)
	if err != nil {
		return 0x6F00
	}
	c.st.paceRun = &paceCard{oid: oid, curve: curve, alg: alg, keyLen: keyLen, kpi: kpi}
	return swOK
}

// paceStep answers General Authenticate steps 1–4.
func (c *Chip) paceStep(cmd sm.Command, dos []byte) ([]byte, uint16) {
	p := c.st.paceRun
	last := cmd.CLA&0x10 == 0
	if last != (p.step == 3) {
		c.st.paceRun = nil
		return nil, swCondNotSat
	}
	var out []byte
	var status uint16
	switch p.step {
	case 0:
		out, status = p.encryptedNonce(c.rand)
	case 1:
		out, status = p.mapNonce(dos, c.rand)
	case 2:
		out, status = p.keyAgreement(dos, c.rand)
	case 3:
		out, status = p.mutualAuthenticate(dos)
	}
	if status != swOK {
		c.st.paceRun = nil
		return nil, status
	}
	p.step++
	if p.step == 4 {
		c.st.paceRun = nil
		keys, err := sm.NewKeys(p.alg, p.ksEnc, p.ksMac, nil)
		if err != nil {
			return nil, 0x6F00
		}
		c.st.next = keys // secure messaging starts after this (plain) response
		c.applyNextKeys()
	}
	return emrtd.EncodeTLV(0x7C, out), swOK
}

// encryptedNonce: step 1, z = E(K_π, s) with a fresh 16-byte s.
func (p *paceCard) encryptedNonce(rnd io.Reader) ([]byte, uint16) {
	p.nonce = make([]byte, 16)
	if _, err := io.ReadFull(rnd, p.nonce); err != nil {
		return nil, 0x6F00
	}
	z, err := sm.EncryptCBC(p.alg, p.kpi, nil, p.nonce)
	if err != nil {
		return nil, 0x6F00
	}
	return emrtd.EncodeTLV(0x80, z), swOK
}

// mapNonce: step 2, Generic Mapping Ĝ = s·G + SK_map,IC·PK_map,IFD.
func (p *paceCard) mapNonce(dos []byte, rnd io.Reader) ([]byte, uint16) {
	do, ok := emrtd.FindTLV(dos, 0x81)
	if !ok {
		return nil, swWrongData
	}
	pk, err := ecc.Unmarshal(p.curve, do.Value)
	if err != nil {
		return nil, swWrongData
	}
	sk, err := ecc.RandScalar(p.curve, rnd)
	if err != nil {
		return nil, 0x6F00
	}
	own, err := ecc.Mul(ecc.Generator(p.curve), sk)
	if err != nil {
		return nil, 0x6F00
	}
	if p.mapped, _, err = ecc.MapGeneric(p.curve, p.nonce, sk, pk); err != nil {
		return nil, swWrongData
	}
	return emrtd.EncodeTLV(0x82, own.Marshal()), swOK
}

// keyAgreement: step 3, ephemeral ECDH on Ĝ and the session keys.
func (p *paceCard) keyAgreement(dos []byte, rnd io.Reader) ([]byte, uint16) {
	do, ok := emrtd.FindTLV(dos, 0x83)
	if !ok {
		return nil, swWrongData
	}
	var err error
	if p.pkIFD, err = ecc.Unmarshal(p.curve, do.Value); err != nil {
		return nil, swWrongData
	}
	var sk *big.Int
	if sk, err = ecc.RandScalar(p.curve, rnd); err != nil {
		return nil, 0x6F00
	}
	if p.pkIC, err = ecc.Mul(p.mapped, sk); err != nil {
		return nil, 0x6F00
	}
	if bytes.Equal(p.pkIC.Marshal(), do.Value) {
		return nil, swWrongData
	}
	k, err := ecc.SharedX(sk, p.pkIFD)
	if err != nil {
		return nil, swWrongData
	}
	p.ksEnc, _ = sm.KDF(k, sm.CounterEnc, p.alg, p.keyLen)
	p.ksMac, _ = sm.KDF(k, sm.CounterMac, p.alg, p.keyLen)
	return emrtd.EncodeTLV(0x84, p.pkIC.Marshal()), swOK
}

// token is MAC(KSmac, 7F49 { 06 OID, 86 point }) (9303-11 §4.4.3.4).
func (p *paceCard) token(pk ecc.Point) []byte {
	der, _ := asn1.Marshal(p.oid)
	body := append(emrtd.EncodeTLV(0x06, der[2:]), emrtd.EncodeTLV(0x86, pk.Marshal())...)
	t, _ := sm.TokenMAC(p.alg, p.ksMac, emrtd.EncodeTLV(0x7F49, body))
	return t
}

// mutualAuthenticate: step 4, check T_IFD (wrong password → 6300) and
// answer T_IC.
func (p *paceCard) mutualAuthenticate(dos []byte) ([]byte, uint16) {
	do, ok := emrtd.FindTLV(dos, 0x85)
	if !ok {
		return nil, swWrongData
	}
	if subtle.ConstantTimeCompare(do.Value, p.token(p.pkIC)) != 1 {
		return nil, swAuthFailed
	}
	return emrtd.EncodeTLV(0x86, p.token(p.pkIFD)), swOK
}

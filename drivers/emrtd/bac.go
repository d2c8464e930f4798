package emrtd

import (
	"bytes"
	"context"
	"crypto/sha1"
	"crypto/subtle"
	"fmt"
	"io"
	"strings"

	"github.com/kiosk06/kiosk/drivers/emrtd/internal/sm"
)

// CheckDigit computes the ICAO 9303-3 §4.9 check digit (weights 7, 3, 1;
// '<' = 0, A = 10 … Z = 35).
func CheckDigit(s string) byte {
	w := [3]int{7, 3, 1}
	sum := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		v := 0
		switch {
		case c >= '0' && c <= '9':
			v = int(c - '0')
		case c >= 'A' && c <= 'Z':
			v = int(c-'A') + 10
		}
		sum += v * w[i%3]
	}
	return byte('0' + sum%10)
}

// mrzInformation is document number (padded to 9 with '<') ‖ check digit ‖
// date of birth ‖ check digit ‖ date of expiry ‖ check digit (9303-11
// §9.7.2). A longer document number is used whole (TD1 extended numbers).
func mrzInformation(k AccessKey) string {
	doc := strings.ToUpper(k.DocumentNumber)
	for len(doc) < 9 {
		doc += "<"
	}
	var b strings.Builder
	for _, f := range []string{doc, k.DateOfBirth, k.DateOfExpiry} {
		b.WriteString(f)
		b.WriteByte(CheckDigit(f))
	}
	return b.String()
}

// BACKeys derives the document basic access keys from the MRZ (9303-11
// §9.7.2, Appendix D.2): K_seed = SHA-1(MRZ_information)[0:16], K_enc and
// K_mac by the KDF with counters 1 and 2 (DES parity adjusted).
func BACKeys(documentNumber, dateOfBirth, dateOfExpiry string) (kseed, kenc, kmac []byte, err error) {
	h := sha1.Sum([]byte(mrzInformation(AccessKey{DocumentNumber: documentNumber, DateOfBirth: dateOfBirth, DateOfExpiry: dateOfExpiry})))
	kseed = h[:16]
	if kenc, err = sm.KDF(kseed, sm.CounterEnc, sm.TDES, 16); err != nil {
		return nil, nil, nil, err
	}
	kmac, err = sm.KDF(kseed, sm.CounterMac, sm.TDES, 16)
	return kseed, kenc, kmac, err
}

// doBAC runs Basic Access Control (9303-11 §4.3): GET CHALLENGE, EXTERNAL
// AUTHENTICATE, session key derivation.
func (s *Session) doBAC(ctx context.Context, key AccessKey) error {
	_, kenc, kmac, err := BACKeys(key.DocumentNumber, key.DateOfBirth, key.DateOfExpiry)
	if err != nil {
		return stepErr("BAC", "key derivation", err)
	}
	rndIC, err := s.bacGetChallenge(ctx)
	if err != nil {
		return err
	}
	rndIFD := make([]byte, 8)
	kIFD := make([]byte, 16)
	if _, err := io.ReadFull(s.rand, rndIFD); err != nil {
		return stepErr("BAC", "random", err)
	}
	if _, err := io.ReadFull(s.rand, kIFD); err != nil {
		return stepErr("BAC", "random", err)
	}
	kIC, err := s.bacExternalAuthenticate(ctx, kenc, kmac, rndIC, rndIFD, kIFD)
	if err != nil {
		return err
	}
	return s.bacStartSM(kIFD, kIC, rndIC, rndIFD)
}

// bacGetChallenge: GET CHALLENGE for RND.IC (8 bytes).
func (s *Session) bacGetChallenge(ctx context.Context) ([]byte, error) {
	data, sw, err := s.transmit(ctx, sm.Command{INS: 0x84, Ne: 8})
	if err != nil {
		return nil, stepErr("BAC", "GET CHALLENGE", err)
	}
	if sw != 0x9000 || len(data) != 8 {
		return nil, stepErr("BAC", "GET CHALLENGE", fmt.Errorf("%w (%d bytes)", &StatusError{SW: sw}, len(data)))
	}
	return data, nil
}

// bacExternalAuthenticate sends E_IFD ‖ M_IFD and checks the chip's
// E_IC ‖ M_IC, returning K.IC.
func (s *Session) bacExternalAuthenticate(ctx context.Context, kenc, kmac, rndIC, rndIFD, kIFD []byte) ([]byte, error) {
	const step = "EXTERNAL AUTHENTICATE"
	S := append(append(append([]byte(nil), rndIFD...), rndIC...), kIFD...)
	eIFD, err := sm.EncryptCBC(sm.TDES, kenc, nil, S)
	if err != nil {
		return nil, stepErr("BAC", step, err)
	}
	mIFD, err := sm.MAC(sm.TDES, kmac, eIFD)
	if err != nil {
		return nil, stepErr("BAC", step, err)
	}
	resp, sw, err := s.transmit(ctx, sm.Command{INS: 0x82, Data: append(eIFD, mIFD...), Ne: 40})
	if err != nil {
		return nil, stepErr("BAC", step, err)
	}
	if sw != 0x9000 {
		return nil, stepErr("BAC", step, fmt.Errorf("%w: %w", ErrWrongKey, &StatusError{SW: sw}))
	}
	if len(resp) != 40 {
		return nil, stepErr("BAC", step, malformed("response of %d bytes", len(resp)))
	}
	m, err := sm.MAC(sm.TDES, kmac, resp[:32])
	if err != nil || subtle.ConstantTimeCompare(m, resp[32:]) != 1 {
		return nil, stepErr("BAC", step, fmt.Errorf("%w: chip MAC does not verify", ErrWrongKey))
	}
	r, err := sm.DecryptCBC(sm.TDES, kenc, nil, resp[:32])
	if err != nil {
		return nil, stepErr("BAC", step, err)
	}
	if !bytes.Equal(r[:8], rndIC) || !bytes.Equal(r[8:16], rndIFD) {
		return nil, stepErr("BAC", step, fmt.Errorf("%w: chip echoed the wrong challenge", ErrWrongKey))
	}
	return r[16:32], nil
}

// bacStartSM derives KSenc, KSmac from K.IFD ⊕ K.IC and sets
// SSC = RND.IC[4:8] ‖ RND.IFD[4:8] (9303-11 §9.8.2).
func (s *Session) bacStartSM(kIFD, kIC, rndIC, rndIFD []byte) error {
	seed := make([]byte, 16)
	subtle.XORBytes(seed, kIFD, kIC)
	ksenc, err := sm.KDF(seed, sm.CounterEnc, sm.TDES, 16)
	if err != nil {
		return stepErr("BAC", "session keys", err)
	}
	ksmac, err := sm.KDF(seed, sm.CounterMac, sm.TDES, 16)
	if err != nil {
		return stepErr("BAC", "session keys", err)
	}
	ssc := append(append([]byte(nil), rndIC[4:8]...), rndIFD[4:8]...)
	if s.sm, err = sm.NewKeys(sm.TDES, ksenc, ksmac, ssc); err != nil {
		return stepErr("BAC", "session keys", err)
	}
	return nil
}

package emrtd

import (
	"context"
	"encoding/asn1"
	"errors"
	"fmt"
	"math/big"

	"github.com/kiosk06/kiosk/drivers/emrtd/internal/ecc"
	"github.com/kiosk06/kiosk/drivers/emrtd/internal/sm"
)

// caCipher maps a Chip Authentication ECDH protocol OID to its cipher.
func caCipher(oid asn1.ObjectIdentifier) (sm.Alg, int, bool) {
	switch {
	case oid.Equal(OIDCAECDH3DES):
		return sm.TDES, 16, true
	case oid.Equal(OIDCAECDHAES128):
		return sm.AES, 16, true
	case oid.Equal(OIDCAECDHAES192):
		return sm.AES, 24, true
	case oid.Equal(OIDCAECDHAES256):
		return sm.AES, 32, true
	}
	return 0, 0, false
}

// caChoice is the Chip Authentication protocol and key chosen from DG14.
type caChoice struct {
	info ChipAuthenticationInfo
	key  ChipAuthenticationPublicKeyInfo
	alg  sm.Alg
	klen int
}

// chooseCA pairs a supported ChipAuthenticationInfo with its public key
// (by key ID when given, 9303-11 §9.2.5).
func chooseCA(si *SecurityInfos) (caChoice, error) {
	for _, info := range si.CA {
		alg, klen, ok := caCipher(info.Protocol)
		if !ok {
			continue
		}
		for _, k := range si.CAKeys {
			if info.KeyID < 0 || k.KeyID < 0 || info.KeyID == k.KeyID {
				return caChoice{info: info, key: k, alg: alg, klen: klen}, nil
			}
		}
	}
	if len(si.CA) == 0 && len(si.CAKeys) == 1 {
		// A ChipAuthenticationInfo may be absent for CA v1 with 3DES.
		return caChoice{info: ChipAuthenticationInfo{Protocol: OIDCAECDH3DES, Version: 1, KeyID: -1},
			key: si.CAKeys[0], alg: sm.TDES, klen: 16}, nil
	}
	return caChoice{}, fmt.Errorf("%w: DG14 offers no supported ECDH Chip Authentication", ErrUnsupported)
}

// ChipAuthenticate runs Chip Authentication (9303-11 §6.2) with the chip's
// static key from DG14: an ephemeral ECDH key on the same curve, MSE:Set
// KAT (3DES) or MSE:Set AT + General Authenticate (AES), new session keys
// with SSC = 0, then one protected command to prove the chip derived the
// same keys. A chip without the private key (a clone) fails with
// ErrChipAuthentication. The caller must also check DG14's hash (PA).
// After a failure the secure messaging session is unusable: reopen.
func (s *Session) ChipAuthenticate(ctx context.Context, dg14 []byte) error {
	si, err := ParseDG14(dg14)
	if err != nil {
		return stepErr("CA", "DG14", err)
	}
	ch, err := chooseCA(si)
	if err != nil {
		return stepErr("CA", "DG14", err)
	}
	if s.sm == nil && s.smState != smEnded {
		return stepErr("CA", "", fmt.Errorf("%w: no secure messaging session", ErrUnsupported))
	}
	// A session the chip ended before the key exchange is re-established
	// and CA runs again with a fresh ephemeral key; a failure after it
	// is the chip's.
	return s.withSession(ctx, func() error {
		sk, err := ecc.RandScalar(ch.key.Key.Curve, s.rand)
		if err != nil {
			return stepErr("CA", "ephemeral key", err)
		}
		pk, err := ecc.Mul(ecc.Generator(ch.key.Key.Curve), sk)
		if err != nil {
			return stepErr("CA", "ephemeral key", err)
		}
		if ch.alg == sm.TDES {
			err = s.caSetKAT(ctx, ch, pk)
		} else {
			err = s.caSetATGeneralAuthenticate(ctx, ch, pk)
		}
		if err != nil {
			return err
		}
		if err := s.caRekey(ch, sk); err != nil {
			return err
		}
		return s.caConfirm(ctx)
	})
}

// caSetKAT: MSE:Set KAT (P1P2 41A6) with DO'91' ephemeral key and DO'84'
// key ID (9303-11 §6.2.4.1, CA with 3DES).
func (s *Session) caSetKAT(ctx context.Context, ch caChoice, pk ecc.Point) error {
	data := appendTLV(nil, 0x91, pk.Marshal())
	if ch.key.KeyID >= 0 {
		data = appendTLV(data, 0x84, []byte{byte(ch.key.KeyID)})
	}
	_, sw, err := s.transmit(ctx, sm.Command{INS: 0x22, P1: 0x41, P2: 0xA6, Data: data})
	return caStatus("MSE:Set KAT", sw, err)
}

// caSetATGeneralAuthenticate: MSE:Set AT (P1P2 41A4) with the protocol OID
// and key ID, then General Authenticate with DO'80' ephemeral key
// (9303-11 §6.2.4.2, CA with AES).
func (s *Session) caSetATGeneralAuthenticate(ctx context.Context, ch caChoice, pk ecc.Point) error {
	data := appendTLV(nil, 0x80, oidBody(ch.info.Protocol))
	if ch.key.KeyID >= 0 {
		data = appendTLV(data, 0x84, []byte{byte(ch.key.KeyID)})
	}
	_, sw, err := s.transmit(ctx, sm.Command{INS: 0x22, P1: 0x41, P2: 0xA4, Data: data})
	if err := caStatus("MSE:Set AT", sw, err); err != nil {
		return err
	}
	ga := appendTLV(nil, 0x7C, appendTLV(nil, 0x80, pk.Marshal()))
	_, sw, err = s.transmit(ctx, sm.Command{INS: 0x86, Data: ga, Ne: 256})
	return caStatus("General Authenticate", sw, err)
}

func caStatus(step string, sw uint16, err error) error {
	if errors.Is(err, errSMEnded) {
		// The session ended before the key exchange: no evidence
		// against the chip (withSession re-establishes it).
		return stepErr("CA", step, err)
	}
	if err != nil {
		return stepErr("CA", step, fmt.Errorf("%w: %w", ErrChipAuthentication, err))
	}
	if sw != 0x9000 {
		return stepErr("CA", step, fmt.Errorf("%w: %w", ErrChipAuthentication, &StatusError{SW: sw}))
	}
	return nil
}

// caRekey derives the new session keys from the ECDH shared secret and
// resets SSC to zero (9303-11 §6.2.3).
func (s *Session) caRekey(ch caChoice, sk *big.Int) error {
	k, err := ecc.SharedX(sk, ch.key.Key)
	if err != nil {
		return stepErr("CA", "shared secret", err)
	}
	enc, err := sm.KDF(k, sm.CounterEnc, ch.alg, ch.klen)
	if err != nil {
		return stepErr("CA", "session keys", err)
	}
	mac, err := sm.KDF(k, sm.CounterMac, ch.alg, ch.klen)
	if err != nil {
		return stepErr("CA", "session keys", err)
	}
	if s.sm, err = sm.NewKeys(ch.alg, enc, mac, nil); err != nil {
		return stepErr("CA", "session keys", err)
	}
	return nil
}

// caConfirm sends one command under the new keys (SELECT EF.COM): only a
// chip holding the private key can answer it with a valid MAC.
func (s *Session) caConfirm(ctx context.Context) error {
	err := s.selectFile(ctx, FileCOM)
	if err != nil {
		// %v: a chip that cannot verify our MAC under the new keys ends
		// the session (6988), which is the clone's answer, not a reason
		// to re-establish it.
		return stepErr("CA", "confirm new keys", fmt.Errorf("%w: %v", ErrChipAuthentication, err))
	}
	return nil
}

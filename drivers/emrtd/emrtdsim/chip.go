// Package emrtdsim is a virtual eMRTD chip: the card side of ICAO Doc 9303
// parts 10 and 11 (PACE v2 Generic Mapping ECDH, BAC, secure messaging with
// 3DES and AES, Chip Authentication, Active Authentication, SELECT and READ
// BINARY over a file map), written from the specification and hosted by
// device simulators through nfc.Emulated (pn532sim's field, the vpcd
// bridge) or in-process through Card.
//
// It also encodes the LDS files a test card needs (EF.CardAccess shaped
// like the Vietnamese CCCD's, EF.COM, DG1, DG2, DG14, DG15). Signed files
// (EF.SOD) come from drivers/emrtd/testpki.
//
// Behaviours for tests: a BAC-only chip (no EF.CardAccess in the file map),
// a clone (no Chip Authentication or Active Authentication private key:
// the protocols run but with keys the terminal cannot match), DG3 answering
// 6982, a chip that refuses SELECT MF with 6D00 (as the CCCD does), a
// maximum Le, a card removed after N APDUs, refusals inside secure
// messaging answered protected as ICAO 9303-11 says or plain as some
// issued chips do (SMErrors), an ECDSA Active Authentication signed with
// another hash than DG14 names (AAHash), and a Type B chip (TypeB).
//
// Test private keys live only here and in testpki: no production code path
// imports this package.
package emrtdsim

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	_ "crypto/sha256" // AA hashes DG14 may name
	_ "crypto/sha512"
	"crypto/subtle"
	"encoding/asn1"
	"errors"
	"io"
	"math/big"
	"sync"

	"github.com/kiosk06/kiosk/drivers/emrtd"
	"github.com/kiosk06/kiosk/drivers/emrtd/internal/ecc"
	"github.com/kiosk06/kiosk/drivers/emrtd/internal/sm"
	"github.com/kiosk06/kiosk/drivers/nfc"
)

// MRZ holds the MRZ fields the chip's BAC and PACE-MRZ keys derive from.
type MRZ struct {
	DocumentNumber, DateOfBirth, DateOfExpiry string
}

// Options describe a virtual chip. The zero value (or nil) is a chip with
// no files and no access passwords; NewCCCD fills them from a testpki card.
type Options struct {
	// Files maps a file identifier to its content: EF.CardAccess (011C, in
	// the MF; absent for a BAC-only chip), EF.COM (011E), EF.SOD (011D) and
	// data groups (0101…0110) in the LDS1 application.
	Files map[uint16][]byte
	// Denied lists files whose READ BINARY answers 6982 (DG3 without
	// Terminal Authentication).
	Denied []uint16
	// CAN and MRZ are the chip's access passwords (either may be empty).
	CAN string
	MRZ *MRZ
	// CAKey is the Chip Authentication private key matching DG14; nil makes
	// a clone (CA runs with keys nobody can match).
	CAKey *ECKey
	// AAKey is the Active Authentication key matching DG15: *rsa.PrivateKey,
	// *ECKey or *ecdsa.PrivateKey; nil makes a clone (signatures do not
	// verify).
	AAKey any
	// AAHash is the hash of an ECDSA Active Authentication signature;
	// zero means the one DG14's ActiveAuthenticationInfo names (9303-11
	// §6.1), SHA-1 when DG14 names none. Set it to make a chip that signs
	// with another hash than DG14 says.
	AAHash crypto.Hash
	// SelectMF6D00 answers SELECT MF with 6D00, as the CCCD does.
	SelectMF6D00 bool
	// RequireParamID answers 6A80 to MSE:Set AT for PACE without the
	// parameter ID (DO'84'), as some chips do.
	RequireParamID bool
	// CardAccessBySFIOnly refuses SELECT EF.CardAccess by file identifier
	// (6A82): only READ BINARY with its short EF identifier 1C reaches it.
	CardAccessBySFIOnly bool
	// MaxLe, when > 0, answers 6700 to a READ BINARY asking for more.
	MaxLe int
	// SMErrors is how the chip answers a command it refuses (6A82, 6982
	// …) inside secure messaging: ICAO's protected status word by default,
	// or one of the plain answers some issued chips give.
	SMErrors SMErrorMode
	// RemoveAfter, when > 0, removes the card after that many APDUs:
	// Transmit returns nothing (Card turns that into nfc.ErrCardRemoved).
	RemoveAfter int
	// Rand supplies nonces, challenges and keys (crypto/rand when nil).
	Rand io.Reader
	// UID is the Type A UID presented (a random 08xxxxxx one when nil),
	// or with TypeB the PUPI.
	UID []byte
	// TypeB presents the chip as ISO/IEC 14443 Type B (as many passports
	// are) instead of Type A: readers that poll only for Type B find it.
	TypeB bool
}

// Chip is a virtual eMRTD chip. It implements nfc.Emulated and is safe for
// use by one reader goroutine at a time (a mutex guards it anyway).
type Chip struct {
	mu     sync.Mutex
	opts   Options
	rand   io.Reader
	pace   *emrtd.PACEInfo
	aaHash crypto.Hash
	apdus  int
	st     state
}

// state is what a power cycle (Reset) clears.
type state struct {
	app     bool   // LDS1 selected
	file    uint16 // current EF, 0 if none
	sm      *sm.Keys
	next    *sm.Keys // keys to switch to after the current response (CA)
	rndIC   []byte   // BAC challenge
	paceRun *paceCard
	caOID   asn1.ObjectIdentifier
}

var _ nfc.Emulated = (*Chip)(nil)

// New makes a chip from opts (nil means defaults). EF.CardAccess, when
// present, decides which PACE variant the chip runs. A chip runs nothing,
// so it is New, not Start, and has nothing to close.
func New(opts *Options) (*Chip, error) {
	var o Options
	if opts != nil {
		o = *opts
	}
	c := &Chip{opts: o, rand: o.Rand}
	if c.rand == nil {
		c.rand = rand.Reader
	}
	if ca, ok := o.Files[emrtd.FileCardAccess]; ok {
		si, err := emrtd.ParseCardAccess(ca)
		if err != nil {
			return nil, err
		}
		if len(si.PACE) > 0 {
			p := si.PACE[0]
			c.pace = &p
		}
	}
	c.aaHash = o.AAHash
	if c.aaHash == 0 {
		c.aaHash = crypto.SHA1
		if dg14, ok := o.Files[emrtd.DGFile(14)]; ok {
			if si, err := emrtd.ParseDG14(dg14); err == nil && len(si.AA) > 0 {
				if h, ok := emrtd.AASignatureHash(si.AA[0].SignatureAlgorithm); ok {
					c.aaHash = h
				}
			}
		}
	}
	if c.opts.UID == nil {
		c.opts.UID = []byte{0x08, 0, 0, 0}
		if _, err := io.ReadFull(c.rand, c.opts.UID[1:]); err != nil {
			return nil, err
		}
	}
	return c, nil
}

// Info is what the chip presents at activation (ISO/IEC 14443 Type A with
// a random UID, as eMRTDs do). The ATS advertises 106..848 kbit/s in
// both directions (TA1 = F7), as current eMRTD chips do; the reader
// reports the rate it negotiates.
func (c *Chip) Info() nfc.CardInfo {
	if c.opts.TypeB {
		// ATQB (ISO/IEC 14443-3 §7.9): 50, PUPI, application data 00000000,
		// protocol info: 848 kbit/s both ways (F7), FSCI 256 / ISO/IEC
		// 14443-4 compliant (81), FWI 8 (81).
		atqb := append(append([]byte{0x50}, c.opts.UID...), 0, 0, 0, 0, 0xF7, 0x81, 0x81)
		return nfc.CardInfo{Type: nfc.TypeB, UID: bytes.Clone(c.opts.UID), UIDRandom: nfc.RandomUID(c.opts.UID),
			ATQB: atqb, BitRate: 106}
	}
	return nfc.CardInfo{Type: nfc.TypeA, UID: bytes.Clone(c.opts.UID), UIDRandom: nfc.RandomUID(c.opts.UID),
		ATQA: 0x0004, SAK: 0x20, ATS: []byte{0x05, 0x78, 0xF7, 0x70, 0x02}, BitRate: 106}
}

// Reset is a power cycle: the session state is lost; RemoveAfter counts on.
func (c *Chip) Reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.st = state{}
}

// APDUs reports how many command APDUs the chip has received.
func (c *Chip) APDUs() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.apdus
}

// Status words (ISO/IEC 7816-4 §5.6).
const (
	swOK             = 0x9000
	swEndOfFile      = 0x6282
	swWrongLength    = 0x6700
	swSecurityStatus = 0x6982
	swCondNotSat     = 0x6985
	swSMMissing      = 0x6987
	swSMIncorrect    = 0x6988
	swWrongData      = 0x6A80
	swFileNotFound   = 0x6A82
	swWrongP1P2      = 0x6B00
	swINSNotSup      = 0x6D00
	swAuthFailed     = 0x6300
)

// Transmit answers one command APDU.
func (c *Chip) Transmit(apdu []byte) []byte {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.apdus++
	if c.opts.RemoveAfter > 0 && c.apdus > c.opts.RemoveAfter {
		return nil
	}
	if c.st.sm == nil && len(apdu) >= 4 && apdu[0]&0x0C == 0x0C {
		// A protected command without a session (after an SM error, or
		// a chip that ended it): nothing can verify it (ISO/IEC 7816-4
		// §10: SM data objects incorrect).
		return sw(swSMIncorrect)
	}
	if c.st.sm == nil {
		cmd, err := sm.DecodeCommand(apdu)
		if err != nil {
			return sw(swWrongLength)
		}
		data, status := c.handle(cmd)
		return append(data, byte(status>>8), byte(status))
	}
	return c.transmitSM(apdu)
}

// SMErrorMode is how a chip answers a refused command (any status but
// 9000, 6282 and the SM errors 6987/6988) inside secure messaging.
type SMErrorMode int

// SM error behaviours.
const (
	// SMErrorsProtected is ICAO Doc 9303-11's: only SM errors (6987
	// "expected SM data objects missing", 6988 "SM data objects
	// incorrect") are returned without secure messaging, and they end
	// the session (§9.8.5); every other status word is protected like
	// any response, DO'99' and DO'8E' (§9.8.4), and the SSC counts it.
	SMErrorsProtected SMErrorMode = iota
	// SMErrorsPlainEndSession answers the refusal plain and ends secure
	// messaging (the session keys are deleted), as after an SM error.
	SMErrorsPlainEndSession
	// SMErrorsPlainCountSSC answers it plain, keeps the session and
	// counts the plain response in the SSC (this simulator's behaviour
	// before issue 16).
	SMErrorsPlainCountSSC
	// SMErrorsPlainKeepSSC answers it plain and keeps the session
	// without counting the plain response in the SSC.
	SMErrorsPlainKeepSSC
)

// String implements fmt.Stringer.
func (m SMErrorMode) String() string {
	switch m {
	case SMErrorsProtected:
		return "protected"
	case SMErrorsPlainEndSession:
		return "plain, session ended"
	case SMErrorsPlainCountSSC:
		return "plain, SSC counts it"
	case SMErrorsPlainKeepSSC:
		return "plain, SSC unchanged"
	}
	return "unknown"
}

// transmitSM handles a command inside a secure messaging session (9303-11
// §9.8). A plain command ends the session (§9.8.3) and is then executed
// as a plain command; a command whose SM data objects are missing or do
// not verify ends it with a plain 6987/6988 (§9.8.5). Responses are
// protected (§9.8.4); a refusal is answered as Options.SMErrors says.
func (c *Chip) transmitSM(apdu []byte) []byte {
	if len(apdu) < 4 || apdu[0]&0x0C != 0x0C {
		c.st.sm = nil
		cmd, err := sm.DecodeCommand(apdu)
		if err != nil {
			return sw(swWrongLength)
		}
		data, status := c.handle(cmd)
		return append(data, byte(status>>8), byte(status))
	}
	cmd, err := c.st.sm.UnwrapCommand(apdu)
	if err != nil {
		c.st.sm = nil
		if errors.Is(err, sm.ErrNoSSCMAC) {
			return sw(swSMMissing)
		}
		return sw(swSMIncorrect)
	}
	data, status := c.handle(cmd)
	keys := c.st.sm
	if keys == nil { // the handler dropped the session
		return append(data, byte(status>>8), byte(status))
	}
	if len(data) == 0 && status != swOK && status != swEndOfFile {
		switch c.opts.SMErrors {
		case SMErrorsPlainEndSession:
			c.st.sm, c.st.next = nil, nil
			return sw(status)
		case SMErrorsPlainCountSSC:
			keys.IncSSC()
			c.applyNextKeys()
			return sw(status)
		case SMErrorsPlainKeepSSC:
			c.applyNextKeys()
			return sw(status)
		}
	}
	out, err := keys.WrapResponse(data, status, cmd.INS&1 == 1)
	if err != nil {
		c.st.sm = nil
		return sw(0x6F00)
	}
	c.applyNextKeys()
	return out
}

func (c *Chip) applyNextKeys() {
	if c.st.next != nil {
		c.st.sm, c.st.next = c.st.next, nil
	}
}

func sw(s uint16) []byte { return []byte{byte(s >> 8), byte(s)} }

// handle executes one plain command.
func (c *Chip) handle(cmd sm.Command) ([]byte, uint16) {
	switch cmd.INS {
	case 0xA4:
		return nil, c.selectFile(cmd)
	case 0xB0, 0xB1:
		return c.readBinary(cmd)
	case 0x84:
		return c.getChallenge(cmd)
	case 0x82:
		return c.externalAuthenticate(cmd)
	case 0x22:
		return nil, c.manageSecurityEnvironment(cmd)
	case 0x86:
		return c.generalAuthenticate(cmd)
	case 0x88:
		return c.internalAuthenticate(cmd)
	}
	return nil, swINSNotSup
}

// selectFile: SELECT by AID (P1=04), MF (3F00) or EF identifier.
func (c *Chip) selectFile(cmd sm.Command) uint16 {
	switch {
	case cmd.P1 == 0x04:
		if !bytes.Equal(cmd.Data, emrtd.AIDLDS1) {
			return swFileNotFound
		}
		c.st.app, c.st.file = true, 0
		return swOK
	case len(cmd.Data) != 2:
		return swWrongData
	}
	fid := uint16(cmd.Data[0])<<8 | uint16(cmd.Data[1])
	if fid == 0x3F00 {
		if c.opts.SelectMF6D00 {
			return swINSNotSup
		}
		c.st.app, c.st.file = false, 0
		return swOK
	}
	if fid == emrtd.FileCardAccess && c.opts.CardAccessBySFIOnly {
		return swFileNotFound
	}
	return c.selectEF(fid)
}

// selectEF makes fid the current EF (LDS1 files only inside the
// application).
func (c *Chip) selectEF(fid uint16) uint16 {
	if _, ok := c.opts.Files[fid]; !ok && !c.denied(fid) {
		return swFileNotFound
	}
	if fid != emrtd.FileCardAccess && !c.st.app {
		return swFileNotFound
	}
	c.st.file = fid
	return swOK
}

// readBinary: B0 with the offset in P1-P2, B1 with DO'54' (answer in
// DO'53'). LDS1 files need secure messaging; Denied files answer 6982.
func (c *Chip) readBinary(cmd sm.Command) ([]byte, uint16) {
	if cmd.INS == 0xB0 && cmd.P1&0x80 != 0 {
		// Short EF identifier (ISO/IEC 7816-4 §7.2.2): selects the file,
		// P2 is the offset.
		if status := c.selectEF(0x0100 | uint16(cmd.P1&0x1F)); status != swOK {
			return nil, status
		}
		cmd.P1 = 0
	}
	if c.st.file == 0 {
		return nil, swCondNotSat
	}
	if c.st.file != emrtd.FileCardAccess && c.st.sm == nil {
		return nil, swSecurityStatus
	}
	if c.denied(c.st.file) {
		return nil, swSecurityStatus
	}
	content := c.opts.Files[c.st.file]
	off, ne := int(cmd.P1)<<8|int(cmd.P2), cmd.Ne
	if cmd.INS == 0xB1 {
		t, _, err := emrtd.ParseTLV(cmd.Data)
		if err != nil || t.Tag != 0x54 || len(t.Value) == 0 || len(t.Value) > 3 {
			return nil, swWrongData
		}
		off = 0
		for _, b := range t.Value {
			off = off<<8 | int(b)
		}
		ne -= 3 // room for the DO'53' header
	}
	if ne <= 0 {
		return nil, swWrongLength
	}
	if c.opts.MaxLe > 0 && cmd.Ne > c.opts.MaxLe {
		return nil, swWrongLength
	}
	if off >= len(content) {
		return nil, swWrongP1P2
	}
	status := uint16(swOK)
	if off+ne > len(content) {
		ne, status = len(content)-off, swEndOfFile
	}
	data := bytes.Clone(content[off : off+ne])
	if cmd.INS == 0xB1 {
		data = emrtd.EncodeTLV(0x53, data)
	}
	return data, status
}

func (c *Chip) denied(fid uint16) bool {
	for _, d := range c.opts.Denied {
		if d == fid {
			return true
		}
	}
	return false
}

// getChallenge: BAC step 1, RND.IC.
func (c *Chip) getChallenge(cmd sm.Command) ([]byte, uint16) {
	if c.opts.MRZ == nil {
		return nil, swINSNotSup
	}
	if cmd.Ne != 8 {
		return nil, swWrongLength
	}
	c.st.rndIC = make([]byte, 8)
	if _, err := io.ReadFull(c.rand, c.st.rndIC); err != nil {
		return nil, 0x6F00
	}
	return bytes.Clone(c.st.rndIC), swOK
}

// externalAuthenticate: BAC step 2 (9303-11 §4.3.4): verify the terminal's
// cryptogram, answer with RND.IC ‖ RND.IFD ‖ K.IC, start 3DES SM.
func (c *Chip) externalAuthenticate(cmd sm.Command) ([]byte, uint16) {
	rndIC := c.st.rndIC
	c.st.rndIC = nil
	if c.opts.MRZ == nil || rndIC == nil {
		return nil, swCondNotSat
	}
	if len(cmd.Data) != 40 {
		return nil, swWrongLength
	}
	_, kenc, kmac, err := emrtd.BACKeys(c.opts.MRZ.DocumentNumber, c.opts.MRZ.DateOfBirth, c.opts.MRZ.DateOfExpiry)
	if err != nil {
		return nil, 0x6F00
	}
	m, _ := sm.MAC(sm.TDES, kmac, cmd.Data[:32])
	if subtle.ConstantTimeCompare(m, cmd.Data[32:]) != 1 {
		return nil, swAuthFailed
	}
	s, _ := sm.DecryptCBC(sm.TDES, kenc, nil, cmd.Data[:32])
	if !bytes.Equal(s[8:16], rndIC) {
		return nil, swAuthFailed
	}
	rndIFD, kIFD := s[:8], s[16:32]
	kIC := make([]byte, 16)
	if _, err := io.ReadFull(c.rand, kIC); err != nil {
		return nil, 0x6F00
	}
	r := append(append(append([]byte(nil), rndIC...), rndIFD...), kIC...)
	eIC, _ := sm.EncryptCBC(sm.TDES, kenc, nil, r)
	mIC, _ := sm.MAC(sm.TDES, kmac, eIC)
	seed := make([]byte, 16)
	subtle.XORBytes(seed, kIFD, kIC)
	ksenc, _ := sm.KDF(seed, sm.CounterEnc, sm.TDES, 16)
	ksmac, _ := sm.KDF(seed, sm.CounterMac, sm.TDES, 16)
	ssc := append(append([]byte(nil), rndIC[4:]...), rndIFD[4:]...)
	if c.st.sm, err = sm.NewKeys(sm.TDES, ksenc, ksmac, ssc); err != nil {
		return nil, 0x6F00
	}
	return append(eIC, mIC...), swOK
}

// manageSecurityEnvironment: MSE:Set AT for PACE (C1A4) and CA (41A4),
// MSE:Set KAT for CA with 3DES (41A6).
func (c *Chip) manageSecurityEnvironment(cmd sm.Command) uint16 {
	dos, err := emrtd.ParseTLVs(cmd.Data)
	if err != nil {
		return swWrongData
	}
	get := func(tag uint32) []byte {
		for _, d := range dos {
			if d.Tag == tag {
				return d.Value
			}
		}
		return nil
	}
	switch uint16(cmd.P1)<<8 | uint16(cmd.P2) {
	case 0xC1A4:
		return c.paceSetAT(get(0x80), get(0x83), get(0x84))
	case 0x41A4:
		if c.st.sm == nil {
			return swCondNotSat
		}
		c.st.caOID = oidFromBody(get(0x80))
		if _, ok := caAlg(c.st.caOID); !ok {
			return swWrongData
		}
		return swOK
	case 0x41A6:
		if c.st.sm == nil {
			return swCondNotSat
		}
		return c.chipAuthenticate(emrtd.OIDCAECDH3DES, get(0x91))
	}
	return swWrongP1P2
}

// generalAuthenticate dispatches to the PACE run or to Chip
// Authentication after MSE:Set AT.
func (c *Chip) generalAuthenticate(cmd sm.Command) ([]byte, uint16) {
	t, _, err := emrtd.ParseTLV(cmd.Data)
	if err != nil || t.Tag != 0x7C {
		return nil, swWrongData
	}
	if c.st.paceRun != nil {
		return c.paceStep(cmd, t.Value)
	}
	if c.st.caOID != nil {
		oid := c.st.caOID
		c.st.caOID = nil
		pk, ok := emrtd.FindTLV(t.Value, 0x80)
		if !ok {
			return nil, swWrongData
		}
		if status := c.chipAuthenticate(oid, pk.Value); status != swOK {
			return nil, status
		}
		return []byte{0x7C, 0x00}, swOK
	}
	return nil, swCondNotSat
}

func caAlg(oid asn1.ObjectIdentifier) (sm.Alg, bool) {
	switch {
	case oid.Equal(emrtd.OIDCAECDH3DES):
		return sm.TDES, true
	case oid.Equal(emrtd.OIDCAECDHAES128):
		return sm.AES, true
	}
	return 0, false
}

// chipAuthenticate derives the new session keys from the terminal's
// ephemeral key and the chip's static key; they take effect after this
// response, with SSC = 0. A clone (no key) switches to random keys.
func (c *Chip) chipAuthenticate(oid asn1.ObjectIdentifier, pkIFD []byte) uint16 {
	alg, _ := caAlg(oid)
	secret := make([]byte, 32)
	if k := c.opts.CAKey; k != nil {
		pk, err := ecc.Unmarshal(chipCurve(k.Curve), pkIFD)
		if err != nil {
			return swWrongData
		}
		if secret, err = ecc.SharedX(k.D, pk); err != nil {
			return swWrongData
		}
	} else if _, err := io.ReadFull(c.rand, secret); err != nil {
		return 0x6F00
	}
	enc, _ := sm.KDF(secret, sm.CounterEnc, alg, 16)
	mac, _ := sm.KDF(secret, sm.CounterMac, alg, 16)
	next, err := sm.NewKeys(alg, enc, mac, nil)
	if err != nil {
		return 0x6F00
	}
	c.st.next = next
	return swOK
}

// internalAuthenticate: Active Authentication (9303-11 §6.1) over the
// terminal's 8-byte challenge.
func (c *Chip) internalAuthenticate(cmd sm.Command) ([]byte, uint16) {
	if c.st.sm == nil {
		return nil, swSecurityStatus
	}
	if len(cmd.Data) != 8 {
		return nil, swWrongLength
	}
	switch k := c.opts.AAKey.(type) {
	case *rsa.PrivateKey:
		sig, err := signISO9796_2(k, cmd.Data, c.rand)
		if err != nil {
			return nil, 0x6F00
		}
		return sig, swOK
	case *ecdsa.PrivateKey:
		return c.signEC(FromECDSA(k), cmd.Data)
	case *ECKey:
		return c.signEC(k, cmd.Data)
	}
	junk := make([]byte, 64) // a clone cannot sign
	if _, err := io.ReadFull(c.rand, junk); err != nil {
		return nil, 0x6F00
	}
	return junk, swOK
}

// signEC makes a plain ECDSA signature (TR-03111 §5.2.1) over the
// challenge's hash (DG14's algorithm, 9303-11 §6.1).
func (c *Chip) signEC(k *ECKey, challenge []byte) ([]byte, uint16) {
	if !c.aaHash.Available() {
		return nil, 0x6F00
	}
	h := c.aaHash.New()
	h.Write(challenge)
	sig, err := ecc.SignPlain(chipCurve(k.Curve), k.D, h.Sum(nil), c.rand)
	if err != nil {
		return nil, 0x6F00
	}
	return sig, swOK
}

// signISO9796_2 signs with ISO/IEC 9796-2 scheme 1, partial recovery,
// SHA-1 (trailer BC): F = 6A ‖ M1 ‖ SHA-1(M1 ‖ M2) ‖ BC, s = F^d mod n.
func signISO9796_2(k *rsa.PrivateKey, m2 []byte, rnd io.Reader) ([]byte, error) {
	size := k.Size()
	m1 := make([]byte, size-2-sha1.Size)
	if _, err := io.ReadFull(rnd, m1); err != nil {
		return nil, err
	}
	h := sha1.New()
	h.Write(m1)
	h.Write(m2)
	f := append(append(append([]byte{0x6A}, m1...), h.Sum(nil)...), 0xBC)
	fv := new(big.Int).SetBytes(f)
	if fv.Cmp(k.N) >= 0 {
		return nil, errors.New("emrtdsim: 9796-2 representative exceeds the modulus")
	}
	s := new(big.Int).Exp(fv, k.D, k.N)
	return s.FillBytes(make([]byte, size)), nil
}

func oidFromBody(b []byte) asn1.ObjectIdentifier {
	if len(b) == 0 || len(b) > 127 {
		return nil
	}
	var oid asn1.ObjectIdentifier
	if _, err := asn1.Unmarshal(append([]byte{0x06, byte(len(b))}, b...), &oid); err != nil {
		return nil
	}
	return oid
}

// Card hosts e in-process as an nfc.Card: an empty answer (a removed card)
// is nfc.ErrCardRemoved.
func Card(e nfc.Emulated) nfc.Card { return &card{e: e} }

type card struct{ e nfc.Emulated }

func (k *card) Transmit(ctx context.Context, apdu []byte) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	resp := k.e.Transmit(apdu)
	if len(resp) == 0 {
		return nil, nfc.ErrCardRemoved
	}
	return resp, nil
}

func (k *card) Info() nfc.CardInfo                { return k.e.Info() }
func (k *card) Release(ctx context.Context) error { return nil }

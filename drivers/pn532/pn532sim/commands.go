package pn532sim

import (
	"time"

	"github.com/kiosk06/kiosk/drivers/nfc"
)

// Command codes and constants (UM0701 §7).
const (
	tfiHost  = 0xD4
	tfiPN532 = 0xD5

	cmdDiagnose            = 0x00
	cmdGetFirmwareVersion  = 0x02
	cmdReadRegister        = 0x06
	cmdWriteRegister       = 0x08
	cmdSetParameters       = 0x12
	cmdSAMConfiguration    = 0x14
	cmdRFConfiguration     = 0x32
	cmdInDataExchange      = 0x40
	cmdInListPassiveTarget = 0x4A
	cmdInPSL               = 0x4E
	cmdInRelease           = 0x52

	stTimeout      = 0x01 // target has not answered
	stInvalidParam = 0x10
	stNotAllowed   = 0x27 // command not acceptable in the current context
	bitMI          = 0x40
	maxDataIn      = 262 // DataIn per response frame
	maxChain       = 70000
)

// respond computes the response (TFI + PD) to one command frame, or nil for
// the error frame, and the RF and card time it took.
func (s *Device) respond(data []byte) ([]byte, time.Duration) {
	if len(data) < 2 || data[0] != tfiHost {
		return nil, 0
	}
	code, p := data[1], data[2:]
	ok := func(pd ...byte) []byte { return append([]byte{tfiPN532, code + 1}, pd...) }
	switch code {
	case cmdGetFirmwareVersion:
		if len(p) == 0 {
			return ok(s.opts.Firmware[:]...), 0
		}
	case cmdSAMConfiguration:
		if len(p) >= 1 && p[0] >= 1 && p[0] <= 4 {
			return ok(), 0
		}
	case cmdReadRegister:
		if len(p) >= 2 && len(p)%2 == 0 {
			return ok(s.readRegisters(p)...), 0
		}
	case cmdWriteRegister:
		if len(p) >= 3 && len(p)%3 == 0 {
			s.writeRegisters(p)
			return ok(), 0
		}
	case cmdSetParameters:
		if len(p) == 1 {
			return ok(), 0
		}
	case cmdRFConfiguration:
		if len(p) >= 1 {
			return ok(), 0
		}
	case cmdInListPassiveTarget:
		return s.inListPassiveTarget(p)
	case cmdInDataExchange:
		return s.inDataExchange(p)
	case cmdInPSL:
		if len(p) == 3 {
			return ok(s.inPSL(p)), 0
		}
	case cmdInRelease:
		if len(p) == 1 {
			if s.tg != 0 {
				s.stats.Releases++
			}
			s.tg, s.sendBuf, s.recvBuf = 0, nil, nil
			return ok(0x00), 0
		}
	case cmdDiagnose:
		return s.diagnose(p)
	}
	return nil, 0
}

// inListPassiveTarget: MaxTg BrTy [InitiatorData] (UM0701 §7.3.5).
func (s *Device) inListPassiveTarget(p []byte) ([]byte, time.Duration) {
	if len(p) < 2 || p[0] < 1 || p[0] > 2 {
		return nil, 0
	}
	resp := []byte{tfiPN532, cmdInListPassiveTarget + 1}
	var want nfc.Type
	switch p[1] {
	case 0x00:
		want = nfc.TypeA
	case 0x03:
		want = nfc.TypeB
	default:
		return append(resp, 0x00), 0 // other modulations: nothing found
	}
	if s.card == nil {
		return append(resp, 0x00), s.rfTime(2)
	}
	info := s.card.Info()
	if info.Type != want {
		return append(resp, 0x00), s.rfTime(2)
	}
	s.card.Reset()
	s.stats.Activations++
	s.tg, s.tgGen, s.rate, s.sendBuf, s.recvBuf = 1, s.cardGen, 106, nil, nil
	if want == nfc.TypeB {
		return append(append(resp, 0x01), targetB(info)...), s.rfTime(12) * 2
	}
	return append(append(resp, 0x01), targetA(info)...), s.rfTime(2+len(info.UID)+len(info.ATS)) * 3
}

// targetA: Tg SENS_RES SEL_RES NFCIDLength NFCID1 ATS.
func targetA(info nfc.CardInfo) []byte {
	uid := info.UID
	if len(uid) == 0 {
		uid = []byte{0x08, 0x01, 0x02, 0x03}
	}
	sak := info.SAK
	if sak == 0 {
		sak = 0x20 // ISO/IEC 14443-4 compliant
	}
	out := []byte{0x01, byte(info.ATQA >> 8), byte(info.ATQA), sak, byte(len(uid))}
	out = append(out, uid...)
	if len(info.ATS) > 0 {
		out = append(out, info.ATS...)
	}
	return out
}

// targetB: Tg ATQB(12) ATTRIB_RES-length ATTRIB_RES.
func targetB(info nfc.CardInfo) []byte {
	atqb := info.ATQB
	if len(atqb) != 12 {
		atqb = make([]byte, 12)
		atqb[0] = 0x50
		copy(atqb[1:5], info.UID)
		atqb[10], atqb[11] = 0x81, 0x81 // FSCI 256, protocol type ISO/IEC 14443-4; FWI 8
	}
	out := append([]byte{0x01}, atqb...)
	return append(out, 0x01, 0x00) // ATTRIB_RES: MBLI/CID 00
}

// inDataExchange: Tg [DataOut] (UM0701 §7.3.8).
func (s *Device) inDataExchange(p []byte) ([]byte, time.Duration) {
	if len(p) < 1 {
		return nil, 0
	}
	st := func(status byte, data ...byte) []byte {
		return append([]byte{tfiPN532, cmdInDataExchange + 1, status}, data...)
	}
	tg, out := p[0], p[1:]
	if s.tg == 0 || tg&0x0F != s.tg {
		return st(stNotAllowed), 0
	}
	if s.removeOnExchange {
		s.removeOnExchange = false
		s.card, s.cardGen = nil, s.cardGen+1
	}
	if !s.targetInField() {
		s.sendBuf, s.recvBuf = nil, nil
		return st(stTimeout), s.rfTime(len(out)) + 5*time.Millisecond
	}
	if len(out) == 0 && len(s.recvBuf) > 0 {
		return s.nextChunk(st), s.rfTime(min(len(s.recvBuf), maxDataIn))
	}
	if len(s.sendBuf)+len(out) > maxChain {
		s.sendBuf = nil
		return st(stInvalidParam), 0
	}
	s.sendBuf = append(s.sendBuf, out...)
	if tg&bitMI != 0 {
		return st(0x00), s.rfTime(len(out))
	}
	apdu := s.sendBuf
	s.sendBuf = nil
	s.stats.Exchange++
	s.recvBuf = s.card.Transmit(apdu)
	if len(s.recvBuf) == 0 {
		// The card left the field mid-exchange (nfc.Emulated's contract):
		// the PN532 times out waiting for it, as with a pulled card.
		s.card, s.cardGen, s.recvBuf = nil, s.cardGen+1, nil
		return st(stTimeout), s.rfTime(len(apdu)) + 5*time.Millisecond
	}
	work := s.rfTime(len(apdu)) + s.rfTime(len(s.recvBuf))
	if t := s.opts.Timing; t != nil {
		work += t.CardProcessing
	}
	return s.nextChunk(st), work
}

// targetInField reports whether the activated target is still the card in
// the field.
func (s *Device) targetInField() bool {
	return s.tg != 0 && s.card != nil && s.tgGen == s.cardGen
}

// nextChunk answers the next part of the card's response, with MI set
// while more remains.
func (s *Device) nextChunk(st func(byte, ...byte) []byte) []byte {
	n := min(len(s.recvBuf), maxDataIn)
	chunk := s.recvBuf[:n]
	s.recvBuf = s.recvBuf[n:]
	var status byte
	if len(s.recvBuf) > 0 {
		status = bitMI
	}
	return st(status, chunk...)
}

// inPSL: Tg BRit BRti; 0 106, 1 212, 2 424 kbps (UM0701 §7.3.10).
func (s *Device) inPSL(p []byte) byte {
	if s.tg == 0 || p[0] != s.tg {
		return stNotAllowed
	}
	if p[1] > 2 || p[2] > 2 {
		return stInvalidParam
	}
	s.rate = 106 << max(p[1], p[2])
	return 0x00
}

// diagnose: NumTst 06 is card presence detection (UM0701 §7.2.1); other
// tests are answered as passed when they need no parameters.
func (s *Device) diagnose(p []byte) ([]byte, time.Duration) {
	if len(p) < 1 {
		return nil, 0
	}
	resp := []byte{tfiPN532, cmdDiagnose + 1}
	if p[0] == 0x06 {
		if s.targetInField() {
			return append(resp, 0x00), s.rfTime(1) * 2
		}
		return append(resp, 0x01), 5 * time.Millisecond
	}
	if p[0] == 0x00 { // communication line test: echo
		return append(resp, p...), 0
	}
	return nil, 0
}

// readRegisters answers ReadRegister (UM0701 §7.2.4): one value per
// 16-bit address, from the register file WriteRegister filled (0 for a
// register never written). Only libnfc's pn53x driver uses it; the
// simulator does not model what the CIU registers do.
func (s *Device) readRegisters(p []byte) []byte {
	out := make([]byte, 0, len(p)/2)
	for i := 0; i+1 < len(p); i += 2 {
		out = append(out, s.regs[uint16(p[i])<<8|uint16(p[i+1])])
	}
	return out
}

// writeRegisters stores WriteRegister's address/value triples (UM0701
// §7.2.5).
func (s *Device) writeRegisters(p []byte) {
	if s.regs == nil {
		s.regs = map[uint16]byte{}
	}
	for i := 0; i+2 < len(p); i += 3 {
		s.regs[uint16(p[i])<<8|uint16(p[i+1])] = p[i+2]
	}
}

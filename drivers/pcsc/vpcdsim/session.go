package vpcdsim

import "github.com/kiosk06/kiosk/drivers/nfc"

// Status words the simulated reader firmware returns (ISO/IEC 7816-4
// §5.6; PC/SC part 3 v2.01 §3.2.2.1.3 table for GET DATA).
const (
	swOK            = 0x9000
	swEndOfData     = 0x6282 // Le longer than the data
	swWrongP1P2     = 0x6B00
	swWrongLength   = 0x6700
	swNotSupported  = 0x6A81
	swINSNotSupport = 0x6D00
	swNoPreciseDiag = 0x6F00
)

// sw returns a fresh 2-byte status word.
func sw(v uint16) []byte { return []byte{byte(v >> 8), byte(v)} }

// session is one card's stay in the field (one vpcd connection).
type session struct {
	card    nfc.Emulated
	powered bool
	// left: the card gave an empty answer, i.e. left the field
	// (nfc.Emulated's contract); the connection is then closed.
	left bool
}

func newSession(card nfc.Emulated) *session { return &session{card: card} }

// handle answers one vpcd message. ok is false when the message gets no
// reply (power on/off, reset, unknown control codes, empty messages).
func (s *session) handle(msg []byte) (reply []byte, ok bool) {
	switch len(msg) {
	case 0:
		return nil, false
	case 1:
		return s.control(msg[0])
	}
	if msg[0] == 0xFF {
		return s.pseudoAPDU(msg), true
	}
	if !s.powered {
		// pcscd powers the card on before any APDU; answer anyway, as a
		// reader that activates the card on demand.
		s.powerOn()
	}
	rsp := s.card.Transmit(msg)
	if len(rsp) == 0 {
		s.left = true
		return nil, false
	}
	if len(rsp) < 2 || len(rsp) > MaxMessage {
		return sw(swNoPreciseDiag), true
	}
	return rsp, true
}

// control handles a 1-byte vpcd control message.
func (s *session) control(code byte) ([]byte, bool) {
	switch code {
	case ctrlPowerOff:
		s.powered = false
	case ctrlPowerOn, ctrlReset:
		s.powerOn()
	case ctrlGetATR:
		return ContactlessATR(s.card.Info()), true
	}
	return nil, false
}

// powerOn models the card (re-)entering the field: its state is lost.
func (s *session) powerOn() {
	s.card.Reset()
	s.powered = true
}

// pseudoAPDU plays the reader firmware for class FF commands.
func (s *session) pseudoAPDU(apdu []byte) []byte {
	if len(apdu) < 4 {
		return sw(swWrongLength)
	}
	if apdu[1] != 0xCA {
		return sw(swINSNotSupport)
	}
	return s.getData(apdu)
}

// getData answers GET DATA FF CA P1 00 Le (PC/SC part 3 v2.01
// §3.2.2.1.3): P1 = 00 the UID (Type A UID or Type B PUPI), P1 = 01 the
// ATS historical bytes (Type A only). Le = 00 means "all"; a shorter Le
// gets 6Cxx with the exact length, a longer one the data and 6282.
func (s *session) getData(apdu []byte) []byte {
	if len(apdu) != 5 {
		return sw(swWrongLength)
	}
	if apdu[3] != 0x00 {
		return sw(swWrongP1P2)
	}
	info := s.card.Info()
	var data []byte
	switch apdu[2] {
	case 0x00:
		data = info.UID
	case 0x01:
		if info.Type != nfc.TypeA {
			return sw(swNotSupported)
		}
		data = atsHistorical(info.ATS)
	default:
		return sw(swWrongP1P2)
	}
	if len(data) == 0 || len(data) > 255 {
		return sw(swNotSupported)
	}
	le := int(apdu[4])
	switch {
	case le == 0 || le == len(data):
		return append(append([]byte(nil), data...), sw(swOK)...)
	case le < len(data):
		return []byte{0x6C, byte(len(data))}
	default:
		return append(append([]byte(nil), data...), sw(swEndOfData)...)
	}
}

package pn532sim

import (
	"bytes"
	"sync"

	"github.com/kiosk06/kiosk/drivers/nfc"
)

// eMRTDAID is the ICAO 9303 LDS1 application identifier.
var eMRTDAID = []byte{0xA0, 0x00, 0x00, 0x02, 0x47, 0x10, 0x01}

// SimpleCard is a minimal nfc.Emulated for tests and `kioskd sim`: it
// answers SELECT by AID (00 A4 04 0C/00) of the eMRTD application with
// 9000, READ BINARY (00 B0) with Le bytes of a counting pattern and 9000,
// an ECHO command (80 EE 00 00 Lc data) with its data and 9000, and 6D00
// (instruction not supported) to anything else.
type SimpleCard struct {
	CardInfo nfc.CardInfo

	mu     sync.Mutex
	resets int
}

// NewSimpleCard is a Type A card with a random UID (08 xx xx xx) and an
// ATS allowing 106/212/424 kbps.
func NewSimpleCard() *SimpleCard {
	return &SimpleCard{CardInfo: nfc.CardInfo{
		Type: nfc.TypeA,
		UID:  []byte{0x08, 0x5A, 0x3C, 0x11},
		ATQA: 0x0004,
		SAK:  0x20,
		// TL T0 TA TB TC: FSCI 8 (256), TA 33 = DS/DR 2 and 4, then
		// historical bytes.
		ATS: []byte{0x09, 0x78, 0x33, 0x81, 0x02, 0x80, 0x31, 0x80, 0x66},
	}}
}

// Info implements nfc.Emulated.
func (c *SimpleCard) Info() nfc.CardInfo { return c.CardInfo }

// Reset implements nfc.Emulated.
func (c *SimpleCard) Reset() {
	c.mu.Lock()
	c.resets++
	c.mu.Unlock()
}

// Resets counts power-ups.
func (c *SimpleCard) Resets() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.resets
}

// Transmit implements nfc.Emulated.
func (c *SimpleCard) Transmit(apdu []byte) []byte {
	sw := func(data []byte, sw1, sw2 byte) []byte { return append(append([]byte(nil), data...), sw1, sw2) }
	if len(apdu) < 4 {
		return sw(nil, 0x67, 0x00)
	}
	switch {
	case apdu[1] == 0xA4 && apdu[2] == 0x04:
		if len(apdu) >= 5+len(eMRTDAID) && int(apdu[4]) == len(eMRTDAID) && bytes.Equal(apdu[5:5+len(eMRTDAID)], eMRTDAID) {
			return sw(nil, 0x90, 0x00)
		}
		return sw(nil, 0x6A, 0x82)
	case apdu[1] == 0xB0:
		n := 256
		if len(apdu) >= 5 && apdu[4] != 0 {
			n = int(apdu[4])
		}
		data := make([]byte, n)
		for i := range data {
			data[i] = byte(i)
		}
		return sw(data, 0x90, 0x00)
	case apdu[0] == 0x80 && apdu[1] == 0xEE:
		return sw(echoData(apdu), 0x90, 0x00)
	}
	return sw(nil, 0x6D, 0x00)
}

// echoData returns the command data field of a short or extended APDU.
func echoData(apdu []byte) []byte {
	if len(apdu) < 6 {
		return nil
	}
	if apdu[4] != 0 {
		n := int(apdu[4])
		return apdu[5:min(len(apdu), 5+n)]
	}
	if len(apdu) < 8 {
		return nil
	}
	n := int(apdu[5])<<8 | int(apdu[6])
	return apdu[7:min(len(apdu), 7+n)]
}

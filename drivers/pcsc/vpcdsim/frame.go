package vpcdsim

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// vpcd socket protocol (vsmartcard virtualsmartcard/src/vpcd/vpcd.c,
// sendToVICC/recvFromVICC): every message in either direction is a
// 2-byte big-endian length followed by that many bytes. A 1-byte message
// from vpcd is a control code; a longer one is a command APDU. The virtual
// card answers GET ATR and command APDUs with one message each; power
// on/off and reset get no answer.
const (
	ctrlPowerOff = 0x00 // VPCD_CTRL_OFF
	ctrlPowerOn  = 0x01 // VPCD_CTRL_ON
	ctrlReset    = 0x02 // VPCD_CTRL_RESET
	ctrlGetATR   = 0x04 // VPCD_CTRL_ATR

	// MaxMessage is the largest payload the 2-byte length can carry.
	MaxMessage = 0xFFFF
)

// ErrFrame reports a malformed vpcd message (a length prefix or payload
// cut short by the end of the stream).
var ErrFrame = errors.New("vpcdsim: malformed vpcd message")

// readMessage reads one length-prefixed message. A clean end of stream
// before the length prefix is io.EOF; a stream cut inside a message is
// ErrFrame. The payload is bounded by the 16-bit length (≤ MaxMessage).
func readMessage(r io.Reader) ([]byte, error) {
	var hdr [2]byte
	if _, err := io.ReadFull(r, hdr[:]); err != nil {
		if errors.Is(err, io.ErrUnexpectedEOF) {
			return nil, fmt.Errorf("%w: length prefix cut short", ErrFrame)
		}
		return nil, err
	}
	n := int(binary.BigEndian.Uint16(hdr[:]))
	buf := make([]byte, n)
	if _, err := io.ReadFull(r, buf); err != nil {
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			return nil, fmt.Errorf("%w: payload of %d bytes cut short", ErrFrame, n)
		}
		return nil, err
	}
	return buf, nil
}

// appendMessage appends payload framed with its 2-byte length to dst.
func appendMessage(dst, payload []byte) ([]byte, error) {
	if len(payload) > MaxMessage {
		return nil, fmt.Errorf("vpcdsim: message of %d bytes exceeds %d", len(payload), MaxMessage)
	}
	dst = binary.BigEndian.AppendUint16(dst, uint16(len(payload)))
	return append(dst, payload...), nil
}

package fingerprint

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// Packet identifiers (R30x datasheet §5.1 "Data package format").
const (
	PIDCommand = 0x01 // host → module command
	PIDData    = 0x02 // data packet, more follow
	PIDAck     = 0x07 // module → host acknowledge
	PIDEnd     = 0x08 // last data packet
)

// Packet framing limits.
const (
	headerHi = 0xEF
	headerLo = 0x01
	// MaxPayload bounds a packet's payload: the largest data packet size a
	// module supports is 256 bytes.
	MaxPayload = 256
	// maxResync bounds the garbage bytes skipped while looking for a header.
	maxResync = 64
	// DefaultAddress is the factory module address.
	DefaultAddress = 0xFFFFFFFF
)

// Transport errors.
var (
	// ErrChecksum: a received packet's checksum does not match.
	ErrChecksum = errors.New("fingerprint: packet checksum mismatch")
	// ErrFrame: the bytes received are not a well-formed packet.
	ErrFrame = errors.New("fingerprint: malformed packet")
)

// Packet is one R30x packet: EF 01, a 4-byte address, PID, a 2-byte length
// (payload + checksum), the payload, and a 2-byte checksum that is the
// 16-bit sum of PID, both length bytes and every payload byte.
type Packet struct {
	Addr    uint32
	PID     byte
	Payload []byte
}

// Checksum computes the packet checksum over PID, length and payload.
func Checksum(pid byte, length uint16, payload []byte) uint16 {
	sum := uint16(pid) + length>>8 + length&0xFF
	for _, b := range payload {
		sum += uint16(b)
	}
	return sum
}

// Marshal returns the packet's bytes on the wire.
func (p Packet) Marshal() []byte {
	n := uint16(len(p.Payload) + 2)
	b := make([]byte, 0, 9+len(p.Payload)+2)
	b = append(b, headerHi, headerLo)
	b = binary.BigEndian.AppendUint32(b, p.Addr)
	b = append(b, p.PID)
	b = binary.BigEndian.AppendUint16(b, n)
	b = append(b, p.Payload...)
	return binary.BigEndian.AppendUint16(b, Checksum(p.PID, n, p.Payload))
}

// ReadPacket reads one packet with readFull (which must fill its argument
// or fail), skipping up to maxResync bytes of line noise before the header.
// It verifies the length bound, the PID and the checksum. On ErrChecksum the
// decoded packet is returned too (the module answers it with code 0x01).
func ReadPacket(readFull func([]byte) error) (Packet, error) {
	var one [1]byte
	prev := byte(0)
	for skipped := 0; ; skipped++ {
		if skipped > maxResync+1 {
			return Packet{}, fmt.Errorf("%w: no header in %d bytes", ErrFrame, maxResync)
		}
		if err := readFull(one[:]); err != nil {
			return Packet{}, err
		}
		if prev == headerHi && one[0] == headerLo {
			break
		}
		prev = one[0]
	}
	var hdr [7]byte
	if err := readFull(hdr[:]); err != nil {
		return Packet{}, err
	}
	p := Packet{Addr: binary.BigEndian.Uint32(hdr[0:4]), PID: hdr[4]}
	n := binary.BigEndian.Uint16(hdr[5:7])
	switch p.PID {
	case PIDCommand, PIDData, PIDAck, PIDEnd:
	default:
		return Packet{}, fmt.Errorf("%w: packet identifier 0x%02X", ErrFrame, p.PID)
	}
	if n < 2 || int(n) > MaxPayload+2 {
		return Packet{}, fmt.Errorf("%w: length %d", ErrFrame, n)
	}
	body := make([]byte, n)
	if err := readFull(body); err != nil {
		return Packet{}, err
	}
	p.Payload = body[:n-2]
	if got, want := binary.BigEndian.Uint16(body[n-2:]), Checksum(p.PID, n, p.Payload); got != want {
		return p, fmt.Errorf("%w: got %04X, want %04X", ErrChecksum, got, want)
	}
	return p, nil
}

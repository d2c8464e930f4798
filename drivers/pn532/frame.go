package pn532

import (
	"errors"
	"fmt"
)

// Frame directions (TFI, UM0701 §6.2.1.1).
const (
	tfiHostToPN532 = 0xD4
	tfiPN532ToHost = 0xD5
)

// Size limits (UM0701 §6.2.1.1 and §6.2.1.2).
const (
	// maxNormalLen is the largest LEN of a normal information frame
	// (TFI plus PD0…PDn).
	maxNormalLen = 255
	// maxFrameData is the largest TFI+PD length the PN532 accepts or sends
	// (264 data bytes plus TFI; libnfc PN53x_EXTENDED_FRAME__DATA_MAX_LEN).
	maxFrameData = 265
	// maxWireFrame is the longest frame on the wire: extended header (8),
	// data, DCS and postamble.
	maxWireFrame = 8 + maxFrameData + 2
)

// Fixed frames (UM0701 §6.2.1.3 ACK, §6.2.1.4 NACK). The error frame
// (§6.2.1.5, 00 00 FF 01 FF 7F 81 00) is recognised by readFrame.
var (
	ackFrame  = []byte{0x00, 0x00, 0xFF, 0x00, 0xFF, 0x00}
	nackFrame = []byte{0x00, 0x00, 0xFF, 0xFF, 0x00, 0x00}
)

// Frame errors callers branch on.
var (
	// ErrChecksum: a frame's LCS or DCS did not check (the host answers
	// with NACK so that the PN532 sends the frame again).
	ErrChecksum = errors.New("pn532: frame checksum error")
	// ErrFrame: bytes that are not a well-formed PN532 frame.
	ErrFrame = errors.New("pn532: malformed frame")
	// ErrApplication: the PN532 sent the error frame (syntax error in the
	// host's command, UM0701 §6.2.1.5).
	ErrApplication = errors.New("pn532: application-level error frame (syntax error)")
)

// frameKind is what a received frame is.
type frameKind int

const (
	kindInfo frameKind = iota + 1 // information frame (normal or extended)
	kindACK
	kindNACK
	kindError
)

// String names the kind for error messages.
func (k frameKind) String() string {
	switch k {
	case kindInfo:
		return "information"
	case kindACK:
		return "ACK"
	case kindNACK:
		return "NACK"
	case kindError:
		return "error"
	}
	return "unknown"
}

// frame is one decoded frame. Data is TFI followed by PD0…PDn for an
// information frame, nil otherwise.
type frame struct {
	Kind frameKind
	Data []byte
}

// encodeFrame builds the information frame carrying data (TFI + PD…):
// a normal frame when it fits in LEN, an extended frame otherwise
// (UM0701 §6.2.1.1, §6.2.1.2).
func encodeFrame(data []byte) ([]byte, error) {
	n := len(data)
	if n == 0 || n > maxFrameData {
		return nil, fmt.Errorf("%w: %d data bytes (want 1..%d)", ErrFrame, n, maxFrameData)
	}
	var out []byte
	if n <= maxNormalLen {
		out = make([]byte, 0, n+7)
		out = append(out, 0x00, 0x00, 0xFF, byte(n), byte(-n))
	} else {
		hi, lo := byte(n>>8), byte(n)
		out = make([]byte, 0, n+10)
		out = append(out, 0x00, 0x00, 0xFF, 0xFF, 0xFF, hi, lo, -(hi + lo))
	}
	out = append(out, data...)
	return append(out, checksum(data), 0x00), nil
}

// checksum is the DCS of data: the byte that makes the sum zero.
func checksum(data []byte) byte {
	var sum byte
	for _, b := range data {
		sum += b
	}
	return -sum
}

// byteSource yields the bytes of a frame one at a time.
type byteSource interface {
	next() (byte, error)
}

// readFrame reads one frame from src. Bytes before the start code (00 FF)
// are skipped, so garbage on the line or the I²C/SPI padding is tolerated.
// Lengths are checked before anything is allocated.
func readFrame(src byteSource) (frame, error) {
	if err := syncStart(src); err != nil {
		return frame{}, err
	}
	l, err := next2(src)
	if err != nil {
		return frame{}, err
	}
	switch {
	case l[0] == 0x00 && l[1] == 0xFF:
		return frame{Kind: kindACK}, skipPostamble(src)
	case l[0] == 0xFF && l[1] == 0x00:
		return frame{Kind: kindNACK}, skipPostamble(src)
	}
	n, err := frameLen(src, l)
	if err != nil {
		return frame{}, err
	}
	data := make([]byte, n)
	for i := range data {
		if data[i], err = src.next(); err != nil {
			return frame{}, err
		}
	}
	dcs, err := src.next()
	if err != nil {
		return frame{}, err
	}
	if checksum(data) != dcs {
		return frame{}, fmt.Errorf("%w: DCS %02X, want %02X", ErrChecksum, dcs, checksum(data))
	}
	if err := skipPostamble(src); err != nil {
		return frame{}, err
	}
	if n == 1 && data[0] == 0x7F {
		return frame{Kind: kindError}, nil
	}
	return frame{Kind: kindInfo, Data: data}, nil
}

// syncStart consumes bytes up to and including the start code 00 FF.
func syncStart(src byteSource) error {
	var prev byte = 0x01
	for i := 0; ; i++ {
		b, err := src.next()
		if err != nil {
			return err
		}
		if prev == 0x00 && b == 0xFF {
			return nil
		}
		if i > 2*maxWireFrame {
			return fmt.Errorf("%w: no start code in %d bytes", ErrFrame, i)
		}
		prev = b
	}
}

func next2(src byteSource) ([2]byte, error) {
	var b [2]byte
	var err error
	if b[0], err = src.next(); err != nil {
		return b, err
	}
	b[1], err = src.next()
	return b, err
}

// frameLen reads (for an extended frame) and checks the length fields
// whose first two bytes are l.
func frameLen(src byteSource, l [2]byte) (int, error) {
	if l[0] != 0xFF || l[1] != 0xFF {
		if l[0]+l[1] != 0 {
			return 0, fmt.Errorf("%w: LEN %02X LCS %02X", ErrChecksum, l[0], l[1])
		}
		if l[0] == 0 {
			return 0, fmt.Errorf("%w: empty information frame", ErrFrame)
		}
		return int(l[0]), nil
	}
	m, err := next2(src)
	if err != nil {
		return 0, err
	}
	lcs, err := src.next()
	if err != nil {
		return 0, err
	}
	if m[0]+m[1]+lcs != 0 {
		return 0, fmt.Errorf("%w: extended LEN %02X%02X LCS %02X", ErrChecksum, m[0], m[1], lcs)
	}
	n := int(m[0])<<8 | int(m[1])
	if n == 0 || n > maxFrameData {
		return 0, fmt.Errorf("%w: extended frame of %d bytes (max %d)", ErrFrame, n, maxFrameData)
	}
	return n, nil
}

// skipPostamble reads the postamble byte. Its value is not checked: the
// manual allows the PN532 to omit it when fRemovePrePostAmble is set, and
// libnfc ignores it too.
func skipPostamble(src byteSource) error {
	_, err := src.next()
	return err
}

// sliceSource reads a frame from a buffer (an I²C or SPI read).
type sliceSource struct {
	b []byte
}

func (s *sliceSource) next() (byte, error) {
	if len(s.b) == 0 {
		return 0, fmt.Errorf("%w: truncated", ErrFrame)
	}
	c := s.b[0]
	s.b = s.b[1:]
	return c, nil
}

// decodeFrame decodes the first frame in b (tests and the fuzz target).
func decodeFrame(b []byte) (frame, error) {
	return readFrame(&sliceSource{b: b})
}

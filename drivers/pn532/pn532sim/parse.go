package pn532sim

// The device side's own frame parser, written from UM0701 §6.2.1 rather
// than shared with the driver, so that a misreading of the manual in one
// does not hide in the other.

// eventKind is what the PN532 saw on its host interface.
type eventKind int

const (
	evFrame       eventKind = iota + 1 // information frame with a good checksum
	evACK                              // ACK from the host: abort
	evNACK                             // NACK: send the last response again
	evBadChecksum                      // LCS or DCS wrong: the PN532 ignores it
	evBadLength                        // impossible length: ignored
)

// event is one parsed unit of host input.
type event struct {
	Kind eventKind
	Data []byte // TFI + PD for evFrame
	Wake bool   // a 0x55 wake-up byte came before it (HSU, UM0701 §6.2.2)
}

// maxData is the PN532's largest TFI+PD (UM0701 §6.2.1.2: 264 + TFI).
const maxData = 265

// parse looks for one complete unit at the start of buf. It returns the
// event and how many bytes it used; used == 0 means more bytes are needed.
// Bytes before a start code are skipped and counted as used (an event of
// Kind 0, whose Wake tells whether a 0x55 was among them), so a stream of
// garbage never grows the buffer without bound.
func parse(buf []byte) (ev event, used int) {
	for i := 0; i+1 < len(buf); i++ {
		if buf[i] == 0x55 {
			ev.Wake = true
		}
		if buf[i] == 0x00 && buf[i+1] == 0xFF {
			if i > 0 {
				return ev, i // report the skipped bytes first
			}
			return parseBody(buf[2:])
		}
	}
	// No start code: skip everything except a last byte that may begin one.
	n := len(buf)
	if n > 0 && buf[n-1] == 0x00 {
		n--
	}
	if n > 0 && buf[n-1] == 0x55 {
		ev.Wake = true
	}
	return ev, n
}

// parseBody parses what follows 00 FF: LEN LCS … DCS 00. The used count
// it returns includes the start code.
func parseBody(b []byte) (event, int) {
	ev, n := parseLen(b)
	if n == 0 {
		return event{}, 0
	}
	return ev, n + 2
}

func parseLen(b []byte) (event, int) {
	if len(b) < 2 {
		return event{}, 0
	}
	l, lcs := b[0], b[1]
	switch {
	case l == 0x00 && lcs == 0xFF:
		return withPostamble(event{Kind: evACK}, b, 2)
	case l == 0xFF && lcs == 0x00:
		return withPostamble(event{Kind: evNACK}, b, 2)
	case l == 0xFF && lcs == 0xFF:
		return parseExtended(b)
	case byte(l+lcs) != 0:
		return event{Kind: evBadChecksum}, 2
	case l == 0:
		return event{Kind: evBadLength}, 2
	}
	return parseData(b, 2, int(l))
}

func parseExtended(b []byte) (event, int) {
	if len(b) < 5 {
		return event{}, 0
	}
	m, l, lcs := b[2], b[3], b[4]
	if byte(m+l+lcs) != 0 {
		return event{Kind: evBadChecksum}, 5
	}
	n := int(m)<<8 | int(l)
	if n == 0 || n > maxData {
		return event{Kind: evBadLength}, 5
	}
	return parseData(b, 5, n)
}

// parseData reads n data bytes at b[off:], the DCS and the postamble.
func parseData(b []byte, off, n int) (event, int) {
	if len(b) < off+n+1 {
		return event{}, 0
	}
	data := b[off : off+n]
	var sum byte
	for _, c := range data {
		sum += c
	}
	if byte(sum+b[off+n]) != 0 {
		return withPostamble(event{Kind: evBadChecksum}, b, off+n+1)
	}
	ev := event{Kind: evFrame, Data: append([]byte(nil), data...)}
	return withPostamble(ev, b, off+n+1)
}

// withPostamble consumes the postamble byte after n bytes when it is there
// (a 00); a host that omits it is tolerated.
func withPostamble(ev event, b []byte, n int) (event, int) {
	if len(b) <= n {
		return ev, 0
	}
	if b[n] == 0x00 {
		n++
	}
	return ev, n
}

// encode builds a PN532→host information frame around data (TFI + PD).
func encode(data []byte) []byte {
	n := len(data)
	var out []byte
	if n <= 255 {
		out = append(out, 0x00, 0x00, 0xFF, byte(n), byte(-n))
	} else {
		hi, lo := byte(n>>8), byte(n)
		out = append(out, 0x00, 0x00, 0xFF, 0xFF, 0xFF, hi, lo, -(hi + lo))
	}
	out = append(out, data...)
	var sum byte
	for _, c := range data {
		sum += c
	}
	return append(out, -sum, 0x00)
}

// Fixed frames (UM0701 §6.2.1.3-5).
var (
	ackFrame   = []byte{0x00, 0x00, 0xFF, 0x00, 0xFF, 0x00}
	nackFrame  = []byte{0x00, 0x00, 0xFF, 0xFF, 0x00, 0x00}
	errorFrame = []byte{0x00, 0x00, 0xFF, 0x01, 0xFF, 0x7F, 0x81, 0x00}
)

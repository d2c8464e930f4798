package emrtd

// BER-TLV (ISO/IEC 7816-4 §5.2, ISO/IEC 8825-1) as used by the LDS: tags
// of up to three bytes, definite lengths of up to three bytes. Every length
// is checked before slicing; nesting depth is bounded.

// TLV is one BER-TLV data object.
type TLV struct {
	Tag   uint32 // the tag bytes as a big-endian number (e.g. 0x5F1F, 0x7F61)
	Value []byte // aliases the input
}

// Constructed reports whether the tag's constructed bit is set.
func (t TLV) Constructed() bool {
	first := t.Tag
	for first > 0xFF {
		first >>= 8
	}
	return first&0x20 != 0
}

// Limits of the parser.
const (
	maxTagBytes = 3
	maxLenBytes = 3 // up to 16 MiB
	maxDepth    = 16
)

// ParseTLV reads one data object from b and returns it with the rest.
func ParseTLV(b []byte) (TLV, []byte, error) {
	tag, n, err := parseTag(b)
	if err != nil {
		return TLV{}, nil, err
	}
	l, m, err := parseLen(b[n:])
	if err != nil {
		return TLV{}, nil, err
	}
	start := n + m
	if l > len(b)-start {
		return TLV{}, nil, malformed("TLV %X: length %d exceeds the %d bytes left", tag, l, len(b)-start)
	}
	return TLV{Tag: tag, Value: b[start : start+l]}, b[start+l:], nil
}

func parseTag(b []byte) (uint32, int, error) {
	if len(b) == 0 {
		return 0, 0, malformed("TLV: empty")
	}
	tag := uint32(b[0])
	if b[0] == 0x00 || b[0] == 0xFF {
		return 0, 0, malformed("TLV: invalid tag byte %02X", b[0])
	}
	if b[0]&0x1F != 0x1F {
		return tag, 1, nil
	}
	for i := 1; ; i++ {
		if i >= maxTagBytes {
			return 0, 0, malformed("TLV: tag longer than %d bytes", maxTagBytes)
		}
		if i >= len(b) {
			return 0, 0, malformed("TLV: truncated tag")
		}
		tag = tag<<8 | uint32(b[i])
		if b[i]&0x80 == 0 {
			return tag, i + 1, nil
		}
	}
}

// parseLen decodes a definite length and returns it with its size.
func parseLen(b []byte) (int, int, error) {
	if len(b) == 0 {
		return 0, 0, malformed("TLV: truncated length")
	}
	if b[0] < 0x80 {
		return int(b[0]), 1, nil
	}
	n := int(b[0] & 0x7F)
	if n == 0 || n > maxLenBytes {
		return 0, 0, malformed("TLV: unsupported length form %02X", b[0])
	}
	if len(b) < 1+n {
		return 0, 0, malformed("TLV: truncated length")
	}
	l := 0
	for _, c := range b[1 : 1+n] {
		l = l<<8 | int(c)
	}
	return l, 1 + n, nil
}

// ParseTLVs reads a sequence of data objects that fills b exactly.
// Padding bytes 00 or FF between objects (ISO/IEC 7816-4 §5.2) are skipped.
func ParseTLVs(b []byte) ([]TLV, error) {
	var out []TLV
	for len(b) > 0 {
		if b[0] == 0x00 || b[0] == 0xFF {
			b = b[1:]
			continue
		}
		t, rest, err := ParseTLV(b)
		if err != nil {
			return nil, err
		}
		out = append(out, t)
		b = rest
	}
	return out, nil
}

// FindTLV follows a path of tags through nested constructed objects
// starting at b (a sequence of objects) and returns the first match.
func FindTLV(b []byte, path ...uint32) (TLV, bool) {
	if len(path) == 0 || len(path) > maxDepth {
		return TLV{}, false
	}
	objs, err := ParseTLVs(b)
	if err != nil {
		return TLV{}, false
	}
	for _, o := range objs {
		if o.Tag != path[0] {
			continue
		}
		if len(path) == 1 {
			return o, true
		}
		if o.Constructed() {
			if t, ok := FindTLV(o.Value, path[1:]...); ok {
				return t, true
			}
		}
	}
	return TLV{}, false
}

// TLVHeaderLen returns the total length (header + value) announced by the
// header at the start of b, for sizing a file read from its first bytes.
func TLVHeaderLen(b []byte) (total int, err error) {
	_, n, err := parseTag(b)
	if err != nil {
		return 0, err
	}
	l, m, err := parseLen(b[n:])
	if err != nil {
		return 0, err
	}
	return n + m + l, nil
}

// appendTLV encodes a data object with a DER length.
func appendTLV(out []byte, tag uint32, v []byte) []byte {
	switch {
	case tag > 0xFFFF:
		out = append(out, byte(tag>>16), byte(tag>>8), byte(tag))
	case tag > 0xFF:
		out = append(out, byte(tag>>8), byte(tag))
	default:
		out = append(out, byte(tag))
	}
	n := len(v)
	switch {
	case n < 0x80:
		out = append(out, byte(n))
	case n < 0x100:
		out = append(out, 0x81, byte(n))
	case n < 0x10000:
		out = append(out, 0x82, byte(n>>8), byte(n))
	default:
		out = append(out, 0x83, byte(n>>16), byte(n>>8), byte(n))
	}
	return append(out, v...)
}

// EncodeTLV encodes one data object (DER length), for building files and
// protocol messages.
func EncodeTLV(tag uint32, v []byte) []byte { return appendTLV(nil, tag, v) }

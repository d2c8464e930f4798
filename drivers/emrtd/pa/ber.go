package pa

import (
	"bytes"
	"fmt"
)

// BER and DER (ITU-T X.690). ICAO 9303-10 §4.6.2 and RFC 5652 §5 ask for a
// DER-encoded EF.SOD, but documents in circulation carry BER: a New Zealand
// passport's SOD, for one, wraps SignedData in indefinite-length
// constructed encodings (X.690 §8.1.3.6). normalizeBER turns such input
// into DER when that is unambiguous — the re-encoding changes no value,
// only how lengths and constructed strings are written — so the same
// strict encoding/asn1 parsing and the same signature checks apply after
// it. Nothing is guessed: a missing end-of-contents, an indefinite length
// on a primitive, or a constructed form of a string type other than OCTET
// STRING is an error.

// maxBERDepth bounds nesting (a SOD nests about 12 deep).
const maxBERDepth = 48

// maxBERTagBytes bounds a tag's encoding (tag numbers up to 2^21).
const maxBERTagBytes = 4

// berHeader is one decoded identifier and length.
type berHeader struct {
	tag         []byte // identifier octets as encoded
	constructed bool
	indefinite  bool
	length      int // content length; -1 when indefinite
	size        int // identifier + length octets
	minimal     bool
}

// readBERHeader decodes the identifier and length octets at the start of b
// (X.690 §8.1.2, §8.1.3).
func readBERHeader(b []byte) (berHeader, error) {
	var h berHeader
	if len(b) < 2 {
		return h, fmt.Errorf("truncated header")
	}
	n := 1
	if b[0]&0x1F == 0x1F {
		num := 0
		for {
			if n >= len(b) {
				return h, fmt.Errorf("truncated tag")
			}
			if n >= maxBERTagBytes {
				return h, fmt.Errorf("tag longer than %d bytes", maxBERTagBytes)
			}
			c := b[n]
			if n == 1 && c == 0x80 {
				return h, fmt.Errorf("tag number with a leading zero septet (X.690 §8.1.2.4.2)")
			}
			num = num<<7 | int(c&0x7F)
			n++
			if c&0x80 == 0 {
				break
			}
		}
		if num < 0x1F {
			return h, fmt.Errorf("tag number %d in the long form (X.690 §8.1.2.4)", num)
		}
	}
	h.tag, h.constructed = b[:n], b[0]&0x20 != 0
	if n >= len(b) {
		return h, fmt.Errorf("truncated length")
	}
	l := b[n]
	n++
	switch {
	case l < 0x80:
		h.length, h.minimal = int(l), true
	case l == 0x80:
		if !h.constructed {
			return h, fmt.Errorf("indefinite length on a primitive encoding (X.690 §8.1.3.2)")
		}
		h.indefinite, h.length = true, -1
	case l == 0xFF:
		return h, fmt.Errorf("reserved length octet FF (X.690 §8.1.3.5)")
	default:
		k := int(l & 0x7F)
		if k > 4 || n+k > len(b) {
			return h, fmt.Errorf("length of %d octets", k)
		}
		v := 0
		for _, c := range b[n : n+k] {
			v = v<<8 | int(c)
		}
		if v < 0 || v > MaxSignedDataSize {
			return h, fmt.Errorf("length %d too large", v)
		}
		h.length = v
		h.minimal = v >= 0x80 && b[n] != 0 // X.690 §10.1: fewest octets, short form below 128
		n += k
	}
	h.size = n
	if !h.indefinite && h.length > len(b)-n {
		return h, fmt.Errorf("length %d exceeds the %d bytes left", h.length, len(b)-n)
	}
	return h, nil
}

// berNotes records which BER forms a conversion met.
type berNotes struct {
	indefinite, longForm, constructedString bool
}

func (n berNotes) list() []string {
	var out []string
	if n.indefinite {
		out = append(out, "indefinite-length encoding (X.690 §8.1.3.6)")
	}
	if n.longForm {
		out = append(out, "non-minimal length octets (X.690 §10.1)")
	}
	if n.constructedString {
		out = append(out, "constructed OCTET STRING (X.690 §8.7.3)")
	}
	return out
}

// normalizeBER re-encodes the first BER element of b as DER and returns it,
// the bytes after it, and what BER forms it met (none for DER input, which
// comes back unchanged). Errors wrap ErrMalformed.
func normalizeBER(b []byte) (der, rest []byte, notes []string, err error) {
	if size, ok := derElement(b, 0); ok {
		return bytes.Clone(b[:size]), b[size:], nil, nil // the usual case: no re-encoding
	}
	var n berNotes
	der, used, err := n.element(b, 0)
	if err != nil {
		return nil, nil, nil, malformed("BER", err)
	}
	return der, b[used:], n.list(), nil
}

// derElement reports whether the element at the start of b already has
// DER's definite, shortest lengths and no constructed OCTET STRING, and
// its size; it allocates nothing.
func derElement(b []byte, depth int) (int, bool) {
	if depth > maxBERDepth {
		return 0, false
	}
	h, err := readBERHeader(b)
	if err != nil || h.indefinite || !h.minimal || (len(h.tag) == 1 && (h.tag[0] == 0 || h.tag[0] == 0x24)) {
		return 0, false
	}
	end := h.size + h.length
	if h.constructed {
		if checkConstructedAllowed(h.tag) != nil {
			return 0, false
		}
		for pos := h.size; pos < end; {
			n, ok := derElement(b[pos:end], depth+1)
			if !ok {
				return 0, false
			}
			pos += n
		}
	}
	return end, true
}

// element converts one element starting at b and returns it with the
// number of input bytes it used.
func (n *berNotes) element(b []byte, depth int) ([]byte, int, error) {
	if depth > maxBERDepth {
		return nil, 0, fmt.Errorf("nested deeper than %d", maxBERDepth)
	}
	h, err := readBERHeader(b)
	if err != nil {
		return nil, 0, err
	}
	if len(h.tag) == 1 && h.tag[0] == 0 {
		return nil, 0, fmt.Errorf("end-of-contents outside an indefinite-length encoding")
	}
	if !h.indefinite && !h.minimal {
		n.longForm = true
	}
	if !h.constructed {
		end := h.size + h.length
		return derTLV(h.tag, b[h.size:end]), end, nil
	}
	if err := checkConstructedAllowed(h.tag); err != nil {
		return nil, 0, err
	}
	var content []byte
	pos := h.size
	if h.indefinite {
		n.indefinite = true
		for {
			if len(b)-pos < 2 {
				return nil, 0, fmt.Errorf("indefinite length without end-of-contents (X.690 §8.1.5)")
			}
			if b[pos] == 0 && b[pos+1] == 0 {
				pos += 2
				break
			}
			child, m, err := n.element(b[pos:], depth+1)
			if err != nil {
				return nil, 0, err
			}
			content = append(content, child...)
			pos += m
		}
	} else {
		end := pos + h.length
		for pos < end {
			child, m, err := n.element(b[pos:end], depth+1)
			if err != nil {
				return nil, 0, err
			}
			content = append(content, child...)
			pos += m
		}
	}
	if len(h.tag) == 1 && h.tag[0] == 0x24 { // constructed OCTET STRING
		n.constructedString = true
		flat, err := flattenOctets(content)
		if err != nil {
			return nil, 0, err
		}
		return derTLV([]byte{0x04}, flat), pos, nil
	}
	return derTLV(h.tag, content), pos, nil
}

// checkConstructedAllowed rejects constructed forms of universal types that
// DER encodes as primitives, except OCTET STRING (flattened): a
// constructed BIT STRING or character string has no single obvious DER
// re-encoding here, so it stays an error rather than a guess.
func checkConstructedAllowed(tag []byte) error {
	if len(tag) != 1 || tag[0]&0xC0 != 0 {
		return nil // context, application or private class: structure unknown, kept constructed
	}
	switch num := tag[0] & 0x1F; num {
	case 0x10, 0x11, 0x04: // SEQUENCE, SET, OCTET STRING
		return nil
	default:
		return fmt.Errorf("constructed encoding of universal type %d", num)
	}
}

// flattenOctets concatenates the values of a constructed OCTET STRING's
// segments (already DER, so each is a primitive 04).
func flattenOctets(content []byte) ([]byte, error) {
	var out []byte
	for len(content) > 0 {
		h, err := readBERHeader(content)
		if err != nil {
			return nil, err
		}
		if len(h.tag) != 1 || h.tag[0] != 0x04 {
			return nil, fmt.Errorf("constructed OCTET STRING segment with tag %X", h.tag)
		}
		out = append(out, content[h.size:h.size+h.length]...)
		content = content[h.size+h.length:]
	}
	return out, nil
}

// derTLV encodes tag || DER length || value.
func derTLV(tag, value []byte) []byte {
	out := make([]byte, 0, len(tag)+5+len(value))
	out = append(out, tag...)
	switch l := len(value); {
	case l < 0x80:
		out = append(out, byte(l))
	case l < 0x100:
		out = append(out, 0x81, byte(l))
	case l < 0x10000:
		out = append(out, 0x82, byte(l>>8), byte(l))
	case l < 0x1000000:
		out = append(out, 0x83, byte(l>>16), byte(l>>8), byte(l))
	default:
		out = append(out, 0x84, byte(l>>24), byte(l>>16), byte(l>>8), byte(l))
	}
	return append(out, value...)
}

// derViolation explains the first place where b breaks DER (X.690 §10,
// §11), looking inside SEQUENCE, SET, context-tagged structures and OCTET
// STRINGs that hold encodings (certificate extensions). It returns "" when
// it finds nothing; it only explains, it decides nothing.
func derViolation(b []byte) string {
	if _, rest, _, err := normalizeBER(b); err != nil || len(rest) != 0 {
		return "" // not even BER: malformed, not a DER matter
	}
	msg, _ := derCheck(b, 0, 0)
	return msg
}

func derCheck(b []byte, base, depth int) (string, bool) {
	if depth > maxBERDepth {
		return "", false
	}
	for off := 0; off < len(b); {
		h, err := readBERHeader(b[off:])
		if err != nil {
			return "", false // e.g. an OCTET STRING that only looked like an encoding
		}
		at := base + off
		switch {
		case h.indefinite:
			return fmt.Sprintf("offset %d: indefinite length; DER requires definite lengths (X.690 §10.1)", at), true
		case !h.minimal:
			return fmt.Sprintf("offset %d: length not in its shortest form (X.690 §10.1)", at), true
		}
		v := b[off+h.size : off+h.size+h.length]
		if msg, found := derCheckValue(h, v, base+off+h.size, at, depth); found {
			return msg, true
		}
		off += h.size + h.length
	}
	return "", false
}

func derCheckValue(h berHeader, v []byte, vbase, at, depth int) (string, bool) {
	if h.constructed {
		return derCheck(v, vbase, depth+1)
	}
	if len(h.tag) != 1 {
		return "", false
	}
	switch h.tag[0] {
	case 0x01: // BOOLEAN
		if len(v) == 1 && v[0] != 0x00 && v[0] != 0xFF {
			return fmt.Sprintf("offset %d: BOOLEAN TRUE encoded as %02X; DER requires FF (X.690 §11.1)", at, v[0]), true
		}
	case 0x02: // INTEGER
		if len(v) > 1 && ((v[0] == 0 && v[1]&0x80 == 0) || (v[0] == 0xFF && v[1]&0x80 != 0)) {
			return fmt.Sprintf("offset %d: INTEGER with a redundant leading octet (X.690 §8.3.2)", at), true
		}
	case 0x04: // OCTET STRING: certificate extension values hold DER
		if len(v) >= 2 && (v[0] == 0x30 || v[0] == 0x31) {
			h2, err := readBERHeader(v)
			if err == nil && (h2.indefinite || h2.size+h2.length == len(v)) {
				return derCheck(v, vbase, depth+1)
			}
		}
	}
	return "", false
}

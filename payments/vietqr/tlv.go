package vietqr

import (
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// Sentinel errors callers branch on.
var (
	// ErrMalformed: the payload is not a well-formed EMVCo MPM string.
	ErrMalformed = errors.New("vietqr: malformed payload")
	// ErrCRC: the payload is well formed but its tag 63 does not match.
	ErrCRC = errors.New("vietqr: CRC mismatch")
	// ErrNotVietQR: a well-formed EMVCo payload without a NAPAS tag 38.
	ErrNotVietQR = errors.New("vietqr: not a VietQR payload")
	// ErrInvalid: Encode was given a value NAPAS does not allow.
	ErrInvalid = errors.New("vietqr: invalid payment")
)

// maxPayload bounds the input: an EMVCo MPM payload is at most 512 bytes
// (QRCPS-MPM §4.1); twice that leaves room for non-conforming banks.
const maxPayload = 1024

// SyntaxError is a malformed payload with the byte offset of the problem.
// It unwraps to ErrMalformed (or ErrNotVietQR for a missing NAPAS template).
type SyntaxError struct {
	Offset int    // byte offset from the start of the payload
	Tag    string // the data object involved, "38.01.00" style; may be empty
	Msg    string
	kind   error
}

// Error implements error: "vietqr: offset N: tag T: message".
func (e *SyntaxError) Error() string {
	if e.Tag == "" {
		return fmt.Sprintf("vietqr: offset %d: %s", e.Offset, e.Msg)
	}
	return fmt.Sprintf("vietqr: offset %d: tag %s: %s", e.Offset, e.Tag, e.Msg)
}

// Unwrap returns the sentinel the error belongs to.
func (e *SyntaxError) Unwrap() error {
	if e.kind == nil {
		return ErrMalformed
	}
	return e.kind
}

func synErr(off int, tag, format string, args ...any) error {
	return &SyntaxError{Offset: off, Tag: tag, Msg: fmt.Sprintf(format, args...)}
}

// TLV is one EMVCo data object: a two-digit ID and its value.
type TLV struct {
	ID    string
	Value string
}

// field is a parsed data object with the offset of its ID in the payload.
type field struct {
	TLV
	off int // offset of the ID
	val int // offset of the value
}

// parseTLVs splits s (which starts at offset base in the payload) into data
// objects, checking every ID and length before slicing.
func parseTLVs(s string, base int, parent string) ([]field, error) {
	var out []field
	seen := map[string]bool{}
	for i := 0; i < len(s); {
		if len(s)-i < 4 {
			return nil, synErr(base+i, parent, "truncated data object header (%d bytes left, need 4)", len(s)-i)
		}
		id, ln := s[i:i+2], s[i+2:i+4]
		tag := joinTag(parent, id)
		if !isDigits(id) {
			return nil, synErr(base+i, parent, "ID %q is not two digits", id)
		}
		if !isDigits(ln) {
			return nil, synErr(base+i+2, tag, "length %q is not two digits", ln)
		}
		n, _ := strconv.Atoi(ln)
		if n == 0 {
			return nil, synErr(base+i+2, tag, "zero length")
		}
		if len(s)-i-4 < n {
			return nil, synErr(base+i+2, tag, "length %d runs past the end (%d bytes left)", n, len(s)-i-4)
		}
		if seen[id] {
			return nil, synErr(base+i, tag, "duplicate data object")
		}
		seen[id] = true
		out = append(out, field{TLV: TLV{ID: id, Value: s[i+4 : i+4+n]}, off: base + i, val: base + i + 4})
		i += 4 + n
	}
	return out, nil
}

func joinTag(parent, id string) string {
	if parent == "" {
		return id
	}
	return parent + "." + id
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func isHex(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
			return false
		}
	}
	return true
}

// writeTLVs appends the objects in ascending ID order, each as ID, two-digit
// length, value. Values must already be checked to be 1..99 bytes long.
func writeTLVs(b *strings.Builder, objs []TLV) {
	sorted := append([]TLV(nil), objs...)
	sort.SliceStable(sorted, func(i, j int) bool { return sorted[i].ID < sorted[j].ID })
	for _, o := range sorted {
		fmt.Fprintf(b, "%s%02d%s", o.ID, len(o.Value), o.Value)
	}
}

func tlvString(objs []TLV) string {
	var b strings.Builder
	writeTLVs(&b, objs)
	return b.String()
}

package escpos

import (
	"fmt"
)

// Paper is the roll paper sensor state (DLE EOT 4).
type Paper string

// Paper states, as printed in JSON.
const (
	PaperOK      Paper = "ok"
	PaperNearEnd Paper = "near_end"
	PaperEnd     Paper = "end"
)

// Status is the printer state gathered from DLE EOT 1..4.
type Status struct {
	Online          bool  `json:"online"`
	Paper           Paper `json:"paper"`
	CoverOpen       bool  `json:"cover_open"`
	CutterError     bool  `json:"cutter_error,omitempty"`
	MechanicalError bool  `json:"mechanical_error,omitempty"`
	Unrecoverable   bool  `json:"unrecoverable_error,omitempty"`
}

// Err maps the status to the sentinel error a print job would return, or nil
// when the printer can print (paper near end is a warning, not an error).
func (s Status) Err() error {
	switch {
	case s.Paper == PaperEnd:
		return ErrPaperEnd
	case s.CoverOpen:
		return ErrCoverOpen
	case s.CutterError:
		return ErrCutter
	case s.MechanicalError || s.Unrecoverable:
		return ErrMechanical
	case !s.Online:
		return ErrOffline
	}
	return nil
}

// Status byte bits (ESC/POS Command Reference, DLE EOT).
const (
	statusShapeMask = 0x93 // bits 0, 1, 4, 7 are fixed: 0xx1xx10
	statusShape     = 0x12

	st1Offline       = 0x08 // n=1 bit 3
	st2CoverOpen     = 0x04 // n=2 bit 2
	st2PaperEndStop  = 0x20 // n=2 bit 5
	st2Error         = 0x40 // n=2 bit 6
	st3Mechanical    = 0x04 // n=3 bit 2
	st3Cutter        = 0x08 // n=3 bit 3
	st3Unrecoverable = 0x20 // n=3 bit 5
	st4NearEnd       = 0x0C // n=4 bits 2, 3
	st4End           = 0x60 // n=4 bits 5, 6
)

// ValidStatusByte reports whether b has the fixed DLE EOT shape 0xx1xx10.
func ValidStatusByte(b byte) bool { return b&statusShapeMask == statusShape }

// DecodeStatus builds a Status from the four DLE EOT answers (n = 1..4).
func DecodeStatus(b [4]byte) (Status, error) {
	for i, v := range b {
		if !ValidStatusByte(v) {
			return Status{}, fmt.Errorf("%w: DLE EOT %d answered %#02x", ErrBadStatus, i+1, v)
		}
	}
	s := Status{
		Online:          b[0]&st1Offline == 0,
		CoverOpen:       b[1]&st2CoverOpen != 0,
		CutterError:     b[2]&st3Cutter != 0,
		MechanicalError: b[2]&st3Mechanical != 0,
		Unrecoverable:   b[2]&st3Unrecoverable != 0,
		Paper:           PaperOK,
	}
	switch {
	case b[3]&st4End != 0 || b[1]&st2PaperEndStop != 0:
		s.Paper = PaperEnd
	case b[3]&st4NearEnd != 0:
		s.Paper = PaperNearEnd
	}
	return s, nil
}

// EncodeStatus is DecodeStatus's inverse: the bytes a printer in state s
// answers to DLE EOT 1..4 (used by the simulator).
func EncodeStatus(s Status) [4]byte {
	b := [4]byte{statusShape, statusShape, statusShape, statusShape}
	if !s.Online {
		b[0] |= st1Offline
	}
	if s.CoverOpen {
		b[1] |= st2CoverOpen
	}
	if s.Paper == PaperEnd {
		b[1] |= st2PaperEndStop
		b[3] |= st4End // 0x72, as measured
	}
	if s.Paper == PaperNearEnd {
		b[3] |= st4NearEnd
	}
	if s.CutterError {
		b[2] |= st3Cutter
		b[1] |= st2Error
	}
	if s.MechanicalError {
		b[2] |= st3Mechanical
		b[1] |= st2Error
	}
	if s.Unrecoverable {
		b[2] |= st3Unrecoverable
		b[1] |= st2Error
	}
	return b
}

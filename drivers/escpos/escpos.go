// Package escpos drives Epson ESC/POS thermal receipt printers over a serial
// line: a command builder (ESC @, ESC a, ESC E, GS !, ESC 3, ESC d, GS V,
// GS v 0, GS ( k, GS k, ESC B), real-time status (DLE EOT n = 1..4), and a
// print job that checks status before and after and returns typed errors.
//
// Vietnamese text is rendered by default to a 1-bit raster at the printer's
// dot width (384 for 58 mm paper, 576 for 80 mm) with the bundled Noto Sans
// font (SIL OFL 1.1, see fonts/), so any printer shows correct diacritics. An
// optional text mode sends Windows-1258 (CP1258) with a configurable ESC t
// table number, encoding each precomposed letter as base letter plus
// combining tone mark; a line holding a rune CP1258 cannot carry falls back to
// raster, so the output is never mojibake.
//
// Callers describe what to print as a Document (text, QR, barcode, image,
// feed, cut blocks); the Printer turns it into bytes for its width and mode.
//
// Specification: Epson "ESC/POS Application Programming Guide" and the ESC/POS
// Command Reference (TM-T88/TM-T20 series). It must not import anything of the
// project above drivers/serialport (no flows, no queue, no payments, no Fyne).
package escpos

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Errors callers branch on. A print job wraps one of these.
var (
	// ErrPaperEnd: the roll is out (DLE EOT 4 bits 5,6 or DLE EOT 2 bit 5).
	ErrPaperEnd = errors.New("escpos: paper end")
	// ErrCoverOpen: the printer cover is open (DLE EOT 2 bit 2).
	ErrCoverOpen = errors.New("escpos: cover open")
	// ErrOffline: the printer reports itself offline (DLE EOT 1 bit 3) for
	// another reason, or does not answer a status query at all.
	ErrOffline = errors.New("escpos: printer offline")
	// ErrCutter: autocutter error (DLE EOT 3 bit 3).
	ErrCutter = errors.New("escpos: cutter error")
	// ErrMechanical: mechanical or unrecoverable error (DLE EOT 3 bits 2, 5).
	ErrMechanical = errors.New("escpos: mechanical or unrecoverable error")
	// ErrBadStatus: a status byte did not have the fixed shape 0xx1xx10.
	ErrBadStatus = errors.New("escpos: malformed status byte")
	// ErrBadDevice: a device string could not be parsed.
	ErrBadDevice = errors.New("escpos: bad device string")
	// ErrTooLarge: a QR code, barcode or image does not fit the command or paper.
	ErrTooLarge = errors.New("escpos: content too large")
)

// Dot widths of common paper rolls at 203 dpi (8 dots/mm).
const (
	Width58mm = 384
	Width80mm = 576
)

// DefaultBaud is used when a device string names no baud rate.
const DefaultBaud = 19200

// Device names a printer on a serial line: "escpos:/dev/ttyUSB0@19200".
type Device struct {
	Path string
	Baud int
}

// ParseDevice parses "escpos:PATH[@BAUD]"; the "escpos:" prefix is optional.
func ParseDevice(s string) (Device, error) {
	rest := strings.TrimPrefix(s, "escpos:")
	if rest == "" {
		return Device{}, fmt.Errorf("%w: %q: no path", ErrBadDevice, s)
	}
	d := Device{Path: rest, Baud: DefaultBaud}
	if i := strings.LastIndexByte(rest, '@'); i >= 0 {
		b, err := strconv.Atoi(rest[i+1:])
		if err != nil || b < 300 || b > 4_000_000 {
			return Device{}, fmt.Errorf("%w: %q: baud %q", ErrBadDevice, s, rest[i+1:])
		}
		d.Path, d.Baud = rest[:i], b
	}
	if !strings.HasPrefix(d.Path, "/") {
		return Device{}, fmt.Errorf("%w: %q: path must be absolute", ErrBadDevice, s)
	}
	return d, nil
}

// String formats the device as ParseDevice reads it.
func (d Device) String() string { return fmt.Sprintf("escpos:%s@%d", d.Path, d.Baud) }

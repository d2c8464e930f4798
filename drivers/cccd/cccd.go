// Package cccd owns the Vietnamese citizen identity card (Căn cước công dân,
// CCCD, and the 2024 Căn cước) as data: the printed QR code, the TD1
// machine-readable zone (ICAO Doc 9303 part 5), the access keys a reader
// derives from them (PACE CAN, BAC document number / birth / expiry
// candidates, ICAO Doc 9303 part 11), and the card's proprietary data group
// DG13 (tag 6D, fields by number, see docs design §4).
//
// It does not talk to a card: drivers/emrtd reads the chip and hands DG1 and
// DG13 here. It imports only the standard library; in particular it must NOT
// import drivers/emrtd, any transport, or anything under firmware/.
//
// Every parser takes hostile input: lengths are bounded, every length is
// checked before slicing, and a malformed input yields an error wrapping one
// of the sentinel errors below, never a panic. Personal data never reaches a
// log: Citizen and QRData implement slog.LogValuer with everything redacted.
package cccd

import (
	"errors"
	"log/slog"
	"time"
)

// Errors callers branch on.
var (
	// ErrUnsupportedQR: the QR payload is not the 2021–2024 CCCD format (for
	// example a 2024 Căn cước QR or a VNeID code).
	ErrUnsupportedQR = errors.New("cccd: unsupported QR format")
	// ErrBadQR: the payload looks like a CCCD QR but a field is invalid.
	ErrBadQR = errors.New("cccd: invalid QR field")
	// ErrBadMRZ: the MRZ text is not a well-formed TD1 zone.
	ErrBadMRZ = errors.New("cccd: malformed MRZ")
	// ErrCheckDigit: an MRZ check digit does not match its field.
	ErrCheckDigit = errors.New("cccd: MRZ check digit mismatch")
	// ErrBadDG13: DG13 is not the structure of design §4.
	ErrBadDG13 = errors.New("cccd: malformed DG13")
	// ErrBadDate: a date could not be interpreted.
	ErrBadDate = errors.New("cccd: invalid date")
	// ErrBadID: an ID number is not 12 digits.
	ErrBadID = errors.New("cccd: invalid ID number")
)

// Citizen is the holder's data as the chip's DG13 (or the QR) gives it.
// Dates are ISO 8601 (YYYY-MM-DD) when they parsed, otherwise the card's
// text unchanged. Fields the card omits are empty.
type Citizen struct {
	ID          string // 12-digit personal identification number (số định danh)
	OldID       string // previous 9-digit CMND number, or a serial (fields 15/16)
	Name        string // full name (họ và tên), UTF-8
	DOB         string // date of birth
	Sex         string // "Nam" / "Nữ" as printed
	Nationality string // quốc tịch
	Ethnicity   string // dân tộc
	Religion    string // tôn giáo
	Hometown    string // quê quán
	Residence   string // nơi thường trú
	Marks       string // đặc điểm nhận dạng
	IssueDate   string // ngày cấp
	Expiry      string // có giá trị đến; "Không thời hạn" kept as printed
	Father      string
	Mother      string
	Spouse      string
	// Unknown holds DG13 fields this package does not interpret, by field
	// number, as the DER of their value(s).
	Unknown map[int][]byte
}

// LogValue implements slog.LogValuer: a Citizen logs as which fields are
// present, never their contents.
func (c Citizen) LogValue() slog.Value {
	return slog.StringValue(c.Redacted())
}

// Redacted returns a description safe for logs: only whether the ID and
// name are present and how many unknown fields there were.
func (c Citizen) Redacted() string {
	s := "Citizen{ID:" + presence(c.ID) + " Name:" + presence(c.Name) + " DOB:" + presence(c.DOB)
	if len(c.Unknown) > 0 {
		s += " +unknown fields"
	}
	return s + "}"
}

func presence(s string) string {
	if s == "" {
		return "absent"
	}
	return "[redacted]"
}

// isoDate formats t as YYYY-MM-DD.
func isoDate(t time.Time) string { return t.Format(time.DateOnly) }

// date returns the civil date y-m-d at UTC midnight, and whether it exists
// (time.Date normalises 31/02 into March; we refuse it).
func date(y, m, d int) (time.Time, bool) {
	t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
	return t, t.Year() == y && int(t.Month()) == m && t.Day() == d
}

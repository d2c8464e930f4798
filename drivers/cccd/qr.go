package cccd

import (
	"fmt"
	"log/slog"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// MaxQRLen bounds a QR payload in bytes: a CCCD QR with the longest
// Vietnamese address is well under 400 bytes; a QR code holds at most 2953.
const MaxQRLen = 2048

// qrFields is the number of fields of the 2021–2024 CCCD QR.
const qrFields = 7

// QRData is the content of the QR printed on the 2021–2024 CCCD:
//
//	ID12|oldID9|Full name|DDMMYYYY|Nam/Nữ|address|DDMMYYYY(issue)
type QRData struct {
	ID        string    // 12 digits
	OldID     string    // 9-digit CMND (or 12 digits), may be empty
	Name      string    // whitespace collapsed
	DOB       time.Time // UTC midnight
	Sex       string    // "Nam" or "Nữ"
	Address   string    // nơi thường trú, whitespace collapsed
	IssueDate time.Time // UTC midnight
	// Extra counts trailing fields beyond the seventh (tolerated, ignored).
	Extra int
}

// LogValue implements slog.LogValuer; nothing personal is logged.
func (q QRData) LogValue() slog.Value { return slog.StringValue(q.Redacted()) }

// Redacted returns a log-safe description of q.
func (q QRData) Redacted() string {
	return fmt.Sprintf("QRData{ID:%s OldID:%s Name:%s extra:%d}", presence(q.ID), presence(q.OldID), presence(q.Name), q.Extra)
}

// Citizen converts the QR data to a Citizen (DG13's shape).
func (q QRData) Citizen() Citizen {
	c := Citizen{ID: q.ID, OldID: q.OldID, Name: q.Name, Sex: q.Sex, Residence: q.Address}
	if !q.DOB.IsZero() {
		c.DOB = isoDate(q.DOB)
	}
	if !q.IssueDate.IsZero() {
		c.IssueDate = isoDate(q.IssueDate)
	}
	return c
}

// ParseQR parses a CCCD QR payload. Tolerated: surrounding whitespace and a
// byte-order mark, a label before a field ("Số CCCD: 0790…"), whitespace
// around fields, extra trailing fields, an empty old ID. Payloads of another
// shape (2024 Căn cước, VNeID, a URL) fail with ErrUnsupportedQR; a CCCD-shaped
// payload with an invalid field fails with ErrBadQR.
func ParseQR(payload string) (QRData, error) {
	if len(payload) > MaxQRLen {
		return QRData{}, fmt.Errorf("%w: %d bytes (max %d)", ErrUnsupportedQR, len(payload), MaxQRLen)
	}
	if !utf8.ValidString(payload) {
		return QRData{}, fmt.Errorf("%w: not UTF-8", ErrUnsupportedQR)
	}
	payload = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(payload), "\uFEFF"))
	f := strings.Split(payload, "|")
	if len(f) < qrFields {
		return QRData{}, fmt.Errorf("%w: %d fields (want %d separated by |)", ErrUnsupportedQR, len(f), qrFields)
	}
	for i := range f {
		f[i] = collapseSpace(f[i])
	}
	id := unlabel(f[0])
	if !isDigits(id, 12) {
		return QRData{}, fmt.Errorf("%w: first field is not a 12-digit ID", ErrUnsupportedQR)
	}
	q := QRData{ID: id, Name: unlabelName(f[2]), Address: f[5], Extra: len(f) - qrFields}
	if n := len(f) - qrFields; n > 0 && strings.Join(f[qrFields:], "") == "" {
		q.Extra = 0 // a trailing "|" is not a field
	}
	var err error
	if q.OldID, err = parseOldID(unlabel(f[1])); err != nil {
		return QRData{}, err
	}
	if q.Name == "" {
		return QRData{}, fmt.Errorf("%w: empty name", ErrBadQR)
	}
	if q.DOB, err = parseDMY(unlabel(f[3])); err != nil {
		return QRData{}, fmt.Errorf("%w: date of birth: %w", ErrBadQR, err)
	}
	if q.Sex, err = parseSex(unlabel(f[4])); err != nil {
		return QRData{}, err
	}
	if q.IssueDate, err = parseDMY(unlabel(f[6])); err != nil {
		return QRData{}, fmt.Errorf("%w: issue date: %w", ErrBadQR, err)
	}
	if q.IssueDate.Before(q.DOB) {
		return QRData{}, fmt.Errorf("%w: issue date before date of birth", ErrBadQR)
	}
	return q, nil
}

func parseOldID(s string) (string, error) {
	switch {
	case s == "", isDigits(s, 9), isDigits(s, 12):
		return s, nil
	}
	return "", fmt.Errorf("%w: old ID is not 9 or 12 digits", ErrBadQR)
}

// parseSex accepts Nam/Nữ in any case, NFC or NFD, and the unaccented "Nu".
func parseSex(s string) (string, error) {
	switch strings.ToLower(s) {
	case "nam", "male", "m":
		return "Nam", nil
	case "nữ", "nu\u031b\u0303", "nư\u0303", "nu", "female", "f":
		return "Nữ", nil
	}
	return "", fmt.Errorf("%w: sex is not Nam/Nữ", ErrBadQR)
}

// parseDMY parses DDMMYYYY (or DD/MM/YYYY, DD-MM-YYYY, DD.MM.YYYY).
func parseDMY(s string) (time.Time, error) {
	if len(s) == 10 && (s[2] == '/' || s[2] == '-' || s[2] == '.') && s[5] == s[2] {
		s = s[0:2] + s[3:5] + s[6:10]
	}
	if !isDigits(s, 8) {
		return time.Time{}, fmt.Errorf("%w: want DDMMYYYY", ErrBadDate)
	}
	d, m, y := atoi(s[0:2]), atoi(s[2:4]), atoi(s[4:8])
	t, ok := date(y, m, d)
	if !ok || y < 1880 {
		return time.Time{}, fmt.Errorf("%w: no such day", ErrBadDate)
	}
	return t, nil
}

// unlabel strips a "label:" prefix from a field whose value never contains
// a colon (numbers, dates, sex).
func unlabel(s string) string {
	if i := strings.LastIndexByte(s, ':'); i >= 0 {
		return strings.TrimSpace(s[i+1:])
	}
	return s
}

// unlabelName strips a known name label ("Họ và tên:", "Name:").
func unlabelName(s string) string {
	i := strings.IndexByte(s, ':')
	if i < 0 {
		return s
	}
	switch strings.ToLower(strings.TrimSpace(s[:i])) {
	case "họ và tên", "ho va ten", "họ tên", "name", "full name", "tên":
		return strings.TrimSpace(s[i+1:])
	}
	return s
}

// collapseSpace trims s and folds runs of white space into one space.
func collapseSpace(s string) string {
	return strings.Join(strings.FieldsFunc(s, unicode.IsSpace), " ")
}

func isDigits(s string, n int) bool {
	if len(s) != n {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// atoi converts a short all-digit string (checked by the caller).
func atoi(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		n = n*10 + int(s[i]-'0')
	}
	return n
}

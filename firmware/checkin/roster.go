package checkin

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// Roster is the list an attendance point checks candidates against: an
// exam session's candidates or a class's students, as the organiser
// exports it. The file is CSV (UTF-8, a BOM allowed) with a header row
// naming at least so_dinh_danh (the 12-digit ID number) and so_bao_danh
// (the candidate number), and optionally ho_ten and phong (room); column
// order is free, other columns are ignored.
type Roster struct {
	Session string // the session's id ("SH-2026-11-22-S1")
	byID    map[string]Candidate
}

// Candidate is one entry of a roster (personal data: shown to the staff,
// sealed in records, never logged).
type Candidate struct {
	IDNumber string
	Number   string // số báo danh
	Name     string
	Room     string
}

// ErrRoster is returned for a roster file that cannot be used.
var ErrRoster = errors.New("checkin: roster unusable")

// maxRoster bounds a roster.
const maxRoster = 50_000

// ParseRoster reads a roster for session.
func ParseRoster(session string, r io.Reader) (*Roster, error) {
	cr := csv.NewReader(io.LimitReader(r, 16<<20))
	cr.FieldsPerRecord = -1
	head, err := cr.Read()
	if err != nil {
		return nil, fmt.Errorf("%w: header: %v", ErrRoster, err)
	}
	col := map[string]int{}
	for i, h := range head {
		h = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\uFEFF")))
		col[h] = i
	}
	idc, ok1 := col["so_dinh_danh"]
	numc, ok2 := col["so_bao_danh"]
	if !ok1 || !ok2 {
		return nil, fmt.Errorf("%w: the header needs so_dinh_danh and so_bao_danh", ErrRoster)
	}
	get := func(rec []string, name string) string {
		if i, ok := col[name]; ok && i < len(rec) {
			return strings.TrimSpace(rec[i])
		}
		return ""
	}
	ro := &Roster{Session: session, byID: map[string]Candidate{}}
	for line := 2; ; line++ {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%w: line %d: %v", ErrRoster, line, err)
		}
		if idc >= len(rec) || numc >= len(rec) {
			return nil, fmt.Errorf("%w: line %d: missing columns", ErrRoster, line)
		}
		c := Candidate{IDNumber: strings.TrimSpace(rec[idc]), Number: strings.TrimSpace(rec[numc]), Name: get(rec, "ho_ten"), Room: get(rec, "phong")}
		if !validID(c.IDNumber) || c.Number == "" || len(c.Number) > 32 || len(c.Name) > 128 || len(c.Room) > 32 || !utf8.ValidString(c.Name+c.Room) {
			return nil, fmt.Errorf("%w: line %d: a 12-digit ID number and a candidate number are required", ErrRoster, line)
		}
		if _, dup := ro.byID[c.IDNumber]; dup {
			return nil, fmt.Errorf("%w: line %d: the same ID number twice", ErrRoster, line)
		}
		if len(ro.byID) == maxRoster {
			return nil, fmt.Errorf("%w: more than %d entries", ErrRoster, maxRoster)
		}
		ro.byID[c.IDNumber] = c
	}
	return ro, nil
}

// Len is the number of candidates.
func (r *Roster) Len() int { return len(r.byID) }

// Lookup finds the candidate with id.
func (r *Roster) Lookup(id string) (Candidate, bool) {
	c, ok := r.byID[id]
	return c, ok
}

func validID(s string) bool {
	if len(s) != 12 {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// Package tariff computes prices in integer Vietnamese đồng (VND) for the
// three device profiles: bus fares (flat fare per route, age concessions,
// monthly passes), parking (per-visit day/night/day-and-night prices by
// vehicle type, car prices per block of hours, grace period, lost-ticket
// fee, multi-day stays), hospital bills (fee lines from the HIS passed
// through and totalled) and ticket concessions (ticket.go: an operator's
// categories — by age from the card's date of birth, or declared — off a
// coach, train or pass fare, the cheapest alone).
//
// All wall-clock rules use Asia/Ho_Chi_Minh (UTC+07:00, no daylight saving
// since 1975). Amounts are int64 đồng; there is no minor unit and no float.
//
// This package imports only the standard library: it knows nothing of QR
// codes, sessions, devices or the store.
package tariff

import (
	"errors"
	"fmt"
	"strconv"
	"time"
)

// VND is an amount in Vietnamese đồng.
type VND int64

// String formats v the Vietnamese way: "12.000 ₫".
func (v VND) String() string {
	s := strconv.FormatInt(int64(v), 10)
	neg := v < 0
	if neg {
		s = s[1:]
	}
	var out []byte
	for i := range len(s) {
		if i > 0 && (len(s)-i)%3 == 0 {
			out = append(out, '.')
		}
		out = append(out, s[i])
	}
	if neg {
		return "-" + string(out) + " ₫"
	}
	return string(out) + " ₫"
}

// Sentinel errors callers branch on.
var (
	ErrUnknownRoute   = errors.New("tariff: unknown route")
	ErrUnknownVehicle = errors.New("tariff: no rate for vehicle type")
	ErrBadInterval    = errors.New("tariff: exit before entry")
	ErrBadFeeLine     = errors.New("tariff: inconsistent fee line")
	ErrConfig         = errors.New("tariff: invalid tariff")
)

// Location returns Asia/Ho_Chi_Minh. Vietnam has used UTC+07:00 without
// daylight saving since 1975, so a fixed zone is exact for every date the
// firmware will see and needs no tzdata on the device.
func Location() *time.Location { return time.FixedZone("Asia/Ho_Chi_Minh", 7*3600) }

// Line is one line of a charge, for the screen and the receipt.
type Line struct {
	Code   string // stable machine code, e.g. "parking.day", "bus.concession"
	Text   string // Vietnamese text for the receipt
	Amount VND
}

// Charge is a computed price with its lines; Total is their sum.
type Charge struct {
	Lines []Line
	Total VND
}

func (c *Charge) add(code, text string, amount VND) {
	c.Lines = append(c.Lines, Line{Code: code, Text: text, Amount: amount})
	c.Total += amount
}

// ageOn returns the age in completed years on day at (both read in loc).
// Someone born on 29 February turns a year older on 1 March in common years.
func ageOn(birth, at time.Time, loc *time.Location) int {
	b, a := birth.In(loc), at.In(loc)
	age := a.Year() - b.Year()
	if a.Month() < b.Month() || a.Month() == b.Month() && a.Day() < b.Day() {
		age--
	}
	return age
}

func fmtErr(sentinel error, format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{sentinel}, args...)...)
}

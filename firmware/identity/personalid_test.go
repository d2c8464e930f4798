package identity_test

import (
	"errors"
	"testing"
	"time"

	"github.com/kiosk06/kiosk/firmware/identity"
)

func TestParsePersonalID(t *testing.T) {
	loc := time.FixedZone("ICT", 7*3600)
	now := time.Date(2026, 11, 22, 8, 0, 0, 0, loc)
	for _, tc := range []struct {
		id, dob string
		err     error
		sex     string
	}{
		{"001318004567", "05032018", nil, "Nữ"},
		{"079224001111", "29022024", nil, "Nam"},
		{"001318004567", "05032017", identity.ErrIDMismatch, ""}, // year 17 ≠ 18
		{"001118004567", "05032018", identity.ErrIDMismatch, ""}, // 1 = 20th century
		{"097318004567", "05032018", identity.ErrIDMismatch, ""}, // no province 097
		{"00131800456", "05032018", identity.ErrIDNumber, ""},
		{"00131800456x", "05032018", identity.ErrIDNumber, ""},
		{"001318004567", "31022018", identity.ErrBirthDate, ""},
		{"001327004567", "01012027", identity.ErrBirthDate, ""}, // the future
		{"001320004567", "2020-03-05", identity.ErrBirthDate, ""},
	} {
		d, sex, err := identity.ParsePersonalID(tc.id, tc.dob, now, loc)
		if !errors.Is(err, tc.err) || sex != tc.sex || err == nil && d.Format("02012006") != tc.dob {
			t.Errorf("%s %s: %v %q %v; want %v %q", tc.id, tc.dob, d, sex, err, tc.err, tc.sex)
		}
	}
}

func FuzzParsePersonalID(f *testing.F) {
	f.Add("001318004567", "05032018")
	f.Fuzz(func(t *testing.T, id, dob string) {
		_, _, _ = identity.ParsePersonalID(id, dob, time.Now(), time.UTC)
	})
}

package cccd

import (
	"errors"
	"slices"
	"testing"
	"time"
)

func TestCAN(t *testing.T) {
	if got, err := CAN("001089012345"); err != nil || got != "012345" {
		t.Errorf("CAN = %q, %v", got, err)
	}
	if _, err := CAN("12345"); !errors.Is(err, ErrBadID) {
		t.Errorf("err = %v", err)
	}
}

func TestValidCAN(t *testing.T) {
	for in, want := range map[string]bool{"012345": true, "999999": true, "01234": false, "0123456": false, "01234x": false,
		"+12345": false, "-12345": false, " 12345": false, "": false, "１２３４５６": false} {
		if got := ValidCAN(in); got != want {
			t.Errorf("ValidCAN(%q) = %v", in, got)
		}
	}
}

func TestCardExpiry(t *testing.T) {
	tests := []struct {
		name       string
		dob, issue time.Time
		want       time.Time // zero: no expiry
	}{
		{"2014 law at 31 → 40", d(1990, 5, 10), d(2021, 6, 1), d(2030, 5, 10)},
		{"day before 25's window → 25", d(2000, 5, 10), d(2023, 5, 9), d(2025, 5, 10)},
		{"first day of 25's window → 40", d(2000, 5, 10), d(2023, 5, 10), d(2040, 5, 10)},
		{"on 25th birthday → 40", d(2000, 5, 10), d(2025, 5, 10), d(2040, 5, 10)},
		{"day before 40's window → 40", d(1985, 1, 1), d(2022, 12, 31), d(2025, 1, 1)},
		{"first day of 40's window → 60", d(1985, 1, 1), d(2023, 1, 1), d(2045, 1, 1)},
		{"57y364d → 60", d(1965, 5, 10), d(2023, 5, 9), d(2025, 5, 10)},
		{"58 → no expiry", d(1965, 5, 10), d(2023, 5, 10), time.Time{}},
		{"70 → no expiry", d(1950, 5, 10), d(2021, 1, 1), time.Time{}},
		{"2014 law at 14 → 25", d(2007, 8, 20), d(2021, 9, 1), d(2032, 8, 20)},
		{"2014 law, last day, age 11 → 25", d(2012, 8, 20), d(2024, 6, 30), d(2037, 8, 20)},
		{"2023 law, first day, age 11 → 14", d(2012, 8, 20), d(2024, 7, 1), d(2026, 8, 20)},
		{"2023 law, age 12 (14's window) → 25", d(2012, 6, 1), d(2024, 7, 1), d(2037, 6, 1)},
		{"29 Feb birthday → 28 Feb", d(1992, 2, 29), d(2021, 3, 1), d(2032, 2, 29)},
		{"29 Feb birthday, common year", d(2000, 2, 29), d(2021, 3, 1), d(2025, 2, 28)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := CardExpiry(tt.dob, tt.issue)
			if ok != !tt.want.IsZero() || !got.Equal(tt.want) {
				t.Errorf("CardExpiry = %v, %v; want %v", got, ok, tt.want)
			}
		})
	}
}

func TestBACCandidates(t *testing.T) {
	exps := func(ks []BACKey) []string {
		var s []string
		for _, k := range ks {
			s = append(s, k.Exp)
		}
		return s
	}
	tests := []struct {
		name       string
		dob, issue time.Time
		want       []string // expiries, in order
	}{
		{"mid-term: one candidate", d(1990, 5, 10), d(2021, 6, 1), []string{"300510"}},
		{"window start: other outcome second", d(2000, 5, 10), d(2023, 5, 10), []string{"400510", "250510"}},
		{"just before window", d(2000, 5, 10), d(2023, 5, 1), []string{"250510", "400510"}},
		{"58 → no-expiry fillers first", d(1965, 5, 10), d(2023, 5, 20), []string{"<<<<<<", "991231", "250510"}},
		{"long past 58", d(1950, 5, 10), d(2021, 1, 1), []string{"<<<<<<", "991231"}},
		{"law change day", d(2012, 8, 20), d(2024, 7, 1), []string{"260820", "370820"}},
		{"29 Feb → common year spellings", d(2000, 2, 29), d(2021, 3, 1), []string{"250228", "250229", "250301"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ks, err := BACCandidates("001089012345", tt.dob, tt.issue)
			if err != nil {
				t.Fatal(err)
			}
			if got := exps(ks); !slices.Equal(got, tt.want) {
				t.Errorf("expiries = %q, want %q", got, tt.want)
			}
			for _, k := range ks {
				if k.Doc != "089012345" || k.DOB != tt.dob.Format("060102") {
					t.Errorf("key %+v", k)
				}
			}
		})
	}
	if _, err := BACCandidates("x", d(2000, 1, 1), d(2021, 1, 1)); !errors.Is(err, ErrBadID) {
		t.Errorf("err = %v", err)
	}
}

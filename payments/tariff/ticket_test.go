package tariff

import (
	"errors"
	"testing"
	"time"
)

func TestFaresPrice(t *testing.T) {
	f := SampleFares()
	if err := f.Validate(); err != nil {
		t.Fatal(err)
	}
	travel := at(2026, 12, 20, 7, 30)
	born := func(y int, mo time.Month, d int) time.Time { return time.Date(y, mo, d, 0, 0, 0, 0, time.UTC) }
	for _, tc := range []struct {
		name    string
		base    VND
		tr      Traveller
		want    VND
		applied string
	}{
		{"adult pays the base", 450000, Traveller{BirthDate: born(1990, 3, 15)}, 450000, ""},
		{"unknown birth date pays the base", 450000, Traveller{}, 450000, ""},
		{"turns 60 on the day of travel", 450000, Traveller{BirthDate: born(1966, 12, 20)}, 383000, "elderly"}, // 382.500 rounds half up
		{"59 the day before turning 60", 450000, Traveller{BirthDate: born(1966, 12, 21)}, 450000, ""},
		{"child of 6", 450000, Traveller{BirthDate: born(2020, 12, 20)}, 338000, "child"}, // 337.500 → 338.000
		{"child of 10 is no longer a child fare", 450000, Traveller{BirthDate: born(2016, 12, 20)}, 450000, ""},
		{"student declared", 450000, Traveller{BirthDate: born(2005, 1, 1), Declared: []string{"student"}}, 405000, "student"},
		{"student and disability: the cheaper alone", 450000, Traveller{BirthDate: born(2005, 1, 1), Declared: []string{"student", "disability"}}, 338000, "disability"},
		{"elderly war invalid: 30% beats 15%", 450000, Traveller{BirthDate: born(1950, 1, 1), Declared: []string{"merit"}}, 315000, "merit"},
		{"unknown declared code ignored", 450000, Traveller{BirthDate: born(1990, 1, 1), Declared: []string{"vip"}}, 450000, ""},
		{"free base stays free", 0, Traveller{BirthDate: born(1950, 1, 1)}, 0, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, applied, err := f.Price(tc.base, tc.tr, travel)
			if err != nil {
				t.Fatal(err)
			}
			if c.Total != tc.want || applied != tc.applied {
				t.Errorf("price %s (%q), want %s (%q); lines %+v", c.Total, applied, tc.want, tc.applied, c.Lines)
			}
			var sum VND
			for _, l := range c.Lines {
				sum += l.Amount
			}
			if sum != c.Total || c.Lines[0].Amount != tc.base {
				t.Errorf("lines %+v do not add up to %s from the base", c.Lines, c.Total)
			}
		})
	}
}

func TestFaresFixedPriceAndFree(t *testing.T) {
	f := Fares{Categories: []Category{
		{Code: "student", Text: "Học sinh, sinh viên", Declared: true, Price: 55000},
		{Code: "elderly", Text: "Người từ 60 tuổi", MinAge: 60, Percent: 100},
	}}
	if err := f.Validate(); err != nil {
		t.Fatal(err)
	}
	c, applied, _ := f.Price(100000, Traveller{Declared: []string{"student"}}, at(2026, 12, 1, 0, 0))
	if c.Total != 55000 || applied != "student" {
		t.Errorf("student pass %s %q, want 55.000 ₫", c.Total, applied)
	}
	c, applied, _ = f.Price(100000, Traveller{BirthDate: at(1940, 1, 1, 0, 0)}, at(2026, 12, 1, 0, 0))
	if c.Total != 0 || applied != "elderly" {
		t.Errorf("elderly pass %s %q, want free", c.Total, applied)
	}
	// A fixed price above the base never raises it.
	c, _, _ = f.Price(40000, Traveller{Declared: []string{"student"}}, at(2026, 12, 1, 0, 0))
	if c.Total != 40000 {
		t.Errorf("fixed concession above the base: %s, want the base", c.Total)
	}
}

func TestFaresValidate(t *testing.T) {
	for _, tc := range []struct {
		name string
		c    Category
	}{
		{"no code", Category{MinAge: 60, Percent: 10}},
		{"percent over 100", Category{Code: "x", MinAge: 60, Percent: 120}},
		{"negative percent", Category{Code: "x", MinAge: 60, Percent: -1}},
		{"max below min", Category{Code: "x", MinAge: 10, MaxAge: 6, Percent: 10}},
		{"declared and aged", Category{Code: "x", Declared: true, MinAge: 60, Percent: 10}},
		{"everyone", Category{Code: "x", Percent: 10}},
		{"negative price", Category{Code: "x", Declared: true, Price: -5}},
	} {
		if err := (Fares{Categories: []Category{tc.c}}).Validate(); !errors.Is(err, ErrConfig) {
			t.Errorf("%s: %v, want ErrConfig", tc.name, err)
		}
	}
	dup := Fares{Categories: []Category{{Code: "a", MinAge: 60}, {Code: "a", Declared: true}}}
	if err := dup.Validate(); !errors.Is(err, ErrConfig) {
		t.Errorf("duplicate code: %v", err)
	}
	if _, _, err := SampleFares().Price(-1, Traveller{}, time.Now()); !errors.Is(err, ErrConfig) {
		t.Errorf("negative base: %v", err)
	}
}

func TestFaresDeclarable(t *testing.T) {
	var codes []string
	for _, c := range SampleFares().Declarable() {
		codes = append(codes, c.Code)
	}
	if len(codes) != 3 || codes[0] != "disability" || codes[2] != "student" {
		t.Errorf("declarable %v", codes)
	}
}

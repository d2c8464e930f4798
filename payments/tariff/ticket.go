package tariff

import (
	"slices"
	"time"
)

// Category is a concession an operator grants on tickets and passes (a
// coach or train seat, a monthly bus pass). A passenger qualifies for it
// either by age — derived from the card's date of birth, never asked — or
// by declaring it (students, people with disabilities, war invalids), in
// which case Proof is what they show on board.
type Category struct {
	Code string // stable machine code: "elderly", "child", "student" …
	Text string // Vietnamese label for the screen and the ticket
	// MinAge ≤ age < MaxAge (MaxAge 0: no upper bound) on the day of
	// travel: an age category (Declared false).
	MinAge, MaxAge int
	// Declared: the passenger says so (a yes/no on the screen) and shows
	// Proof when asked; the card cannot tell.
	Declared bool
	Proof    string // e.g. "Thẻ học sinh, sinh viên"
	// Percent off the base fare (0–100), or Price, a fixed concession
	// price that wins when set (> 0).
	Percent int
	Price   VND
}

// derived reports whether c follows from the date of birth.
func (c Category) derived() bool { return !c.Declared }

// appliesAt reports whether someone of age years qualifies for the age
// category c.
func (c Category) appliesAt(age int) bool {
	return c.derived() && age >= c.MinAge && (c.MaxAge == 0 || age < c.MaxAge)
}

// price is c's price on base, rounded to round (half up), never above base.
func (c Category) price(base, round VND) VND {
	p := base * VND(100-c.Percent) / 100
	if c.Price > 0 {
		p = c.Price
	}
	if round > 1 {
		p = (p + round/2) / round * round
	}
	return min(p, base)
}

// Fares is an operator's concession table for tickets and passes, in
// integer đồng. Categories never add up: a passenger who qualifies for
// several gets the one that costs least (the rule of Vietnamese rail and
// coach operators: "chỉ được hưởng một mức giảm giá cao nhất").
type Fares struct {
	Categories []Category
	// Round rounds a concession price to the nearest multiple of Round,
	// half up (0 or 1: no rounding); a price never rounds above the base.
	Round VND
}

// maxFare bounds a base fare (10^10 đồng) so no product overflows.
const maxFare = 10_000_000_000

// SampleFares is an example operator table with the categories Vietnamese
// rail and coach operators commonly grant: the rates come from Nghị định
// 65/2018/NĐ-CP Art. 24 (rail: 30% for war invalids), the minimum 15% for
// the elderly (Nghị định 06/2011/NĐ-CP) and 25% for people with severe
// disabilities (Nghị định 28/2012/NĐ-CP), and the child and student rates
// operators set themselves. Every operator configures its own table; this
// one is for the simulator and the tests.
func SampleFares() Fares {
	return Fares{Round: 1000, Categories: []Category{
		{Code: "child", Text: "Trẻ em từ 6 đến dưới 10 tuổi", MinAge: 6, MaxAge: 10, Percent: 25},
		{Code: "elderly", Text: "Người cao tuổi (từ đủ 60 tuổi)", MinAge: 60, Percent: 15},
		{Code: "disability", Text: "Người khuyết tật nặng, đặc biệt nặng", Declared: true, Proof: "Giấy xác nhận khuyết tật", Percent: 25},
		{Code: "merit", Text: "Thương binh, người hưởng chính sách như thương binh", Declared: true, Proof: "Thẻ thương binh", Percent: 30},
		{Code: "student", Text: "Học sinh, sinh viên", Declared: true, Proof: "Thẻ học sinh, sinh viên", Percent: 10},
	}}
}

// Validate checks the table: unique non-empty codes, percentages 0–100,
// non-negative prices, and age bounds that someone can meet.
func (f Fares) Validate() error {
	if f.Round < 0 {
		return fmtErr(ErrConfig, "concession rounding %d is negative", f.Round)
	}
	seen := map[string]bool{}
	for i, c := range f.Categories {
		switch {
		case c.Code == "":
			return fmtErr(ErrConfig, "concession %d has no code", i)
		case seen[c.Code]:
			return fmtErr(ErrConfig, "concession %q is listed twice", c.Code)
		case c.Percent < 0 || c.Percent > 100:
			return fmtErr(ErrConfig, "concession %q: %d%% is not 0–100", c.Code, c.Percent)
		case c.Price < 0 || c.Price > maxFare:
			return fmtErr(ErrConfig, "concession %q: price %d out of range", c.Code, c.Price)
		case c.MinAge < 0 || c.MaxAge < 0 || c.MaxAge != 0 && c.MaxAge <= c.MinAge:
			return fmtErr(ErrConfig, "concession %q: ages %d–%d", c.Code, c.MinAge, c.MaxAge)
		case c.Declared && (c.MinAge != 0 || c.MaxAge != 0):
			return fmtErr(ErrConfig, "concession %q is declared and age-bound at once", c.Code)
		case !c.Declared && c.MinAge == 0 && c.MaxAge == 0:
			return fmtErr(ErrConfig, "concession %q is neither declared nor age-bound: everyone would get it", c.Code)
		}
		seen[c.Code] = true
	}
	return nil
}

// Declarable returns the categories a passenger may declare, in table order.
func (f Fares) Declarable() []Category {
	var out []Category
	for _, c := range f.Categories {
		if c.Declared {
			out = append(out, c)
		}
	}
	return out
}

// Derived returns the age category someone born on birth qualifies for on
// day at (the cheapest when several do), and whether there is one.
func (f Fares) Derived(birth, at time.Time) (Category, bool) {
	if birth.IsZero() {
		return Category{}, false
	}
	age := ageOn(birth, at, Location())
	var best Category
	found := false
	for _, c := range f.Categories {
		if c.appliesAt(age) && (!found || c.price(1_000_000, 1) < best.price(1_000_000, 1)) {
			best, found = c, true
		}
	}
	return best, found
}

// Traveller is what a concession depends on: the date of birth from the
// card (zero: unknown) and the categories the passenger declared (codes).
type Traveller struct {
	BirthDate time.Time
	Declared  []string
}

// Price prices one passenger on base at time at (the day of travel, or the
// first day a pass is valid): the base fare, less the cheapest concession
// the passenger qualifies for. The charge has the base line ("fare") and,
// when a concession applies, its negative line ("concession.<code>");
// applied is the concession's code ("" for none). A declared code the
// table does not list is ignored.
func (f Fares) Price(base VND, t Traveller, at time.Time) (c Charge, applied string, err error) {
	if base < 0 || base > maxFare {
		return Charge{}, "", fmtErr(ErrConfig, "base fare %d out of range", base)
	}
	best, found := Category{}, false
	consider := func(k Category) {
		if !found || k.price(base, f.Round) < best.price(base, f.Round) {
			best, found = k, true
		}
	}
	if k, ok := f.Derived(t.BirthDate, at); ok {
		consider(k)
	}
	for _, k := range f.Categories {
		if k.Declared && slices.Contains(t.Declared, k.Code) {
			consider(k)
		}
	}
	c.add("fare", "Giá vé", base)
	if found {
		if p := best.price(base, f.Round); p < base {
			c.add("concession."+best.Code, "Giảm giá: "+best.Text, p-base)
			return c, best.Code, nil
		}
	}
	return c, "", nil
}

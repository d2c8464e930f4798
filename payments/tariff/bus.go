package tariff

import (
	"time"
)

// Concession is a reduced fare for an age group: MinAge ≤ age < MaxAge
// (MaxAge 0 = no upper bound). Fare 0 means free.
type Concession struct {
	Code   string
	Text   string
	MinAge int
	MaxAge int
	Fare   VND
}

// DefaultConcessions are the statutory free rides: people aged 60 and over
// and children under 6 (design §8); operators may configure others.
func DefaultConcessions() []Concession {
	return []Concession{
		{Code: "elderly60", Text: "Người từ 60 tuổi", MinAge: 60},
		{Code: "child6", Text: "Trẻ em dưới 6 tuổi", MinAge: 0, MaxAge: 6},
	}
}

// MonthlyPass is a pass valid for one calendar month in Asia/Ho_Chi_Minh on
// one route ("" = every route).
type MonthlyPass struct {
	Route string
	Year  int
	Month time.Month
}

// Valid reports whether the pass covers a ride on route at time at.
func (p MonthlyPass) Valid(route string, at time.Time) bool {
	local := at.In(Location())
	return (p.Route == "" || p.Route == route) && local.Year() == p.Year && local.Month() == p.Month
}

// Rider is what the validator knows about a passenger: the birth date from
// the chip card (zero if unknown) and the passes on the account.
type Rider struct {
	BirthDate time.Time
	Passes    []MonthlyPass
}

// Bus is a bus operator's tariff: a flat fare per route and concessions.
type Bus struct {
	Routes      map[string]VND // route ID → flat fare
	Concessions []Concession   // first match wins
}

// Fare returns the price of one ride on route at time at: 0 with a pass or
// concession, the route's flat fare otherwise.
func (b Bus) Fare(route string, r Rider, at time.Time) (Charge, error) {
	var c Charge
	fare, ok := b.Routes[route]
	if !ok {
		return c, fmtErr(ErrUnknownRoute, "%q", route)
	}
	if fare < 0 {
		return c, fmtErr(ErrConfig, "route %q has a negative fare", route)
	}
	for _, p := range r.Passes {
		if p.Valid(route, at) {
			c.add("bus.pass", "Vé tháng", 0)
			return c, nil
		}
	}
	if !r.BirthDate.IsZero() {
		age := ageOn(r.BirthDate, at, Location())
		for _, k := range b.Concessions {
			if age >= k.MinAge && (k.MaxAge == 0 || age < k.MaxAge) {
				c.add("bus.concession."+k.Code, k.Text, min(k.Fare, fare))
				return c, nil
			}
		}
	}
	c.add("bus.fare", "Vé lượt tuyến "+route, fare)
	return c, nil
}

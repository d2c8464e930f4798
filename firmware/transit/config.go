package transit

import (
	"fmt"
	"time"

	"github.com/kiosk06/kiosk/payments/tariff"
)

// ConfigFrom maps the [transit] section to the validator's rules: the
// route's flat fares and the age concessions (ElderlyAge and over, under
// ChildAge; -1 disables one).
func ConfigFrom(c Section) Config {
	routes := make(map[string]tariff.VND, len(c.Fares))
	for r, f := range c.Fares {
		routes[r] = tariff.VND(f)
	}
	return Config{
		Route: c.Route, Vehicle: c.Vehicle,
		Tariff:         tariff.Bus{Routes: routes, Concessions: Concessions(c.ElderlyAge, c.ChildAge)},
		RepeatWindow:   time.Duration(c.RepeatWindow),
		MaxTapsPerDay:  c.MaxTapsPerDay,
		MaxValuePerDay: tariff.VND(c.MaxValuePerDay),
	}
}

// Concessions are the free rides for age ≥ elderly and age < child (a
// negative age disables that rule); 60 and 6 are tariff.DefaultConcessions.
func Concessions(elderly, child int) []tariff.Concession {
	var out []tariff.Concession
	if elderly > 0 {
		out = append(out, tariff.Concession{Code: fmt.Sprintf("elderly%d", elderly), Text: fmt.Sprintf("Người từ %d tuổi", elderly), MinAge: elderly})
	}
	if child > 0 {
		out = append(out, tariff.Concession{Code: fmt.Sprintf("child%d", child), Text: fmt.Sprintf("Trẻ em dưới %d tuổi", child), MaxAge: child})
	}
	return out
}

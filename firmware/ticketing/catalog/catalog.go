// Package catalog is the ticket catalogue a ticketing kiosk sells from:
// operators (with their concession table and refund rules), stops,
// routes, departures with their calls and fares per segment and seat
// class, seat maps (coach decks, train cars) and products sold without a
// seat (monthly bus passes, single-ride tickets). The ticket-selling
// backend publishes it signed (firmware/ticketing/backend); this package
// owns its shape, its checks (Parse: every reference resolves, times run
// forward, amounts are whole đồng in range) and the in-memory Index the
// kiosk searches (stop → departures by time).
//
// Seat availability is not part of the catalogue: it changes by the second
// and is asked of the backend when a departure is chosen.
//
// It imports payments/tariff for the concession table and the standard
// library only; it must not import a flow, the store, drivers or the UI.
package catalog

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/kiosk06/kiosk/payments/tariff"
)

// ErrInvalid is wrapped by every error of Parse and NewIndex: the
// catalogue is not usable as a whole.
var ErrInvalid = errors.New("catalog: invalid catalogue")

// Limits on a catalogue document.
const (
	MaxBytes      = 64 << 20
	MaxDepartures = 200_000
	MaxStops      = 20_000
	MaxRoutes     = 20_000
	MaxProducts   = 10_000
	MaxCalls      = 64   // calls of one departure
	MaxSeats      = 2000 // seats of one seat map
	maxAmount     = 10_000_000_000
	maxIDLen      = 64
)

// Mode is how a route travels.
type Mode string

// Modes.
const (
	ModeCoach Mode = "coach" // xe khách: seats or berths, named tickets
	ModeTrain Mode = "train" // tàu hỏa: seats or berths, named tickets
	ModeBus   Mode = "bus"   // xe buýt: passes and single rides, no seat
)

// Named reports whether tickets of m carry the passenger's name and ID
// number, as Vietnamese coach and rail operators require.
func (m Mode) Named() bool { return m == ModeCoach || m == ModeTrain }

// Catalogue is one signed version of what can be sold.
type Catalogue struct {
	Version uint64    `json:"version"`
	Issued  time.Time `json:"issued"`
	// ValidUntil is how long the kiosk may sell from this catalogue
	// without hearing from the backend (passes and rides only: seats
	// always need the backend).
	ValidUntil time.Time   `json:"valid_until"`
	Operators  []Operator  `json:"operators"`
	Stops      []Stop      `json:"stops"`
	Routes     []Route     `json:"routes"`
	SeatMaps   []SeatMap   `json:"seat_maps"`
	Departures []Departure `json:"departures"`
	Products   []Product   `json:"products"`
}

// Operator is a transport company.
type Operator struct {
	ID    string `json:"id"`
	Name  string `json:"name"`            // "Nhà xe Phương Trang", "Đường sắt Việt Nam"
	Phone string `json:"phone,omitempty"` // hotline printed on tickets
	// Concessions is the operator's concession table; Round rounds
	// concession prices (tariff.Fares).
	Concessions []Concession `json:"concessions,omitempty"`
	Round       int64        `json:"round,omitempty"`
	// Refund are the cancellation rules, checked in order: the first whose
	// MinutesBefore the departure still leaves applies; none: no refund.
	Refund []RefundRule `json:"refund,omitempty"`
}

// Concession is one concession category on the wire (tariff.Category).
type Concession struct {
	Code     string `json:"code"`
	Text     string `json:"text"`
	MinAge   int    `json:"min_age,omitempty"`
	MaxAge   int    `json:"max_age,omitempty"`
	Declared bool   `json:"declared,omitempty"`
	Proof    string `json:"proof,omitempty"`
	Percent  int    `json:"percent,omitempty"`
	Price    int64  `json:"price,omitempty"`
}

// RefundRule: a ticket cancelled at least MinutesBefore its departure is
// refunded less FeePercent of its price.
type RefundRule struct {
	MinutesBefore int    `json:"minutes_before"`
	FeePercent    int    `json:"fee_percent"`
	Text          string `json:"text"` // "Trả vé trước 24 giờ: phí 10%"
}

// Fares is o's concession table.
func (o Operator) Fares() tariff.Fares {
	f := tariff.Fares{Round: tariff.VND(o.Round)}
	for _, c := range o.Concessions {
		f.Categories = append(f.Categories, tariff.Category{Code: c.Code, Text: c.Text, MinAge: c.MinAge, MaxAge: c.MaxAge,
			Declared: c.Declared, Proof: c.Proof, Percent: c.Percent, Price: tariff.VND(c.Price)})
	}
	return f
}

// RefundFor returns the rule that applies to a ticket departing at dep and
// cancelled at now, and whether any does (none: not refundable).
func (o Operator) RefundFor(dep, now time.Time) (RefundRule, bool) {
	left := dep.Sub(now)
	for _, r := range o.Refund {
		if left >= time.Duration(r.MinutesBefore)*time.Minute {
			return r, true
		}
	}
	return RefundRule{}, false
}

// Stop is a station, bus station or stop.
type Stop struct {
	ID       string `json:"id"`
	Name     string `json:"name"`               // "Bến xe Mỹ Đình"
	Province string `json:"province,omitempty"` // "Hà Nội"
	// Address is the stop's address (the ASM manifest's place).
	Address string `json:"address,omitempty"`
}

// Route is a line an operator runs.
type Route struct {
	ID       string   `json:"id"`
	Operator string   `json:"operator"`
	Mode     Mode     `json:"mode"`
	Name     string   `json:"name"`  // "Hà Nội – Vinh"
	Stops    []string `json:"stops"` // in order
	// Code is the route's id on bus validators ([transit] route, "47"),
	// which passes and rides name; "" = ID.
	Code string `json:"code,omitempty"`
}

// Call is a departure's stop: when it arrives and leaves.
type Call struct {
	Stop   string    `json:"stop"`
	Arrive time.Time `json:"arrive,omitzero"` // zero at the first call
	Depart time.Time `json:"depart,omitzero"` // zero at the last call
}

// Fare is the base price of a segment in a seat class.
type Fare struct {
	From   string `json:"from"`
	To     string `json:"to"`
	Class  string `json:"class"`
	Amount int64  `json:"amount"`
}

// Departure is one run of a route with seats.
type Departure struct {
	ID      string `json:"id"`
	Route   string `json:"route"`
	Service string `json:"service,omitempty"` // train number "SE1", coach trip code
	Vehicle string `json:"vehicle,omitempty"` // the coach's plate, when known
	SeatMap string `json:"seat_map"`
	Calls   []Call `json:"calls"`
	Fares   []Fare `json:"fares"`
}

// SeatMap is the layout of a vehicle: coach decks or train cars.
type SeatMap struct {
	ID   string `json:"id"`
	Mode Mode   `json:"mode"`
	Cars []Car  `json:"cars"`
	// Classes names the seat classes ("giuong_duoi" → "Giường tầng dưới").
	Classes map[string]string `json:"classes"`
}

// Car is one deck of a coach or one car of a train.
type Car struct {
	Name  string `json:"name"` // "Tầng dưới", "Toa 3"
	Seats []Seat `json:"seats"`
}

// Seat is a seat or berth: its label, class and place on the drawing.
type Seat struct {
	ID    string `json:"id"` // "A01", "3-12"
	Class string `json:"class"`
	Row   int    `json:"row"`
	Col   int    `json:"col"`
}

// ProductKind is what a seatless product is.
type ProductKind string

// Product kinds.
const (
	ProductMonthly ProductKind = "monthly_pass" // valid for one calendar month
	ProductRide    ProductKind = "ride"         // one ride, valid ValidDays from purchase
)

// Product is something sold without a seat.
type Product struct {
	ID       string      `json:"id"`
	Operator string      `json:"operator"`
	Kind     ProductKind `json:"kind"`
	Mode     Mode        `json:"mode"`
	Route    string      `json:"route,omitempty"` // "" = every route of the operator
	Name     string      `json:"name"`            // "Vé tháng liên tuyến"
	Price    int64       `json:"price"`
	// ValidDays bounds a ride ticket (from the sale).
	ValidDays int `json:"valid_days,omitempty"`
	// Offline: may be sold while the backend cannot be reached (the sale
	// reaches it as a record; validators learn of it from the signed
	// list once it has).
	Offline bool `json:"offline,omitempty"`
}

// Parse decodes and checks a catalogue document (the payload of the
// backend's signed envelope).
func Parse(b []byte) (*Catalogue, error) {
	if len(b) > MaxBytes {
		return nil, fmt.Errorf("%w: %d bytes, limit %d", ErrInvalid, len(b), MaxBytes)
	}
	var c Catalogue
	if err := json.Unmarshal(b, &c); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	if err := c.Validate(); err != nil {
		return nil, err
	}
	return &c, nil
}

// Validate checks every reference and bound.
func (c *Catalogue) Validate() error {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%w: "+format, append([]any{ErrInvalid}, args...)...)
	}
	switch {
	case c.Version == 0:
		return bad("version 0")
	case c.ValidUntil.Before(c.Issued):
		return bad("valid until %s, before it was issued", c.ValidUntil.Format(time.RFC3339))
	case len(c.Departures) > MaxDepartures, len(c.Stops) > MaxStops, len(c.Routes) > MaxRoutes, len(c.Products) > MaxProducts:
		return bad("too many entries")
	}
	ops, err := uniqueIDs("operator", len(c.Operators), func(i int) string { return c.Operators[i].ID })
	if err != nil {
		return err
	}
	for _, o := range c.Operators {
		if err := o.Fares().Validate(); err != nil {
			return bad("operator %s: %v", o.ID, err)
		}
		for _, r := range o.Refund {
			if r.MinutesBefore < 0 || r.FeePercent < 0 || r.FeePercent > 100 {
				return bad("operator %s: refund rule %+v", o.ID, r)
			}
		}
	}
	stops, err := uniqueIDs("stop", len(c.Stops), func(i int) string { return c.Stops[i].ID })
	if err != nil {
		return err
	}
	maps, err := uniqueIDs("seat map", len(c.SeatMaps), func(i int) string { return c.SeatMaps[i].ID })
	if err != nil {
		return err
	}
	for _, m := range c.SeatMaps {
		if err := m.validate(); err != nil {
			return err
		}
	}
	routes, err := uniqueIDs("route", len(c.Routes), func(i int) string { return c.Routes[i].ID })
	if err != nil {
		return err
	}
	for _, r := range c.Routes {
		if err := r.validate(ops, stops); err != nil {
			return err
		}
	}
	if _, err := uniqueIDs("departure", len(c.Departures), func(i int) string { return c.Departures[i].ID }); err != nil {
		return err
	}
	for i := range c.Departures {
		if err := c.Departures[i].validate(c, routes, maps); err != nil {
			return err
		}
	}
	if _, err := uniqueIDs("product", len(c.Products), func(i int) string { return c.Products[i].ID }); err != nil {
		return err
	}
	for _, p := range c.Products {
		if err := p.validate(ops, routes, c.Routes); err != nil {
			return err
		}
	}
	return nil
}

// uniqueIDs maps each id to its index, refusing empty, long or repeated ones.
func uniqueIDs(what string, n int, id func(int) string) (map[string]int, error) {
	out := make(map[string]int, n)
	for i := range n {
		s := id(i)
		if s == "" || len(s) > maxIDLen {
			return nil, fmt.Errorf("%w: %s %d: id %q", ErrInvalid, what, i, s)
		}
		if _, dup := out[s]; dup {
			return nil, fmt.Errorf("%w: %s %q listed twice", ErrInvalid, what, s)
		}
		out[s] = i
	}
	return out, nil
}

func (m SeatMap) validate() error {
	n := 0
	seen := map[string]bool{}
	for _, car := range m.Cars {
		for _, s := range car.Seats {
			n++
			if s.ID == "" || len(s.ID) > 16 || seen[s.ID] {
				return fmt.Errorf("%w: seat map %s: seat %q empty, long or repeated", ErrInvalid, m.ID, s.ID)
			}
			if _, ok := m.Classes[s.Class]; !ok {
				return fmt.Errorf("%w: seat map %s: seat %s has unknown class %q", ErrInvalid, m.ID, s.ID, s.Class)
			}
			seen[s.ID] = true
		}
	}
	if n == 0 || n > MaxSeats {
		return fmt.Errorf("%w: seat map %s has %d seats", ErrInvalid, m.ID, n)
	}
	return nil
}

func (r Route) validate(ops, stops map[string]int) error {
	if _, ok := ops[r.Operator]; !ok {
		return fmt.Errorf("%w: route %s: unknown operator %q", ErrInvalid, r.ID, r.Operator)
	}
	switch r.Mode {
	case ModeCoach, ModeTrain, ModeBus:
	default:
		return fmt.Errorf("%w: route %s: mode %q", ErrInvalid, r.ID, r.Mode)
	}
	if len(r.Stops) < 2 && r.Mode != ModeBus {
		return fmt.Errorf("%w: route %s has fewer than two stops", ErrInvalid, r.ID)
	}
	for _, s := range r.Stops {
		if _, ok := stops[s]; !ok {
			return fmt.Errorf("%w: route %s: unknown stop %q", ErrInvalid, r.ID, s)
		}
	}
	return nil
}

func (d *Departure) validate(c *Catalogue, routes, maps map[string]int) error {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%w: departure %s: "+format, append([]any{ErrInvalid, d.ID}, args...)...)
	}
	ri, ok := routes[d.Route]
	if !ok {
		return bad("unknown route %q", d.Route)
	}
	r := c.Routes[ri]
	if r.Mode == ModeBus {
		return bad("bus routes have no seated departures")
	}
	mi, ok := maps[d.SeatMap]
	if !ok {
		return bad("unknown seat map %q", d.SeatMap)
	}
	if len(d.Calls) < 2 || len(d.Calls) > MaxCalls {
		return bad("%d calls", len(d.Calls))
	}
	var last time.Time
	pos := -1
	for i, cl := range d.Calls {
		j := slices.Index(r.Stops[pos+1:], cl.Stop)
		if j < 0 {
			return bad("call %d at %q is not a later stop of route %s", i, cl.Stop, r.ID)
		}
		pos += j + 1
		for _, t := range []time.Time{cl.Arrive, cl.Depart} {
			if t.IsZero() {
				continue
			}
			if t.Before(last) {
				return bad("call %d at %s goes back in time", i, cl.Stop)
			}
			last = t
		}
		if i < len(d.Calls)-1 && cl.Depart.IsZero() {
			return bad("call %d at %s has no departure time", i, cl.Stop)
		}
	}
	classes := c.SeatMaps[mi].Classes
	for _, f := range d.Fares {
		a, b := d.callIndex(f.From), d.callIndex(f.To)
		switch {
		case a < 0 || b <= a:
			return bad("fare %s→%s is not a segment of its calls", f.From, f.To)
		case f.Amount < 0 || f.Amount > maxAmount:
			return bad("fare %s→%s amount %d", f.From, f.To, f.Amount)
		}
		if _, ok := classes[f.Class]; !ok {
			return bad("fare %s→%s: class %q not on seat map %s", f.From, f.To, f.Class, d.SeatMap)
		}
	}
	return nil
}

func (p Product) validate(ops, routes map[string]int, all []Route) error {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%w: product %s: "+format, append([]any{ErrInvalid, p.ID}, args...)...)
	}
	if _, ok := ops[p.Operator]; !ok {
		return bad("unknown operator %q", p.Operator)
	}
	if p.Route != "" {
		ri, ok := routes[p.Route]
		if !ok {
			return bad("unknown route %q", p.Route)
		}
		if all[ri].Operator != p.Operator {
			return bad("route %s is another operator's", p.Route)
		}
	}
	switch {
	case p.Kind != ProductMonthly && p.Kind != ProductRide:
		return bad("kind %q", p.Kind)
	case p.Kind == ProductRide && (p.ValidDays < 1 || p.ValidDays > 366):
		return bad("a ride valid %d days", p.ValidDays)
	case p.Price < 0 || p.Price > maxAmount:
		return bad("price %d", p.Price)
	case p.Name == "":
		return bad("no name")
	}
	return nil
}

// callIndex is the index of the call at stop, or -1.
func (d *Departure) callIndex(stop string) int {
	for i, c := range d.Calls {
		if c.Stop == stop {
			return i
		}
	}
	return -1
}

// Departs returns when d leaves stop (zero if it does not).
func (d *Departure) Departs(stop string) time.Time {
	if i := d.callIndex(stop); i >= 0 {
		return d.Calls[i].Depart
	}
	return time.Time{}
}

// Arrives returns when d reaches stop (zero if it does not).
func (d *Departure) Arrives(stop string) time.Time {
	if i := d.callIndex(stop); i >= 0 {
		return d.Calls[i].Arrive
	}
	return time.Time{}
}

// Fare returns the base fare of the segment from → to in class.
func (d *Departure) Fare(from, to, class string) (int64, bool) {
	for _, f := range d.Fares {
		if f.From == from && f.To == to && f.Class == class {
			return f.Amount, true
		}
	}
	return 0, false
}

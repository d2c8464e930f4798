package catalog

import (
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/kiosk06/kiosk/payments/tariff"
)

// Index is a checked catalogue ready to search: lookups by id and, per
// stop, the departures that leave it, sorted by their time there. It is
// immutable once built; share it freely.
type Index struct {
	cat       *Catalogue
	operators map[string]int
	stops     map[string]int
	routes    map[string]int
	maps      map[string]int
	deps      map[string]int
	products  map[string]int
	// boards: stop → the calls that leave it, by departure time.
	boards map[string][]board
	// dests: stop → mode → the stops reachable from it, by name ("" mode:
	// any); modes: what is sold, in the order coach, train, bus.
	dests map[string]map[Mode][]Stop
	modes []Mode
}

// board is one call a passenger can board at.
type board struct {
	at   int64 // the call's departure time, Unix seconds
	dep  int32 // index into Departures
	call int16 // index into the departure's Calls
}

// NewIndex checks c and indexes it; c must not change afterwards.
func NewIndex(c *Catalogue) (*Index, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	x := &Index{cat: c, boards: map[string][]board{}}
	id := func(n int, f func(int) string) map[string]int {
		m := make(map[string]int, n)
		for i := range n {
			m[f(i)] = i
		}
		return m
	}
	x.operators = id(len(c.Operators), func(i int) string { return c.Operators[i].ID })
	x.stops = id(len(c.Stops), func(i int) string { return c.Stops[i].ID })
	x.routes = id(len(c.Routes), func(i int) string { return c.Routes[i].ID })
	x.maps = id(len(c.SeatMaps), func(i int) string { return c.SeatMaps[i].ID })
	x.deps = id(len(c.Departures), func(i int) string { return c.Departures[i].ID })
	x.products = id(len(c.Products), func(i int) string { return c.Products[i].ID })
	for i := range c.Departures {
		d := &c.Departures[i]
		for j, cl := range d.Calls[:len(d.Calls)-1] {
			x.boards[cl.Stop] = append(x.boards[cl.Stop], board{at: cl.Depart.Unix(), dep: int32(i), call: int16(j)})
		}
	}
	for _, b := range x.boards {
		sort.Slice(b, func(i, j int) bool { return b[i].at < b[j].at })
	}
	x.index()
	return x, nil
}

// index precomputes the destinations of every stop and the modes sold,
// which every render of the choose screen asks for.
func (x *Index) index() {
	seen := map[string]map[Mode]map[string]bool{}
	has := map[Mode]bool{}
	for from, bs := range x.boards {
		seen[from] = map[Mode]map[string]bool{}
		for _, b := range bs {
			d := &x.cat.Departures[b.dep]
			mode := x.cat.Routes[x.routes[d.Route]].Mode
			has[mode] = true
			for _, m := range []Mode{mode, ""} {
				if seen[from][m] == nil {
					seen[from][m] = map[string]bool{}
				}
				for _, c := range d.Calls[b.call+1:] {
					seen[from][m][c.Stop] = true
				}
			}
		}
	}
	x.dests = map[string]map[Mode][]Stop{}
	for from, byMode := range seen {
		x.dests[from] = map[Mode][]Stop{}
		for m, ids := range byMode {
			out := make([]Stop, 0, len(ids))
			for id := range ids {
				out = append(out, x.cat.Stops[x.stops[id]])
			}
			sort.Slice(out, func(i, j int) bool { return strings.Compare(out[i].Name, out[j].Name) < 0 })
			x.dests[from][m] = out
		}
	}
	for _, p := range x.cat.Products {
		has[p.Mode] = true
	}
	for _, m := range []Mode{ModeCoach, ModeTrain, ModeBus} {
		if has[m] {
			x.modes = append(x.modes, m)
		}
	}
}

// Catalogue returns the indexed catalogue (do not change it).
func (x *Index) Catalogue() *Catalogue { return x.cat }

// Version is the catalogue's version.
func (x *Index) Version() uint64 { return x.cat.Version }

// Operator returns the operator with id.
func (x *Index) Operator(id string) (Operator, bool) {
	i, ok := x.operators[id]
	if !ok {
		return Operator{}, false
	}
	return x.cat.Operators[i], true
}

// Stop returns the stop with id.
func (x *Index) Stop(id string) (Stop, bool) {
	i, ok := x.stops[id]
	if !ok {
		return Stop{}, false
	}
	return x.cat.Stops[i], true
}

// StopName is the name of stop id, or the id itself when unknown.
func (x *Index) StopName(id string) string {
	if s, ok := x.Stop(id); ok {
		return s.Name
	}
	return id
}

// Route returns the route with id.
func (x *Index) Route(id string) (Route, bool) {
	i, ok := x.routes[id]
	if !ok {
		return Route{}, false
	}
	return x.cat.Routes[i], true
}

// SeatMap returns the seat map with id.
func (x *Index) SeatMap(id string) (SeatMap, bool) {
	i, ok := x.maps[id]
	if !ok {
		return SeatMap{}, false
	}
	return x.cat.SeatMaps[i], true
}

// Departure returns the departure with id (a pointer into the catalogue:
// read only).
func (x *Index) Departure(id string) (*Departure, bool) {
	i, ok := x.deps[id]
	if !ok {
		return nil, false
	}
	return &x.cat.Departures[i], true
}

// Product returns the product with id.
func (x *Index) Product(id string) (Product, bool) {
	i, ok := x.products[id]
	if !ok {
		return Product{}, false
	}
	return x.cat.Products[i], true
}

// Products returns the products of mode (every mode for ""), in catalogue
// order.
func (x *Index) Products(mode Mode) []Product {
	var out []Product
	for _, p := range x.cat.Products {
		if mode == "" || p.Mode == mode {
			out = append(out, p)
		}
	}
	return out
}

// Modes lists the modes the catalogue sells, in the order coach, train,
// bus.
func (x *Index) Modes() []Mode { return slices.Clone(x.modes) }

// Destinations lists the stops reachable from stop by mode ("" any), by
// name.
func (x *Index) Destinations(from string, mode Mode) []Stop {
	return slices.Clone(x.dests[from][mode])
}

// Query asks for departures from one stop to another on one local day.
type Query struct {
	Mode Mode   // "" = any
	From string // boarding stop
	To   string // alighting stop
	// Day is any instant of the local day (Asia/Ho_Chi_Minh) searched;
	// After skips departures before it (e.g. now, plus the sales cut-off).
	Day   time.Time
	After time.Time
	Limit int // 0: 50
}

// Trip is a departure between two of its stops, with the segment's fares.
type Trip struct {
	Departure *Departure // read only
	Route     Route
	From, To  string
	Departs   time.Time
	Arrives   time.Time
	Fares     []Fare // the segment's fares, one per class
}

// MinFare is the trip's lowest base fare.
func (t Trip) MinFare() int64 {
	var m int64 = -1
	for _, f := range t.Fares {
		if m < 0 || f.Amount < m {
			m = f.Amount
		}
	}
	return max(m, 0)
}

// Search returns the departures from q.From to q.To leaving on q.Day (and
// not before q.After), earliest first, each with its fares for that
// segment; a departure without a fare for the segment is not sold and
// left out.
func (x *Index) Search(q Query) []Trip {
	limit := q.Limit
	if limit <= 0 {
		limit = 50
	}
	loc := tariff.Location()
	d := q.Day.In(loc)
	start := time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, loc)
	end := start.AddDate(0, 0, 1)
	if q.After.After(start) {
		start = q.After
	}
	bs := x.boards[q.From]
	i := sort.Search(len(bs), func(i int) bool { return bs[i].at >= start.Unix() })
	var out []Trip
	for ; i < len(bs) && bs[i].at < end.Unix() && len(out) < limit; i++ {
		dep := &x.cat.Departures[bs[i].dep]
		r := x.cat.Routes[x.routes[dep.Route]]
		if q.Mode != "" && r.Mode != q.Mode {
			continue
		}
		j := -1
		for k := int(bs[i].call) + 1; k < len(dep.Calls); k++ {
			if dep.Calls[k].Stop == q.To {
				j = k
				break
			}
		}
		if j < 0 {
			continue
		}
		var fares []Fare
		for _, f := range dep.Fares {
			if f.From == q.From && f.To == q.To {
				fares = append(fares, f)
			}
		}
		if len(fares) == 0 {
			continue
		}
		out = append(out, Trip{Departure: dep, Route: r, From: q.From, To: q.To,
			Departs: dep.Calls[bs[i].call].Depart, Arrives: dep.Calls[j].Arrive, Fares: fares})
	}
	return out
}

package ticketing

import (
	"slices"
	"time"

	"github.com/kiosk06/kiosk/firmware/ticketing/backend"
	"github.com/kiosk06/kiosk/firmware/ticketing/catalog"
	"github.com/kiosk06/kiosk/firmware/tickets"
)

// The choose screen: a mode, then a trip (origin, destination, day,
// departure) or a pass.

func newKey(device string) string { return backend.NewKey(device) }

// maxTrips bounds a search's results on screen.
const maxTrips = 30

// catalogue returns the catalogue to sell from and whether it may be used
// now (online, or offline within its validity).
func (f *Flow) catalogue() (*catalog.Index, bool) {
	idx := f.deps.Catalogue.Index()
	if idx == nil {
		return nil, false
	}
	st := f.deps.Catalogue.Status()
	return idx, st.Online || st.Usable(f.now())
}

// openChoose shows the choose screen for a new purchase.
func (f *Flow) openChoose() {
	idx, ok := f.catalogue()
	if !ok {
		f.showError("catalogue_unavailable", msg("error.catalogue"), msg("error.catalogue_next"), f.openChoose, "")
		return
	}
	modes := f.openModes(idx)
	if len(modes) == 0 && len(idx.Modes()) > 0 {
		// Staff closed every kind of ticket this kiosk sells.
		f.showError("services_closed", msg("error.closed"), msg("error.closed_next"), nil, "")
		return
	}
	c := Choose{Date: f.now().In(f.cfg.Location).Format("2006-01-02")}
	if len(modes) > 0 {
		c.Mode = modes[0]
	}
	f.m.choose = c
	f.setMode(c.Mode)
	f.setScreen(ScreenChoose)
}

// setMode selects a mode and refreshes its lists.
func (f *Flow) setMode(mode catalog.Mode) {
	idx, _ := f.catalogue()
	c := &f.m.choose
	c.Mode, c.Trips, c.Searched, c.Notice = mode, nil, false, Text{}
	if idx == nil {
		return
	}
	if mode == catalog.ModeBus {
		c.Notice = f.closedModes(idx)
		return
	}
	c.From = f.cfg.Station
	if len(idx.Destinations(c.From, mode)) == 0 {
		c.From = ""
	}
	if c.From == "" {
		if o := f.origins(idx, mode); len(o) > 0 {
			c.From = o[0].ID
		}
	}
	c.To = ""
	if !f.deps.Catalogue.Status().Online {
		c.Notice = msg("choose.offline_seats")
	}
	if n := f.closedModes(idx); c.Notice.IsZero() && !n.IsZero() {
		c.Notice = n
	}
}

// origins are the stops with departures of mode, the kiosk's own first.
func (f *Flow) origins(idx *catalog.Index, mode catalog.Mode) []StopOption {
	var out []StopOption
	for _, s := range idx.Catalogue().Stops {
		if len(idx.Destinations(s.ID, mode)) > 0 {
			out = append(out, StopOption{ID: s.ID, Name: s.Name})
		}
	}
	slices.SortStableFunc(out, func(a, b StopOption) int {
		switch {
		case a.ID == f.cfg.Station:
			return -1
		case b.ID == f.cfg.Station:
			return 1
		}
		return 0
	})
	return out
}

// renderChoose builds the choose screen from the catalogue in use.
func (f *Flow) renderChoose() *Choose {
	x := f.m.choose
	idx, _ := f.catalogue()
	if idx == nil {
		return &x
	}
	for _, m := range f.openModes(idx) {
		x.Modes = append(x.Modes, ModeOption{Mode: m, Label: msg("mode." + string(m)), Selected: m == x.Mode})
	}
	x.Trips = slices.Clone(x.Trips)
	if x.Mode == catalog.ModeBus {
		x.Products = f.productOptions(idx)
		return &x
	}
	x.Origins = f.origins(idx, x.Mode)
	for _, s := range idx.Destinations(x.From, x.Mode) {
		x.Destinations = append(x.Destinations, StopOption{ID: s.ID, Name: s.Name})
	}
	day := f.now().In(f.cfg.Location)
	for i := range f.cfg.SearchDays {
		d := day.AddDate(0, 0, i)
		label := msgf("date.day", d.Format("02/01"))
		switch i {
		case 0:
			label = msgf("date.today", d.Format("02/01"))
		case 1:
			label = msgf("date.tomorrow", d.Format("02/01"))
		}
		x.Dates = append(x.Dates, DateOption{Date: d.Format("2006-01-02"), Label: label})
	}
	return &x
}

// productOptions are the passes and rides on sale now.
func (f *Flow) productOptions(idx *catalog.Index) []ProductOption {
	online := f.deps.Catalogue.Status().Online
	var out []ProductOption
	for _, p := range idx.Products(catalog.ModeBus) {
		if !online && (!p.Offline || f.cfg.NoOfflineSales) {
			continue
		}
		o := ProductOption{ID: p.ID, Name: p.Name, Kind: p.Kind, Price: p.Price, PriceText: tickets.FormatVND(p.Price)}
		if op, ok := idx.Operator(p.Operator); ok {
			o.Operator = op.Name
		}
		switch p.Kind {
		case catalog.ProductMonthly:
			o.Validity = msg("product.monthly")
			for _, m := range f.months() {
				o.Months = append(o.Months, MonthOption{Month: m.Format("2006-01"), Label: msgf("month.label", m.Format("01/2006"))})
			}
		case catalog.ProductRide:
			o.Validity = msgf("product.ride", p.ValidDays)
		}
		out = append(out, o)
	}
	return out
}

// months a pass may start: this month and the next.
func (f *Flow) months() []time.Time {
	n := f.now().In(f.cfg.Location)
	this := time.Date(n.Year(), n.Month(), 1, 0, 0, 0, 0, f.cfg.Location)
	return []time.Time{this, this.AddDate(0, 1, 0)}
}

func (f *Flow) chooseIntent(in Intent) {
	idx, ok := f.catalogue()
	if !ok {
		f.openChoose()
		return
	}
	c := &f.m.choose
	switch in.Kind {
	case IntentMode:
		switch {
		case !slices.Contains(idx.Modes(), in.Mode):
		case !f.sells(in.Mode):
			c.Notice = closedNotice(in.Mode) // staff closed it: buy at the counter
		default:
			f.setMode(in.Mode)
		}
	case IntentSearch:
		f.search(idx, in)
	case IntentTrip:
		i := slices.IndexFunc(c.Trips, func(t TripOption) bool { return t.Departure == in.Departure })
		if i < 0 {
			return
		}
		f.chooseTrip(idx, c.Trips[i])
	case IntentProduct:
		f.chooseProduct(idx, in.Product, in.Month)
	}
}

// search finds the departures asked for (only stops and days on offer).
func (f *Flow) search(idx *catalog.Index, in Intent) {
	c := &f.m.choose
	day, err := time.ParseInLocation("2006-01-02", in.Date, f.cfg.Location)
	today := f.now().In(f.cfg.Location)
	first := time.Date(today.Year(), today.Month(), today.Day(), 0, 0, 0, 0, f.cfg.Location)
	if err != nil || day.Before(first) || !day.Before(first.AddDate(0, 0, f.cfg.SearchDays)) {
		return
	}
	if in.From != "" {
		c.From = in.From
	}
	c.To, c.Date, c.Searched, c.Trips = in.To, in.Date, true, nil
	for _, t := range idx.Search(catalog.Query{Mode: c.Mode, From: c.From, To: c.To, Day: day, After: f.now().Add(f.cfg.SaleCutoff), Limit: maxTrips}) {
		o := TripOption{Departure: t.Departure.ID, Service: t.Departure.Service, Route: t.Route.Name, Departs: t.Departs.In(f.cfg.Location),
			Arrives: t.Arrives.In(f.cfg.Location), FromName: idx.StopName(t.From), ToName: idx.StopName(t.To), MinFare: t.MinFare()}
		o.FareText = msgf("choose.from_fare", tickets.FormatVND(o.MinFare)).VI
		if op, ok := idx.Operator(t.Route.Operator); ok {
			o.Operator = op.Name
		}
		c.Trips = append(c.Trips, o)
	}
	if len(c.Trips) == 0 {
		c.Notice = msg("choose.none")
	} else if !f.deps.Catalogue.Status().Online {
		c.Notice = msg("choose.offline_seats")
	} else {
		c.Notice = Text{}
	}
}

// chooseTrip starts the purchase of seats on a departure.
func (f *Flow) chooseTrip(idx *catalog.Index, o TripOption) {
	dep, ok := idx.Departure(o.Departure)
	if !ok {
		return
	}
	trips := idx.Search(catalog.Query{From: f.m.choose.From, To: f.m.choose.To, Day: o.Departs, After: o.Departs.Add(-time.Second)})
	i := slices.IndexFunc(trips, func(t catalog.Trip) bool { return t.Departure.ID == dep.ID })
	if i < 0 {
		return
	}
	t := trips[i]
	if !f.sells(t.Route.Mode) {
		f.m.choose.Notice = closedNotice(t.Route.Mode)
		return
	}
	op, _ := idx.Operator(t.Route.Operator)
	sm, _ := idx.SeatMap(dep.SeatMap)
	p := f.m.p
	p.mode, p.trip, p.product, p.operator, p.seatMap = t.Route.Mode, &t, nil, op, sm
	p.chosen, p.taken, p.hold, p.holdKey = nil, nil, nil, ""
	f.m.passNote = Text{}
	f.setScreen(ScreenPassengers)
}

// chooseProduct starts the purchase of a pass or ride.
func (f *Flow) chooseProduct(idx *catalog.Index, id, month string) {
	opts := f.productOptions(idx)
	i := slices.IndexFunc(opts, func(o ProductOption) bool { return o.ID == id })
	if i < 0 {
		return
	}
	pr, _ := idx.Product(id)
	if !f.sells(pr.Mode) {
		f.m.choose.Notice = closedNotice(pr.Mode)
		return
	}
	from := f.now()
	if pr.Kind == catalog.ProductMonthly {
		j := slices.IndexFunc(opts[i].Months, func(m MonthOption) bool { return m.Month == month })
		if j < 0 {
			return
		}
		from, _ = time.ParseInLocation("2006-01", month, f.cfg.Location)
	}
	op, _ := idx.Operator(pr.Operator)
	p := f.m.p
	p.mode, p.trip, p.product, p.from, p.operator = pr.Mode, nil, &pr, from, op
	p.chosen, p.hold = nil, nil
	f.m.passNote = Text{}
	f.setScreen(ScreenPassengers)
}

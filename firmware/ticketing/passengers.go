package ticketing

import (
	"slices"
	"time"
)

// The passengers screen: who travels. The buyer travels unless removed;
// others are added with their own card (nothing is typed that the card
// gives) or, for a child without a card, by the ID number and birth date
// typed on the keypad. Age concessions follow from the birth date and are
// only shown; the operator's declarable ones (students, disability …) are
// yes/no items per traveller.

func (f *Flow) renderPassengers() *Passengers {
	p := f.m.p
	x := &Passengers{Max: f.maxTravellers(), Notice: f.m.passNote, List: []Traveller{}}
	if p == nil {
		return x
	}
	x.Named = p.mode.Named()
	switch {
	case p.trip != nil:
		x.For = p.trip.Route.Name + " – " + p.trip.Departs.In(f.cfg.Location).Format("15:04 02/01/2006")
	case p.product != nil:
		x.For = p.product.Name
	}
	fares := p.operator.Fares()
	at := f.travelTime()
	for _, t := range p.travs {
		v := Traveller{Person: f.personView(t), Kind: t.kind, Buyer: t == f.m.buyer}
		if t.kind == KindChild {
			v.Name = ""
		}
		if c, ok := fares.Derived(t.dob, at); ok {
			v.Derived = msgf("passengers.derived", c.Text)
		}
		for _, c := range fares.Declarable() {
			o := CategoryOption{Code: c.Code, Text: Text{Key: "category." + c.Code, VI: c.Text, EN: c.Text}, Yes: slices.Contains(t.declared, c.Code)}
			if c.Proof != "" {
				o.Proof = msgf("passengers.proof", c.Proof)
			}
			v.Categories = append(v.Categories, o)
		}
		x.List = append(x.List, v)
	}
	return x
}

// travelTime is when the purchase is used: the departure, or the first
// instant a product is valid (what age concessions are judged on).
func (f *Flow) travelTime() time.Time {
	p := f.m.p
	switch {
	case p == nil:
		return f.now()
	case p.trip != nil:
		return p.trip.Departs
	case p.product != nil && !p.from.IsZero():
		return p.from
	}
	return f.now()
}

func (f *Flow) passengersIntent(in Intent) {
	p := f.m.p
	f.m.passNote = Text{}
	switch in.Kind {
	case IntentAddCard:
		f.identifyAs(RolePassenger)
	case IntentAddChild:
		f.m.childErr = Text{}
		f.setScreen(ScreenChild)
	case IntentRemove:
		if in.Passenger >= 0 && in.Passenger < len(p.travs) {
			p.travs = slices.Delete(p.travs, in.Passenger, in.Passenger+1)
		}
	case IntentCategory:
		f.declare(in.Passenger, in.Category, in.Yes)
	case IntentContinue:
		if len(p.travs) == 0 {
			return
		}
		if p.trip != nil {
			f.showSeats(Text{})
			return
		}
		f.priceAll(nil)
		f.setScreen(ScreenFare)
	}
}

// declare sets or clears a declarable concession of traveller i.
func (f *Flow) declare(i int, code string, yes bool) {
	p := f.m.p
	if i < 0 || i >= len(p.travs) {
		return
	}
	ok := false
	for _, c := range p.operator.Fares().Declarable() {
		ok = ok || c.Code == code
	}
	if !ok {
		return
	}
	t := p.travs[i]
	t.declared = slices.DeleteFunc(t.declared, func(c string) bool { return c == code })
	if yes {
		t.declared = append(t.declared, code)
	}
}

package ticketing

import (
	"slices"
	"time"

	"github.com/kiosk06/kiosk/firmware/ticketing/backend"
	"github.com/kiosk06/kiosk/firmware/tickets"
	"github.com/kiosk06/kiosk/payments/tariff"
)

// The fare: each traveller's base fare (the hold's, for a seat; the
// product's price otherwise) less the operator's cheapest concession they
// qualify for — by the card's birth date on the day of travel, or
// declared — in integer đồng (payments/tariff). The backend checks the same
// table and refuses a sale whose prices differ.

// priceAll prices every traveller; held are the held seats (nil for a
// product), travs[i] on held[i].
func (f *Flow) priceAll(held []backend.HeldSeat) {
	p := f.m.p
	fares := p.operator.Fares()
	at := f.travelTime()
	p.lines, p.total = nil, 0
	for i, t := range p.travs {
		l := line{trav: t}
		switch {
		case p.product != nil:
			l.base = p.product.Price
		case i < len(held):
			l.seat, l.class, l.base = held[i].Seat, held[i].Class, held[i].Fare
		}
		c, applied, err := fares.Price(tariff.VND(l.base), tariff.Traveller{BirthDate: t.dob, Declared: t.declared}, at)
		l.price = int64(c.Total)
		if err != nil {
			l.price = l.base
			applied = ""
		}
		l.category = applied
		p.lines = append(p.lines, l)
		p.total += l.price
	}
}

func (f *Flow) renderFare() *Fare {
	p := f.m.p
	x := &Fare{Total: p.total, TotalText: tickets.FormatVND(p.total)}
	cats := p.operator.Fares().Categories
	proofs := map[string]bool{}
	for _, l := range p.lines {
		fl := FareLine{Passenger: l.trav.label() + " – " + maskID(l.trav.idNumber), Base: l.base, BaseText: tickets.FormatVND(l.base),
			Price: l.price, PriceText: tickets.FormatVND(l.price)}
		switch {
		case l.seat != "":
			fl.Item = p.seatMap.Classes[l.class] + " " + l.seat
		case p.product != nil:
			fl.Item = p.product.Name
		}
		if i := slices.IndexFunc(cats, func(c tariff.Category) bool { return c.Code == l.category }); i >= 0 {
			c := cats[i]
			fl.Concession = Text{Key: "category." + c.Code, VI: c.Text, EN: c.Text}
			if c.Declared && c.Proof != "" {
				fl.Proof = msgf("passengers.proof", c.Proof)
				if !proofs[c.Proof] {
					proofs[c.Proof] = true
					x.Notes = append(x.Notes, msgf("fare.proof", c.Proof))
				}
			}
		}
		x.Lines = append(x.Lines, fl)
	}
	if p.hold != nil {
		// By this kiosk's clock: the time the hold has left from now.
		left := max(f.holdLeft(), 0)
		x.HoldExpires = f.now().Add(left).Round(0).In(f.cfg.Location)
		x.Remaining = left.Truncate(time.Second)
		x.Notes = append(x.Notes, msgf("fare.held", x.HoldExpires.Format("15:04")))
	}
	if p.product != nil && !f.deps.Catalogue.Status().Online {
		x.Notes = append(x.Notes, msg("fare.offline"))
	}
	if p.total == 0 {
		x.Notes = append(x.Notes, msg("fare.free"))
	}
	return x
}

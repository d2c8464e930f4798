package tariff

import (
	"fmt"
	"time"
)

// Vehicle is a vehicle class at the parking gate.
type Vehicle string

// Vehicle classes.
const (
	Bicycle   Vehicle = "bicycle"
	Motorbike Vehicle = "motorbike"
	Car       Vehicle = "car"
)

// PerVisit prices one visit by the windows it touches: only the day window,
// only the night window, or both (day and night). Stays longer than 24 h pay
// DayAndNight per full 24 h plus the price of the remainder.
type PerVisit struct {
	Day, Night, DayAndNight VND
}

// PerBlock prices by duration: First covers the first FirstBlock (or part
// of it), then Next for each further Block or part. DailyCap, if set, caps
// each full or started 24 h period.
type PerBlock struct {
	FirstBlock time.Duration
	First      VND
	Block      time.Duration
	Next       VND
	DailyCap   VND
}

// Rate is the price rule for one vehicle class: exactly one of PerVisit and
// PerBlock is set.
type Rate struct {
	PerVisit *PerVisit
	PerBlock *PerBlock
	// LostTicket is added when the ticket is lost (the stay is then priced
	// from the entry record the device keeps).
	LostTicket VND
}

// Parking is a car park's tariff.
type Parking struct {
	// DayStart and NightStart are the local times of day the day window
	// [DayStart, NightStart) and the night window begin (06:00 and 18:00).
	DayStart, NightStart time.Duration
	// Grace is free time: a stay of at most Grace costs nothing.
	Grace time.Duration
	Rates map[Vehicle]Rate
}

// DefaultParking is the common Vietnamese public tariff the issue quotes:
// motorbike 5.000 day, 8.000 night, 12.000 day-and-night; bicycle 2.000 /
// 3.000 / 5.000; car 25.000 for the first 2 h then 10.000 per started hour,
// capped at 200.000 per 24 h; 10 min grace; lost ticket 50.000 / 200.000.
func DefaultParking() Parking {
	return Parking{
		DayStart: 6 * time.Hour, NightStart: 18 * time.Hour, Grace: 10 * time.Minute,
		Rates: map[Vehicle]Rate{
			Bicycle:   {PerVisit: &PerVisit{Day: 2000, Night: 3000, DayAndNight: 5000}, LostTicket: 20000},
			Motorbike: {PerVisit: &PerVisit{Day: 5000, Night: 8000, DayAndNight: 12000}, LostTicket: 50000},
			Car: {PerBlock: &PerBlock{FirstBlock: 2 * time.Hour, First: 25000, Block: time.Hour, Next: 10000, DailyCap: 200000},
				LostTicket: 200000},
		},
	}
}

const day = 24 * time.Hour

// Fee prices a stay from in to out for vehicle v; lost adds the lost-ticket fee.
func (p Parking) Fee(v Vehicle, in, out time.Time, lost bool) (Charge, error) {
	if out.Before(in) {
		return Charge{}, fmtErr(ErrBadInterval, "in %s, out %s", in.Format(time.RFC3339), out.Format(time.RFC3339))
	}
	return p.FeeFor(v, in, out.Sub(in), lost)
}

// FeeFor prices a stay of length stay that began at in (the entry's wall
// time, local) for vehicle v; lost adds the lost-ticket fee. The stay is
// measured by the caller (on a monotonic clock, not as a difference of wall
// times a clock step would change); the day and night windows it touches
// are those from in to in+stay.
func (p Parking) FeeFor(v Vehicle, in time.Time, stay time.Duration, lost bool) (Charge, error) {
	var c Charge
	rate, ok := p.Rates[v]
	if !ok {
		return c, fmtErr(ErrUnknownVehicle, "%q", v)
	}
	if err := p.check(rate); err != nil {
		return c, err
	}
	if stay < 0 {
		return c, fmtErr(ErrBadInterval, "in %s, stay %v", in.Format(time.RFC3339), stay)
	}
	in = in.Round(0) // wall time only: the windows are local times of day
	switch {
	case stay <= p.Grace && !lost:
		c.add("parking.grace", "Miễn phí (thời gian ân hạn)", 0)
	case rate.PerVisit != nil:
		p.perVisit(&c, *rate.PerVisit, in, in.Add(stay))
	default:
		perBlock(&c, *rate.PerBlock, stay)
	}
	if lost {
		c.add("parking.lost_ticket", "Phí mất vé", rate.LostTicket)
	}
	return c, nil
}

func (p Parking) check(r Rate) error {
	switch {
	case p.DayStart < 0 || p.NightStart <= p.DayStart || p.NightStart >= day:
		return fmtErr(ErrConfig, "day window %v–%v", p.DayStart, p.NightStart)
	case (r.PerVisit == nil) == (r.PerBlock == nil):
		return fmtErr(ErrConfig, "a rate needs exactly one of PerVisit and PerBlock")
	case r.PerBlock != nil && (r.PerBlock.FirstBlock <= 0 || r.PerBlock.Block <= 0):
		return fmtErr(ErrConfig, "block lengths must be positive")
	}
	return nil
}

func (p Parking) perVisit(c *Charge, r PerVisit, in, out time.Time) {
	full := int64(out.Sub(in) / day)
	if full > 0 {
		c.add("parking.day_and_night", fmt.Sprintf("Ngày đêm × %d", full), VND(full)*r.DayAndNight)
		in = in.Add(time.Duration(full) * day)
	}
	if !out.After(in) {
		return
	}
	touchDay, touchNight := p.windows(in, out)
	switch {
	case touchDay && touchNight:
		c.add("parking.day_and_night", "Ngày đêm", r.DayAndNight)
	case touchNight:
		c.add("parking.night", "Lượt đêm", r.Night)
	default:
		c.add("parking.day", "Lượt ngày", r.Day)
	}
}

// windows reports whether the half-open stay [in, out) (shorter than 24 h)
// has any instant in the day window and any in the night window, in local
// time.
func (p Parking) windows(in, out time.Time) (touchDay, touchNight bool) {
	loc := Location()
	for t := in.In(loc); t.Before(out); {
		midnight := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, loc)
		tod := t.Sub(midnight)
		var next time.Time
		switch {
		case tod < p.DayStart:
			touchNight, next = true, midnight.Add(p.DayStart)
		case tod < p.NightStart:
			touchDay, next = true, midnight.Add(p.NightStart)
		default:
			touchNight, next = true, midnight.Add(day+p.DayStart)
		}
		t = next
	}
	return touchDay, touchNight
}

func perBlock(c *Charge, r PerBlock, stay time.Duration) {
	full := int64(stay / day)
	rest := stay - time.Duration(full)*day
	if full > 0 {
		one := blockPrice(r, day)
		c.add("parking.block_day", fmt.Sprintf("Trọn ngày × %d", full), VND(full)*one)
	}
	if rest > 0 || full == 0 {
		c.add("parking.block", fmt.Sprintf("Theo giờ (%s)", rest.Round(time.Minute)), blockPrice(r, rest))
	}
}

// blockPrice prices a stay of at most 24 h: the first block, then each
// started further block, capped by DailyCap.
func blockPrice(r PerBlock, d time.Duration) VND {
	price := r.First
	if d > r.FirstBlock {
		extra := (d - r.FirstBlock + r.Block - 1) / r.Block
		price += VND(extra) * r.Next
	}
	if r.DailyCap > 0 && price > r.DailyCap {
		price = r.DailyCap
	}
	return price
}

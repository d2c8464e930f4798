// Package stats computes the statistics a check-in point's operator must
// report (seed 002's figures: reads and successful ones with their rate,
// cases verified, check-ins, entries and exits; seed 003 MH11 "phục vụ báo
// cáo, thống kê … kiểm soát lượng khách"), per day, week and month, from
// the store's checkin.* records — their payloads only, never their sealed
// fields, so no aggregate carries personal data — and lays them out for
// the screen, the printer, CSV and XLSX.
//
// Reporting periods follow the seeds' cadence ("định kỳ vào thứ 2 hàng
// tuần và trước ngày 16 hàng tháng", seed 004): a week is Monday to Sunday
// (reported on the Monday after); a reporting month runs from the 15th of
// the previous month to the 14th (reported before the 16th). That window is
// the state administration's monthly cut-off (Nghị định 09/2019/NĐ-CP on
// reporting, Điều 12 — quoted from memory: our search tool could not
// retrieve the text) and it is the window of seed 002's own monthly
// figures ("15/10–14/11/2023"). Calendar months are available too.
//
// A report covers what the store still holds: acknowledged records are
// purged after [store] retention. A period that starts before the oldest
// record still held is reported as incomplete, with the first day
// covered, never silently short.
//
// It imports firmware/records (the payloads, Scan) and the standard
// library; it must not import the flow, the UI, drivers or the store's
// internals.
package stats

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/kiosk06/kiosk/firmware/records"
	"github.com/kiosk06/kiosk/firmware/store"
)

// PeriodKind names a reporting period.
type PeriodKind string

// Periods.
const (
	PeriodDay       PeriodKind = "day"
	PeriodWeek      PeriodKind = "week"       // Monday–Sunday
	PeriodMonth     PeriodKind = "month"      // 15th of the previous month – 14th
	PeriodCalendar  PeriodKind = "calendar"   // a calendar month
	PeriodCustom    PeriodKind = "custom"     // any days
	dayLayout                  = "2006-01-02" // record day keys
	maxPeriodInDays            = 400
)

// Period is a run of whole days [From, To] in a time zone.
type Period struct {
	Kind PeriodKind
	From time.Time // 00:00 of the first day
	To   time.Time // 00:00 of the last day
}

// Days is the number of days in p.
func (p Period) Days() int { return int(p.To.Sub(p.From).Hours()/24+0.5) + 1 }

func midnight(t time.Time, loc *time.Location) time.Time {
	t = t.In(loc)
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, loc)
}

// Day is the day of t.
func Day(t time.Time, loc *time.Location) Period {
	d := midnight(t, loc)
	return Period{Kind: PeriodDay, From: d, To: d}
}

// Week is the Monday–Sunday week of t.
func Week(t time.Time, loc *time.Location) Period {
	d := midnight(t, loc)
	back := (int(d.Weekday()) + 6) % 7 // days since Monday
	from := d.AddDate(0, 0, -back)
	return Period{Kind: PeriodWeek, From: from, To: from.AddDate(0, 0, 6)}
}

// LastWeek is the week reported on t's Monday: the whole week before t's.
func LastWeek(t time.Time, loc *time.Location) Period {
	return Week(midnight(t, loc).AddDate(0, 0, -7), loc)
}

// Month is the reporting month t falls in: from the 15th of one month to
// the 14th of the next.
func Month(t time.Time, loc *time.Location) Period {
	d := midnight(t, loc)
	from := time.Date(d.Year(), d.Month(), 15, 0, 0, 0, 0, loc)
	if d.Day() < 15 {
		from = from.AddDate(0, -1, 0)
	}
	to := time.Date(from.Year(), from.Month()+1, 14, 0, 0, 0, 0, loc)
	return Period{Kind: PeriodMonth, From: from, To: to}
}

// LastMonth is the latest reporting month that has ended by t (what is
// due "trước ngày 16").
func LastMonth(t time.Time, loc *time.Location) Period {
	m := Month(t, loc)
	return Month(m.From.AddDate(0, 0, -1), loc)
}

// Calendar is the calendar month of t.
func Calendar(t time.Time, loc *time.Location) Period {
	d := midnight(t, loc)
	from := time.Date(d.Year(), d.Month(), 1, 0, 0, 0, 0, loc)
	return Period{Kind: PeriodCalendar, From: from, To: from.AddDate(0, 1, -1)}
}

// Counts are one day's (or a period's) numbers.
type Counts struct {
	Reads          int `json:"reads"`           // cards or QR codes read
	Genuine        int `json:"genuine"`         // reads whose card was proven genuine
	NotGenuine     int `json:"not_genuine"`     // reads of a card proven forged or cloned
	Unverified     int `json:"unverified"`      // reads that could not be proven either way
	HolderMatched  int `json:"holder_matched"`  // fingerprint matched the card's holder
	HolderMismatch int `json:"holder_mismatch"` // fingerprint did not match
	Verified       int `json:"verified"`        // customer verifications that succeeded
	VerifyFailed   int `json:"verify_failed"`   // customer verifications that did not
	CheckIns       int `json:"check_ins"`       // lodging check-ins
	CheckOuts      int `json:"check_outs"`      // lodging check-outs
	Accepted       int `json:"accepted"`        // candidates accepted
	Refused        int `json:"refused"`         // candidates refused
	Entries        int `json:"entries"`         // entries through the gate
	Exits          int `json:"exits"`           // exits
	GateRefused    int `json:"gate_refused"`    // entries or exits refused
	PeakOccupancy  int `json:"peak_occupancy"`  // most people inside at once
}

func (c *Counts) add(o Counts) {
	c.Reads += o.Reads
	c.Genuine += o.Genuine
	c.NotGenuine += o.NotGenuine
	c.Unverified += o.Unverified
	c.HolderMatched += o.HolderMatched
	c.HolderMismatch += o.HolderMismatch
	c.Verified += o.Verified
	c.VerifyFailed += o.VerifyFailed
	c.CheckIns += o.CheckIns
	c.CheckOuts += o.CheckOuts
	c.Accepted += o.Accepted
	c.Refused += o.Refused
	c.Entries += o.Entries
	c.Exits += o.Exits
	c.GateRefused += o.GateRefused
	c.PeakOccupancy = max(c.PeakOccupancy, o.PeakOccupancy)
}

// GenuineRate is Genuine / Reads (0 with no reads).
func (c Counts) GenuineRate() float64 {
	if c.Reads == 0 {
		return 0
	}
	return float64(c.Genuine) / float64(c.Reads)
}

// DayCounts is one day of a report.
type DayCounts struct {
	Day time.Time // 00:00 local
	Counts
}

// Report is a period's statistics.
type Report struct {
	Period Period
	Days   []DayCounts // every day of the period, in order (zeros included)
	Total  Counts
	// Complete is false when the store no longer holds the period's first
	// days (purged after retention); CoveredFrom is then the first day it
	// holds records of.
	Complete    bool
	CoveredFrom time.Time
}

// ErrPeriod is returned for a period Compute refuses.
var ErrPeriod = errors.New("stats: invalid period")

// statKinds are the kinds a report reads.
var statKinds = []string{records.KindCheckinRead, records.KindCheckinHolder, records.KindCheckinVerify, records.KindCheckinLodging,
	records.KindCheckinAttendance, records.KindCheckinGate}

// Compute counts the checkin.* records of device in r over p. Each record
// is placed on the day of its payload's time (the flow's clock, Stamp.At)
// in p's zone.
func Compute(ctx context.Context, r records.Reader, p Period) (Report, error) {
	loc := p.From.Location()
	if p.To.Before(p.From) || p.Days() > maxPeriodInDays {
		return Report{}, fmt.Errorf("%w: %s to %s", ErrPeriod, p.From.Format(dayLayout), p.To.Format(dayLayout))
	}
	rep := Report{Period: p, Complete: true}
	idx := map[string]int{}
	for d := p.From; !d.After(p.To); d = d.AddDate(0, 0, 1) {
		idx[d.Format(dayLayout)] = len(rep.Days)
		rep.Days = append(rep.Days, DayCounts{Day: d})
	}
	end := p.To.AddDate(0, 0, 1)
	var oldest time.Time
	for _, kind := range statKinds {
		err := records.Scan(ctx, r, kind, func(rec store.Record) error {
			at, c, err := count(rec)
			if err != nil {
				return err
			}
			if oldest.IsZero() || at.Before(oldest) {
				oldest = at
			}
			if at.Before(p.From) || !at.Before(end) {
				return nil
			}
			i := idx[at.In(loc).Format(dayLayout)]
			rep.Days[i].add(c)
			return nil
		})
		if err != nil {
			return Report{}, fmt.Errorf("stats: %s: %w", kind, err)
		}
	}
	for _, d := range rep.Days {
		rep.Total.add(d.Counts)
	}
	// Records older than what the store holds are gone; if the oldest it
	// holds is after the period began, the period's start may be missing.
	recs, err := r.Records(ctx, "", 0, 1) // the oldest record the store holds
	if err != nil {
		return Report{}, fmt.Errorf("stats: %w", err)
	}
	if len(recs) == 1 && recs[0].Seq > 1 && recs[0].CreatedAt.After(p.From) {
		rep.Complete, rep.CoveredFrom = false, midnight(recs[0].CreatedAt, loc)
	}
	return rep, nil
}

// count is what one record adds, and when it happened.
func count(rec store.Record) (time.Time, Counts, error) {
	var c Counts
	var st records.Stamp
	decode := func(p records.Payload, stamp *records.Stamp) error {
		if err := records.Decode(rec, p); err != nil {
			return err
		}
		st = *stamp
		return nil
	}
	var err error
	switch rec.Kind {
	case records.KindCheckinRead:
		var p records.CheckinRead
		if err = decode(&p, &p.Stamp); err == nil {
			c.Reads = 1
			switch p.Verdict {
			case "genuine":
				c.Genuine = 1
			case "not_genuine":
				c.NotGenuine = 1
			default:
				c.Unverified = 1
			}
		}
	case records.KindCheckinHolder:
		var p records.CheckinHolder
		if err = decode(&p, &p.Stamp); err == nil {
			switch p.Outcome {
			case "matched":
				c.HolderMatched = 1
			case "mismatch":
				c.HolderMismatch = 1
			}
		}
	case records.KindCheckinVerify:
		var p records.CheckinVerify
		if err = decode(&p, &p.Stamp); err == nil {
			if p.Outcome == "verified" {
				c.Verified = 1
			} else {
				c.VerifyFailed = 1
			}
		}
	case records.KindCheckinLodging:
		var p records.CheckinLodging
		if err = decode(&p, &p.Stamp); err == nil {
			if p.Action == "check_in" {
				c.CheckIns = 1
			} else {
				c.CheckOuts = 1
			}
		}
	case records.KindCheckinAttendance:
		var p records.CheckinAttendance
		if err = decode(&p, &p.Stamp); err == nil {
			if p.Outcome == "accepted" {
				c.Accepted = 1
			} else {
				c.Refused = 1
			}
		}
	case records.KindCheckinGate:
		var p records.CheckinGate
		if err = decode(&p, &p.Stamp); err == nil {
			switch {
			case p.Outcome != "ok":
				c.GateRefused = 1
			case p.Direction == "entry":
				c.Entries = 1
			default:
				c.Exits = 1
			}
			c.PeakOccupancy = p.Occupancy
		}
	}
	if err != nil {
		return time.Time{}, c, fmt.Errorf("stats: record %d: %w", rec.Seq, err)
	}
	at := st.At
	if at.IsZero() {
		at = rec.CreatedAt
	}
	return at, c, nil
}

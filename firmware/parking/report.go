package parking

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/kiosk06/kiosk/drivers/escpos"
	"github.com/kiosk06/kiosk/firmware/identity"
	"github.com/kiosk06/kiosk/firmware/records"
	"github.com/kiosk06/kiosk/firmware/store"
	"github.com/kiosk06/kiosk/firmware/tickets"
	"github.com/kiosk06/kiosk/payments/tariff"
)

// ShiftReport counts a shift's traffic and money, from the durable records.
type ShiftReport struct {
	Gate     string           `json:"gate"`
	From     time.Time        `json:"from"`
	To       time.Time        `json:"to"`
	Entries  int              `json:"entries"`
	Exits    int              `json:"exits"`
	Lost     int              `json:"lost_tickets"`
	Refused  map[string]int   `json:"refused"` // reason → count (already_exited, payment_timeout, …)
	Revenue  tariff.VND       `json:"revenue"` // money collected (debts excluded)
	ByMethod map[Method]int64 `json:"by_method"`
	Debt     tariff.VND       `json:"debt"` // opened offline per policy, to settle
	Inside   int              `json:"inside"`
}

// Report summarises the records created at or after from.
func (t *Terminal) Report(ctx context.Context, from time.Time) (ShiftReport, error) {
	r := ShiftReport{Gate: t.cfg.Gate, From: from, To: t.cfg.Now(), Refused: map[string]int{}, ByMethod: map[Method]int64{}, Inside: t.Inside()}
	err := records.Scan(ctx, t.deps.Store, "", func(rec store.Record) error {
		if !rec.CreatedAt.Before(from) {
			r.add(rec)
		}
		return nil
	})
	if err != nil {
		err = fmt.Errorf("parking: report: %w", err)
	}
	return r, err
}

func (r *ShiftReport) add(rec store.Record) {
	switch rec.Kind {
	case KindEntry:
		r.Entries++
	case KindExit:
		var x records.ParkingExit
		if records.Decode(rec, &x) != nil {
			return
		}
		r.Exits++
		if x.Lost {
			r.Lost++
		}
		r.ByMethod[Method(x.Method)] += x.Amount
		if Method(x.Method) == MethodDebt {
			r.Debt += tariff.VND(x.Amount)
		} else {
			r.Revenue += tariff.VND(x.Amount)
		}
	case KindRefused:
		var x records.ParkingRefused
		if records.Decode(rec, &x) == nil {
			r.Refused[x.Reason]++
		}
	}
}

// Document lays the report out for the receipt printer.
func (r ShiftReport) Document(h tickets.Header) *escpos.Document {
	d := &escpos.Document{}
	d.Add(escpos.Text{Text: h.Name, Bold: true, Align: escpos.AlignCenter})
	d.Add(escpos.Text{Text: "BÁO CÁO CA", Size: escpos.SizeLarge, Bold: true, Align: escpos.AlignCenter})
	d.Add(escpos.Row{Left: "Cổng:", Right: r.Gate})
	d.Add(escpos.Row{Left: "Từ:", Right: tickets.FormatTime(r.From)})
	d.Add(escpos.Row{Left: "Đến:", Right: tickets.FormatTime(r.To)})
	d.Add(escpos.Rule{Dashed: true})
	d.Add(escpos.Row{Left: "Lượt vào:", Right: fmt.Sprint(r.Entries)})
	d.Add(escpos.Row{Left: "Lượt ra:", Right: fmt.Sprint(r.Exits)})
	d.Add(escpos.Row{Left: "Mất vé:", Right: fmt.Sprint(r.Lost)})
	d.Add(escpos.Row{Left: "Xe trong bãi:", Right: fmt.Sprint(r.Inside)})
	reasons := make([]string, 0, len(r.Refused))
	for k := range r.Refused {
		reasons = append(reasons, k)
	}
	sort.Strings(reasons)
	for _, k := range reasons {
		d.Add(escpos.Row{Left: "Từ chối (" + k + "):", Right: fmt.Sprint(r.Refused[k])})
	}
	d.Add(escpos.Rule{Dashed: true})
	for _, m := range []Method{MethodVietQR, MethodAccount, MethodDebt} {
		if v, ok := r.ByMethod[m]; ok {
			d.Add(escpos.Row{Left: string(m) + ":", Right: tickets.FormatVND(v)})
		}
	}
	d.Add(escpos.Row{Left: "TỔNG THU", Right: tickets.FormatVND(int64(r.Revenue)), Bold: true, Size: escpos.SizeLarge})
	if r.Debt > 0 {
		d.Add(escpos.Row{Left: "Nợ (ngoại tuyến):", Right: tickets.FormatVND(int64(r.Debt))})
	}
	d.Add(escpos.Cut{})
	return d
}

// PrintReport computes the report since from, records that it was printed,
// and prints it.
func (t *Terminal) PrintReport(ctx context.Context, from time.Time) (ShiftReport, error) {
	r, err := t.Report(ctx, from)
	if err != nil {
		return r, err
	}
	if _, err := t.appendRecord(ctx, r.payload(), ""); err != nil {
		return r, err
	}
	if t.deps.Printer == nil {
		return r, fmt.Errorf("parking: report: no printer")
	}
	if _, err := t.deps.Printer.Print(ctx, r.Document(t.cfg.Header)); err != nil {
		return r, fmt.Errorf("parking: report: %w", err)
	}
	return r, nil
}

// payload is r as its parking.report record.
func (r ShiftReport) payload() *records.ParkingReport {
	p := &records.ParkingReport{Gate: r.Gate, From: r.From, To: r.To, Entries: r.Entries, Exits: r.Exits, Lost: r.Lost,
		Refused: r.Refused, Revenue: int64(r.Revenue), ByMethod: make(map[string]int64, len(r.ByMethod)), Debt: int64(r.Debt), Inside: r.Inside}
	for m, v := range r.ByMethod {
		p.ByMethod[string(m)] = v
	}
	return p
}

// Restore rebuilds the vehicles inside and the used tickets from the store,
// with each entry's boot and time since boot, and the latest time since
// boot each earlier boot recorded (the least a stay begun in it lasted).
func (t *Terminal) Restore(ctx context.Context) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	err := records.Scan(ctx, t.deps.Store, KindEntry, func(rec store.Record) error {
		var x records.ParkingEntry
		if err := records.Decode(rec, &x); err != nil {
			t.log.Warn("parking: restore: entry record unreadable, skipped", "seq", rec.Seq, "err", err)
			return nil
		}
		t.sawMono(rec)
		e := &entry{Ticket: x.Ticket, Plate: rec.Personal[FieldPlate], Vehicle: tariff.Vehicle(x.Vehicle), At: x.At.In(t.cfg.Location),
			Boot: rec.BootID, Mono: rec.Mono}
		if h, err := identity.ParseToken(x.Token); err == nil {
			e.Token = h
		}
		t.addInside(e)
		return nil
	})
	if err != nil {
		return fmt.Errorf("parking: restore: %w", err)
	}
	err = records.Scan(ctx, t.deps.Store, KindExit, func(rec store.Record) error {
		var x records.ParkingExit
		if err := records.Decode(rec, &x); err != nil {
			t.log.Warn("parking: restore: exit record unreadable, skipped", "seq", rec.Seq, "err", err)
			return nil
		}
		t.sawMono(rec)
		t.removeInside(x.Ticket)
		return nil
	})
	if err != nil {
		return fmt.Errorf("parking: restore: %w", err)
	}
	return nil
}

// sawMono notes rec's time since boot. Caller holds mu.
func (t *Terminal) sawMono(rec store.Record) {
	if rec.BootID != "" && rec.Mono > t.lastMono[rec.BootID] {
		t.lastMono[rec.BootID] = rec.Mono
	}
}

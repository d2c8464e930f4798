package ticketing

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/kiosk06/kiosk/drivers/escpos"
	"github.com/kiosk06/kiosk/firmware/records"
	"github.com/kiosk06/kiosk/firmware/ticketing/backend"
	"github.com/kiosk06/kiosk/firmware/ticketing/catalog"
	"github.com/kiosk06/kiosk/firmware/tickets"
)

// The sale. Once paid (or free), the flow announces the sale, asks the
// backend to sell (the same key on every attempt: one sale however often
// it is sent), and makes the sale and each ticket durable records before a
// ticket prints. When the backend cannot be reached and every item may
// sell offline (passes, rides from the cached catalogue), the kiosk issues
// the tickets itself: the records carry them to the backend, which lists
// them for validators. A sale the backend refuses after payment, or one it
// never confirms, leaves the money owed back: that is recorded
// (ticketing.refund "due") and said on screen and on a slip.

// sell announces the sale and sends it.
func (f *Flow) sell() {
	p := f.m.p
	if p.saleKey == "" {
		p.saleKey = newKey(f.cfg.DeviceID)
	}
	req := f.saleRequest()
	in := &records.TicketingIntent{Action: records.ActionSale, Key: req.Key, Hold: req.Hold, Amount: req.Total, Travellers: len(req.Items), Reference: p.pay.Ref}
	if p.trip != nil {
		in.Departure = p.trip.Departure.ID
	}
	if p.product != nil {
		in.Products = []string{p.product.ID}
	}
	if !f.announce(in) {
		return
	}
	f.setScreen(ScreenIssuing)
	attempts, step := f.cfg.SaleAttempts, f.cfg.StepTimeout
	f.start(func(ctx context.Context, _ uint64) func() {
		var sale backend.Sale
		var err error
		for i := range attempts {
			sctx, cancel := context.WithTimeout(ctx, step)
			sale, err = f.deps.Backend.Sell(sctx, req)
			cancel()
			if err == nil || !errors.Is(err, backend.ErrUnavailable) || ctx.Err() != nil || i == attempts-1 {
				break
			}
			select {
			case <-time.After(time.Duration(i+1) * 500 * time.Millisecond):
			case <-ctx.Done():
			}
		}
		if ctx.Err() != nil {
			return nil
		}
		return func() { f.onSale(req, sale, err) }
	})
}

// saleRequest is the purchase as the backend sells it.
func (f *Flow) saleRequest() backend.SaleRequest {
	p := f.m.p
	req := backend.SaleRequest{Key: p.saleKey, Buyer: f.m.buyer.token.String(), Total: p.total,
		Payment: backend.Payment{Method: "free", Amount: p.total}}
	if p.total > 0 {
		req.Payment = backend.Payment{Method: "vietqr", Ref: p.pay.Ref, TxnID: p.pay.TxnID, Amount: p.total, PaidAt: f.now()}
	}
	if p.hold != nil {
		req.Hold = p.hold.ID
	}
	named := p.mode.Named()
	for _, l := range p.lines {
		it := backend.SaleItem{Base: l.base, Price: l.price, Category: l.category,
			Passenger: backend.Passenger{Token: l.trav.token.String(), Kind: l.trav.kind}}
		if named {
			it.Passenger.Name, it.Passenger.IDNumber, it.Passenger.Sex = l.trav.name, l.trav.idNumber, l.trav.sex
		}
		// The birth date goes with a named ticket, and with any age
		// concession (the backend checks it).
		if !l.trav.dob.IsZero() && (named || l.category != "" && !declared(p.operator, l.category)) {
			it.Passenger.DOB = l.trav.dob.Format("2006-01-02")
		}
		if p.trip != nil {
			it.Departure, it.From, it.To, it.Seat = p.trip.Departure.ID, p.trip.From, p.trip.To, l.seat
		} else {
			it.Product, it.ValidFrom = p.product.ID, p.from
		}
		req.Items = append(req.Items, it)
	}
	return req
}

// declared reports whether code is a declared (not age) concession.
func declared(op catalog.Operator, code string) bool {
	for _, c := range op.Concessions {
		if c.Code == code {
			return c.Declared
		}
	}
	return false
}

func (f *Flow) onSale(req backend.SaleRequest, sale backend.Sale, err error) {
	f.deps.Catalogue.Observe(err, f.now())
	p := f.m.p
	switch {
	case err == nil:
		f.issue(req, sale, false)
	case errors.Is(err, backend.ErrUnavailable) && f.offlineSellable():
		f.log.Warn("ticketing: backend unreachable; issuing offline", "err", err)
		f.issue(req, f.offlineSale(req), true)
	case errors.Is(err, backend.ErrUnavailable):
		f.log.Warn("ticketing: sale not confirmed", "err", err)
		if !f.saleOutcome(req, "failed", errClass(err), "") {
			return
		}
		f.record(&records.TicketingHelp{Screen: string(ScreenIssuing), Reason: "sale_failed"}, nil)
		f.showError("sale_unconfirmed", msg("error.sale_unconfirmed"), msgf("error.sale_unconfirmed_next", p.pay.Ref), f.sell, "")
	default:
		f.log.Warn("ticketing: sale refused", "err", err)
		f.refused(req, errClass(err))
	}
}

// offlineSellable: every item may be issued by the kiosk now.
func (f *Flow) offlineSellable() bool {
	p := f.m.p
	return !f.cfg.NoOfflineSales && p.product != nil && p.product.Offline && f.deps.Catalogue.Status().Usable(f.now())
}

// offlineSale is the kiosk's own sale: ids from the sale key, unsigned
// codes that name it.
func (f *Flow) offlineSale(req backend.SaleRequest) backend.Sale {
	p := f.m.p
	s := backend.Sale{ID: req.Key, Total: req.Total}
	for i := range req.Items {
		id := fmt.Sprintf("%s-%d", req.Key, i+1)
		from, until := p.from, p.from
		switch p.product.Kind {
		case catalog.ProductMonthly:
			until = time.Date(from.Year(), from.Month()+1, 1, 0, 0, 0, 0, f.cfg.Location)
		case catalog.ProductRide:
			until = from.AddDate(0, 0, p.product.ValidDays)
		}
		s.Tickets = append(s.Tickets, backend.Ticket{ID: id, Item: i, Code: backend.OfflineCode(f.cfg.DeviceID, id), ValidFrom: from, ValidUntil: until})
	}
	return s
}

// saleOutcome records the sale's outcome (ok reports whether it is durable).
func (f *Flow) saleOutcome(req backend.SaleRequest, outcome, failure, saleID string) bool {
	p := f.m.p
	rec := &records.TicketingSale{Outcome: outcome, Key: req.Key, Purchase: p.key, Sale: saleID, Hold: req.Hold, Buyer: req.Buyer,
		Amount: req.Total, Method: req.Payment.Method, PaymentRef: req.Payment.Ref, TxnID: req.Payment.TxnID, Failure: failure}
	if outcome == "sold" || outcome == "offline" {
		rec.Tickets = len(req.Items)
	}
	if !f.record(rec, nil) {
		f.stop()
		return false
	}
	return true
}

// issue makes the sale and its tickets durable, then prints them.
func (f *Flow) issue(req backend.SaleRequest, sale backend.Sale, offline bool) {
	p := f.m.p
	outcome := "sold"
	if offline {
		outcome = "offline"
	}
	p.offline = offline
	p.issued = p.issued[:0]
	for _, t := range sale.Tickets {
		p.issued = append(p.issued, issued{ticket: t, line: p.lines[t.Item]})
	}
	p.hold = nil // sold: nothing to release
	f.m.holdC = nil
	if !f.saleOutcome(req, outcome, "", sale.ID) {
		return
	}
	for _, is := range p.issued {
		rec, pers := f.ticketRecord(req, sale, is, offline)
		if !f.record(rec, pers) {
			f.stop()
			return
		}
	}
	p.sold = true
	docs := make([]*escpos.Document, 0, len(p.issued))
	for _, is := range p.issued {
		docs = append(docs, f.ticketDoc(is))
	}
	f.start(func(ctx context.Context, _ uint64) func() {
		var perr error
		var last *escpos.Document // the last ticket printed whole
		for _, d := range docs {
			sctx, cancel := f.stepCtx(ctx)
			_, perr = f.deps.Printer.Print(sctx, d)
			cancel()
			if perr != nil {
				break
			}
			last = d
		}
		if ctx.Err() != nil {
			return nil
		}
		return func() {
			f.printed(last) // the staff menu's "reprint"
			f.onPrinted(perr)
		}
	})
}

// ticketRecord is the durable record of one ticket.
func (f *Flow) ticketRecord(req backend.SaleRequest, sale backend.Sale, is issued, offline bool) (*records.TicketingTicket, map[string]string) {
	p := f.m.p
	l := is.line
	rec := &records.TicketingTicket{Ticket: is.ticket.ID, Sale: sale.ID, Key: req.Key, Code: is.ticket.Code, Offline: offline,
		Operator: p.operator.ID, Mode: string(p.mode), ValidFrom: is.ticket.ValidFrom, ValidTo: is.ticket.ValidUntil,
		Token: l.trav.token.String(), Traveller: l.trav.kind, Category: l.category, Base: l.base, Price: l.price}
	switch {
	case p.trip != nil:
		rec.Kind, rec.Departure, rec.From, rec.To, rec.Seat, rec.Class = "seat", p.trip.Departure.ID, p.trip.From, p.trip.To, l.seat, l.class
		if rec.ValidFrom.IsZero() {
			rec.ValidFrom, rec.ValidTo = p.trip.Departs, p.trip.Arrives
		}
	default:
		rec.Kind, rec.Product, rec.Route = string(p.product.Kind), p.product.ID, f.routeCode(p.product.Route)
	}
	if p.mode.Named() {
		return rec, personal(l.trav)
	}
	return rec, nil
}

// routeCode is the code validators know route by ("" stays every route).
func (f *Flow) routeCode(route string) string {
	if route == "" {
		return ""
	}
	if idx := f.deps.Catalogue.Index(); idx != nil {
		if r, ok := idx.Route(route); ok && r.Code != "" {
			return r.Code
		}
	}
	return route
}

// ticketDoc lays out one ticket for the printer.
func (f *Flow) ticketDoc(is issued) *escpos.Document {
	p := f.m.p
	l := is.line
	t := tickets.Travel{ID: is.ticket.ID, Code: is.ticket.Code, Operator: p.operator.Name, Hotline: p.operator.Phone,
		Passenger: l.trav.label(), PassengerID: maskID(l.trav.idNumber), Base: l.base, Price: l.price, PaymentRef: p.pay.Ref,
		IssuedAt: f.now().In(f.cfg.Location)}
	t.Title = f.ticketTitle().VI
	if l.category != "" {
		for _, c := range p.operator.Concessions {
			if c.Code == l.category {
				t.Concession = c.Text
				if c.Declared && c.Proof != "" {
					t.Note = msgf("ticket.proof", c.Proof).VI
				}
			}
		}
	}
	idx := f.deps.Catalogue.Index()
	if p.trip != nil {
		t.Route, t.Service, t.Seat, t.Class = p.trip.Route.Name, p.trip.Departure.Service, l.seat, p.seatMap.Classes[l.class]
		t.Departs, t.Arrives = p.trip.Departs.In(f.cfg.Location), p.trip.Arrives.In(f.cfg.Location)
		if idx != nil {
			t.From, t.To = idx.StopName(p.trip.From), idx.StopName(p.trip.To)
		}
	} else {
		t.Route, t.ValidFrom, t.ValidUntil = p.product.Name, is.ticket.ValidFrom.In(f.cfg.Location), is.ticket.ValidUntil.In(f.cfg.Location)
	}
	if p.offline {
		t.Note = joinNote(msg("ticket.offline").VI, t.Note)
	}
	return tickets.TravelTicket(f.cfg.Header, t)
}

func joinNote(a, b string) string {
	if b == "" {
		return a
	}
	return a + " " + b
}

// ticketTitle names what was sold.
func (f *Flow) ticketTitle() Text {
	p := f.m.p
	switch {
	case p.mode == catalog.ModeTrain:
		return msg("ticket.title_train")
	case p.mode == catalog.ModeCoach:
		return msg("ticket.title_coach")
	case p.product != nil && p.product.Kind == catalog.ProductMonthly:
		return msg("ticket.title_monthly")
	}
	return msg("ticket.title_ride")
}

func (f *Flow) onPrinted(perr error) {
	p := f.m.p
	x := Issued{Printed: perr == nil, PaperOut: errors.Is(perr, escpos.ErrPaperEnd), Offline: p.offline}
	for _, is := range p.issued {
		it := IssuedTicket{ID: is.ticket.ID, Title: f.ticketTitle(), Passenger: is.line.trav.label() + " – " + maskID(is.line.trav.idNumber),
			Seat: is.line.seat, PriceText: tickets.FormatVND(is.line.price), Code: is.ticket.Code}
		if p.trip != nil {
			it.Item, it.Departs = p.trip.Route.Name, p.trip.Departs.In(f.cfg.Location)
		} else {
			it.Item, it.ValidFrom, it.ValidUntil = p.product.Name, is.ticket.ValidFrom.In(f.cfg.Location), is.ticket.ValidUntil.In(f.cfg.Location)
		}
		x.Tickets = append(x.Tickets, it)
	}
	told := perr != nil && f.record(&records.TicketingHelp{Screen: string(ScreenIssued), Reason: "printer_" + printClass(perr), Ticket: p.issued[0].ticket.ID}, nil)
	switch {
	case perr != nil && told:
		x.Message = msg("issued.print_failed")
	case perr != nil:
		x.Message = msg("issued.print_failed_desk")
	case p.offline:
		x.Message = msg("issued.offline")
	default:
		x.Message = msg("issued.printed")
	}
	f.m.issued = x
	f.setScreen(ScreenIssued)
}

func printClass(err error) string {
	switch {
	case errors.Is(err, escpos.ErrPaperEnd):
		return "paper_end"
	case errors.Is(err, context.DeadlineExceeded):
		return "timeout"
	}
	return "error"
}

// refused: the backend refused the sale (signed) after the person paid:
// the payment is owed back. It is recorded, said, and printed on a slip.
func (f *Flow) refused(req backend.SaleRequest, code string) {
	p := f.m.p
	if !f.saleOutcome(req, "refused", code, "") {
		return
	}
	p.hold, f.m.holdC = nil, nil
	if p.total > 0 {
		if !f.record(&records.TicketingRefund{State: "due", Key: req.Key, Price: p.total, Amount: p.total, PaymentRef: p.pay.Ref,
			TxnID: p.pay.TxnID, Failure: code}, nil) {
			f.stop()
			return
		}
		p.owed = true
		f.record(&records.TicketingHelp{Screen: string(ScreenIssuing), Reason: "sale_refused"}, nil)
		doc := tickets.RefundSlip(f.cfg.Header, tickets.Refund{Ticket: p.pay.Ref, Price: p.total, Amount: p.total,
			Rule: msg("refund.sale_refused").VI, Method: msg("refund.method").VI, At: f.now().In(f.cfg.Location)})
		f.background(func(ctx context.Context) func() {
			if _, err := f.deps.Printer.Print(ctx, doc); err != nil {
				return nil
			}
			return func() { f.printed(doc) } // the staff menu's "reprint"
		})
		f.showError("sale_refused", msgf("error.sale_refused", tickets.FormatVND(p.total)), msgf("error.sale_refused_next", p.pay.Ref), nil, "")
		return
	}
	f.showError("sale_refused", msg("error.sale_refused_free"), msg("error.hold_refused_next"), nil, "")
}

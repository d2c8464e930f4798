package ticketing

import (
	"context"
	"errors"
	"slices"

	"github.com/kiosk06/kiosk/firmware/records"
	"github.com/kiosk06/kiosk/firmware/ticketing/backend"
	"github.com/kiosk06/kiosk/firmware/ticketing/catalog"
	"github.com/kiosk06/kiosk/firmware/tickets"
)

// Cancelling a ticket: the holder (the passenger or the buyer) identifies
// with their CCCD, sees their tickets with the refund each would get under
// the operator's rules (from the catalogue), confirms one; the backend
// cancels it and says the refund (signed), which is recorded and printed.
// A change of ticket is a cancellation and a new purchase.

// loadTickets asks the backend for the holder's tickets.
func (f *Flow) loadTickets() {
	f.m.tickets = Tickets{Loading: true, Message: msg("tickets.loading")}
	f.setScreen(ScreenTickets)
	holder := f.m.buyer.token.String()
	f.start(func(ctx context.Context, _ uint64) func() {
		sctx, cancel := f.stepCtx(ctx)
		defer cancel()
		list, err := f.deps.Backend.Tickets(sctx, holder)
		if ctx.Err() != nil {
			return nil
		}
		return func() { f.onTickets(list, err) }
	})
}

func (f *Flow) onTickets(list []backend.TicketInfo, err error) {
	f.deps.Catalogue.Observe(err, f.now())
	if err != nil {
		f.log.Warn("ticketing: holder's tickets", "err", err)
		f.m.tickets = Tickets{Message: msg("tickets.unavailable")}
		return
	}
	idx := f.deps.Catalogue.Index()
	f.m.holding = nil
	x := Tickets{List: []HolderTicket{}}
	for _, t := range list {
		h := holderTicket{info: t}
		v := HolderTicket{ID: t.ID, Seat: t.Seat, Departs: t.DepartsAt.In(f.cfg.Location), Passenger: t.Passenger,
			PriceText: tickets.FormatVND(t.Price), Status: t.Status}
		if idx != nil {
			switch {
			case t.Departure != "":
				v.Item = idx.StopName(t.From) + " → " + idx.StopName(t.To)
			case t.Product != "":
				if pr, ok := idx.Product(t.Product); ok {
					v.Item = pr.Name
				}
			}
		}
		var op catalog.Operator
		ok := false
		if idx != nil {
			op, ok = idx.Operator(t.Operator)
		}
		switch {
		case t.Status != "valid":
			v.Quote = msg("tickets.status_" + t.Status)
		case t.Seat == "" || !ok:
			v.Quote = msg("tickets.not_refundable_product")
		default:
			if rule, ok := op.RefundFor(t.DepartsAt, f.now()); ok {
				h.refundable, h.rule = true, rule.Text
				h.fee = t.Price * int64(rule.FeePercent) / 100
				v.Refundable = true
				v.Quote = msgf("tickets.quote", tickets.FormatVND(t.Price-h.fee), rule.Text)
			} else {
				v.Quote = msg("tickets.too_late")
			}
		}
		f.m.holding = append(f.m.holding, h)
		x.List = append(x.List, v)
	}
	if len(x.List) == 0 {
		x.Message = msg("tickets.none")
	} else {
		x.Message = msg("tickets.choose")
	}
	f.m.tickets = x
}

// quoteRefund shows the confirmation for ticket id.
func (f *Flow) quoteRefund(id string) {
	i := slices.IndexFunc(f.m.holding, func(h holderTicket) bool { return h.info.ID == id })
	if i < 0 || !f.m.holding[i].refundable {
		return
	}
	h := f.m.holding[i]
	amount := h.info.Price - h.fee
	f.m.refund = Refund{Phase: RefundConfirm, Ticket: f.m.tickets.List[i], Price: h.info.Price, Fee: h.fee, Amount: amount,
		AmountText: tickets.FormatVND(amount), Rule: h.rule, Message: msgf("refund.confirm", tickets.FormatVND(amount), tickets.FormatVND(h.fee))}
	f.setScreen(ScreenRefund)
}

// confirmRefund cancels the ticket with the backend, after announcing it.
func (f *Flow) confirmRefund() {
	r := &f.m.refund
	key := newKey(f.cfg.DeviceID)
	req := backend.CancelRequest{Key: key, Ticket: r.Ticket.ID, Holder: f.m.buyer.token.String(), Reason: "holder"}
	if !f.announce(&records.TicketingIntent{Action: records.ActionRefund, Key: key, Ticket: req.Ticket}) {
		return
	}
	r.Phase, r.Message = RefundWorking, msg("refund.working")
	f.setScreen(ScreenRefund)
	f.start(func(ctx context.Context, _ uint64) func() {
		sctx, cancel := f.stepCtx(ctx)
		defer cancel()
		rf, err := f.deps.Backend.Cancel(sctx, req)
		if ctx.Err() != nil {
			return nil
		}
		return func() { f.onRefund(req, rf, err) }
	})
}

func (f *Flow) onRefund(req backend.CancelRequest, rf backend.Refund, err error) {
	f.deps.Catalogue.Observe(err, f.now())
	r := &f.m.refund
	rec := &records.TicketingRefund{Key: req.Key, Ticket: req.Ticket}
	var rej *backend.RejectedError
	switch {
	case err == nil:
		rec.State, rec.Sale, rec.Price, rec.Fee, rec.Amount, rec.Rule, rec.Method = "approved", rf.Sale, rf.Price, rf.Fee, rf.Amount, rf.Rule, rf.Method
	case errors.As(err, &rej):
		rec.State, rec.Failure, rec.Price = "refused", rej.Code, r.Price
	default:
		rec.State, rec.Failure, rec.Price = "failed", errClass(err), r.Price
	}
	if !f.record(rec, nil) {
		f.stop()
		return
	}
	switch rec.State {
	case "approved":
		r.Phase, r.Price, r.Fee, r.Amount, r.AmountText, r.Rule = RefundDone, rf.Price, rf.Fee, rf.Amount, tickets.FormatVND(rf.Amount), rf.Rule
		r.Message = msgf("refund.done", r.AmountText)
		doc := tickets.RefundSlip(f.cfg.Header, tickets.Refund{Ticket: rf.Ticket, Route: r.Ticket.Item, Price: rf.Price, Fee: rf.Fee,
			Amount: rf.Amount, Rule: rf.Rule, Method: msg("refund.method").VI, At: f.now().In(f.cfg.Location)})
		f.background(func(ctx context.Context) func() {
			_, perr := f.deps.Printer.Print(ctx, doc)
			if perr == nil {
				return func() { f.printed(doc) } // the staff menu's "reprint"
			}
			return func() {
				f.record(&records.TicketingHelp{Screen: string(ScreenRefund), Reason: "printer_" + printClass(perr), Ticket: rf.Ticket}, nil)
				if f.m.screen == ScreenRefund {
					f.m.refund.Message = msgf("refund.done_unprinted", f.m.refund.AmountText)
				}
			}
		})
	case "refused":
		r.Phase, r.Message = RefundRefused, msg("refund.refused")
	default:
		r.Phase, r.Message = RefundRefused, msg("refund.failed")
	}
	f.setScreen(ScreenRefund)
}

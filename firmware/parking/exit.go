package parking

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/kiosk06/kiosk/firmware/records"
	"github.com/kiosk06/kiosk/firmware/tickets"
	"github.com/kiosk06/kiosk/payments/session"
	"github.com/kiosk06/kiosk/payments/tariff"
)

// ExitRequest is a vehicle at the exit. The entry is found by the ticket's
// QR (TicketID), else by the CCCD credential, else by the typed plate (the
// lost-ticket path: the lost-ticket fee applies).
type ExitRequest struct {
	TicketID   string
	Credential Credential
	Plate      string
	Lost       bool   // the driver declares the ticket lost
	Method     Method // MethodVietQR (default) or MethodAccount
}

// ExitResult is a vehicle let out.
type ExitResult struct {
	TicketID string
	Amount   tariff.VND
	Method   Method
	PayRef   string
	TxnID    string
	Lost     bool
}

// Exit lets a vehicle out: find the entry → tariff → payment → durable exit
// record → barrier open → receipt → closed when the loop clears. The
// barrier opens only after the payment is confirmed (or per the offline
// policy). Errors: ErrUnknownTicket, ErrAlreadyExited, ErrPaymentTimeout,
// ErrPaymentFailed, ErrOffline (policy deny), ErrNoPayment, ErrClosed,
// ErrBusy (a vehicle is being served or the staff menu is open).
func (t *Terminal) Exit(ctx context.Context, req ExitRequest) (ExitResult, error) {
	if !t.takeLane() {
		return ExitResult{}, ErrBusy
	}
	defer t.releaseLane()
	e, lost, err := t.find(ctx, req)
	if err != nil {
		return ExitResult{}, err
	}
	// Closed after the entry was found: on a "both" lane a CCCD not inside
	// still goes on to the entry (serveCredential), and nothing is charged.
	if t.closed(ServiceExit) {
		return ExitResult{}, t.refuse(ctx, "exit", e.Ticket, "closed", 0, PhaseClosed, ErrClosed)
	}
	t.mu.Lock()
	prev, paid := t.unrecorded[e.Ticket]
	t.mu.Unlock()
	c := t.read()
	m := t.measure(e, c)
	// Priced from the entry's recorded wall time over the stay measured:
	// the day and night windows are those the entry clock placed it in.
	ch, err := t.cfg.Tariff.FeeFor(e.Vehicle, e.At, m.stay, lost)
	if paid { // paid on an earlier try whose exit record failed: not again
		ch, lost, m, err = prev.ch, prev.res.Lost, prev.m, nil
	}
	if err != nil {
		return ExitResult{}, t.refuse(ctx, "exit", e.Ticket, "tariff_error", 0, PhaseError, fmt.Errorf("parking: exit: %w", err))
	}
	if m.how != measuredBoot && m.how != measuredWall {
		t.log.Warn("parking: stay not measurable across the restart: wall clock behind the entry", "ticket", e.Ticket, "measured", m.how, "stay", m.stay)
	}
	st := State{Lane: "exit", TicketID: e.Ticket, Plate: e.Plate, Vehicle: e.Vehicle, EntryAt: e.At, ExitAt: c.At, Lost: lost, Amount: ch.Total, Lines: ch.Lines}
	res := ExitResult{TicketID: e.Ticket, Amount: ch.Total, Lost: lost}
	if paid {
		res = prev.res
	} else if err := t.pay(ctx, req, e, st, &res); err != nil {
		return res, err
	}
	if err := t.recordExit(ctx, e, st, ch, m, res); err != nil {
		return res, err
	}
	st.Phase = PhasePaid
	t.publish(st)
	err = t.openAndReceipt(ctx, e, st, res)
	t.idle()
	return res, err
}

// find locates the entry; lost reports the lost-ticket path.
func (t *Terminal) find(ctx context.Context, req ExitRequest) (*entry, bool, error) {
	plate := ""
	if req.Plate != "" {
		p, err := NormalizePlate(req.Plate)
		if err != nil {
			return nil, false, err
		}
		plate = p
	}
	t.mu.Lock()
	var ticket string
	lost := req.Lost
	switch {
	case req.TicketID != "":
		ticket = req.TicketID
	case req.Credential.HasCard():
		ticket = t.byToken[req.Credential.Token]
	case plate != "":
		ticket, lost = t.byPlate[plateKey(plate)], true
	}
	e, exited := t.inside[ticket], t.exited[ticket]
	t.mu.Unlock()
	switch {
	case e != nil:
		return e, lost, nil
	case exited:
		return nil, false, t.refuse(ctx, "exit", ticket, "already_exited", 0, PhaseAlreadyExited, ErrAlreadyExited)
	default:
		return nil, false, t.refuse(ctx, "exit", "", "unknown", 0, PhaseUnknownTicket, ErrUnknownTicket)
	}
}

// pay collects ch.Total by the requested method, filling res.
func (t *Terminal) pay(ctx context.Context, req ExitRequest, e *entry, st State, res *ExitResult) error {
	if res.Amount == 0 {
		res.Method = MethodFree
		return nil
	}
	if req.Method == MethodAccount {
		return t.payAccount(ctx, req, e, res)
	}
	return t.payVietQR(ctx, e, st, res)
}

func (t *Terminal) payAccount(ctx context.Context, req ExitRequest, e *entry, res *ExitResult) error {
	token := req.Credential.Token
	if token.IsZero() {
		token = e.Token
	}
	if t.deps.Accounts == nil || token.IsZero() {
		return t.refuse(ctx, "exit", e.Ticket, "no_account", res.Amount, PhasePaymentFailed, ErrNoPayment)
	}
	res.Method, res.PayRef = MethodAccount, "PK"+e.Ticket
	if _, err := t.appendRecord(ctx, &records.ParkingIntent{Action: "charge", Gate: t.cfg.Gate, Ticket: e.Ticket, Amount: int64(res.Amount), Ref: res.PayRef, Token: token.String()}, ""); err != nil {
		t.publish(State{Phase: PhaseOutOfService, Lane: "exit", TicketID: e.Ticket, Amount: res.Amount}) // not charged
		return err
	}
	txn, err := t.deps.Accounts.Charge(ctx, token, res.Amount, res.PayRef)
	switch {
	case err == nil:
		res.TxnID = txn
		return nil
	case errors.Is(err, ErrOffline) && t.cfg.OfflinePolicy == PolicyOpenRecordDebt:
		t.log.Warn("parking: account back-end offline, opening per policy", "ticket", e.Ticket)
		res.Method = MethodDebt
		return nil
	case errors.Is(err, ErrOffline):
		return t.refuse(ctx, "exit", e.Ticket, "offline_denied", res.Amount, PhasePaymentFailed, err)
	default:
		return t.refuse(ctx, "exit", e.Ticket, "account_declined", res.Amount, PhasePaymentFailed, fmt.Errorf("%w: %w", ErrPaymentFailed, err))
	}
}

func (t *Terminal) payVietQR(ctx context.Context, e *entry, st State, res *ExitResult) error {
	if t.deps.VietQR == nil {
		return t.refuse(ctx, "exit", e.Ticket, "no_vietqr", res.Amount, PhasePaymentFailed, ErrNoPayment)
	}
	res.Method = MethodVietQR
	info, err := t.deps.VietQR.Create(ctx, int64(res.Amount), "Gui xe "+e.Ticket)
	if err != nil {
		return t.refuse(ctx, "exit", e.Ticket, "payment_error", res.Amount, PhaseError, fmt.Errorf("%w: %w", ErrPaymentFailed, err))
	}
	res.PayRef = info.Ref
	if info, err = t.deps.VietQR.Shown(ctx, info.Ref); err != nil {
		return t.refuse(ctx, "exit", e.Ticket, "payment_error", res.Amount, PhaseError, fmt.Errorf("%w: %w", ErrPaymentFailed, err))
	}
	wctx, cancel := context.WithTimeout(ctx, t.cfg.PaymentTimeout)
	defer cancel()
	t.mu.Lock()
	t.cancel = cancel
	t.mu.Unlock()
	defer func() { t.mu.Lock(); t.cancel = nil; t.mu.Unlock() }()
	st.Phase, st.QRPayload, st.PayRef, st.Deadline = PhaseAwaitingPayment, info.Payload, info.Ref, t.cfg.Now().Add(t.cfg.PaymentTimeout)
	t.publish(st)
	info, _ = t.deps.VietQR.Await(wctx, info.Ref)
	if info.State == session.Paid {
		res.TxnID = info.TxnID
		return nil
	}
	cctx := context.WithoutCancel(ctx)
	if !info.State.Terminal() {
		if ci, err := t.deps.VietQR.Cancel(cctx, info.Ref, "exit lane timeout"); err == nil {
			info = ci
		}
	}
	if info.State == session.Failed {
		return t.refuse(cctx, "exit", e.Ticket, "payment_failed", res.Amount, PhasePaymentFailed, ErrPaymentFailed)
	}
	return t.refuse(cctx, "exit", e.Ticket, "payment_timeout", res.Amount, PhasePaymentTimeout, ErrPaymentTimeout)
}

// recordExit makes the exit durable and releases the ticket.
func (t *Terminal) recordExit(ctx context.Context, e *entry, st State, ch tariff.Charge, m stay, res ExitResult) error {
	// The token as its keyed hash, never the ID number; the plate sealed.
	rec := &records.ParkingExit{Ticket: e.Ticket, Gate: t.cfg.Gate, Vehicle: string(e.Vehicle), EntryAt: e.At, ExitAt: st.ExitAt, Lost: res.Lost,
		Amount: int64(res.Amount), Method: string(res.Method), Ref: res.PayRef, TxnID: res.TxnID,
		Stay: int64(m.stay / time.Second), Measured: m.how}
	for _, l := range ch.Lines {
		rec.Lines = append(rec.Lines, l.Code)
	}
	if !e.Token.IsZero() {
		rec.Token = e.Token.String()
	}
	if _, err := t.appendRecord(ctx, rec, e.Plate); err != nil {
		// Paid but not recorded: the barrier stays closed; the payment
		// session's own records (or the charge intent) keep the money
		// traceable, and the screen says the money was received.
		st.Phase, st.QRPayload = PhaseOutOfService, ""
		if res.Method == MethodVietQR || res.Method == MethodAccount {
			st.Message = msgPaidStopped
			// The next try of this exit (the store recovered) records the
			// payment already made instead of taking it again.
			t.mu.Lock()
			t.unrecorded[e.Ticket] = paidExit{res: res, ch: ch, m: m}
			t.mu.Unlock()
		}
		t.publish(st)
		return err
	}
	t.mu.Lock()
	t.removeInside(e.Ticket)
	delete(t.unrecorded, e.Ticket)
	t.mu.Unlock()
	return nil
}

// openAndReceipt opens the barrier, prints the receipt, closes after the
// vehicle passed.
func (t *Terminal) openAndReceipt(ctx context.Context, e *entry, st State, res ExitResult) error {
	receipt := tickets.ParkingReceipt(t.cfg.Header, tickets.ParkingPaid{ID: e.Ticket, Plate: e.Plate, EntryAt: e.At, ExitAt: st.ExitAt,
		Amount: int64(res.Amount), PaymentRef: res.PayRef, TransactionID: res.TxnID})
	if t.deps.Barrier == nil {
		t.print(ctx, "exit receipt", receipt)
		return nil
	}
	done := make(chan error, 1)
	go func() { done <- t.passBarrier(ctx, "exit", e.Ticket, st) }()
	t.print(ctx, "exit receipt", receipt)
	return <-done
}

package ticketing

import (
	"context"
	"time"

	"github.com/kiosk06/kiosk/firmware/records"
	"github.com/kiosk06/kiosk/firmware/tickets"
)

// Durable records of every outcome and intent; out of service when the
// store refuses.

// stampedPayload is a ticketing.* payload (a pointer): record stamps it.
type stampedPayload interface {
	records.Payload
	SetStamp(deviceID string, at time.Time)
}

// record writes a durable record and reports whether it is. A failure is
// logged and remembered (m.down): the caller stops at once (stop) when the
// next step acts outside the kiosk; otherwise the kiosk stops at
// toWelcome.
func (f *Flow) record(payload stampedPayload, personal records.Personal) bool {
	at := f.now()
	payload.SetStamp(f.cfg.DeviceID, at)
	ctx, cancel := context.WithTimeout(context.WithoutCancel(f.runCtx), 5*time.Second)
	defer cancel()
	for k, v := range personal {
		if v == "" {
			delete(personal, k)
		}
	}
	if len(personal) == 0 {
		personal = nil
	}
	kind := payload.RecordKind()
	err := f.deps.Recorder.Record(ctx, Record{At: at, Payload: payload, Personal: personal})
	if err == nil {
		return true
	}
	f.log.Error("ticketing: record not stored", "kind", kind, "err", err)
	if !f.m.down.active() {
		f.m.down.since, f.m.down.at = f.now(), kind
		if in, ok := payload.(*records.TicketingIntent); ok {
			f.m.down.at += "/" + in.Action
		}
	}
	f.m.down.failures++
	return false
}

// announce durably records that the flow is about to perform in.Action.
// When that cannot be stored the kiosk stops and announce returns false:
// the caller must not perform the action.
func (f *Flow) announce(in *records.TicketingIntent) bool {
	if p := f.m.p; p != nil {
		in.Purchase = p.key
	}
	if f.record(in, nil) {
		return true
	}
	f.stop()
	return false
}

// stop takes the kiosk out of service after a record could not be
// stored: an open payment is cancelled, held seats released, and the
// screen tells the person how far their purchase got.
func (f *Flow) stop() {
	next := f.stopNext()
	f.cancelPayment("out_of_service")
	f.releaseHold("out_of_service")
	f.outOfService(next)
}

// stopNext is what the person does next, from how far the purchase got.
func (f *Flow) stopNext() Text {
	p := f.m.p
	switch {
	case p == nil:
		return msg("out_of_service.nothing")
	case len(p.issued) > 0:
		// Sold (the backend has it): the tickets can be printed at the counter.
		return msgf("out_of_service.sold", p.issued[0].ticket.ID, p.pay.Ref)
	case p.paid:
		return msgf("out_of_service.paid", tickets.FormatVND(p.total), p.pay.Ref)
	}
	return msg("out_of_service.nothing")
}

// outOfService wipes the session and shows the out-of-service screen: no
// card is read and nothing sold until tryResume stores a record.
func (f *Flow) outOfService(next Text) {
	f.log.Warn("ticketing: out of service: records cannot be stored", "stopped_at", f.m.down.at, "failed_records", f.m.down.failures)
	f.stopOp()
	lang := f.m.lang
	f.m.wipe()
	f.m.lang = lang
	f.m.oos = OutOfService{Code: "store_unavailable", Message: msg("out_of_service.message"), Next: next, Since: f.m.down.since.In(f.cfg.Location)}
	f.setScreen(ScreenOutOfService)
	f.m.tickC = f.deps.Clock.After(f.cfg.IdleTimeout)
	f.m.resumeC = f.deps.Clock.After(f.cfg.ResumeCheck)
}

// tryResume stores the ticketing.service record that says the kiosk sells
// again; stored, it returns to welcome, otherwise it tries again later.
func (f *Flow) tryResume() {
	d := f.m.down
	if !d.active() {
		return
	}
	if !f.record(&records.TicketingService{State: "resumed", StoppedAt: d.at, Since: d.since.UTC().Format(time.RFC3339), FailedRecords: d.failures}, nil) {
		f.m.resumeC = f.deps.Clock.After(f.cfg.ResumeCheck)
		return
	}
	f.log.Info("ticketing: records are stored again: selling", "stopped_at", d.at, "failed_records", d.failures)
	f.m.down = storeDown{}
	f.toWelcome()
}

// personal is what a named ticket seals about its traveller.
func personal(p *person) records.Personal {
	out := records.Personal{PersonalName: p.name, PersonalID: p.idNumber}
	if !p.dob.IsZero() {
		out[PersonalDOB] = p.dob.Format("02/01/2006")
	}
	return out
}

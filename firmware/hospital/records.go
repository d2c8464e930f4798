package hospital

import (
	"context"
	"time"

	"github.com/kiosk06/kiosk/firmware/records"
)

// Durable records of every outcome and intent.

// stampedPayload is a hospital.* payload of firmware/records (a pointer):
// record stamps it with the device id and the time.
type stampedPayload interface {
	records.Payload
	SetStamp(deviceID string, at time.Time)
}

// personal returns the sealed fields of the current patient (and agent).
func (f *Flow) personal() records.Personal {
	p := records.Personal{}
	if v := f.m.v; v != nil {
		c := v.id.Citizen
		p[PersonalName], p[PersonalID], p[PersonalDOB] = c.Name, c.ID, c.DOB
		if c.Residence != "" {
			p[PersonalAddress] = c.Residence
		}
	}
	if a := f.m.agent; a != nil {
		p[PersonalAgentID] = a.Citizen.ID
	}
	return p
}

// record writes a durable record and reports whether it is. A failure is
// logged and remembered (m.down): the caller decides whether to stop at
// once (stop) — it must when the next step acts outside the kiosk — or,
// for the outcome of something already done, to finish this patient; the
// kiosk then stops at toWelcome.
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
	f.log.Error("hospital: record not stored", "kind", kind, "err", err)
	if !f.m.down.active() {
		f.m.down.since, f.m.down.at = f.now(), kind
		if in, ok := payload.(*records.HospitalIntent); ok {
			f.m.down.at += "/" + in.Action
		}
	}
	f.m.down.failures++
	return false
}

// announce durably records that the flow is about to perform in.Action (a
// KindIntent record carrying the visit's idempotency key). When that cannot
// be stored the kiosk stops and announce returns false: the caller must
// not perform the action.
func (f *Flow) announce(in *records.HospitalIntent, personal records.Personal) bool {
	if v := f.m.v; v != nil {
		in.Key = v.key
	}
	if f.record(in, personal) {
		return true
	}
	f.stop()
	return false
}

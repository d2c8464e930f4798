package hospital

import (
	"context"
	"time"
)

// Durable records of every outcome and intent.

// personal returns the sealed fields of the current patient (and agent).
func (f *Flow) personal() map[string]string {
	p := map[string]string{}
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
func (f *Flow) record(kind string, payload map[string]any, personal map[string]string) bool {
	payload["device_id"] = f.cfg.DeviceID
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
	err := f.deps.Recorder.Record(ctx, Record{Kind: kind, At: f.now(), Payload: payload, Personal: personal})
	if err == nil {
		return true
	}
	f.log.Error("hospital: record not stored", "kind", kind, "err", err)
	if !f.m.down.active() {
		f.m.down.since, f.m.down.at = f.now(), kind
		if a, ok := payload["action"].(string); ok {
			f.m.down.at += "/" + a
		}
	}
	f.m.down.failures++
	return false
}

// announce durably records that the flow is about to perform action (a
// KindIntent record carrying the visit's idempotency key). When that cannot
// be stored the kiosk stops and announce returns false: the caller must
// not perform the action.
func (f *Flow) announce(action string, payload map[string]any, personal map[string]string) bool {
	payload["action"] = action
	if v := f.m.v; v != nil {
		payload["key"] = v.key
	}
	if f.record(KindIntent, payload, personal) {
		return true
	}
	f.stop()
	return false
}

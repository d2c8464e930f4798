package hospital

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"time"

	"github.com/kiosk06/kiosk/drivers/escpos"
	"github.com/kiosk06/kiosk/firmware/his"
	"github.com/kiosk06/kiosk/firmware/records"
	"github.com/kiosk06/kiosk/firmware/tickets"
	"github.com/kiosk06/kiosk/payments/tariff"
	"github.com/kiosk06/kiosk/queue"
)

// Registering the visit in the HIS and issuing the queue ticket.

func newKey(device string) string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return device + "-" + hex.EncodeToString(b[:])
}

// register registers the visit in the HIS (once: a retry after a queue
// failure goes straight to the ticket), then issues the ticket. Each side
// effect is announced durably first; if that cannot be stored the kiosk
// stops before it.
func (f *Flow) register(k his.Clinic) {
	v := f.m.v
	if f.serviceClosed(k.Code) {
		f.showError("service_closed", msg("error.service_closed"), msg("error.service_closed_next"), nil, ScreenClinic)
		return
	}
	if v.key == "" || v.clinic.Code != k.Code && v.reg == nil {
		v.key = newKey(f.cfg.DeviceID)
	}
	v.clinic = k
	if v.reg != nil {
		f.setScreen(ScreenRegistering)
		f.issueTicket()
		return
	}
	visit := f.hisVisit()
	if !f.announce(&records.HospitalIntent{Action: ActionHISVisit, Clinic: k.Code, Priority: v.priority().String(),
		IntentVisit: &records.IntentVisit{Insured: v.insured, ForOther: f.m.agent != nil, BHYTPending: v.pending}}, f.personal()) {
		return
	}
	f.setScreen(ScreenRegistering)
	f.start(func(ctx context.Context, _ uint64) func() {
		sctx, cancel := f.stepCtx(ctx)
		defer cancel()
		reg, err := f.deps.HIS.Register(sctx, visit)
		if ctx.Err() != nil {
			return nil
		}
		if err != nil {
			return func() { f.onRegisterFailed(err) }
		}
		return func() {
			f.m.v.reg = &reg
			f.issueTicket()
		}
	})
}

// issueTicket issues the queue number of the registered visit and prints
// the ticket, after announcing it (the announcement also records the HIS
// visit number: the outcome of the registration).
func (f *Flow) issueTicket() {
	v := f.m.v
	reg, k, svc, prio := *v.reg, v.clinic, f.queueFor(v.clinic.Code), v.priority()
	if !f.announce(&records.HospitalIntent{Action: ActionQueueTicket, VisitNumber: reg.VisitNumber, Clinic: k.Code, Service: svc, Priority: prio.String()}, nil) {
		return
	}
	f.start(func(ctx context.Context, _ uint64) func() {
		sctx, cancel := f.stepCtx(ctx)
		defer cancel()
		qt, err := f.deps.Queue.Issue(sctx, svc, prio)
		if ctx.Err() != nil {
			return nil
		}
		if err != nil {
			return func() { f.onQueueFailed(err) }
		}
		doc := f.ticketDoc(reg, qt, k, prio)
		_, perr := f.deps.Printer.Print(sctx, doc)
		return func() {
			f.m.admin.lastTicket = doc
			f.onTicket(reg, qt, perr)
		}
	})
}

func (f *Flow) queueFor(clinic string) string {
	if s, ok := f.cfg.ClinicQueues[clinic]; ok {
		return s
	}
	return f.cfg.DefaultQueue
}

// hisVisit builds the XML1-style visit from the identity and the BHYT card.
func (f *Flow) hisVisit() his.Visit {
	v := f.m.v
	c := v.id.Citizen
	vis := his.Visit{
		IdempotencyKey: v.key,
		HoTen:          c.Name, SoCCCD: c.ID, DiaChi: c.Residence,
		GioiTinh: his.SexUnknown, LyDoVV: f.cfg.VisitReason,
		NgayVao:   f.now().In(f.cfg.Location).Format(his.DateTimeLayout),
		MaLoaiKCB: his.LoaiKCBKham, MaKhoa: v.clinic.Code,
		UuTien: v.priority().String(), MaThietBi: f.cfg.DeviceID,
	}
	if d, err := time.Parse("2006-01-02", c.DOB); err == nil {
		vis.NgaySinh = d.Format(his.DateLayout)
	}
	switch c.Sex {
	case "Nam":
		vis.GioiTinh = his.SexMale
	case "Nữ":
		vis.GioiTinh = his.SexFemale
	}
	if v.insured && v.pending {
		vis.MaTheBHYT = c.ID // the card is looked up by CCCD number at the counter
	} else if v.insured && v.ins != nil {
		card := v.ins.Card.Effective()
		vis.MaTheBHYT, vis.MaDKBD = card.MaThe, card.MaDKBD
		if vis.MaTheBHYT == "" {
			vis.MaTheBHYT = c.ID // looked up by CCCD number
		}
		vis.GtTheTu = his.FormatDate(card.ValidFrom(), time.UTC)
		vis.GtTheDen = his.FormatDate(card.ValidTo(), time.UTC)
	}
	return vis
}

func (f *Flow) ticketDoc(reg his.Registration, qt queue.Ticket, k his.Clinic, p queue.Priority) *escpos.Document {
	q := tickets.Queue{
		ID: reg.VisitNumber, Number: qt.ID, Service: k.Name,
		IssuedAt: qt.Issued.In(f.cfg.Location), Ahead: qt.Ahead, Wait: qt.Wait,
	}
	if k.Room != "" {
		q.Service = k.Name + " – " + k.Room
	}
	if q.ID == "" {
		q.ID = qt.ID
	}
	if p != queue.Normal {
		q.Priority = priorityText(p).VI
	}
	if _, err := tariff.HospitalBill(reg.Fees); err == nil {
		if a := amountsOf(reg.Fees); a != nil {
			q.Fees = &tickets.Fees{Total: a.Total, Insurance: a.Insurance, Patient: a.Patient}
		}
	}
	return tickets.QueueTicket(f.cfg.Header, q)
}

func (f *Flow) onRegisterFailed(err error) {
	f.log.Warn("hospital: HIS registration failed", "err", err)
	if !f.record(&records.HospitalRegistration{Outcome: "his_failed", Failure: errClass(err), Clinic: f.m.v.clinic.Code, Key: f.m.v.key}, f.personal()) {
		f.stop()
		return
	}
	clinic := f.m.v.clinic
	f.showError("his_unavailable", msg("error.his"), msg("error.his_next"), func() { f.register(clinic) }, ScreenClinic)
}

func (f *Flow) onQueueFailed(err error) {
	f.log.Warn("hospital: queue ticket failed", "err", err)
	v := f.m.v
	if !f.record(&records.HospitalRegistration{Outcome: "queue_failed", Failure: errClass(err), VisitNumber: v.reg.VisitNumber, Clinic: v.clinic.Code, Key: v.key}, nil) {
		f.stop()
		return
	}
	clinic := v.clinic
	f.showError("queue_unavailable", msg("error.queue"), msg("error.queue_next"), func() { f.register(clinic) }, "")
}

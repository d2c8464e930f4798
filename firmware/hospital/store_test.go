package hospital

import (
	"strings"
	"testing"
	"time"

	"github.com/kiosk06/kiosk/drivers/escpos"
	"github.com/kiosk06/kiosk/firmware/records"
	"github.com/kiosk06/kiosk/payments/session"
)

// printed is how many documents the printer was asked to print.
func (p *fakePrinter) printed() int { p.mu.Lock(); defer p.mu.Unlock(); return len(p.docs) }

// created is how many payment sessions were created.
func (p *fakePayments) created() int { p.mu.Lock(); defer p.mu.Unlock(); return p.n }

// TestStoreFailureStopsBeforeSideEffects fills the store at each point of a
// registration: nothing outside the kiosk (HIS visit, queue ticket,
// payment session) is done once a record could not be stored, and the
// screen says the kiosk is out of service and what the patient does now.
// Before issue 15 the flow logged "record not stored" and went on: the
// HIS visit was registered and the ticket printed on a full store.
func TestStoreFailureStopsBeforeSideEffects(t *testing.T) {
	tests := []struct {
		name string
		// run drives the patient; it makes the store fail at its point.
		run func(r *rig)
		// visits, prints, payments: side effects expected in total.
		visits, prints, payments int
		next                     string              // OutOfService.Next key
		nextHas                  func(r *rig) string // text Next must carry
	}{
		{
			name: "full from the start: the card read is not even recorded",
			run: func(r *rig) {
				r.rec.setFail(errStoreFull)
				r.ident.cards <- identResult{id: adult}
			},
			next: "out_of_service.not_registered",
		},
		{
			name: "full when the clinic is chosen: no HIS visit",
			run: func(r *rig) {
				r.toClinic(adult)
				r.rec.setFail(errStoreFull)
				r.send(Intent{Kind: IntentChoose, Clinic: "K01"})
			},
			next: "out_of_service.not_registered",
		},
		{
			name: "full while the HIS call is under way: the visit is unconfirmed",
			run: func(r *rig) {
				r.toClinic(adult)
				r.his.SetDelay(300 * time.Millisecond)
				r.send(Intent{Kind: IntentChoose, Clinic: "K01"})
				r.waitScreen(ScreenRegistering)
				r.rec.setFail(errStoreFull)
				r.tap(IntentCallStaff)
			},
			visits: -1, // the HIS may or may not have it: the fake finishes the call
			next:   "out_of_service.unconfirmed",
		},
		{
			name: "full once the HIS registered the visit: no queue number, no ticket",
			run: func(r *rig) {
				r.toClinic(adult)
				r.rec.setFailIf(func(Record) bool { return len(r.his.Visits()) > 0 })
				r.send(Intent{Kind: IntentChoose, Clinic: "K01"})
			},
			visits:  1,
			next:    "out_of_service.no_ticket",
			nextHas: func(*rig) string { return "LK000001" }, // the fake's first visit number
		},
		{
			name: "full once the ticket printed: the ticket shows, no payment code",
			run: func(r *rig) {
				r.toClinic(adult)
				r.rec.setFailIf(func(Record) bool { return r.printer.printed() > 0 })
				r.send(Intent{Kind: IntentChoose, Clinic: "K01"})
				s := r.waitScreen(ScreenTicket)
				if !s.Ticket.Printed || !s.Ticket.PaymentDue {
					r.t.Fatalf("ticket %+v", s.Ticket)
				}
				r.tap(IntentContinue) // pay now
			},
			visits: 1, prints: 1,
			next:    "out_of_service.pay_counter",
			nextHas: func(*rig) string { return "A001" },
		},
		{
			name: "full while the code shows: staff cannot be called, the session is cancelled",
			run: func(r *rig) {
				r.toClinic(adult)
				r.send(Intent{Kind: IntentChoose, Clinic: "K01"})
				r.waitScreen(ScreenTicket)
				r.tap(IntentContinue)
				r.wait("QR", func(s State) bool { return s.Payment != nil && s.Payment.Phase == PaymentWaiting })
				r.rec.setFail(errStoreFull)
				r.tap(IntentCallStaff)
			},
			visits: 1, prints: 1, payments: 1,
			next:    "out_of_service.pay_counter",
			nextHas: func(*rig) string { return "10.000 ₫" },
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := newRig(t, noHolder())
			tc.run(r)
			s := r.waitScreen(ScreenOutOfService)
			o := s.OutOfService
			if o == nil || o.Code != "store_unavailable" || o.Message.Key != "out_of_service.message" || o.Next.Key != tc.next || o.Since.IsZero() {
				t.Fatalf("out of service: %+v", o)
			}
			if tc.nextHas != nil && !strings.Contains(o.Next.VI, tc.nextHas(r)) {
				t.Errorf("next %q lacks %q", o.Next.VI, tc.nextHas(r))
			}
			if len(s.Actions) != 1 || s.Actions[0].Kind != IntentLanguage || s.Patient != nil || s.Help != nil {
				t.Errorf("out-of-service screen offers %v, patient %+v, help %+v", s.Actions, s.Patient, s.Help)
			}
			for _, txt := range []Text{o.Message, o.Next, s.Title} {
				if strings.Contains(txt.VI, "đã được báo") || strings.Contains(txt.VI, "đã gọi") || strings.Contains(strings.ToLower(txt.EN), "staff has been") {
					t.Errorf("claims staff was alerted: %+v", txt)
				}
			}
			if got := len(r.his.Visits()); got != tc.visits && tc.visits >= 0 {
				t.Errorf("HIS visits %d, want %d", got, tc.visits)
			}
			if got := r.printer.printed(); got != tc.prints {
				t.Errorf("printed %d, want %d", got, tc.prints)
			}
			if got := r.pay.created(); got != tc.payments {
				t.Errorf("payment sessions %d, want %d", got, tc.payments)
			}
			if tc.payments > 0 && len(r.pay.cancelled) != 1 {
				t.Errorf("open session not cancelled: %v", r.pay.cancelled)
			}
			if r.flow.m.v != nil || r.flow.m.agent != nil {
				t.Error("the model still holds the patient")
			}
			// A card tapped now is not read.
			r.ident.cards <- identResult{id: woman}
			r.send(Intent{Kind: IntentActivity})
			if r.last.Screen != ScreenOutOfService {
				t.Fatalf("screen %s after a tap while out of service", r.last.Screen)
			}
		})
	}
}

// TestIntentRecordedBeforeEachSideEffect: every side effect outside the
// kiosk is announced by a durable hospital.intent carrying the visit's
// idempotency key, before it happens, and followed by its outcome.
func TestIntentRecordedBeforeEachSideEffect(t *testing.T) {
	r := newRig(t, noHolder())
	var visitsAt, printsAt, paymentsAt []int // side effects seen when each intent was stored
	r.rec.setFailIf(func(rec Record) bool {
		if rec.Kind() == KindIntent {
			visitsAt = append(visitsAt, len(r.his.Visits()))
			printsAt = append(printsAt, r.printer.printed())
			paymentsAt = append(paymentsAt, r.pay.created())
		}
		return false
	})
	r.toClinic(adult)
	r.send(Intent{Kind: IntentChoose, Clinic: "K01"})
	r.waitScreen(ScreenTicket)
	r.tap(IntentContinue)
	r.wait("QR", func(s State) bool { return s.Payment != nil && s.Payment.Phase == PaymentWaiting })
	r.pay.results <- session.Paid
	r.waitScreen(ScreenReceipt)

	intents := r.rec.kinds(KindIntent)
	var actions []string
	for _, in := range intents {
		actions = append(actions, payloadOf[records.HospitalIntent](in).Action)
	}
	if strings.Join(actions, ",") != "his_visit,queue_ticket,payment" {
		t.Fatalf("intents %v", actions)
	}
	if want := []int{0, 1, 1}; !equalInts(visitsAt, want) {
		t.Errorf("HIS visits when each intent was stored: %v, want %v", visitsAt, want)
	}
	if want := []int{0, 0, 1}; !equalInts(printsAt, want) {
		t.Errorf("prints when each intent was stored: %v, want %v", printsAt, want)
	}
	if want := []int{0, 0, 0}; !equalInts(paymentsAt, want) {
		t.Errorf("payment sessions when each intent was stored: %v, want %v", paymentsAt, want)
	}
	reg := r.rec.kinds(KindRegistration)[0]
	for _, in := range intents {
		if payloadOf[records.HospitalIntent](in).Key != payloadOf[records.HospitalRegistration](reg).Key || payloadOf[records.HospitalIntent](in).Key == "" {
			t.Errorf("intent %v key %v, registration key %v", payloadOf[records.HospitalIntent](in).Action, payloadOf[records.HospitalIntent](in).Key, payloadOf[records.HospitalRegistration](reg).Key)
		}
	}
	if intents[0].Personal[PersonalID] != adult.Citizen.ID || payloadOf[records.HospitalIntent](intents[1]).VisitNumber != payloadOf[records.HospitalRegistration](reg).VisitNumber || payloadOf[records.HospitalIntent](intents[2]).Amount != int64(10000) {
		t.Errorf("intents %+v", intents)
	}
	if len(r.rec.kinds(KindPayment)) == 0 {
		t.Error("no payment outcome")
	}
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestOutOfServiceResumes: while records still fail the kiosk stays out of
// service; once one is stored (hospital.service "resumed", saying where and
// since when it stopped) it takes the next patient.
func TestOutOfServiceResumes(t *testing.T) {
	r := newRig(t, noHolder(), withConfig(func(c *Config) { c.ResumeCheck = 10 * time.Second; c.Prepayment = false }))
	r.rec.setFail(errStoreFull)
	stoppedAt := r.clock.Now()
	r.ident.cards <- identResult{id: adult}
	s := r.waitScreen(ScreenOutOfService)
	if s.OutOfService.Next.Key != "out_of_service.not_registered" || !s.OutOfService.Since.Equal(stoppedAt) {
		t.Fatalf("%+v", s.OutOfService)
	}
	// check advances the clock by d and waits until the flow has tried
	// the store again (and handled that try).
	check := func(d time.Duration) {
		t.Helper()
		n := r.rec.attempts()
		r.clock.Advance(d)
		for deadline := time.Now().Add(5 * time.Second); r.rec.attempts() == n; time.Sleep(time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatal("the flow did not try the store again")
			}
		}
		r.send(Intent{Kind: IntentActivity})
	}
	for range 3 { // the store is still full
		check(10 * time.Second)
		if r.last.Screen != ScreenOutOfService {
			t.Fatalf("resumed on a full store: %s", r.last.Screen)
		}
	}
	// The patient who was stopped has gone (IdleTimeout): the next person
	// reads the general line.
	check(30 * time.Second)
	r.wait("general line", func(s State) bool {
		return s.OutOfService != nil && s.OutOfService.Next.Key == "out_of_service.later"
	})
	r.rec.setFail(nil)
	check(10 * time.Second)
	r.waitScreen(ScreenWelcome)
	svc := r.rec.kinds(KindService)
	if len(svc) != 1 || payloadOf[records.HospitalService](svc[0]).State != "resumed" || payloadOf[records.HospitalService](svc[0]).StoppedAt != KindIdentify ||
		payloadOf[records.HospitalService](svc[0]).FailedRecords != 5 || payloadOf[records.HospitalService](svc[0]).Since != stoppedAt.UTC().Format(time.RFC3339) {
		t.Fatalf("service record %+v", svc)
	}
	r.toClinic(woman)
	r.send(Intent{Kind: IntentChoose, Clinic: "K01"})
	if s := r.waitScreen(ScreenTicket); !s.Ticket.Printed || len(r.his.Visits()) != 1 {
		t.Fatalf("after resuming: ticket %+v, visits %d", s.Ticket, len(r.his.Visits()))
	}
}

// TestOutcomeNotStoredFinishesThenStops: the ticket was issued and printed
// but its record could not be stored: the patient still gets their number
// (it exists in the HIS and the queue), a failed print does not claim staff
// was told, and the kiosk stops after this patient instead of taking the
// next one.
func TestOutcomeNotStoredFinishesThenStops(t *testing.T) {
	r := newRig(t, noHolder(), withConfig(func(c *Config) { c.Prepayment = false }))
	r.printer.err = escpos.ErrPaperEnd
	r.toClinic(adult)
	r.rec.setFailIf(func(rec Record) bool { return rec.Kind() != KindIntent })
	r.send(Intent{Kind: IntentChoose, Clinic: "K01"})
	s := r.waitScreen(ScreenTicket)
	if s.Ticket.Number != "A001" || s.Ticket.Message.Key != "ticket.paper_out_desk" || strings.Contains(s.Ticket.Message.VI, "đã được báo") {
		t.Fatalf("ticket %+v", s.Ticket)
	}
	r.tap(IntentDone)
	r.waitScreen(ScreenGoodbye)
	r.ident.cards <- identResult{id: woman} // the next patient taps during goodbye: not read
	r.clock.Advance(5 * time.Second)
	s = r.waitScreen(ScreenOutOfService)
	if s.OutOfService.Next.Key != "out_of_service.later" {
		t.Fatalf("%+v", s.OutOfService)
	}
	if n := len(r.his.Visits()); n != 1 {
		t.Fatalf("%d HIS visits", n)
	}
}

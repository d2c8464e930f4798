package tests

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kiosk06/kiosk/firmware/hospital"
	"github.com/kiosk06/kiosk/firmware/identity"
	"github.com/kiosk06/kiosk/firmware/profile"
	"github.com/kiosk06/kiosk/firmware/simrig"
)

// TestHospitalChildWithoutCard runs the hospital kiosk as a real kioskd
// process: the child's mother presents her card, chooses "Đăng ký cho trẻ
// em chưa có thẻ" and types the child's details as the screen's keypad and
// keyboard send them (IntentChild over --control). A birth date that does
// not match the ID number is refused in words (Identify.ChildError); the
// right one registers the child (a ticket), and the collector receives a
// hospital.child record naming the mother's verified card and the child's
// age. The child's ID number is in no published state, no record's clear
// payload and no log line.
func TestHospitalChildWithoutCard(t *testing.T) {
	dir := t.TempDir()
	sock := filepath.Join(dir, "control.sock")
	cmd, lines, stderr := startKioskd(t, dir, []string{"DISPLAY=", "WAYLAND_DISPLAY="}, "run", "--sim", "--control", sock)
	waitLine(t, lines, "ready", 30*time.Second, stderr)
	cc := dialControl(t, sock)
	cc.sim(profile.SimCommand{Sim: simrig.QueryCitizens})

	var child, mother *simrig.ControlCitizen
	var ticket *hospital.Ticket
	presented, forChild, wrongSent, refused, childSent, done := false, false, false, false, false, false
	var records *simrig.ControlReply
	deadline := time.After(90 * time.Second)
	for records == nil {
		l := cc.next(deadline, func() string {
			return fmt.Sprintf("for child %v, refused %v, sent %v, ticket %v", forChild, refused, childSent, ticket != nil)
		}, stderr)
		if l.State == nil {
			switch {
			case l.Reply == simrig.QueryCitizens:
				for i := range l.Citizens {
					switch c := &l.Citizens[i]; c.Citizen {
					case "child":
						child = c
					case "second-adult":
						mother = c
					}
				}
				if child == nil || mother == nil || child.HasCard {
					t.Fatalf("citizens %+v", l.Citizens)
				}
				presented = true
				cc.sim(profile.SimCommand{Sim: "scan", Citizen: mother.Citizen, Variant: "genuine"})
				cc.sim(profile.SimCommand{Sim: "tap", Citizen: mother.Citizen, Variant: "genuine"})
			case l.Reply == "records":
				if !uploadedAll(l.Kinds, "hospital.child", "hospital.registration") {
					time.Sleep(150 * time.Millisecond)
					cc.send(simrig.ControlCommand{SimCommand: profile.SimCommand{Sim: "records"}, Payloads: true})
					continue
				}
				records = &l.ControlReply
			case !l.OK:
				t.Fatalf("sim command %s: %s", l.Reply, l.Error)
			}
			continue
		}
		s := l.State
		if child != nil {
			shown := *s
			shown.IdleDeadline = time.Time{}
			if b, _ := json.Marshal(shown); bytes.Contains(b, []byte(child.ID)) {
				t.Fatalf("a published state carries the child's ID number: %s", b)
			}
		}
		act := func(k hospital.IntentKind) bool {
			for _, a := range s.Actions {
				if a.Kind == k && !a.Yes {
					cc.intent(a.Intent())
					return true
				}
			}
			return false
		}
		if presented && s.Screen != hospital.ScreenWelcome && s.Screen != hospital.ScreenIdentify {
			cc.sim(profile.SimCommand{Sim: "remove"})
		}
		ask := s.Identify
		switch {
		case s.Screen == hospital.ScreenCardResult && !forChild:
			if s.Card.Verdict != identity.Genuine || !s.Has(hospital.IntentForChild) {
				t.Fatalf("the mother's card result %+v, actions %+v", s.Card, s.Actions)
			}
			forChild = true
			act(hospital.IntentForChild)
		case ask != nil && ask.NeedChild && !wrongSent:
			wrongSent = true
			if !s.ForOther {
				t.Error("the child's entry does not say it is for another person")
			}
			cc.intent(hospital.Intent{Kind: hospital.IntentChild, Digits: child.ID, BirthDate: ddmmyyyy(t, child.DOB, 1), Name: strings.ToUpper(child.Name)})
		case ask != nil && ask.NeedChild && !ask.ChildError.IsZero() && !childSent:
			refused, childSent = true, true
			if ask.ChildError.Key != "identify.child_invalid" || strings.Contains(ask.ChildError.VI, child.ID) {
				t.Fatalf("refusal %+v", ask.ChildError)
			}
			cc.intent(hospital.Intent{Kind: hospital.IntentChild, Digits: child.ID, BirthDate: ddmmyyyy(t, child.DOB, 0), Name: strings.ToUpper(child.Name)})
		case s.Screen == hospital.ScreenCardResult:
			act(hospital.IntentContinue)
		case s.Screen == hospital.ScreenHolder:
			if !act(hospital.IntentSkip) {
				act(hospital.IntentConsent)
			}
		case s.Screen == hospital.ScreenInsurance:
			if !act(hospital.IntentContinue) {
				act(hospital.IntentFeePaying)
			}
		case s.Screen == hospital.ScreenClinic && s.Clinic != nil && len(s.Clinic.Clinics) > 0:
			if s.Patient == nil || s.Patient.Name != strings.ToUpper(child.Name) || !s.ForOther {
				t.Fatalf("registering %+v (for another %v), want the child", s.Patient, s.ForOther)
			}
			cc.intent(hospital.Intent{Kind: hospital.IntentChoose, Clinic: s.Clinic.Clinics[0].Code})
		case s.Screen == hospital.ScreenTicket:
			ticket = s.Ticket
			if !act(hospital.IntentDone) {
				act(hospital.IntentSkip) // pay at the counter
			}
		case s.Screen == hospital.ScreenPayment:
			act(hospital.IntentSkip)
		case s.Screen == hospital.ScreenGoodbye:
			act(hospital.IntentDone)
		case s.Screen == hospital.ScreenWelcome && ticket != nil && !done:
			done = true
			cc.send(simrig.ControlCommand{SimCommand: profile.SimCommand{Sim: "records"}, Payloads: true})
		case s.Screen == hospital.ScreenError:
			t.Fatalf("error screen %q: %q; stderr:\n%s", s.Title.VI, s.Error.Message.VI, stderr)
		}
	}
	if !refused || ticket == nil || ticket.Number == "" {
		t.Fatalf("refused %v, ticket %+v", refused, ticket)
	}
	checkUploaded(t, fromControl(records.Records))
	var got int
	for _, r := range records.Records {
		var p map[string]json.RawMessage
		if err := json.Unmarshal(r.Payload, &p); err != nil {
			t.Fatal(err)
		}
		delete(p, "personal") // sealed at rest, uploaded by design
		delete(p, "at")
		clear, _ := json.Marshal(p)
		if bytes.Contains(clear, []byte(child.ID)) || bytes.Contains(clear, []byte(mother.ID)) {
			t.Errorf("%s record names a person in clear: %s", r.Kind, clear)
		}
		if r.Kind != "hospital.child" {
			continue
		}
		got++
		var c struct {
			AgentVerdict string `json:"agent_verdict"`
			Age          int    `json:"age"`
		}
		if err := json.Unmarshal(r.Payload, &c); err != nil {
			t.Fatal(err)
		}
		if c.AgentVerdict != string(identity.Genuine) || c.Age < 0 || c.Age >= hospital.ChildMaxAge {
			t.Errorf("hospital.child %s", r.Payload)
		}
	}
	if got != 1 {
		t.Errorf("%d hospital.child records, want 1", got)
	}
	for _, secret := range []string{child.ID, strings.ToUpper(child.Name)} {
		if strings.Contains(stderr.String(), secret) {
			t.Fatalf("the child's personal data in kioskd's log")
		}
	}
	cmd.Process.Signal(os.Interrupt)
	cmd.Wait()
}

// ddmmyyyy turns a YYYY-MM-DD birth date into what the keypad sends, a
// year later by yearsOff (a date that does not match the ID number).
func ddmmyyyy(t *testing.T, dob string, yearsOff int) string {
	t.Helper()
	d, err := time.Parse("2006-01-02", dob)
	if err != nil {
		t.Fatal(err)
	}
	return d.AddDate(-yearsOff, 0, 0).Format("02012006")
}

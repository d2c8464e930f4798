package tests

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/kiosk06/kiosk/drivers/emrtd/testpki"
	"github.com/kiosk06/kiosk/firmware/hospital"
	"github.com/kiosk06/kiosk/firmware/profile"
	"github.com/kiosk06/kiosk/firmware/simrig"
)

// TestHospitalCardLeftOnReader runs the hospital kiosk as a real kioskd
// process and leaves the patient's card lying on the reader after the
// ticket (issue 19: the goodbye screen re-read it and registered the
// patient a second time). The kiosk must remind the patient to take the
// card (CardLeft, the goodbye reminder), read nothing while it lies there,
// and be ready for the next patient once it is taken: one registration.
func TestHospitalCardLeftOnReader(t *testing.T) {
	t.Parallel() // waits on kioskd processes of its own (directory, ports, broker): runs beside the others
	dir := t.TempDir()
	sock := filepath.Join(dir, "control.sock")
	cmd, lines, stderr := startKioskd(t, dir, []string{"DISPLAY=", "WAYLAND_DISPLAY="}, "run", "--sim", "--control", sock)
	waitLine(t, lines, "ready", 30*time.Second, stderr)
	cc := dialControl(t, sock)

	presented, leftSeen, removed, asked := false, false, false, false
	var leftAt time.Time
	var records *simrig.ControlReply
	deadline := time.After(90 * time.Second)
	for records == nil {
		l := cc.next(deadline, func() string {
			return fmt.Sprintf("presented %v, card left %v, removed %v", presented, leftSeen, removed)
		}, stderr)
		if l.State == nil {
			if l.Reply == "records" {
				if !uploadedAll(l.Kinds, "hospital.registration", "hospital.identify") {
					time.Sleep(150 * time.Millisecond)
					cc.send(simrig.ControlCommand{SimCommand: profile.SimCommand{Sim: "records"}, Payloads: true})
					continue
				}
				records = &l.ControlReply
			}
			continue
		}
		s := l.State
		act := func(k hospital.IntentKind, yes bool) bool {
			for _, a := range s.Actions {
				if a.Kind == k && a.Yes == yes {
					cc.intent(a.Intent())
					return true
				}
			}
			return false
		}
		if leftSeen && !removed && s.Screen != hospital.ScreenGoodbye && s.Screen != hospital.ScreenWelcome {
			t.Fatalf("the card left on the reader started %s; stderr:\n%s", s.Screen, stderr)
		}
		switch s.Screen {
		case hospital.ScreenWelcome:
			switch {
			case !presented:
				presented = true
				cc.sim(profile.SimCommand{Sim: "scan", Variant: "genuine"})
				cc.sim(profile.SimCommand{Sim: "tap", Variant: "genuine"})
			case removed && !s.CardLeft && !asked:
				asked = true
				cc.send(simrig.ControlCommand{SimCommand: profile.SimCommand{Sim: "records"}, Payloads: true})
			}
		case hospital.ScreenCardResult:
			act(hospital.IntentContinue, false)
		case hospital.ScreenHolder:
			if !act(hospital.IntentConsent, false) {
				act(hospital.IntentSkip, false)
			}
		case hospital.ScreenInsurance:
			act(hospital.IntentContinue, false)
		case hospital.ScreenClinic:
			if s.Clinic != nil && len(s.Clinic.Clinics) > 0 {
				cc.intent(hospital.Intent{Kind: hospital.IntentChoose, Clinic: s.Clinic.Clinics[0].Code})
			}
		case hospital.ScreenTicket:
			if !act(hospital.IntentSkip, false) { // pay at the counter
				act(hospital.IntentDone, false)
			}
		case hospital.ScreenGoodbye:
			if s.Goodbye.TakeCard.VI == "" {
				t.Fatalf("goodbye without the card reminder: %+v", s.Goodbye)
			}
			if s.CardLeft && !leftSeen {
				leftSeen, leftAt = true, time.Now()
				if s.CardReminder.VI == "" {
					t.Fatalf("card left without a reminder: %+v", s)
				}
			}
		case hospital.ScreenError:
			t.Fatalf("error screen %q; stderr:\n%s", s.Title.VI, stderr)
		}
		// The card lies there for 3 s (several presence polls) before the
		// patient takes it.
		if leftSeen && !removed {
			if wait := 3*time.Second - time.Since(leftAt); wait > 0 {
				time.Sleep(wait)
			}
			removed = true
			cc.sim(profile.SimCommand{Sim: "remove"})
		}
	}
	if !leftSeen {
		t.Fatal("the kiosk never said the card was left on the reader")
	}
	if n := records.Kinds["hospital.registration"]; n != 1 {
		t.Fatalf("%d registration records, want 1: %v", n, records.Kinds)
	}
	if n := records.Kinds["hospital.identify"]; n != 1 {
		t.Fatalf("%d identify records, want 1: %v", n, records.Kinds)
	}
	cmd.Process.Signal(os.Interrupt)
	cmd.Wait()
}

// TestHospitalForgedCard presents the simulator's altered card (DG13 changed
// after signing) to a real kioskd: the card result explains in Vietnamese
// without a reason code, and no published state names the refused card's
// holder (issue 19).
func TestHospitalForgedCard(t *testing.T) {
	c := testpki.DefaultCitizen()
	dir := t.TempDir()
	sock := filepath.Join(dir, "control.sock")
	cmd, lines, stderr := startKioskd(t, dir, []string{"DISPLAY=", "WAYLAND_DISPLAY="}, "run", "--sim", "--control", sock)
	waitLine(t, lines, "ready", 30*time.Second, stderr)
	cc := dialControl(t, sock)
	presented, helped := false, false
	deadline := time.After(60 * time.Second)
	for {
		l := cc.next(deadline, func() string { return fmt.Sprintf("presented %v", presented) }, stderr)
		if l.State == nil {
			continue
		}
		s := l.State
		shown := *s
		shown.IdleDeadline = time.Time{}
		b, _ := json.Marshal(shown)
		if s.Screen == hospital.ScreenCardResult || s.Screen == hospital.ScreenHelp {
			for _, pii := range []string{c.ID, c.ID[:4], c.FullName, c.DateOfBirth.Format("2006-01-02"), `"patient"`} {
				if bytes.Contains(b, []byte(pii)) {
					t.Fatalf("state of a refused card holds %q: %s", pii, b)
				}
			}
		}
		switch {
		case s.Screen == hospital.ScreenWelcome && !presented:
			presented = true
			cc.sim(profile.SimCommand{Sim: "scan", Variant: "dg13-altered"})
			cc.sim(profile.SimCommand{Sim: "tap", Variant: "dg13-altered"})
		case s.Screen == hospital.ScreenCardResult:
			r := s.Card.Reason
			if s.Card.CanContinue || r.VI == "" || bytes.ContainsAny([]byte(r.VI), "_") || bytes.Contains([]byte(r.VI), []byte("Mã lý do")) {
				t.Fatalf("card result %+v", s.Card)
			}
			if !helped {
				helped = true
				cc.intent(hospital.Intent{Kind: hospital.IntentCallStaff})
			}
		case s.Screen == hospital.ScreenHelp:
			cc.sim(profile.SimCommand{Sim: "remove"})
			cmd.Process.Signal(os.Interrupt)
			cmd.Wait()
			return
		case s.Screen == hospital.ScreenError:
			t.Fatalf("error screen %q; stderr:\n%s", s.Title.VI, stderr)
		}
	}
}

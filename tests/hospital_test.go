package tests

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"image/png"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kiosk06/kiosk/drivers/emrtd/testpki"
	"github.com/kiosk06/kiosk/firmware/hospital"
	"github.com/kiosk06/kiosk/firmware/identity"
	"github.com/kiosk06/kiosk/firmware/profile"
	"github.com/kiosk06/kiosk/firmware/simrig"
)

// controlClient drives a kioskd --sim --control socket.
type controlClient struct {
	t   *testing.T
	c   net.Conn
	enc *json.Encoder
	in  chan json.RawMessage
}

type controlLine struct {
	State *hospital.State `json:"state"`
	simrig.ControlReply
}

func dialControl(t *testing.T, path string) *controlClient {
	t.Helper()
	var c net.Conn
	var err error
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if c, err = net.Dial("unix", path); err == nil {
			break
		}
	}
	if err != nil {
		t.Fatalf("control socket: %v", err)
	}
	cc := &controlClient{t: t, c: c, enc: json.NewEncoder(c), in: make(chan json.RawMessage, 256)}
	go func() {
		sc := bufio.NewScanner(c)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			cc.in <- append(json.RawMessage(nil), sc.Bytes()...)
		}
		close(cc.in)
	}()
	return cc
}

// next waits for the next control line until deadline; on timeout it fails
// the test with progress() and kioskd's stderr.
func (cc *controlClient) next(deadline <-chan time.Time, progress func() string, stderr fmt.Stringer) controlLine {
	cc.t.Helper()
	var raw json.RawMessage
	select {
	case raw = <-cc.in:
	case <-deadline:
		cc.t.Fatalf("timed out (%s); stderr:\n%s", progress(), stderr)
	}
	var l controlLine
	if err := json.Unmarshal(raw, &l); err != nil {
		cc.t.Fatalf("bad control line %s: %v", raw, err)
	}
	return l
}

func (cc *controlClient) send(cmd simrig.ControlCommand) {
	if err := cc.enc.Encode(cmd); err != nil {
		cc.t.Fatal(err)
	}
}

// sim sends a simulator command.
func (cc *controlClient) sim(c profile.SimCommand) { cc.send(simrig.ControlCommand{SimCommand: c}) }

// intent sends an intent of the running profile (its JSON).
func (cc *controlClient) intent(in any) {
	b, err := json.Marshal(in)
	if err != nil {
		cc.t.Fatal(err)
	}
	cc.send(simrig.ControlCommand{Intent: b})
}

// TestHospitalKioskEndToEnd runs the hospital kiosk as a real kioskd process
// in simulation (virtual CCCD on pn532sim, scannersim, escpossim,
// fingerprintsim, BHYT and HIS fakes, the payment back-end fake, the
// collector) and takes a patient from welcome to a printed ticket and a
// paid receipt, as the simulator panel and the screen would.
func TestHospitalKioskEndToEnd(t *testing.T) {
	t.Parallel() // waits on kioskd processes of its own (directory, ports, broker): runs beside the others
	dir := t.TempDir()
	sock := filepath.Join(dir, "control.sock")
	cmd, lines, stderr := startKioskd(t, dir, []string{"DISPLAY=", "WAYLAND_DISPLAY="}, "run", "--sim", "--control", sock)
	waitLine(t, lines, "ready", 30*time.Second, stderr)
	cc := dialControl(t, sock)

	var ticket *hospital.Ticket
	presented, paying, payAsked, paid := false, false, false, false
	var records *simrig.ControlReply
	deadline := time.After(60 * time.Second)
	for records == nil {
		l := cc.next(deadline, func() string { return fmt.Sprintf("ticket %v, paid %v", ticket != nil, paid) }, stderr)
		if l.State == nil {
			switch l.Reply {
			case "pay":
				if paying = l.OK; !paying { // not uploaded yet: try again shortly
					time.Sleep(150 * time.Millisecond)
					cc.sim(profile.SimCommand{Sim: "pay"})
				}
			case "records":
				records = &l.ControlReply
			}
			continue
		}
		s := l.State
		if presented && s.Screen != hospital.ScreenWelcome && s.Screen != hospital.ScreenIdentify {
			cc.sim(profile.SimCommand{Sim: "remove"})
		}
		act := func(k hospital.IntentKind, yes bool) bool {
			for _, a := range s.Actions {
				if a.Kind == k && a.Yes == yes {
					in := a.Intent()
					cc.intent(in)
					return true
				}
			}
			return false
		}
		switch s.Screen {
		case hospital.ScreenWelcome:
			if paid {
				cc.send(simrig.ControlCommand{SimCommand: profile.SimCommand{Sim: "records"}, Payloads: true})
			} else if !presented {
				presented = true
				cc.sim(profile.SimCommand{Sim: "scan", Variant: "genuine"})
				cc.sim(profile.SimCommand{Sim: "tap", Variant: "genuine"})
			}
		case hospital.ScreenCardResult:
			if s.Card.Verdict != identity.Genuine {
				t.Fatalf("card verdict %s", s.Card.Verdict)
			}
			act(hospital.IntentContinue, false)
		case hospital.ScreenHolder:
			if !act(hospital.IntentConsent, false) {
				act(hospital.IntentSkip, false)
			}
		case hospital.ScreenInsurance:
			act(hospital.IntentContinue, false)
		case hospital.ScreenClinic:
			if s.Clinic != nil && len(s.Clinic.Clinics) > 0 {
				in := hospital.Intent{Kind: hospital.IntentChoose, Clinic: s.Clinic.Clinics[0].Code}
				cc.intent(in)
			}
		case hospital.ScreenTicket:
			ticket = s.Ticket
			if !act(hospital.IntentContinue, false) {
				act(hospital.IntentDone, false)
			}
		case hospital.ScreenPayment:
			// The patient's transfer (retried by the reply handler until
			// the session's record is uploaded).
			if !paying && !payAsked {
				payAsked = true
				cc.sim(profile.SimCommand{Sim: "pay"})
			}
		case hospital.ScreenReceipt:
			paid = true
			act(hospital.IntentDone, false)
		case hospital.ScreenError:
			t.Fatalf("error screen %q; stderr:\n%s", s.Title.VI, stderr)
		}
	}
	if ticket == nil || !ticket.Printed {
		t.Fatalf("no printed ticket: %+v", ticket)
	}
	for _, k := range []string{"hospital.identify", "hospital.insurance", "hospital.registration", "payment.session"} {
		if records.Kinds[k] == 0 {
			t.Errorf("collector has no %s record: %v", k, records.Kinds)
		}
	}
	checkUploaded(t, fromControl(records.Records))
	if len(records.Pages) < 2 {
		t.Fatalf("printed pages %v, want the ticket and the receipt", records.Pages)
	}
	// The ticket is a real PNG at the printer's 576-dot width.
	f, err := os.Open(filepath.Join(dir, records.Pages[0]))
	if os.IsNotExist(err) {
		f, err = os.Open(records.Pages[0])
	}
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(f)
	f.Close()
	if err != nil || img.Bounds().Dx() != 576 || img.Bounds().Dy() < 200 {
		t.Fatalf("ticket PNG: %v %v", img.Bounds(), err)
	}
	db, _ := os.ReadFile(filepath.Join(dir, "var", "kiosk.db"))
	if bytes.Contains(db, []byte("001099012345")) {
		t.Fatal("ID number in clear in the database")
	}
	cmd.Process.Signal(os.Interrupt)
	cmd.Wait()
}

// TestHospitalCAN runs the hospital kiosk as a real kioskd process and taps
// the simulated genuine CCCD on the reader without scanning its QR: the
// flow asks for the CAN, a wrong one (sent over the control socket as the
// keypad would) is refused by the chip, the right one — the last 6 digits of
// the ID number — reads the card as genuine. Neither the typed digits nor
// the ID number reach a record's clear payload, the logs or the database.
func TestHospitalCAN(t *testing.T) {
	t.Parallel() // waits on kioskd processes of its own (directory, ports, broker): runs beside the others
	id := testpki.DefaultCitizen().ID
	can, wrong := id[len(id)-6:], "987650"
	dir := t.TempDir()
	sock := filepath.Join(dir, "control.sock")
	cmd, lines, stderr := startKioskd(t, dir, []string{"DISPLAY=", "WAYLAND_DISPLAY="}, "run", "--sim", "--control", sock)
	waitLine(t, lines, "ready", 30*time.Second, stderr)
	cc := dialControl(t, sock)
	sendIntent := func(in hospital.Intent) { cc.intent(in) }

	var asked, refused, cancelled bool
	var card *hospital.CardResult
	var records *simrig.ControlReply
	tapped := false
	deadline := time.After(60 * time.Second)
	for records == nil {
		l := cc.next(deadline, func() string { return fmt.Sprintf("asked %v, refused %v, card %+v", asked, refused, card) }, stderr)
		if l.State == nil {
			if l.Reply == "records" {
				if !uploadedAll(l.Kinds, "hospital.identify", "hospital.can", "hospital.abandoned") {
					time.Sleep(150 * time.Millisecond) // not uploaded yet
					cc.send(simrig.ControlCommand{SimCommand: profile.SimCommand{Sim: "records"}, Payloads: true})
					continue
				}
				records = &l.ControlReply
			} else if !l.OK {
				t.Fatalf("sim command %s: %s", l.Reply, l.Error)
			}
			continue
		}
		s := l.State
		ask := s.Identify
		switch {
		case s.Screen == hospital.ScreenWelcome && !tapped:
			tapped = true
			cc.sim(profile.SimCommand{Sim: "tap", Variant: "genuine"}) // no "scan"
		case s.Screen == hospital.ScreenWelcome && cancelled:
			cc.sim(profile.SimCommand{Sim: "remove"})
			cc.send(simrig.ControlCommand{SimCommand: profile.SimCommand{Sim: "records"}, Payloads: true})
			cancelled = false
		case ask != nil && ask.NeedCAN && !asked:
			asked = true
			if ask.Step != identity.EventNeedCAN || ask.Message.Key != "identify.can" || ask.CANAttemptsLeft != 3 {
				t.Fatalf("first ask: %+v", ask)
			}
			sendIntent(hospital.Intent{Kind: hospital.IntentCAN, Digits: wrong})
		case ask != nil && ask.NeedCAN && !refused:
			refused = true
			if ask.CANError.Key != "identify.can_wrong" || ask.CANAttemptsLeft != 2 {
				t.Fatalf("after the wrong CAN: %+v", ask)
			}
			sendIntent(hospital.Intent{Kind: hospital.IntentCAN, Digits: can})
		case ask != nil && (ask.NeedCAN || ask.CANExhausted || ask.Retry):
			t.Fatalf("identify state %+v; stderr:\n%s", ask, stderr)
		case s.Screen == hospital.ScreenCardResult && card == nil:
			card = s.Card
			if card.Verdict != identity.Genuine || card.Method != identity.MethodChipCAN {
				t.Fatalf("card %+v", card)
			}
			cancelled = true
			sendIntent(hospital.Intent{Kind: hospital.IntentCancel})
		case s.Screen == hospital.ScreenError:
			t.Fatalf("error screen %q; stderr:\n%s", s.Title.VI, stderr)
		}
		shown := *s
		shown.IdleDeadline = time.Time{} // its nanoseconds may hold any 6 digits
		if b, _ := json.Marshal(shown); bytes.Contains(b, []byte(wrong)) || bytes.Contains(b, []byte(can)) {
			t.Fatalf("a published state carries typed digits: %s", b)
		}
	}
	checkUploaded(t, fromControl(records.Records))
	for _, r := range records.Records {
		var p map[string]json.RawMessage
		if err := json.Unmarshal(r.Payload, &p); err != nil {
			t.Fatal(err)
		}
		var personal map[string]string
		if raw, ok := p["personal"]; ok {
			if err := json.Unmarshal(raw, &personal); err != nil {
				t.Fatal(err)
			}
		}
		for k, v := range personal {
			if v == can || v == wrong || strings.Contains(strings.ToLower(k), "can") {
				t.Errorf("%s record: personal field %s=%s", r.Kind, k, v)
			}
		}
		// Personal fields are sealed at rest and uploaded to the backend
		// by design; everything else must not name the card. Timestamps
		// are left out (their nanoseconds may hold any 6 digits).
		delete(p, "personal")
		delete(p, "at")
		clear, _ := json.Marshal(p)
		for _, secret := range []string{can, wrong, id} {
			if bytes.Contains(clear, []byte(secret)) {
				t.Errorf("%s record #%d carries %s: %s", r.Kind, r.Seq, secret, clear)
			}
		}
		if r.Kind == "hospital.identify" && !bytes.Contains(clear, []byte(`"chip+can"`)) {
			t.Errorf("identify record: %s", clear)
		}
	}
	for _, secret := range []string{id, wrong, can} {
		if strings.Contains(stderr.String(), secret) {
			t.Fatalf("%s in kioskd's log", secret)
		}
	}
	for _, f := range []string{"kiosk.db", "kiosk.db-wal"} {
		b, _ := os.ReadFile(filepath.Join(dir, "var", f))
		for _, secret := range []string{id, wrong} {
			if bytes.Contains(b, []byte(secret)) {
				t.Fatalf("%s in clear in %s", secret, f)
			}
		}
	}
	cmd.Process.Signal(os.Interrupt)
	cmd.Wait()
}

// uploadedAll reports whether kinds counts at least one record of each want.
func uploadedAll(kinds map[string]int, want ...string) bool {
	for _, k := range want {
		if kinds[k] == 0 {
			return false
		}
	}
	return true
}

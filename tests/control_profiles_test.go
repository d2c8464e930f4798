package tests

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kiosk06/kiosk/firmware/parking"
	"github.com/kiosk06/kiosk/firmware/profile"
	"github.com/kiosk06/kiosk/firmware/simrig"
	"github.com/kiosk06/kiosk/firmware/transit"
)

// profileLine is a control line of any profile: a state (with the
// profile's name) or a reply.
type profileLine struct {
	Profile string          `json:"profile"`
	State   json.RawMessage `json:"state"`
	simrig.ControlReply
}

// await reads control lines until ok holds for one, failing with what
// progress says and kioskd's stderr at the deadline.
func (cc *controlClient) await(deadline <-chan time.Time, what string, stderr fmt.Stringer, ok func(profileLine) bool) profileLine {
	cc.t.Helper()
	for {
		var raw json.RawMessage
		select {
		case raw = <-cc.in:
		case <-deadline:
			cc.t.Fatalf("timed out waiting for %s; stderr:\n%s", what, stderr)
		}
		if raw == nil {
			cc.t.Fatalf("control socket closed waiting for %s; stderr:\n%s", what, stderr)
		}
		var l profileLine
		if err := json.Unmarshal(raw, &l); err != nil {
			cc.t.Fatalf("bad control line %s: %v", raw, err)
		}
		if ok(l) {
			return l
		}
	}
}

// simOK sends a simulator command and waits for its reply, which must be OK.
func (cc *controlClient) simOK(deadline <-chan time.Time, stderr fmt.Stringer, c profile.SimCommand) profileLine {
	cc.t.Helper()
	cc.sim(c)
	r := cc.await(deadline, "the reply to "+c.Sim, stderr, func(l profileLine) bool { return l.State == nil && l.Reply == c.Sim })
	if !r.OK {
		cc.t.Fatalf("%s: %s; stderr:\n%s", c.Sim, r.Error, stderr)
	}
	return r
}

func writeConfig(t *testing.T, dir, doc string) string {
	t.Helper()
	path := filepath.Join(dir, "kiosk.toml")
	if err := os.WriteFile(path, []byte(doc), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestTransitOverControl drives the bus validator through the --control
// socket as the simulator panel does: a passenger's CCCD QR is charged the
// fare with the green LED and a beep, the same passenger's genuine card
// tapped next is a repeat (read from the chip, no second charge), a card
// whose DG13 was altered — tapped by the panel's own control — is refused
// with the red LED; the LEDs go dark again by themselves and the taps
// reach the collector without an ID number.
func TestTransitOverControl(t *testing.T) {
	dir := t.TempDir()
	sock := filepath.Join(dir, "control.sock")
	cfg := writeConfig(t, dir, `[device]
id = "bus-ctl-1"
profile = "transit"
data_dir = "`+filepath.Join(dir, "var")+`"
[uplink]
interval = "200ms"
[devices.nfc]
driver = "pn532-uart"
port = "sim"
[devices.scanner]
driver = "scanner"
port = "sim"
[devices.led_green]
driver = "gpio-out"
pin = "sim"
[devices.led_red]
driver = "gpio-out"
pin = "sim"
[devices.buzzer]
driver = "gpio-out"
pin = "sim"
[transit]
route = "47"
[transit.fares]
"47" = 7000
[ui]
enabled = false
`)
	_, lines, stderr := startKioskd(t, dir, []string{"DISPLAY=", "WAYLAND_DISPLAY="}, "run", "--sim", "--config", cfg, "--control", sock)
	waitLine(t, lines, "ready", 30*time.Second, stderr)
	cc := dialControl(t, sock)
	deadline := time.After(90 * time.Second)

	var st transit.State
	state := func(what string, ok func(transit.State) bool) {
		t.Helper()
		cc.await(deadline, what, stderr, func(l profileLine) bool {
			if l.State == nil {
				return false
			}
			if l.Profile != "transit" {
				t.Fatalf("state of profile %q", l.Profile)
			}
			st = transit.State{}
			if err := json.Unmarshal(l.State, &st); err != nil {
				t.Fatal(err)
			}
			return ok(st)
		})
	}
	state("the idle validator", func(s transit.State) bool { return s.Route == "47" && s.Last == nil })

	cc.simOK(deadline, stderr, profile.SimCommand{Sim: profile.SimScan, Citizen: "adult"})
	state("the fare with the green LED and a beep", func(s transit.State) bool {
		return s.Taps == 1 && s.Lights.Green && s.Lights.Buzzer && !s.Lights.Red
	})
	if l := st.Last; l.Verdict != transit.Accept || l.Reason != transit.ReasonFare || l.Fare != 7000 || l.Message != "Mời lên xe – 7.000 ₫" || l.Record == 0 {
		t.Fatalf("QR decision %+v", l)
	}
	state("the LEDs dark again", func(s transit.State) bool { return s.Lights == transit.Lights{} })

	cc.simOK(deadline, stderr, profile.SimCommand{Sim: profile.SimTap, Citizen: "adult", Variant: "genuine"})
	state("the genuine card's decision", func(s transit.State) bool { return s.Taps == 2 && s.Lights.Green })
	cc.simOK(deadline, stderr, profile.SimCommand{Sim: profile.SimRemove})
	if l := st.Last; l.Verdict != transit.Accept || l.Reason != transit.ReasonRepeat || l.Method != "chip" || !st.Lights.Green {
		t.Fatalf("genuine tap after the QR: %+v, lights %+v", l, st.Lights)
	}

	// The forged card by the panel's own control (data the profile
	// offers): a passenger's brief tap, the card taken away by itself.
	cc.simOK(deadline, stderr, profile.SimCommand{Sim: profile.SimRun, Label: "Chạm thẻ giả (DG13 bị sửa)"})
	state("the forged card refused with the red LED", func(s transit.State) bool { return s.Taps == 3 && s.Lights.Red })
	if l := st.Last; l.Verdict != transit.Deny || l.Reason != transit.ReasonUnusable || l.Message != "Không đọc được thẻ" || st.Lights.Green {
		t.Fatalf("forged tap: %+v, lights %+v", l, st.Lights)
	}
	state("the LEDs dark again", func(s transit.State) bool { return s.Lights == transit.Lights{} })
	time.Sleep(1500 * time.Millisecond) // the card is gone: no second presentation
	cc.intent(map[string]string{"kind": "cancel"})
	cc.await(deadline, "the intent's reply", stderr, func(l profileLine) bool {
		if l.State != nil {
			var s transit.State
			if json.Unmarshal(l.State, &s) == nil && s.Taps != 3 {
				t.Fatalf("the tapped card was presented again: %+v", s.Last)
			}
		}
		return l.Reply == "intent"
	})
	pins := cc.simOK(deadline, stderr, profile.SimCommand{Sim: simrig.QueryPins})
	if len(pins.Pins) != 3 || pins.Pins["led_green"] || pins.Pins["led_red"] || pins.Pins["buzzer"] {
		t.Fatalf("pins after the signal: %v", pins.Pins)
	}

	// The validator takes no intents; the refusal says so.
	cc.intent(map[string]string{"kind": "cancel"})
	if r := cc.await(deadline, "the intent's reply", stderr, func(l profileLine) bool { return l.Reply == "intent" }); r.OK || !strings.Contains(r.Error, "no intents") {
		t.Fatalf("the validator's answer to an intent: %+v", r.ControlReply)
	}

	// Both taps that identified someone are recorded and uploaded; the
	// forged card identified no one, so nothing of it is recorded.
	for {
		cc.send(simrig.ControlCommand{SimCommand: profile.SimCommand{Sim: simrig.QueryRecords}, Payloads: true})
		r := cc.await(deadline, "records", stderr, func(l profileLine) bool { return l.Reply == simrig.QueryRecords })
		if r.Kinds["transit.tap"] < 2 {
			time.Sleep(200 * time.Millisecond)
			continue
		}
		cz := cc.simOK(deadline, stderr, profile.SimCommand{Sim: simrig.QueryCitizens})
		for _, rec := range r.Records {
			for _, c := range cz.Citizens {
				if strings.Contains(string(rec.Payload), c.ID) {
					t.Fatalf("%s record carries %s's ID number: %s", rec.Kind, c.Citizen, rec.Payload)
				}
			}
		}
		break
	}
}

// TestParkingOverControl drives the parking lane through the --control
// socket as the simulator panel does: the driver's CCCD QR admits the
// motorbike (entry record, a ticket with a QR printed, the barrier open
// until the vehicle has crossed the loop); past the free stay the ticket's
// QR under the scanner asks for a VietQR transfer, the transfer is paid,
// and only then does the barrier open, closing again once the loop clears.
func TestParkingOverControl(t *testing.T) {
	dir := t.TempDir()
	sock := filepath.Join(dir, "control.sock")
	cfg := writeConfig(t, dir, `[device]
id = "lot-ctl-1"
profile = "parking"
data_dir = "`+filepath.Join(dir, "var")+`"
[uplink]
interval = "200ms"
[devices.scanner]
driver = "scanner"
port = "sim"
[devices.printer]
driver = "escpos"
port = "sim"
[devices.barrier]
driver = "gpio-out"
pin = "sim"
[devices.loop]
driver = "gpio-in"
pin = "sim"
debounce = "20ms"
[parking]
gate = "A1"
grace = "1s"
barrier_timeout = "30s"
payment_bin = "970436"
payment_account = "0011001234567"
payment_name = "BAI XE MO PHONG"
[ui]
enabled = false
`)
	_, lines, stderr := startKioskd(t, dir, []string{"DISPLAY=", "WAYLAND_DISPLAY="}, "run", "--sim", "--config", cfg, "--control", sock)
	waitLine(t, lines, "ready", 30*time.Second, stderr)
	cc := dialControl(t, sock)
	deadline := time.After(120 * time.Second)

	var st parking.State
	state := func(what string, ok func(parking.State) bool) {
		t.Helper()
		cc.await(deadline, what, stderr, func(l profileLine) bool {
			if l.State == nil {
				return false
			}
			if l.Profile != "parking" {
				t.Fatalf("state of profile %q", l.Profile)
			}
			st = parking.State{}
			if err := json.Unmarshal(l.State, &st); err != nil {
				t.Fatal(err)
			}
			return ok(st)
		})
	}
	pass := func() {
		t.Helper()
		cc.simOK(deadline, stderr, profile.SimCommand{Sim: profile.SimInput, Role: "loop", On: true})
		time.Sleep(150 * time.Millisecond)
		cc.simOK(deadline, stderr, profile.SimCommand{Sim: profile.SimInput, Role: "loop"})
	}
	state("the idle lane", func(s parking.State) bool { return s.Phase == parking.PhaseIdle && !s.BarrierOpen })

	cc.simOK(deadline, stderr, profile.SimCommand{Sim: profile.SimScan, Citizen: "adult"})
	state("the barrier open for the entry", func(s parking.State) bool { return s.Phase == parking.PhaseBarrierOpen })
	ticket := st.TicketID
	if st.Lane != "entry" || !st.BarrierOpen || ticket == "" {
		t.Fatalf("entry %+v", st)
	}
	if p := cc.simOK(deadline, stderr, profile.SimCommand{Sim: simrig.QueryPins}); !p.Pins["barrier"] {
		t.Fatalf("the barrier relay is off while open: %v", p.Pins)
	}
	pass()
	state("the barrier closed behind the vehicle", func(s parking.State) bool { return s.Phase == parking.PhaseIdle && !s.BarrierOpen })

	time.Sleep(1500 * time.Millisecond) // past the free stay
	cc.simOK(deadline, stderr, profile.SimCommand{Sim: profile.SimScanPrinted})
	state("the VietQR code", func(s parking.State) bool { return s.Phase == parking.PhaseAwaitingPayment })
	if st.TicketID != ticket || st.Lane != "exit" || st.Amount <= 0 || st.QRPayload == "" || st.BarrierOpen {
		t.Fatalf("exit %+v", st)
	}
	if p := cc.simOK(deadline, stderr, profile.SimCommand{Sim: simrig.QueryPins}); p.Pins["barrier"] {
		t.Fatal("the barrier is open before the payment")
	}
	// The transfer, once the session's record has reached the back-end.
	for {
		cc.sim(profile.SimCommand{Sim: profile.SimPay})
		r := cc.await(deadline, "the transfer", stderr, func(l profileLine) bool { return l.Reply == profile.SimPay })
		if r.OK {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	state("the barrier open after the payment", func(s parking.State) bool { return s.Phase == parking.PhaseBarrierOpen })
	if st.Lane != "exit" || !st.BarrierOpen || st.TicketID != ticket {
		t.Fatalf("paid exit %+v", st)
	}
	pass()
	state("the barrier closed after the exit", func(s parking.State) bool { return s.Phase == parking.PhaseIdle && !s.BarrierOpen })

	want := map[string]int{"parking.entry": 1, "parking.exit": 1, "parking.barrier": 4, "payment.session": 2}
	for {
		cc.sim(profile.SimCommand{Sim: simrig.QueryRecords})
		r := cc.await(deadline, "records", stderr, func(l profileLine) bool { return l.Reply == simrig.QueryRecords })
		done := true
		for k, n := range want {
			done = done && r.Kinds[k] >= n
		}
		if done {
			if len(r.Pages) < 2 {
				t.Fatalf("printed %v, want the ticket and the receipt", r.Pages)
			}
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
}

package tests

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kiosk06/kiosk/firmware/hospital"
	"github.com/kiosk06/kiosk/firmware/profile"
	"github.com/kiosk06/kiosk/firmware/records"
	"github.com/kiosk06/kiosk/firmware/simrig"
)

// TestHospitalAdminMenu runs the hospital kiosk as a real kioskd process
// with a staff PIN file made by `kioskd admin pin` and drives the admin
// menu over the control socket as its screen would: five wrong PINs lock
// the menu, the right PIN is refused during the (here 3 s) lockout and
// accepted after it, the printer test page comes out of the simulated
// printer, every step reaches the backend as a hospital.admin record
// without the PIN, a closed queue service stays closed and "restart" ends
// kioskd with exit code 75; started again, the service is still closed.
func TestHospitalAdminMenu(t *testing.T) {
	const pin, wrong = "246813", "111111"
	dir := t.TempDir()
	gen := exec.Command(kioskdBin, "admin", "pin", "kythuat1")
	gen.Stdin = strings.NewReader(pin + "\n")
	line, err := gen.Output()
	if err != nil || strings.Contains(string(line), pin) {
		t.Fatalf("kioskd admin pin: %q %v", line, err)
	}
	pins := filepath.Join(dir, "admin-pins")
	if err := os.WriteFile(pins, line, 0o600); err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(filepath.Join("..", "firmware", "config", "sim.toml"))
	if err != nil {
		t.Fatal(err)
	}
	cfg := string(raw)
	for old, repl := range map[string]string{
		`listen = "127.0.0.1:9406"`: `listen = ""`,
		`enrol_offer = "offer"`:     fmt.Sprintf("enrol_offer = \"offer\"\nadmin_pin_file = %q\nadmin_lockout = \"3s\"", pins),
	} {
		if !strings.Contains(cfg, old) {
			t.Fatalf("sim.toml no longer has %q", old)
		}
		cfg = strings.Replace(cfg, old, repl, 1)
	}
	cfgPath := filepath.Join(dir, "hospital.toml")
	if err := os.WriteFile(cfgPath, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	sock := filepath.Join(dir, "control.sock")
	cmd, lines, stderr := startKioskd(t, dir, []string{"DISPLAY=", "WAYLAND_DISPLAY="}, "run", "--sim", "--config", cfgPath, "--control", sock)
	waitLine(t, lines, "ready", 30*time.Second, stderr)
	cc := dialControl(t, sock)

	deadline := time.After(90 * time.Second)
	var last hospital.State
	step := "start"
	progress := func() string { return fmt.Sprintf("%s; screen %s %+v", step, last.Screen, last.Admin) }
	// until reads control lines until a state satisfies ok.
	until := func(what string, ok func(hospital.State) bool) hospital.State {
		t.Helper()
		step = what
		for !ok(last) {
			l := cc.next(deadline, progress, stderr)
			if l.State != nil {
				last = *l.State
			}
		}
		return last
	}
	// query asks for the collector's records and the printed pages.
	query := func() simrig.ControlReply {
		t.Helper()
		cc.send(simrig.ControlCommand{SimCommand: profile.SimCommand{Sim: simrig.QueryRecords}, Payloads: true})
		for {
			l := cc.next(deadline, progress, stderr)
			if l.State != nil {
				last = *l.State
				continue
			}
			if l.Reply == simrig.QueryRecords {
				return l.ControlReply
			}
		}
	}

	until("welcome with the staff button", func(s hospital.State) bool { return s.Screen == hospital.ScreenWelcome && s.Has(hospital.IntentAdmin) })
	cc.intent(hospital.Intent{Kind: hospital.IntentAdmin})
	until("PIN keypad", func(s hospital.State) bool { return s.Screen == hospital.ScreenAdmin && s.Admin != nil })
	for i := 1; i <= 5; i++ {
		cc.intent(hospital.Intent{Kind: hospital.IntentPIN, Digits: wrong})
		if i < 5 {
			left := fmt.Sprintf("Còn %d lần", 5-i)
			until("wrong PIN "+fmt.Sprint(i), func(s hospital.State) bool { return s.Admin != nil && strings.Contains(s.Admin.Message.VI, left) })
		}
	}
	locked := until("lockout", func(s hospital.State) bool { return s.Admin != nil && !s.Admin.LockedUntil.IsZero() })
	cc.intent(hospital.Intent{Kind: hospital.IntentPIN, Digits: pin}) // refused: locked
	time.Sleep(time.Until(locked.Admin.LockedUntil) + 200*time.Millisecond)
	cc.intent(hospital.Intent{Kind: hospital.IntentPIN, Digits: pin})
	s := until("login after the lockout", func(s hospital.State) bool { return s.Admin != nil && s.Admin.LoggedIn })
	if s.Admin.Staff != "kythuat1" || !s.Has(hospital.IntentTestPage) {
		t.Fatalf("logged in: %+v, actions %v", s.Admin, s.Actions)
	}

	before := len(query().Pages)
	cc.intent(hospital.Intent{Kind: hospital.IntentTestPage})
	until("test page", func(s hospital.State) bool { return s.Admin != nil && s.Admin.Message.Key == "admin.printed" })
	var got simrig.ControlReply
	for {
		got = query()
		if len(got.Pages) > before && got.Kinds[records.KindHospitalAdmin] >= 8 {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	var audit []string
	for _, r := range got.Records {
		if r.Kind != records.KindHospitalAdmin {
			continue
		}
		if strings.Contains(string(r.Payload), pin) || strings.Contains(string(r.Payload), wrong) {
			t.Fatalf("a PIN in an uploaded record: %s", r.Payload)
		}
		var a records.HospitalAdmin
		if err := json.Unmarshal(r.Payload, &a); err != nil {
			t.Fatal(err)
		}
		audit = append(audit, a.Action+"/"+a.Outcome)
	}
	want := "login/wrong_pin login/wrong_pin login/wrong_pin login/wrong_pin login/lockout login/locked login/ok test_page/ok"
	if strings.Join(audit, " ") != want {
		t.Fatalf("audit %v\nwant %s", audit, want)
	}

	svc := s.Admin.Services[0].Service
	cc.intent(hospital.Intent{Kind: hospital.IntentService, Service: svc})
	until("service closed", func(s hospital.State) bool {
		return s.Admin != nil && len(s.Admin.Services) > 0 && !s.Admin.Services[0].Open
	})

	cc.intent(hospital.Intent{Kind: hospital.IntentRestart})
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		var ee *exec.ExitError
		if !errors.As(err, &ee) || ee.ExitCode() != 75 {
			t.Fatalf("after restart: %v (want exit code 75); stderr:\n%s", err, stderr)
		}
	case <-time.After(20 * time.Second):
		t.Fatalf("kioskd did not exit after restart; stderr:\n%s", stderr)
	}

	// Started again (as systemd would), the service is still closed.
	os.Remove(sock)
	_, lines, stderr = startKioskd(t, dir, []string{"DISPLAY=", "WAYLAND_DISPLAY="}, "run", "--sim", "--config", cfgPath, "--control", sock)
	waitLine(t, lines, "ready", 30*time.Second, stderr)
	cc, last = dialControl(t, sock), hospital.State{}
	until("welcome after the restart", func(s hospital.State) bool { return s.Screen == hospital.ScreenWelcome && s.Has(hospital.IntentAdmin) })
	cc.intent(hospital.Intent{Kind: hospital.IntentAdmin})
	until("PIN keypad again", func(s hospital.State) bool { return s.Screen == hospital.ScreenAdmin && s.Admin != nil })
	cc.intent(hospital.Intent{Kind: hospital.IntentPIN, Digits: pin})
	s = until("login after the restart", func(s hospital.State) bool { return s.Admin != nil && s.Admin.LoggedIn })
	if s.Admin.Services[0].Service != svc || s.Admin.Services[0].Open {
		t.Fatalf("service %s after the restart: %+v", svc, s.Admin.Services)
	}
}

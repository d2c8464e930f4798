package tests

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kiosk06/kiosk/drivers/escpos/escpossim"
	"github.com/kiosk06/kiosk/firmware/hospital"
	"github.com/kiosk06/kiosk/firmware/profile"
	"github.com/kiosk06/kiosk/firmware/simrig"
	"github.com/kiosk06/kiosk/payments/session/sessionfake"
	"github.com/kiosk06/kiosk/tests/collector"
)

// payKey is the payment back-end's checksum key the tests give kioskd.
const payKey = "6b1f0e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1"

// writePayKey writes the checksum key file kioskd reads.
func writePayKey(t *testing.T, dir string) string {
	t.Helper()
	f := filepath.Join(dir, "payment-confirm.key")
	if err := os.WriteFile(f, []byte(payKey+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return f
}

// paymentTransitions returns the payment session transitions of ref the
// collector holds ("created", "qr_shown", …).
func paymentTransitions(c *collector.Collector, device, ref string) []string {
	var out []string
	for _, r := range c.Records(device) {
		var tr struct{ Ref, To string }
		if r.Kind == "payment.session" && json.Unmarshal(r.Payload, &tr) == nil && tr.Ref == ref {
			out = append(out, tr.To)
		}
	}
	return out
}

// nextPoll waits until the back-end has answered one more poll about ref
// than n, then a moment for kioskd to act on the reply and upload it; false
// if kioskd stopped polling.
func nextPoll(fake *sessionfake.Server, ref string, n int) bool {
	for deadline := time.Now().Add(30 * time.Second); fake.Polls(ref) <= n; time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			return false
		}
	}
	time.Sleep(700 * time.Millisecond)
	return true
}

// TestParkingForgedPaymentKeepsBarrierClosed runs a parking exit lane in a
// real kioskd process against a payment back-end that an attacker on the
// path answers for: an unsigned "paid" reply (the one that opened the
// barrier on the same poll in issue 15), then one signed with a key that is
// not the device's. Neither records the exit, opens the barrier or prints a
// receipt; the genuine signed confirmation then does.
func TestParkingForgedPaymentKeepsBarrierClosed(t *testing.T) {
	t.Parallel() // waits on kioskd processes of its own (directory, ports, broker): runs beside the others
	dir := t.TempDir()
	coll, url, sc := backendAndScanner(t, "")
	pr, err := escpossim.Start(context.Background(), &escpossim.Options{Dir: filepath.Join(dir, "pages"), Width: 576})
	if err != nil {
		t.Fatal(err)
	}
	defer pr.Close()
	const account = "0011001234567"
	fake := sessionfake.New(sessionfake.Options{Key: []byte(payKey), Account: account})
	defer fake.Close()

	cfg := filepath.Join(dir, "parking.toml")
	os.WriteFile(cfg, []byte(`[device]
id = "lot-pay-1"
profile = "parking"
data_dir = "`+filepath.Join(dir, "var")+`"
[uplink]
base_url = "`+url+`"
interval = "200ms"
[devices.scanner]
driver = "scanner"
port = "`+sc.Path()+`"
suffix = "cr"
[devices.printer]
driver = "escpos"
port = "`+pr.Path()+`"
baud = 19200
[devices.barrier]
driver = "gpio-out"
pin = "sim"
[devices.loop]
driver = "gpio-in"
pin = "sim"
[parking]
gate = "A1"
lane = "both"
grace = "1s"
payment_timeout = "60s"
barrier_timeout = "1s"
payment_bin = "970436"
payment_account = "`+account+`"
payment_name = "BAI XE A"
payment_url = "`+fake.URL()+`"
[payments]
confirm_key_file = "`+writePayKey(t, dir)+`"
`), 0o644)
	cmd, lines, stderr := startKioskd(t, dir, nil, "run", "--sim", "--config", cfg)
	waitLine(t, lines, "ready", 20*time.Second, stderr)

	if err := sc.Scan("079203000222||Lê Văn Cường|03031985|Nam|5 Hùng Vương, Huế|05052022"); err != nil {
		t.Fatal(err)
	}
	entry := waitRecord(t, coll, "lot-pay-1", "parking.entry", 15*time.Second, stderr)
	var e struct{ Ticket string }
	json.Unmarshal(entry.Payload, &e)
	time.Sleep(1500 * time.Millisecond) // past the grace: the stay costs money
	if err := sc.Scan(e.Ticket); err != nil {
		t.Fatal(err)
	}
	created := waitRecord(t, coll, "lot-pay-1", "payment.session", 15*time.Second, stderr)
	var s struct {
		Ref    string
		Amount int64
	}
	json.Unmarshal(created.Payload, &s)
	if s.Ref == "" || s.Amount <= 0 {
		t.Fatalf("payment session record %s", created.Payload)
	}

	for _, forgery := range []sessionfake.Forgery{sessionfake.Unsigned, sessionfake.WrongKey} {
		fake.Forge(s.Ref, forgery, s.Amount)
		if !nextPoll(fake, s.Ref, fake.Polls(s.Ref)) {
			t.Fatalf("kioskd stopped polling; stderr:\n%s", stderr)
		}
		for _, r := range coll.Records("lot-pay-1") {
			if r.Kind == "parking.exit" {
				t.Fatalf("%s reply: the exit was recorded and the barrier opened: %s", forgery, r.Payload)
			}
		}
		if got := paymentTransitions(coll, "lot-pay-1", s.Ref); strings.Contains(fmt.Sprint(got), "paid") {
			t.Fatalf("%s reply: payment session went %v", forgery, got)
		}
		if n := len(pr.Pages()); n != 1 {
			t.Fatalf("%s reply: %d pages printed, want the entry ticket only", forgery, n)
		}
	}
	if !strings.Contains(stderr.String(), "payment confirmation rejected") || !strings.Contains(stderr.String(), "bad_signature") {
		t.Errorf("no rejection logged; stderr:\n%s", stderr)
	}

	// The driver's real transfer, signed by the back-end, opens the lane.
	fake.Forge(s.Ref, sessionfake.Genuine, 0)
	txn := fake.Pay(s.Ref, s.Amount)
	exit := waitRecord(t, coll, "lot-pay-1", "parking.exit", 30*time.Second, stderr)
	var x struct {
		Ticket, Method string
		TxnID          string `json:"txn_id"`
		Amount         int64
	}
	json.Unmarshal(exit.Payload, &x)
	if x.Ticket != e.Ticket || x.Method != "vietqr" || x.TxnID != txn || x.Amount != s.Amount {
		t.Fatalf("exit record %s, want ticket %s paid by %s", exit.Payload, e.Ticket, txn)
	}
	for deadline := time.Now().Add(10 * time.Second); len(pr.Pages()) < 2 && time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
	}
	if n := len(pr.Pages()); n != 2 {
		t.Fatalf("%d pages printed, want the entry ticket and the receipt", n)
	}
	checkUploaded(t, fromCollector(coll.Records("lot-pay-1")))
	cmd.Process.Signal(os.Interrupt)
	cmd.Wait()
}

// TestHospitalForgedPaymentPrintsNoReceipt takes a patient to the VietQR
// fee screen of a real kioskd process whose payment back-end an attacker
// answers for — unsigned, then tampered (signed for 1 ₫, amount raised),
// then signed an hour ago — and sees no receipt screen and no paid record
// until the back-end's genuine signed confirmation arrives.
func TestHospitalForgedPaymentPrintsNoReceipt(t *testing.T) {
	t.Parallel() // waits on kioskd processes of its own (directory, ports, broker): runs beside the others
	dir := t.TempDir()
	sock := filepath.Join(dir, "control.sock")
	const account = "0011001234567"
	fake := sessionfake.New(sessionfake.Options{Key: []byte(payKey), Account: account})
	defer fake.Close()
	sim, err := os.ReadFile("../firmware/config/sim.toml")
	if err != nil {
		t.Fatal(err)
	}
	doc := strings.Replace(string(sim), `data_dir = "./var"`, `data_dir = "`+filepath.Join(dir, "var")+`"`, 1)
	doc = strings.Replace(doc, `city = "HA NOI"`, `city = "HA NOI"
base_url = "`+fake.URL()+`"
confirm_key_file = "`+writePayKey(t, dir)+`"`, 1)
	doc = strings.Replace(doc, `listen = "127.0.0.1:9406"`, `listen = ""`, 1)
	doc = strings.Replace(doc, `account = "0011001234567"`, `account = "`+account+`"`, 1)
	cfg := filepath.Join(dir, "hospital.toml")
	if err := os.WriteFile(cfg, []byte(doc), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd, lines, stderr := startKioskd(t, dir, []string{"DISPLAY=", "WAYLAND_DISPLAY="}, "run", "--sim", "--config", cfg, "--control", sock)
	waitLine(t, lines, "ready", 30*time.Second, stderr)
	cc := dialControl(t, sock)

	var pay *hospital.Payment
	var receipt *hospital.Receipt
	var records *simrig.ControlReply
	presented, forged := false, false
	var genuine atomic.Bool
	deadline := time.After(90 * time.Second)
	for records == nil {
		l := cc.next(deadline, func() string { return fmt.Sprintf("payment %+v, receipt %v", pay, receipt != nil) }, stderr)
		if l.State == nil {
			if l.Reply == "records" {
				if !uploadedAll(l.Kinds, "payment.session") {
					time.Sleep(150 * time.Millisecond)
					cc.send(simrig.ControlCommand{SimCommand: profile.SimCommand{Sim: "records"}, Payloads: true})
					continue
				}
				records = &l.ControlReply
			}
			continue
		}
		s := l.State
		if presented && s.Screen != hospital.ScreenWelcome && s.Screen != hospital.ScreenIdentify {
			cc.sim(profile.SimCommand{Sim: "remove"})
		}
		act := func(k hospital.IntentKind) bool {
			for _, a := range s.Actions {
				if a.Kind == k && !a.Yes {
					in := a.Intent()
					cc.intent(in)
					return true
				}
			}
			return false
		}
		switch s.Screen {
		case hospital.ScreenWelcome:
			if receipt != nil {
				cc.send(simrig.ControlCommand{SimCommand: profile.SimCommand{Sim: "records"}, Payloads: true})
			} else if !presented {
				presented = true
				cc.sim(profile.SimCommand{Sim: "scan", Variant: "genuine"})
				cc.sim(profile.SimCommand{Sim: "tap", Variant: "genuine"})
			}
		case hospital.ScreenCardResult, hospital.ScreenInsurance:
			act(hospital.IntentContinue)
		case hospital.ScreenHolder:
			if !act(hospital.IntentConsent) {
				act(hospital.IntentSkip)
			}
		case hospital.ScreenClinic:
			if s.Clinic != nil && len(s.Clinic.Clinics) > 0 {
				in := hospital.Intent{Kind: hospital.IntentChoose, Clinic: s.Clinic.Clinics[0].Code}
				cc.intent(in)
			}
		case hospital.ScreenTicket:
			if !act(hospital.IntentContinue) {
				act(hospital.IntentDone)
			}
		case hospital.ScreenPayment:
			if s.Payment == nil || s.Payment.Phase != hospital.PaymentWaiting || forged {
				if s.Payment != nil && s.Payment.Phase != hospital.PaymentWaiting && s.Payment.Phase != hospital.PaymentCreating {
					t.Fatalf("payment phase %s; stderr:\n%s", s.Payment.Phase, stderr)
				}
				continue
			}
			forged, pay = true, s.Payment
			go func(ref string, amount int64) {
				for _, f := range []sessionfake.Forgery{sessionfake.Unsigned, sessionfake.Tampered, sessionfake.Stale} {
					fake.Forge(ref, f, amount)
					if !nextPoll(fake, ref, fake.Polls(ref)) {
						return // the main loop times out with kioskd's stderr
					}
				}
				genuine.Store(true) // until here a receipt screen fails the test (below)
				fake.Forge(ref, sessionfake.Genuine, 0)
				fake.Pay(ref, amount)
			}(pay.Ref, pay.Amount)
		case hospital.ScreenReceipt:
			if !genuine.Load() || strings.Contains(s.Receipt.TxnID, "FORGED") {
				t.Fatalf("receipt for a forged reply after %d polls: %+v", fake.Polls(pay.Ref), s.Receipt)
			}
			receipt = s.Receipt
			act(hospital.IntentDone)
		case hospital.ScreenError:
			t.Fatalf("error screen %q; stderr:\n%s", s.Title.VI, stderr)
		}
	}
	if receipt.Ref != pay.Ref || receipt.Amount != pay.Amount {
		t.Fatalf("receipt %+v for payment %+v", receipt, pay)
	}
	var states []string
	for _, r := range records.Records {
		var tr struct {
			Ref, To string
			TxnID   string `json:"txn_id"`
		}
		if r.Kind == "payment.session" && json.Unmarshal(r.Payload, &tr) == nil && tr.Ref == pay.Ref {
			states = append(states, tr.To+":"+tr.TxnID)
		}
	}
	if len(states) != 3 || !strings.HasPrefix(states[2], "paid:FT") || strings.Contains(fmt.Sprint(states), "FORGED") {
		t.Fatalf("payment transitions %v", states)
	}
	checkUploaded(t, fromControl(records.Records))
	if n := strings.Count(stderr.String(), "payment confirmation rejected"); n < 3 {
		t.Errorf("%d rejections logged, want one per forged reply", n)
	}
	cmd.Process.Signal(os.Interrupt)
	cmd.Wait()
}

// TestConfigCheckRefusesPlainHTTP: `kioskd config check` names every
// plain http:// backend with its key and line, and accepts the same file
// with --sim.
func TestConfigCheckRefusesPlainHTTP(t *testing.T) {
	dir := t.TempDir()
	f := filepath.Join(dir, "k.toml")
	os.WriteFile(f, []byte(`[device]
id = "kiosk-1"
profile = "parking"

[uplink]
base_url = "http://collector.example.vn"

[parking]
payment_url = "http://pay.example.vn"
`), 0o644)
	out, err := exec.Command(kioskdBin, "config", "check", f).CombinedOutput()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 2 {
		t.Fatalf("config check: %v\n%s", err, out)
	}
	for _, want := range []string{f + `:6: uplink.base_url: insecure URL "http://collector.example.vn"`, f + `:9: parking.payment_url: insecure URL "http://pay.example.vn"`} {
		if !strings.Contains(string(out), want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if out, err := exec.Command(kioskdBin, "config", "check", "--sim", f).CombinedOutput(); err != nil {
		t.Fatalf("config check --sim: %v\n%s", err, out)
	}
}

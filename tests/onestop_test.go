package tests

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kiosk06/kiosk/drivers/emrtd/testpki"
	"github.com/kiosk06/kiosk/firmware/onestop"
	"github.com/kiosk06/kiosk/firmware/onestop/backend"
	"github.com/kiosk06/kiosk/firmware/profile"
	"github.com/kiosk06/kiosk/firmware/simrig"
)

// onestopConfig is a one-stop kiosk with every device and the one-stop
// system simulated.
func onestopConfig(t *testing.T, dir string) string {
	return writeConfig(t, dir, `[device]
id = "onestop-e2e-1"
profile = "onestop"
data_dir = "`+filepath.Join(dir, "var")+`"
[uplink]
interval = "200ms"
[devices.nfc]
driver = "pn532-uart"
port = "sim"
[devices.scanner]
driver = "scanner"
port = "sim"
[devices.printer]
driver = "escpos"
port = "sim"
[queue]
[[queue.services]]
code = "A"
name = "Công an (cư trú)"
counters = ["1"]
[[queue.services]]
code = "B"
name = "Xuất nhập cảnh"
counters = ["2"]
[[queue.services]]
code = "C"
name = "Tư pháp"
counters = ["3"]
[[queue.services]]
code = "D"
name = "Lao động – xã hội"
counters = ["4"]
[onestop]
office = "UBND PHƯỜNG MÔ PHỎNG"
counters = { A = "Quầy Công an" }
can_wait = "3s"
support_poll = "500ms"
[ui]
enabled = false
`)
}

// TestOnestopKioskEndToEnd runs the one-stop kiosk in a real kioskd process
// under --sim, driven through the --control socket as its screen and the
// simulator panel are: a citizen signs in with the CCCD (QR, then the chip),
// looks up the dossier they already have and prints its slip, files "Đăng
// ký thường trú" for themselves (the card's fields filled, a queue number
// for the counter, the receipt printed), then acts for another person whose
// card is read next and files the same procedure for them (both identities
// on the dossier); a help-desk member accepts the call and is named; the
// elderly citizen signs in with the Hue-S app's QR (checked online). Every
// record reaches the collector, checked against its kind, without an ID
// number outside the sealed "personal" member of the kinds that list it
// (firmware/records: checkUploaded holds each kind to its list).
func TestOnestopKioskEndToEnd(t *testing.T) {
	dir := t.TempDir()
	sock := filepath.Join(dir, "control.sock")
	_, lines, stderr := startKioskd(t, dir, []string{"DISPLAY=", "WAYLAND_DISPLAY="}, "run", "--sim", "--config", onestopConfig(t, dir), "--control", sock)
	waitLine(t, lines, "ready", 30*time.Second, stderr)
	cc := dialControl(t, sock)
	deadline := time.After(150 * time.Second)

	var st onestop.State
	state := func(what string, ok func(onestop.State) bool) onestop.State {
		t.Helper()
		cc.await(deadline, what, stderr, func(l profileLine) bool {
			if l.State == nil {
				return false
			}
			if l.Profile != onestop.Name {
				t.Fatalf("state of profile %q", l.Profile)
			}
			st = onestop.State{}
			if err := json.Unmarshal(l.State, &st); err != nil {
				t.Fatal(err)
			}
			return ok(st)
		})
		return st
	}
	run := func(label string) {
		t.Helper()
		cc.simOK(deadline, stderr, profile.SimCommand{Sim: profile.SimRun, Label: label})
	}
	send := func(in onestop.Intent) { cc.intent(in) }
	adult, other, elderly := testpki.Adult.Citizen(time.Now()), testpki.SecondAdult.Citizen(time.Now()), testpki.Elderly.Citizen(time.Now())

	state("the welcome screen", func(s onestop.State) bool { return s.Screen == onestop.ScreenWelcome })
	run("Công dân: quét QR rồi chạm thẻ CCCD")
	state("the menu", func(s onestop.State) bool { return s.Screen == onestop.ScreenMenu })
	if st.Citizen == nil || st.Citizen.Name != adult.FullName || st.Citizen.Verdict != "genuine" || strings.Contains(st.Citizen.MaskedID, adult.ID) {
		t.Fatalf("signed in %+v", st.Citizen)
	}

	// The dossier lookup: the one the simulated system holds for them.
	send(onestop.Intent{Kind: onestop.IntentDossiers})
	state("the dossiers", func(s onestop.State) bool { return s.Dossiers != nil && !s.Dossiers.Loading })
	if l := st.Dossiers.List; len(l) != 1 || l[0].Status != backend.StatusReady || l[0].Procedure != "Đăng ký tạm trú" {
		t.Fatalf("dossiers %+v", st.Dossiers)
	}
	send(onestop.Intent{Kind: onestop.IntentPrint})
	state("the dossier slip printed", func(s onestop.State) bool { return s.Dossiers != nil && s.Dossiers.Printed })
	send(onestop.Intent{Kind: onestop.IntentBack})
	state("the menu again", func(s onestop.State) bool { return s.Screen == onestop.ScreenMenu })

	register := func(forOther bool) onestop.Receipt {
		t.Helper()
		send(onestop.Intent{Kind: onestop.IntentSearch})
		state("the search", func(s onestop.State) bool { return s.Screen == onestop.ScreenSearch })
		send(onestop.Intent{Kind: onestop.IntentQuery, Text: "dang ky thuong tru"})
		state("the results", func(s onestop.State) bool {
			return s.Search != nil && s.Search.Query == "dang ky thuong tru" && len(s.Search.Results) > 0
		})
		if st.Search.Results[0].Name != "Đăng ký thường trú" {
			t.Fatalf("search without diacritics found %+v", st.Search.Results[0])
		}
		send(onestop.Intent{Kind: onestop.IntentChoose, Code: st.Search.Results[0].Code})
		state("the procedure", func(s onestop.State) bool { return s.Screen == onestop.ScreenProcedure })
		if st.Procedure.CounterName != "Quầy Công an" {
			t.Fatalf("procedure %+v", st.Procedure)
		}
		send(onestop.Intent{Kind: onestop.IntentRegister})
		state("the form", func(s onestop.State) bool { return s.Screen == onestop.ScreenForm })
		if st.Form.ForOther != forOther {
			t.Fatalf("form for other = %v", st.Form.ForOther)
		}
		fromCard := 0
		for _, f := range st.Form.Fields {
			if f.FromCard && f.Value != "" {
				fromCard++
			}
		}
		if fromCard < 5 {
			t.Fatalf("only %d fields filled from the card: %+v", fromCard, st.Form.Fields)
		}
		for k, v := range map[string]string{"noi_de_nghi_dang_ky": "Số 5 Lê Lợi, TP. Huế", "ho_ten_chu_ho": "Nguyễn Văn An",
			"quan_he_chu_ho": "Con", "so_dien_thoai": "0912345678"} {
			send(onestop.Intent{Kind: onestop.IntentField, Key: k, Value: v})
		}
		send(onestop.Intent{Kind: onestop.IntentSubmit})
		state("the review", func(s onestop.State) bool {
			return s.Screen == onestop.ScreenReview || (s.Form != nil && s.Form.Errors > 0)
		})
		if st.Screen != onestop.ScreenReview {
			t.Fatalf("form refused: %+v", st.Form)
		}
		send(onestop.Intent{Kind: onestop.IntentConfirm})
		state("the receipt", func(s onestop.State) bool {
			return s.Screen == onestop.ScreenReceipt || s.Screen == onestop.ScreenError || s.Screen == onestop.ScreenOutOfService
		})
		if st.Screen != onestop.ScreenReceipt {
			t.Fatalf("filing failed: %+v %+v", st.Error, st.OutOfService)
		}
		r := *st.Receipt
		if r.DossierCode == "" || r.ForOther != forOther || !r.Printed || !strings.HasPrefix(r.Ticket, "A") || r.Total != 20000 {
			t.Fatalf("receipt %+v", r)
		}
		return r
	}
	mine := register(false)
	send(onestop.Intent{Kind: onestop.IntentMenu})
	state("the menu after filing", func(s onestop.State) bool { return s.Screen == onestop.ScreenMenu })

	// Acting for another person: their card is read next.
	send(onestop.Intent{Kind: onestop.IntentForOther})
	state("the other person's card asked", func(s onestop.State) bool { return s.Identify != nil && s.Identify.ForOther })
	run("Người được làm hộ: quét QR rồi chạm thẻ của họ")
	state("the menu for the other person", func(s onestop.State) bool { return s.Screen == onestop.ScreenMenu && s.Subject != nil })
	if st.Subject.Name != other.FullName || st.Citizen.Name != adult.FullName {
		t.Fatalf("acting for %+v as %+v", st.Subject, st.Citizen)
	}
	theirs := register(true)
	if theirs.DossierCode == mine.DossierCode || theirs.Ticket == mine.Ticket {
		t.Fatalf("two filings gave %+v and %+v", mine, theirs)
	}

	// The help desk: a staff member accepts; their name is shown.
	send(onestop.Intent{Kind: onestop.IntentMenu})
	state("the menu before the call", func(s onestop.State) bool { return s.Screen == onestop.ScreenMenu })
	send(onestop.Intent{Kind: onestop.IntentSupport})
	state("the call waiting", func(s onestop.State) bool { return s.Support != nil && s.Support.Phase == onestop.SupportWaiting })
	run("Cán bộ nhận cuộc gọi hỗ trợ")
	state("the call accepted", func(s onestop.State) bool { return s.Support != nil && s.Support.Phase == onestop.SupportAccepted })
	if st.Support.StaffName != onestop.SimStaffName {
		t.Fatalf("support %+v", st.Support)
	}
	send(onestop.Intent{Kind: onestop.IntentBack})
	state("the menu after the call", func(s onestop.State) bool { return s.Screen == onestop.ScreenMenu })
	send(onestop.Intent{Kind: onestop.IntentSignOut})
	state("goodbye", func(s onestop.State) bool {
		return s.Screen == onestop.ScreenGoodbye && s.Citizen == nil && s.Subject == nil
	})
	send(onestop.Intent{Kind: onestop.IntentDone})
	state("welcome", func(s onestop.State) bool { return s.Screen == onestop.ScreenWelcome })

	// The provincial app's QR, checked online by the one-stop system.
	run("Quét mã QR Hue-S trên điện thoại (người cao tuổi)")
	state("the menu for the app's citizen", func(s onestop.State) bool { return s.Screen == onestop.ScreenMenu })
	if st.Citizen == nil || st.Citizen.Name != elderly.FullName || st.Citizen.Method != "app_online" {
		t.Fatalf("app sign-in %+v", st.Citizen)
	}
	send(onestop.Intent{Kind: onestop.IntentSignOut})

	want := map[string]int{"onestop.signin": 3, "onestop.dossier": 2, "onestop.ticket": 2, "onestop.lookup": 1, "onestop.support": 1}
	var recs simrig.ControlReply
	for {
		cc.sim(profile.SimCommand{Sim: simrig.QueryRecords})
		r := cc.await(deadline, "records at the collector", stderr, func(l profileLine) bool { return l.Reply == simrig.QueryRecords })
		done := true
		for k, n := range want {
			done = done && r.Kinds[k] >= n
		}
		if done {
			cc.send(simrig.ControlCommand{SimCommand: profile.SimCommand{Sim: simrig.QueryRecords}, Payloads: true})
			recs = cc.await(deadline, "record payloads", stderr, func(l profileLine) bool { return l.Reply == simrig.QueryRecords }).ControlReply
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	checkUploaded(t, fromControl(recs.Records))
	agents := 0
	for _, r := range recs.Records {
		open := outsidePersonal(t, r.Payload)
		for _, id := range []string{adult.ID, other.ID, elderly.ID} {
			if strings.Contains(open, id) {
				t.Fatalf("ID number outside the sealed fields of %s: %s", r.Kind, r.Payload)
			}
		}
		if r.Kind == "onestop.dossier" && strings.Contains(string(r.Payload), `"for_other":true`) {
			agents++
		}
	}
	if agents != 1 {
		t.Fatalf("%d dossier records for another person, want 1", agents)
	}
	if len(recs.Pages) < 3 {
		t.Fatalf("printed %v: want the dossier slip and two receipts", recs.Pages)
	}
}

// outsidePersonal is a record's payload without its "personal" member (the
// fields firmware/records seals on the device and lists per kind).
func outsidePersonal(t *testing.T, payload json.RawMessage) string {
	t.Helper()
	var m map[string]json.RawMessage
	if err := json.Unmarshal(payload, &m); err != nil {
		t.Fatalf("payload %s: %v", payload, err)
	}
	delete(m, "personal")
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

package tests

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kiosk06/kiosk/drivers/audio"
	"github.com/kiosk06/kiosk/firmware/checkin"
	"github.com/kiosk06/kiosk/firmware/onestop"
	"github.com/kiosk06/kiosk/firmware/profile"
	"github.com/kiosk06/kiosk/firmware/simrig"
	"github.com/kiosk06/kiosk/firmware/ticketing"
	"github.com/kiosk06/kiosk/payments/tariff"
)

// The ticketing, one-stop and check-in kiosks speak as the hospital's does
// (TestVoiceGuidanceEveryScreen): each runs headless under --sim with the
// simulated loudspeaker ([ui] enabled, no display), one flow is walked over
// the control socket, and at every screen the walk waits for that screen's
// guidance WAV in var/sim/audio (and said.txt's line) before going on —
// and for the spoken results: the total and the amount to pay, "Vé đã
// được in" and the ticket's seat and departure; the dossier received, the queue
// number and counter; the check-in verdict, accepted and refused. No clip
// says the person's name.

// heardAll checks every guidance clip of profile in dir is a WAV with
// samples that says what said.txt lists, that each screen in screens has
// one, and that no clip says any of secrets.
func heardAll(t *testing.T, dir, profile string, screens []string, secrets ...string) {
	t.Helper()
	spoke := map[string]bool{}
	for _, c := range saidClips(dir) {
		t.Logf("%s\t%s", filepath.Base(c.file), c.text)
		for _, s := range secrets {
			if s != "" && strings.Contains(c.text, s) {
				t.Errorf("%s says %q: %q", c.file, s, c.text)
			}
		}
		if !strings.HasPrefix(c.label, "guide."+profile+".") {
			continue
		}
		spoke[strings.TrimPrefix(c.label, "guide."+profile+".")] = true
		f, err := os.Open(c.file)
		if err != nil {
			t.Fatal(err)
		}
		wav, err := audio.DecodeWAV(f)
		f.Close()
		if err != nil || wav.Text != c.text || wav.Label != c.label || len(wav.Samples) == 0 {
			t.Errorf("%s: %v label %q text %q, %d samples", c.file, err, wav.Label, wav.Text, len(wav.Samples))
		}
	}
	for _, s := range screens {
		if !spoke[s] {
			t.Errorf("no guidance WAV for the %s screen %q", profile, s)
		}
	}
}

// spokenNumbers fails when a result clip still holds digits or the đồng
// sign: numbers and money are read as words.
func spokenNumbers(t *testing.T, c saidClip, want ...string) {
	t.Helper()
	if strings.ContainsAny(c.text, "0123456789₫") {
		t.Errorf("%s is not read as words: %q", c.label, c.text)
	}
	for _, w := range want {
		if !strings.Contains(c.text, w) {
			t.Errorf("%s: %q does not say %q", c.label, c.text, w)
		}
	}
}

// TestVoiceTicketingKiosk: a coach seat bought at the ticketing kiosk,
// heard screen by screen.
func TestVoiceTicketingKiosk(t *testing.T) {
	t.Parallel() // waits for clips spoken in real time; its own kioskd, directory and ports
	dir := t.TempDir()
	sock := filepath.Join(dir, "control.sock")
	cfg := writeConfig(t, dir, `[device]
id = "station-voice-1"
profile = "ticketing"
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
width = 576
[payments]
bin = "970436"
account = "0011001234567"
name = "BEN XE MO PHONG"
ref_prefix = "VE"
[ticketing]
name = "BẾN XE GIÁP BÁT"
station = "HN-GB"
sync_interval = "5s"
token_key_file = "`+filepath.Join(dir, "operator-token.key")+`"
[ui]
enabled = true
`)
	_, lines, stderr := startKioskd(t, dir, []string{"DISPLAY=", "WAYLAND_DISPLAY="}, "run", "--sim", "--config", cfg, "--control", sock)
	waitLine(t, lines, "ready", 60*time.Second, stderr)
	cc := dialControl(t, sock)
	deadline := time.After(4 * time.Minute)
	k := &ticketKiosk{t: t, cc: cc, stderr: stderr, deadline: deadline}
	audioDir := filepath.Join(dir, "var", "sim", "audio")
	w := &clipWaiter{t: t, dir: audioDir, stderr: stderr}
	hear := func(screen ticketing.Screen) { t.Helper(); w.wait("guide.ticketing." + string(screen)) }

	k.state("the welcome screen", func(x ticketing.State) bool {
		return x.Screen == ticketing.ScreenWelcome && x.Has(ticketing.IntentStart)
	})
	hear(ticketing.ScreenWelcome)
	k.send(ticketing.Intent{Kind: ticketing.IntentStart})
	k.state("the identify screen", ticketScreen(ticketing.ScreenIdentify))
	hear(ticketing.ScreenIdentify)
	k.cc.simOK(deadline, stderr, profile.SimCommand{Sim: profile.SimScan, Citizen: "adult"})
	k.cc.simOK(deadline, stderr, profile.SimCommand{Sim: profile.SimTap, Citizen: "adult"})
	k.state("the choice after the card", ticketScreen(ticketing.ScreenChoose))
	k.cc.simOK(deadline, stderr, profile.SimCommand{Sim: profile.SimRemove})
	hear(ticketing.ScreenChoose)

	day := time.Now().In(tariff.Location()).AddDate(0, 0, 1).Format("2006-01-02")
	k.send(ticketing.Intent{Kind: ticketing.IntentMode, Mode: "coach"})
	k.send(ticketing.Intent{Kind: ticketing.IntentSearch, From: "HN-GB", To: "VINH", Date: day})
	k.state("coaches to Vinh", func(x ticketing.State) bool {
		return x.Screen == ticketing.ScreenChoose && x.Choose.Searched && len(x.Choose.Trips) > 0
	})
	k.send(ticketing.Intent{Kind: ticketing.IntentTrip, Departure: k.st.Choose.Trips[0].Departure})
	k.state("the passengers", ticketScreen(ticketing.ScreenPassengers))
	hear(ticketing.ScreenPassengers)
	k.send(ticketing.Intent{Kind: ticketing.IntentContinue})
	k.state("the seat map", func(x ticketing.State) bool {
		return x.Screen == ticketing.ScreenSeats && !x.Seats.Loading && len(x.Seats.Cars) > 0
	})
	hear(ticketing.ScreenSeats)
	seat := ""
	for _, car := range k.st.Seats.Cars {
		for _, s := range car.Seats {
			if s.State == "free" && seat == "" {
				seat = s.ID
			}
		}
	}
	k.send(ticketing.Intent{Kind: ticketing.IntentSeat, Seat: seat})
	k.state("the seat chosen", func(x ticketing.State) bool { return x.Screen == ticketing.ScreenSeats && len(x.Seats.Chosen) == 1 })
	k.send(ticketing.Intent{Kind: ticketing.IntentContinue})
	k.state("the fare", ticketScreen(ticketing.ScreenFare))
	hear(ticketing.ScreenFare)
	spokenNumbers(t, w.wait("ticketing.say.total"), "đồng")
	k.send(ticketing.Intent{Kind: ticketing.IntentContinue})
	k.state("the VietQR", func(x ticketing.State) bool {
		return x.Screen == ticketing.ScreenPayment && x.Payment.Phase == ticketing.PaymentWaiting
	})
	hear(ticketing.ScreenPayment)
	spokenNumbers(t, w.wait("payment.waiting"), "đồng")
	for {
		cc.sim(profile.SimCommand{Sim: profile.SimPay})
		if r := cc.await(deadline, "the pay reply", stderr, func(l profileLine) bool { return l.State == nil && l.Reply == profile.SimPay }); r.OK {
			break
		}
		time.Sleep(300 * time.Millisecond)
	}
	k.state("the printed seat", ticketScreen(ticketing.ScreenIssued))
	hear(ticketing.ScreenIssued)
	if c := w.wait("ticketing.say.printed"); c.text != "Vé đã được in. Mời Quý khách nhận vé." {
		t.Errorf("printed said %q", c.text)
	}
	spokenNumbers(t, w.wait("ticketing.say.ticket_seat"), "Mã vé ", ", ghế ", "khởi hành lúc ", " giờ ")
	k.send(ticketing.Intent{Kind: ticketing.IntentDone})
	k.state("goodbye", ticketScreen(ticketing.ScreenGoodbye))
	hear(ticketing.ScreenGoodbye)

	cz := cc.simOK(deadline, stderr, profile.SimCommand{Sim: simrig.QueryCitizens})
	var secrets []string
	for _, c := range cz.Citizens {
		secrets = append(secrets, c.Name, c.ID)
	}
	heardAll(t, audioDir, "ticketing", []string{"welcome", "identify", "choose", "passengers", "seats", "fare", "payment", "issued", "goodbye"}, secrets...)
}

// TestVoiceOnestopKiosk: a dossier filed at the one-stop kiosk and its
// queue number, heard screen by screen.
func TestVoiceOnestopKiosk(t *testing.T) {
	t.Parallel() // waits for clips spoken in real time; its own kioskd, directory and ports
	dir := t.TempDir()
	sock := filepath.Join(dir, "control.sock")
	cfg := onestopConfig(t, dir)
	b, err := os.ReadFile(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(cfg, []byte(strings.Replace(string(b), "[ui]\nenabled = false", "[ui]\nenabled = true", 1)), 0o600); err != nil {
		t.Fatal(err)
	}
	_, lines, stderr := startKioskd(t, dir, []string{"DISPLAY=", "WAYLAND_DISPLAY="}, "run", "--sim", "--config", cfg, "--control", sock)
	waitLine(t, lines, "ready", 30*time.Second, stderr)
	cc := dialControl(t, sock)
	deadline := time.After(4 * time.Minute)
	audioDir := filepath.Join(dir, "var", "sim", "audio")
	w := &clipWaiter{t: t, dir: audioDir, stderr: stderr}
	var st onestop.State
	state := func(what string, ok func(onestop.State) bool) {
		t.Helper()
		cc.await(deadline, what, stderr, func(l profileLine) bool {
			if l.State == nil {
				return false
			}
			st = onestop.State{}
			if err := json.Unmarshal(l.State, &st); err != nil {
				t.Fatal(err)
			}
			return ok(st)
		})
	}
	at := func(sc onestop.Screen) func(onestop.State) bool {
		return func(s onestop.State) bool { return s.Screen == sc }
	}
	// step waits for screen sc and its guidance.
	step := func(sc onestop.Screen) {
		t.Helper()
		state("the "+string(sc)+" screen", at(sc))
		w.wait("guide.onestop." + string(sc))
	}
	send := func(in onestop.Intent) { cc.intent(in) }

	step(onestop.ScreenWelcome)
	cc.simOK(deadline, stderr, profile.SimCommand{Sim: profile.SimRun, Label: "Công dân: quét QR rồi chạm thẻ CCCD"})
	step(onestop.ScreenMenu)
	send(onestop.Intent{Kind: onestop.IntentSearch})
	step(onestop.ScreenSearch)
	send(onestop.Intent{Kind: onestop.IntentQuery, Text: "dang ky thuong tru"})
	state("the results", func(s onestop.State) bool { return s.Search != nil && len(s.Search.Results) > 0 })
	send(onestop.Intent{Kind: onestop.IntentChoose, Code: st.Search.Results[0].Code})
	step(onestop.ScreenProcedure)
	send(onestop.Intent{Kind: onestop.IntentRegister})
	step(onestop.ScreenForm)
	for k, v := range map[string]string{"noi_de_nghi_dang_ky": "Số 5 Lê Lợi, TP. Huế", "ho_ten_chu_ho": "Nguyễn Văn An",
		"quan_he_chu_ho": "Con", "so_dien_thoai": "0912345678"} {
		send(onestop.Intent{Kind: onestop.IntentField, Key: k, Value: v})
	}
	send(onestop.Intent{Kind: onestop.IntentSubmit})
	step(onestop.ScreenReview)
	send(onestop.Intent{Kind: onestop.IntentConfirm})
	step(onestop.ScreenReceipt)
	r := st.Receipt
	if r == nil || r.DossierCode == "" || r.Ticket == "" {
		t.Fatalf("receipt %+v", r)
	}
	if c := w.wait("onestop.say.received"); c.text != "Hồ sơ của Quý khách đã được tiếp nhận. Mã hồ sơ được in trên phiếu tiếp nhận." {
		t.Errorf("receipt said %q", c.text)
	}
	spokenNumbers(t, w.wait("onestop.say.number"), "Số thứ tự của Quý khách là a, ", "tại Quầy Công an")
	send(onestop.Intent{Kind: onestop.IntentMenu})
	step(onestop.ScreenMenu)
	send(onestop.Intent{Kind: onestop.IntentSignOut})
	step(onestop.ScreenGoodbye)

	cz := cc.simOK(deadline, stderr, profile.SimCommand{Sim: simrig.QueryCitizens})
	var secrets []string
	for _, c := range cz.Citizens {
		secrets = append(secrets, c.Name, c.ID)
	}
	heardAll(t, audioDir, "onestop", []string{"welcome", "menu", "search", "procedure", "form", "review", "receipt", "goodbye"}, secrets...)
}

// TestVoiceCheckinPoint: a guest checked in at a lodging point and a
// forged card refused, heard screen by screen: the verdict in plain words.
func TestVoiceCheckinPoint(t *testing.T) {
	t.Parallel() // waits for clips spoken in real time; its own kioskd, directory and ports
	p := startCheckinUI(t, "checkin-voice-1", "mode = \"lodging\"\nestablishment = \"Khách sạn Mô phỏng\"\naddress = \"12 Lê Lợi, TP. Huế\""+
		"\nsite = \"Khách sạn Mô phỏng – lễ tân\"\nresult_delay = \"20s\"", false, true)
	p.deadline = time.After(4 * time.Minute)
	audioDir := filepath.Join(p.dir, "var", "sim", "audio")
	w := &clipWaiter{t: t, dir: audioDir, stderr: p.stderr}
	hear := func(sc checkin.Screen) { t.Helper(); w.wait("guide.checkin." + string(sc)) }

	p.screen(checkin.ScreenReady)
	hear(checkin.ScreenReady)
	p.run("Người lớn: quét QR rồi chạm thẻ CCCD")
	p.screen(checkin.ScreenLodging)
	hear(checkin.ScreenLodging)
	p.intent(checkin.Intent{Kind: checkin.IntentField, Key: "room", Value: "203"})
	p.intent(checkin.Intent{Kind: checkin.IntentField, Key: "reason", Value: "Công tác"})
	p.intent(checkin.Intent{Kind: checkin.IntentConfirm})
	p.screen(checkin.ScreenResult)
	hear(checkin.ScreenResult)
	if c := w.wait("checkin.say.accepted"); c.text != "Chấp nhận." {
		t.Errorf("accepted said %q", c.text)
	}
	if c := w.wait("lodging.checked_in"); c.text != "Đã nhận phòng hai trăm linh ba." {
		t.Errorf("checked in said %q", c.text)
	}
	p.next()
	hear(checkin.ScreenReady)
	p.again("Thẻ giả (DG13 bị sửa)")
	st := p.screen(checkin.ScreenResult)
	if st.Result.OK {
		t.Fatalf("forged card %+v", st.Result)
	}
	hear(checkin.ScreenResult)
	if c := w.wait("refused.not_genuine"); c.text != "Từ chối: thẻ căn cước công dân không hợp lệ" && !strings.HasPrefix(c.text, "Từ chối: thẻ") {
		t.Errorf("refusal said %q", c.text)
	}
	adult := p.citizen("adult")
	heardAll(t, audioDir, "checkin", []string{"ready", "lodging", "result"}, adult.Name, adult.ID)
}

package tests

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kiosk06/kiosk/firmware/checkin"
	"github.com/kiosk06/kiosk/firmware/profile"
	"github.com/kiosk06/kiosk/firmware/records"
	"github.com/kiosk06/kiosk/firmware/simrig"
)

// checkinPoint is a check-in point running in a real kioskd process under
// --sim, driven over its --control socket.
type checkinPoint struct {
	t        *testing.T
	dir      string
	cc       *controlClient
	stderr   *syncBuffer
	deadline <-chan time.Time
	st       checkin.State // the state last awaited
	// pending are states read while waiting for a reply, for await.
	pending []checkin.State
}

// startCheckin runs kioskd with the [device] and [checkin] tables given
// (data under dir/var, the simulated reader, scanner and, with finger, the
// fingerprint module).
func startCheckin(t *testing.T, id, section string, finger bool) *checkinPoint {
	t.Helper()
	return startCheckinUI(t, id, section, finger, false)
}

// startCheckinUI is startCheckin with [ui] enabled set to ui (with no
// display the point runs headless, but it speaks: its voice follows the
// screen's states).
func startCheckinUI(t *testing.T, id, section string, finger, ui bool) *checkinPoint {
	t.Helper()
	dir := t.TempDir()
	sock := filepath.Join(dir, "control.sock")
	devices := `[devices.nfc]
driver = "pn532-uart"
port = "sim"
[devices.scanner]
driver = "scanner"
port = "sim"
`
	if finger {
		devices += "[devices.fingerprint]\ndriver = \"r30x\"\nport = \"sim\"\n"
	}
	cfg := writeConfig(t, dir, `[device]
id = "`+id+`"
profile = "checkin"
data_dir = "`+filepath.Join(dir, "var")+`"
[uplink]
interval = "200ms"
`+devices+`[checkin]
`+section+`
[ui]
enabled = `+strconv.FormatBool(ui)+`
`)
	_, lines, stderr := startKioskd(t, dir, []string{"DISPLAY=", "WAYLAND_DISPLAY="}, "run", "--sim", "--config", cfg, "--control", sock)
	waitLine(t, lines, "ready", 30*time.Second, stderr)
	return &checkinPoint{t: t, dir: dir, cc: dialControl(t, sock), stderr: stderr, deadline: time.After(120 * time.Second)}
}

// await reads states (first those read while waiting for a reply) until
// ok holds for one (kept in p.st).
func (p *checkinPoint) await(what string, ok func(checkin.State) bool) checkin.State {
	p.t.Helper()
	for len(p.pending) > 0 {
		p.st, p.pending = p.pending[0], p.pending[1:]
		if ok(p.st) {
			return p.st
		}
	}
	p.cc.await(p.deadline, what, p.stderr, func(l profileLine) bool {
		if l.State == nil {
			return false
		}
		p.st = p.decode(l)
		return ok(p.st)
	})
	return p.st
}

func (p *checkinPoint) decode(l profileLine) checkin.State {
	p.t.Helper()
	var st checkin.State
	if err := json.Unmarshal(l.State, &st); err != nil {
		p.t.Fatal(err)
	}
	return st
}

// reply waits for the reply named reply, keeping the states read
// meanwhile for await.
func (p *checkinPoint) reply(reply string) profileLine {
	p.t.Helper()
	r := p.cc.await(p.deadline, "the reply "+reply, p.stderr, func(l profileLine) bool {
		if l.State != nil {
			p.pending = append(p.pending, p.decode(l))
			return false
		}
		return l.Reply == reply
	})
	if !r.OK {
		p.t.Fatalf("%s: %s; stderr:\n%s", reply, r.Error, p.stderr)
	}
	return r
}

// sim runs a simulator command and waits for its reply.
func (p *checkinPoint) sim(c profile.SimCommand) profileLine {
	p.t.Helper()
	p.cc.sim(c)
	return p.reply(c.Sim)
}

// run runs the panel control labelled label.
func (p *checkinPoint) run(label string) {
	p.t.Helper()
	p.sim(profile.SimCommand{Sim: profile.SimRun, Label: label})
}

// again presents the same card as the last control did: first it waits out
// the scanner's repeat window (drivers/scanner Options.RepeatWindow, 1 s),
// in which an identical QR is a double scan and ignored.
func (p *checkinPoint) again(label string) {
	p.t.Helper()
	time.Sleep(1500 * time.Millisecond)
	p.run(label)
}

// intent sends an intent and waits for the socket's reply.
func (p *checkinPoint) intent(in checkin.Intent) {
	p.t.Helper()
	p.cc.intent(in)
	p.reply("intent")
}

// screen waits for a screen.
func (p *checkinPoint) screen(sc checkin.Screen) checkin.State {
	p.t.Helper()
	return p.await(string(sc), func(s checkin.State) bool { return s.Screen == sc })
}

// next leaves a result for the ready screen.
func (p *checkinPoint) next() checkin.State {
	p.t.Helper()
	p.intent(checkin.Intent{Kind: checkin.IntentContinue})
	return p.screen(checkin.ScreenReady)
}

// collected waits until the collector holds at least want records of each
// kind, and returns them all.
func (p *checkinPoint) collected(want map[string]int) []simrig.ControlRecord {
	p.t.Helper()
	for {
		p.cc.send(simrig.ControlCommand{SimCommand: profile.SimCommand{Sim: simrig.QueryRecords}, Payloads: true})
		r := p.reply(simrig.QueryRecords)
		done := true
		for k, n := range want {
			done = done && r.Kinds[k] >= n
		}
		if done {
			return r.Records
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// citizen is the simulated person's name and ID number (the rig's
// "citizens" query).
func (p *checkinPoint) citizen(who string) simrig.ControlCitizen {
	p.t.Helper()
	r := p.sim(profile.SimCommand{Sim: simrig.QueryCitizens})
	for _, c := range r.Citizens {
		if c.Citizen == who {
			return c
		}
	}
	p.t.Fatalf("no simulated citizen %q in %+v", who, r.Citizens)
	return simrig.ControlCitizen{}
}

// readCSV reads an export of the point (dir/var/exports/name).
func (p *checkinPoint) readCSV(name string) [][]string {
	p.t.Helper()
	b, err := os.ReadFile(filepath.Join(p.dir, "var", "exports", name))
	if err != nil {
		p.t.Fatal(err)
	}
	if !bytes.HasPrefix(b, []byte("\uFEFF")) {
		p.t.Errorf("%s has no UTF-8 byte-order mark (Excel reads it as ANSI)", name)
	}
	r := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(b, []byte("\uFEFF"))))
	r.FieldsPerRecord = -1
	rows, err := r.ReadAll()
	if err != nil {
		p.t.Fatalf("%s: %v", name, err)
	}
	return rows
}

// TestCheckinAttendanceEndToEnd runs an exam attendance point in a real
// kioskd process under --sim (the roster made by the profile's Simulate
// hook): a candidate on the list is accepted, a person not on it is
// refused with the reason, and both reads reach the collector.
func TestCheckinAttendanceEndToEnd(t *testing.T) {
	p := startCheckin(t, "checkin-e2e-1", "mode = \"attendance\"\nroom = \"P101\"\nresult_delay = \"2s\"", false)
	p.await("ready", func(s checkin.State) bool {
		return s.Screen == checkin.ScreenReady && s.Ready != nil && s.Ready.Listed == 2
	})
	p.run("Người lớn: quét QR rồi chạm thẻ CCCD")
	st := p.screen(checkin.ScreenResult)
	if !st.Result.OK || st.Result.Number != "0001" {
		t.Fatalf("candidate %+v", st.Result)
	}
	p.screen(checkin.ScreenReady)
	p.run("Người thứ hai: quét QR rồi chạm thẻ")
	st = p.screen(checkin.ScreenResult)
	if st.Result.OK || st.Result.Code != "not_on_list" || st.Result.Message.VI == "" {
		t.Fatalf("not on the list %+v", st.Result)
	}
	p.collected(map[string]int{records.KindCheckinAttendance: 2, records.KindCheckinRead: 2})
}

// TestCheckinImpostorEndToEnd: at an attendance point with the simulated
// fingerprint module that enrols ([checkin] enrol), a candidate's finger
// is enrolled with consent at the first read and the candidate accepted;
// then someone else presents the same genuine card with their own finger
// (the module sees another person's finger) and is refused as not the
// card's holder — before "already checked in", which would hide the
// fraud. The collector gets the attendance records with the outcomes and
// reasons, and the holder records.
func TestCheckinImpostorEndToEnd(t *testing.T) {
	p := startCheckin(t, "checkin-e2e-2", "mode = \"attendance\"\nroom = \"P101\"\nenrol = true\nresult_delay = \"20s\"", true)
	p.await("ready", func(s checkin.State) bool {
		return s.Screen == checkin.ScreenReady && s.Ready != nil && s.Ready.Listed == 2
	})
	p.run("Người lớn: thẻ và ngón tay của chính mình")
	st := p.await("the enrolment offer", func(s checkin.State) bool { return s.Screen == checkin.ScreenHolder && s.Holder.Offer })
	if !st.Has(checkin.IntentEnrol) || st.Person == nil || st.Person.Verdict != "genuine" {
		t.Fatalf("offer %+v %+v", st.Actions, st.Person)
	}
	p.intent(checkin.Intent{Kind: checkin.IntentEnrol})
	st = p.screen(checkin.ScreenResult)
	if !st.Result.OK || st.Result.Code != "accepted" || st.Result.Number != "0001" || st.Person.Holder != "enrolled" {
		t.Fatalf("candidate %+v %+v", st.Result, st.Person)
	}
	st = p.next()
	if st.Ready.Accepted != 1 {
		t.Fatalf("accepted %d after the candidate", st.Ready.Accepted)
	}
	p.sim(profile.SimCommand{Sim: profile.SimFinger}) // the candidate walks in

	p.again("Người khác mang thẻ của người lớn (vân tay không khớp)")
	st = p.screen(checkin.ScreenResult)
	if st.Result.OK || st.Result.Code != "wrong_person" || st.Person.Holder != "mismatch" ||
		!strings.Contains(st.Result.Message.VI, "không phải chủ thẻ") {
		t.Fatalf("impostor %+v %+v", st.Result, st.Person)
	}
	st = p.next()
	if st.Ready.Accepted != 1 {
		t.Fatalf("accepted %d after the impostor", st.Ready.Accepted)
	}

	recs := p.collected(map[string]int{records.KindCheckinAttendance: 2, records.KindCheckinHolder: 2})
	var attendance, holder []string
	for _, r := range recs {
		switch r.Kind {
		case records.KindCheckinAttendance:
			var a records.CheckinAttendance
			if err := json.Unmarshal(r.Payload, &a); err != nil {
				t.Fatal(err)
			}
			attendance = append(attendance, a.Outcome+":"+a.Reason)
		case records.KindCheckinHolder:
			var h records.CheckinHolder
			if err := json.Unmarshal(r.Payload, &h); err != nil {
				t.Fatal(err)
			}
			holder = append(holder, h.Outcome)
		}
	}
	if got := strings.Join(attendance, ","); got != "accepted:,refused:wrong_person" {
		t.Errorf("attendance records %s", got)
	}
	if got := strings.Join(holder, ","); got != "enrolled,mismatch" {
		t.Errorf("holder records %s", got)
	}
}

// TestCheckinLodgingEndToEnd: at a hotel's front desk a guest checks in
// (room, reason, the default departure), is found in the house at the next
// read and checks out; a forged card is refused. The stay notification
// export (CSV) holds the stay with the law's fields from the chip and the
// desk; the weekly report on screen and in its CSV export counts exactly
// what the collector received: reads, genuine cards, check-ins, check-outs.
func TestCheckinLodgingEndToEnd(t *testing.T) {
	const address = "12 Lê Lợi, phường Thuận Hóa, TP. Huế"
	p := startCheckin(t, "checkin-e2e-3", "mode = \"lodging\"\nestablishment = \"Khách sạn Mô phỏng\"\naddress = \""+address+
		"\"\nsite = \"Khách sạn Mô phỏng – lễ tân\"\nresult_delay = \"20s\"", false)
	p.screen(checkin.ScreenReady)

	p.run("Người lớn: quét QR rồi chạm thẻ CCCD")
	st := p.screen(checkin.ScreenLodging)
	if st.Lodging.Departure == "" || st.Lodging.NotifyBy.IsZero() || st.Person == nil {
		t.Fatalf("form %+v", st.Lodging)
	}
	p.intent(checkin.Intent{Kind: checkin.IntentField, Key: "room", Value: "203"})
	p.intent(checkin.Intent{Kind: checkin.IntentField, Key: "reason", Value: "Công tác"})
	p.intent(checkin.Intent{Kind: checkin.IntentConfirm})
	st = p.screen(checkin.ScreenResult)
	if !st.Result.OK || st.Result.Code != "checked_in" || st.Result.Room != "203" || !strings.Contains(st.Result.Detail.VI, "Hạn thông báo lưu trú") {
		t.Fatalf("check-in %+v", st.Result)
	}
	if st = p.next(); st.Ready.InHouse != 1 {
		t.Fatalf("in the house after the check-in: %d", st.Ready.InHouse)
	}

	p.again("Người lớn: quét QR rồi chạm thẻ CCCD")
	st = p.screen(checkin.ScreenResult)
	if st.Result.Code != "in_house" || !st.Has(checkin.IntentCheckOut) {
		t.Fatalf("second read %+v %+v", st.Result, st.Actions)
	}
	p.intent(checkin.Intent{Kind: checkin.IntentCheckOut})
	st = p.await("checked out", func(s checkin.State) bool { return s.Screen == checkin.ScreenResult && s.Result.Code == "checked_out" })
	if st.Result.Room != "203" {
		t.Fatalf("check-out %+v", st.Result)
	}
	if st = p.next(); st.Ready.InHouse != 0 {
		t.Fatalf("in the house after the check-out: %d", st.Ready.InHouse)
	}

	p.again("Thẻ giả (DG13 bị sửa)") // the adult's card, altered: the same QR
	st = p.screen(checkin.ScreenResult)
	if st.Result.OK || st.Result.Code != "not_genuine" {
		t.Fatalf("forged card %+v", st.Result)
	}
	p.next()

	// The stay notification for the week.
	p.intent(checkin.Intent{Kind: checkin.IntentReport, Value: "week"})
	p.screen(checkin.ScreenReport)
	p.intent(checkin.Intent{Kind: checkin.IntentExportASM, Value: "csv"})
	st = p.await("the stay list exported", func(s checkin.State) bool {
		return s.Screen == checkin.ScreenReport && strings.HasPrefix(s.Report.File, "thong-bao-luu-tru-")
	})
	adult := p.citizen("adult")
	stays := p.readCSV(st.Report.File)
	if len(stays) != 2 {
		t.Fatalf("stay list: %d rows, want the header and one stay: %q", len(stays), stays)
	}
	col := map[string]string{}
	for i, h := range stays[0] {
		if i < len(stays[1]) {
			col[h] = stays[1][i]
		}
	}
	dob, _ := time.Parse(time.DateOnly, adult.DOB)
	for field, want := range map[string]string{
		"STT": "1", "Họ và tên": adult.Name, "Số định danh cá nhân": adult.ID, "Địa chỉ lưu trú": address,
		"Số phòng": "203", "Lý do lưu trú": "Công tác", "Trạng thái": "Đã trả phòng",
	} {
		if col[field] != want {
			t.Errorf("stay list %q = %q, want %q", field, col[field], want)
		}
	}
	if got := col["Ngày sinh"]; got != adult.DOB && got != dob.Format("02/01/2006") {
		t.Errorf("stay list date of birth %q, want %s", got, adult.DOB)
	}
	for _, field := range []string{"Giới tính", "Quốc tịch", "Nơi thường trú", "Lưu trú từ", "Lưu trú đến", "Hạn thông báo"} {
		if col[field] == "" {
			t.Errorf("stay list: %q is empty: %q", field, stays[1])
		}
	}

	// The weekly report against the collector's records.
	recs := p.collected(map[string]int{records.KindCheckinRead: 3, records.KindCheckinLodging: 2})
	want := map[string]int{}
	for _, r := range recs {
		switch r.Kind {
		case records.KindCheckinRead:
			var rd records.CheckinRead
			if err := json.Unmarshal(r.Payload, &rd); err != nil {
				t.Fatal(err)
			}
			want["reads"]++
			want[rd.Verdict]++
		case records.KindCheckinLodging:
			var l records.CheckinLodging
			if err := json.Unmarshal(r.Payload, &l); err != nil {
				t.Fatal(err)
			}
			want[l.Action+"s"]++
		}
	}
	if want["reads"] != 3 || want["genuine"] != 2 || want["not_genuine"] != 1 || want["check_ins"] != 1 || want["check_outs"] != 1 {
		t.Fatalf("collector counts %v", want)
	}
	p.intent(checkin.Intent{Kind: checkin.IntentExport, Value: "csv"})
	st = p.await("the weekly report exported", func(s checkin.State) bool {
		return s.Screen == checkin.ScreenReport && strings.HasPrefix(s.Report.File, "bao-cao-week-")
	})
	onScreen := map[string]string{}
	for _, r := range st.Report.Rows {
		onScreen[r.Key] = r.Value
	}
	labels := map[string]string{"reads": "Lượt đọc thẻ", "genuine": "Thẻ xác thực là thật", "not_genuine": "Thẻ không hợp lệ",
		"check_ins": "Lượt nhận phòng (lưu trú)", "check_outs": "Lượt trả phòng"}
	report := p.readCSV(st.Report.File)
	var head, total []string
	for _, row := range report {
		switch {
		case len(row) > 0 && row[0] == "Ngày":
			head = row
		case len(row) > 0 && row[0] == "Tổng cộng":
			total = row
		}
	}
	if head == nil || len(total) != len(head) {
		t.Fatalf("weekly report without a header or total row: %q", report)
	}
	for key, label := range labels {
		n := want[key]
		if v := onScreen[key]; v != strconv.Itoa(n) && !strings.HasPrefix(v, strconv.Itoa(n)+" (") {
			t.Errorf("on screen %s = %q, the collector has %d", key, v, n)
		}
		i := indexOf(head, label)
		if i < 0 {
			t.Errorf("weekly report has no column %q: %q", label, head)
			continue
		}
		if total[i] != strconv.Itoa(n) {
			t.Errorf("weekly report %s = %s, the collector has %d", label, total[i], n)
		}
	}
	if i := indexOf(head, "Tỉ lệ thẻ thật (%)"); i < 0 || total[i] != "66.7" {
		t.Errorf("weekly genuine rate %q (head %q)", total, head)
	}
	for _, row := range report {
		if strings.Contains(strings.Join(row, ","), adult.ID) || strings.Contains(strings.Join(row, ","), adult.Name) {
			t.Fatalf("the weekly report carries personal data: %q", row)
		}
	}
	// The export is recorded (checkin.report, its totals, no personal field).
	for _, r := range p.collected(map[string]int{records.KindCheckinReport: 1}) {
		if r.Kind != records.KindCheckinReport {
			continue
		}
		var rep records.CheckinReport
		if err := json.Unmarshal(r.Payload, &rep); err != nil {
			t.Fatal(err)
		}
		if rep.Period != "week" || rep.Format != "csv" || rep.Totals["reads"] != want["reads"] || rep.Totals["check_ins"] != want["check_ins"] ||
			strings.Contains(string(r.Payload), "personal") {
			t.Errorf("checkin.report %s", r.Payload)
		}
	}
}

func indexOf(xs []string, x string) int {
	for i, v := range xs {
		if v == x {
			return i
		}
	}
	return -1
}

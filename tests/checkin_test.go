package tests

import (
	"encoding/json"
	"path/filepath"
	"testing"
	"time"

	"github.com/kiosk06/kiosk/firmware/checkin"
	"github.com/kiosk06/kiosk/firmware/profile"
	"github.com/kiosk06/kiosk/firmware/simrig"
)

// TestCheckinAttendanceEndToEnd runs an exam attendance point in a real
// kioskd process under --sim (the roster made by the profile's Simulate
// hook): a candidate on the list is accepted, a person not on it is
// refused with the reason, and both reads reach the collector.
func TestCheckinAttendanceEndToEnd(t *testing.T) {
	dir := t.TempDir()
	sock := filepath.Join(dir, "control.sock")
	cfg := writeConfig(t, dir, `[device]
id = "checkin-e2e-1"
profile = "checkin"
data_dir = "`+filepath.Join(dir, "var")+`"
[uplink]
interval = "200ms"
[devices.nfc]
driver = "pn532-uart"
port = "sim"
[devices.scanner]
driver = "scanner"
port = "sim"
[checkin]
mode = "attendance"
room = "P101"
result_delay = "2s"
[ui]
enabled = false
`)
	_, lines, stderr := startKioskd(t, dir, []string{"DISPLAY=", "WAYLAND_DISPLAY="}, "run", "--sim", "--config", cfg, "--control", sock)
	waitLine(t, lines, "ready", 30*time.Second, stderr)
	cc := dialControl(t, sock)
	deadline := time.After(90 * time.Second)
	var st checkin.State
	state := func(what string, ok func(checkin.State) bool) {
		t.Helper()
		cc.await(deadline, what, stderr, func(l profileLine) bool {
			if l.State == nil {
				return false
			}
			st = checkin.State{}
			if err := json.Unmarshal(l.State, &st); err != nil {
				t.Fatal(err)
			}
			return ok(st)
		})
	}
	state("ready", func(s checkin.State) bool {
		return s.Screen == checkin.ScreenReady && s.Ready != nil && s.Ready.Listed == 2
	})
	cc.simOK(deadline, stderr, profile.SimCommand{Sim: profile.SimRun, Label: "Người lớn: quét QR rồi chạm thẻ CCCD"})
	state("the candidate's result", func(s checkin.State) bool { return s.Screen == checkin.ScreenResult })
	if !st.Result.OK || st.Result.Number != "0001" {
		t.Fatalf("candidate %+v", st.Result)
	}
	state("ready again", func(s checkin.State) bool { return s.Screen == checkin.ScreenReady })
	cc.simOK(deadline, stderr, profile.SimCommand{Sim: profile.SimRun, Label: "Người thứ hai: quét QR rồi chạm thẻ"})
	state("the impostor's result", func(s checkin.State) bool { return s.Screen == checkin.ScreenResult })
	if st.Result.OK || st.Result.Message.VI == "" {
		t.Fatalf("impostor %+v", st.Result)
	}
	for {
		cc.sim(profile.SimCommand{Sim: simrig.QueryRecords})
		r := cc.await(deadline, "records", stderr, func(l profileLine) bool { return l.Reply == simrig.QueryRecords })
		if r.Kinds["checkin.attendance"] >= 2 && r.Kinds["checkin.read"] >= 2 {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
}

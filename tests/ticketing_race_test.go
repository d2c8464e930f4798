package tests

import (
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kiosk06/kiosk/firmware/profile"
	"github.com/kiosk06/kiosk/firmware/simrig"
	"github.com/kiosk06/kiosk/firmware/ticketing"
	"github.com/kiosk06/kiosk/payments/tariff"
)

// ticketingConfig is a simulated ticket kiosk's configuration; extra is
// added to its [ticketing] table.
func ticketingConfig(t *testing.T, dir, id, extra string) string {
	t.Helper()
	return writeConfig(t, dir, `[device]
id = "`+id+`"
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
`+extra+`
[ui]
enabled = false
`)
}

// TestTicketingTwoKiosksOneSeat: two ticket kiosks (two real kioskd
// processes) sell from one backend, and two passengers choose the same
// coach seat at the same moment. Exactly one holds it and buys it; the
// other is told the seat was just taken, sees it taken on the map, and
// nothing is sold twice.
func TestTicketingTwoKiosksOneSeat(t *testing.T) {
	env := []string{"DISPLAY=", "WAYLAND_DISPLAY="}
	dirA, dirB := t.TempDir(), t.TempDir()
	sockA, sockB := filepath.Join(dirA, "control.sock"), filepath.Join(dirB, "control.sock")
	_, linesA, stderrA := startKioskd(t, dirA, env, "run", "--sim", "--config", ticketingConfig(t, dirA, "station-race-a", ""), "--control", sockA)
	waitLine(t, linesA, "ready", 60*time.Second, stderrA)
	m := regexp.MustCompile(`ticketing: simulated ticket-selling backend".*?"url":"([^"]+)".*?"public_key":"([^"]+)".*?"token":"([^"]+)"`).FindStringSubmatch(stderrA.String())
	if m == nil {
		t.Fatalf("no simulated backend line in stderr:\n%s", stderrA)
	}
	// Kiosk B sells from kiosk A's (simulated) backend.
	cfgB := ticketingConfig(t, dirB, "station-race-b", `backend_url = "`+m[1]+`"
backend_public_key = "`+m[2]+`"
backend_token = "`+m[3]+`"`)
	_, linesB, stderrB := startKioskd(t, dirB, env, "run", "--sim", "--config", cfgB, "--control", sockB)
	waitLine(t, linesB, "ready", 60*time.Second, stderrB)
	// Each kiosk sells only from a catalogue it has synced (and checked).
	for _, k := range []struct {
		name   string
		stderr *syncBuffer
	}{{"A", stderrA}, {"B", stderrB}} {
		for wait := time.Now().Add(30 * time.Second); !strings.Contains(k.stderr.String(), "ticketing: catalogue updated"); time.Sleep(100 * time.Millisecond) {
			if time.Now().After(wait) {
				t.Fatalf("kiosk %s never synced the catalogue:\n%s", k.name, k.stderr)
			}
		}
	}

	deadline := time.After(150 * time.Second)
	a := &ticketKiosk{t: t, cc: dialControl(t, sockA), stderr: stderrA, deadline: deadline}
	b := &ticketKiosk{t: t, cc: dialControl(t, sockB), stderr: stderrB, deadline: deadline}
	day := time.Now().In(tariff.Location()).AddDate(0, 0, 1).Format("2006-01-02")
	toSeats := func(k *ticketKiosk, citizen string) (departure string) {
		t.Helper()
		k.state("the welcome screen", func(x ticketing.State) bool {
			return x.Screen == ticketing.ScreenWelcome && x.Has(ticketing.IntentStart)
		})
		k.identify(citizen)
		k.send(ticketing.Intent{Kind: ticketing.IntentMode, Mode: "coach"})
		k.send(ticketing.Intent{Kind: ticketing.IntentSearch, From: "HN-GB", To: "VINH", Date: day})
		k.state("coaches to Vinh", func(x ticketing.State) bool {
			return x.Screen == ticketing.ScreenChoose && x.Choose.Searched && len(x.Choose.Trips) > 0
		})
		departure = k.st.Choose.Trips[0].Departure
		k.send(ticketing.Intent{Kind: ticketing.IntentTrip, Departure: departure})
		k.state("the passengers", ticketScreen(ticketing.ScreenPassengers))
		k.send(ticketing.Intent{Kind: ticketing.IntentContinue})
		k.state("the seat map", func(x ticketing.State) bool {
			return x.Screen == ticketing.ScreenSeats && !x.Seats.Loading && len(x.Seats.Cars) > 0
		})
		return departure
	}
	if da, db := toSeats(a, "adult"), toSeats(b, "second-adult"); da != db {
		t.Fatalf("the kiosks show different first departures: %s, %s", da, db)
	}
	seat := ""
	for _, car := range a.st.Seats.Cars {
		for _, s := range car.Seats {
			if s.State == "free" && seat == "" {
				seat = s.ID
			}
		}
	}
	for _, k := range []*ticketKiosk{a, b} {
		k.send(ticketing.Intent{Kind: ticketing.IntentSeat, Seat: seat})
		k.state("seat "+seat+" chosen", func(x ticketing.State) bool { return len(x.Seats.Chosen) == 1 })
	}
	// Both ask for the hold at once.
	a.send(ticketing.Intent{Kind: ticketing.IntentContinue})
	b.send(ticketing.Intent{Kind: ticketing.IntentContinue})
	settled := func(x ticketing.State) bool {
		return x.Screen == ticketing.ScreenFare || x.Screen == ticketing.ScreenSeats && !x.Seats.Loading && len(x.Seats.Chosen) == 0
	}
	a.outcome("kiosk A's hold", settled)
	b.outcome("kiosk B's hold", settled)
	winner, loser := a, b
	if b.st.Screen == ticketing.ScreenFare {
		winner, loser = b, a
	}
	if winner.st.Screen != ticketing.ScreenFare || loser.st.Screen != ticketing.ScreenSeats {
		t.Fatalf("after the race: A on %s, B on %s (want one fare, one seat map)", a.st.Screen, b.st.Screen)
	}
	taken := false
	for _, car := range loser.st.Seats.Cars {
		for _, s := range car.Seats {
			taken = taken || s.ID == seat && s.State == "taken"
		}
	}
	if !taken {
		t.Errorf("the losing kiosk's map does not show seat %s taken", seat)
	}
	winner.pay("coach seat " + seat)

	sales := func(k *ticketKiosk) int {
		k.cc.send(simrig.ControlCommand{SimCommand: profile.SimCommand{Sim: simrig.QueryRecords}})
		r := k.cc.await(deadline, "records", k.stderr, func(l profileLine) bool { return l.Reply == simrig.QueryRecords })
		return r.Kinds["ticketing.sale"]
	}
	// The records reach each kiosk's collector after the ticket prints.
	w := sales(winner)
	for until := time.Now().Add(20 * time.Second); w == 0 && time.Now().Before(until); w = sales(winner) {
		time.Sleep(200 * time.Millisecond)
	}
	if l := sales(loser); w != 1 || l != 0 {
		t.Fatalf("sales: winner %d, loser %d; want exactly one", w, l)
	}
	// The loser's passenger can still buy another seat.
	if !slices.ContainsFunc(loser.st.Seats.Cars[0].Seats, func(s ticketing.SeatView) bool { return s.State == "free" }) {
		t.Fatalf("no free seat left for the second passenger")
	}
}

package tests

import (
	"encoding/json"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/kiosk06/kiosk/firmware/profile"
	"github.com/kiosk06/kiosk/firmware/simrig"
	"github.com/kiosk06/kiosk/firmware/ticketing"
	"github.com/kiosk06/kiosk/firmware/transit"
	"github.com/kiosk06/kiosk/payments/tariff"
)

// TestTicketingEndToEnd runs a real kioskd with the ticketing profile under
// --sim (simulated reader, scanner, printer, ticket-selling backend and
// signed payment gateway) and buys, over the --control socket as the
// screen would, a coach seat and then a monthly bus pass with the
// simulated adult's CCCD: each is paid by the gateway's signed
// confirmation, its ticketing.sale and ticketing.ticket records reach the
// collector and its ticket prints. A second kioskd, the bus validator,
// syncs the backend's signed pass list (same operator token key) and
// accepts the same CCCD's QR as a pass holder.
func TestTicketingEndToEnd(t *testing.T) {
	t.Parallel() // waits on kioskd processes of its own (directory, ports, broker): runs beside the others
	dir := t.TempDir()
	sock := filepath.Join(dir, "control.sock")
	tokenKey := filepath.Join(dir, "operator-token.key")
	cfg := writeConfig(t, dir, `[device]
id = "station-e2e-1"
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
token_key_file = "`+tokenKey+`"
[ui]
enabled = false
`)
	_, lines, stderr := startKioskd(t, dir, []string{"DISPLAY=", "WAYLAND_DISPLAY="}, "run", "--sim", "--config", cfg, "--control", sock)
	waitLine(t, lines, "ready", 60*time.Second, stderr)
	cc := dialControl(t, sock)
	deadline := time.After(150 * time.Second)

	k := &ticketKiosk{t: t, cc: cc, stderr: stderr, deadline: deadline}
	state, send, identify, pay := k.state, k.send, k.identify, k.pay
	screen := ticketScreen

	// A coach seat, Giáp Bát → Vinh, tomorrow.
	state("the welcome screen", func(x ticketing.State) bool {
		return x.Screen == ticketing.ScreenWelcome && x.Has(ticketing.IntentStart)
	})
	identify("adult")
	day := time.Now().In(tariff.Location()).AddDate(0, 0, 1).Format("2006-01-02")
	send(ticketing.Intent{Kind: ticketing.IntentMode, Mode: "coach"})
	send(ticketing.Intent{Kind: ticketing.IntentSearch, From: "HN-GB", To: "VINH", Date: day})
	state("coaches to Vinh", func(x ticketing.State) bool {
		return x.Screen == ticketing.ScreenChoose && x.Choose.Searched && len(x.Choose.Trips) > 0
	})
	send(ticketing.Intent{Kind: ticketing.IntentTrip, Departure: k.st.Choose.Trips[0].Departure})
	state("the passengers", screen(ticketing.ScreenPassengers))
	if len(k.st.Passengers.List) != 1 || !k.st.Passengers.List[0].Buyer {
		t.Fatalf("passengers %+v", k.st.Passengers)
	}
	send(ticketing.Intent{Kind: ticketing.IntentContinue})
	state("the seat map", func(x ticketing.State) bool {
		return x.Screen == ticketing.ScreenSeats && !x.Seats.Loading && len(x.Seats.Cars) > 0
	})
	seat := ""
	for _, car := range k.st.Seats.Cars {
		for _, s := range car.Seats {
			if s.State == "free" && seat == "" {
				seat = s.ID
			}
		}
	}
	send(ticketing.Intent{Kind: ticketing.IntentSeat, Seat: seat})
	state("the seat chosen", func(x ticketing.State) bool { return x.Screen == ticketing.ScreenSeats && len(x.Seats.Chosen) == 1 })
	send(ticketing.Intent{Kind: ticketing.IntentContinue})
	pay("coach seat " + seat)

	// A monthly city bus pass.
	state("the welcome screen again", func(x ticketing.State) bool {
		return x.Screen == ticketing.ScreenWelcome && x.Has(ticketing.IntentStart)
	})
	identify("adult")
	send(ticketing.Intent{Kind: ticketing.IntentMode, Mode: "bus"})
	state("the bus passes", func(x ticketing.State) bool { return x.Screen == ticketing.ScreenChoose && len(x.Choose.Products) > 0 })
	var product ticketing.ProductOption
	for _, p := range k.st.Choose.Products {
		if len(p.Months) > 0 && product.ID == "" {
			product = p
		}
	}
	if product.ID == "" {
		t.Fatalf("no monthly pass on sale: %+v", k.st.Choose.Products)
	}
	send(ticketing.Intent{Kind: ticketing.IntentProduct, Product: product.ID, Month: product.Months[0].Month})
	state("the pass's passengers", screen(ticketing.ScreenPassengers))
	send(ticketing.Intent{Kind: ticketing.IntentContinue})
	pay("monthly pass")

	// A single ride for another passenger (who holds no pass).
	state("the welcome screen a third time", func(x ticketing.State) bool {
		return x.Screen == ticketing.ScreenWelcome && x.Has(ticketing.IntentStart)
	})
	identify("second-adult")
	send(ticketing.Intent{Kind: ticketing.IntentMode, Mode: "bus"})
	state("the bus products", func(x ticketing.State) bool { return x.Screen == ticketing.ScreenChoose && len(x.Choose.Products) > 0 })
	var ride ticketing.ProductOption
	for _, p := range k.st.Choose.Products {
		if len(p.Months) == 0 && ride.ID == "" {
			ride = p
		}
	}
	if ride.ID == "" {
		t.Fatalf("no single ride on sale: %+v", k.st.Choose.Products)
	}
	send(ticketing.Intent{Kind: ticketing.IntentProduct, Product: ride.ID})
	state("the ride's passengers", screen(ticketing.ScreenPassengers))
	send(ticketing.Intent{Kind: ticketing.IntentContinue})
	pay("single ride")

	// Both sales and tickets reach the collector, and two pages printed.
	var recs profileLine
	for {
		cc.send(simrig.ControlCommand{SimCommand: profile.SimCommand{Sim: simrig.QueryRecords}, Payloads: true})
		recs = cc.await(deadline, "records", stderr, func(l profileLine) bool { return l.Reply == simrig.QueryRecords })
		if recs.Kinds["ticketing.sale"] >= 3 && recs.Kinds["ticketing.ticket"] >= 3 && len(recs.Pages) >= 3 {
			break
		}
		time.Sleep(300 * time.Millisecond)
	}
	cz := cc.simOK(deadline, stderr, profile.SimCommand{Sim: simrig.QueryCitizens})
	// A named ticket carries its passenger's name and ID number sealed
	// ("personal", as the operator must keep them); the payload itself
	// never does.
	for _, rec := range recs.Records {
		var fields map[string]json.RawMessage
		if err := json.Unmarshal(rec.Payload, &fields); err != nil {
			t.Fatal(err)
		}
		delete(fields, "personal")
		open, _ := json.Marshal(fields)
		for _, c := range cz.Citizens {
			if strings.Contains(string(open), c.ID) {
				t.Fatalf("%s record carries %s's ID number: %s", rec.Kind, c.Citizen, rec.Payload)
			}
		}
	}

	// The bus validator honours the pass: the backend's signed list, the
	// same operator key, the same CCCD's QR.
	m := regexp.MustCompile(`ticketing: simulated ticket-selling backend.*?"?url"?[=:]"?([^"\s]+)"?.*?"?lists_public_key"?[=:]"?([A-Za-z0-9+/=]+)`).FindStringSubmatch(stderr.String())
	if m == nil {
		t.Fatalf("no simulated backend line in stderr:\n%s", stderr)
	}
	vdir := t.TempDir()
	vsock := filepath.Join(vdir, "control.sock")
	vcfg := writeConfig(t, vdir, `[device]
id = "bus-e2e-1"
profile = "transit"
data_dir = "`+filepath.Join(vdir, "var")+`"
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
fares = { "47" = 7000 }
token_key_file = "`+tokenKey+`"
lists_url = "`+m[1]+`"
lists_public_key = "`+m[2]+`"
sync_interval = "10s"
repeat_window = "1s"
[ui]
enabled = false
`)
	_, vlines, vstderr := startKioskd(t, vdir, []string{"DISPLAY=", "WAYLAND_DISPLAY="}, "run", "--sim", "--config", vcfg, "--control", vsock)
	waitLine(t, vlines, "ready", 60*time.Second, vstderr)
	vc := dialControl(t, vsock)
	var lastAt time.Time // the validator's last decision
	for tries := 0; ; tries++ {
		if tries > 60 {
			t.Fatalf("the validator never accepted the pass; stderr:\n%s", vstderr)
		}
		vc.simOK(deadline, vstderr, profile.SimCommand{Sim: profile.SimScan, Citizen: "adult"})
		var vs transit.State
		vc.await(deadline, "the validator's decision", vstderr, func(l profileLine) bool {
			if l.State == nil || json.Unmarshal(l.State, &vs) != nil {
				return false
			}
			return vs.Last != nil && vs.Taps > uint64(tries)
		})
		if vs.Last.Verdict == transit.Accept && vs.Last.Reason == transit.ReasonPass {
			lastAt = vs.Last.At
			break
		}
		time.Sleep(1500 * time.Millisecond) // the list is synced at start and every 10 s; taps 1 s apart are no repeat
	}

	// The single ride: used at its first tap, refused at the next
	// ("Vé đã sử dụng"), once the repeat window (1 s) is over.
	decide := func(what string, c profile.SimCommand) transit.State {
		t.Helper()
		var before transit.State
		vc.simOK(deadline, vstderr, c)
		vc.await(deadline, what, vstderr, func(l profileLine) bool {
			before = transit.State{}
			return l.State != nil && json.Unmarshal(l.State, &before) == nil && before.Last != nil && before.Last.At.After(lastAt)
		})
		lastAt = before.Last.At
		return before
	}
	first := decide("the ride's first tap", profile.SimCommand{Sim: profile.SimScan, Citizen: "second-adult"})
	if first.Last.Verdict != transit.Accept || first.Last.Reason != transit.ReasonTicket {
		t.Fatalf("the ride's first tap: %+v", first.Last)
	}
	time.Sleep(1500 * time.Millisecond)
	second := decide("the ride's second tap", profile.SimCommand{Sim: profile.SimScan, Citizen: "second-adult"})
	if second.Last.Verdict != transit.Deny || second.Last.Reason != transit.ReasonTicketUsed || !strings.Contains(second.Last.Message, "Vé đã sử dụng") {
		t.Fatalf("the ride's second tap: %+v", second.Last)
	}
}

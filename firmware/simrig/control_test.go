package simrig

import (
	"bufio"
	"context"
	"encoding/json"
	"net"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kiosk06/kiosk/drivers/escpos"
	"github.com/kiosk06/kiosk/drivers/gpio"
	"github.com/kiosk06/kiosk/firmware/config"
	"github.com/kiosk06/kiosk/firmware/devices"
	"github.com/kiosk06/kiosk/firmware/profile"
)

type fakeState struct {
	Seq  int    `json:"seq"`
	Said string `json:"said"`
}

type fakeIntent struct {
	Say string `json:"say"`
}

// echo is a flow that publishes what it is told.
type echo struct{ *profile.States[fakeState] }

func (e echo) Send(in fakeIntent) {
	e.Update(func(s *fakeState) { s.Seq++; s.Said = in.Say })
}

// controlConn is one client of a control socket.
type controlConn struct {
	t   *testing.T
	enc *json.Encoder
	in  chan controlLine
}

func dial(t *testing.T, path string) *controlConn {
	t.Helper()
	c, err := net.Dial("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	cc := &controlConn{t: t, enc: json.NewEncoder(c), in: make(chan controlLine, 64)}
	go func() {
		sc := bufio.NewScanner(c)
		for sc.Scan() {
			var l controlLine
			if json.Unmarshal(sc.Bytes(), &l) == nil {
				cc.in <- l
			}
		}
		close(cc.in)
	}()
	return cc
}

func (cc *controlConn) send(line string) {
	cc.t.Helper()
	if err := cc.enc.Encode(json.RawMessage(line)); err != nil {
		cc.t.Fatal(err)
	}
}

// until returns the first line for which ok holds.
func (cc *controlConn) until(what string, ok func(controlLine) bool) controlLine {
	cc.t.Helper()
	deadline := time.After(10 * time.Second)
	for {
		select {
		case l, open := <-cc.in:
			if !open {
				cc.t.Fatalf("socket closed before %s", what)
			}
			if ok(l) {
				return l
			}
		case <-deadline:
			cc.t.Fatalf("no %s", what)
		}
	}
}

func reply(name string) func(controlLine) bool {
	return func(l controlLine) bool { return l.ControlReply != nil && l.Reply == name }
}

// The control socket serves whatever profile runs: its states out with
// its name, its intents in (decoded by the profile), and the simulator
// commands and controls — a printed slip's QR under the scanner, a
// vehicle on the loop, a control of the panel by its label.
func TestControlSocketIsGenericOverProfiles(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cfg := config.Default()
	cfg.Device.ID = "sim-ctl-1"
	cfg.Devices["printer"] = config.DeviceSpec{Driver: "escpos", Port: "sim", Baud: 19200, Width: 576, CodePage: "raster"}
	cfg.Devices["scanner"] = config.DeviceSpec{Driver: "scanner", Port: "sim", Suffix: "cr"}
	cfg.Devices["loop"] = config.DeviceSpec{Driver: "gpio-in", Pin: "sim", Debounce: config.Duration(5 * time.Millisecond)}
	cfg.Devices["barrier"] = config.DeviceSpec{Driver: "gpio-out", Pin: "sim"}
	rig, err := Start(ctx, cfg, Options{Dir: t.TempDir(), Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	defer rig.Close()

	flow := echo{profile.NewStates(fakeState{Said: "xin chào"})}
	running := &profile.Running{Profile: "echo", Screen: profile.NewScreen[fakeState, fakeIntent]("echo", flow),
		Sim: []profile.SimGroup{{Title: "Thử", Actions: []profile.SimAction{{Label: "Xe vào vòng từ",
			Commands: []profile.SimCommand{{Sim: profile.SimInput, Role: "loop", On: true}}}}}}}
	sock := filepath.Join(t.TempDir(), "control.sock")
	stop, err := rig.ServeControl(ctx, sock, running)
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	cc := dial(t, sock)

	first := cc.until("a state", func(l controlLine) bool { return l.State != nil })
	if first.Profile != "echo" || !strings.Contains(string(first.State), `"said":"xin chào"`) {
		t.Fatalf("first line %+v %s", first, first.State)
	}
	cc.send(`{"intent":{"say":"cảm ơn"}}`)
	var said, replied bool
	cc.until("the intent's reply and state", func(l controlLine) bool {
		said = said || strings.Contains(string(l.State), `"said":"cảm ơn"`)
		if l.ControlReply != nil && l.Reply == "intent" {
			if !l.OK {
				t.Fatalf("intent: %+v", l.ControlReply)
			}
			replied = true
		}
		return said && replied
	})
	cc.send(`{"intent":{"shout":"x"}}`)
	if r := cc.until("the bad intent's reply", reply("intent")); r.OK || !strings.Contains(r.Error, "bad intent") {
		t.Fatalf("bad intent: %+v", r.ControlReply)
	}

	// A slip printed with a QR code, then held under the scanner.
	pr, err := escpos.Open(devices.PrinterOptions(cfg.Devices["printer"], quiet))
	if err != nil {
		t.Fatal(err)
	}
	defer pr.Close()
	sc, err := devices.OpenScanner(cfg.Devices["scanner"], quiet)
	if err != nil {
		t.Fatal(err)
	}
	defer sc.Close()
	cc.send(`{"sim":"scan_printed"}`)
	if r := cc.until("scan_printed before any slip", reply("scan_printed")); r.OK {
		t.Fatal("scanned a slip before one was printed")
	}
	doc := &escpos.Document{}
	doc.Add(escpos.Text{Text: "VÉ GỬI XE"}, escpos.QR{Data: "K7Q2M4ZP3X", Module: 6, EC: escpos.ECM}, escpos.Cut{})
	if _, err := pr.Print(ctx, doc); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(5 * time.Second); len(rig.Printer.Pages()) == 0 && time.Now().Before(deadline); {
		time.Sleep(20 * time.Millisecond)
	}
	cc.send(`{"sim":"scan_printed"}`)
	if r := cc.until("scan_printed", reply("scan_printed")); !r.OK {
		t.Fatalf("scan_printed: %+v", r.ControlReply)
	}
	if s, err := sc.Next(ctx); err != nil || s.Text != "K7Q2M4ZP3X" {
		t.Fatalf("the scanner read %q, %v", s.Text, err)
	}

	// The loop, driven by a control of the panel by its label, read by
	// the real driver on the rig's pins; the barrier's level as a query.
	pin, err := rig.Pins.Pin("loop", cfg.Devices["loop"])
	if err != nil {
		t.Fatal(err)
	}
	loop, err := gpio.NewLoopSensor(pin, false, 5*time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	bpin, err := rig.Pins.Pin("barrier", cfg.Devices["barrier"])
	if err != nil {
		t.Fatal(err)
	}
	barrier, err := gpio.NewOutput(bpin, false)
	if err != nil {
		t.Fatal(err)
	}
	cc.send(`{"sim":"action","label":"Xe vào vòng từ"}`)
	if r := cc.until("the action", reply("action")); !r.OK {
		t.Fatalf("action: %+v", r.ControlReply)
	}
	if on, err := loop.Next(ctx); err != nil || !on {
		t.Fatalf("the loop reads %v, %v", on, err)
	}
	if err := barrier.Set(true); err != nil {
		t.Fatal(err)
	}
	cc.send(`{"sim":"pins"}`)
	if r := cc.until("pins", reply("pins")); !r.Pins["barrier"] || !r.Pins["loop"] {
		t.Fatalf("pins %v", r.Pins)
	}
	cc.send(`{"sim":"controls"}`)
	r := cc.until("controls", reply("controls"))
	var titles []string
	for _, g := range r.Controls {
		titles = append(titles, g.Title)
	}
	if len(r.Controls) < 3 || r.Controls[0].Title != "Thử" || !strings.Contains(strings.Join(titles, "|"), "Cảm biến") {
		t.Fatalf("controls %v", titles)
	}
	cc.send(`{"sim":"action","label":"Không có"}`)
	if r := cc.until("an unknown action", reply("action")); r.OK {
		t.Fatal("ran an unknown control")
	}
	cc.send(`{"sim":"input","role":"barrier","on":true}`)
	if r := cc.until("an output driven as an input", reply("input")); r.OK {
		t.Fatal("drove an output")
	}
}

// A profile without a screen still gets the simulator commands; its
// intents are refused with a reason.
func TestControlWithoutScreen(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cfg := config.Default()
	cfg.Device.ID = "sim-ctl-2"
	rig, err := Start(ctx, cfg, Options{Dir: t.TempDir(), Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	defer rig.Close()
	sock := filepath.Join(t.TempDir(), "control.sock")
	stop, err := rig.ServeControl(ctx, sock, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	cc := dial(t, sock)
	cc.send(`{"intent":{"kind":"x"}}`)
	if r := cc.until("the intent's reply", reply("intent")); r.OK || !strings.Contains(r.Error, "no screen") {
		t.Fatalf("%+v", r.ControlReply)
	}
	cc.send(`{"sim":"records"}`)
	if r := cc.until("records", reply("records")); !r.OK {
		t.Fatalf("%+v", r.ControlReply)
	}
}

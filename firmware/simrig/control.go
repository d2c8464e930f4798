package simrig

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"sync"
	"time"

	"github.com/kiosk06/kiosk/drivers/emrtd/testpki"
	"github.com/kiosk06/kiosk/firmware/profile"
)

// ControlCommand is one line a control client sends: an Intent for the
// running profile's flow (what a tap on its screen sends: the JSON of its
// intent type, e.g. {"intent":{"kind":"can","digits":"012345"}} for the
// hospital CAN keypad's OK, {"intent":{"kind":"exit","plate":"29A12345"}}
// for the parking attendant), or a simulator command (the fields of
// profile.SimCommand: {"sim":"tap","variant":"genuine"},
// {"sim":"input","role":"loop","on":true}, {"sim":"action","label":"…"}
// for a control of the panel) or a query: "records" (Payloads), "citizens",
// "controls" (the panel's groups), "pins" (the simulated GPIO levels).
type ControlCommand struct {
	Intent json.RawMessage `json:"intent,omitempty"`
	profile.SimCommand
	// Payloads asks "records" for every record as the collector received
	// it, not only the counts by kind.
	Payloads bool `json:"payloads,omitempty"`
}

// Queries of the control socket besides the simulator commands.
const (
	QueryRecords  = "records"
	QueryCitizens = "citizens"
	QueryControls = "controls"
	QueryPins     = "pins"
)

// ControlReply answers every command: Reply names it ("intent" for an
// intent).
type ControlReply struct {
	Reply string         `json:"reply"`
	OK    bool           `json:"ok"`
	Error string         `json:"error,omitempty"`
	Kinds map[string]int `json:"kinds,omitempty"` // "records": collector records by kind
	Pages []string       `json:"pages,omitempty"` // "records": printed page PNG files
	// Records are the collector's records ("records" with Payloads).
	Records []ControlRecord `json:"records,omitempty"`
	// Citizens are the simulated people ("citizens").
	Citizens []ControlCitizen `json:"citizens,omitempty"`
	// Controls are the simulator panel's groups ("controls"): the running
	// profile's, then the simulated devices'.
	Controls []profile.SimGroup `json:"controls,omitempty"`
	// Pins are the simulated GPIO roles' levels as active ("pins"): LEDs
	// lit, buzzer sounding, barrier open, a vehicle on the loop.
	Pins map[string]bool `json:"pins,omitempty"`
}

// ControlCitizen is one simulated person as a test or a panel needs them:
// what to tap or scan (Citizen in a "tap"/"scan" command), and for the
// child without a card what to type.
type ControlCitizen struct {
	Citizen string `json:"citizen"`
	Name    string `json:"name"`
	ID      string `json:"id"`
	DOB     string `json:"dob"` // YYYY-MM-DD
	Sex     string `json:"sex"`
	HasCard bool   `json:"has_card"`
	CAN     string `json:"can,omitempty"` // the card's CAN (last 6 digits of the ID)
	QR      string `json:"qr,omitempty"`  // the payload printed on the card
}

// ControlRecord is one record the local collector received: its kind and
// its payload as uploaded (personal fields under "personal").
type ControlRecord struct {
	Seq     int64           `json:"seq"`
	Kind    string          `json:"kind"`
	Payload json.RawMessage `json:"payload"`
}

// controlLine is what the server writes: a state of the running profile
// (its JSON, as profile.Screen streams it, with the profile's name) or a
// reply.
type controlLine struct {
	Profile string          `json:"profile,omitempty"`
	State   json.RawMessage `json:"state,omitempty"`
	*ControlReply
}

// maxControlLine bounds one command line.
const maxControlLine = 1 << 20

// ServeControl serves a JSON-lines control socket at path for automated
// tests of a whole kioskd process, over whatever profile runs: each of its
// states is written to every client as {"profile": …, "state": …};
// clients send ControlCommand lines and get a ControlReply for each. It is
// only started under --sim with --control.
func (r *Rig) ServeControl(ctx context.Context, path string, running *profile.Running) (func() error, error) {
	if running == nil {
		running = &profile.Running{}
	}
	_ = os.Remove(path)
	ln, err := net.Listen("unix", path)
	if err != nil {
		return nil, fmt.Errorf("simrig: control: %w", err)
	}
	// stop ends the clients' connections too.
	ctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			wg.Add(1)
			go func() { defer wg.Done(); r.serveClient(ctx, c, running) }()
		}
	}()
	return func() error { err := ln.Close(); cancel(); wg.Wait(); return err }, nil
}

func (r *Rig) serveClient(ctx context.Context, c net.Conn, running *profile.Running) {
	defer c.Close()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wmu sync.Mutex
	enc := json.NewEncoder(c)
	write := func(l controlLine) {
		wmu.Lock()
		defer wmu.Unlock()
		_ = enc.Encode(l)
	}
	if running.Screen != nil {
		states, unsub := running.Screen.SubscribeJSON()
		defer unsub()
		name := running.Screen.Profile()
		go func() {
			for {
				select {
				case <-ctx.Done():
					return
				case s := <-states:
					write(controlLine{Profile: name, State: s})
				}
			}
		}()
	}
	go func() { <-ctx.Done(); c.Close() }()
	sc := bufio.NewScanner(c)
	sc.Buffer(make([]byte, 64<<10), maxControlLine)
	for sc.Scan() {
		var cmd ControlCommand
		if err := json.Unmarshal(sc.Bytes(), &cmd); err != nil {
			write(controlLine{ControlReply: &ControlReply{Reply: "?", Error: err.Error()}})
			continue
		}
		rep := r.command(ctx, cmd, running)
		write(controlLine{ControlReply: &rep})
	}
}

// command answers one control line.
func (r *Rig) command(ctx context.Context, cmd ControlCommand, running *profile.Running) ControlReply {
	if len(cmd.Intent) > 0 {
		rep := ControlReply{Reply: "intent", OK: true}
		switch {
		case running.Screen == nil:
			rep.OK, rep.Error = false, "the running profile has no screen to send intents to"
		default:
			if err := running.Screen.SendJSON(cmd.Intent); err != nil {
				rep.OK, rep.Error = false, err.Error()
			}
		}
		return rep
	}
	rep := ControlReply{Reply: cmd.Sim}
	var err error
	switch cmd.Sim {
	case QueryCitizens:
		rep.Citizens = r.controlCitizens()
	case QueryControls:
		rep.Controls = append(append([]profile.SimGroup(nil), running.Sim...), r.Controls()...)
	case QueryPins:
		rep.Pins = r.PinStates()
	case QueryRecords:
		rep.Kinds = map[string]int{}
		if r.Collector != nil {
			for _, rec := range r.Collector.Records(r.deviceID) {
				rep.Kinds[rec.Kind]++
				if cmd.Payloads {
					rep.Records = append(rep.Records, ControlRecord{Seq: rec.Seq, Kind: rec.Kind, Payload: rec.Payload})
				}
			}
		}
		if r.Printer != nil {
			for _, p := range r.Printer.Pages() {
				rep.Pages = append(rep.Pages, p.File)
			}
		}
	case profile.SimRun:
		a, ok := findControl(append(append([]profile.SimGroup(nil), running.Sim...), r.Controls()...), cmd.Label)
		if !ok {
			err = fmt.Errorf("no control labelled %q", cmd.Label)
		} else {
			err = r.Run(ctx, a)
		}
	default:
		err = r.Do(ctx, cmd.SimCommand)
	}
	rep.OK = err == nil
	if err != nil {
		rep.Error = err.Error()
	}
	return rep
}

// findControl returns the control labelled label.
func findControl(groups []profile.SimGroup, label string) (profile.SimAction, bool) {
	for _, g := range groups {
		for _, a := range g.Actions {
			if a.Label == label {
				return a, true
			}
		}
	}
	return profile.SimAction{}, false
}

func variantNamed(name string) (testpki.Variant, error) {
	for _, v := range Variants {
		if v.String() == name || (name == "" && v == testpki.Genuine) {
			return v, nil
		}
	}
	return 0, fmt.Errorf("unknown card variant %q", name)
}

func (r *Rig) controlCitizens() []ControlCitizen {
	var out []ControlCitizen
	for _, p := range testpki.People() {
		c := r.Citizen(p)
		cc := ControlCitizen{Citizen: string(p), Name: c.FullName, ID: c.ID, DOB: c.DateOfBirth.Format(time.DateOnly),
			Sex: c.Sex, HasCard: c.HasCard(), QR: c.QR()}
		if cc.HasCard {
			cc.CAN = c.ID[6:]
		}
		out = append(out, cc)
	}
	return out
}

package simrig

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"sync"
	"time"

	"github.com/kiosk06/kiosk/drivers/emrtd/testpki"
	"github.com/kiosk06/kiosk/drivers/escpos"
	"github.com/kiosk06/kiosk/firmware/hospital"
)

// ControlCommand is one line a control client sends: either an Intent for
// the flow (what a tap on the screen sends, e.g. {"intent":{"kind":"can",
// "digits":"012345"}} for the CAN keypad's OK) or a Sim action (what the
// simulator panel does).
type ControlCommand struct {
	Intent *hospital.Intent `json:"intent,omitempty"`
	// Sim: "tap" (Citizen, Variant, RemoveAfter; a tap alone is a card
	// without a QR scan), "scan" (Citizen, Variant), "remove", "pay",
	// "paper" (Paper: ok|near_end|end), "finger" (Finger), "records"
	// (Payloads), "citizens" (the simulated people).
	Sim string `json:"sim,omitempty"`
	// Citizen is whose card: adult (the default), elderly, second-adult
	// (testpki.People; the child has no card).
	Citizen     string `json:"citizen,omitempty"`
	Variant     string `json:"variant,omitempty"`
	RemoveAfter int    `json:"remove_after,omitempty"`
	Paper       string `json:"paper,omitempty"`
	Finger      string `json:"finger,omitempty"`
	// Payloads asks "records" for every record as the collector received
	// it, not only the counts by kind.
	Payloads bool `json:"payloads,omitempty"`
}

// ControlReply answers a Sim command.
type ControlReply struct {
	Reply string         `json:"reply"` // the Sim command answered
	OK    bool           `json:"ok"`
	Error string         `json:"error,omitempty"`
	Kinds map[string]int `json:"kinds,omitempty"` // "records": collector records by kind
	Pages []string       `json:"pages,omitempty"` // "records": printed page PNG files
	// Records are the collector's records ("records" with Payloads).
	Records []ControlRecord `json:"records,omitempty"`
	// Citizens are the simulated people ("citizens").
	Citizens []ControlCitizen `json:"citizens,omitempty"`
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

// controlLine is what the server writes: a flow state or a reply.
type controlLine struct {
	State *hospital.State `json:"state,omitempty"`
	*ControlReply
}

// ServeControl serves a JSON-lines control socket at path for automated
// tests of a whole kioskd process: every hospital flow state is written to
// each client as {"state": …}; clients send ControlCommand lines. It is only
// started under --sim with --control.
func (r *Rig) ServeControl(ctx context.Context, path string, flow *hospital.Flow, deviceID string) (func() error, error) {
	_ = os.Remove(path)
	ln, err := net.Listen("unix", path)
	if err != nil {
		return nil, fmt.Errorf("simrig: control: %w", err)
	}
	var wg sync.WaitGroup
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			wg.Add(1)
			go func() { defer wg.Done(); r.serveClient(ctx, c, flow, deviceID) }()
		}
	}()
	return func() error { err := ln.Close(); wg.Wait(); return err }, nil
}

func (r *Rig) serveClient(ctx context.Context, c net.Conn, flow *hospital.Flow, deviceID string) {
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
	states, unsub := flow.Subscribe()
	defer unsub()
	go func() {
		for {
			select {
			case <-ctx.Done():
				return
			case s := <-states:
				write(controlLine{State: &s})
			}
		}
	}()
	go func() { <-ctx.Done(); c.Close() }()
	sc := bufio.NewScanner(c)
	for sc.Scan() {
		var cmd ControlCommand
		if err := json.Unmarshal(sc.Bytes(), &cmd); err != nil {
			write(controlLine{ControlReply: &ControlReply{Reply: "?", Error: err.Error()}})
			continue
		}
		if cmd.Intent != nil {
			flow.Send(*cmd.Intent)
			continue
		}
		rep := r.simCommand(cmd, deviceID)
		write(controlLine{ControlReply: &rep})
	}
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

func (r *Rig) simCommand(cmd ControlCommand, deviceID string) ControlReply {
	rep := ControlReply{Reply: cmd.Sim}
	var err error
	switch cmd.Sim {
	case "tap", "scan":
		var v testpki.Variant
		var who testpki.Person
		if v, err = variantNamed(cmd.Variant); err == nil {
			who, err = testpki.ParsePerson(cmd.Citizen)
		}
		if err == nil {
			if cmd.Sim == "tap" {
				err = r.TapCard(who, v, cmd.RemoveAfter)
			} else {
				err = r.ScanQR(who, v)
			}
		}
	case "citizens":
		rep.Citizens = r.controlCitizens()
	case "remove":
		r.RemoveCard()
	case "pay":
		_, err = r.PayPending(deviceID)
	case "paper":
		if r.Printer == nil {
			err = errors.New("no simulated printer")
		} else {
			r.Printer.SetPaper(escpos.Paper(cmd.Paper))
		}
	case "finger":
		if r.Fingerprint == nil {
			err = errors.New("no simulated fingerprint module")
		} else if cmd.Finger == "" {
			r.Fingerprint.LiftFinger()
		} else {
			r.Fingerprint.Touch(cmd.Finger, 3)
		}
	case "records":
		rep.Kinds = map[string]int{}
		if r.Collector != nil {
			for _, rec := range r.Collector.Records(deviceID) {
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
	default:
		err = fmt.Errorf("unknown sim command %q", cmd.Sim)
	}
	rep.OK = err == nil
	if err != nil {
		rep.Error = err.Error()
	}
	return rep
}

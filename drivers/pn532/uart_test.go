package pn532

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"github.com/kiosk06/kiosk/drivers/nfc"
	"github.com/kiosk06/kiosk/drivers/pn532/pn532sim"
	"github.com/kiosk06/kiosk/drivers/serialport"
)

var quiet = slog.New(slog.DiscardHandler)

// startSim serves a simulator on a fresh pty and opens the real driver on
// its host side.
func startSim(t *testing.T, card nfc.Emulated, simOpts *pn532sim.Options, opts *Opts) (*pn532sim.Sim, *Dev) {
	t.Helper()
	if simOpts == nil {
		simOpts = &pn532sim.Options{}
	}
	simOpts.Card, simOpts.Logger = card, quiet
	srv, err := pn532sim.Start(context.Background(), simOpts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	if opts == nil {
		opts = &Opts{}
	}
	opts.Logger = quiet
	port, err := serialport.Open(serialport.Config{Path: srv.Path(), Baud: 115200, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	d, err := New(NewUART(port), opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	return srv, d
}

func ctxT(t *testing.T, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}

var selectEMRTD = []byte{0x00, 0xA4, 0x04, 0x0C, 0x07, 0xA0, 0x00, 0x00, 0x02, 0x47, 0x10, 0x01}

func TestUARTInitFrames(t *testing.T) {
	srv, d := startSim(t, nil, &pn532sim.Options{Asleep: true}, nil)
	if got := d.Firmware().String(); got != "PN532 1.6" {
		t.Errorf("firmware %q", got)
	}
	frames := srv.Frames()
	if len(frames) < 2 || !bytes.Equal(frames[1], []byte{0xD4, 0x02}) {
		t.Errorf("second command % X, want D4 02 (GetFirmwareVersion)", frames)
	}
	if st := srv.Stats(); st.Wakeups != 1 {
		t.Errorf("wake-ups %d, want 1", st.Wakeups)
	}
}

func TestUARTWaitCard(t *testing.T) {
	typeB := &pn532sim.SimpleCard{CardInfo: nfc.CardInfo{Type: nfc.TypeB, UID: []byte{0x11, 0x22, 0x33, 0x44}}}
	tests := []struct {
		name    string
		card    nfc.Emulated
		opts    Opts
		want    nfc.CardInfo
		wantErr error
	}{
		{"type A random UID, InPSL 424", pn532sim.NewSimpleCard(), Opts{},
			nfc.CardInfo{Type: nfc.TypeA, UID: []byte{0x08, 0x5A, 0x3C, 0x11}, UIDRandom: true, ATQA: 4, SAK: 0x20,
				ATS: pn532sim.NewSimpleCard().CardInfo.ATS, BitRate: 424}, nil},
		{"type A capped at 212", pn532sim.NewSimpleCard(), Opts{MaxBitRate: 212},
			nfc.CardInfo{Type: nfc.TypeA, UID: []byte{0x08, 0x5A, 0x3C, 0x11}, UIDRandom: true, ATQA: 4, SAK: 0x20,
				ATS: pn532sim.NewSimpleCard().CardInfo.ATS, BitRate: 212}, nil},
		{"type B", typeB, Opts{},
			nfc.CardInfo{Type: nfc.TypeB, UID: []byte{0x11, 0x22, 0x33, 0x44},
				ATQB: []byte{0x50, 0x11, 0x22, 0x33, 0x44, 0, 0, 0, 0, 0, 0x81, 0x81}, BitRate: 106}, nil},
		{"no card", nil, Opts{}, nfc.CardInfo{}, nfc.ErrNoCard},
		{"type B only but A-only reader", typeB, Opts{TypeAOnly: true}, nfc.CardInfo{}, nfc.ErrNoCard},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv, d := startSim(t, tc.card, nil, &tc.opts)
			c, err := d.WaitCard(ctxT(t, 400*time.Millisecond))
			if tc.wantErr != nil {
				if !errors.Is(err, tc.wantErr) {
					t.Fatalf("err %v, want %v", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !sameInfo(c.Info(), tc.want) {
				t.Errorf("info %+v\nwant %+v", c.Info(), tc.want)
			}
			resp, err := c.Transmit(ctxT(t, time.Second), selectEMRTD)
			if err != nil || !bytes.Equal(resp, []byte{0x90, 0x00}) {
				t.Errorf("SELECT: % X %v", resp, err)
			}
			if st := srv.Stats(); st.Activations != 1 || st.Releases != 0 {
				t.Errorf("before release: %+v", st)
			}
			if err := c.Release(ctxT(t, time.Second)); err != nil {
				t.Error(err)
			}
			// The simulator counts the tap as the host did it: activated
			// once, then let go.
			if st := srv.Stats(); st.Activations != 1 || st.Releases != 1 {
				t.Errorf("after release: %+v", st)
			}
		})
	}
}

// TestUARTChaining sends an APDU longer than one frame (Tg MI chaining) and
// gets a response longer than one frame (status MI chaining).
func TestUARTChaining(t *testing.T) {
	srv, d := startSim(t, pn532sim.NewSimpleCard(), nil, nil)
	c, err := d.WaitCard(ctxT(t, time.Second))
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range []int{1, 255, 262, 600, 1200} {
		apdu := echoAPDU(n)
		got, err := c.Transmit(ctxT(t, 2*time.Second), apdu)
		if err != nil {
			t.Fatalf("%d bytes: %v", n, err)
		}
		if want := append(append([]byte(nil), apdu[7:]...), 0x90, 0x00); !bytes.Equal(got, want) {
			t.Errorf("%d bytes: got %d back", n, len(got))
		}
	}
	if st := srv.Stats(); st.Exchange != 5 {
		t.Errorf("card saw %d APDUs, want 5", st.Exchange)
	}
}

func TestUARTFaults(t *testing.T) {
	tests := []struct {
		name      string
		fault     pn532sim.Fault
		wantErr   error
		wantNACKs int
		wantAbort int
	}{
		{"NACK instead of ACK: resend", pn532sim.FaultNACK, nil, 0, 0},
		{"bad response checksum: host NACKs", pn532sim.FaultBadChecksum, nil, 1, 0},
		{"garbage before ACK", pn532sim.FaultGarbage, nil, 0, 0},
		{"silent once: resend after ACK timeout", pn532sim.FaultSilent, nil, 0, 0},
		{"no response: abort by ACK", pn532sim.FaultNoResponse, ErrNoResponse, 0, 1},
		{"card removed mid-exchange", pn532sim.FaultCardRemovedMidExchange, nfc.ErrCardRemoved, 0, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv, d := startSim(t, pn532sim.NewSimpleCard(), nil, &Opts{ResponseTimeout: 300 * time.Millisecond})
			c, err := d.WaitCard(ctxT(t, time.Second))
			if err != nil {
				t.Fatal(err)
			}
			srv.Inject(tc.fault)
			resp, err := c.Transmit(ctxT(t, 2*time.Second), selectEMRTD)
			if tc.wantErr != nil {
				if !errors.Is(err, tc.wantErr) {
					t.Fatalf("err %v, want %v", err, tc.wantErr)
				}
			} else if err != nil || !bytes.Equal(resp, []byte{0x90, 0x00}) {
				t.Fatalf("SELECT: % X %v", resp, err)
			}
			st := waitStats(srv, func(st pn532sim.Stats) bool { return st.Aborts >= tc.wantAbort })
			if st.NACKs != tc.wantNACKs || st.Aborts != tc.wantAbort {
				t.Errorf("NACKs %d aborts %d, want %d %d", st.NACKs, st.Aborts, tc.wantNACKs, tc.wantAbort)
			}
			// The reader stays usable.
			if _, err := d.WaitCard(ctxT(t, time.Second)); tc.wantErr == nil && err != nil {
				t.Errorf("WaitCard after fault: %v", err)
			}
		})
	}
}

// TestUARTUnplugReplug pulls the device: the exchange fails with a clear
// disconnect error; after it is plugged back the driver wakes and
// re-initialises the PN532, the old card is gone and a new one works.
func TestUARTUnplugReplug(t *testing.T) {
	link := filepath.Join(t.TempDir(), "kiosk-nfc")
	srv, d := startSim(t, pn532sim.NewSimpleCard(), &pn532sim.Options{Link: link}, nil)
	c, err := d.WaitCard(ctxT(t, time.Second))
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Unplug(); err != nil {
		t.Fatal(err)
	}
	_, err = c.Transmit(ctxT(t, time.Second), selectEMRTD)
	if !errors.Is(err, serialport.ErrDisconnected) {
		t.Fatalf("after unplug: %v, want serialport.ErrDisconnected", err)
	}
	t.Logf("after unplug: %v", err)
	if err := srv.Replug(); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Transmit(ctxT(t, 3*time.Second), selectEMRTD); !errors.Is(err, nfc.ErrCardRemoved) {
		t.Errorf("old card after replug: %v, want nfc.ErrCardRemoved", err)
	}
	c2, err := d.WaitCard(ctxT(t, 3*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	if resp, err := c2.Transmit(ctxT(t, time.Second), selectEMRTD); err != nil || !bytes.Equal(resp, []byte{0x90, 0x00}) {
		t.Errorf("SELECT after replug: % X %v", resp, err)
	}
	if st := srv.Stats(); st.Wakeups < 1 {
		t.Errorf("no wake-up after replug: %+v", st)
	}
}

// waitStats polls the simulator's counters until ok or a second passes
// (the abort ACK reaches the simulator after Transmit returned).
func waitStats(srv *pn532sim.Sim, ok func(pn532sim.Stats) bool) pn532sim.Stats {
	deadline := time.Now().Add(time.Second)
	for {
		st := srv.Stats()
		if ok(st) || time.Now().After(deadline) {
			return st
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestStatusError(t *testing.T) {
	tests := []struct {
		code byte
		want error
	}{
		{0x01, nfc.ErrTimeout},
		{0x2B, nfc.ErrCardRemoved},
		{0x29, nfc.ErrCardRemoved},
		{0x02, nfc.ErrProtocol},
		{0x27, nfc.ErrProtocol},
	}
	for _, tc := range tests {
		err := checkStatus("InDataExchange", tc.code|statusMI)
		if !errors.Is(err, tc.want) {
			t.Errorf("status %02X: %v, want %v", tc.code, err, tc.want)
		}
	}
	if err := checkStatus("InDataExchange", statusMI); err != nil {
		t.Errorf("MI alone: %v", err)
	}
}

// TestUARTCardSwap changes the card in the field at run time: none, then a
// Type B card, then a Type A card.
func TestUARTCardSwap(t *testing.T) {
	srv, d := startSim(t, nil, nil, nil)
	if _, err := d.WaitCard(ctxT(t, 200*time.Millisecond)); !errors.Is(err, nfc.ErrNoCard) {
		t.Fatalf("empty field: %v", err)
	}
	srv.SetCard(&pn532sim.SimpleCard{CardInfo: nfc.CardInfo{Type: nfc.TypeB, UID: []byte{1, 2, 3, 4}}})
	c, err := d.WaitCard(ctxT(t, time.Second))
	if err != nil || c.Info().Type != nfc.TypeB {
		t.Fatalf("type B: %v", err)
	}
	a := pn532sim.NewSimpleCard()
	srv.SetCard(a)
	if _, err := c.Transmit(ctxT(t, time.Second), selectEMRTD); !errors.Is(err, nfc.ErrCardRemoved) {
		t.Errorf("old card after swap: %v, want nfc.ErrCardRemoved", err)
	}
	c, err = d.WaitCard(ctxT(t, time.Second))
	if err != nil || c.Info().Type != nfc.TypeA {
		t.Fatalf("type A: %v", err)
	}
	if a.Resets() < 1 {
		t.Errorf("card never reset")
	}
}

// TestUARTPresent asks Diagnose card presence about an activated card while
// it stays in the field, after it leaves, while the reader is unplugged
// (it cannot tell) and after it was plugged back (the card is gone).
func TestUARTPresent(t *testing.T) {
	link := filepath.Join(t.TempDir(), "kiosk-nfc")
	srv, d := startSim(t, pn532sim.NewSimpleCard(), &pn532sim.Options{Link: link}, nil)
	c, err := d.WaitCard(ctxT(t, time.Second))
	if err != nil {
		t.Fatal(err)
	}
	pc, ok := c.(nfc.PresenceChecker)
	if !ok {
		t.Fatal("the PN532 card is not an nfc.PresenceChecker")
	}
	if present, err := pc.Present(ctxT(t, time.Second)); err != nil || !present {
		t.Fatalf("card in the field: present %v, %v", present, err)
	}
	if resp, err := c.Transmit(ctxT(t, time.Second), selectEMRTD); err != nil || !bytes.Equal(resp, []byte{0x90, 0x00}) {
		t.Fatalf("SELECT after the presence check: % X %v", resp, err)
	}
	srv.RemoveCard()
	if present, err := pc.Present(ctxT(t, time.Second)); err != nil || present {
		t.Fatalf("card gone: present %v, %v", present, err)
	}
	srv.SetCard(pn532sim.NewSimpleCard())
	if err := srv.Unplug(); err != nil {
		t.Fatal(err)
	}
	if _, err := pc.Present(ctxT(t, time.Second)); !errors.Is(err, serialport.ErrDisconnected) {
		t.Fatalf("unplugged reader: %v, want serialport.ErrDisconnected", err)
	}
	if err := srv.Replug(); err != nil {
		t.Fatal(err)
	}
	if present, err := pc.Present(ctxT(t, 3*time.Second)); err != nil || present {
		t.Fatalf("card of a replugged reader: present %v, %v", present, err)
	}
}

package vpcdsim

import (
	"bytes"
	"context"
	"encoding/hex"
	"errors"
	"io"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/kiosk06/kiosk/drivers/nfc"
)

// echoCard answers every APDU with its INS byte and 9000.
type echoCard struct {
	mu     sync.Mutex
	info   nfc.CardInfo
	resets int
}

func (c *echoCard) Info() nfc.CardInfo { return c.info }
func (c *echoCard) Transmit(apdu []byte) []byte {
	return []byte{apdu[1], 0x90, 0x00}
}
func (c *echoCard) Reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.resets++
}
func (c *echoCard) resetCount() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.resets
}

func unhex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestContactlessATR(t *testing.T) {
	tests := []struct {
		name string
		info nfc.CardInfo
		want string
	}{
		// MIFARE DESFire EV1: ATS 06 75 77 81 02 80 → the well-known
		// PC/SC ATR 3B 81 80 01 80 80.
		{"desfire ATS", nfc.CardInfo{Type: nfc.TypeA, ATS: unhex(t, "067577810280")}, "3B8180018080"},
		{"TL longer than ATS", nfc.CardInfo{Type: nfc.TypeA, ATS: unhex(t, "097577810280")}, "3B80800101"},
		// No historical bytes: 3B 80 80 01 01, typical of ePassports.
		{"type A no historical", nfc.CardInfo{Type: nfc.TypeA, ATS: unhex(t, "0578008002")}, "3B80800101"},
		{"no ATS", nfc.CardInfo{Type: nfc.TypeA}, "3B80800101"},
		{"unknown type", nfc.CardInfo{}, "3B80800101"},
		{"truncated ATS", nfc.CardInfo{Type: nfc.TypeA, ATS: unhex(t, "0A78")}, "3B80800101"},
		// Type B: AppData 00000000, ProtInfo 008171, MBLI 0.
		{"type B ATQB", nfc.CardInfo{Type: nfc.TypeB, ATQB: unhex(t, "50"+"11223344"+"00000000"+"008171")},
			"3B888001" + "00000000" + "008171" + "00" + "F9"},
		{"type B short ATQB", nfc.CardInfo{Type: nfc.TypeB, ATQB: unhex(t, "5011")}, "3B80800101"},
		{"historical bytes capped at 15", nfc.CardInfo{Type: nfc.TypeA, ATS: append([]byte{22, 0x00}, bytes.Repeat([]byte{0x41}, 20)...)},
			"3B8F8001" + hex.EncodeToString(bytes.Repeat([]byte{0x41}, 15)) + "4F"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := ContactlessATR(tt.info)
			if !bytes.Equal(got, unhex(t, tt.want)) {
				t.Errorf("ATR % X, want %s", got, tt.want)
			}
			var x byte
			for _, b := range got[1:] {
				x ^= b
			}
			if x != 0 {
				t.Errorf("TCK check: XOR of T0..TCK = %02X, want 00", x)
			}
		})
	}
}

func TestSessionHandle(t *testing.T) {
	card := &echoCard{info: nfc.CardInfo{Type: nfc.TypeA, UID: unhex(t, "04112233445566"), ATS: unhex(t, "067577810280")}}
	tests := []struct {
		name string
		msg  string
		want string // "" = no reply
	}{
		{"empty message ignored", "", ""},
		{"power on no reply", "01", ""},
		{"power off no reply", "00", ""},
		{"reset no reply", "02", ""},
		{"unknown control ignored", "07", ""},
		{"get ATR", "04", "3B8180018080"},
		{"APDU to card", "00A4040C", "A49000"},
		{"GET DATA UID", "FFCA000000", "041122334455669000"},
		{"GET DATA UID exact Le", "FFCA000007", "041122334455669000"},
		{"GET DATA UID short Le", "FFCA000004", "6C07"},
		{"GET DATA UID long Le", "FFCA000009", "041122334455666282"},
		{"GET DATA historical", "FFCA010000", "809000"},
		{"GET DATA bad P1", "FFCA020000", "6B00"},
		{"GET DATA bad P2", "FFCA000100", "6B00"},
		{"GET DATA no Le", "FFCA0000", "6700"},
		{"reader INS unknown", "FF00000000", "6D00"},
		{"reader short", "FFCA", "6700"},
	}
	s := newSession(card)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			reply, ok := s.handle(unhex(t, tt.msg))
			if tt.want == "" {
				if ok {
					t.Fatalf("reply % X, want none", reply)
				}
				return
			}
			if !ok || !bytes.Equal(reply, unhex(t, tt.want)) {
				t.Fatalf("reply % X (%v), want %s", reply, ok, tt.want)
			}
		})
	}
}

func TestReadMessage(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    string
		wantErr error
	}{
		{"control", "000104", "04", nil},
		{"apdu", "000400A4040C", "00A4040C", nil},
		{"empty payload", "0000", "", nil},
		{"clean EOF", "", "", io.EOF},
		{"prefix cut", "00", "", ErrFrame},
		{"payload cut", "000500A4", "", ErrFrame},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := readMessage(bytes.NewReader(unhex(t, tt.in)))
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("err %v, want %v", err, tt.wantErr)
			}
			if err == nil && !bytes.Equal(got, unhex(t, tt.want)) {
				t.Fatalf("got % X, want %s", got, tt.want)
			}
		})
	}
	if _, err := appendMessage(nil, make([]byte, MaxMessage+1)); err == nil {
		t.Fatal("appendMessage accepted an oversized payload")
	}
}

// fakeVPCD is the vpcd side on a real TCP socket: it accepts the virtual
// card and exchanges framed messages with it, as libifdvpcd does.
type fakeVPCD struct {
	t *testing.T
	l net.Listener
}

func (f *fakeVPCD) accept() net.Conn {
	f.t.Helper()
	c, err := f.l.Accept()
	if err != nil {
		f.t.Fatal(err)
	}
	_ = c.SetDeadline(time.Now().Add(5 * time.Second))
	return c
}

func exchangeMsg(t *testing.T, c net.Conn, msg string, reply bool) []byte {
	t.Helper()
	out, err := appendMessage(nil, unhex(t, msg))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Write(out); err != nil {
		t.Fatal(err)
	}
	if !reply {
		return nil
	}
	got, err := readMessage(c)
	if err != nil {
		t.Fatal(err)
	}
	return got
}

// TestSimOverTCP drives the simulator as vpcd would: power on, ATR, APDU,
// then removal (EOF) and re-insertion (a new connection).
func TestSimOverTCP(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	f := &fakeVPCD{t: t, l: l}
	card := &echoCard{info: nfc.CardInfo{Type: nfc.TypeA, UID: unhex(t, "08010203")}}
	ctx := context.Background()
	sim, err := Start(ctx, &Options{Addr: l.Addr().String(), Card: card})
	if err != nil {
		t.Fatal(err)
	}
	defer sim.Close()
	c := f.accept()
	exchangeMsg(t, c, "01", false)
	if got := exchangeMsg(t, c, "04", true); !bytes.Equal(got, unhex(t, "3B80800101")) {
		t.Fatalf("ATR % X", got)
	}
	if got := exchangeMsg(t, c, "00B0000000", true); !bytes.Equal(got, unhex(t, "B09000")) {
		t.Fatalf("APDU reply % X", got)
	}
	if card.resetCount() != 1 {
		t.Fatalf("resets = %d, want 1 (power on)", card.resetCount())
	}
	if err := sim.RemoveCard(); err != nil {
		t.Fatal(err)
	}
	if _, err := readMessage(c); !errors.Is(err, io.EOF) {
		t.Fatalf("after RemoveCard vpcd reads %v, want EOF", err)
	}
	c.Close()
	if err := sim.SetCard(ctx, card); err != nil {
		t.Fatal(err)
	}
	c2 := f.accept()
	defer c2.Close()
	if got := exchangeMsg(t, c2, "FFCA000000", true); !bytes.Equal(got, unhex(t, "080102039000")) {
		t.Fatalf("GET DATA on re-inserted card % X", got)
	}
	if err := sim.Close(); err != nil {
		t.Fatal(err)
	}
	if err := sim.SetCard(ctx, card); err == nil {
		t.Fatal("SetCard after Close succeeded")
	}
}

// TestShape checks the contract every simulator keeps (docs/ARCHITECTURE.md,
// "Simulators"): the end of ctx does what Close does — the card leaves the
// field (vpcd reads EOF) and the simulator takes no new card — and Close
// may be called again afterwards.
func TestShape(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	f := &fakeVPCD{t: t, l: l}
	card := &echoCard{info: nfc.CardInfo{Type: nfc.TypeA, UID: unhex(t, "08010203")}}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	sim, err := Start(ctx, &Options{Addr: l.Addr().String(), Card: card})
	if err != nil {
		t.Fatal(err)
	}
	defer sim.Close()
	if sim.Addr() != l.Addr().String() {
		t.Fatalf("Addr = %q, want %q", sim.Addr(), l.Addr())
	}
	c := f.accept()
	defer c.Close()
	cancel()
	if _, err := readMessage(c); !errors.Is(err, io.EOF) {
		t.Fatalf("after ctx ended vpcd reads %v, want EOF", err)
	}
	deadline := time.Now().Add(2 * time.Second)
	for sim.SetCard(context.Background(), card) == nil {
		_ = sim.RemoveCard()
		if time.Now().After(deadline) {
			t.Fatal("SetCard still succeeds 2 s after ctx ended")
		}
		time.Sleep(10 * time.Millisecond)
	}
	if err := sim.Close(); err != nil {
		t.Fatalf("Close after ctx ended: %v", err)
	}
}

// FuzzMessages feeds an arbitrary vpcd byte stream through the framing
// parser and the session: never a panic, and every reply re-frames.
func FuzzMessages(f *testing.F) {
	f.Add(unhex(f, "000101000104000400A4040C"))
	f.Add(unhex(f, "0005FFCA000000"))
	f.Add(unhex(f, "0005FFCA0100"))
	f.Add(unhex(f, "FFFF00"))
	f.Add(unhex(f, "00"))
	f.Fuzz(func(t *testing.T, stream []byte) {
		card := &echoCard{info: nfc.CardInfo{Type: nfc.TypeA, UID: []byte{1, 2, 3, 4}, ATS: stream}}
		s := newSession(card)
		r := bytes.NewReader(stream)
		for {
			msg, err := readMessage(r)
			if err != nil {
				return
			}
			if len(msg) > MaxMessage {
				t.Fatalf("message of %d bytes", len(msg))
			}
			reply, ok := s.handle(msg)
			if !ok {
				continue
			}
			framed, err := appendMessage(nil, reply)
			if err != nil {
				t.Fatal(err)
			}
			back, err := readMessage(bytes.NewReader(framed))
			if err != nil || !bytes.Equal(back, reply) {
				t.Fatalf("reply does not round-trip: %v", err)
			}
		}
	})
}

// FuzzContactlessATR: any ATS/ATQB gives a well-formed ATR.
func FuzzContactlessATR(f *testing.F) {
	f.Add(byte('A'), unhex(f, "067577810280"))
	f.Add(byte('B'), unhex(f, "501122334400000000008171"))
	f.Add(byte('A'), []byte{0xFF})
	f.Fuzz(func(t *testing.T, typ byte, b []byte) {
		atr := ContactlessATR(nfc.CardInfo{Type: nfc.Type(typ), ATS: b, ATQB: b})
		if len(atr) < 5 || len(atr) > 20 || atr[0] != 0x3B || int(atr[1]&0x0F) != len(atr)-5 {
			t.Fatalf("malformed ATR % X", atr)
		}
	})
}

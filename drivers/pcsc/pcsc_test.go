package pcsc_test

import (
	"bytes"
	"context"
	"encoding/hex"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/kiosk06/kiosk/drivers/nfc"
	"github.com/kiosk06/kiosk/drivers/pcsc"
	"github.com/kiosk06/kiosk/drivers/pcsc/pcsctest"
	"github.com/kiosk06/kiosk/drivers/pcsc/vpcdsim"
)

// testCard is a tiny ISO 7816-4 card: SELECT of the eMRTD AID answers
// 9000, INS 0xB0 answers 61xx chains, INS 0xB2 demands Le = 8 with 6C08.
type testCard struct {
	mu     sync.Mutex
	info   nfc.CardInfo
	resets int
	// pending is what GET RESPONSE still has to deliver.
	pending []byte
}

var emrtdAID = []byte{0xA0, 0x00, 0x00, 0x02, 0x47, 0x10, 0x01}

func newTestCard(uid []byte) *testCard {
	return &testCard{info: nfc.CardInfo{
		Type: nfc.TypeA,
		UID:  uid,
		ATQA: 0x0044,
		SAK:  0x20,
		// TL T0 TA1 TB1 TC1 + historical bytes "KIOSK".
		ATS: []byte{0x0A, 0x78, 0x77, 0x91, 0x02, 'K', 'I', 'O', 'S', 'K'},
	}}
}

func (c *testCard) Info() nfc.CardInfo {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.info
}

func (c *testCard) Reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.resets++
	c.pending = nil
}

func (c *testCard) Transmit(apdu []byte) []byte {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(apdu) < 4 {
		return []byte{0x67, 0x00}
	}
	switch apdu[1] {
	case 0xA4: // SELECT by DF name
		if apdu[2] == 0x04 && len(apdu) >= 5+len(emrtdAID) && bytes.Equal(apdu[5:5+len(emrtdAID)], emrtdAID) {
			return []byte{0x90, 0x00}
		}
		return []byte{0x6A, 0x82}
	case 0xB0: // long answer delivered in 61xx pieces of 100 bytes
		data := bytes.Repeat([]byte{0x5A}, 300)
		c.pending = data[100:]
		return append(data[:100:100], 0x61, 0x00)
	case 0xC0: // GET RESPONSE
		n := min(100, len(c.pending))
		out := append([]byte(nil), c.pending[:n]...)
		c.pending = c.pending[n:]
		if len(c.pending) > 0 {
			return append(out, 0x61, byte(len(c.pending)))
		}
		return append(out, 0x90, 0x00)
	case 0xB2: // needs Le = 8 exactly
		if len(apdu) != 5 || apdu[4] != 8 {
			return []byte{0x6C, 0x08}
		}
		return []byte{1, 2, 3, 4, 5, 6, 7, 8, 0x90, 0x00}
	}
	return []byte{0x6D, 0x00}
}

// TestVPCDEndToEnd runs the driver against the real pcscd with the vpcd
// reader and a vpcdsim card: wait, info, SELECT, 61xx/6Cxx completion,
// removal as a typed error, re-insertion.
func TestVPCDEndToEnd(t *testing.T) {
	start := time.Now()
	d := pcsctest.Start(t, nil)
	t.Logf("pcscd ready in %v", time.Since(start))
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	uid := []byte{0x04, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66}
	card := newTestCard(uid)
	sim, err := vpcdsim.Start(ctx, &vpcdsim.Options{Addr: d.Addr(), Card: card})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = sim.Close() }()

	r, err := pcsc.Open(ctx, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = r.Close() }()
	if r.Name() != d.ReaderName() {
		t.Fatalf("reader %q, want %q", r.Name(), d.ReaderName())
	}

	c := waitCard(ctx, t, r)
	info := c.Info()
	wantATR := vpcdsim.ContactlessATR(card.Info())
	if !bytes.Equal(info.ATR, wantATR) {
		t.Errorf("ATR % X, want % X", info.ATR, wantATR)
	}
	if !bytes.Equal(info.UID, uid) || info.Type != nfc.TypeA || info.UIDRandom {
		t.Errorf("info = %+v, want UID % X type A fixed", info, uid)
	}

	tests := []struct {
		name string
		apdu string
		want string
	}{
		{"select eMRTD AID", "00A4040C07A0000002471001", "9000"},
		{"select unknown AID", "00A4040C07A0000002479999", "6A82"},
		{"61xx chain via GET RESPONSE", "00B0000000", hex.EncodeToString(bytes.Repeat([]byte{0x5A}, 300)) + "9000"},
		{"6Cxx re-issue with Le", "00B2010400", "01020304050607089000"},
		{"reader GET DATA UID", "FFCA000000", hex.EncodeToString(uid) + "9000"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rsp, err := c.Transmit(ctx, mustHex(t, tt.apdu))
			if err != nil {
				t.Fatal(err)
			}
			if got := hex.EncodeToString(rsp); got != lower(tt.want) {
				t.Errorf("response %s, want %s", got, lower(tt.want))
			}
		})
	}

	// Presence without an APDU (a kiosk waiting for a typed CAN polls it).
	pc, isChecker := c.(nfc.PresenceChecker)
	if !isChecker {
		t.Fatalf("%T does not implement nfc.PresenceChecker", c)
	}
	if ok, err := pc.Present(ctx); !ok || err != nil {
		t.Fatalf("Present with the card in the field: %v, %v", ok, err)
	}

	// Card pulled out: Present turns false once pcscd has polled the reader,
	// and the next exchange is nfc.ErrCardRemoved.
	if err := sim.RemoveCard(); err != nil {
		t.Fatal(err)
	}
	gone := time.Now()
	for {
		ok, err := pc.Present(ctx)
		if err != nil {
			t.Fatalf("Present after removal: %v", err)
		}
		if !ok {
			t.Logf("removal seen by Present after %v", time.Since(gone))
			break
		}
		if time.Since(gone) > 5*time.Second {
			t.Fatal("Present still true 5 s after the card was removed")
		}
		time.Sleep(50 * time.Millisecond)
	}
	if _, err := c.Transmit(ctx, mustHex(t, "00A4040C07A0000002471001")); !errors.Is(err, nfc.ErrCardRemoved) {
		t.Fatalf("Transmit after removal: %v, want nfc.ErrCardRemoved", err)
	}
	_ = c.Release(ctx)

	// No card: WaitCard with a short deadline is nfc.ErrNoCard.
	short, cancelShort := context.WithTimeout(ctx, 600*time.Millisecond)
	_, err = r.WaitCard(short)
	cancelShort()
	if !errors.Is(err, nfc.ErrNoCard) {
		t.Fatalf("WaitCard on empty reader: %v, want nfc.ErrNoCard", err)
	}

	// Put a card back: the reader finds it and it works again.
	card2 := newTestCard([]byte{0x08, 0xAB, 0xCD, 0xEF})
	if err := sim.SetCard(ctx, card2); err != nil {
		t.Fatal(err)
	}
	c2 := waitCard(ctx, t, r)
	defer func() { _ = c2.Release(ctx) }()
	if info := c2.Info(); !info.UIDRandom || info.UIDHex() != "08ABCDEF" {
		t.Errorf("second card info %+v, want random UID 08ABCDEF", info)
	}
	rsp, err := c2.Transmit(ctx, mustHex(t, "00A4040C07A0000002471001"))
	if err != nil || hex.EncodeToString(rsp) != "9000" {
		t.Fatalf("SELECT after re-insertion: % X, %v", rsp, err)
	}
	t.Logf("whole pcscd round trip took %v", time.Since(start))
}

// TestReaderGone: a name pcscd does not list is ErrReaderGone.
func TestReaderGone(t *testing.T) {
	pcsctest.Start(t, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, err := pcsc.Open(ctx, "No Such Reader", nil); !errors.Is(err, pcsc.ErrReaderGone) {
		t.Fatalf("Open unknown reader: %v, want ErrReaderGone", err)
	}
	r, err := pcsc.Open(ctx, "Kiosk Test VPCD", nil) // unique prefix? two slots
	if err == nil {
		_ = r.Close()
		t.Fatal("prefix matching two slots should be ambiguous")
	}
}

// TestNoService: when pcscd stops, WaitCard says so with ErrNoService.
func TestNoService(t *testing.T) {
	d := pcsctest.Start(t, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	r, err := pcsc.Open(ctx, d.ReaderName(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = r.Close() }()
	_ = d.Close()
	if _, err := r.WaitCard(ctx); !errors.Is(err, pcsc.ErrNoService) {
		t.Fatalf("WaitCard after pcscd stopped: %v, want ErrNoService", err)
	}
	if _, err := pcsc.Open(ctx, "", nil); !errors.Is(err, pcsc.ErrNoService) {
		t.Fatalf("Open without pcscd: %v, want ErrNoService", err)
	}
}

func waitCard(ctx context.Context, t *testing.T, r *pcsc.Reader) nfc.Card {
	t.Helper()
	wctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	begin := time.Now()
	c, err := r.WaitCard(wctx)
	if err != nil {
		t.Fatalf("WaitCard: %v", err)
	}
	t.Logf("card found after %v", time.Since(begin))
	return c
}

func mustHex(t *testing.T, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func lower(s string) string {
	b, _ := hex.DecodeString(s)
	return hex.EncodeToString(b)
}

// BenchmarkTransmitSelect measures one SELECT round trip through
// libpcsclite → pcscd → vpcd → vpcdsim and back.
func BenchmarkTransmitSelect(b *testing.B) {
	d := pcsctest.Start(b, nil)
	ctx := context.Background()
	sim, err := vpcdsim.Start(ctx, &vpcdsim.Options{Addr: d.Addr(), Card: newTestCard([]byte{1, 2, 3, 4, 5, 6, 7})})
	if err != nil {
		b.Fatal(err)
	}
	defer func() { _ = sim.Close() }()
	r, err := pcsc.Open(ctx, d.ReaderName(), nil)
	if err != nil {
		b.Fatal(err)
	}
	defer func() { _ = r.Close() }()
	wctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	c, err := r.WaitCard(wctx)
	if err != nil {
		b.Fatal(err)
	}
	defer func() { _ = c.Release(ctx) }()
	apdu := []byte{0x00, 0xA4, 0x04, 0x0C, 0x07, 0xA0, 0x00, 0x00, 0x02, 0x47, 0x10, 0x01}
	b.ResetTimer()
	for b.Loop() {
		if _, err := c.Transmit(ctx, apdu); err != nil {
			b.Fatal(err)
		}
	}
}

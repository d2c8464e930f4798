package identity_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/kiosk06/kiosk/drivers/emrtd/emrtdsim"
	"github.com/kiosk06/kiosk/drivers/emrtd/testpki"
	"github.com/kiosk06/kiosk/drivers/nfc"
	"github.com/kiosk06/kiosk/firmware/identity"
)

func TestPresentQR(t *testing.T) {
	tests := []struct {
		name    string
		payload string
		method  identity.Method
		err     error
	}{
		{"cccd", testQR, identity.MethodQR, nil},
		{"vneid", "https://vneid.gov.vn/qr?t=eyJhbGciOi", identity.MethodVNeID, identity.ErrNeedsOnline},
		{"url", "https://example.com/", "", identity.ErrUnusable},
		{"garbage", "\x00\xff|||", "", identity.ErrUnusable},
		{"empty", "", "", identity.ErrUnusable},
		{"parking ticket", "ABCDEFGHJK", "", identity.ErrUnusable},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := identity.PresentQR(tc.payload)
			if !errors.Is(p.Err, tc.err) || p.Method != tc.method {
				t.Fatalf("PresentQR = %q, %v; want %q, %v", p.Method, p.Err, tc.method, tc.err)
			}
			if tc.err != nil && p.Other != tc.payload {
				t.Fatalf("Other = %q, want the scanned text", p.Other)
			}
		})
	}
	p := identity.PresentQR(testQR)
	if p.ID != "001090012345" || p.Other != "" {
		t.Errorf("ID %q, Other %q", p.ID, p.Other)
	}
	if want := time.Date(1990, 3, 15, 0, 0, 0, 0, time.UTC); !p.BirthDate.Equal(want) {
		t.Errorf("birth date %v, want %v", p.BirthDate, want)
	}
}

func TestPresentationLogValue(t *testing.T) {
	var b bytes.Buffer
	slog.New(slog.NewJSONHandler(&b, nil)).Info("tap", "p", identity.PresentQR(testQR))
	if strings.Contains(b.String(), "001090012345") || strings.Contains(b.String(), "Nguyen") || !strings.Contains(b.String(), `"method":"qr"`) {
		t.Fatalf("log line %s", b.String())
	}
}

func FuzzPresentQR(f *testing.F) {
	for _, s := range []string{testQR, "https://vneid.gov.vn/x", "", "|||||||", "001090012345|x|y|99999999|Nam|a|b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p := identity.PresentQR(s)
		switch {
		case p.Err == nil && (p.Method != identity.MethodQR || len(p.ID) != 12):
			t.Fatalf("usable presentation %q with ID of %d bytes", p.Method, len(p.ID))
		case p.Err != nil && p.ID != "":
			t.Fatal("an unusable presentation carries an ID number")
		}
	})
}

// keyFinder knows the CAN of one card by its UID.
type keyFinder struct {
	uid []byte
	can string
	err error // returned for every card when set
}

func (k keyFinder) Keys(_ context.Context, card nfc.Card) (identity.Keys, error) {
	if k.err != nil {
		return identity.Keys{}, k.err
	}
	if !bytes.Equal(card.Info().UID, k.uid) {
		return identity.Keys{}, fmt.Errorf("not registered: %w", identity.ErrNoKey)
	}
	return identity.Keys{CAN: k.can}, nil
}

func TestPresentCard(t *testing.T) {
	c := card(t, testpki.Genuine)
	chipUID := []byte{0x08, 0x44, 0x55, 0x66}
	cccdCard := func(removeAfter int) nfc.Card {
		return emrtdsim.Card(chip(t, c, &emrtdsim.Options{UID: chipUID, RemoveAfter: removeAfter}))
	}
	fixed := fakeCard{nfc.CardInfo{Type: nfc.TypeA, UID: []byte{0x04, 0xA1, 0xB2, 0xC3, 0xD4, 0xE5, 0xF6}}}
	random := fakeCard{nfc.CardInfo{Type: nfc.TypeA, UID: []byte{0x08, 0x11, 0x22, 0x33}, UIDRandom: true}}
	randomUnflagged := fakeCard{nfc.CardInfo{Type: nfc.TypeA, UID: []byte{0x08, 0x11, 0x22, 0x33}}}
	known := keyFinder{uid: chipUID, can: c.CAN}
	tests := []struct {
		name      string
		staticUID bool
		keys      identity.KeyFinder
		card      nfc.Card
		method    identity.Method
		err       error
	}{
		{"fixed uid allowed", true, nil, fixed, identity.MethodUID, nil},
		{"fixed uid not allowed", false, nil, fixed, "", identity.ErrUnusable},
		{"random uid", true, nil, random, "", identity.ErrUnusable},
		{"random uid by first byte", true, nil, randomUnflagged, "", identity.ErrUnusable},
		{"chip read", false, known, cccdCard(0), identity.MethodChip, nil},
		{"no chip key falls back to uid", true, known, fixed, identity.MethodUID, nil},
		{"no chip key random uid", true, known, random, "", identity.ErrUnusable},
		{"chip read fails", true, known, cccdCard(3), "", identity.ErrCardRemoved},
		{"key lookup fails", true, keyFinder{err: errors.New("account service down")}, fixed, "", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a := identity.NewAcquirer(identity.Sources{Keys: tc.keys}, identity.Policy{StaticUID: tc.staticUID}, identity.Options{Trust: trust(t, c)}, nil)
			p := a.PresentCard(context.Background(), tc.card)
			if tc.err != nil && !errors.Is(p.Err, tc.err) || tc.err == nil && (p.Err == nil) != (tc.method != "") || p.Method != tc.method {
				t.Fatalf("PresentCard = %q, %v; want %q, %v", p.Method, p.Err, tc.method, tc.err)
			}
		})
	}
	// The chip and the printed QR of one card are one token.
	a := identity.NewAcquirer(identity.Sources{Keys: known}, identity.Policy{}, identity.Options{Trust: trust(t, c)}, nil)
	p := a.PresentCard(context.Background(), cccdCard(0))
	tk := tokenizer(t, testKey)
	chipTok, err1 := tk.Of(p)
	qrTok, err2 := tk.Of(identity.PresentQR(qrText(c)))
	if err1 != nil || err2 != nil || chipTok != qrTok {
		t.Fatalf("chip read and QR of the same card give different tokens (%v, %v)", err1, err2)
	}
	if want := c.Citizen.DateOfBirth; !p.BirthDate.Equal(time.Date(want.Year(), want.Month(), want.Day(), 0, 0, 0, 0, time.UTC)) {
		t.Errorf("birth date %v, want %v", p.BirthDate, want)
	}
}

// TestPresentations: each QR scan and card tap comes out on its own, in
// the order presented; cards are released; the stream ends with ctx.
func TestPresentations(t *testing.T) {
	rd, sc := &fakeReader{cards: make(chan nfc.Card, 1)}, &fakeScanner{texts: make(chan string, 1)}
	a := identity.NewAcquirer(identity.Sources{Reader: rd, QR: sc}, identity.Policy{StaticUID: true, CardPause: time.Millisecond}, identity.Options{}, nil)
	ctx, cancel := context.WithCancel(context.Background())
	ps := a.Presentations(ctx)
	next := func() identity.Presentation {
		t.Helper()
		select {
		case p := <-ps:
			return p
		case <-time.After(5 * time.Second):
			t.Fatal("no presentation")
			return identity.Presentation{}
		}
	}
	sc.texts <- testQR
	if p := next(); p.Method != identity.MethodQR || p.Err != nil {
		t.Fatalf("%+v", p)
	}
	uid := &presenceCard{Card: fakeCard{nfc.CardInfo{Type: nfc.TypeA, UID: []byte{0x04, 1, 2, 3, 4, 5, 6}}}}
	rd.cards <- uid
	if p := next(); p.Method != identity.MethodUID || p.Err != nil {
		t.Fatalf("%+v", p)
	}
	sc.texts <- "not a card QR"
	if p := next(); !errors.Is(p.Err, identity.ErrUnusable) {
		t.Fatalf("%+v", p)
	}
	// The stream holds the Acquirer: an Acquire waits for it to end.
	acquired := make(chan error, 1)
	go func() {
		_, err := a.Acquire(ctx, identity.Request{})
		acquired <- err
	}()
	cancel()
	for range ps {
	}
	if err := <-acquired; !errors.Is(err, context.Canceled) {
		t.Fatalf("Acquire during the stream: %v", err)
	}
	if uid.released.Load() != 1 {
		t.Fatalf("card released %d times", uid.released.Load())
	}
}

// BenchmarkPresentQR is the fast path's identification of a CCCD QR and
// its token: a small share of the transit validator's 300 ms budget.
func BenchmarkPresentQR(b *testing.B) {
	tk := tokenizer(b, testKey)
	for b.Loop() {
		if _, err := tk.Of(identity.PresentQR(testQR)); err != nil {
			b.Fatal(err)
		}
	}
}

package transit

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kiosk06/kiosk/drivers/nfc"
)

func TestFromQR(t *testing.T) {
	tk := tokenizer(t)
	tests := []struct {
		name    string
		payload string
		kind    Kind
		err     error
	}{
		{"cccd", testQR, KindQR, nil},
		{"vneid", "https://vneid.gov.vn/qr?t=eyJhbGciOi", KindVNeID, ErrNeedsOnline},
		{"url", "https://example.com/", "", ErrUnusableToken},
		{"garbage", "\x00\xff|||", "", ErrUnusableToken},
		{"empty", "", "", ErrUnusableToken},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tok, err := tk.FromQR(tc.payload)
			if !errors.Is(err, tc.err) || tok.Kind != tc.kind {
				t.Fatalf("FromQR = %v, %v; want kind %q, err %v", tok.Kind, err, tc.kind, tc.err)
			}
		})
	}
	tok, _ := tk.FromQR(testQR)
	if tok.Hash != tk.HashID("001090012345") {
		t.Error("QR token is not the keyed hash of the ID number")
	}
	if want := time.Date(1990, 3, 15, 0, 0, 0, 0, time.UTC); !tok.BirthDate.Equal(want) {
		t.Errorf("birth date %v, want %v", tok.BirthDate, want)
	}
	other, _ := NewTokenizer([]byte("another-operator-key-0123456789abcdef"), false, nil)
	if o, _ := other.FromQR(testQR); o.Hash == tok.Hash {
		t.Error("two operators' keys give the same token")
	}
}

func TestFromCard(t *testing.T) {
	fixed := fakeCard{nfc.CardInfo{Type: nfc.TypeA, UID: []byte{0x04, 0xA1, 0xB2, 0xC3, 0xD4, 0xE5, 0xF6}}}
	random := fakeCard{nfc.CardInfo{Type: nfc.TypeA, UID: []byte{0x08, 0x11, 0x22, 0x33}, UIDRandom: true}}
	randomUnflagged := fakeCard{nfc.CardInfo{Type: nfc.TypeA, UID: []byte{0x08, 0x11, 0x22, 0x33}}}
	chipOK := chipStub{id: ChipIdentity{ID: "001090012345", BirthDate: time.Date(1950, 1, 1, 0, 0, 0, 0, time.UTC)}}
	noKey := chipStub{err: ErrNoChipKey}
	broken := chipStub{err: nfc.ErrCardRemoved}
	tests := []struct {
		name     string
		allowUID bool
		chip     ChipReader
		card     fakeCard
		kind     Kind
		err      error
	}{
		{"fixed uid allowed", true, nil, fixed, KindUID, nil},
		{"fixed uid not allowed", false, nil, fixed, "", ErrUnusableToken},
		{"random uid", true, nil, random, "", ErrUnusableToken},
		{"random uid by first byte", true, nil, randomUnflagged, "", ErrUnusableToken},
		{"chip read", false, chipOK, random, KindChip, nil},
		{"no chip key falls back to uid", true, noKey, fixed, KindUID, nil},
		{"no chip key random uid", true, noKey, random, "", ErrUnusableToken},
		{"chip read fails", true, broken, fixed, "", nfc.ErrCardRemoved},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tk, err := NewTokenizer(testKey, tc.allowUID, tc.chip)
			if err != nil {
				t.Fatal(err)
			}
			tok, err := tk.FromCard(context.Background(), tc.card)
			if !errors.Is(err, tc.err) || tok.Kind != tc.kind {
				t.Fatalf("FromCard = %q, %v; want %q, %v", tok.Kind, err, tc.kind, tc.err)
			}
		})
	}
	// The chip and the printed QR of one card are one token.
	tk, _ := NewTokenizer(testKey, false, chipOK)
	a, _ := tk.FromCard(context.Background(), random)
	b, _ := tk.FromQR(testQR)
	if a.Hash != b.Hash {
		t.Error("chip read and QR of the same card give different tokens")
	}
}

func TestNewTokenizerKey(t *testing.T) {
	if _, err := NewTokenizer(make([]byte, MinKeyLen-1), false, nil); !errors.Is(err, ErrKey) {
		t.Fatalf("short key: %v, want ErrKey", err)
	}
}

func FuzzFromQR(f *testing.F) {
	for _, s := range []string{testQR, "https://vneid.gov.vn/x", "", "|||||||", "001090012345|x|y|99999999|Nam|a|b"} {
		f.Add(s)
	}
	tk, _ := NewTokenizer(testKey, false, nil)
	f.Fuzz(func(t *testing.T, s string) {
		tok, err := tk.FromQR(s)
		if err == nil && tok.Kind != KindQR {
			t.Fatalf("nil error with kind %q", tok.Kind)
		}
	})
}

func TestLoadKey(t *testing.T) {
	dir := t.TempDir()
	write := func(name, s string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(s), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	if k, err := LoadKey(write("hex", strings.Repeat("cd", 32)+"\n")); err != nil || len(k) != 32 || k[0] != 0xcd {
		t.Fatalf("hex key: %x, %v", k, err)
	}
	if k, err := LoadKey(write("raw", string(testKey))); err != nil || string(k) != string(testKey) {
		t.Fatalf("raw key: %v", err)
	}
	for _, p := range []string{write("short", "abc"), filepath.Join(dir, "missing")} {
		if _, err := LoadKey(p); !errors.Is(err, ErrKey) {
			t.Errorf("%s: %v", p, err)
		}
	}
}

// TestTokenPinned pins the hex of each token kind under a fixed key, as
// computed independently (Python's hmac module: HMAC-SHA256 over the domain
// prefix and the value). Deny and pass lists built by the back-end and every
// stored tap record carry these strings: they must never change.
func TestTokenPinned(t *testing.T) {
	tk := tokenizer(t)
	qr, _ := tk.FromQR(testQR)
	uid, _ := tk.FromCard(context.Background(), fakeCard{nfc.CardInfo{Type: nfc.TypeA, UID: []byte{0x04, 0xA1, 0xB2, 0xC3, 0xD4, 0xE5, 0xF6}}})
	vneid, _ := tk.FromQR("https://vneid.gov.vn/qr?t=eyJhbGciOi")
	for _, tc := range []struct {
		name string
		got  Hash
		want string
	}{
		{"id number", tk.HashID("001090012345"), "f7de8f9c8e319bee2336696ebc52302d4795fce3470657293e44676732c024e7"},
		{"cccd qr", qr.Hash, "f7de8f9c8e319bee2336696ebc52302d4795fce3470657293e44676732c024e7"},
		{"fixed uid", uid.Hash, "8bd520ccd9c9ac0440e78f6bfc6caa712cffd5f3fc71020c8f9d13d92189ce20"},
		{"vneid", vneid.Hash, "bfb33c46ec28bd8701c1f05cc7cb96821b67417d7573645ddf7ec8ef4c93db82"},
	} {
		if tc.got.String() != tc.want {
			t.Errorf("%s: token %s, want %s", tc.name, tc.got, tc.want)
		}
	}
}

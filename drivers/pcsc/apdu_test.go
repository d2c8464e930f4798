package pcsc

import (
	"bytes"
	"context"
	"encoding/hex"
	"errors"
	"testing"

	"github.com/ebfe/scard"

	"github.com/kiosk06/kiosk/drivers/nfc"
)

// script is a fake transmitter: it checks each command and plays back
// the scripted responses in order.
type script struct {
	t     testing.TB
	steps [][2]string // command hex, response hex
	n     int
}

func (s *script) tx(apdu []byte) ([]byte, error) {
	if s.n >= len(s.steps) {
		s.t.Fatalf("unexpected command % X", apdu)
	}
	step := s.steps[s.n]
	s.n++
	if got := hex.EncodeToString(apdu); got != step[0] {
		s.t.Fatalf("command %d = %s, want %s", s.n, got, step[0])
	}
	return hex.DecodeString(step[1])
}

func TestExchange(t *testing.T) {
	tests := []struct {
		name    string
		apdu    string
		steps   [][2]string
		want    string
		wantErr error
	}{
		{"plain 9000", "00a4040c07a0000002471001", [][2]string{{"00a4040c07a0000002471001", "9000"}}, "9000", nil},
		{"61xx twice", "00b0000000", [][2]string{
			{"00b0000000", "aabb6102"}, {"00c0000002", "ccdd6101"}, {"00c0000001", "ee9000"}}, "aabbccddee9000", nil},
		{"61xx keeps logical channel", "01b0000000", [][2]string{
			{"01b0000000", "6101"}, {"01c0000001", "ee9000"}}, "ee9000", nil},
		{"61xx drops secure messaging bit", "0cb0000000", [][2]string{
			{"0cb0000000", "6101"}, {"00c0000001", "ee9000"}}, "ee9000", nil},
		{"6Cxx case 2", "00b2010400", [][2]string{
			{"00b2010400", "6c08"}, {"00b2010408", "01020304050607089000"}}, "01020304050607089000", nil},
		{"6Cxx case 4", "00880000020102ff", [][2]string{
			{"00880000020102ff", "6c04"}, {"0088000002010204", "112233449000"}}, "112233449000", nil},
		{"6Cxx case 3 passed through", "00d6000002aabb", [][2]string{
			{"00d6000002aabb", "6c04"}}, "6c04", nil},
		{"6Cxx then 61xx", "00b2010400", [][2]string{
			{"00b2010400", "6c08"}, {"00b2010408", "6101"}, {"00c0000001", "ff9000"}}, "ff9000", nil},
		{"error status passed", "00b0000000", [][2]string{{"00b0000000", "6982"}}, "6982", nil},
		{"no status word", "00b0000000", [][2]string{{"00b0000000", "90"}}, "", nfc.ErrProtocol},
		{"GET RESPONSE without status", "00b0000000", [][2]string{{"00b0000000", "6101"}, {"00c0000001", ""}}, "", nfc.ErrProtocol},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := &script{t: t, steps: tt.steps}
			apdu, _ := hex.DecodeString(tt.apdu)
			got, err := exchange(context.Background(), s.tx, apdu)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("err %v, want %v", err, tt.wantErr)
			}
			if err == nil && hex.EncodeToString(got) != tt.want {
				t.Fatalf("got %x, want %s", got, tt.want)
			}
			if s.n != len(s.steps) {
				t.Fatalf("%d of %d commands sent", s.n, len(s.steps))
			}
		})
	}
}

func TestExchangeEndlessChain(t *testing.T) {
	tx := func([]byte) ([]byte, error) { return []byte{0x61, 0x00}, nil }
	if _, err := exchange(context.Background(), tx, []byte{0, 0xB0, 0, 0, 0}); !errors.Is(err, nfc.ErrProtocol) {
		t.Fatalf("endless 61xx: %v, want ErrProtocol", err)
	}
	big := func([]byte) ([]byte, error) { return append(make([]byte, 4000), 0x61, 0x00), nil }
	if _, err := exchange(context.Background(), big, []byte{0, 0xB0, 0, 0, 0}); !errors.Is(err, nfc.ErrProtocol) {
		t.Fatalf("oversized chain: %v, want ErrProtocol", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := exchange(ctx, tx, []byte{0, 0xB0, 0, 0, 0}); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled chain: %v, want context.Canceled", err)
	}
}

func TestWrap(t *testing.T) {
	tests := []struct {
		code scard.Error
		want error
	}{
		{scard.ErrNoSmartcard, nfc.ErrNoCard},
		{scard.ErrRemovedCard, nfc.ErrCardRemoved},
		{scard.ErrResetCard, nfc.ErrCardRemoved},
		{scard.ErrUnresponsiveCard, nfc.ErrTimeout},
		{scard.ErrUnknownReader, ErrReaderGone},
		{scard.ErrReaderUnavailable, ErrReaderGone},
		{scard.ErrNoReadersAvailable, ErrReaderGone},
		{scard.ErrNoService, ErrNoService},
		{scard.ErrServiceStopped, ErrNoService},
		{scard.ErrNotTransacted, nfc.ErrProtocol},
	}
	for _, tt := range tests {
		t.Run(tt.code.Error(), func(t *testing.T) {
			err := wrap("op", tt.code)
			if !errors.Is(err, tt.want) {
				t.Fatalf("%v is not %v", err, tt.want)
			}
			var code scard.Error
			if !errors.As(err, &code) || code != tt.code {
				t.Fatalf("%v lost the scard code", err)
			}
		})
	}
	if err := wrap("op", scard.ErrInsufficientBuffer); err == nil || errors.Is(err, nfc.ErrProtocol) {
		t.Fatalf("unmapped code: %v", err)
	}
	if wrap("op", nil) != nil {
		t.Fatal("wrap(nil) != nil")
	}
}

func TestPickReader(t *testing.T) {
	readers := []string{"ACS ACR122U 00 00", "Virtual PCD 00 00", "Virtual PCD 00 01"}
	tests := []struct {
		want, got string
		err       error
	}{
		{"", "ACS ACR122U 00 00", nil},
		{"Virtual PCD 00 01", "Virtual PCD 00 01", nil},
		{"ACS", "ACS ACR122U 00 00", nil},
		{"Virtual PCD", "", ErrReaderGone},
		{"Nope", "", ErrReaderGone},
	}
	for _, tt := range tests {
		got, err := pickReader(readers, tt.want)
		if got != tt.got || !errors.Is(err, tt.err) {
			t.Errorf("pickReader(%q) = %q, %v; want %q, %v", tt.want, got, err, tt.got, tt.err)
		}
	}
	if _, err := pickReader(nil, ""); !errors.Is(err, ErrReaderGone) {
		t.Errorf("no readers: %v", err)
	}
}

// FuzzExchange: any sequence of card responses gives a result or an
// error, never a panic or an endless loop, and a result always ends with
// a status word.
func FuzzExchange(f *testing.F) {
	f.Add([]byte{0x00, 0xB0, 0x00, 0x00, 0x00}, []byte{0x02, 0x61, 0x05, 0x07, 1, 2, 3, 4, 5, 0x90, 0x00})
	f.Add([]byte{0x00, 0xB2, 0x01, 0x04, 0x00}, []byte{0x02, 0x6C, 0x08, 0x02, 0x90, 0x00})
	f.Add([]byte{0x00}, []byte{})
	f.Fuzz(func(t *testing.T, apdu, stream []byte) {
		if len(apdu) == 0 {
			return
		}
		tx := func([]byte) ([]byte, error) {
			// stream is a list of length-prefixed responses; then 6F00.
			if len(stream) == 0 {
				return []byte{0x6F, 0x00}, nil
			}
			n := min(int(stream[0]), len(stream)-1)
			rsp := stream[1 : 1+n]
			stream = stream[1+n:]
			return bytes.Clone(rsp), nil
		}
		got, err := exchange(context.Background(), tx, apdu)
		if err == nil && len(got) < 2 {
			t.Fatalf("result % X has no status word", got)
		}
	})
}

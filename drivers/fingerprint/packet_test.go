package fingerprint

import (
	"bytes"
	"encoding/hex"
	"errors"
	"io"
	"strings"
	"testing"
)

func unhex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.ReplaceAll(s, " ", ""))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestPacketVectors reproduces the datasheet frames byte for byte (design §9).
func TestPacketVectors(t *testing.T) {
	tests := []struct {
		name string
		p    Packet
		want string
	}{
		{"GenImg", Packet{DefaultAddress, PIDCommand, []byte{CmdGenImg}}, "EF 01 FF FF FF FF 01 00 03 01 00 05"},
		{"VfyPwd(0)", Packet{DefaultAddress, PIDCommand, []byte{CmdVfyPwd, 0, 0, 0, 0}}, "EF 01 FF FF FF FF 01 00 07 13 00 00 00 00 00 1B"},
		{"ack ok", Packet{DefaultAddress, PIDAck, []byte{0x00}}, "EF 01 FF FF FF FF 07 00 03 00 00 0A"},
		{"TemplateNum", Packet{DefaultAddress, PIDCommand, []byte{CmdTemplateNum}}, "EF 01 FF FF FF FF 01 00 03 1D 00 21"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want := unhex(t, tt.want)
			if got := tt.p.Marshal(); !bytes.Equal(got, want) {
				t.Fatalf("Marshal = % X, want % X", got, want)
			}
			got, err := ReadPacket(readerFull(bytes.NewReader(want)))
			if err != nil || got.Addr != tt.p.Addr || got.PID != tt.p.PID || !bytes.Equal(got.Payload, tt.p.Payload) {
				t.Fatalf("ReadPacket = %+v, %v", got, err)
			}
		})
	}
}

func readerFull(r io.Reader) func([]byte) error {
	return func(b []byte) error { _, err := io.ReadFull(r, b); return err }
}

func TestReadPacketErrors(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want error
	}{
		{"bad checksum", "EF 01 FF FF FF FF 01 00 03 01 00 06", ErrChecksum},
		{"bad PID", "EF 01 FF FF FF FF 05 00 03 01 00 09", ErrFrame},
		{"length too small", "EF 01 FF FF FF FF 01 00 01 00", ErrFrame},
		{"length too big", "EF 01 FF FF FF FF 02 01 03", ErrFrame},
		{"no header", strings.Repeat("00 ", 80), ErrFrame},
		{"truncated", "EF 01 FF FF FF FF 01 00 07 13", io.ErrUnexpectedEOF},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ReadPacket(readerFull(bytes.NewReader(unhex(t, tt.in))))
			if !errors.Is(err, tt.want) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
		})
	}
	// Line noise before a frame is skipped.
	p, err := ReadPacket(readerFull(bytes.NewReader(unhex(t, "00 EF 55 EF 01 FF FF FF FF 07 00 03 00 00 0A"))))
	if err != nil || p.PID != PIDAck {
		t.Fatalf("resync: %+v, %v", p, err)
	}
}

func FuzzReadPacket(f *testing.F) {
	f.Add([]byte{0xEF, 0x01, 0xFF, 0xFF, 0xFF, 0xFF, 0x01, 0x00, 0x03, 0x01, 0x00, 0x05})
	f.Add([]byte{0xEF, 0x01, 0xFF, 0xFF, 0xFF, 0xFF, 0x02, 0x01, 0x02})
	f.Fuzz(func(t *testing.T, b []byte) {
		p, err := ReadPacket(readerFull(bytes.NewReader(b)))
		if err != nil {
			return
		}
		if len(p.Payload) > MaxPayload {
			t.Fatalf("payload %d bytes", len(p.Payload))
		}
		again, err := ReadPacket(readerFull(bytes.NewReader(p.Marshal())))
		if err != nil || !bytes.Equal(again.Payload, p.Payload) {
			t.Fatalf("round trip: %v", err)
		}
	})
}

func TestParseDevice(t *testing.T) {
	for _, tt := range []struct {
		in   string
		path string
		baud int
		ok   bool
	}{
		{"r30x:/dev/ttyUSB0", "/dev/ttyUSB0", 57600, true},
		{"r30x:/dev/pts/3@115200", "/dev/pts/3", 115200, true},
		{"r30x:/dev/pts/3@1234", "", 0, false},
		{"pn532:/dev/ttyUSB0", "", 0, false},
		{"r30x:", "", 0, false},
		{"r30x:@57600", "", 0, false},
	} {
		path, baud, err := ParseDevice(tt.in)
		if (err == nil) != tt.ok || path != tt.path || baud != tt.baud {
			t.Errorf("ParseDevice(%q) = %q, %d, %v", tt.in, path, baud, err)
		}
	}
}

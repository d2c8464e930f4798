package pn532sim

import (
	"bytes"
	"encoding/hex"
	"strings"
	"testing"
)

func hx(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.ReplaceAll(s, " ", ""))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// parseAll feeds the whole input and collects the events.
func parseAll(b []byte) []event {
	var evs []event
	for {
		ev, used := parse(b)
		if used == 0 {
			return evs
		}
		b = b[used:]
		evs = append(evs, ev)
	}
}

func TestParse(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []event
	}{
		{"GetFirmwareVersion (UM0701 §7.2.2)", "00 00 FF 02 FE D4 02 2A 00",
			[]event{{}, {Kind: evFrame, Data: []byte{0xD4, 0x02}}}},
		{"HSU wake-up then SAMConfiguration", "55 55 00 00 00 00 FF 05 FB D4 14 01 14 01 02 00",
			[]event{{Wake: true}, {Kind: evFrame, Data: hx(t, "D4 14 01 14 01")}}},
		{"ACK (abort)", "00 00 FF 00 FF 00", []event{{}, {Kind: evACK}}},
		{"NACK", "00 00 FF FF 00 00", []event{{}, {Kind: evNACK}}},
		{"bad LCS: the rest is skipped", "00 FF 02 FD D4 02 2A 00", []event{{Kind: evBadChecksum}, {}}},
		{"bad DCS", "00 FF 02 FE D4 02 2B 00", []event{{Kind: evBadChecksum}}},
		{"empty frame", "00 FF 00 00", []event{{Kind: evBadLength}}},
		{"incomplete", "00 00 FF 02 FE D4", []event{{}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := parseAll(hx(t, tc.in))
			if len(got) != len(tc.want) {
				t.Fatalf("events %+v, want %+v", got, tc.want)
			}
			for i := range got {
				if got[i].Kind != tc.want[i].Kind || got[i].Wake != tc.want[i].Wake || !bytes.Equal(got[i].Data, tc.want[i].Data) {
					t.Errorf("event %d: %+v, want %+v", i, got[i], tc.want[i])
				}
			}
		})
	}
}

func TestEncodeManual(t *testing.T) {
	got := encode(hx(t, "D5 03 32 01 06 07"))
	if want := hx(t, "00 00 FF 06 FA D5 03 32 01 06 07 E8 00"); !bytes.Equal(got, want) {
		t.Errorf("got % X, want % X", got, want)
	}
}

func FuzzParse(f *testing.F) {
	f.Add(hx(f, "00 00 FF 02 FE D4 02 2A 00"))
	f.Add(hx(f, "55 55 00 00 00 00 FF 05 FB D4 14 01 14 01 02 00"))
	f.Add(hx(f, "00 00 FF FF FF 01 09 F6"))
	f.Add(hx(f, "00 00 FF 00 FF 00 00 00 FF FF 00 00"))
	f.Fuzz(func(t *testing.T, b []byte) {
		s := NewDevice(nil)
		s.SetCard(NewSimpleCard())
		for len(b) > 0 {
			ev, used := parse(b)
			if used == 0 {
				break
			}
			if used > len(b) {
				t.Fatalf("used %d of %d", used, len(b))
			}
			if len(ev.Data) > maxData {
				t.Fatalf("frame of %d bytes", len(ev.Data))
			}
			b = b[used:]
			s.handle(ev) // the device never panics on what the host sends
		}
	})
}

package pn532

import (
	"bytes"
	"encoding/hex"
	"errors"
	"strings"
	"testing"

	"github.com/kiosk06/kiosk/drivers/nfc"
)

// hx decodes "00 00 FF" style hex.
func hx(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.ReplaceAll(s, " ", ""))
	if err != nil {
		t.Fatalf("bad hex %q: %v", s, err)
	}
	return b
}

// TestEncodeFrameManual reproduces UM0701's frames byte for byte.
func TestEncodeFrameManual(t *testing.T) {
	tests := []struct {
		name string
		data string
		want string
	}{
		{"GetFirmwareVersion §7.2.2", "D4 02", "00 00 FF 02 FE D4 02 2A 00"},
		{"InListPassiveTarget 1 target 106A §7.3.5", "D4 4A 01 00", "00 00 FF 04 FC D4 4A 01 00 E1 00"},
		{"SAMConfiguration normal §7.2.10", "D4 14 01 14 01", "00 00 FF 05 FB D4 14 01 14 01 02 00"},
		{"GetFirmwareVersion response", "D5 03 32 01 06 07", "00 00 FF 06 FA D5 03 32 01 06 07 E8 00"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := encodeFrame(hx(t, tc.data))
			if err != nil {
				t.Fatal(err)
			}
			if want := hx(t, tc.want); !bytes.Equal(got, want) {
				t.Errorf("got % X, want % X", got, want)
			}
		})
	}
}

func TestEncodeExtendedFrame(t *testing.T) {
	data := make([]byte, 265)
	data[0] = tfiHostToPN532
	data[1] = cmdInDataExchange
	got, err := encodeFrame(data)
	if err != nil {
		t.Fatal(err)
	}
	// UM0701 §6.2.1.2: 00 00 FF FF FF LENM LENL LCS …
	if want := hx(t, "00 00 FF FF FF 01 09 F6"); !bytes.Equal(got[:8], want) {
		t.Errorf("header % X, want % X", got[:8], want)
	}
	if len(got) != 8+265+2 {
		t.Errorf("length %d", len(got))
	}
	back, err := decodeFrame(got)
	if err != nil || !bytes.Equal(back.Data, data) {
		t.Errorf("round trip: %v", err)
	}
	if _, err := encodeFrame(make([]byte, 266)); !errors.Is(err, ErrFrame) {
		t.Errorf("266 bytes: %v, want ErrFrame", err)
	}
	if _, err := encodeFrame(nil); !errors.Is(err, ErrFrame) {
		t.Errorf("empty: %v, want ErrFrame", err)
	}
}

func TestDecodeFrame(t *testing.T) {
	tests := []struct {
		name     string
		in       string
		wantKind frameKind
		wantData string
		wantErr  error
	}{
		{"ACK §6.2.1.3", "00 00 FF 00 FF 00", kindACK, "", nil},
		{"NACK §6.2.1.4", "00 00 FF FF 00 00", kindNACK, "", nil},
		{"error frame §6.2.1.5", "00 00 FF 01 FF 7F 81 00", kindError, "", nil},
		{"firmware response", "00 00 FF 06 FA D5 03 32 01 06 07 E8 00", kindInfo, "D5 03 32 01 06 07", nil},
		{"garbage before", "13 37 FF 00 00 FF 02 FE D5 15 16 00", kindInfo, "D5 15", nil},
		{"bad LCS", "00 00 FF 02 FD D5 15 16 00", 0, "", ErrChecksum},
		{"bad DCS", "00 00 FF 02 FE D5 15 17 00", 0, "", ErrChecksum},
		{"empty frame", "00 00 FF 00 00 00", 0, "", ErrFrame},
		{"truncated", "00 00 FF 06 FA D5 03", 0, "", ErrFrame},
		{"extended too long", "00 00 FF FF FF 02 00 FE", 0, "", ErrFrame},
		{"bad extended LCS", "00 00 FF FF FF 01 09 F7", 0, "", ErrChecksum},
		{"no start code", "01 02 03", 0, "", ErrFrame},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f, err := decodeFrame(hx(t, tc.in))
			if tc.wantErr != nil {
				if !errors.Is(err, tc.wantErr) {
					t.Fatalf("err %v, want %v", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if f.Kind != tc.wantKind || !bytes.Equal(f.Data, hx(t, tc.wantData)) && tc.wantData != "" {
				t.Errorf("got %v % X, want %v %s", f.Kind, f.Data, tc.wantKind, tc.wantData)
			}
		})
	}
}

func FuzzDecodeFrame(f *testing.F) {
	for _, s := range []string{
		"00 00 FF 00 FF 00", "00 00 FF FF 00 00", "00 00 FF 01 FF 7F 81 00",
		"00 00 FF 06 FA D5 03 32 01 06 07 E8 00", "00 00 FF FF FF 01 09 F6",
	} {
		f.Add(hx(f, s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		fr, err := decodeFrame(b)
		if err != nil {
			return
		}
		if fr.Kind == kindInfo {
			if len(fr.Data) == 0 || len(fr.Data) > maxFrameData {
				t.Fatalf("data length %d", len(fr.Data))
			}
			// A decoded frame re-encodes to a frame that decodes the same.
			enc, err := encodeFrame(fr.Data)
			if err != nil {
				t.Fatal(err)
			}
			back, err := decodeFrame(enc)
			if err != nil || !bytes.Equal(back.Data, fr.Data) {
				t.Fatalf("re-encode: %v", err)
			}
		}
	})
}

func TestParseSpec(t *testing.T) {
	tests := []struct {
		in      string
		want    Spec
		wantErr bool
	}{
		{"pn532:uart:/dev/ttyUSB0", Spec{Bus: "uart", Path: "/dev/ttyUSB0", Baud: 115200}, false},
		{"pn532:uart:/dev/pts/3@9600", Spec{Bus: "uart", Path: "/dev/pts/3", Baud: 9600}, false},
		{"pn532:i2c:/dev/i2c-1", Spec{Bus: "i2c", Path: "/dev/i2c-1"}, false},
		{"pn532:spi:/dev/spidev0.0", Spec{Bus: "spi", Path: "/dev/spidev0.0"}, false},
		{"pn532:uart:/dev/ttyUSB0@fast", Spec{}, true},
		{"pn532:uart:@115200", Spec{}, true},
		{"pn532:usb:/dev/x", Spec{}, true},
		{"pn532:uart", Spec{}, true},
		{"pcsc", Spec{}, true},
	}
	for _, tc := range tests {
		got, err := ParseSpec(tc.in)
		if (err != nil) != tc.wantErr || got != tc.want {
			t.Errorf("ParseSpec(%q) = %+v, %v", tc.in, got, err)
		}
		if err == nil {
			if again, _ := ParseSpec(got.String()); again != got {
				t.Errorf("String round trip of %q: %+v", tc.in, again)
			}
		}
	}
}

func TestPSLRate(t *testing.T) {
	tests := []struct {
		ats      string
		max      int
		wantCode byte
		wantKbps int
	}{
		{"09 78 33 81 02 80 31 80 66", 424, 2, 424},
		{"09 78 33 81 02 80 31 80 66", 212, 1, 212},
		{"09 78 33 81 02 80 31 80 66", 106, 0, 106},
		{"05 78 11 81 02", 424, 1, 212},
		{"05 78 80 81 02", 424, 0, 106}, // TA(1): 106 only
		{"02 08", 424, 0, 106},          // no TA(1)
		{"", 424, 0, 106},
	}
	for _, tc := range tests {
		code, kbps := pslRate(hx(t, tc.ats), tc.max)
		if code != tc.wantCode || kbps != tc.wantKbps {
			t.Errorf("pslRate(%s, %d) = %d, %d", tc.ats, tc.max, code, kbps)
		}
	}
}

// FuzzParseTargets feeds InListPassiveTarget answers (card-controlled
// bytes: UID, ATS, ATQB) to the target parser.
func FuzzParseTargets(f *testing.F) {
	f.Add(hx(f, "01 01 00 04 20 04 08 11 22 33 05 78 80 70 02"), false)
	f.Add(hx(f, "01 01 50 11 22 33 44 00 00 00 00 00 81 81 01 00"), true)
	f.Add(hx(f, "00"), false)
	f.Fuzz(func(t *testing.T, b []byte, typeB bool) {
		typ := nfc.TypeA
		if typeB {
			typ = nfc.TypeB
		}
		tg, ok, err := parseTargets(typ, b)
		if err != nil || !ok {
			return
		}
		if len(tg.Info.UID) == 0 || len(tg.Info.UID) > len(b) || len(tg.Info.ATS) > len(b) {
			t.Fatalf("info %+v from %d bytes", tg.Info, len(b))
		}
	})
}

package escpos

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

// Byte sequences from the ESC/POS Command Reference.
func TestBuilderBytes(t *testing.T) {
	tests := []struct {
		name  string
		build func(w *Builder)
		want  []byte
	}{
		{"init", func(w *Builder) { w.Init() }, []byte{0x1B, 0x40}},
		{"align center", func(w *Builder) { w.Align(AlignCenter) }, []byte{0x1B, 0x61, 0x01}},
		{"bold on", func(w *Builder) { w.Emphasis(true) }, []byte{0x1B, 0x45, 0x01}},
		{"double width and height", func(w *Builder) { w.Size(2, 2) }, []byte{0x1D, 0x21, 0x11}},
		{"size clamped", func(w *Builder) { w.Size(0, 9) }, []byte{0x1D, 0x21, 0x07}},
		{"line spacing 30", func(w *Builder) { w.LineSpacing(30) }, []byte{0x1B, 0x33, 30}},
		{"default spacing", func(w *Builder) { w.DefaultLineSpacing() }, []byte{0x1B, 0x32}},
		{"feed 3 lines", func(w *Builder) { w.Feed(3) }, []byte{0x1B, 0x64, 3}},
		{"feed dots", func(w *Builder) { w.FeedDots(24) }, []byte{0x1B, 0x4A, 24}},
		{"partial cut", func(w *Builder) { w.Cut(true, 96) }, []byte{0x1D, 0x56, 66, 96}},
		{"full cut", func(w *Builder) { w.Cut(false, 0) }, []byte{0x1D, 0x56, 65, 0}},
		{"code page", func(w *Builder) { w.CodePage(52) }, []byte{0x1B, 0x74, 52}},
		{"beep", func(w *Builder) { w.Beep(2, 3) }, []byte{0x1B, 0x42, 2, 3}},
		{"status paper", func(w *Builder) { w.Status(4) }, []byte{0x10, 0x04, 0x04}},
		{"reverse", func(w *Builder) { w.Reverse(true) }, []byte{0x1D, 0x42, 1}},
		{"raster 16x2", func(w *Builder) {
			bm := NewBitmap(16, 2)
			bm.Set(0, 0, true)
			bm.Set(15, 1, true)
			w.Raster(bm, 0)
		}, []byte{0x1D, 0x76, 0x30, 0, 2, 0, 2, 0, 0x80, 0x00, 0x00, 0x01}},
		{"raster chunked by rows", func(w *Builder) { w.Raster(NewBitmap(8, 3), 2) },
			[]byte{0x1D, 0x76, 0x30, 0, 1, 0, 2, 0, 0, 0, 0x1D, 0x76, 0x30, 0, 1, 0, 1, 0, 0}},
		{"qr", func(w *Builder) { w.QR([]byte("AB"), 6, ECM) }, []byte{
			0x1D, 0x28, 0x6B, 4, 0, 0x31, 0x41, 0x32, 0x00, // model 2
			0x1D, 0x28, 0x6B, 3, 0, 0x31, 0x43, 6, // module size
			0x1D, 0x28, 0x6B, 3, 0, 0x31, 0x45, 0x31, // EC level M
			0x1D, 0x28, 0x6B, 5, 0, 0x31, 0x50, 0x30, 'A', 'B', // store
			0x1D, 0x28, 0x6B, 3, 0, 0x31, 0x51, 0x30}}, // print
		{"code128", func(w *Builder) { w.Code128("A{1", 80, 2) }, []byte{
			0x1D, 0x68, 80, 0x1D, 0x77, 2, 0x1D, 0x48, 0,
			0x1D, 0x6B, 73, 6, '{', 'B', 'A', '{', '{', '1'}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var w Builder
			tc.build(&w)
			if !bytes.Equal(w.Bytes(), tc.want) {
				t.Errorf("got  % X\nwant % X", w.Bytes(), tc.want)
			}
		})
	}
}

func TestBuilderRejects(t *testing.T) {
	var w Builder
	if _, err := w.QR(nil, 6, ECM); !errors.Is(err, ErrTooLarge) {
		t.Errorf("empty QR: %v", err)
	}
	if _, err := w.QR(bytes.Repeat([]byte("x"), MaxQRData+1), 6, ECM); !errors.Is(err, ErrTooLarge) {
		t.Errorf("huge QR: %v", err)
	}
	if _, err := w.Code128("Phòng", 80, 2); err == nil {
		t.Error("non-ASCII CODE128 accepted")
	}
	if w.Len() != 0 {
		t.Errorf("rejected commands left % X", w.Bytes())
	}
}

func TestParseDevice(t *testing.T) {
	tests := []struct {
		in      string
		want    Device
		wantErr bool
	}{
		{"escpos:/dev/ttyUSB0@19200", Device{"/dev/ttyUSB0", 19200}, false},
		{"escpos:/dev/pts/3", Device{"/dev/pts/3", DefaultBaud}, false},
		{"/dev/kiosk-printer@115200", Device{"/dev/kiosk-printer", 115200}, false},
		{"escpos:", Device{}, true},
		{"escpos:ttyUSB0", Device{}, true},
		{"escpos:/dev/ttyUSB0@fast", Device{}, true},
		{"escpos:/dev/ttyUSB0@0", Device{}, true},
	}
	for _, tc := range tests {
		got, err := ParseDevice(tc.in)
		if (err != nil) != tc.wantErr || got != tc.want {
			t.Errorf("ParseDevice(%q) = %+v, %v", tc.in, got, err)
		}
		if err == nil {
			if again, _ := ParseDevice(got.String()); again != got {
				t.Errorf("round trip %q → %q", tc.in, got.String())
			}
		}
	}
}

// Status bytes measured on real printers (design §9).
func TestDecodeStatus(t *testing.T) {
	tests := []struct {
		name    string
		in      [4]byte
		want    Status
		wantErr error
	}{
		{"all ok", [4]byte{0x12, 0x12, 0x12, 0x12}, Status{Online: true, Paper: PaperOK}, nil},
		{"near end", [4]byte{0x12, 0x12, 0x12, 0x1E}, Status{Online: true, Paper: PaperNearEnd}, nil},
		{"paper end", [4]byte{0x1A, 0x32, 0x12, 0x72}, Status{Paper: PaperEnd}, ErrPaperEnd},
		{"paper end both sensors", [4]byte{0x1A, 0x32, 0x12, 0x7E}, Status{Paper: PaperEnd}, ErrPaperEnd},
		{"cover open", [4]byte{0x1A, 0x16, 0x12, 0x12}, Status{Paper: PaperOK, CoverOpen: true}, ErrCoverOpen},
		{"cutter", [4]byte{0x1A, 0x52, 0x1A, 0x12}, Status{Paper: PaperOK, CutterError: true}, ErrCutter},
		{"offline", [4]byte{0x1A, 0x12, 0x12, 0x12}, Status{Paper: PaperOK}, ErrOffline},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := DecodeStatus(tc.in)
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want || !errors.Is(got.Err(), tc.wantErr) {
				t.Errorf("got %+v (%v), want %+v (%v)", got, got.Err(), tc.want, tc.wantErr)
			}
		})
	}
	for _, bad := range []byte{0x00, 0xFF, 0x13, 0x92, 0x10} {
		if _, err := DecodeStatus([4]byte{bad, 0x12, 0x12, 0x12}); !errors.Is(err, ErrBadStatus) {
			t.Errorf("status byte %#x accepted", bad)
		}
	}
}

func TestEncodeStatusMatchesMeasured(t *testing.T) {
	if b := EncodeStatus(Status{Online: true, Paper: PaperNearEnd}); b[3] != 0x1E {
		t.Errorf("near end = %#x, want 0x1E", b[3])
	}
	if b := EncodeStatus(Status{Paper: PaperEnd}); b[3] != 0x72 {
		t.Errorf("paper end = %#x, want 0x72", b[3])
	}
	if b := EncodeStatus(Status{Paper: PaperOK, CoverOpen: true}); b[1]&0x04 == 0 {
		t.Errorf("cover open bit missing: %#x", b[1])
	}
}

func TestCP1258(t *testing.T) {
	tests := []struct {
		in   string
		want []byte
		ok   bool
	}{
		{"Nội", []byte{'N', 0xF4, 0xF2, 'i'}, true},            // ô + dot below
		{"Tầng", []byte{'T', 0xE2, 0xCC, 'n', 'g'}, true},      // â + grave
		{"Phòng", []byte{'P', 'h', 'o', 0xCC, 'n', 'g'}, true}, // o + grave
		{"ĐƯỜNG", []byte{0xD0, 0xDD, 0xD5, 0xCC, 'N', 'G'}, true},
		{"50.000 ₫", []byte("50.000 \xFE"), true},
		{"A – B", []byte("A \x96 B"), true},
		{"北京", nil, false},
		{"▶", nil, false},
	}
	for _, tc := range tests {
		got, ok := EncodeCP1258(tc.in)
		if ok != tc.ok || !bytes.Equal(got, tc.want) {
			t.Errorf("EncodeCP1258(%q) = % X, %v; want % X, %v", tc.in, got, ok, tc.want, tc.ok)
		}
		if ok {
			if back := DecodeCP1258(got); back != tc.in {
				t.Errorf("DecodeCP1258(% X) = %q, want %q", got, back, tc.in)
			}
		}
	}
	// Every precomposed Vietnamese letter round-trips.
	const viet = "aàáảãạăằắẳẵặâầấẩẫậeèéẻẽẹêềếểễệiìíỉĩịoòóỏõọôồốổỗộơờớởỡợuùúủũụưừứửữựyỳýỷỹỵđ"
	for _, s := range []string{viet, strings.ToUpper(viet)} {
		enc, ok := EncodeCP1258(s)
		if !ok || DecodeCP1258(enc) != s {
			t.Errorf("round trip of %q failed: %q", s, DecodeCP1258(enc))
		}
	}
}

// FuzzParseDevice: device strings come from config files and the command
// line; parsing must not panic and must round-trip what it accepts.
func FuzzParseDevice(f *testing.F) {
	for _, s := range []string{"escpos:/dev/ttyUSB0@19200", "escpos:/dev/pts/1", "@", "escpos:@9600", "/a@@1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ParseDevice(s)
		if err != nil {
			return
		}
		if again, err := ParseDevice(d.String()); err != nil || again != d {
			t.Fatalf("%q → %q → %+v, %v", s, d.String(), again, err)
		}
	})
}

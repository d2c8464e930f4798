package escpos

import (
	"bytes"
	"testing"
)

func TestTextModeFallsBackToRaster(t *testing.T) {
	enc, err := NewEncoder(EncoderOptions{Width: Width58mm, TextMode: true, CodePage: 94})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name       string
		text       string
		wantText   []byte // CP1258 bytes expected in the output, nil if none
		wantRaster bool
	}{
		{"vietnamese as CP1258", "Tầng 2", []byte{ESC, 't', 94, ESC, 'a', 0, ESC, 'E', 0, GS, '!', 0, GS, 'B', 0, 'T', 0xE2, 0xCC, 'n', 'g', ' ', '2', LF}, false},
		{"unencodable line goes raster", "Tầng ▶ 2", nil, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b, err := enc.Encode(&Document{Blocks: []Block{Text{Text: tc.text}}})
			if err != nil {
				t.Fatal(err)
			}
			if tc.wantText != nil && !bytes.Contains(b, tc.wantText) {
				t.Errorf("missing text-mode bytes\n got % X\nwant % X", b, tc.wantText)
			}
			if got := bytes.Contains(b, []byte{GS, 'v', '0'}); got != tc.wantRaster {
				t.Errorf("raster = %v, want %v", got, tc.wantRaster)
			}
			if tc.wantRaster && bytes.Contains(b, []byte{ESC, 't'}) {
				t.Error("text mode used for an unencodable line")
			}
		})
	}
}

func TestRasterWidthAndChunks(t *testing.T) {
	for _, width := range []int{Width58mm, Width80mm} {
		enc, _ := NewEncoder(EncoderOptions{Width: width, ChunkBytes: 1024})
		b, err := enc.Encode(&Document{Blocks: []Block{Text{Text: "Phòng khám Nội – Tầng 2", Size: SizeHuge}}})
		if err != nil {
			t.Fatal(err)
		}
		// Every GS v 0 header names the full width and at most 1024 bytes.
		n := 0
		for i := 0; i+8 <= len(b); i++ {
			if b[i] == GS && b[i+1] == 'v' && b[i+2] == '0' {
				xb, h := int(b[i+4])|int(b[i+5])<<8, int(b[i+6])|int(b[i+7])<<8
				if xb*8 != width || xb*h > 1024 {
					t.Fatalf("width %d: band %d bytes × %d rows", width, xb, h)
				}
				n++
				i += 7 + xb*h
			}
		}
		if n < 2 {
			t.Errorf("width %d: %d bands, want the text split into several", width, n)
		}
	}
}

func TestWrapKeepsWithinWidth(t *testing.T) {
	r, err := NewRenderer()
	if err != nil {
		t.Fatal(err)
	}
	text := "Vui lòng chờ gọi số trên màn hình và loa. Xin cảm ơn quý khách đã sử dụng dịch vụ Khoaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	lines, err := r.Wrap(text, SizeLarge, true, Width58mm)
	if err != nil {
		t.Fatal(err)
	}
	if len(lines) < 3 {
		t.Fatalf("lines = %q", lines)
	}
	for _, l := range lines {
		bm, _ := r.Line(l, SizeLarge, true)
		if bm.W > Width58mm {
			t.Errorf("line %q is %d dots wide", l, bm.W)
		}
	}
}

func BenchmarkEncodeTicket80mm(b *testing.B) {
	enc, err := NewEncoder(EncoderOptions{Width: Width80mm})
	if err != nil {
		b.Fatal(err)
	}
	doc := &Document{Blocks: []Block{
		Text{Text: "BỆNH VIỆN ĐA KHOA TỈNH BẮC NINH", Bold: true, Align: AlignCenter},
		Text{Text: "Phòng khám Nội – Tầng 2", Size: SizeLarge, Bold: true, Align: AlignCenter},
		Text{Text: "A023", Size: SizeHuge * 3 / 2, Bold: true, Align: AlignCenter},
		Row{Left: "Số người đang chờ trước bạn:", Right: "5"},
		Row{Left: "Thời gian chờ dự kiến:", Right: "khoảng 25 phút"},
		QR{Data: "Q20261122-A023-7F3K", Align: AlignCenter},
		Text{Text: "Vui lòng chờ gọi số trên màn hình và loa. Xin cảm ơn!", Size: SizeSmall, Align: AlignCenter},
		Cut{Partial: true},
	}}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := enc.Encode(doc); err != nil {
			b.Fatal(err)
		}
	}
}

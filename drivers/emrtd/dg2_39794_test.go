package emrtd_test

import (
	"bytes"
	"errors"
	"testing"

	"github.com/kiosk06/kiosk/drivers/emrtd"
)

// face39794 builds a DG2 whose biometric data block holds an ISO/IEC
// 39794-5 FaceImageDataBlock, laid out by hand from the 39794-5 ASN.1
// module of ICAO's Application Profile for eMRTDs (DEFINITIONS IMPLICIT
// TAGS, DER): 75 → 7F61 { 02 count, 7F60 { A1 header, 7F2E { A1 { 65 … } } } }.
type face39794 struct {
	img        []byte
	format     int  // imageDataFormat code; 0 leaves it out
	width      int  // 0 leaves imageSizeBlock out
	gender     int  // GenderCode; 0 leaves identityMetadataBlock out
	genderExt  bool // gender as extensionBlock { fallback } instead of the code
	noWrapper  bool // 7F2E holds 65 directly, without A1
	bdbTag     uint32
	noImageTag bool
}

func (f face39794) encode() []byte {
	tlv := emrtd.EncodeTLV
	cat := func(parts ...[]byte) []byte { return bytes.Join(parts, nil) }
	var info []byte
	if f.format != 0 {
		info = tlv(0xA0, tlv(0x80, []byte{byte(f.format)})) // imageDataFormat { code }
	}
	info = cat(info, tlv(0xA1, tlv(0xA1, tlv(0x80, []byte{0})))) // faceImageKind2D: extensionBlock { fallback mrtd }
	if f.width != 0 {
		info = cat(info, tlv(0xA7, cat(tlv(0x80, []byte{byte(f.width >> 8), byte(f.width)}), tlv(0x81, []byte{0x02, 0x80}))))
	}
	var img2D []byte
	if !f.noImageTag {
		img2D = tlv(0x80, f.img)
	}
	img2D = cat(img2D, tlv(0xA1, info))
	rep := cat(tlv(0x80, []byte{1}), // representationId
		tlv(0xA1, tlv(0xA0, tlv(0xA0, img2D))),   // imageRepresentation → base → imageRepresentation2DBlock
		tlv(0xA2, tlv(0x80, []byte{0x07, 0xE8}))) // captureDateTimeBlock { year 2024 }
	if f.gender != 0 {
		g := tlv(0x80, []byte{byte(f.gender)})
		if f.genderExt {
			g = tlv(0xA1, g)
		}
		rep = cat(rep, tlv(0xA8, tlv(0xA0, g)))
	}
	version := tlv(0xA0, cat(tlv(0x80, []byte{3}), tlv(0x81, []byte{0x07, 0xE3}))) // generation 3, year 2019
	fidb := tlv(0x65, cat(version, tlv(0xA1, tlv(0x30, rep))))
	if !f.noWrapper {
		fidb = tlv(0xA1, fidb)
	}
	bht := tlv(0xA1, cat(tlv(0x80, []byte{1, 1}), tlv(0x81, []byte{2}), tlv(0x87, []byte{1, 1}), tlv(0x88, []byte{0, 0x2A})))
	tag := f.bdbTag
	if tag == 0 {
		tag = 0x7F2E
	}
	bit := tlv(0x7F60, cat(bht, tlv(tag, fidb)))
	return tlv(0x75, tlv(0x7F61, cat(tlv(0x02, []byte{1}), bit)))
}

var (
	testJPEG = append([]byte{0xFF, 0xD8, 0xFF, 0xE0}, bytes.Repeat([]byte{0x5A}, 300)...)
	testJP2  = append([]byte{0, 0, 0, 0x0C, 0x6A, 0x50, 0x20, 0x20}, bytes.Repeat([]byte{1}, 200)...)
)

// TestParseDG2ISO39794 reproduces issue 16 #6: a DG2 in the newer face
// format was rejected as "not ISO/IEC 19794-5".
func TestParseDG2ISO39794(t *testing.T) {
	tests := []struct {
		name       string
		in         face39794
		mime       string
		img        []byte
		w, h       int
		gender     byte
		wantErrMsg string
	}{
		{name: "JPEG, A1 wrapper, extension gender", in: face39794{img: testJPEG, format: 2, width: 480, gender: 3, genderExt: true},
			mime: emrtd.ImageJPEG, img: testJPEG, w: 480, h: 640, gender: 2},
		{name: "JPEG 2000 lossless, no wrapper, code gender", in: face39794{img: testJP2, format: 4, noWrapper: true, gender: 2},
			mime: emrtd.ImageJPEG2000, img: testJP2, gender: 1},
		{name: "JPEG 2000 lossy in a 5F2E block, gender other", in: face39794{img: testJP2, format: 3, bdbTag: 0x5F2E, gender: 1},
			mime: emrtd.ImageJPEG2000, img: testJP2, gender: 0xFF},
		{name: "JPEG declared, JPEG 2000 inside", in: face39794{img: testJP2, format: 2}, wantErrMsg: "signature"},
		{name: "PNG", in: face39794{img: testJPEG, format: 5}, wantErrMsg: "neither JPEG"},
		{name: "no format", in: face39794{img: testJPEG}, wantErrMsg: "imageDataFormat"},
		{name: "no image", in: face39794{img: testJPEG, format: 2, noImageTag: true}, wantErrMsg: "representationData2D"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f, err := emrtd.ParseDG2(tc.in.encode())
			if tc.wantErrMsg != "" {
				if !errors.Is(err, emrtd.ErrMalformed) || !bytes.Contains([]byte(err.Error()), []byte(tc.wantErrMsg)) {
					t.Fatalf("err = %v, want ErrMalformed with %q", err, tc.wantErrMsg)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if f.Format != emrtd.Format39794 || f.MIME != tc.mime || !bytes.Equal(f.Image, tc.img) ||
				f.Width != tc.w || f.Height != tc.h || f.Gender != tc.gender {
				t.Fatalf("face %s %s %dx%d gender %d, %d image bytes", f.Format, f.MIME, f.Width, f.Height, f.Gender, len(f.Image))
			}
		})
	}
}

func TestParseDG2NeitherFormat(t *testing.T) {
	tlv := emrtd.EncodeTLV
	dg2 := tlv(0x75, tlv(0x7F61, append(tlv(0x02, []byte{1}), tlv(0x7F60, tlv(0x5F2E, []byte("XYZ\x00 not a face")))...)))
	if _, err := emrtd.ParseDG2(dg2); !errors.Is(err, emrtd.ErrMalformed) {
		t.Fatalf("err = %v", err)
	}
	broken := face39794{img: testJPEG, format: 2}.encode()
	if _, err := emrtd.ParseDG2(broken[:len(broken)-40]); !errors.Is(err, emrtd.ErrMalformed) {
		t.Fatalf("truncated: err = %v", err)
	}
}

// FuzzParseDG2Face39794: hostile 39794-5 blocks never panic, and an image
// returned always lies inside the input.
func FuzzParseDG2Face39794(f *testing.F) {
	f.Add(face39794{img: testJPEG, format: 2, width: 480, gender: 3, genderExt: true}.encode())
	f.Add(face39794{img: testJP2, format: 4, noWrapper: true, gender: 2}.encode())
	f.Add(face39794{img: testJP2, format: 3, bdbTag: 0x5F2E}.encode())
	f.Fuzz(func(t *testing.T, b []byte) {
		face, err := emrtd.ParseDG2(b)
		if err == nil && (len(face.Image) == 0 || len(face.Image) > len(b)) {
			t.Fatalf("image of %d bytes from %d", len(face.Image), len(b))
		}
	})
}

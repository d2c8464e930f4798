package emrtd

import (
	"bytes"
	"encoding/binary"
)

// Image formats in DG2 (ISO/IEC 19794-5 §5.7.2 image data type).
const (
	ImageJPEG     = "image/jpeg"
	ImageJPEG2000 = "image/jp2"
)

// Face is the first facial image of DG2 with the metadata of its ISO/IEC
// 19794-5 record. Biometric data: never log it.
type Face struct {
	MIME          string // ImageJPEG or ImageJPEG2000
	Width, Height int
	Gender        byte // 0 unspecified, 1 male, 2 female, 0xFF unknown
	EyeColour     byte
	HairColour    byte
	Expression    uint16
	ImageType     byte // 0 basic, 1 full frontal, 2 token frontal
	Image         []byte
}

// ParseDG2 extracts the first face from DG2 (9303-10 §4.7.2): 75 → 7F61
// (biometric information group template) → 7F60 → 5F2E or 7F2E
// (biometric data block: an ISO/IEC 19794-5 "FAC" record).
func ParseDG2(b []byte) (*Face, error) {
	v, ok := FindTLV(b, 0x75, 0x7F61, 0x7F60, 0x5F2E)
	if !ok {
		v, ok = FindTLV(b, 0x75, 0x7F61, 0x7F60, 0x7F2E)
	}
	if !ok {
		return nil, malformed("DG2: no biometric data block (75/7F61/7F60/5F2E)")
	}
	return parseFaceRecord(v.Value)
}

// parseFaceRecord reads an ISO/IEC 19794-5:2005 facial record: 14-byte
// general header, 20-byte facial information, feature points (8 bytes
// each), 12-byte image information, image data.
func parseFaceRecord(r []byte) (*Face, error) {
	if len(r) < 14+20+12 || !bytes.Equal(r[:4], []byte("FAC\x00")) {
		return nil, malformed("DG2: not an ISO/IEC 19794-5 facial record")
	}
	if binary.BigEndian.Uint16(r[12:14]) == 0 {
		return nil, malformed("DG2: record holds no face")
	}
	fi := r[14:]
	blockLen := int(binary.BigEndian.Uint32(fi[0:4]))
	points := int(binary.BigEndian.Uint16(fi[4:6]))
	f := &Face{Gender: fi[6], EyeColour: fi[7], HairColour: fi[8],
		Expression: binary.BigEndian.Uint16(fi[12:14])}
	off := 20 + 8*points
	if off+12 > len(fi) {
		return nil, malformed("DG2: truncated facial information")
	}
	ii := fi[off : off+12]
	f.ImageType = ii[0]
	f.Width = int(binary.BigEndian.Uint16(ii[2:4]))
	f.Height = int(binary.BigEndian.Uint16(ii[4:6]))
	end := len(fi)
	if blockLen >= off+12 && blockLen <= len(fi) {
		end = blockLen
	}
	img := fi[off+12 : end]
	switch {
	case ii[1] == 0 && bytes.HasPrefix(img, []byte{0xFF, 0xD8}):
		f.MIME = ImageJPEG
	case ii[1] == 1 && (bytes.HasPrefix(img, []byte{0x00, 0x00, 0x00, 0x0C, 0x6A, 0x50}) ||
		bytes.HasPrefix(img, []byte{0xFF, 0x4F, 0xFF, 0x51})):
		f.MIME = ImageJPEG2000
	default:
		return nil, malformed("DG2: image data type %d without a JPEG/JPEG2000 signature", ii[1])
	}
	f.Image = img
	return f, nil
}

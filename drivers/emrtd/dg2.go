package emrtd

import (
	"bytes"
	"encoding/binary"
)

// Image formats in DG2 (ISO/IEC 19794-5 §5.7.2 image data type; ISO/IEC
// 39794-5 ImageDataFormatCode).
const (
	ImageJPEG     = "image/jpeg"
	ImageJPEG2000 = "image/jp2"
)

// Face record formats a DG2 biometric data block may hold.
const (
	Format19794 = "ISO/IEC 19794-5"
	Format39794 = "ISO/IEC 39794-5"
)

// Face is the first facial image of DG2 with the metadata of its record.
// Biometric data: never log it.
type Face struct {
	Format        string // Format19794 or Format39794
	MIME          string // ImageJPEG or ImageJPEG2000
	Width, Height int
	// Gender in ISO/IEC 19794-5 codes: 0 unspecified, 1 male, 2 female,
	// 0xFF unknown (a 39794-5 "other" maps to 0xFF).
	Gender byte
	// EyeColour, HairColour, Expression and ImageType are the 19794-5
	// fields; a 39794-5 record leaves them 0 (its code lists differ).
	EyeColour  byte
	HairColour byte
	Expression uint16
	ImageType  byte // 0 basic, 1 full frontal, 2 token frontal
	Image      []byte
}

// ParseDG2 extracts the first face from DG2 (9303-10 §4.7.2): 75 → 7F61
// (biometric information group template) → 7F60 → 5F2E or 7F2E
// (biometric data block). The block holds an ISO/IEC 19794-5:2005 facial
// record ("FAC\0"), or — in documents issued to Doc 9303 8th edition —
// an ISO/IEC 39794-5 FaceImageDataBlock in the tagged binary encoding
// (ICAO's 39794-5 Application Profile for eMRTDs, table 2: 7F2E → A1 → 65).
// Which one is read from the block itself, not from the header template's
// format type (0008 or 002A), which some issuers get wrong.
func ParseDG2(b []byte) (*Face, error) {
	v, ok := FindTLV(b, 0x75, 0x7F61, 0x7F60, 0x5F2E)
	if !ok {
		v, ok = FindTLV(b, 0x75, 0x7F61, 0x7F60, 0x7F2E)
	}
	if !ok {
		return nil, malformed("DG2: no biometric data block (75/7F61/7F60/5F2E or 7F2E)")
	}
	switch bdb := v.Value; {
	case bytes.HasPrefix(bdb, []byte("FAC\x00")):
		return parseFaceRecord(bdb)
	case len(bdb) > 0 && (bdb[0] == 0xA1 || bdb[0] == 0x65):
		return parseFace39794(bdb)
	}
	return nil, malformed("DG2: biometric data block is neither an ISO/IEC 19794-5 record nor an ISO/IEC 39794-5 block")
}

// parseFaceRecord reads an ISO/IEC 19794-5:2005 facial record: 14-byte
// general header, 20-byte facial information, feature points (8 bytes
// each), 12-byte image information, image data.
func parseFaceRecord(r []byte) (*Face, error) {
	if len(r) < 14+20+12 {
		return nil, malformed("DG2: truncated ISO/IEC 19794-5 facial record")
	}
	if binary.BigEndian.Uint16(r[12:14]) == 0 {
		return nil, malformed("DG2: record holds no face")
	}
	fi := r[14:]
	blockLen := int(binary.BigEndian.Uint32(fi[0:4]))
	points := int(binary.BigEndian.Uint16(fi[4:6]))
	f := &Face{Format: Format19794, Gender: fi[6], EyeColour: fi[7], HairColour: fi[8],
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
	mime, err := imageMIME(img, ii[1])
	if err != nil {
		return nil, err
	}
	f.MIME, f.Image = mime, img
	return f, nil
}

// imageMIME checks the image's signature against the record's image data
// type (19794-5: 0 JPEG, 1 JPEG 2000).
func imageMIME(img []byte, dataType byte) (string, error) {
	switch {
	case dataType == 0 && bytes.HasPrefix(img, []byte{0xFF, 0xD8}):
		return ImageJPEG, nil
	case dataType == 1 && (bytes.HasPrefix(img, []byte{0x00, 0x00, 0x00, 0x0C, 0x6A, 0x50}) ||
		bytes.HasPrefix(img, []byte{0xFF, 0x4F, 0xFF, 0x51})):
		return ImageJPEG2000, nil
	}
	return "", malformed("DG2: image data type %d without a JPEG/JPEG2000 signature", dataType)
}

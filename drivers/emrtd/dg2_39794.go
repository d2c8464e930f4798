package emrtd

// ISO/IEC 39794-5:2019 face image data, tagged binary encoding (ASN.1 with
// DEFINITIONS IMPLICIT TAGS, encoded in DER; the module is the one ICAO's
// 39794-5 Application Profile for eMRTDs publishes). The path to the image:
//
//	FaceImageDataBlock ::= [APPLICATION 5] SEQUENCE {             -- 65
//	  versionBlock [0] VersionBlock,                               -- A0
//	  representationBlocks [1] SEQUENCE SIZE(1) OF RepresentationBlock } -- A1 → 30
//	RepresentationBlock ::= SEQUENCE {
//	  representationId [0] INTEGER,                                -- 80
//	  imageRepresentation [1] CHOICE {                             -- A1 (a tagged CHOICE is explicit)
//	    base [0] CHOICE {                                          -- A0
//	      imageRepresentation2DBlock [0] SEQUENCE {                -- A0
//	        representationData2D [0] OCTET STRING,                 -- 80: the image
//	        imageInformation2DBlock [1] SEQUENCE {                 -- A1
//	          imageDataFormat [0] CHOICE { code [0] ENUMERATED … }, -- A0 → 80
//	          …
//	          imageSizeBlock [7] SEQUENCE { width [0], height [1] } OPTIONAL -- A7
//	  … identityMetadataBlock [8] SEQUENCE { gender [0] Gender … } OPTIONAL } -- A8
//
// In DG2 the block sits in the biometric data block 7F2E wrapped in A1
// (the Application Profile's table 2), which parseFace39794 also accepts
// absent.

// 39794-5 ImageDataFormatCode and GenderCode values (other (1) is left to
// the default of gender39794).
const (
	format39794JPEG             = 2
	format39794JPEG2000Lossy    = 3
	format39794JPEG2000Lossless = 4
	gender39794Male             = 2
	gender39794Female           = 3
)

func parseFace39794(b []byte) (*Face, error) {
	if b[0] == 0xA1 {
		t, ok := FindTLV(b, 0xA1)
		if !ok {
			return nil, malformed("DG2: ISO/IEC 39794-5: broken A1 wrapper")
		}
		b = t.Value
	}
	rep, ok := FindTLV(b, 0x65, 0xA1, 0x30)
	if !ok {
		return nil, malformed("DG2: ISO/IEC 39794-5: no FaceImageDataBlock representation block (65/A1/30)")
	}
	img2D, ok := FindTLV(rep.Value, 0xA1, 0xA0, 0xA0)
	if !ok {
		return nil, malformed("DG2: ISO/IEC 39794-5: no 2D image representation (A1/A0/A0)")
	}
	data, ok := FindTLV(img2D.Value, 0x80)
	if !ok || len(data.Value) == 0 {
		return nil, malformed("DG2: ISO/IEC 39794-5: no representationData2D")
	}
	info, ok := FindTLV(img2D.Value, 0xA1)
	if !ok {
		return nil, malformed("DG2: ISO/IEC 39794-5: no imageInformation2DBlock")
	}
	f := &Face{Format: Format39794, Image: data.Value}
	mime, err := mime39794(info.Value, data.Value)
	if err != nil {
		return nil, err
	}
	f.MIME = mime
	if size, ok := FindTLV(info.Value, 0xA7); ok {
		w, okW := intTLV(size.Value, 0x80, 0xFFFF)
		h, okH := intTLV(size.Value, 0x81, 0xFFFF)
		if !okW || !okH {
			return nil, malformed("DG2: ISO/IEC 39794-5: bad imageSizeBlock")
		}
		f.Width, f.Height = w, h
	}
	f.Gender = gender39794(rep.Value)
	return f, nil
}

// mime39794 checks the image's signature against imageDataFormat.
func mime39794(info, img []byte) (string, error) {
	code, ok := intTLVPath(info, 0xFF, 0xA0, 0x80)
	if !ok {
		return "", malformed("DG2: ISO/IEC 39794-5: no imageDataFormat code")
	}
	switch code {
	case format39794JPEG:
		return imageMIME(img, 0)
	case format39794JPEG2000Lossy, format39794JPEG2000Lossless:
		return imageMIME(img, 1)
	}
	return "", malformed("DG2: ISO/IEC 39794-5: image data format %d is neither JPEG nor JPEG 2000", code)
}

// gender39794 reads identityMetadataBlock's gender, either as the code
// ([0] GenderCode) or an extension block's fallback ([1] { [0] code }),
// and returns it in 19794-5 terms.
func gender39794(rep []byte) byte {
	code, ok := intTLVPath(rep, 0xFF, 0xA8, 0xA0, 0x80)
	if !ok {
		code, ok = intTLVPath(rep, 0xFF, 0xA8, 0xA0, 0xA1, 0x80)
	}
	switch {
	case !ok:
		return 0
	case code == gender39794Male:
		return 1
	case code == gender39794Female:
		return 2
	}
	return 0xFF // other (1) or a code this reader does not know
}

// intTLV reads the non-negative INTEGER or ENUMERATED value of tag in b,
// at most maxVal.
func intTLV(b []byte, tag uint32, maxVal int) (int, bool) {
	return intTLVPath(b, maxVal, tag)
}

func intTLVPath(b []byte, maxVal int, path ...uint32) (int, bool) {
	t, ok := FindTLV(b, path...)
	if !ok || len(t.Value) == 0 || len(t.Value) > 3 || t.Value[0]&0x80 != 0 {
		return 0, false
	}
	v := 0
	for _, c := range t.Value {
		v = v<<8 | int(c)
	}
	return v, v <= maxVal
}

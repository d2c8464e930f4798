package testpki

import (
	"bytes"
	"crypto/ecdsa"
	"encoding/asn1"
	"encoding/binary"
	"image"
	"image/color"
	"image/jpeg"
	"time"

	"github.com/kiosk06/kiosk/drivers/emrtd/pa"
)

// Citizen is the holder data printed on and stored in a CCCD.
type Citizen struct {
	ID           string    // 12-digit personal identification number
	OldID        string    // 9-digit CMND number, "" if none
	FullName     string    // Vietnamese, UTF-8, e.g. "Nguyễn Văn An"
	DateOfBirth  time.Time // date only
	Sex          string    // "Nam" or "Nữ"
	Nationality  string    // "Việt Nam"
	Ethnicity    string    // e.g. "Kinh"
	Religion     string    // e.g. "Không"
	Hometown     string
	Residence    string
	Marks        string    // identifying marks
	IssueDate    time.Time // date only
	DateOfExpiry time.Time // zero = no expiry ("Không thời hạn")
	Father       string
	Mother       string
	Spouse       string // "" if none
}

// DefaultCitizen is a fictional holder for tests.
func DefaultCitizen() Citizen {
	d := func(y int, m time.Month, day int) time.Time { return time.Date(y, m, day, 0, 0, 0, 0, time.UTC) }
	return Citizen{
		ID: "001099012345", OldID: "013456789", FullName: "Nguyễn Văn An",
		DateOfBirth: d(1999, time.March, 15), Sex: "Nam", Nationality: "Việt Nam",
		Ethnicity: "Kinh", Religion: "Không", Hometown: "Xã Đông Hội, Đông Anh, Hà Nội",
		Residence: "Số 12 Phố Hàng Bạc, Hàng Đào, Hoàn Kiếm, Hà Nội",
		Marks:     "Nốt ruồi C:2cm dưới sau mép trái", IssueDate: d(2024, time.January, 10), // within 2 years of the 25th birthday: valid to 40 (2014 law)
		DateOfExpiry: d(2039, time.March, 15), Father: "Nguyễn Văn Bình", Mother: "Trần Thị Cúc",
	}
}

// EF.COM: LDS 1.7, Unicode 4.0.0, tag list DG1, DG2, DG3, DG13, DG14, DG15
// (ICAO 9303-10 §4.6.1).
func efCOM() []byte {
	v := tlv([]byte{0x5F, 0x01}, []byte("0107"))
	v = append(v, tlv([]byte{0x5F, 0x36}, []byte("040000"))...)
	v = append(v, tlv([]byte{0x5C}, []byte{0x61, 0x75, 0x63, 0x6D, 0x6E, 0x6F})...)
	return tlv([]byte{0x60}, v)
}

// DG1 wraps the MRZ: 61 { 5F1F mrz } (ICAO 9303-10 §4.7.1).
func dg1(mrz [3]string) []byte {
	return tlv([]byte{0x61}, tlv([]byte{0x5F, 0x1F}, []byte(mrz[0]+mrz[1]+mrz[2])))
}

// faceJPEG draws a small deterministic grey portrait placeholder.
func faceJPEG(seed []byte) ([]byte, error) {
	const w, h = 60, 80
	img := image.NewGray(image.Rect(0, 0, w, h))
	var s byte
	for _, b := range seed {
		s += b
	}
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			dx, dy := x-w/2, y-h*2/5
			v := byte(40 + (x*2+y)%64 + int(s)%32)
			if dx*dx*16+dy*dy*9 < 20*20*16 { // an oval "face"
				v = 200 - byte((dx*dx+dy*dy)/8)
			}
			img.SetGray(x, y, color.Gray{Y: v})
		}
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: 75}); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// iso19794Face wraps a JPEG in an ISO/IEC 19794-5:2005 facial record: general
// header (§5.4), facial information (§5.5, no feature points) and image
// information (§5.7).
func iso19794Face(jpg []byte, width, height uint16) []byte {
	const facialHeader, imageInfo = 20, 12
	blockLen := uint32(facialHeader + imageInfo + len(jpg))
	var b []byte
	b = append(b, "FAC\x00010\x00"...)
	b = binary.BigEndian.AppendUint32(b, 14+blockLen) // record length
	b = binary.BigEndian.AppendUint16(b, 1)           // number of facial images
	b = binary.BigEndian.AppendUint32(b, blockLen)    // facial record data length
	b = binary.BigEndian.AppendUint16(b, 0)           // number of feature points
	b = append(b, 1, 0, 0)                            // gender male, eye colour, hair colour unspecified
	b = append(b, 0, 0, 0)                            // feature mask
	b = append(b, 0, 0)                               // expression unspecified
	b = append(b, 0, 0, 0, 0, 0, 0)                   // pose angle + uncertainty
	b = append(b, 1, 0)                               // face image type full frontal, data type JPEG
	b = binary.BigEndian.AppendUint16(b, width)
	b = binary.BigEndian.AppendUint16(b, height)
	b = append(b, 1, 2)                     // colour space sRGB, source type digital still
	b = binary.BigEndian.AppendUint16(b, 0) // device type
	b = binary.BigEndian.AppendUint16(b, 0) // quality
	return append(b, jpg...)
}

// DG2: 75 { 7F61 { 02 count, 7F60 { A1 BHT, 5F2E record } } } (ICAO 9303-10
// §4.7.2, biometric header template of ISO/IEC 7816-11).
func dg2(jpg []byte) []byte {
	bht := tlv([]byte{0x80}, []byte{0x01, 0x01})                // ICAO header version
	bht = append(bht, tlv([]byte{0x81}, []byte{0x02})...)       // biometric type: facial features
	bht = append(bht, tlv([]byte{0x87}, []byte{0x01, 0x01})...) // format owner: ISO/IEC JTC1 SC37
	bht = append(bht, tlv([]byte{0x88}, []byte{0x00, 0x08})...) // format type: face image
	bit := append(tlv([]byte{0xA1}, bht), tlv([]byte{0x5F, 0x2E}, iso19794Face(jpg, 60, 80))...)
	group := append(tlv([]byte{0x02}, []byte{1}), tlv([]byte{0x7F, 0x60}, bit)...)
	return tlv([]byte{0x75}, tlv([]byte{0x7F, 0x61}, group))
}

var oidDG13 = asn1.ObjectIdentifier{1, 0, 10646, 1, 0, 8}

func ddmmyyyy(t time.Time) string { return t.Format("02/01/2006") }

// dg13Field encodes SEQUENCE { INTEGER n, UTF8String v… }.
func dg13Field(n int, values ...string) []byte {
	body, _ := asn1.Marshal(n) // an int always marshals
	for _, v := range values {
		s, _ := asn1.MarshalWithParams(v, "utf8")
		body = append(body, s...)
	}
	return tlv([]byte{0x30}, body)
}

// DG13 builds the Vietnamese citizen data group (design.md §4): 6D {
// SEQUENCE { INTEGER 1, OID 1.0.10646.1.0.8, SET { fields 1..15 } } }.
// Fields are in ascending number order (as on issued cards); 14 and 15 are
// omitted when empty.
func DG13(c Citizen) []byte {
	exp := "Không thời hạn"
	if !c.DateOfExpiry.IsZero() {
		exp = ddmmyyyy(c.DateOfExpiry)
	}
	fields := [][]byte{
		dg13Field(1, c.ID), dg13Field(2, c.FullName), dg13Field(3, ddmmyyyy(c.DateOfBirth)),
		dg13Field(4, c.Sex), dg13Field(5, c.Nationality), dg13Field(6, c.Ethnicity),
		dg13Field(7, c.Religion), dg13Field(8, c.Hometown), dg13Field(9, c.Residence),
		dg13Field(10, c.Marks), dg13Field(11, ddmmyyyy(c.IssueDate)), dg13Field(12, exp),
		dg13Field(13, c.Father, c.Mother),
	}
	if c.Spouse != "" {
		fields = append(fields, dg13Field(14, c.Spouse))
	}
	if c.OldID != "" {
		fields = append(fields, dg13Field(15, c.OldID))
	}
	ver, _ := asn1.Marshal(1)
	oid, _ := asn1.Marshal(oidDG13)
	body := append(append(ver, oid...), tlv([]byte{0x31}, bytes.Join(fields, nil))...)
	return tlv([]byte{0x6D}, tlv([]byte{0x30}, body))
}

// Security info OIDs (BSI TR-03110-3 §A.1.1, ICAO 9303-11 §9.2).
var (
	// OIDPACEECDHGMAES128 is id-PACE-ECDH-GM-AES-CBC-CMAC-128.
	OIDPACEECDHGMAES128 = asn1.ObjectIdentifier{0, 4, 0, 127, 0, 7, 2, 2, 4, 2, 2}
	// OIDPACEECDHGM3DES is id-PACE-ECDH-GM-3DES-CBC-CBC.
	OIDPACEECDHGM3DES = asn1.ObjectIdentifier{0, 4, 0, 127, 0, 7, 2, 2, 4, 2, 1}
	// OIDPKECDH is id-PK-ECDH (ChipAuthenticationPublicKeyInfo.protocol).
	OIDPKECDH = asn1.ObjectIdentifier{0, 4, 0, 127, 0, 7, 2, 2, 1, 2}
	// OIDCAECDHAESCBCCMAC128 is id-CA-ECDH-AES-CBC-CMAC-128.
	OIDCAECDHAESCBCCMAC128 = asn1.ObjectIdentifier{0, 4, 0, 127, 0, 7, 2, 2, 3, 2, 2}
	// OIDTA is id-TA (TerminalAuthenticationInfo.protocol).
	OIDTA = asn1.ObjectIdentifier{0, 4, 0, 127, 0, 7, 2, 2, 2}
	// OIDAA is id-icao-mrtd-security-aaProtocolObject (ActiveAuthenticationInfo).
	OIDAA = asn1.ObjectIdentifier{2, 23, 136, 1, 1, 5}
)

// paramBrainpoolP256r1 is the standardized domain parameter ID of
// brainpoolP256r1 (9303-11 §9.5.1, table 6).
const paramBrainpoolP256r1 = 13

// paceInfo is a PACEInfo (9303-11 §9.2.1): version 2, parameter ID.
func paceInfo(oid asn1.ObjectIdentifier, paramID int) []byte {
	b, _ := asn1.Marshal(struct {
		Protocol    asn1.ObjectIdentifier
		Version     int
		ParameterID int
	}{oid, 2, paramID}) // always encodes
	return b
}

func versionInfo(oid asn1.ObjectIdentifier, version int) []byte {
	b, _ := asn1.Marshal(struct {
		Protocol asn1.ObjectIdentifier
		Version  int
	}{oid, version}) // always encodes
	return b
}

// cardAccessInfos are the SecurityInfos of EF.CardAccess, shaped like the
// CCCD's (design §4): PACE v2 ECDH-GM AES-128 on brainpoolP256r1, Chip
// Authentication ECDH AES-128 v1, Terminal Authentication v1.
func cardAccessInfos() [][]byte {
	return [][]byte{
		paceInfo(OIDPACEECDHGMAES128, paramBrainpoolP256r1),
		versionInfo(OIDCAECDHAESCBCCMAC128, 1),
		versionInfo(OIDTA, 1),
	}
}

// efCardAccess is EF.CardAccess: a DER SET OF SecurityInfo (9303-11 §9.2).
func efCardAccess(infos [][]byte) []byte { return tlv([]byte{0x31}, derSetContent(infos)) }

// tamperedCardAccess is EF.CardAccess rewritten to steer PACE to 3DES: what
// a relay downgrading the session would present. DG14 still carries the
// genuine PACEInfo.
func tamperedCardAccess() []byte {
	infos := cardAccessInfos()
	infos[0] = paceInfo(OIDPACEECDHGM3DES, paramBrainpoolP256r1)
	return efCardAccess(infos)
}

// dg14 builds 6E { SET OF SecurityInfo }: every SecurityInfo of
// EF.CardAccess (9303-11 §9.2, 9303-10 §4.7.14: DG14 signs them), the
// ChipAuthenticationPublicKeyInfo (id-PK-ECDH, explicit brainpoolP256r1
// key) and, for an ECDSA AA key, ActiveAuthenticationInfo (version 1,
// ecdsa-with-SHA256).
func dg14(caPub *ecdsa.PublicKey, ecdsaAA bool) ([]byte, error) {
	spki, err := ECPublicKeyInfo(caPub, true)
	if err != nil {
		return nil, err
	}
	pk, err := asn1.Marshal(struct {
		Protocol asn1.ObjectIdentifier
		Key      asn1.RawValue
	}{OIDPKECDH, asn1.RawValue{FullBytes: spki}})
	if err != nil {
		return nil, err
	}
	elems := append(cardAccessInfos(), pk)
	if ecdsaAA {
		aa, err := asn1.Marshal(struct {
			Protocol asn1.ObjectIdentifier
			Version  int
			SigAlg   asn1.ObjectIdentifier
		}{OIDAA, 1, pa.OIDECDSAWithSHA256})
		if err != nil {
			return nil, err
		}
		elems = append(elems, aa)
	}
	return tlv([]byte{0x6E}, tlv([]byte{0x31}, derSetContent(elems))), nil
}

// dg15 wraps the AA public key: 6F { SubjectPublicKeyInfo } (ICAO 9303-10 §4.7.15).
func dg15(spki []byte) []byte { return tlv([]byte{0x6F}, spki) }

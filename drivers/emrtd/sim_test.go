package emrtd_test

import (
	"bytes"
	"context"
	"crypto"
	"crypto/rsa"
	"crypto/x509"
	"encoding/asn1"
	"encoding/pem"
	"errors"
	"io"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/ProtonMail/go-crypto/brainpool"
	"github.com/kiosk06/kiosk/drivers/emrtd"
	"github.com/kiosk06/kiosk/drivers/emrtd/emrtdsim"
	"github.com/kiosk06/kiosk/drivers/nfc"
)

// testAAKeyPEM is a throwaway 2048-bit RSA key for the virtual chip's
// Active Authentication (test data only).
const testAAKeyPEM = `
-----BEGIN RSA PRIVATE KEY-----
MIIEoQIBAAKCAQEA1j1VbcmN056Eqdg2xgm3X4UUbISYfy6pSe8yaFGR5T/9bia9
wdw/g43caQ9ez462pdTbYaeZI3H7rKe0QeRRRczxzaIgAf/TxQGfL1FwJZKGWcEI
DlHvIKGAV65ujPfkkcHRBaCdZMA7/r80AacrR5V9ri8reDd5tSWPIvS0cKIP/yve
TYBK3pFEgIE0uTaAECR0xaA8naSA8Ov+6aFK1dbEaLPnUhzPByPL3TbPj0k6LjqT
/n30fmO423fri8yY0xjw0chB4Ewjh8oXbi2DeTnYiyx0dEJNaBOqGEyaVqbLLnTz
8ZDrzmSJMNxwaoce0yb7Uqr++wA37DN3yI4lDwIDAQABAoH/B/M+uFRCbxfy1Fqx
raeuplzJ5T0Ga7HPlm7J8BUW1OsK/Itzfz4tHTSmeT+YxRsGrCC6A2W0yRvxuvZ+
OfO/EFgKoRbjGS/lK+pjfd4Hy10knzAKnH1t4kgb+yT99T09virzFsJfFN4NW+a8
h1Msx/tELrKRamSkn5RFO4bZK1TG2pzVYS9h5pDaefztiEC8if1fd5o9Q26CNSo4
iq88ni9UAPfiCRAZcwvcbC/Z/5X0MTnf7p2qlGcDIoJJCM/JFygZxE12h656vZKv
kQTH8tVNzgZHlS9yUvgoQywVlEhv2t/PqJIn9pkiA3kZFfDvxohKwTjERpX1N4nF
Wyh9AoGBAPenzd0sRxAimXAedXgLGKVDYetLUwdR8InyuXn3AXKxePRkI7JOpTNa
VAVEBvjrdfwv3VsnuU/y+U487DXGeoRKfhF2V9LuudqE8OXmPcA11JLmAGBL4pIW
FYr1rJ8+76V5D74KyGT0EeEhuuSyZ4kE96LcOdPXU1LyXG5mZ3GzAoGBAN11S3qZ
/EXlyI/flQz6Fp0KCEdFEb+laUQUd9A4it13UcrvGf8E7T0HMzM5lD1vnqJKW2p4
tIRTq06rcup/Vu7ADvxeC+y3x+zLilYxlY5AUP6O2PZRvUHNhVxCKtleqTzwYLvB
iiedk28nOXypmD8f3K8KSCs1H9zRhoV/Ank1AoGAWUDFpZcmiT8e81RW24uMN0tA
h+8enj2+pcivZbBKek5RnCpW3xUO3qIIM9mfdahOXjPV39tCIvkbNkIokvzT/Mdo
Bd0Tq7ZTjthohUJkMNh1ovd3XT0cC7Af1XPS4ZVqAsXNkZ0LOa7onq1sUK2nOK9s
m+oogRtSMUudWkBXuZcCgYAnJo9bc1GYAdF9LeepzaSlyppAD0Pd/54mfP/ZfcV+
9ZMuLysHXJWcTmOM0McWPV9sDX0vy3sOUcRdOg4syqpRtv5vOykchjj/8dPY/RcV
eOVYu2Q716N/uJe1AbWVjBibP1u6lbKY4lCoO+T71velYTqgb07m5JNndFs1yohj
aQKBgQDDK7Tke+/9+5zbqaFIasZdseBSGtqY+KCQ7j2keInKqh1DS6PDFb1OgWp6
neZt1FjVl1u0yPKLjPwBQm1ZMJaSbpnA3JHewRuYLEOsmtaO0rlzIWLDyRSHNr2k
DzdxFwX4r+74ZP8XkZCXpNxL9N0sfHdiV42IWIr9K9uWpvKMqA==
-----END RSA PRIVATE KEY-----
`

// seeded is a deterministic random stream.
func seeded(seed uint64) io.Reader {
	return rand.NewChaCha8([32]byte{byte(seed), byte(seed >> 8), 'e', 'm', 'r', 't', 'd'})
}

func testRSAKey(t testing.TB) *rsa.PrivateKey {
	t.Helper()
	blk, _ := pem.Decode([]byte(strings.TrimSpace(testAAKeyPEM)))
	if blk == nil {
		t.Fatal("bad test key PEM")
		return nil
	}
	k, err := x509.ParsePKCS1PrivateKey(blk.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// Test card data (fictitious person).
const (
	testCAN = "123456"
	testDoc = "001123456"
	testDOB = "900101"
	testExp = "300101"
	testMRZ = "IDVNM0011234567001001123456<<<" + "9001017M3001017VNM<<<<<<<<<<<2" + "NGUYEN<<VAN<A<<<<<<<<<<<<<<<<<"
)

var goodKey = emrtd.AccessKey{CAN: testCAN, DocumentNumber: testDoc, DateOfBirth: testDOB, DateOfExpiry: testExp}

// cccd builds a CCCD-shaped virtual chip; mutate adjusts its config.
func cccd(t testing.TB, mutate func(*emrtdsim.Options)) *emrtdsim.Chip {
	t.Helper()
	rnd := seeded(1)
	caKey, err := emrtdsim.GenerateECKey(nil, rnd)
	if err != nil {
		t.Fatal(err)
	}
	aaKey := testRSAKey(t)
	dg14, err := emrtdsim.EncodeDG14(caKey.Public())
	if err != nil {
		t.Fatal(err)
	}
	dg15, err := emrtdsim.EncodeDG15(&aaKey.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	jpeg := append([]byte{0xFF, 0xD8, 0xFF, 0xE0}, bytes.Repeat([]byte{0x42}, 3000)...)
	jpeg = append(jpeg, 0xFF, 0xD9)
	cfg := &emrtdsim.Options{
		Files: map[uint16][]byte{
			emrtd.FileCardAccess: emrtdsim.CardAccessCCCD(),
			emrtd.FileCOM:        emrtdsim.EncodeCOM([]byte{0x61, 0x75, 0x63, 0x6D, 0x6E, 0x6F}),
			emrtd.DGFile(1):      emrtdsim.EncodeDG1(testMRZ),
			emrtd.DGFile(2):      emrtdsim.EncodeDG2(jpeg, 0, 480, 640),
			emrtd.DGFile(3):      emrtd.EncodeTLV(0x63, []byte{1, 2, 3}),
			emrtd.DGFile(13):     emrtd.EncodeTLV(0x6D, bytes.Repeat([]byte{0x30}, 600)),
			emrtd.DGFile(14):     dg14,
			emrtd.DGFile(15):     dg15,
			emrtd.FileSOD:        emrtd.EncodeTLV(0x77, bytes.Repeat([]byte{0x55}, 1800)),
		},
		Denied:       []uint16{emrtd.DGFile(3)},
		CAN:          testCAN,
		MRZ:          &emrtdsim.MRZ{DocumentNumber: testDoc, DateOfBirth: testDOB, DateOfExpiry: testExp},
		CAKey:        caKey,
		AAKey:        aaKey,
		SelectMF6D00: true,
		Rand:         seeded(2),
	}
	if mutate != nil {
		mutate(cfg)
	}
	chip, err := emrtdsim.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return chip
}

func open(t testing.TB, chip *emrtdsim.Chip, key emrtd.AccessKey, opt emrtd.Options) (*emrtd.Session, error) {
	t.Helper()
	if opt.Rand == nil {
		opt.Rand = seeded(3)
	}
	return emrtd.Open(context.Background(), emrtdsim.Card(chip), key, opt)
}

func mustOpen(t testing.TB, chip *emrtdsim.Chip, key emrtd.AccessKey, opt emrtd.Options) *emrtd.Session {
	t.Helper()
	s, err := open(t, chip, key, opt)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	return s
}

func TestOpenMethods(t *testing.T) {
	noCardAccess := func(c *emrtdsim.Options) { delete(c.Files, emrtd.FileCardAccess) }
	for _, tc := range []struct {
		name   string
		mutate func(*emrtdsim.Options)
		key    emrtd.AccessKey
		want   emrtd.Method
	}{
		{"PACE with CAN", nil, emrtd.AccessKey{CAN: testCAN}, emrtd.MethodPACECAN},
		{"PACE with MRZ", nil, emrtd.AccessKey{DocumentNumber: testDoc, DateOfBirth: testDOB, DateOfExpiry: testExp}, emrtd.MethodPACEMRZ},
		{"CAN preferred", nil, goodKey, emrtd.MethodPACECAN},
		{"wrong CAN falls back to MRZ", nil, emrtd.AccessKey{CAN: "999999", DocumentNumber: testDoc, DateOfBirth: testDOB, DateOfExpiry: testExp}, emrtd.MethodPACEMRZ},
		{"BAC-only chip", noCardAccess, goodKey, emrtd.MethodBAC},
		{"SELECT MF accepted", func(c *emrtdsim.Options) { c.SelectMF6D00 = false }, goodKey, emrtd.MethodPACECAN},
		{"chip requires the parameter ID", func(c *emrtdsim.Options) { c.RequireParamID = true }, goodKey, emrtd.MethodPACECAN},
		{"EF.CardAccess by SFI only", func(c *emrtdsim.Options) { c.CardAccessBySFIOnly = true }, goodKey, emrtd.MethodPACECAN},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := mustOpen(t, cccd(t, tc.mutate), tc.key, emrtd.Options{})
			if s.Method() != tc.want {
				t.Errorf("method %s, want %s", s.Method(), tc.want)
			}
			dg1, err := s.ReadFile(context.Background(), emrtd.DGFile(1), nil)
			if err != nil {
				t.Fatalf("read DG1: %v", err)
			}
			mrz, err := emrtd.ParseDG1(dg1)
			if err != nil || mrz != testMRZ {
				t.Errorf("DG1 MRZ mismatch (err %v)", err)
			}
		})
	}
}

func TestOpenWrongKey(t *testing.T) {
	for _, tc := range []struct {
		name   string
		mutate func(*emrtdsim.Options)
		key    emrtd.AccessKey
		want   error
	}{
		{"wrong CAN", nil, emrtd.AccessKey{CAN: "000000"}, emrtd.ErrWrongKey},
		{"wrong MRZ over PACE and BAC", nil, emrtd.AccessKey{DocumentNumber: "000000000", DateOfBirth: testDOB, DateOfExpiry: testExp}, emrtd.ErrWrongKey},
		{"wrong MRZ BAC-only", func(c *emrtdsim.Options) { delete(c.Files, emrtd.FileCardAccess) },
			emrtd.AccessKey{DocumentNumber: "000000000", DateOfBirth: testDOB, DateOfExpiry: testExp}, emrtd.ErrWrongKey},
		{"CAN only on a BAC-only chip", func(c *emrtdsim.Options) { delete(c.Files, emrtd.FileCardAccess) },
			emrtd.AccessKey{CAN: testCAN}, emrtd.ErrUnsupported},
		{"no key", nil, emrtd.AccessKey{}, emrtd.ErrNoAccessKey},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := open(t, cccd(t, tc.mutate), tc.key, emrtd.Options{})
			if !errors.Is(err, tc.want) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
		})
	}
}

func TestNotEMRTD(t *testing.T) {
	// A card that knows no command at all (e.g. a transit card).
	_, err := emrtd.Open(context.Background(), emrtdsim.Card(deadCard{}), goodKey, emrtd.Options{Rand: seeded(3)})
	if !errors.Is(err, emrtd.ErrNotEMRTD) {
		t.Fatalf("err = %v, want ErrNotEMRTD", err)
	}
}

type deadCard struct{}

func (deadCard) Info() nfc.CardInfo          { return nfc.CardInfo{Type: nfc.TypeA} }
func (deadCard) Transmit(apdu []byte) []byte { return []byte{0x6D, 0x00} }
func (deadCard) Reset()                      {}

func TestReadLDS(t *testing.T) {
	ctx := context.Background()
	s := mustOpen(t, cccd(t, nil), goodKey, emrtd.Options{})
	com, err := s.ReadFile(ctx, emrtd.FileCOM, nil)
	if err != nil {
		t.Fatal(err)
	}
	c, err := emrtd.ParseCOM(com)
	if err != nil || c.LDSVersion != "0107" || !bytes.Equal(c.Tags, []byte{0x61, 0x75, 0x63, 0x6D, 0x6E, 0x6F}) {
		t.Errorf("EF.COM = %+v, %v", c, err)
	}
	var calls, lastDone, lastTotal int
	dg2, err := s.ReadFile(ctx, emrtd.DGFile(2), func(done, total int) { calls++; lastDone, lastTotal = done, total })
	if err != nil {
		t.Fatal(err)
	}
	if lastDone != len(dg2) || lastTotal != len(dg2) || calls < len(dg2)/emrtd.DefaultMaxLe {
		t.Errorf("progress: %d calls, last %d/%d for %d bytes", calls, lastDone, lastTotal, len(dg2))
	}
	face, err := emrtd.ParseDG2(dg2)
	if err != nil {
		t.Fatal(err)
	}
	if face.MIME != emrtd.ImageJPEG || face.Width != 480 || face.Height != 640 || len(face.Image) != 3006 {
		t.Errorf("face %s %dx%d %d bytes", face.MIME, face.Width, face.Height, len(face.Image))
	}
	ca := s.CardAccess()
	if ca == nil || len(ca.PACE) != 1 || ca.PACE[0].ParameterID != 13 || len(ca.CA) != 1 || len(ca.TA) != 1 {
		t.Errorf("EF.CardAccess = %+v", ca)
	}
	if st := s.Stats(); st.APDUs == 0 || st.BytesRecv < len(dg2) {
		t.Errorf("stats %+v", st)
	}
}

// tapCard records the last raw response of a card.
type tapCard struct {
	nfc.Card
	last []byte
}

func (c *tapCard) Transmit(ctx context.Context, apdu []byte) ([]byte, error) {
	r, err := c.Card.Transmit(ctx, apdu)
	c.last = bytes.Clone(r)
	return r, err
}

// TestStatusWordsInsideSM: a refusal (6982 for DG3, 6A82 for a missing
// file) inside secure messaging. ICAO Doc 9303-11 protects it like any
// response (§9.8.4, DO'99' then DO'8E'); only the SM errors 6987/6988 are
// plain and end the session (§9.8.5). Chips that answer refusals plain —
// ending the session, or keeping it with or without counting the response
// in the SSC — are read too: the terminal recovers the SSC or
// re-establishes the session, and every refusal stays a typed error.
func TestStatusWordsInsideSM(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		mode        emrtdsim.SMErrorMode
		bac         bool // a BAC-only chip: the session is re-established by BAC
		wantReopens int
	}{
		{emrtdsim.SMErrorsProtected, false, 0},
		{emrtdsim.SMErrorsPlainCountSSC, false, 1},   // only two refusals in a row cost a reopen
		{emrtdsim.SMErrorsPlainEndSession, false, 4}, // every command after a refusal
		{emrtdsim.SMErrorsPlainKeepSSC, false, 4},    // every command after a refusal
		{emrtdsim.SMErrorsPlainEndSession, true, 4},
	} {
		name := tc.mode.String()
		if tc.bac {
			name += ", BAC"
		}
		t.Run(name, func(t *testing.T) {
			chip := cccd(t, func(c *emrtdsim.Options) {
				c.SMErrors = tc.mode
				if tc.bac {
					delete(c.Files, emrtd.FileCardAccess)
				}
			})
			tap := &tapCard{Card: emrtdsim.Card(chip)}
			s, err := emrtd.Open(ctx, tap, goodKey, emrtd.Options{Rand: seeded(3)})
			if err != nil {
				t.Fatal(err)
			}
			refused := func(fid uint16, sw uint16, want error) {
				t.Helper()
				_, err := s.ReadFile(ctx, fid, nil)
				var se *emrtd.StatusError
				if !errors.Is(err, want) || errors.Is(err, emrtd.ErrSecureMessaging) || !errors.As(err, &se) || se.SW != sw {
					t.Fatalf("read %04X: err = %v, want status %04X", fid, err, sw)
				}
				raw := tap.last
				plain := len(raw) == 2
				if plain != (tc.mode != emrtdsim.SMErrorsProtected) {
					t.Errorf("read %04X: response %X", fid, raw)
				}
				// §9.8.4: DO'99' with the status, DO'8E' with the MAC, SW.
				if !plain && (len(raw) != 16 || raw[0] != 0x99 || raw[1] != 2 || raw[4] != 0x8E ||
					uint16(raw[2])<<8|uint16(raw[3]) != sw || uint16(raw[14])<<8|uint16(raw[15]) != sw) {
					t.Errorf("read %04X: protected response %X", fid, raw)
				}
			}
			read := func(fid uint16) []byte {
				t.Helper()
				b, err := s.ReadFile(ctx, fid, nil)
				if err != nil {
					t.Fatalf("read %04X: %v", fid, err)
				}
				return b
			}
			refused(emrtd.DGFile(3), 0x6982, emrtd.ErrAccessDenied)
			if _, err := emrtd.ParseDG1(read(emrtd.DGFile(1))); err != nil {
				t.Fatal(err)
			}
			refused(emrtd.DGFile(4), 0x6A82, emrtd.ErrFileNotFound)
			refused(emrtd.DGFile(5), 0x6A82, emrtd.ErrFileNotFound)
			if err := s.ChipAuthenticate(ctx, read(emrtd.DGFile(14))); err != nil {
				t.Fatalf("CA: %v", err)
			}
			refused(emrtd.DGFile(3), 0x6982, emrtd.ErrAccessDenied)
			read(emrtd.DGFile(1))
			if want := map[bool]emrtd.Method{false: emrtd.MethodPACECAN, true: emrtd.MethodBAC}[tc.bac]; s.Method() != want {
				t.Errorf("method %s, want %s", s.Method(), want)
			}
			if got := s.Stats().Reopens; got != tc.wantReopens {
				t.Errorf("sessions re-established: %d, want %d", got, tc.wantReopens)
			}
		})
	}
}

// SM errors (ICAO Doc 9303-11 §9.8.5): a command whose MAC the chip cannot
// verify gets a plain 6988 and the chip deletes its session keys; the
// terminal re-establishes the session for the next read.
func TestSMErrorEndsSession(t *testing.T) {
	ctx := context.Background()
	s := mustOpen(t, cccd(t, nil), goodKey, emrtd.Options{})
	// A command protected with a wrong MAC: flip the SSC the terminal uses.
	_, _, ssc := s.SessionKeys()
	ssc[len(ssc)-1] ^= 0x40
	_, sw, err := s.TransmitForTest(ctx, 0, 0xA4, 0x02, 0x0C, []byte{0x01, 0x01}, 0)
	if sw != 0x6988 || !errors.Is(err, emrtd.ErrSecureMessaging) {
		t.Fatalf("bad MAC: SW %04X, err %v; want plain 6988", sw, err)
	}
	if b, err := s.ReadFile(ctx, emrtd.DGFile(1), nil); err != nil || len(b) == 0 {
		t.Fatalf("read after the SM error: %v", err)
	}
	if got := s.Stats().Reopens; got != 1 {
		t.Errorf("sessions re-established: %d, want 1", got)
	}
}

func TestChipAuthentication(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name   string
		mutate func(*emrtdsim.Options)
		want   error
	}{
		{"genuine", nil, nil},
		{"clone without the CA key", func(c *emrtdsim.Options) { c.CAKey = nil }, emrtd.ErrChipAuthentication},
		{"genuine after BAC", func(c *emrtdsim.Options) { delete(c.Files, emrtd.FileCardAccess) }, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := mustOpen(t, cccd(t, tc.mutate), goodKey, emrtd.Options{})
			dg14, err := s.ReadFile(ctx, emrtd.DGFile(14), nil)
			if err != nil {
				t.Fatal(err)
			}
			err = s.ChipAuthenticate(ctx, dg14)
			if !errors.Is(err, tc.want) {
				t.Fatalf("CA: err = %v, want %v", err, tc.want)
			}
			if tc.want != nil {
				return
			}
			_, _, ssc := s.SessionKeys()
			if len(ssc) != 16 {
				t.Errorf("SSC after CA is %d bytes, want AES (16)", len(ssc))
			}
			if _, err := s.ReadFile(ctx, emrtd.DGFile(1), nil); err != nil {
				t.Fatalf("read after CA: %v", err)
			}
		})
	}
}

// TestActiveAuthentication: RSA takes its hash from the ISO/IEC 9796-2
// trailer; ECDSA uses the one DG14's ActiveAuthenticationInfo names
// (9303-11 §6.1) and no other.
func TestActiveAuthentication(t *testing.T) {
	ctx := context.Background()
	ecKey, err := emrtdsim.GenerateECKey(brainpool.P256r1(), seeded(9))
	if err != nil {
		t.Fatal(err)
	}
	ecDG15, err := emrtdsim.EncodeDG15(ecKey.Public())
	if err != nil {
		t.Fatal(err)
	}
	var (
		ecdsaWithSHA256  = asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 2}
		ecdsaPlainSHA384 = asn1.ObjectIdentifier{0, 4, 0, 127, 0, 7, 1, 1, 4, 1, 4}
	)
	// ecdsa makes the chip's AA key ECDSA with DG14 naming sigAlg (none
	// when nil) and the chip signing with hash (DG14's when 0).
	ecdsa := func(sigAlg asn1.ObjectIdentifier, hash crypto.Hash) func(*emrtdsim.Options) {
		return func(c *emrtdsim.Options) {
			c.AAKey, c.AAHash = ecKey, hash
			c.Files[emrtd.DGFile(15)] = ecDG15
			var more [][]byte
			if sigAlg != nil {
				more = append(more, emrtdsim.SecurityInfoAA(sigAlg))
			}
			dg14, err := emrtdsim.EncodeDG14(c.CAKey.Public(), more...)
			if err != nil {
				t.Fatal(err)
			}
			c.Files[emrtd.DGFile(14)] = dg14
		}
	}
	for _, tc := range []struct {
		name   string
		mutate func(*emrtdsim.Options)
		want   error
	}{
		{"RSA ISO 9796-2", nil, nil},
		{"ECDSA ecdsa-with-SHA256", ecdsa(ecdsaWithSHA256, 0), nil},
		{"ECDSA ecdsa-plain-SHA384 (TR-03111)", ecdsa(ecdsaPlainSHA384, 0), nil},
		// The bug of issue 16: DG14 names SHA-256, the chip signs SHA-1.
		{"ECDSA signed with SHA-1, DG14 names SHA-256", ecdsa(ecdsaWithSHA256, crypto.SHA1), emrtd.ErrActiveAuthentication},
		{"ECDSA without ActiveAuthenticationInfo", ecdsa(nil, 0), emrtd.ErrUnsupported},
		{"RSA clone", func(c *emrtdsim.Options) { c.AAKey = nil }, emrtd.ErrActiveAuthentication},
		{"ECDSA clone", func(c *emrtdsim.Options) { ecdsa(ecdsaWithSHA256, 0)(c); c.AAKey = nil }, emrtd.ErrActiveAuthentication},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := mustOpen(t, cccd(t, tc.mutate), goodKey, emrtd.Options{})
			dg14, err := s.ReadFile(ctx, emrtd.DGFile(14), nil)
			if err != nil {
				t.Fatal(err)
			}
			dg15, err := s.ReadFile(ctx, emrtd.DGFile(15), nil)
			if err != nil {
				t.Fatal(err)
			}
			if err := s.ActiveAuthenticate(ctx, dg15, dg14); !errors.Is(err, tc.want) {
				t.Fatalf("AA: err = %v, want %v", err, tc.want)
			}
		})
	}
}

func TestCardRemovedMidRead(t *testing.T) {
	chip := cccd(t, func(c *emrtdsim.Options) { c.RemoveAfter = 15 })
	s := mustOpen(t, chip, goodKey, emrtd.Options{})
	_, err := s.ReadFile(context.Background(), emrtd.DGFile(2), nil)
	if !errors.Is(err, nfc.ErrCardRemoved) {
		t.Fatalf("err = %v, want nfc.ErrCardRemoved", err)
	}
	var se *emrtd.StepError
	if !errors.As(err, &se) || se.Protocol != "READ BINARY" {
		t.Errorf("err = %v, want a READ BINARY step error", err)
	}
}

func TestCardRemovedDuringPACE(t *testing.T) {
	chip := cccd(t, func(c *emrtdsim.Options) { c.RemoveAfter = 5 })
	if _, err := open(t, chip, goodKey, emrtd.Options{}); !errors.Is(err, nfc.ErrCardRemoved) {
		t.Fatalf("err = %v, want nfc.ErrCardRemoved", err)
	}
}

// Le adapts: a chip that refuses more than 100 bytes (6700), extended
// lengths, and odd-INS READ BINARY beyond offset 32767.
func TestReadBinaryLengths(t *testing.T) {
	ctx := context.Background()
	big := make([]byte, 40000)
	for i := range big {
		big[i] = byte(i * 7)
	}
	bigJPEG := append([]byte{0xFF, 0xD8}, big...)
	for _, tc := range []struct {
		name   string
		chipLe int
		maxLe  int
	}{
		{"chip limit 100", 100, 0},
		{"short Le 223", 0, 0},
		{"extended Le 4000", 0, 4000},
	} {
		t.Run(tc.name, func(t *testing.T) {
			chip := cccd(t, func(c *emrtdsim.Options) {
				c.MaxLe = tc.chipLe
				c.Files[emrtd.DGFile(2)] = emrtdsim.EncodeDG2(bigJPEG, 0, 10, 10)
			})
			s := mustOpen(t, chip, goodKey, emrtd.Options{MaxLe: tc.maxLe})
			dg2, err := s.ReadFile(ctx, emrtd.DGFile(2), nil)
			if err != nil {
				t.Fatal(err)
			}
			face, err := emrtd.ParseDG2(dg2)
			if err != nil || !bytes.Equal(face.Image, bigJPEG) {
				t.Fatalf("DG2 image mismatch (err %v)", err)
			}
		})
	}
}

// Every PACE ECDH-GM variant and standardized curve the chip may advertise.
func TestPACEVariants(t *testing.T) {
	for _, tc := range []struct {
		name  string
		oid   asn1.ObjectIdentifier
		param int
	}{
		{"3DES brainpoolP256r1", emrtd.OIDPACEECDHGM3DES, 13},
		{"AES-128 NIST P-256", emrtd.OIDPACEECDHGMAES128, 12},
		{"AES-128 NIST P-224", emrtd.OIDPACEECDHGMAES128, 10},
		{"AES-192 brainpoolP384r1", emrtd.OIDPACEECDHGMAES192, 16},
		{"AES-192 NIST P-384", emrtd.OIDPACEECDHGMAES192, 15},
		{"AES-256 brainpoolP512r1", emrtd.OIDPACEECDHGMAES256, 17},
		{"AES-256 NIST P-521", emrtd.OIDPACEECDHGMAES256, 18},
	} {
		t.Run(tc.name, func(t *testing.T) {
			chip := cccd(t, func(c *emrtdsim.Options) { c.Files[emrtd.FileCardAccess] = emrtdsim.CardAccess(tc.oid, tc.param) })
			s := mustOpen(t, chip, emrtd.AccessKey{CAN: testCAN}, emrtd.Options{})
			if s.Method() != emrtd.MethodPACECAN {
				t.Errorf("method %s", s.Method())
			}
			if _, err := s.ReadFile(context.Background(), emrtd.FileSOD, nil); err != nil {
				t.Fatalf("read SOD: %v", err)
			}
			if _, err := open(t, cccd(t, func(c *emrtdsim.Options) {
				c.Files[emrtd.FileCardAccess] = emrtdsim.CardAccess(tc.oid, tc.param)
				c.MRZ = nil
			}), emrtd.AccessKey{CAN: "654321"}, emrtd.Options{}); !errors.Is(err, emrtd.ErrWrongKey) {
				t.Errorf("wrong CAN: err = %v", err)
			}
		})
	}
}

func TestContextCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := emrtd.Open(ctx, emrtdsim.Card(cccd(t, nil)), goodKey, emrtd.Options{}); !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v", err)
	}
}

// BenchmarkFullSession: PACE-CAN (brainpoolP256r1) + read 4 KiB + CA, in
// process (CPU only, no link timing).
func BenchmarkFullSession(b *testing.B) {
	ctx := context.Background()
	chip := cccd(b, func(c *emrtdsim.Options) {
		c.Files[emrtd.DGFile(13)] = emrtd.EncodeTLV(0x6D, bytes.Repeat([]byte{0x30}, 4096-4))
	})
	var st emrtd.Stats
	b.ReportAllocs()
	for b.Loop() {
		chip.Reset()
		s, err := emrtd.Open(ctx, emrtdsim.Card(chip), emrtd.AccessKey{CAN: testCAN}, emrtd.Options{})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := s.ReadFile(ctx, emrtd.DGFile(13), nil); err != nil {
			b.Fatal(err)
		}
		dg14, err := s.ReadFile(ctx, emrtd.DGFile(14), nil)
		if err != nil {
			b.Fatal(err)
		}
		if err := s.ChipAuthenticate(ctx, dg14); err != nil {
			b.Fatal(err)
		}
		st = s.Stats()
	}
	b.ReportMetric(float64(st.APDUs), "APDUs/op")
	b.ReportMetric(float64(st.BytesSent+st.BytesRecv), "wirebytes/op")
}

// Chip Authentication with 3DES (MSE:Set KAT) and a DG14 key with explicit
// domain parameters and a key ID.
func TestChipAuthentication3DESExplicitParameters(t *testing.T) {
	ctx := context.Background()
	key, err := emrtdsim.GenerateECKey(brainpool.P256r1(), seeded(8))
	if err != nil {
		t.Fatal(err)
	}
	pkInfo, _ := asn1.Marshal(struct {
		Protocol asn1.ObjectIdentifier
		Key      asn1.RawValue
		KeyID    int
	}{emrtd.OIDPKECDH, asn1.RawValue{FullBytes: explicitSPKI(t, key.Public())}, 7})
	caInfo, _ := asn1.Marshal(struct {
		Protocol asn1.ObjectIdentifier
		Version  int
		KeyID    int
	}{emrtd.OIDCAECDH3DES, 1, 7})
	dg14 := emrtd.EncodeTLV(0x6E, emrtd.EncodeTLV(0x31, append(caInfo, pkInfo...)))
	for _, tc := range []struct {
		name string
		key  *emrtdsim.ECKey
		want error
	}{{"genuine", key, nil}, {"clone", nil, emrtd.ErrChipAuthentication}} {
		t.Run(tc.name, func(t *testing.T) {
			chip := cccd(t, func(c *emrtdsim.Options) { c.CAKey = tc.key; c.Files[emrtd.DGFile(14)] = dg14 })
			s := mustOpen(t, chip, goodKey, emrtd.Options{})
			if err := s.ChipAuthenticate(ctx, dg14); !errors.Is(err, tc.want) {
				t.Fatalf("CA: err = %v, want %v", err, tc.want)
			}
			if tc.want != nil {
				return
			}
			if _, _, ssc := s.SessionKeys(); len(ssc) != 8 {
				t.Errorf("SSC after 3DES CA is %d bytes", len(ssc))
			}
			if _, err := s.ReadFile(ctx, emrtd.DGFile(1), nil); err != nil {
				t.Fatalf("read after CA: %v", err)
			}
		})
	}
}

package vpcdsim

import "github.com/kiosk06/kiosk/drivers/nfc"

// ContactlessATR builds the ATR a PC/SC reader reports for an ISO/IEC
// 14443-4 card (PC/SC part 3 v2.01 §3.1.3.2.3, "ATR for contactless
// smart cards"):
//
//	3B 8n 80 01 T1..Tn TCK
//
// TS = 3B (direct convention); T0 = 8n (TD1 follows, n historical bytes);
// TD1 = 80 (TD2 follows, T=0); TD2 = 01 (T=1); TCK = XOR of T0..Tn.
// The historical bytes are, for Type A, those of the ATS (at most 15), and
// for Type B the application data (4 bytes) and protocol info (3 bytes) of
// the ATQB followed by MBLI<<4 (MBLI unknown here: 0).
func ContactlessATR(info nfc.CardInfo) []byte {
	var hist []byte
	switch info.Type {
	case nfc.TypeA:
		hist = atsHistorical(info.ATS)
	case nfc.TypeB:
		hist = atqbHistorical(info.ATQB)
	}
	if len(hist) > 15 {
		hist = hist[:15]
	}
	atr := []byte{0x3B, 0x80 | byte(len(hist)), 0x80, 0x01}
	atr = append(atr, hist...)
	var tck byte
	for _, b := range atr[1:] {
		tck ^= b
	}
	return append(atr, tck)
}

// atsHistorical returns the historical bytes of an ATS (ISO/IEC 14443-4
// §5.2.1): TL T0 [TA1] [TB1] [TC1] T1..Tk, as the card sends it and as
// nfc.CardInfo carries it (starting with the length byte TL). T0 b5, b6,
// b7 flag TA1, TB1, TC1. A malformed ATS has no historical bytes.
func atsHistorical(ats []byte) []byte {
	if len(ats) < 2 || int(ats[0]) > len(ats) || ats[0] < 2 {
		return nil
	}
	ats = ats[1:ats[0]] // T0 .. Tk
	pos := 1
	for _, bit := range []byte{0x10, 0x20, 0x40} {
		if ats[0]&bit != 0 {
			pos++
		}
	}
	if pos >= len(ats) {
		return nil
	}
	return ats[pos:]
}

// atqbHistorical returns the 8 ATR historical bytes for a Type B card from
// its ATQB (ISO/IEC 14443-3 §7.9: 50 PUPI(4) AppData(4) ProtInfo(3)
// [ext]); the leading 0x50 may be absent. Too short an ATQB gives none.
func atqbHistorical(atqb []byte) []byte {
	if len(atqb) >= 12 && atqb[0] == 0x50 {
		atqb = atqb[1:]
	}
	if len(atqb) < 11 {
		return nil
	}
	hist := make([]byte, 0, 8)
	hist = append(hist, atqb[4:8]...)  // application data
	hist = append(hist, atqb[8:11]...) // protocol info
	return append(hist, 0x00)          // MBLI<<4, unknown
}

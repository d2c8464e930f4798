package vietqr

import (
	"fmt"
	"strconv"
	"strings"
)

// Decode parses a VietQR payload. Tags may appear in any order, but 00 must
// be first and 63 last; every length is checked and errors carry the byte
// offset (*SyntaxError, unwrapping to ErrMalformed or ErrNotVietQR).
//
// When the payload is well formed but the CRC does not match, Decode returns
// the decoded Payment together with an error wrapping ErrCRC, so a
// technician tool can show what the payload claims.
func Decode(s string) (Payment, error) {
	var p Payment
	if len(s) > maxPayload {
		return p, synErr(maxPayload, "", "payload is %d bytes, more than %d", len(s), maxPayload)
	}
	fields, err := parseTLVs(s, 0, "")
	if err != nil {
		return p, err
	}
	if len(fields) == 0 || fields[0].ID != "00" {
		return p, synErr(0, "00", "payload format indicator must come first")
	}
	last := fields[len(fields)-1]
	if last.ID != "63" || len(last.Value) != 4 || !isHex(last.Value) {
		return p, synErr(last.off, "63", "the last data object must be the CRC: 63, length 04, four hex digits")
	}
	p.CRC = last.Value
	var has38 bool
	for _, f := range fields[:len(fields)-1] {
		if f.ID == "38" {
			has38 = true
		}
		if err := decodeTop(&p, f); err != nil {
			return Payment{}, err
		}
	}
	if !has38 {
		return Payment{}, &SyntaxError{Offset: 0, Tag: "38", Msg: "no NAPAS merchant account information", kind: ErrNotVietQR}
	}
	want := CRC16([]byte(s[:last.val]))
	if got, _ := strconv.ParseUint(last.Value, 16, 16); uint16(got) != want {
		return p, fmt.Errorf("%w: payload says %s, computed %04X (offset %d)", ErrCRC, strings.ToUpper(last.Value), want, last.val)
	}
	return p, nil
}

// CRCValid reports whether payload ends in a tag 63 that matches the CRC of
// everything before its value. It does not otherwise validate the payload.
func CRCValid(payload string) bool {
	if len(payload) < 8 || payload[len(payload)-8:len(payload)-4] != "6304" || !isHex(payload[len(payload)-4:]) {
		return false
	}
	got, _ := strconv.ParseUint(payload[len(payload)-4:], 16, 16)
	return uint16(got) == CRC16([]byte(payload[:len(payload)-4]))
}

func decodeTop(p *Payment, f field) error {
	v := f.Value
	switch f.ID {
	case "00":
		if f.off != 0 || v != "01" {
			return synErr(f.off, "00", "payload format indicator must be first and \"01\", got %q", v)
		}
	case "01":
		if v != "11" && v != "12" {
			return synErr(f.val, "01", "point of initiation %q (want 11 or 12)", v)
		}
		p.Dynamic = v == "12"
	case "38":
		return decodeNAPAS(p, f)
	case "52":
		if len(v) != 4 || !isDigits(v) {
			return synErr(f.val, "52", "merchant category code %q is not 4 digits", v)
		}
		p.MCC = v
	case "53":
		if len(v) != 3 || !isDigits(v) {
			return synErr(f.val, "53", "currency %q is not 3 digits", v)
		}
		p.Currency = v
	case "54":
		return decodeAmount(p, f)
	case "58":
		if len(v) != 2 {
			return synErr(f.val, "58", "country %q is not 2 characters", v)
		}
		p.Country = v
	case "59":
		p.Name = v
	case "60":
		p.City = v
	case "62":
		return decodeAdditional(p, f)
	case "63":
		return synErr(f.off, "63", "CRC must be the last data object")
	default:
		p.Extra = append(p.Extra, f.TLV)
	}
	return nil
}

func decodeAmount(p *Payment, f field) error {
	v := f.Value
	if len(v) > 13 || !isDigits(v) {
		return synErr(f.val, "54", "amount %q is not 1–13 digits (VND has no minor unit)", v)
	}
	n, _ := strconv.ParseInt(v, 10, 64)
	if n == 0 || v[0] == '0' {
		return synErr(f.val, "54", "amount %q must be positive without leading zeros", v)
	}
	p.Amount = n
	return nil
}

// decodeNAPAS parses tag 38: 00 GUID, 01 {00 BIN, 01 account}, 02 service.
func decodeNAPAS(p *Payment, f field) error {
	subs, err := parseTLVs(f.Value, f.val, "38")
	if err != nil {
		return err
	}
	got := map[string]field{}
	for _, s := range subs {
		got[s.ID] = s
	}
	guid, ok := got["00"]
	if !ok || guid.Value != GUID {
		return &SyntaxError{Offset: f.val, Tag: "38.00", Msg: fmt.Sprintf("GUID %q is not NAPAS %s", guid.Value, GUID), kind: ErrNotVietQR}
	}
	bank, ok := got["01"]
	if !ok {
		return synErr(f.val, "38.01", "missing beneficiary organisation")
	}
	if err := decodeBeneficiary(p, bank); err != nil {
		return err
	}
	svc, ok := got["02"]
	if !ok {
		return synErr(f.val, "38.02", "missing service code")
	}
	if Service(svc.Value) != ServiceAccount && Service(svc.Value) != ServiceCard {
		return synErr(svc.val, "38.02", "service code %q (want QRIBFTTA or QRIBFTTC)", svc.Value)
	}
	p.Service = Service(svc.Value)
	return nil
}

func decodeBeneficiary(p *Payment, f field) error {
	subs, err := parseTLVs(f.Value, f.val, "38.01")
	if err != nil {
		return err
	}
	for _, s := range subs {
		switch s.ID {
		case "00":
			if len(s.Value) != 6 || !isDigits(s.Value) {
				return synErr(s.val, "38.01.00", "BIN %q is not 6 digits", s.Value)
			}
			p.BIN = s.Value
		case "01":
			if len(s.Value) > maxAccount || !isAlnum(s.Value) {
				return synErr(s.val, "38.01.01", "account must be 1–%d letters or digits", maxAccount)
			}
			p.Account = s.Value
		}
	}
	if p.BIN == "" || p.Account == "" {
		return synErr(f.val, "38.01", "needs both 00 (BIN) and 01 (account or card)")
	}
	return nil
}

func decodeAdditional(p *Payment, f field) error {
	subs, err := parseTLVs(f.Value, f.val, "62")
	if err != nil {
		return err
	}
	for _, s := range subs {
		switch s.ID {
		case "01":
			p.Bill = s.Value
		case "08":
			p.Purpose = s.Value
		default:
			p.AdditionalExtra = append(p.AdditionalExtra, s.TLV)
		}
	}
	return nil
}

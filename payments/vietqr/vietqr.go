package vietqr

import (
	"fmt"
	"strconv"
	"strings"
)

// Service is the NAPAS service code in tag 38.02.
type Service string

// NAPAS service codes (VietQR IBFT profile).
const (
	ServiceAccount Service = "QRIBFTTA" // interbank fund transfer to an account
	ServiceCard    Service = "QRIBFTTC" // interbank fund transfer to a card number
)

// GUID is the NAPAS application identifier in tag 38.00.
const GUID = "A000000727"

// Defaults NAPAS fixes for VietQR.
const (
	CurrencyVND = "704" // ISO 4217 numeric, tag 53
	CountryVN   = "VN"  // ISO 3166-1 alpha-2, tag 58
)

// Limits from EMV QRCPS-MPM §4.2–4.4 and the NAPAS profile.
const (
	maxAccount   = 19
	maxName      = 25
	maxCity      = 15
	maxAddlField = 25
	maxAmount    = 9_999_999_999_999 // 13 digits
)

// Payment is the content of a VietQR payload.
type Payment struct {
	BIN     string  // 6-digit NAPAS BIN of the beneficiary bank (38.01.00)
	Account string  // account or card number (38.01.01)
	Service Service // 38.02; Encode defaults to ServiceAccount
	// Dynamic marks a one-time QR (tag 01 = "12"). Encode also emits "12"
	// whenever Amount > 0; Decode sets it from tag 01.
	Dynamic  bool
	Amount   int64  // VND, tag 54; 0 means the payer enters the amount
	MCC      string // merchant category code, tag 52 (optional)
	Currency string // tag 53; Encode defaults to "704"
	Country  string // tag 58; Encode defaults to "VN"
	Name     string // merchant / beneficiary name, tag 59 (optional)
	City     string // merchant city, tag 60 (optional)
	Bill     string // bill number, tag 62.01: the reconciliation reference
	Purpose  string // purpose of transaction, tag 62.08
	// Extra holds other top-level data objects (e.g. 61 postal code) and
	// AdditionalExtra other objects inside 62 (e.g. 05 reference label);
	// both are kept so a decoded payload re-encodes identically.
	Extra           []TLV
	AdditionalExtra []TLV
	// CRC is tag 63 as it appeared in a decoded payload (Encode ignores it).
	CRC string
}

// Static reports whether the payload is a static (reusable) QR, tag 01 = "11".
func (p Payment) Static() bool { return !p.Dynamic && p.Amount == 0 }

// Encode builds the payload for p: tags in ascending order, text folded to
// ASCII, CRC in upper-case hex.
func Encode(p Payment) (string, error) {
	p, err := normalise(p)
	if err != nil {
		return "", err
	}
	top, err := topLevel(p)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	writeTLVs(&b, top)
	b.WriteString("6304")
	fmt.Fprintf(&b, "%04X", CRC16([]byte(b.String())))
	return b.String(), nil
}

// normalise fills defaults, folds text and checks every field.
func normalise(p Payment) (Payment, error) {
	if p.Service == "" {
		p.Service = ServiceAccount
	}
	if p.Currency == "" {
		p.Currency = CurrencyVND
	}
	if p.Country == "" {
		p.Country = CountryVN
	}
	var err error
	for _, f := range []struct {
		name string
		v    *string
		max  int
	}{{"name", &p.Name, maxName}, {"city", &p.City, maxCity}, {"bill", &p.Bill, maxAddlField}, {"purpose", &p.Purpose, maxAddlField}} {
		if *f.v, err = FoldASCII(*f.v); err != nil {
			return p, fmt.Errorf("vietqr: %s: %w", f.name, err)
		}
		if len(*f.v) > f.max {
			return p, fmt.Errorf("%w: %s is %d characters, at most %d", ErrInvalid, f.name, len(*f.v), f.max)
		}
	}
	return p, checkFields(p)
}

func checkFields(p Payment) error {
	switch {
	case len(p.BIN) != 6 || !isDigits(p.BIN):
		return fmt.Errorf("%w: BIN %q is not 6 digits", ErrInvalid, p.BIN)
	case p.Account == "" || len(p.Account) > maxAccount || !isAlnum(p.Account):
		return fmt.Errorf("%w: account must be 1–%d letters or digits", ErrInvalid, maxAccount)
	case p.Service != ServiceAccount && p.Service != ServiceCard:
		return fmt.Errorf("%w: service code %q", ErrInvalid, p.Service)
	case p.Amount < 0 || p.Amount > maxAmount:
		return fmt.Errorf("%w: amount %d out of range", ErrInvalid, p.Amount)
	case p.MCC != "" && (len(p.MCC) != 4 || !isDigits(p.MCC)):
		return fmt.Errorf("%w: MCC %q is not 4 digits", ErrInvalid, p.MCC)
	case len(p.Currency) != 3 || !isDigits(p.Currency):
		return fmt.Errorf("%w: currency %q is not 3 digits", ErrInvalid, p.Currency)
	case len(p.Country) != 2:
		return fmt.Errorf("%w: country %q is not 2 letters", ErrInvalid, p.Country)
	}
	return nil
}

func isAlnum(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z') {
			return false
		}
	}
	return true
}

// known lists the top-level IDs Payment models; Extra may not reuse them.
func knownTop(id string) bool {
	switch id {
	case "00", "01", "38", "52", "53", "54", "58", "59", "60", "62", "63":
		return true
	}
	return false
}

func topLevel(p Payment) ([]TLV, error) {
	init := "11"
	if p.Dynamic || p.Amount > 0 {
		init = "12"
	}
	acct := tlvString([]TLV{{"00", p.BIN}, {"01", p.Account}})
	napas := tlvString([]TLV{{"00", GUID}, {"01", acct}, {"02", string(p.Service)}})
	top := []TLV{{"00", "01"}, {"01", init}, {"38", napas}, {"53", p.Currency}, {"58", p.Country}}
	top = appendIf(top, "52", p.MCC)
	if p.Amount > 0 {
		top = append(top, TLV{"54", strconv.FormatInt(p.Amount, 10)})
	}
	top = appendIf(top, "59", p.Name)
	top = appendIf(top, "60", p.City)
	addl := appendIf(appendIf(nil, "01", p.Bill), "08", p.Purpose)
	for _, x := range p.AdditionalExtra {
		if x.ID == "01" || x.ID == "08" {
			return nil, fmt.Errorf("%w: additional data object %s duplicates bill/purpose", ErrInvalid, x.ID)
		}
		addl = append(addl, x)
	}
	if len(addl) > 0 {
		top = append(top, TLV{"62", tlvString(addl)})
	}
	for _, x := range p.Extra {
		if knownTop(x.ID) {
			return nil, fmt.Errorf("%w: extra data object %s is modelled by Payment", ErrInvalid, x.ID)
		}
		top = append(top, x)
	}
	return top, checkTLVs(top)
}

func appendIf(objs []TLV, id, v string) []TLV {
	if v == "" {
		return objs
	}
	return append(objs, TLV{id, v})
}

// checkTLVs verifies each object has a two-digit ID, a 1..99 byte value and
// that no ID repeats.
func checkTLVs(objs []TLV) error {
	seen := map[string]bool{}
	for _, o := range objs {
		if len(o.ID) != 2 || !isDigits(o.ID) {
			return fmt.Errorf("%w: data object ID %q", ErrInvalid, o.ID)
		}
		if len(o.Value) == 0 || len(o.Value) > 99 {
			return fmt.Errorf("%w: data object %s is %d bytes (1–99)", ErrInvalid, o.ID, len(o.Value))
		}
		if seen[o.ID] {
			return fmt.Errorf("%w: duplicate data object %s", ErrInvalid, o.ID)
		}
		seen[o.ID] = true
	}
	return nil
}

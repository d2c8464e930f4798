package cccd

import (
	"encoding/asn1"
	"fmt"
	"strings"
	"unicode/utf8"
)

// DG13 limits: a real CCCD DG13 is about 1 KiB.
const (
	MaxDG13Len    = 32 << 10 // bytes
	maxDG13Fields = 64       // entries in the SET
	maxDG13Depth  = 4        // nesting inside one entry
	maxFieldNum   = 255
)

// DG13 field numbers (design §4).
const (
	FieldID          = 1
	FieldName        = 2
	FieldDOB         = 3
	FieldSex         = 4
	FieldNationality = 5
	FieldEthnicity   = 6
	FieldReligion    = 7
	FieldHometown    = 8
	FieldResidence   = 9
	FieldMarks       = 10
	FieldIssueDate   = 11
	FieldExpiry      = 12
	FieldParents     = 13 // {father, mother}
	FieldSpouse      = 14
	FieldOldID       = 15 // old ID or card serial (15/16 disputed)
	FieldOldID16     = 16
)

// dg13OID is the object identifier in DG13's header (ISO/IEC 10646 UTF-8).
var dg13OID = asn1.ObjectIdentifier{1, 0, 10646, 1, 0, 8}

// ASN.1 tags used here.
const (
	tagDG13       = 13 // [APPLICATION 13] constructed = 0x6D
	tagUTF8       = 12
	tagPrintable  = 19
	tagT61        = 20
	tagIA5        = 22
	tagOctet      = 4
	tagVisible    = 26
	tagGeneralStr = 27
)

// ParseDG13 parses the CCCD's DG13:
//
//	6D { SEQUENCE { INTEGER 1, OID 1.0.10646.1.0.8, SET { SEQUENCE { INTEGER n, value… } … } } }
//
// Fields are read by number; any may be missing; dates dd/mm/yyyy become
// YYYY-MM-DD; fields this package does not know are kept in Unknown. Values
// may be strings or sequences of strings (field 13 holds father and mother).
func ParseDG13(b []byte) (Citizen, error) {
	var c Citizen
	if len(b) > MaxDG13Len {
		return c, fmt.Errorf("%w: %d bytes (max %d)", ErrBadDG13, len(b), MaxDG13Len)
	}
	var outer asn1.RawValue
	rest, err := asn1.Unmarshal(b, &outer)
	if err != nil {
		return c, fmt.Errorf("%w: %w", ErrBadDG13, err)
	}
	if outer.Class != asn1.ClassApplication || outer.Tag != tagDG13 || !outer.IsCompound {
		return c, fmt.Errorf("%w: tag is not 6D", ErrBadDG13)
	}
	if !padding(rest) {
		return c, fmt.Errorf("%w: %d bytes after the data group", ErrBadDG13, len(rest))
	}
	set, err := dg13Set(outer.Bytes)
	if err != nil {
		return c, err
	}
	return citizenFromSet(set)
}

// padding reports whether b is empty or only 00/FF file padding.
func padding(b []byte) bool {
	for _, x := range b {
		if x != 0 && x != 0xFF {
			return false
		}
	}
	return true
}

// dg13Set returns the contents of the SET of fields inside the header
// SEQUENCE, checking the version and OID when present.
func dg13Set(b []byte) ([]byte, error) {
	var seq asn1.RawValue
	if _, err := asn1.Unmarshal(b, &seq); err != nil {
		return nil, fmt.Errorf("%w: header: %w", ErrBadDG13, err)
	}
	if seq.Class != asn1.ClassUniversal || seq.Tag != asn1.TagSequence {
		return nil, fmt.Errorf("%w: header is not a SEQUENCE", ErrBadDG13)
	}
	for rest := seq.Bytes; len(rest) > 0; {
		var v asn1.RawValue
		var err error
		if rest, err = asn1.Unmarshal(rest, &v); err != nil {
			return nil, fmt.Errorf("%w: header: %w", ErrBadDG13, err)
		}
		if v.Class == asn1.ClassUniversal && v.Tag == asn1.TagSet {
			return v.Bytes, nil
		}
		if v.Class == asn1.ClassUniversal && v.Tag == asn1.TagOID {
			var oid asn1.ObjectIdentifier
			if _, err := asn1.Unmarshal(v.FullBytes, &oid); err != nil || !oid.Equal(dg13OID) {
				return nil, fmt.Errorf("%w: OID is not 1.0.10646.1.0.8", ErrBadDG13)
			}
		}
	}
	return nil, fmt.Errorf("%w: no SET of fields", ErrBadDG13)
}

// citizenFromSet walks the SET's entries.
func citizenFromSet(b []byte) (Citizen, error) {
	var c Citizen
	seen := map[int]bool{}
	for n := 0; len(b) > 0; n++ {
		if n >= maxDG13Fields {
			return c, fmt.Errorf("%w: more than %d fields", ErrBadDG13, maxDG13Fields)
		}
		var entry asn1.RawValue
		var err error
		if b, err = asn1.Unmarshal(b, &entry); err != nil {
			return c, fmt.Errorf("%w: field %d: %w", ErrBadDG13, n, err)
		}
		num, values, err := dg13Entry(entry)
		if err != nil {
			return c, err
		}
		if seen[num] {
			continue // first occurrence wins
		}
		seen[num] = true
		if err := c.set(num, values); err != nil {
			return c, err
		}
	}
	return c, nil
}

// dg13Entry splits SEQUENCE { INTEGER n, value… } into n and the values' DER.
func dg13Entry(e asn1.RawValue) (int, []byte, error) {
	if e.Class != asn1.ClassUniversal || e.Tag != asn1.TagSequence || !e.IsCompound {
		return 0, nil, fmt.Errorf("%w: field is not a SEQUENCE", ErrBadDG13)
	}
	var num int
	rest, err := asn1.Unmarshal(e.Bytes, &num)
	if err != nil {
		return 0, nil, fmt.Errorf("%w: field number: %w", ErrBadDG13, err)
	}
	if num < 0 || num > maxFieldNum {
		return 0, nil, fmt.Errorf("%w: field number %d out of range", ErrBadDG13, num)
	}
	return num, rest, nil
}

// set stores one field; values is the DER after the field number.
func (c *Citizen) set(num int, values []byte) error {
	strs, err := dg13Strings(values, 0, nil)
	if err != nil {
		return fmt.Errorf("%w (field %d)", err, num)
	}
	first := func() string {
		if len(strs) == 0 {
			return ""
		}
		return strs[0]
	}
	switch num {
	case FieldDOB:
		c.DOB = normDate(first())
	case FieldIssueDate:
		c.IssueDate = normDate(first())
	case FieldExpiry:
		c.Expiry = normDate(first())
	case FieldParents:
		c.Father = first()
		if len(strs) > 1 {
			c.Mother = strs[1]
		}
	case FieldOldID, FieldOldID16:
		if v := first(); c.OldID == "" && (isDigits(v, 9) || isDigits(v, 12)) {
			c.OldID = v
			return nil
		}
		c.keep(num, values)
	default:
		if p := c.textField(num); p != nil {
			*p = first()
			return nil
		}
		c.keep(num, values)
	}
	return nil
}

// textField returns the Citizen field a plain-text DG13 field number fills.
func (c *Citizen) textField(num int) *string {
	switch num {
	case FieldID:
		return &c.ID
	case FieldName:
		return &c.Name
	case FieldSex:
		return &c.Sex
	case FieldNationality:
		return &c.Nationality
	case FieldEthnicity:
		return &c.Ethnicity
	case FieldReligion:
		return &c.Religion
	case FieldHometown:
		return &c.Hometown
	case FieldResidence:
		return &c.Residence
	case FieldMarks:
		return &c.Marks
	case FieldSpouse:
		return &c.Spouse
	}
	return nil
}

func (c *Citizen) keep(num int, values []byte) {
	if c.Unknown == nil {
		c.Unknown = map[int][]byte{}
	}
	c.Unknown[num] = append([]byte(nil), values...)
}

// dg13Strings collects, in order, every string in a run of DER values,
// descending into constructed values up to maxDG13Depth.
func dg13Strings(b []byte, depth int, out []string) ([]string, error) {
	if depth > maxDG13Depth {
		return out, fmt.Errorf("%w: nested deeper than %d", ErrBadDG13, maxDG13Depth)
	}
	for len(b) > 0 {
		var v asn1.RawValue
		var err error
		if b, err = asn1.Unmarshal(b, &v); err != nil {
			return out, fmt.Errorf("%w: value: %w", ErrBadDG13, err)
		}
		switch {
		case v.IsCompound:
			if out, err = dg13Strings(v.Bytes, depth+1, out); err != nil {
				return out, err
			}
		case v.Class == asn1.ClassUniversal && isStringTag(v.Tag):
			out = append(out, strings.TrimSpace(strings.ToValidUTF8(string(v.Bytes), "\uFFFD")))
		}
	}
	return out, nil
}

func isStringTag(t int) bool {
	switch t {
	case tagUTF8, tagPrintable, tagT61, tagIA5, tagOctet, tagVisible, tagGeneralStr:
		return true
	}
	return false
}

// normDate turns dd/mm/yyyy (or ddmmyyyy, dd-mm-yyyy) into YYYY-MM-DD and
// leaves anything else ("Không thời hạn") as it is.
func normDate(s string) string {
	if t, err := parseDMY(s); err == nil {
		return isoDate(t)
	}
	return s
}

// dmyDate turns YYYY-MM-DD back into the card's dd/mm/yyyy.
func dmyDate(s string) string {
	if len(s) == 10 && s[4] == '-' && s[7] == '-' && isDigits(s[0:4]+s[5:7]+s[8:10], 8) {
		return s[8:10] + "/" + s[5:7] + "/" + s[0:4]
	}
	return s
}

// EncodeDG13 builds a DG13 with the structure ParseDG13 reads (and design
// §4 describes): empty fields are omitted; dates YYYY-MM-DD are written
// dd/mm/yyyy; field 13 is SEQUENCE { INTEGER 13, UTF8String father,
// UTF8String mother }; OldID is field 15; Unknown fields are copied raw.
// For simulators and tests.
func EncodeDG13(c Citizen) ([]byte, error) {
	var set []byte
	add := func(num int, vals ...string) error {
		e, err := dg13EncodeEntry(num, vals)
		set = append(set, e...)
		return err
	}
	fields := []struct {
		num int
		v   string
	}{{FieldID, c.ID}, {FieldName, c.Name}, {FieldDOB, dmyDate(c.DOB)}, {FieldSex, c.Sex},
		{FieldNationality, c.Nationality}, {FieldEthnicity, c.Ethnicity}, {FieldReligion, c.Religion},
		{FieldHometown, c.Hometown}, {FieldResidence, c.Residence}, {FieldMarks, c.Marks},
		{FieldIssueDate, dmyDate(c.IssueDate)}, {FieldExpiry, dmyDate(c.Expiry)}}
	for _, f := range fields {
		if f.v != "" {
			if err := add(f.num, f.v); err != nil {
				return nil, err
			}
		}
	}
	if c.Father != "" || c.Mother != "" {
		if err := add(FieldParents, c.Father, c.Mother); err != nil {
			return nil, err
		}
	}
	for _, f := range []struct {
		num int
		v   string
	}{{FieldSpouse, c.Spouse}, {FieldOldID, c.OldID}} {
		if f.v != "" {
			if err := add(f.num, f.v); err != nil {
				return nil, err
			}
		}
	}
	for num := 0; num <= maxFieldNum; num++ {
		if raw, ok := c.Unknown[num]; ok {
			e, err := dg13RawEntry(num, raw)
			if err != nil {
				return nil, err
			}
			set = append(set, e...)
		}
	}
	return dg13Wrap(set)
}

func dg13EncodeEntry(num int, vals []string) ([]byte, error) {
	var body []byte
	for _, v := range vals {
		if !utf8.ValidString(v) {
			return nil, fmt.Errorf("%w: field %d is not UTF-8", ErrBadDG13, num)
		}
		s, err := asn1.MarshalWithParams(v, "utf8")
		if err != nil {
			return nil, fmt.Errorf("cccd: encode DG13 field %d: %w", num, err)
		}
		body = append(body, s...)
	}
	return dg13RawEntry(num, body)
}

func dg13RawEntry(num int, values []byte) ([]byte, error) {
	n, err := asn1.Marshal(num)
	if err != nil {
		return nil, fmt.Errorf("cccd: encode DG13 field %d: %w", num, err)
	}
	return asn1.Marshal(asn1.RawValue{Class: asn1.ClassUniversal, Tag: asn1.TagSequence, IsCompound: true, Bytes: append(n, values...)})
}

// dg13Wrap adds the header and the 6D tag around the SET's contents.
func dg13Wrap(set []byte) ([]byte, error) {
	ver, err := asn1.Marshal(1)
	if err != nil {
		return nil, err
	}
	oid, err := asn1.Marshal(dg13OID)
	if err != nil {
		return nil, err
	}
	setDER, err := asn1.Marshal(asn1.RawValue{Class: asn1.ClassUniversal, Tag: asn1.TagSet, IsCompound: true, Bytes: set})
	if err != nil {
		return nil, err
	}
	body := append(append(ver, oid...), setDER...)
	seq, err := asn1.Marshal(asn1.RawValue{Class: asn1.ClassUniversal, Tag: asn1.TagSequence, IsCompound: true, Bytes: body})
	if err != nil {
		return nil, err
	}
	return asn1.Marshal(asn1.RawValue{Class: asn1.ClassApplication, Tag: tagDG13, IsCompound: true, Bytes: seq})
}

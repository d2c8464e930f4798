package pa

import (
	"crypto/x509/pkix"
	"encoding/asn1"
	"fmt"
	"slices"
	"strings"
	"unicode"
)

var oidCountryName = asn1.ObjectIdentifier{2, 5, 4, 6}

// nameAttributes returns the attributes of a DER Name as "oid=value" keys,
// values normalised for comparison, sorted; ok is false when the name does
// not decode or holds a value that is not a string.
//
// RFC 5280 §7.1 compares PrintableString and UTF8String attribute values
// after the LDAP StringPrep profile (RFC 4518): case folded and with
// insignificant space removed. Comparing the attributes as a set rather
// than RDN by RDN goes beyond RFC 5280, which treats another RDN order as
// another name; real documents need it (a Malaysian SOD names its issuer
// C, O, ST, L, OU, CN while the certificate says C, ST, L, O, OU, CN) and
// the match only selects which certificate's signature to check.
func nameAttributes(der []byte) ([]string, bool) {
	var rdns pkix.RDNSequence
	if rest, err := asn1.Unmarshal(der, &rdns); err != nil || len(rest) != 0 {
		return nil, false
	}
	var out []string
	for _, rdn := range rdns {
		for _, atv := range rdn {
			s, ok := atv.Value.(string)
			if !ok {
				return nil, false
			}
			out = append(out, atv.Type.String()+"="+foldValue(s))
		}
	}
	slices.Sort(out)
	return out, true
}

// foldValue applies RFC 4518's case folding (§2.4, caseIgnoreMatch) and
// insignificant space handling (§2.6.1): leading and trailing spaces go,
// inner runs of spaces become one.
func foldValue(s string) string {
	return strings.ToLower(strings.Join(strings.FieldsFunc(s, unicode.IsSpace), " "))
}

// namesEquivalent reports whether two DER Names hold the same attributes
// (see nameAttributes); identical encodings always match.
func namesEquivalent(a, b []byte) bool {
	if string(a) == string(b) {
		return true
	}
	ka, okA := nameAttributes(a)
	kb, okB := nameAttributes(b)
	return okA && okB && slices.Equal(ka, kb)
}

// Country returns the certificate subject's countryName ("" when absent).
func (c *Certificate) Country() string { return nameCountry(c.RawSubject) }

func nameCountry(der []byte) string {
	var rdns pkix.RDNSequence
	if _, err := asn1.Unmarshal(der, &rdns); err != nil {
		return ""
	}
	for _, rdn := range rdns {
		for _, atv := range rdn {
			if s, ok := atv.Value.(string); ok && atv.Type.Equal(oidCountryName) {
				return strings.ToUpper(strings.TrimSpace(s))
			}
		}
	}
	return ""
}

// tbsHeader is the part of a tbsCertificate before the key; encoding/asn1
// ignores the fields after it, so a certificate whose extensions break DER
// still yields its names for a report.
type tbsHeader struct {
	Version  int `asn1:"optional,explicit,default:0,tag:0"`
	Serial   asn1.RawValue
	SigAlg   asn1.RawValue
	Issuer   asn1.RawValue
	Validity asn1.RawValue
	Subject  asn1.RawValue
}

// describeUnparsable names a certificate that ParseCertificate refused: its
// subject when the header decodes, else "".
func describeUnparsable(der []byte) (subject string) {
	var outer struct {
		TBS asn1.RawValue
	}
	if _, err := asn1.Unmarshal(der, &outer); err != nil {
		return ""
	}
	var h tbsHeader
	if _, err := asn1.Unmarshal(outer.TBS.FullBytes, &h); err != nil {
		return ""
	}
	return nameString(h.Subject.FullBytes)
}

// nameInOrder renders a Name keeping its RDN order (RFC 4514 writes the
// last RDN first), unlike Certificate.Subject, to show an order difference.
func nameInOrder(der []byte) string {
	var rdns pkix.RDNSequence
	if rest, err := asn1.Unmarshal(der, &rdns); err != nil || len(rest) != 0 {
		return nameString(der)
	}
	return rdns.String()
}

// serialString renders an INTEGER's content for a report.
func serialString(raw []byte) string { return fmt.Sprint(signedInt(raw)) }

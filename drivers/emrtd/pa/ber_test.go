package pa_test

import (
	"bytes"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/hex"
	"errors"
	"strings"
	"testing"

	"github.com/kiosk06/kiosk/drivers/emrtd/pa"
)

func unhex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.ReplaceAll(s, " ", ""))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestNormalizeBER checks the BER → DER re-encoding against X.690 by hand:
// each input is BER, each output the one DER encoding of the same value.
func TestNormalizeBER(t *testing.T) {
	tests := []struct {
		name, in, want, rest string
		notes                int
		err                  string
	}{
		{name: "DER unchanged", in: "3006 020101 020102", want: "3006 020101 020102"},
		{name: "indefinite SEQUENCE (X.690 §8.1.3.6)", in: "3080 020101 0000", want: "3003 020101", notes: 1},
		{name: "nested indefinite, context tag", in: "3080 a080 0401aa 0000 0000", want: "3005 a003 0401aa", notes: 1},
		{name: "long-form length (X.690 §10.1)", in: "3081 03 020101", want: "3003 020101", notes: 1},
		{name: "long form with leading zero", in: "0482 0001 aa", want: "0401 aa", notes: 1},
		{name: "constructed OCTET STRING (X.690 §8.7.3.2)", in: "2480 0402 aabb 0401 cc 0000", want: "0403 aabbcc", notes: 2},
		{name: "nested constructed OCTET STRING", in: "2408 2403 0401aa 0401bb", want: "0402 aabb", notes: 1},
		{name: "application tag, as EF.SOD's 77", in: "7780 3000 0000", want: "7702 3000", notes: 1},
		{name: "high tag number", in: "7f6180 0201 05 0000", want: "7f6103 020105", notes: 1},
		{name: "padding after the element", in: "3080 0000 ffff", want: "3000", rest: "ffff", notes: 1},
		{name: "128-byte content keeps 81", in: "0481 80" + strings.Repeat("00", 128), want: "0481 80" + strings.Repeat("00", 128)},
		{name: "indefinite primitive", in: "0480 aa 0000", err: "primitive"},
		{name: "missing end-of-contents", in: "3080 020101", err: "end-of-contents"},
		{name: "end-of-contents in a definite encoding", in: "3002 0000", err: "end-of-contents"},
		{name: "constructed BIT STRING", in: "2380 030200aa 0000", err: "universal type 3"},
		{name: "constructed UTF8String", in: "2c03 0c0161", err: "universal type 12"},
		{name: "OCTET STRING segment of another type", in: "2403 020101", err: "segment"},
		{name: "length beyond the input", in: "3005 0201", err: "exceeds"},
		{name: "five length octets", in: "3085 0000000001 00", err: "length of 5"},
		{name: "reserved length FF", in: "30ff", err: "reserved"},
		{name: "truncated", in: "30", err: "truncated"},
		{name: "tag too long", in: "1f81818101 00", err: "tag longer"},
		{name: "low tag number in the long form", in: "df00 00", err: "long form"},
		{name: "tag with a leading zero septet", in: "1f8001 00", err: "leading zero"},
		{name: "nesting bomb", in: strings.Repeat("3080", 60) + strings.Repeat("0000", 60), err: "nested deeper"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in := unhex(t, tc.in)
			der, rest, notes, err := pa.NormalizeBER(in)
			if tc.err != "" {
				if !errors.Is(err, pa.ErrMalformed) || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("err = %v, want ErrMalformed containing %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(der, unhex(t, tc.want)) || !bytes.Equal(rest, unhex(t, tc.rest)) || len(notes) != tc.notes {
				t.Fatalf("got %X rest %X notes %q", der, rest, notes)
			}
			der[0] ^= 0xFF // the result never aliases the input
			if !bytes.Equal(in, unhex(t, tc.in)) {
				t.Fatal("the result aliases the input")
			}
			der[0] ^= 0xFF
			var rv asn1.RawValue // encoding/asn1 (strict DER lengths) reads the result
			if r, err := asn1.Unmarshal(der, &rv); err != nil || len(r) != 0 {
				t.Fatalf("result is not DER: %v", err)
			}
		})
	}
}

// TestDERViolation checks the explanations given for skipped certificates.
func TestDERViolation(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"BOOLEAN 01 inside an extension value", "3009 0603551d13 0402 3000", ""},
		{"BOOLEAN TRUE as 01", "300c 0603551d13 0405 3003 010101", "BOOLEAN TRUE encoded as 01"},
		{"BOOLEAN FF", "3003 0101ff", ""},
		{"INTEGER with a leading zero", "3004 02020001", "INTEGER with a redundant leading octet"},
		{"indefinite length", "3080 0101ff 0000", "indefinite length"},
		{"long-form length", "308103 0101ff", "shortest form"},
		{"not BER at all", "3005 0101", ""},
	}
	for _, tc := range tests {
		if got := pa.DERViolation(unhex(t, tc.in)); (tc.want == "" && got != "") || !strings.Contains(got, tc.want) {
			t.Errorf("%s: %q, want %q", tc.name, got, tc.want)
		}
	}
}

// TestNamesEquivalent: RFC 5280 §7.1 comparison (RFC 4518 case folding
// and insignificant spaces), with RDN order ignored.
func TestNamesEquivalent(t *testing.T) {
	name := func(rdns ...[2]string) []byte {
		var seq pkix.RDNSequence
		for _, r := range rdns {
			oid := map[string]asn1.ObjectIdentifier{"C": {2, 5, 4, 6}, "O": {2, 5, 4, 10}, "CN": {2, 5, 4, 3}}[r[0]]
			seq = append(seq, pkix.RelativeDistinguishedNameSET{{Type: oid, Value: r[1]}})
		}
		b, err := asn1.Marshal(seq)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	base := name([2]string{"C", "MY"}, [2]string{"O", "Jabatan Imigresen"}, [2]string{"CN", "Country Signer"})
	tests := []struct {
		name string
		b    []byte
		want bool
	}{
		{"identical", base, true},
		{"RDNs in another order", name([2]string{"O", "Jabatan Imigresen"}, [2]string{"CN", "Country Signer"}, [2]string{"C", "MY"}), true},
		{"case and spaces", name([2]string{"C", "my"}, [2]string{"O", "  jabatan   IMIGRESEN "}, [2]string{"CN", "Country Signer"}), true},
		{"another value", name([2]string{"C", "MX"}, [2]string{"O", "Jabatan Imigresen"}, [2]string{"CN", "Country Signer"}), false},
		{"an attribute missing", name([2]string{"C", "MY"}, [2]string{"CN", "Country Signer"}), false},
		{"value under another type", name([2]string{"C", "MY"}, [2]string{"CN", "Jabatan Imigresen"}, [2]string{"O", "Country Signer"}), false},
		{"garbage", []byte{0x30, 0x01}, false},
	}
	for _, tc := range tests {
		if got := pa.NamesEquivalent(base, tc.b); got != tc.want {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
	}
}

// FuzzNormalizeBER: hostile BER never panics; what comes out is DER that
// encoding/asn1 reads and that normalises to itself with nothing to note.
func FuzzNormalizeBER(f *testing.F) {
	f.Add(realHex(f, "nz_sod"))
	f.Add(toIndefinite(f, realHex(f, "at_sod")))
	f.Add([]byte{0x24, 0x80, 0x04, 0x01, 0xaa, 0x24, 0x80, 0x04, 0x00, 0x00, 0x00, 0x00, 0x00})
	f.Add([]byte{0x30, 0x80, 0x30, 0x80, 0x00, 0x00})
	f.Fuzz(func(t *testing.T, b []byte) {
		_ = pa.DERViolation(b)
		der, _, _, err := pa.NormalizeBER(b)
		if err != nil {
			return
		}
		var rv asn1.RawValue
		if rest, err := asn1.Unmarshal(der, &rv); err != nil || len(rest) != 0 {
			t.Fatalf("output %X is not DER: %v", der, err)
		}
		again, rest, notes, err := pa.NormalizeBER(der)
		if err != nil || len(rest) != 0 || len(notes) != 0 || !bytes.Equal(again, der) {
			t.Fatalf("not idempotent: %X → %X %q %v", der, again, notes, err)
		}
	})
}

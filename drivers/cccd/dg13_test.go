package cccd

import (
	"bytes"
	"encoding/asn1"
	"errors"
	"reflect"
	"testing"
)

func sampleCitizen() Citizen {
	return Citizen{
		ID: "001089012345", OldID: "123456789", Name: "Nguyễn Văn An", DOB: "1989-03-15", Sex: "Nam",
		Nationality: "Việt Nam", Ethnicity: "Kinh", Religion: "Không", Hometown: "Xã Đông Hưng, Thái Bình",
		Residence: "Số 1 Phố Huế, Hai Bà Trưng, Hà Nội", Marks: "Nốt ruồi C:2cm trên sau đầu lông mày phải",
		IssueDate: "2021-04-20", Expiry: "2029-03-15", Father: "Nguyễn Văn Bình", Mother: "Lê Thị Hoa", Spouse: "Trần Thị Mai",
	}
}

func TestDG13RoundTrip(t *testing.T) {
	c := sampleCitizen()
	c.Unknown = map[int][]byte{17: {0x0C, 0x01, 'x'}}
	b, err := EncodeDG13(c)
	if err != nil {
		t.Fatal(err)
	}
	if b[0] != 0x6D {
		t.Fatalf("tag %02X", b[0])
	}
	got, err := ParseDG13(b)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, c) {
		t.Errorf("got  %+v\nwant %+v", got, c)
	}
}

// TestDG13HandBuilt parses bytes assembled by hand, as a card lays them
// out: field 1 as 30 LL 02 01 01 0C LL …, parents as nested SEQUENCEs, a
// "Không thời hạn" expiry, field 16 a serial, trailing 00 padding.
func TestDG13HandBuilt(t *testing.T) {
	u := func(s string) []byte { b, _ := asn1.MarshalWithParams(s, "utf8"); return b }
	tlv := func(tag byte, parts ...[]byte) []byte {
		body := bytes.Join(parts, nil)
		if len(body) >= 0x80 {
			return append([]byte{tag, 0x81, byte(len(body))}, body...)
		}
		return append([]byte{tag, byte(len(body))}, body...)
	}
	field := func(n byte, v ...[]byte) []byte { return tlv(0x30, append([][]byte{{0x02, 0x01, n}}, v...)...) }
	set := tlv(0x31,
		field(1, u("079058001234")),
		field(2, u("Trần Thị Bích Ngọc")),
		field(3, u("02/01/1958")),
		field(12, u("Không thời hạn")),
		field(13, tlv(0x30, u("Trần Văn Cả")), tlv(0x30, u("Phạm Thị Dậu"))),
		field(16, u("AB1234")),
		field(42, []byte{0x04, 0x02, 0xCA, 0xFE}),
	)
	oid, _ := asn1.Marshal(dg13OID)
	dg := append(tlv(0x6D, tlv(0x30, []byte{0x02, 0x01, 0x01}, oid, set)), 0, 0)
	c, err := ParseDG13(dg)
	if err != nil {
		t.Fatal(err)
	}
	want := Citizen{ID: "079058001234", Name: "Trần Thị Bích Ngọc", DOB: "1958-01-02", Expiry: "Không thời hạn",
		Father: "Trần Văn Cả", Mother: "Phạm Thị Dậu",
		Unknown: map[int][]byte{16: u("AB1234"), 42: {0x04, 0x02, 0xCA, 0xFE}}}
	if !reflect.DeepEqual(c, want) {
		t.Errorf("got  %+v\nwant %+v", c, want)
	}
}

func TestDG13Errors(t *testing.T) {
	good, err := EncodeDG13(sampleCitizen())
	if err != nil {
		t.Fatal(err)
	}
	oid, _ := asn1.Marshal(asn1.ObjectIdentifier{1, 2, 3})
	tests := []struct {
		name string
		in   []byte
	}{
		{"empty", nil},
		{"wrong tag", append([]byte{0x61}, good[1:]...)},
		{"truncated", good[:len(good)-5]},
		{"trailing garbage", append(append([]byte(nil), good...), 0x30, 0x00)},
		{"wrong OID", append(append([]byte{0x6D, 0x0B, 0x30, 0x09, 0x02, 0x01, 0x01}, oid...), 0x31, 0x00)},
		{"no set", []byte{0x6D, 0x05, 0x30, 0x03, 0x02, 0x01, 0x01}},
		{"field not sequence", []byte{0x6D, 0x09, 0x30, 0x07, 0x02, 0x01, 0x01, 0x31, 0x02, 0x05, 0x00}},
		{"negative field", []byte{0x6D, 0x0C, 0x30, 0x0A, 0x02, 0x01, 0x01, 0x31, 0x05, 0x30, 0x03, 0x02, 0x01, 0xFF}},
		{"huge", make([]byte, MaxDG13Len+1)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := ParseDG13(tt.in); !errors.Is(err, ErrBadDG13) {
				t.Fatalf("err = %v, want ErrBadDG13", err)
			}
		})
	}
}

func TestDG13Deep(t *testing.T) {
	v := []byte{0x0C, 0x01, 'x'}
	for i := 0; i < 10; i++ {
		v = append([]byte{0x30, byte(len(v))}, v...)
	}
	e, _ := dg13RawEntry(13, v)
	dg, _ := dg13Wrap(e)
	if _, err := ParseDG13(dg); !errors.Is(err, ErrBadDG13) {
		t.Fatalf("err = %v", err)
	}
}

func FuzzParseDG13(f *testing.F) {
	good, _ := EncodeDG13(sampleCitizen())
	f.Add(good)
	f.Add([]byte{0x6D, 0x00})
	f.Add([]byte{0x6D, 0x05, 0x30, 0x03, 0x02, 0x01, 0x01})
	f.Fuzz(func(t *testing.T, b []byte) {
		c, err := ParseDG13(b)
		if err != nil {
			if !errors.Is(err, ErrBadDG13) {
				t.Fatalf("untyped error %v", err)
			}
			return
		}
		// What parsed must re-encode and parse again.
		again, err := EncodeDG13(c)
		if err != nil {
			t.Fatalf("re-encode: %v", err)
		}
		if _, err := ParseDG13(again); err != nil {
			t.Fatalf("re-parse: %v", err)
		}
	})
}

func BenchmarkParseDG13(b *testing.B) {
	dg, err := EncodeDG13(sampleCitizen())
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(dg)))
	for b.Loop() {
		if _, err := ParseDG13(dg); err != nil {
			b.Fatal(err)
		}
	}
}

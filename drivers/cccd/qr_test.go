package cccd

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func d(y, m, day int) time.Time { return time.Date(y, time.Month(m), day, 0, 0, 0, 0, time.UTC) }

func TestParseQR(t *testing.T) {
	base := QRData{ID: "001089012345", OldID: "123456789", Name: "Nguyễn Văn An", DOB: d(1989, 3, 15),
		Sex: "Nam", Address: "Số 1 Phố Huế, Hai Bà Trưng, Hà Nội", IssueDate: d(2021, 4, 20)}
	tests := []struct {
		name    string
		payload string
		want    func(q QRData) QRData
	}{
		{"canonical", "001089012345|123456789|Nguyễn Văn An|15031989|Nam|Số 1 Phố Huế, Hai Bà Trưng, Hà Nội|20042021", nil},
		{"empty old ID", "001089012345||Nguyễn Văn An|15031989|Nam|Số 1 Phố Huế, Hai Bà Trưng, Hà Nội|20042021",
			func(q QRData) QRData { q.OldID = ""; return q }},
		{"female NFC", "001089012345|123456789|Nguyễn Văn An|15031989|Nữ|Số 1 Phố Huế, Hai Bà Trưng, Hà Nội|20042021",
			func(q QRData) QRData { q.Sex = "Nữ"; return q }},
		{"female NFD", "001089012345|123456789|Nguyễn Văn An|15031989|Nư\u0303|Số 1 Phố Huế, Hai Bà Trưng, Hà Nội|20042021",
			func(q QRData) QRData { q.Sex = "Nữ"; return q }},
		{"whitespace and CRLF", " \uFEFF001089012345 | 123456789 |Nguyễn  Văn\tAn| 15031989 |Nam|Số 1 Phố Huế,  Hai Bà Trưng, Hà Nội|20042021\r\n", nil},
		{"label prefixes", "Số CCCD: 001089012345|CMND: 123456789|Họ và tên: Nguyễn Văn An|Ngày sinh: 15031989|Giới tính: Nam|Số 1 Phố Huế, Hai Bà Trưng, Hà Nội|Ngày cấp: 20042021", nil},
		{"extra trailing fields", "001089012345|123456789|Nguyễn Văn An|15031989|Nam|Số 1 Phố Huế, Hai Bà Trưng, Hà Nội|20042021|X|Y",
			func(q QRData) QRData { q.Extra = 2; return q }},
		{"trailing bar", "001089012345|123456789|Nguyễn Văn An|15031989|Nam|Số 1 Phố Huế, Hai Bà Trưng, Hà Nội|20042021|", nil},
		{"slashed dates", "001089012345|123456789|Nguyễn Văn An|15/03/1989|Nam|Số 1 Phố Huế, Hai Bà Trưng, Hà Nội|20/04/2021", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseQR(tt.payload)
			if err != nil {
				t.Fatalf("ParseQR: %v", err)
			}
			want := base
			if tt.want != nil {
				want = tt.want(base)
			}
			if got != want {
				t.Errorf("got  %+v\nwant %+v", got, want)
			}
		})
	}
}

func TestParseQRErrors(t *testing.T) {
	tests := []struct {
		name    string
		payload string
		want    error
	}{
		{"empty", "", ErrUnsupportedQR},
		{"url", "https://vneid.gov.vn/?code=abc", ErrUnsupportedQR},
		{"2024 card style", "CC2024:eyJhbGciOiJIUzI1NiJ9.e30.abc", ErrUnsupportedQR},
		{"vietqr", "00020101021138570010A00000072701270006970403011300110123456780208QRIBFTTA53037045802VN6304ABCD", ErrUnsupportedQR},
		{"too few fields", "001089012345|123456789|Nguyễn Văn An|15031989|Nam", ErrUnsupportedQR},
		{"9-digit ID", "123456789||Nguyễn Văn An|15031989|Nam|Hà Nội|20042021", ErrUnsupportedQR},
		{"too long", "001089012345|" + strings.Repeat("x", MaxQRLen), ErrUnsupportedQR},
		{"not utf8", "001089012345||\xff\xfe|15031989|Nam|Hà Nội|20042021", ErrUnsupportedQR},
		{"bad old id", "001089012345|12345|Nguyễn Văn An|15031989|Nam|Hà Nội|20042021", ErrBadQR},
		{"empty name", "001089012345||  |15031989|Nam|Hà Nội|20042021", ErrBadQR},
		{"bad dob", "001089012345||Nguyễn Văn An|31021989|Nam|Hà Nội|20042021", ErrBadQR},
		{"bad sex", "001089012345||Nguyễn Văn An|15031989|Khác|Hà Nội|20042021", ErrBadQR},
		{"bad issue", "001089012345||Nguyễn Văn An|15031989|Nam|Hà Nội|2004202", ErrBadQR},
		{"issue before birth", "001089012345||Nguyễn Văn An|15031989|Nam|Hà Nội|20041988", ErrBadQR},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseQR(tt.payload)
			if !errors.Is(err, tt.want) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
		})
	}
}

func TestRedaction(t *testing.T) {
	q, err := ParseQR("001089012345|123456789|Nguyễn Văn An|15031989|Nam|Hà Nội|20042021")
	if err != nil {
		t.Fatal(err)
	}
	c := q.Citizen()
	for _, s := range []string{q.Redacted(), q.LogValue().String(), c.Redacted(), c.LogValue().String()} {
		for _, pii := range []string{"001089012345", "123456789", "Nguyễn", "1989", "Hà Nội"} {
			if strings.Contains(s, pii) {
				t.Errorf("%q leaks %q", s, pii)
			}
		}
	}
	if c.DOB != "1989-03-15" || c.IssueDate != "2021-04-20" || c.Residence != "Hà Nội" {
		t.Errorf("Citizen() = %+v", c)
	}
}

func FuzzParseQR(f *testing.F) {
	f.Add("001089012345|123456789|Nguyễn Văn An|15031989|Nam|Hà Nội|20042021")
	f.Add("001089012345||Nguyễn Văn An|15/03/1989|Nữ|Hà Nội|20042021|x")
	f.Add("Số CCCD: 001089012345|||||||")
	f.Add("|||||||||")
	f.Fuzz(func(t *testing.T, s string) {
		q, err := ParseQR(s)
		if err != nil {
			if !errors.Is(err, ErrUnsupportedQR) && !errors.Is(err, ErrBadQR) {
				t.Fatalf("untyped error %v", err)
			}
			return
		}
		if !isDigits(q.ID, 12) {
			t.Fatalf("accepted ID %q", q.ID)
		}
		if _, err := BACCandidates(q.ID, q.DOB, q.IssueDate); err != nil {
			t.Fatalf("BACCandidates: %v", err)
		}
	})
}

func BenchmarkQRToKeys(b *testing.B) {
	const p = "001089012345|123456789|Nguyễn Văn An|15031989|Nam|Số 1 Phố Huế, Hai Bà Trưng, Hà Nội|20042021"
	for b.Loop() {
		q, err := ParseQR(p)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := BACCandidates(q.ID, q.DOB, q.IssueDate); err != nil {
			b.Fatal(err)
		}
	}
}

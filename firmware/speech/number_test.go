package speech

import (
	"errors"
	"testing"
	"time"
)

// TestNumberVietnamese: the readings a Vietnamese listener expects; the
// rules are those of reading an amount in words (a cheque, a bank slip):
// mười lăm, hai mươi mốt, hai mươi tư, một trăm linh năm, một nghìn
// không trăm linh năm.
func TestNumberVietnamese(t *testing.T) {
	tests := []struct {
		n    int64
		want string
	}{
		{0, "không"},
		{1, "một"},
		{4, "bốn"},
		{5, "năm"},
		{10, "mười"},
		{11, "mười một"},
		{14, "mười bốn"},
		{15, "mười lăm"},
		{20, "hai mươi"},
		{21, "hai mươi mốt"},
		{24, "hai mươi tư"},
		{25, "hai mươi lăm"},
		{55, "năm mươi lăm"},
		{99, "chín mươi chín"},
		{100, "một trăm"},
		{101, "một trăm linh một"},
		{105, "một trăm linh năm"},
		{110, "một trăm mười"},
		{115, "một trăm mười lăm"},
		{121, "một trăm hai mươi mốt"},
		{1000, "một nghìn"},
		{1005, "một nghìn không trăm linh năm"},
		{1050, "một nghìn không trăm năm mươi"},
		{2026, "hai nghìn không trăm hai mươi sáu"},
		{10000, "mười nghìn"},
		{15000, "mười lăm nghìn"},
		{50000, "năm mươi nghìn"},
		{150000, "một trăm năm mươi nghìn"},
		{1000000, "một triệu"},
		{1000005, "một triệu không trăm linh năm"},
		{1500000, "một triệu năm trăm nghìn"},
		{2050000, "hai triệu không trăm năm mươi nghìn"},
		{1000000000, "một tỷ"},
		{-5000, "âm năm nghìn"},
		{9223372036854775807, "chín tỷ tỷ hai trăm hai mươi ba triệu tỷ ba trăm bảy mươi hai nghìn tỷ không trăm ba mươi sáu tỷ tám trăm năm mươi tư triệu bảy trăm bảy mươi lăm nghìn tám trăm linh bảy"},
		{-9223372036854775808, "âm chín tỷ tỷ hai trăm hai mươi ba triệu tỷ ba trăm bảy mươi hai nghìn tỷ không trăm ba mươi sáu tỷ tám trăm năm mươi tư triệu bảy trăm bảy mươi lăm nghìn tám trăm linh tám"},
	}
	for _, tc := range tests {
		if got := Number(Vietnamese, tc.n); got != tc.want {
			t.Errorf("Number(vi, %d) = %q, want %q", tc.n, got, tc.want)
		}
	}
}

func TestNumberEnglish(t *testing.T) {
	tests := []struct {
		n    int64
		want string
	}{
		{0, "zero"},
		{15, "fifteen"},
		{21, "twenty-one"},
		{105, "one hundred and five"},
		{1005, "one thousand and five"},
		{50000, "fifty thousand"},
		{150000, "one hundred and fifty thousand"},
		{1500000, "one million five hundred thousand"},
		{-3, "minus three"},
	}
	for _, tc := range tests {
		if got := Number(English, tc.n); got != tc.want {
			t.Errorf("Number(en, %d) = %q, want %q", tc.n, got, tc.want)
		}
	}
}

func TestReadings(t *testing.T) {
	day := time.Date(2026, 12, 4, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name string
		got  string
		want string
	}{
		{"money vi", Money(Vietnamese, 50000), "năm mươi nghìn đồng"},
		{"money vi 10000", Money(Vietnamese, 10000), "mười nghìn đồng"},
		{"money en", Money(English, 50000), "fifty thousand dong"},
		{"date vi", Date(Vietnamese, day), "ngày bốn tháng mười hai năm hai nghìn không trăm hai mươi sáu"},
		{"date en", Date(English, day), "the fourth of December, twenty twenty-six"},
		{"date en 2005", Date(English, time.Date(2005, 1, 21, 0, 0, 0, 0, time.UTC)), "the twenty-first of January, two thousand and five"},
		{"clock vi", Clock(Vietnamese, 14, 30), "mười bốn giờ ba mươi phút"},
		{"clock vi hour", Clock(Vietnamese, 8, 0), "tám giờ"},
		{"clock vi 7:05", Clock(Vietnamese, 7, 5), "bảy giờ năm phút"},
		{"clock en", Clock(English, 9, 5), "nine oh five"},
		{"clock en hour", Clock(English, 8, 0), "eight o'clock"},
		{"duration vi", Duration(Vietnamese, 4*time.Minute+59*time.Second), "bốn phút năm mươi chín giây"},
		{"duration vi round up", Duration(Vietnamese, 14*time.Minute+100*time.Millisecond), "mười bốn phút một giây"},
		{"duration en", Duration(English, time.Hour+5*time.Minute), "one hour and five minutes"},
		{"duration zero", Duration(Vietnamese, -time.Second), "không giây"},
		{"digits", Digits(Vietnamese, "012"), "không, một, hai"},
	}
	for _, tc := range tests {
		if tc.got != tc.want {
			t.Errorf("%s = %q, want %q", tc.name, tc.got, tc.want)
		}
	}
}

// TestCode: a ticket code is spelled character by character, as the
// issue asks ("A 0 1 2" → "A, không, một, hai").
func TestCode(t *testing.T) {
	tests := []struct {
		lang Lang
		in   string
		want string
	}{
		{Vietnamese, "A012", "a, không, một, hai"},
		{Vietnamese, "A 0 1 2", "a, không, một, hai"},
		{Vietnamese, "B105", "bê, một, không, năm"},
		{Vietnamese, "c-7", "xê, bảy"},
		{Vietnamese, "Đ1", "đê, một"},
		{English, "A012", "ay, zero, one, two"},
	}
	for _, tc := range tests {
		got, err := Code(tc.lang, tc.in)
		if err != nil || got != tc.want {
			t.Errorf("Code(%s, %q) = %q, %v; want %q", tc.lang, tc.in, got, err, tc.want)
		}
	}
	for _, bad := range []string{"", " - ", "A#1", "A😀"} {
		if _, err := Code(Vietnamese, bad); !errors.Is(err, ErrUnspeakable) {
			t.Errorf("Code(%q) error = %v, want ErrUnspeakable", bad, err)
		}
	}
}

func TestRoom(t *testing.T) {
	tests := []struct {
		lang Lang
		in   string
		want string
	}{
		{Vietnamese, "101", "một trăm linh một"},
		{Vietnamese, "Phòng 101", "Phòng một trăm linh một"},
		{Vietnamese, "Phòng 105 (Nội tổng quát)", "Phòng một trăm linh năm, Nội tổng quát"},
		{Vietnamese, "B2", "bê, hai"},
		{Vietnamese, "Quầy 3", "Quầy ba"},
		{English, "Room 101", "Room one hundred and one"},
	}
	for _, tc := range tests {
		got, err := Room(tc.lang, tc.in)
		if err != nil || got != tc.want {
			t.Errorf("Room(%s, %q) = %q, %v; want %q", tc.lang, tc.in, got, err, tc.want)
		}
	}
}

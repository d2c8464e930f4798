package speech

import (
	"errors"
	"strings"
	"testing"
	"unicode/utf8"
)

// TestNormalize: screen texts (as ui/i18n and the flows write them) and
// exactly what is read aloud.
func TestNormalize(t *testing.T) {
	tests := []struct {
		lang Lang
		in   string
		want string
	}{
		{Vietnamese, "Thẻ hợp lệ", "Thẻ hợp lệ"},
		{Vietnamese, "Vui lòng quét mã QR trên thẻ", "Vui lòng quét mã kiu a trên thẻ"},
		{Vietnamese, "Phí cần thanh toán trước khi khám: 50.000 ₫.", "Phí cần thanh toán trước khi khám: năm mươi nghìn đồng."},
		{Vietnamese, "Số tiền 150.000đ", "Số tiền một trăm năm mươi nghìn đồng"},
		{Vietnamese, "1.234.567 VND", "một triệu hai trăm ba mươi tư nghìn năm trăm sáu mươi bảy đồng"},
		{Vietnamese, "Số A012 · Phòng 101", "Số a, không, một, hai, Phòng một trăm linh một"},
		{Vietnamese, "Hạn sử dụng 04/12/2026", "Hạn sử dụng ngày bốn tháng mười hai năm hai nghìn không trăm hai mươi sáu"},
		{Vietnamese, "Tạm dừng từ 14:30 (mã 7)", "Tạm dừng từ mười bốn giờ ba mươi phút, mã bảy"},
		{Vietnamese, "Nhấn «Thử lại với mã QR» rồi đưa thẻ", "Nhấn Thử lại với mã kiu a rồi đưa thẻ"},
		{Vietnamese, "Đang kiểm tra thẻ BHYT với cổng BHXH…", "Đang kiểm tra thẻ bảo hiểm y tế với cổng bảo hiểm xã hội."},
		{Vietnamese, "Nhập 6 chữ số cuối (còn {n} lần thử).", "Nhập sáu chữ số cuối, còn {n} lần thử."},
		{Vietnamese, "Vân tay không khớp. Còn %d lần thử.", "Vân tay không khớp. Còn %d lần thử."},
		{Vietnamese, "Máy tạm dừng phục vụ — Quý khách vui lòng liên hệ", "Máy tạm dừng phục vụ, Quý khách vui lòng liên hệ"},
		{Vietnamese, "Ông/Bà", "Ông Bà"},
		{Vietnamese, "gọi nhân viên / đến quầy", "gọi nhân viên hoặc đến quầy"},
		{English, "call staff / go to the desk", "call staff or go to the desk"},
		{Vietnamese, "mô-đun", "mô đun"},
		{Vietnamese, "Pho\u0300ng kha\u0301m N\u00f4\u0323i", "Phòng khám Nội"}, // NFD from outside
		{Vietnamese, "giảm 50%", "giảm năm mươi phần trăm"},
		{Vietnamese, "Quét mã VietQR", "Quét mã Việt kiu a"},
		{Vietnamese, "Số ATM", "Số a tê em mờ"},
		{English, "Fees due before the examination: 150,000 VND.", "Fees due before the examination: one hundred and fifty thousand dong."},
		// The flow writes money the Vietnamese way in its English texts too.
		{English, "Scan the VietQR code with your banking app to pay 50.000 ₫.", "Scan the Viet Q R code with your banking app to pay fifty thousand dong."},
		{English, "Scan the QR code on the card", "Scan the Q R code on the card"},
		{English, "the card's chip, I’m here, 'quoted'", "the card's chip, I'm here, quoted"},
		{English, "Number A012 · Room 105", "Number ay, zero, one, two, Room one hundred and five"},
	}
	for _, tc := range tests {
		got, err := Normalize(tc.lang, tc.in)
		if err != nil || got != tc.want {
			t.Errorf("Normalize(%s, %q)\n got %q, %v\nwant %q", tc.lang, tc.in, got, err, tc.want)
		}
	}
}

func TestNormalizeRefuses(t *testing.T) {
	for _, in := range []string{"giá $5", "a < b", "50% {x", "100 % off", string([]byte{0xff, 'a'}), strings.Repeat("a", MaxText+1)} {
		if _, err := Normalize(Vietnamese, in); err == nil {
			t.Errorf("Normalize(%q) succeeded", in)
		} else if !errors.Is(err, ErrUnspeakable) && !errors.Is(err, ErrTooLong) {
			t.Errorf("Normalize(%q) error %v is not typed", in, err)
		}
	}
}

func FuzzNormalize(f *testing.F) {
	for _, s := range []string{"Số A012 · Phòng 101", "50.000 ₫", "04/12/2026 14:30", "{n} %d", "9999999999999999999", "1.000.000.000.000.000.000"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, l := range []Lang{Vietnamese, English} {
			out, err := Normalize(l, s)
			if err != nil {
				continue
			}
			if !utf8.ValidString(out) {
				t.Fatalf("invalid UTF-8 out of %q", s)
			}
			if strings.ContainsAny(out, "0123456789") && !strings.ContainsAny(s, "{%") {
				t.Fatalf("digits left in %q → %q", s, out)
			}
			// Render normalises voice templates that are already
			// normalised: a second pass must change nothing.
			if len(out) > MaxText {
				continue // words are longer than digits; the input bound applies to input
			}
			if again, err := Normalize(l, out); err != nil || again != out {
				t.Fatalf("not idempotent: %q → %q → %q, %v", s, out, again, err)
			}
		}
	})
}

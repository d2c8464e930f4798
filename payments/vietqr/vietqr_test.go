package vietqr

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

func TestCRC16CheckValue(t *testing.T) {
	// CRC-16/CCITT-FALSE catalogue check value (Greg Cook's CRC catalogue).
	if got := CRC16([]byte("123456789")); got != 0x29B1 {
		t.Fatalf("CRC16(123456789) = %04X, want 29B1", got)
	}
}

// published are payloads printed in public READMEs and tests; every CRC was
// recomputed here (TestPublishedPayloads) rather than trusted.
var published = []struct {
	name, source, payload string
	want                  Payment
	lowerCRC              bool // re-encodes identically except the CRC case
}{
	{"acb static", "vietnam-qr-pay README (npm)",
		"00020101021138530010A0000007270123000697041601092576788590208QRIBFTTA53037045802VN6304AE9F",
		Payment{BIN: "970416", Account: "257678859", Service: ServiceAccount, Currency: "704", Country: "VN", CRC: "AE9F"}, false},
	{"acb dynamic", "vietnam-qr-pay README (npm)",
		"00020101021238530010A0000007270123000697041601092576788590208QRIBFTTA53037045405100005802VN62150811Chuyen tien630453E6",
		Payment{BIN: "970416", Account: "257678859", Service: ServiceAccount, Dynamic: true, Amount: 10000, Currency: "704", Country: "VN", Purpose: "Chuyen tien", CRC: "53E6"}, false},
	{"acb 999999", "vietnam-qr-pay README (npm)",
		"00020101021238530010A0000007270123000697041601092576788590208QRIBFTTA530370454069999995802VN62140810Cam on nhe6304E786",
		Payment{BIN: "970416", Account: "257678859", Service: ServiceAccount, Dynamic: true, Amount: 999999, Currency: "704", Country: "VN", Purpose: "Cam on nhe", CRC: "E786"}, false},
	{"momo via bvbank", "vietnam-qr-pay README (npm)",
		"00020101021138620010A00000072701320006970454011899MM24011M348750800208QRIBFTTA53037045802VN62190515MOMOW2W3487508080030466304EBC8",
		Payment{BIN: "970454", Account: "99MM24011M34875080", Service: ServiceAccount, Currency: "704", Country: "VN",
			AdditionalExtra: []TLV{{"05", "MOMOW2W34875080"}}, Extra: []TLV{{"80", "046"}}, CRC: "EBC8"}, false},
	{"zalopay via bvbank", "vietnam-qr-pay README (npm)",
		"00020101021138620010A00000072701320006970454011899ZP24009M072482670208QRIBFTTA53037045802VN6304073C",
		Payment{BIN: "970454", Account: "99ZP24009M07248267", Service: ServiceAccount, Currency: "704", Country: "VN", CRC: "073C"}, false},
	{"vietinbank 120000", "github.com/subiz/vietqr README",
		"00020101021238570010A00000072701270006970415011300110019324180208QRIBFTTA530370454061200005802VN62170813ung ho lu lut6304C15C",
		Payment{BIN: "970415", Account: "0011001932418", Service: ServiceAccount, Dynamic: true, Amount: 120000, Currency: "704", Country: "VN", Purpose: "ung ho lu lut", CRC: "C15C"}, false},
	{"payos mbbank", "payOS create-link response quoted in a public repo",
		"00020101021238570010A000000727012700069704220113VQRQABRLS04480208QRIBFTTA5303704540420005802VN6224082018f8746b181045f0a2ce63040FC0",
		Payment{BIN: "970422", Account: "VQRQABRLS0448", Service: ServiceAccount, Dynamic: true, Amount: 2000, Currency: "704", Country: "VN", Purpose: "18f8746b181045f0a2ce", CRC: "0FC0"}, false},
	{"agribank static", "public JS decoder comment",
		"00020101021138570010A00000072701270006970405011322082054793800208QRIBFTTA53037045802VN630497A6",
		Payment{BIN: "970405", Account: "2208205479380", Service: ServiceAccount, Currency: "704", Country: "VN", CRC: "97A6"}, false},
	{"mbbank lower-case crc", "public JS decoder comment (bank app output)",
		"00020101021138540010A00000072701240006970422011009119673630208QRIBFTTA53037045802VN63046ad9",
		Payment{BIN: "970422", Account: "0911967363", Service: ServiceAccount, Currency: "704", Country: "VN", CRC: "6ad9"}, true},
}

func TestPublishedPayloads(t *testing.T) {
	for _, tc := range published {
		t.Run(tc.name, func(t *testing.T) {
			if !CRCValid(tc.payload) {
				t.Fatalf("CRC of published payload (%s) does not verify", tc.source)
			}
			got, err := Decode(tc.payload)
			if err != nil {
				t.Fatalf("Decode: %v", err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("Decode =\n %+v\nwant\n %+v", got, tc.want)
			}
			enc, err := Encode(got)
			if err != nil {
				t.Fatalf("Encode: %v", err)
			}
			want := tc.payload
			if tc.lowerCRC {
				want = strings.ToUpper(want[len(want)-4:])
				want = tc.payload[:len(tc.payload)-4] + want
			}
			if enc != want {
				t.Fatalf("re-encode:\n got %s\nwant %s", enc, want)
			}
		})
	}
}

// TestPublishedBadPayloads: published examples that are wrong, each rejected
// with the right error.
func TestPublishedBadPayloads(t *testing.T) {
	for _, tc := range []struct {
		name, source, payload string
		want                  error
		offset                int // -1 when not a SyntaxError
	}{
		// A placeholder CRC in a C# test fixture: computed CRC is 8DF2.
		{"placeholder crc ABCD", "public C# test fixture",
			"00020101021238540010A00000072701240006970436011012345678900208QRIBFTTA53037045802VN6304ABCD", ErrCRC, -1},
		// Tag 54 says 06 but 7 digits follow ("2500000"), so the next ID is "05" of length 80.
		{"amount length off by one", "public Java sample",
			"00020101021238540010A00000072701240006970422011009447998190208QRIBFTTA5303704540625000005802VN62060802Qr63044274", ErrMalformed, 89},
		// Payload format indicator "00" instead of "01".
		{"format indicator 00", "public Go parser README",
			"00020001021238570010A00000072701270006970436011308810004580860208QRIBFTTA53037045802VN6304CD60", ErrMalformed, 0},
		// A unit-test expectation with no CRC at all.
		{"no crc", "public JS unit test",
			"00020101021238570010A00000072701270006970403011300110123456780208QRIBFTTA530370454061800005802VN62340107NPS68690819thanh toan don hang", ErrMalformed, 96},
		// A VNPAY merchant QR (GUID A000000775 in tag 26), not VietQR.
		{"vnpay merchant", "vietnam-qr-pay README (npm)",
			"00020101021126280010A0000007750110010531314453037045408210900005802VN5910CELLPHONES62600312CPSHN ONLINE0517021908061613127850705ONLHN0810CellphoneS63047685", ErrNotVietQR, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Decode(tc.payload)
			if !errors.Is(err, tc.want) {
				t.Fatalf("Decode error = %v, want %v", err, tc.want)
			}
			var se *SyntaxError
			if tc.offset >= 0 && (!errors.As(err, &se) || se.Offset != tc.offset) {
				t.Fatalf("Decode error = %v, want offset %d", err, tc.offset)
			}
		})
	}
}

func TestEncode(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   Payment
		want string // payload without the CRC; the CRC is checked separately
	}{
		{"static account", Payment{BIN: "970436", Account: "0011001234567"},
			"00020101021138570010A00000072701270006970436011300110012345670208QRIBFTTA53037045802VN6304"},
		{"card", Payment{BIN: "970436", Account: "9704366614522301", Service: ServiceCard},
			"00020101021138600010A00000072701300006970436011697043666145223010208QRIBFTTC53037045802VN6304"},
		{"dynamic with bill and folded purpose", Payment{BIN: "970418", Account: "12345678", Amount: 50000, Bill: "K06A7X2Q", Purpose: "Viện phí Đà Nẵng"},
			"00020101021238520010A0000007270122000697041801081234567802" + "08QRIBFTTA5303704540550000" + "5802VN62320108K06A7X2Q0816Vien phi Da Nang6304"},
		{"dynamic without amount, name and city", Payment{BIN: "970422", Account: "0911967363", Dynamic: true, Name: "BỆNH VIỆN A", City: "Huế", MCC: "8062"},
			"00020101021238540010A00000072701240006970422011009119673630208QRIBFTTA5204806253037045802VN5911BENH VIEN A6003Hue6304"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Encode(tc.in)
			if err != nil {
				t.Fatalf("Encode: %v", err)
			}
			if got[:len(got)-4] != tc.want {
				t.Fatalf("Encode:\n got %s\nwant %s", got[:len(got)-4], tc.want)
			}
			if crc := got[len(got)-4:]; !CRCValid(got) || crc != strings.ToUpper(crc) {
				t.Fatalf("CRC of %s does not verify", got)
			}
			if _, err := Decode(got); err != nil {
				t.Fatalf("Decode(Encode()) = %v", err)
			}
		})
	}
}

func TestEncodeRejects(t *testing.T) {
	ok := Payment{BIN: "970436", Account: "0011001234567"}
	for _, tc := range []struct {
		name string
		mod  func(*Payment)
	}{
		{"short BIN", func(p *Payment) { p.BIN = "97043" }},
		{"letters in BIN", func(p *Payment) { p.BIN = "97043A" }},
		{"no account", func(p *Payment) { p.Account = "" }},
		{"account too long", func(p *Payment) { p.Account = strings.Repeat("1", 20) }},
		{"account with space", func(p *Payment) { p.Account = "0011 001" }},
		{"negative amount", func(p *Payment) { p.Amount = -1 }},
		{"amount 14 digits", func(p *Payment) { p.Amount = 10_000_000_000_000 }},
		{"bill too long", func(p *Payment) { p.Bill = strings.Repeat("B", 26) }},
		{"purpose not foldable", func(p *Payment) { p.Purpose = "phí 🚑" }},
		{"bad service", func(p *Payment) { p.Service = "QRPUSH" }},
		{"extra reuses 54", func(p *Payment) { p.Extra = []TLV{{"54", "1"}} }},
		{"extra too long", func(p *Payment) { p.Extra = []TLV{{"80", strings.Repeat("x", 100)}} }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := ok
			tc.mod(&p)
			if _, err := Encode(p); !errors.Is(err, ErrInvalid) {
				t.Fatalf("Encode error = %v, want ErrInvalid", err)
			}
		})
	}
}

// withCRC appends a correct tag 63 to body.
func withCRC(body string) string {
	body += "6304"
	return body + strings.ToUpper(hex4(CRC16([]byte(body))))
}

func hex4(v uint16) string {
	const digits = "0123456789ABCDEF"
	return string([]byte{digits[v>>12], digits[v>>8&15], digits[v>>4&15], digits[v&15]})
}

func TestDecodeTolerant(t *testing.T) {
	// 58 before 53 and 62 before 54: real bank apps do this.
	p, err := Decode(withCRC("000201010212" + "38540010A00000072701240006970422011009119673630208QRIBFTTA" + "5802VN" + "62060802Qr" + "5303704" + "540550000"))
	if err != nil {
		t.Fatalf("Decode out-of-order: %v", err)
	}
	if p.Amount != 50000 || p.Purpose != "Qr" || p.Country != "VN" {
		t.Fatalf("Decode out-of-order = %+v", p)
	}
}

func TestDecodeErrors(t *testing.T) {
	napas := "38540010A00000072701240006970422011009119673630208QRIBFTTA"
	for _, tc := range []struct {
		name    string
		payload string
		want    error
		offset  int
	}{
		{"empty", "", ErrMalformed, 0},
		{"truncated header", "00020", ErrMalformed, 2},
		{"letters in length", "00020101X211", ErrMalformed, 8},
		{"length past end", "000201015011", ErrMalformed, 8},
		{"zero length", withCRC("000201" + "0100"), ErrMalformed, 8},
		{"00 not first", withCRC("010211000201" + napas), ErrMalformed, 0},
		{"63 not last", "000201" + napas + "63041234" + "5802VN", ErrMalformed, 72},
		{"crc not hex", "000201" + napas + "6304XYZ1", ErrMalformed, 64},
		{"duplicate tag", withCRC("000201" + napas + "5802VN5802VN"), ErrMalformed, 70},
		{"bad initiation", withCRC("000201010213" + napas), ErrMalformed, 10},
		{"bad BIN", withCRC("000201" + strings.Replace(napas, "970422", "97042X", 1)), ErrMalformed, 32},
		{"missing service", withCRC("000201" + "38420010A000000727012400069704220110091196736353037045802VN"), ErrMalformed, 10},
		{"wrong GUID", withCRC("000201" + strings.Replace(napas, "A000000727", "A000000775", 1)), ErrNotVietQR, 10},
		{"amount with decimals", withCRC("000201" + napas + "540710000.5"), ErrMalformed, 68},
		{"amount leading zero", withCRC("000201" + napas + "5403010"), ErrMalformed, 68},
		{"nested length past end", withCRC("000201" + "38180010A0000007270199"), ErrMalformed, 26},
		{"crc mismatch", "000201" + napas + "63041234", ErrCRC, -1},
		{"oversize", strings.Repeat("0", maxPayload+1), ErrMalformed, maxPayload},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Decode(tc.payload)
			if !errors.Is(err, tc.want) {
				t.Fatalf("Decode error = %v, want %v", err, tc.want)
			}
			var se *SyntaxError
			if tc.offset >= 0 {
				if !errors.As(err, &se) || se.Offset != tc.offset {
					t.Fatalf("Decode error = %v, want offset %d", err, tc.offset)
				}
			}
		})
	}
}

func TestFoldASCII(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"Đặng Thị Ánh Tuyết", "Dang Thi Anh Tuyet"},
		{"đường Trần Hưng Đạo", "duong Tran Hung Dao"},
		{"Nguyễn Văn Ượng", "Nguyen Van Uong"},
		{"THANH TOÁN VIỆN PHÍ", "THANH TOAN VIEN PHI"},
		{"Hu\u0065\u0302\u0301", "Hue"}, // decomposed ế
		{"plain ASCII 123", "plain ASCII 123"},
	} {
		got, err := FoldASCII(tc.in)
		if err != nil || got != tc.want {
			t.Errorf("FoldASCII(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
		}
	}
	for _, bad := range []string{"tab\there", "€", "\xff"} {
		if _, err := FoldASCII(bad); !errors.Is(err, ErrInvalid) {
			t.Errorf("FoldASCII(%q) error = %v, want ErrInvalid", bad, err)
		}
	}
}

func TestBanks(t *testing.T) {
	banks := Banks()
	if len(banks) < 50 {
		t.Fatalf("only %d banks in the table", len(banks))
	}
	seen := map[string]bool{}
	for _, b := range banks {
		if len(b.BIN) != 6 || !isDigits(b.BIN) || b.Short == "" || b.Name == "" {
			t.Errorf("bad row %+v", b)
		}
		if seen[b.BIN] {
			t.Errorf("duplicate BIN %s", b.BIN)
		}
		seen[b.BIN] = true
	}
	for bin, short := range map[string]string{"970436": "Vietcombank", "970415": "VietinBank", "970418": "BIDV", "970405": "Agribank", "970422": "MBBank"} {
		if b, ok := LookupBank(bin); !ok || b.Short != short {
			t.Errorf("LookupBank(%s) = %+v, %v; want %s", bin, b, ok, short)
		}
	}
	if _, ok := LookupBank("000000"); ok {
		t.Error("LookupBank(000000) found a bank")
	}
}

func FuzzDecode(f *testing.F) {
	for _, p := range published {
		f.Add(p.payload)
	}
	f.Add("000201")
	f.Add("00020101021138")
	f.Fuzz(func(t *testing.T, s string) {
		p, err := Decode(s)
		if err != nil {
			if p.CRC == "" && p.BIN != "" {
				t.Fatalf("Decode(%q) returned fields with a non-CRC error %v", s, err)
			}
			return
		}
		enc, err := Encode(p)
		if err != nil {
			return // decoded values Encode refuses (e.g. an over-long purpose)
		}
		p2, err := Decode(enc)
		if err != nil {
			t.Fatalf("Decode(Encode(Decode(%q))) = %v", s, err)
		}
		if p2.BIN != p.BIN || p2.Account != p.Account || p2.Amount != p.Amount || p2.Service != p.Service {
			t.Fatalf("round trip changed %+v to %+v", p, p2)
		}
		// Encode folds and orders once; after that it is a fixpoint.
		if enc2, err := Encode(p2); err != nil || enc2 != enc {
			t.Fatalf("Encode not a fixpoint:\n %s\n %s (%v)", enc, enc2, err)
		}
	})
}

func BenchmarkEncode(b *testing.B) {
	p := Payment{BIN: "970436", Account: "0011001234567", Amount: 50000, Bill: "K06A7X2Q", Purpose: "Vien phi"}
	for b.Loop() {
		if _, err := Encode(p); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecode(b *testing.B) {
	s := published[1].payload
	for b.Loop() {
		if _, err := Decode(s); err != nil {
			b.Fatal(err)
		}
	}
}

package tariff

import (
	"errors"
	"testing"
	"time"
)

// at builds a time in Asia/Ho_Chi_Minh.
func at(y int, mo time.Month, d, h, mi int) time.Time {
	return time.Date(y, mo, d, h, mi, 0, 0, Location())
}

func TestLocationMatchesTZDB(t *testing.T) {
	tz, err := time.LoadLocation("Asia/Ho_Chi_Minh")
	if err != nil {
		t.Skipf("no tzdata on this machine to compare with: %v", err)
	}
	for _, ts := range []time.Time{at(2026, 1, 1, 0, 0), at(2026, 7, 1, 12, 0), at(2030, 3, 31, 2, 30)} {
		if _, off := ts.In(tz).Zone(); off != 7*3600 {
			t.Errorf("%v: tzdb offset %d, want +07:00 (no DST)", ts, off)
		}
	}
}

func TestVNDString(t *testing.T) {
	for v, want := range map[VND]string{0: "0 ₫", 500: "500 ₫", 5000: "5.000 ₫", 12000: "12.000 ₫", 1250000: "1.250.000 ₫", -8000: "-8.000 ₫"} {
		if got := v.String(); got != want {
			t.Errorf("VND(%d) = %q, want %q", int64(v), got, want)
		}
	}
}

func TestParkingMotorbike(t *testing.T) {
	p := DefaultParking()
	for _, tc := range []struct {
		name    string
		in, out time.Time
		lost    bool
		want    VND
	}{
		{"within grace", at(2026, 5, 4, 9, 0), at(2026, 5, 4, 9, 10), false, 0},
		{"just past grace", at(2026, 5, 4, 9, 0), at(2026, 5, 4, 9, 11), false, 5000},
		{"day visit", at(2026, 5, 4, 7, 0), at(2026, 5, 4, 11, 0), false, 5000},
		{"enter at 06:00 exactly is day", at(2026, 5, 4, 6, 0), at(2026, 5, 4, 9, 0), false, 5000},
		{"leave at 18:00 exactly is day", at(2026, 5, 4, 15, 0), at(2026, 5, 4, 18, 0), false, 5000},
		{"leave 18:01 crosses into night", at(2026, 5, 4, 15, 0), at(2026, 5, 4, 18, 1), false, 12000},
		{"enter 05:59 crosses into day", at(2026, 5, 4, 5, 30), at(2026, 5, 4, 6, 30), false, 12000},
		{"enter at 18:00 is night", at(2026, 5, 4, 18, 0), at(2026, 5, 4, 21, 0), false, 8000},
		{"night across midnight", at(2026, 5, 4, 22, 0), at(2026, 5, 5, 5, 0), false, 8000},
		{"night until 06:00 exactly", at(2026, 5, 4, 19, 0), at(2026, 5, 5, 6, 0), false, 8000},
		{"overnight into morning", at(2026, 5, 4, 19, 0), at(2026, 5, 5, 8, 0), false, 12000},
		{"day into night into day", at(2026, 5, 4, 17, 0), at(2026, 5, 5, 7, 0), false, 12000},
		{"exactly 24 h", at(2026, 5, 4, 8, 0), at(2026, 5, 5, 8, 0), false, 12000},
		{"24 h + day remainder", at(2026, 5, 4, 8, 0), at(2026, 5, 5, 10, 0), false, 12000 + 5000},
		{"3 days over month end", at(2026, 1, 30, 20, 0), at(2026, 2, 2, 21, 0), false, 3*12000 + 8000},
		{"year end night", at(2026, 12, 31, 23, 0), at(2027, 1, 1, 1, 0), false, 8000},
		{"lost ticket", at(2026, 5, 4, 7, 0), at(2026, 5, 4, 11, 0), true, 5000 + 50000},
		{"lost ticket within grace still pays", at(2026, 5, 4, 7, 0), at(2026, 5, 4, 7, 5), true, 5000 + 50000},
		{"UTC inputs are read in local time", at(2026, 5, 4, 20, 0).UTC(), at(2026, 5, 4, 23, 0).UTC(), false, 8000},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := p.Fee(Motorbike, tc.in, tc.out, tc.lost)
			if err != nil {
				t.Fatal(err)
			}
			if c.Total != tc.want {
				t.Fatalf("Fee = %v (%+v), want %v", c.Total, c.Lines, tc.want)
			}
		})
	}
}

func TestParkingCar(t *testing.T) {
	p := DefaultParking()
	for _, tc := range []struct {
		name string
		stay time.Duration
		want VND
	}{
		{"grace", 10 * time.Minute, 0},
		{"first block", 2 * time.Hour, 25000},
		{"one minute into next hour", 2*time.Hour + time.Minute, 35000},
		{"5 h", 5 * time.Hour, 25000 + 3*10000},
		{"capped day", 23 * time.Hour, 200000},
		{"two days and 1 h", 49 * time.Hour, 2*200000 + 25000},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := at(2026, 2, 28, 23, 30) // month end, across midnight
			c, err := p.Fee(Car, in, in.Add(tc.stay), false)
			if err != nil {
				t.Fatal(err)
			}
			if c.Total != tc.want {
				t.Fatalf("Fee = %v (%+v), want %v", c.Total, c.Lines, tc.want)
			}
		})
	}
}

func TestParkingErrors(t *testing.T) {
	p := DefaultParking()
	if _, err := p.Fee("truck", at(2026, 1, 1, 8, 0), at(2026, 1, 1, 9, 0), false); !errors.Is(err, ErrUnknownVehicle) {
		t.Errorf("truck: %v", err)
	}
	if _, err := p.Fee(Car, at(2026, 1, 1, 9, 0), at(2026, 1, 1, 8, 0), false); !errors.Is(err, ErrBadInterval) {
		t.Errorf("clock went back: %v", err)
	}
	if _, err := p.FeeFor(Car, at(2026, 1, 1, 9, 0), -time.Minute, false); !errors.Is(err, ErrBadInterval) {
		t.Errorf("negative stay: %v", err)
	}
	bad := DefaultParking()
	bad.NightStart = 5 * time.Hour
	if _, err := bad.Fee(Motorbike, at(2026, 1, 1, 8, 0), at(2026, 1, 1, 9, 0), false); !errors.Is(err, ErrConfig) {
		t.Errorf("bad windows: %v", err)
	}
}

func TestBusFare(t *testing.T) {
	b := Bus{Routes: map[string]VND{"01": 7000, "152": 5000}, Concessions: DefaultConcessions()}
	ride := at(2026, 3, 15, 7, 30)
	for _, tc := range []struct {
		name  string
		route string
		rider Rider
		when  time.Time
		want  VND
		code  string
	}{
		{"adult, unknown age", "01", Rider{}, ride, 7000, "bus.fare"},
		{"adult 35", "01", Rider{BirthDate: at(1990, 6, 1, 0, 0)}, ride, 7000, "bus.fare"},
		{"60 today", "01", Rider{BirthDate: at(1966, 3, 15, 0, 0)}, ride, 0, "bus.concession.elderly60"},
		{"60 tomorrow", "01", Rider{BirthDate: at(1966, 3, 16, 0, 0)}, ride, 7000, "bus.fare"},
		{"5 years old", "152", Rider{BirthDate: at(2020, 12, 1, 0, 0)}, ride, 0, "bus.concession.child6"},
		{"6 today", "152", Rider{BirthDate: at(2020, 3, 15, 0, 0)}, ride, 5000, "bus.fare"},
		{"6th birthday at 00:30 local (17:30 UTC the day before)", "152", Rider{BirthDate: at(2020, 3, 16, 0, 0)}, at(2026, 3, 16, 0, 30).UTC(), 5000, "bus.fare"},
		{"pass for the route", "01", Rider{Passes: []MonthlyPass{{Route: "01", Year: 2026, Month: 3}}}, ride, 0, "bus.pass"},
		{"pass for another route", "152", Rider{Passes: []MonthlyPass{{Route: "01", Year: 2026, Month: 3}}}, ride, 5000, "bus.fare"},
		{"all-route pass, last minute of month", "152", Rider{Passes: []MonthlyPass{{Year: 2026, Month: 1}}}, at(2026, 1, 31, 23, 59), 0, "bus.pass"},
		{"all-route pass, first minute of next month", "152", Rider{Passes: []MonthlyPass{{Year: 2026, Month: 1}}}, at(2026, 2, 1, 0, 0), 5000, "bus.fare"},
		{"pass month read in local time, not UTC", "152", Rider{Passes: []MonthlyPass{{Year: 2026, Month: 2}}}, at(2026, 2, 1, 3, 0).UTC(), 0, "bus.pass"},
		{"leap day birthday, 29 Feb 1964 rides 28 Feb 2024", "01", Rider{BirthDate: at(1964, 2, 29, 0, 0)}, at(2024, 2, 28, 9, 0), 7000, "bus.fare"},
		{"leap day birthday, rides 29 Feb 2024", "01", Rider{BirthDate: at(1964, 2, 29, 0, 0)}, at(2024, 2, 29, 9, 0), 0, "bus.concession.elderly60"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := b.Fare(tc.route, tc.rider, tc.when)
			if err != nil {
				t.Fatal(err)
			}
			if c.Total != tc.want || len(c.Lines) != 1 || c.Lines[0].Code != tc.code {
				t.Fatalf("Fare = %v %+v, want %v %s", c.Total, c.Lines, tc.want, tc.code)
			}
		})
	}
	if _, err := b.Fare("99", Rider{}, ride); !errors.Is(err, ErrUnknownRoute) {
		t.Errorf("unknown route: %v", err)
	}
	// Configurable: a half-fare student concession instead of the defaults.
	b.Concessions = []Concession{{Code: "student", Text: "HSSV", MinAge: 6, MaxAge: 23, Fare: 3000}}
	if c, _ := b.Fare("01", Rider{BirthDate: at(2008, 1, 1, 0, 0)}, ride); c.Total != 3000 {
		t.Errorf("student fare = %v, want 3000", c.Total)
	}
	if c, _ := b.Fare("01", Rider{BirthDate: at(1950, 1, 1, 0, 0)}, ride); c.Total != 7000 {
		t.Errorf("elderly without the default concession = %v, want 7000", c.Total)
	}
}

func TestHospitalBill(t *testing.T) {
	lines := []FeeLine{
		{Code: "KB", Name: "Khám bệnh", Quantity: 1, UnitPrice: 39000, InsurancePays: 31200, PatientPays: 7800},
		{Code: "XN01", Name: "Tổng phân tích tế bào máu", Quantity: 1, UnitPrice: 46200, PatientPays: 46200},
		{Code: "TH", Name: "Thuốc", Quantity: 20, UnitPrice: 1500, InsurancePays: 24000, PatientPays: 6000},
	}
	c, err := HospitalBill(lines)
	if err != nil || c.Total != 7800+46200+6000 || len(c.Lines) != 3 {
		t.Fatalf("HospitalBill = %+v, %v", c, err)
	}
	for _, bad := range []FeeLine{
		{Code: "X", Quantity: 1, UnitPrice: 1000, PatientPays: 900},
		{Code: "X", Quantity: 0, UnitPrice: 1000, PatientPays: 0},
		{Code: "X", Quantity: 1, UnitPrice: -5, PatientPays: -5},
		{Code: "X", Quantity: 1 << 40, UnitPrice: 1 << 40, PatientPays: 0},
	} {
		if _, err := HospitalBill([]FeeLine{bad}); !errors.Is(err, ErrBadFeeLine) {
			t.Errorf("HospitalBill(%+v) = %v, want ErrBadFeeLine", bad, err)
		}
	}
}

func TestCoPay(t *testing.T) {
	for _, tc := range []struct {
		fee      VND
		pct      int
		ins, pat VND
	}{
		{50000, 80, 40000, 10000},
		{45000, 80, 36000, 9000},
		{50000, 95, 47500, 2500},
		{50000, 100, 50000, 0},
		{50000, 0, 0, 50000},
		{33333, 80, 26666, 6667},
		{50000, 150, 50000, 0},
		{0, 80, 0, 0},
		{-5, 80, 0, 0},
	} {
		ins, pat := CoPay(tc.fee, tc.pct)
		if ins != tc.ins || pat != tc.pat {
			t.Errorf("CoPay(%d, %d) = %d, %d; want %d, %d", tc.fee, tc.pct, ins, pat, tc.ins, tc.pat)
		}
	}
}

// TestParkingFeeFor: a stay measured as a duration is priced like the
// same stay between two wall times, its day and night windows counted from
// the entry's wall time.
func TestParkingFeeFor(t *testing.T) {
	p := DefaultParking()
	tests := []struct {
		v    Vehicle
		in   time.Time
		stay time.Duration
		want VND
	}{
		{Motorbike, at(2026, 1, 1, 17, 0), 2 * time.Hour, 12000}, // into the night window
		{Motorbike, at(2026, 1, 1, 8, 0), 2 * time.Hour, 5000},
		{Motorbike, at(2026, 1, 1, 8, 0), 5 * time.Minute, 0},
		{Car, at(2026, 1, 1, 8, 0), 3 * time.Hour, 35000},
		{Car, at(2026, 1, 1, 8, 0), 26 * time.Hour, 225000},
	}
	for _, tc := range tests {
		got, err := p.FeeFor(tc.v, tc.in, tc.stay, false)
		if err != nil || got.Total != tc.want {
			t.Errorf("%s in %s for %v: %v, %v; want %v", tc.v, tc.in.Format(time.DateTime), tc.stay, got.Total, err, tc.want)
		}
		old, _ := p.Fee(tc.v, tc.in, tc.in.Add(tc.stay), false)
		if old.Total != got.Total {
			t.Errorf("%s in %s for %v: Fee %v, FeeFor %v", tc.v, tc.in.Format(time.DateTime), tc.stay, old.Total, got.Total)
		}
	}
}

package catalog

import (
	"fmt"
	"time"

	"github.com/kiosk06/kiosk/payments/tariff"
)

// Sample returns a made-up but realistic catalogue with n departures
// starting on the local day of now: a sleeper-coach company on Hà Nội –
// Vinh and Hà Nội – Hải Phòng, the railway's Hà Nội – Đà Nẵng trains, and
// a city bus company's monthly passes and single rides. The simulated
// backend serves it; benchmarks search it.
func Sample(now time.Time, n int) *Catalogue {
	loc := tariff.Location()
	d := now.In(loc)
	day0 := time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, loc)
	c := &Catalogue{Version: 1, Issued: now.UTC(), ValidUntil: now.UTC().Add(7 * 24 * time.Hour)}
	c.Operators = []Operator{
		{ID: "hoanglong", Name: "Nhà xe Hoàng Long", Phone: "1900 xxxx", Round: 1000,
			Concessions: concessions(tariff.SampleFares()),
			Refund: []RefundRule{
				{MinutesBefore: 24 * 60, FeePercent: 10, Text: "Trả vé trước giờ khởi hành từ 24 giờ trở lên: phí 10%"},
				{MinutesBefore: 4 * 60, FeePercent: 30, Text: "Trả vé trước giờ khởi hành từ 4 đến dưới 24 giờ: phí 30%"},
			}},
		{ID: "dsvn", Name: "Đường sắt Việt Nam", Phone: "1900 0109", Round: 1000,
			Concessions: concessions(tariff.SampleFares()),
			Refund: []RefundRule{
				{MinutesBefore: 24 * 60, FeePercent: 10, Text: "Trả vé trước giờ tàu chạy từ 24 giờ trở lên: phí 10%"},
				{MinutesBefore: 4 * 60, FeePercent: 20, Text: "Trả vé trước giờ tàu chạy từ 4 đến dưới 24 giờ: phí 20%"},
			}},
		{ID: "buyt", Name: "Xe buýt thành phố", Phone: "1900 xxxx", Round: 1000,
			Concessions: []Concession{
				{Code: "elderly", Text: "Người cao tuổi (từ đủ 60 tuổi)", MinAge: 60, Percent: 100},
				{Code: "child", Text: "Trẻ em dưới 6 tuổi", MaxAge: 6, Percent: 100},
				{Code: "student", Text: "Học sinh, sinh viên", Declared: true, Proof: "Thẻ học sinh, sinh viên", Percent: 50},
				{Code: "disability", Text: "Người khuyết tật", Declared: true, Proof: "Giấy xác nhận khuyết tật", Percent: 100},
			}},
	}
	c.Stops = []Stop{
		{ID: "HN-MD", Name: "Bến xe Mỹ Đình", Province: "Hà Nội", Address: "20 Phạm Hùng, Nam Từ Liêm, Hà Nội"},
		{ID: "HN-GB", Name: "Bến xe Giáp Bát", Province: "Hà Nội", Address: "Km6 Giải Phóng, Hoàng Mai, Hà Nội"},
		{ID: "NB", Name: "Bến xe Ninh Bình", Province: "Ninh Bình"},
		{ID: "TH", Name: "Bến xe phía Bắc Thanh Hóa", Province: "Thanh Hóa"},
		{ID: "VINH", Name: "Bến xe Vinh", Province: "Nghệ An"},
		{ID: "HP", Name: "Bến xe Niệm Nghĩa", Province: "Hải Phòng"},
		{ID: "GA-HN", Name: "Ga Hà Nội", Province: "Hà Nội", Address: "120 Lê Duẩn, Hoàn Kiếm, Hà Nội"},
		{ID: "GA-ND", Name: "Ga Nam Định", Province: "Nam Định"},
		{ID: "GA-NB", Name: "Ga Ninh Bình", Province: "Ninh Bình"},
		{ID: "GA-TH", Name: "Ga Thanh Hóa", Province: "Thanh Hóa"},
		{ID: "GA-VINH", Name: "Ga Vinh", Province: "Nghệ An"},
		{ID: "GA-DH", Name: "Ga Đồng Hới", Province: "Quảng Bình"},
		{ID: "GA-HUE", Name: "Ga Huế", Province: "Thừa Thiên Huế"},
		{ID: "GA-DN", Name: "Ga Đà Nẵng", Province: "Đà Nẵng"},
	}
	c.Routes = []Route{
		{ID: "HL-HN-VINH", Operator: "hoanglong", Mode: ModeCoach, Name: "Hà Nội – Vinh", Stops: []string{"HN-MD", "HN-GB", "NB", "TH", "VINH"}},
		{ID: "HL-HN-HP", Operator: "hoanglong", Mode: ModeCoach, Name: "Hà Nội – Hải Phòng", Stops: []string{"HN-MD", "HN-GB", "HP"}},
		{ID: "SE-HN-DN", Operator: "dsvn", Mode: ModeTrain, Name: "Hà Nội – Đà Nẵng", Stops: []string{"GA-HN", "GA-ND", "GA-NB", "GA-TH", "GA-VINH", "GA-DH", "GA-HUE", "GA-DN"}},
		{ID: "BUS-32", Operator: "buyt", Mode: ModeBus, Name: "Tuyến 32: Giáp Bát – Nhổn", Stops: []string{"HN-GB"}, Code: "32"},
		{ID: "BUS-47", Operator: "buyt", Mode: ModeBus, Name: "Tuyến 47: Long Biên – Bát Tràng", Stops: []string{"HN-GB"}, Code: "47"},
	}
	c.SeatMaps = []SeatMap{coachSleeper(), trainCars()}
	c.Products = []Product{
		{ID: "BUS-M-ALL", Operator: "buyt", Kind: ProductMonthly, Mode: ModeBus, Name: "Vé tháng liên tuyến", Price: 200000, Offline: true},
		{ID: "BUS-M-32", Operator: "buyt", Kind: ProductMonthly, Mode: ModeBus, Route: "BUS-32", Name: "Vé tháng tuyến 32", Price: 100000, Offline: true},
		{ID: "BUS-R-47", Operator: "buyt", Kind: ProductRide, Mode: ModeBus, Route: "BUS-47", Name: "Vé lượt tuyến 47", Price: 7000, ValidDays: 1, Offline: true},
	}
	// Per day: 48 coaches to Vinh, 12 to Hải Phòng, 6 trains.
	const perDay = 66
	c.Departures = make([]Departure, 0, n)
	for i := range n {
		day, k := day0.AddDate(0, 0, i/perDay), i%perDay
		switch {
		case k < 48:
			c.Departures = append(c.Departures, coach(day, "HL-HN-VINH", k, 5*time.Hour+time.Duration(k)*20*time.Minute,
				[]time.Duration{0, 40 * time.Minute, 2 * time.Hour, 3*time.Hour + 20*time.Minute, 6 * time.Hour},
				[]int64{0, 0, 120000, 180000, 280000}))
		case k < 60:
			k -= 48
			c.Departures = append(c.Departures, coach(day, "HL-HN-HP", k, 6*time.Hour+time.Duration(k)*75*time.Minute,
				[]time.Duration{0, 40 * time.Minute, 2*time.Hour + 30*time.Minute}, []int64{0, 0, 120000}))
		default:
			k -= 60
			c.Departures = append(c.Departures, train(day, k))
		}
	}
	return c
}

func concessions(f tariff.Fares) []Concession {
	var out []Concession
	for _, k := range f.Categories {
		out = append(out, Concession{Code: k.Code, Text: k.Text, MinAge: k.MinAge, MaxAge: k.MaxAge, Declared: k.Declared,
			Proof: k.Proof, Percent: k.Percent, Price: int64(k.Price)})
	}
	return out
}

// coachSleeper is a 40-berth sleeper coach: 20 berths on each deck.
func coachSleeper() SeatMap {
	m := SeatMap{ID: "coach-sleeper-40", Mode: ModeCoach,
		Classes: map[string]string{"giuong_duoi": "Giường tầng dưới", "giuong_tren": "Giường tầng trên"}}
	for deck, prefix := range []string{"A", "B"} {
		car := Car{Name: []string{"Tầng dưới", "Tầng trên"}[deck]}
		class := []string{"giuong_duoi", "giuong_tren"}[deck]
		for i := range 20 {
			car.Seats = append(car.Seats, Seat{ID: fmt.Sprintf("%s%02d", prefix, i+1), Class: class, Row: i / 3, Col: i % 3})
		}
		m.Cars = append(m.Cars, car)
	}
	return m
}

// trainCars is a soft-seat car (56 seats) and a six-berth sleeper (42).
func trainCars() SeatMap {
	m := SeatMap{ID: "train-se", Mode: ModeTrain, Classes: map[string]string{"ngoi_mem": "Ngồi mềm điều hòa", "nam_k6": "Nằm khoang 6 điều hòa"}}
	seats := Car{Name: "Toa 1"}
	for i := range 56 {
		seats.Seats = append(seats.Seats, Seat{ID: fmt.Sprintf("1-%02d", i+1), Class: "ngoi_mem", Row: i / 4, Col: i % 4})
	}
	berths := Car{Name: "Toa 2"}
	for i := range 42 {
		berths.Seats = append(berths.Seats, Seat{ID: fmt.Sprintf("2-%02d", i+1), Class: "nam_k6", Row: i / 6, Col: i % 6})
	}
	m.Cars = []Car{seats, berths}
	return m
}

// coach is run k of route on day, leaving at start, calling at offsets,
// with the fare from its first call to each call (the same fare from the
// second Hà Nội station; later boarding pays the difference).
func coach(day time.Time, route string, k int, start time.Duration, offsets []time.Duration, fromFirst []int64) Departure {
	d := Departure{ID: fmt.Sprintf("%s-%s-%02d", route, day.Format("20060102"), k), Route: route,
		Service: fmt.Sprintf("%s %s", route[3:], day.Add(start).Format("15:04")), SeatMap: "coach-sleeper-40"}
	r := sampleStops[route]
	for i, off := range offsets {
		cl := Call{Stop: r[i]}
		t := day.Add(start + off)
		if i > 0 {
			cl.Arrive = t
		}
		if i < len(offsets)-1 {
			cl.Depart = t.Add(5 * time.Minute * time.Duration(min(i, 1)))
		}
		d.Calls = append(d.Calls, cl)
	}
	for a := range offsets {
		for b := a + 1; b < len(offsets); b++ {
			amount := fromFirst[b] - fromFirst[a]
			if amount <= 0 {
				amount = fromFirst[b]
			}
			if amount <= 0 {
				continue
			}
			d.Fares = append(d.Fares, Fare{From: r[a], To: r[b], Class: "giuong_duoi", Amount: amount + 20000},
				Fare{From: r[a], To: r[b], Class: "giuong_tren", Amount: amount})
		}
	}
	return d
}

var sampleStops = map[string][]string{
	"HL-HN-VINH": {"HN-MD", "HN-GB", "NB", "TH", "VINH"},
	"HL-HN-HP":   {"HN-MD", "HN-GB", "HP"},
	"SE-HN-DN":   {"GA-HN", "GA-ND", "GA-NB", "GA-TH", "GA-VINH", "GA-DH", "GA-HUE", "GA-DN"},
}

// train is run k of the Hà Nội – Đà Nẵng train on day: fares by distance.
func train(day time.Time, k int) Departure {
	starts := []time.Duration{6 * time.Hour, 9 * time.Hour, 13 * time.Hour, 19*time.Hour + 30*time.Minute, 21 * time.Hour, 22*time.Hour + 20*time.Minute}
	names := []string{"SE19", "SE5", "SE7", "SE1", "SE3", "SE9"}
	km := []int64{0, 87, 115, 175, 319, 522, 688, 791}
	hours := []time.Duration{0, 100, 135, 210, 340, 560, 740, 880} // minutes
	d := Departure{ID: fmt.Sprintf("%s-%s", names[k], day.Format("20060102")), Route: "SE-HN-DN", Service: names[k], SeatMap: "train-se"}
	r := sampleStops["SE-HN-DN"]
	for i := range r {
		cl := Call{Stop: r[i]}
		t := day.Add(starts[k] + hours[i]*time.Minute)
		if i > 0 {
			cl.Arrive = t
		}
		if i < len(r)-1 {
			cl.Depart = t.Add(time.Duration(min(i, 1)) * 5 * time.Minute)
		}
		d.Calls = append(d.Calls, cl)
	}
	for a := range r {
		for b := a + 1; b < len(r); b++ {
			dist := km[b] - km[a]
			d.Fares = append(d.Fares, Fare{From: r[a], To: r[b], Class: "ngoi_mem", Amount: roundK(60000 + dist*800)},
				Fare{From: r[a], To: r[b], Class: "nam_k6", Amount: roundK(90000 + dist*1150)})
		}
	}
	return d
}

func roundK(v int64) int64 { return (v + 500) / 1000 * 1000 }

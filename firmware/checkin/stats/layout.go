package stats

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/kiosk06/kiosk/firmware/tickets"
)

// Metric is one row (printed) or column (CSV, XLSX) of a report.
type Metric struct {
	Key   string // stable: checkin.report's totals use it
	Label string // Vietnamese
	Value func(Counts) int
}

// Metrics of every report, then of each mode.
var (
	common = []Metric{
		{"reads", "Lượt đọc thẻ", func(c Counts) int { return c.Reads }},
		{"genuine", "Thẻ xác thực là thật", func(c Counts) int { return c.Genuine }},
		{"not_genuine", "Thẻ không hợp lệ", func(c Counts) int { return c.NotGenuine }},
		{"unverified", "Chưa xác thực được", func(c Counts) int { return c.Unverified }},
		{"holder_matched", "Vân tay khớp chủ thẻ", func(c Counts) int { return c.HolderMatched }},
		{"holder_mismatch", "Vân tay không khớp", func(c Counts) int { return c.HolderMismatch }},
	}
	byMode = map[string][]Metric{
		"lodging": {
			{"check_ins", "Lượt nhận phòng (lưu trú)", func(c Counts) int { return c.CheckIns }},
			{"check_outs", "Lượt trả phòng", func(c Counts) int { return c.CheckOuts }},
		},
		"verify": {
			{"verified", "Xác thực khách hàng thành công", func(c Counts) int { return c.Verified }},
			{"verify_failed", "Xác thực không thành công", func(c Counts) int { return c.VerifyFailed }},
		},
		"attendance": {
			{"accepted", "Thí sinh/học viên được điểm danh", func(c Counts) int { return c.Accepted }},
			{"refused", "Trường hợp bị từ chối", func(c Counts) int { return c.Refused }},
		},
		"gate": {
			{"entries", "Lượt vào", func(c Counts) int { return c.Entries }},
			{"exits", "Lượt ra", func(c Counts) int { return c.Exits }},
			{"gate_refused", "Lượt bị từ chối", func(c Counts) int { return c.GateRefused }},
			{"peak_occupancy", "Số người cao nhất cùng lúc", func(c Counts) int { return c.PeakOccupancy }},
		},
	}
)

// Metrics returns the metrics of a report for the modes a point runs.
func Metrics(modes ...string) []Metric {
	out := append([]Metric(nil), common...)
	for _, m := range modes {
		out = append(out, byMode[m]...)
	}
	return out
}

// Totals are a report's totals by metric key (checkin.report's payload).
func Totals(rep Report, ms []Metric) map[string]int {
	out := make(map[string]int, len(ms))
	for _, m := range ms {
		out[m.Key] = m.Value(rep.Total)
	}
	return out
}

// Title names the report by its period ("BÁO CÁO THỐNG KÊ TUẦN").
func Title(p Period) string {
	switch p.Kind {
	case PeriodDay:
		return "BÁO CÁO THỐNG KÊ NGÀY"
	case PeriodWeek:
		return "BÁO CÁO THỐNG KÊ TUẦN"
	case PeriodMonth, PeriodCalendar:
		return "BÁO CÁO THỐNG KÊ THÁNG"
	}
	return "BÁO CÁO THỐNG KÊ"
}

// PeriodText says the period in Vietnamese.
func PeriodText(p Period) string {
	if p.Kind == PeriodDay {
		return "Ngày " + p.From.Format("02/01/2006")
	}
	return "Từ " + p.From.Format("02/01/2006") + " đến " + p.To.Format("02/01/2006")
}

// Percent formats a rate the Vietnamese way: "98,3 %".
func Percent(r float64) string {
	return strings.Replace(strconv.FormatFloat(r*100, 'f', 1, 64), ".", ",", 1) + " %"
}

// Note is the report's warning when incomplete ("" when complete).
func Note(rep Report) string {
	if rep.Complete {
		return ""
	}
	return fmt.Sprintf("CHƯA ĐỦ SỐ LIỆU: máy chỉ còn dữ liệu từ %s", rep.CoveredFrom.Format("02/01/2006"))
}

// Table lays the report out as rows for CSV and XLSX: a title block, a
// header row (day, then one column per metric, then the genuine rate),
// one row per day, the total.
func Table(rep Report, ms []Metric, site string, generated time.Time) [][]Cell {
	rows := [][]Cell{
		{Bold(Title(rep.Period))},
		{Text("Đơn vị"), Text(site)},
		{Text("Kỳ báo cáo"), Text(PeriodText(rep.Period))},
		{Text("Lập lúc"), Text(generated.Format("02/01/2006 15:04"))},
	}
	if n := Note(rep); n != "" {
		rows = append(rows, []Cell{Bold(n)})
	}
	rows = append(rows, nil)
	head := []Cell{Bold("Ngày")}
	for _, m := range ms {
		head = append(head, Bold(m.Label))
	}
	head = append(head, Bold("Tỉ lệ thẻ thật (%)"))
	rows = append(rows, head)
	line := func(label Cell, c Counts) []Cell {
		row := []Cell{label}
		for _, m := range ms {
			row = append(row, Num(float64(m.Value(c))))
		}
		rate := 0.0
		if c.Reads > 0 {
			rate, _ = strconv.ParseFloat(strconv.FormatFloat(c.GenuineRate()*100, 'f', 1, 64), 64)
		}
		return append(row, Num(rate))
	}
	for _, d := range rep.Days {
		rows = append(rows, line(Text(d.Day.Format("02/01/2006")), d.Counts))
	}
	rows = append(rows, line(Bold("Tổng cộng"), rep.Total))
	rows = append(rows, nil, []Cell{Text("Số liệu tổng hợp từ bản ghi trên thiết bị; không chứa thông tin cá nhân.")})
	return rows
}

// Printed lays the report out for the slip printer: totals, then one short
// section per day with activity.
func Printed(rep Report, ms []Metric, site string, printedAt time.Time) tickets.Report {
	total := tickets.ReportSection{Title: "Tổng hợp"}
	for _, m := range ms {
		v := m.Value(rep.Total)
		s := strconv.Itoa(v)
		if m.Key == "genuine" && rep.Total.Reads > 0 {
			s += " (" + Percent(rep.Total.GenuineRate()) + ")"
		}
		total.Rows = append(total.Rows, tickets.ReportRow{Label: m.Label, Value: s})
	}
	out := tickets.Report{Title: Title(rep.Period), Site: site, Period: PeriodText(rep.Period), Sections: []tickets.ReportSection{total},
		Note: Note(rep), PrintedAt: printedAt}
	if rep.Period.Kind == PeriodDay {
		return out
	}
	for _, d := range rep.Days {
		if d.Reads == 0 && d.Entries == 0 && d.Exits == 0 {
			continue
		}
		sec := tickets.ReportSection{Title: d.Day.Format("02/01") + " " + weekday(d.Day.Weekday())}
		for _, m := range ms[:1] {
			sec.Rows = append(sec.Rows, tickets.ReportRow{Label: m.Label, Value: strconv.Itoa(m.Value(d.Counts))})
		}
		for _, m := range ms[len(common):] {
			sec.Rows = append(sec.Rows, tickets.ReportRow{Label: m.Label, Value: strconv.Itoa(m.Value(d.Counts))})
		}
		out.Sections = append(out.Sections, sec)
	}
	return out
}

func weekday(d time.Weekday) string {
	return [...]string{"Chủ nhật", "Thứ hai", "Thứ ba", "Thứ tư", "Thứ năm", "Thứ sáu", "Thứ bảy"}[d]
}

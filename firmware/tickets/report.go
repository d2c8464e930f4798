package tickets

import (
	"time"

	"github.com/kiosk06/kiosk/drivers/escpos"
)

// ReportRow is one line of a report: a label and its value, already
// formatted ("412", "98,3 %").
type ReportRow struct {
	Label, Value string
}

// ReportSection is a titled group of rows (the totals; one per day).
type ReportSection struct {
	Title string
	Rows  []ReportRow
}

// Report is a statistics report of a check-in point: aggregates only, no
// personal data.
type Report struct {
	Title    string // "BÁO CÁO THỐNG KÊ TUẦN"
	Site     string // the point's name
	Period   string // "Từ 16/11/2026 đến 22/11/2026"
	Sections []ReportSection
	// Note is printed in reverse when set: an incomplete period.
	Note      string
	PrintedAt time.Time
}

// StatsReport lays out a printed statistics report.
func StatsReport(h Header, r Report) *escpos.Document {
	d := &escpos.Document{}
	header(d, h)
	d.Add(escpos.Text{Text: r.Title, Size: escpos.SizeLarge, Bold: true, Align: escpos.AlignCenter, Fit: true})
	if r.Site != "" {
		d.Add(escpos.Text{Text: r.Site, Align: escpos.AlignCenter})
	}
	d.Add(escpos.Text{Text: r.Period, Bold: true, Align: escpos.AlignCenter})
	if r.Note != "" {
		d.Add(escpos.Text{Text: r.Note, Size: escpos.SizeSmall, Inverse: true, Align: escpos.AlignCenter})
	}
	for _, s := range r.Sections {
		d.Add(escpos.Rule{Dashed: true})
		if s.Title != "" {
			d.Add(escpos.Text{Text: s.Title, Bold: true})
		}
		for _, row := range s.Rows {
			d.Add(escpos.Row{Left: row.Label, Right: row.Value})
		}
	}
	footer(d, "In lúc "+FormatTime(r.PrintedAt)+". Số liệu tổng hợp, không chứa thông tin cá nhân.")
	return d
}

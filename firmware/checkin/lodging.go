package checkin

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/kiosk06/kiosk/firmware/checkin/stats"
	"github.com/kiosk06/kiosk/firmware/records"
	"github.com/kiosk06/kiosk/firmware/store"
)

// The stay notification (thông báo lưu trú). Luật Cư trú 2020 Điều 30
// khoản 3 says what it contains: "họ và tên, số định danh cá nhân hoặc số
// Chứng minh nhân dân, số hộ chiếu của người lưu trú; lý do lưu trú; thời
// gian lưu trú; địa chỉ lưu trú"; khoản 4 says when: before 23:00 of the
// day the stay begins, or before 08:00 the next day for a guest arriving
// after 23:00 (Thông tư 55/2021/TT-BCA Điều 15 lists the channels: the
// police office, phone or e-mail, the public service portals, the VNeID
// app). The ASM software's own import template is not public and could not
// be checked here, so the export below carries exactly the law's content
// plus what the VNeID form asks of a lodging (the establishment, the
// guest's date of birth, sex and nationality, the room), each column named
// in Vietnamese, with where its value comes from:
//
//	column                    source
//	STT                       row number
//	Họ và tên                 the chip's DG13 field 2 (sealed in checkin.lodging)
//	Ngày sinh                 DG13 field 3
//	Giới tính                 DG13 field 4
//	Số định danh cá nhân      DG13 field 1
//	Quốc tịch                 DG13 field 5
//	Nơi thường trú            DG13 field 9
//	Địa chỉ lưu trú           the establishment's address (configuration)
//	Số phòng                  typed by the receptionist
//	Lưu trú từ                the check-in time
//	Lưu trú đến               the planned departure, or the check-out time
//	Lý do lưu trú             chosen by the receptionist
//	Trạng thái                Đang lưu trú / Đã trả phòng
//	Hạn thông báo             the khoản 4 deadline of that arrival
//
// Every value comes from the store's checkin.lodging records (their sealed
// fields): the export is personal data, written with mode 0600 for the
// staff to send to the police, and never kept by the kiosk beyond its
// retention.

// stay is an open stay.
type stay struct {
	ID      string
	Room    string
	From    time.Time
	To      time.Time
	Reason  string
	Guest   records.Personal
	Verdict string
}

// dateTime is the records' and export's time format.
const dateTime = "2006-01-02 15:04"

// NotifyBy is the stay notification's deadline for an arrival at t (Luật
// Cư trú 2020 Điều 30 khoản 4): 23:00 that day, or 08:00 the next day for
// an arrival at or after 23:00.
func NotifyBy(t time.Time) time.Time {
	d := time.Date(t.Year(), t.Month(), t.Day(), 23, 0, 0, 0, t.Location())
	if !t.Before(d) {
		return time.Date(t.Year(), t.Month(), t.Day()+1, 8, 0, 0, 0, t.Location())
	}
	return d
}

// openStays rebuilds the stays not yet checked out from the records.
func openStays(ctx context.Context, r records.Reader, loc *time.Location) (map[string]*stay, error) {
	open := map[string]*stay{}
	err := records.Scan(ctx, r, records.KindCheckinLodging, func(rec store.Record) error {
		var p records.CheckinLodging
		if err := records.Decode(rec, &p); err != nil {
			return err
		}
		id := rec.Personal[records.PersonalIDNumber]
		if p.Action == "check_out" {
			delete(open, id)
			return nil
		}
		from, _ := time.ParseInLocation(dateTime, p.From, loc)
		to, _ := time.ParseInLocation(dateTime, p.To, loc)
		open[id] = &stay{ID: p.Stay, Room: p.Room, From: from, To: to, Reason: p.Reason, Guest: rec.Personal, Verdict: p.Verdict}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("checkin: open stays: %w", err)
	}
	return open, nil
}

// StayRows lays out the stays that overlap [from, to] (whole days, loc)
// for the stay notification export: the header row, then one row per
// stay in order of arrival.
func StayRows(ctx context.Context, r records.Reader, from, to time.Time, address string) ([][]stats.Cell, error) {
	loc := from.Location()
	end := to.AddDate(0, 0, 1)
	type row struct {
		s        stay
		out      time.Time
		checkout bool
	}
	var rows []*row
	byStay := map[string]*row{}
	err := records.Scan(ctx, r, records.KindCheckinLodging, func(rec store.Record) error {
		var p records.CheckinLodging
		if err := records.Decode(rec, &p); err != nil {
			return err
		}
		f, _ := time.ParseInLocation(dateTime, p.From, loc)
		t, _ := time.ParseInLocation(dateTime, p.To, loc)
		if p.Action == "check_out" {
			if x := byStay[p.Stay]; x != nil {
				x.out, x.checkout = t, true
			}
			return nil
		}
		x := &row{s: stay{ID: p.Stay, Room: p.Room, From: f, To: t, Reason: p.Reason, Guest: rec.Personal}}
		byStay[p.Stay] = x
		rows = append(rows, x)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("checkin: stay export: %w", err)
	}
	out := [][]stats.Cell{{stats.Bold("STT"), stats.Bold("Họ và tên"), stats.Bold("Ngày sinh"), stats.Bold("Giới tính"),
		stats.Bold("Số định danh cá nhân"), stats.Bold("Quốc tịch"), stats.Bold("Nơi thường trú"), stats.Bold("Địa chỉ lưu trú"),
		stats.Bold("Số phòng"), stats.Bold("Lưu trú từ"), stats.Bold("Lưu trú đến"), stats.Bold("Lý do lưu trú"), stats.Bold("Trạng thái"),
		stats.Bold("Hạn thông báo")}}
	slices.SortStableFunc(rows, func(a, b *row) int { return a.s.From.Compare(b.s.From) })
	n := 0
	for _, x := range rows {
		until := x.s.To
		if x.checkout {
			until = x.out
		}
		if !x.s.From.Before(end) || until.Before(from) {
			continue
		}
		n++
		state := "Đang lưu trú"
		if x.checkout {
			state = "Đã trả phòng"
		}
		g := x.s.Guest
		out = append(out, []stats.Cell{stats.Num(float64(n)), stats.Text(g[records.PersonalName]), stats.Text(g[records.PersonalDateOfBirth]),
			stats.Text(g[records.PersonalSex]), stats.Text(g[records.PersonalIDNumber]), stats.Text(g[records.PersonalNationality]),
			stats.Text(g[records.PersonalAddress]), stats.Text(address), stats.Text(x.s.Room), stats.Text(x.s.From.Format("02/01/2006 15:04")),
			stats.Text(until.Format("02/01/2006 15:04")), stats.Text(x.s.Reason), stats.Text(state),
			stats.Text(NotifyBy(x.s.From).Format("02/01/2006 15:04"))})
	}
	return out, nil
}

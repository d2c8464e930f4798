// Package manifest turns a departure's passenger list into the shape of a
// stay notification (thông báo lưu trú) for the police's ASM software —
// the seeds' "phần mềm ASM quét mã tại các nhà xe phục vụ kê khai thông
// tin tự động" — and records it (ticketing.manifest, the list sealed).
//
// The source, honestly: the ASM software's import format is not public —
// searches of public documentation found no file specification. What is
// public is what a stay notification must say, Luật Cư trú 2020
// (68/2020/QH14) Art. 30(4), repeated in the procedure "Thông báo lưu trú"
// (mã thủ tục 26346, dichvucong.bocongan.gov.vn): "họ và tên, số định
// danh cá nhân hoặc số Chứng minh nhân dân, số hộ chiếu của người lưu trú;
// lý do lưu trú; thời gian lưu trú; địa chỉ lưu trú"; Thông tư
// 55/2021/TT-BCA Art. 15 says how it may be sent (in person, by phone or
// e-mail, on a website or the public-service portals, or through an
// application on an electronic device — which is what ASM is). So the manifest carries exactly those, per
// passenger, plus what a coach operator needs to match them to the
// vehicle (seat, ticket, where they board and alight) and the date of
// birth and sex the card gave (which identify a child, whose row has no
// card). Mapping (CSV "asm-csv/1", UTF-8, one header row, RFC 4180):
//
//	column                 law (Art. 30(4))            from
//	STT                    —                           row number
//	Họ và tên              họ và tên                   the ticket's passenger name (CCCD; empty for a child added by ID number)
//	Số định danh cá nhân   số định danh cá nhân        the ticket's passenger ID number
//	Ngày sinh              —                           dd/mm/yyyy, from the card or typed for a child
//	Giới tính              —                           Nam / Nữ, from the card or the ID number's sex digit
//	Lý do lưu trú          lý do lưu trú               "Hành khách xe khách tuyến <route>, chuyến <service>"
//	Lưu trú từ             thời gian lưu trú (từ)      departure from the boarding stop, dd/mm/yyyy HH:MM
//	Lưu trú đến            thời gian lưu trú (đến)     arrival at the alighting stop
//	Địa chỉ lưu trú        địa chỉ lưu trú             the vehicle: "Xe <plate> của <operator>", else the route
//	Chỗ, Mã vé, Điểm lên, Điểm xuống                   seat, ticket, stop names
//
// When the ASM import format becomes known, only CSV changes; the rows
// already hold every field the law asks for.
//
// It imports firmware/records (the record), firmware/ticketing/backend
// (the passenger list), catalog, and firmware/store for the record type
// Restore reads; it must not import the flow or the UI, and never logs the
// rows.
package manifest

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/kiosk06/kiosk/firmware/records"
	"github.com/kiosk06/kiosk/firmware/store"
	"github.com/kiosk06/kiosk/firmware/ticketing/backend"
	"github.com/kiosk06/kiosk/firmware/ticketing/catalog"
)

// Format names the CSV layout above.
const Format = "asm-csv/1"

// Header is the CSV's header row.
var Header = []string{"STT", "Họ và tên", "Số định danh cá nhân", "Ngày sinh", "Giới tính", "Lý do lưu trú", "Lưu trú từ", "Lưu trú đến",
	"Địa chỉ lưu trú", "Chỗ", "Mã vé", "Điểm lên", "Điểm xuống"}

// Row is one passenger.
type Row struct {
	FullName string
	IDNumber string
	DOB      string // dd/mm/yyyy or ""
	Sex      string
	Reason   string
	From     time.Time
	Until    time.Time
	Place    string
	Seat     string
	Ticket   string
	Board    string
	Alight   string
}

// Manifest is a departure's passenger list.
type Manifest struct {
	Departure string
	Route     string
	Operator  string
	Service   string
	Vehicle   string
	DepartsAt time.Time
	Rows      []Row
}

// ErrUnknown: the departure is not in the catalogue.
var ErrUnknown = errors.New("manifest: departure not in the catalogue")

// Build shapes the backend's passenger list of a departure.
func Build(idx *catalog.Index, m backend.Manifest, loc *time.Location) (Manifest, error) {
	d, ok := idx.Departure(m.Departure)
	if !ok {
		return Manifest{}, fmt.Errorf("%w: %q", ErrUnknown, m.Departure)
	}
	r, _ := idx.Route(d.Route)
	op, _ := idx.Operator(r.Operator)
	out := Manifest{Departure: d.ID, Route: r.ID, Operator: op.ID, Service: d.Service, Vehicle: d.Vehicle, DepartsAt: d.Calls[0].Depart}
	place := "Tuyến " + r.Name + " của " + op.Name
	if d.Vehicle != "" {
		place = "Xe " + d.Vehicle + " của " + op.Name
	}
	reason := "Hành khách xe khách tuyến " + r.Name
	if r.Mode == catalog.ModeTrain {
		reason = "Hành khách tàu hỏa tuyến " + r.Name
	}
	if d.Service != "" {
		reason += ", chuyến " + d.Service
	}
	for _, p := range m.Passengers {
		row := Row{FullName: p.Name, IDNumber: p.IDNumber, Sex: p.Sex, Reason: reason, From: d.Departs(p.Board).In(loc),
			Until: d.Arrives(p.Alight).In(loc), Place: place, Seat: p.Seat, Ticket: p.Ticket, Board: idx.StopName(p.Board), Alight: idx.StopName(p.Alight)}
		if t, err := time.Parse("2006-01-02", p.DOB); err == nil {
			row.DOB = t.Format("02/01/2006")
		}
		out.Rows = append(out.Rows, row)
	}
	return out, nil
}

// CSV writes the manifest as asm-csv/1.
func (m Manifest) CSV() []byte {
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	_ = w.Write(Header)
	stamp := func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.Format("02/01/2006 15:04")
	}
	for i, r := range m.Rows {
		_ = w.Write([]string{fmt.Sprint(i + 1), r.FullName, r.IDNumber, r.DOB, r.Sex, r.Reason, stamp(r.From), stamp(r.Until), r.Place,
			r.Seat, r.Ticket, r.Board, r.Alight})
	}
	w.Flush()
	return b.Bytes()
}

// Catalogue is where departures are looked up (*backend.Cache).
type Catalogue interface {
	Index() *catalog.Index
}

// Manifester records the manifests of a station's coach departures as
// they close.
type Manifester struct {
	Backend   backend.Backend
	Catalogue Catalogue
	Store     records.Appender // *store.Store
	DeviceID  string
	// Station: departures leaving this stop are manifested.
	Station string
	// Lead: a departure is manifested once it leaves within Lead (default
	// 15 min: when the kiosk stops selling it).
	Lead     time.Duration
	Location *time.Location
	Now      func() time.Time
	Logger   *slog.Logger

	mu   sync.Mutex
	done map[string]bool
}

// Record fetches, shapes and durably records the manifest of departure.
func (m *Manifester) Record(ctx context.Context, departure string) (Manifest, error) {
	idx := m.Catalogue.Index()
	if idx == nil {
		return Manifest{}, errors.New("manifest: no catalogue")
	}
	list, err := m.Backend.Manifest(ctx, departure)
	if err != nil {
		return Manifest{}, fmt.Errorf("manifest: %s: %w", departure, err)
	}
	loc := m.Location
	if loc == nil {
		loc = time.FixedZone("ICT", 7*3600)
	}
	man, err := Build(idx, list, loc)
	if err != nil {
		return Manifest{}, err
	}
	now := m.now()
	rec := &records.TicketingManifest{Departure: man.Departure, Route: man.Route, Operator: man.Operator, Service: man.Service,
		Vehicle: man.Vehicle, DepartsAt: man.DepartsAt, Format: Format, Travellers: len(man.Rows)}
	rec.SetStamp(m.DeviceID, now)
	var personal records.Personal
	if len(man.Rows) > 0 {
		personal = records.Personal{records.PersonalPassengers: string(man.CSV())}
	}
	if _, err := records.Append(ctx, m.Store, now, rec, personal); err != nil {
		return Manifest{}, fmt.Errorf("manifest: %s: %w", departure, err)
	}
	m.mu.Lock()
	if m.done == nil {
		m.done = map[string]bool{}
	}
	m.done[departure] = true
	m.mu.Unlock()
	return man, nil
}

// Restore marks as done the departures whose manifest the store already
// holds, so a restart does not record them again.
func (m *Manifester) Restore(ctx context.Context, r records.Reader) error {
	return records.Scan(ctx, r, records.KindTicketingManifest, func(rec store.Record) error {
		var x records.TicketingManifest
		if err := records.Decode(rec, &x); err != nil {
			return nil // unreadable: at worst recorded once more
		}
		m.mu.Lock()
		if m.done == nil {
			m.done = map[string]bool{}
		}
		m.done[x.Departure] = true
		m.mu.Unlock()
		return nil
	})
}

func (m *Manifester) now() time.Time {
	if m.Now != nil {
		return m.Now()
	}
	return time.Now()
}

// Due lists the coach and train departures leaving Station within Lead
// that have no manifest yet.
func (m *Manifester) Due() []string {
	idx := m.Catalogue.Index()
	if idx == nil {
		return nil
	}
	lead := m.Lead
	if lead <= 0 {
		lead = 15 * time.Minute
	}
	now := m.now()
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []string
	for _, d := range idx.Catalogue().Departures {
		t := d.Departs(m.Station)
		if t.IsZero() || t.Before(now) || t.After(now.Add(lead)) || m.done[d.ID] {
			continue
		}
		out = append(out, d.ID)
	}
	return out
}

// Run records the manifests that fall due, checking every interval, until
// ctx ends; a failure is logged and retried at the next check.
func (m *Manifester) Run(ctx context.Context, every time.Duration) error {
	log := m.Logger
	if log == nil {
		log = slog.Default()
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		for _, d := range m.Due() {
			man, err := m.Record(ctx, d)
			if err != nil {
				log.Warn("ticketing: manifest not recorded", "departure", d, "err", err)
				continue
			}
			log.Info("ticketing: manifest recorded", "departure", d, "travellers", len(man.Rows))
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		}
	}
}

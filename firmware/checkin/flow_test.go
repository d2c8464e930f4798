package checkin

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kiosk06/kiosk/drivers/cccd"
	"github.com/kiosk06/kiosk/drivers/escpos"
	"github.com/kiosk06/kiosk/firmware/identity"
	"github.com/kiosk06/kiosk/firmware/records"
	"github.com/kiosk06/kiosk/firmware/store"
)

var ict = time.FixedZone("ICT", 7*3600)

type manualClock struct {
	mu      sync.Mutex
	now     time.Time
	waiters []struct {
		at time.Time
		ch chan time.Time
	}
}

func (c *manualClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }

func (c *manualClock) After(d time.Duration) <-chan time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	ch := make(chan time.Time, 1)
	c.waiters = append(c.waiters, struct {
		at time.Time
		ch chan time.Time
	}{c.now.Add(d), ch})
	return ch
}

func (c *manualClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
	keep := c.waiters[:0]
	for _, w := range c.waiters {
		if !w.at.After(c.now) {
			w.ch <- c.now
			continue
		}
		keep = append(keep, w)
	}
	c.waiters = keep
}

type fakeIdentifier struct{ cards chan identity.Identity }

func (f *fakeIdentifier) Acquire(ctx context.Context, req identity.Request) (identity.Identity, error) {
	select {
	case id := <-f.cards:
		req.OnEvent(identity.Event{Kind: identity.EventReading, Fraction: 0.5})
		return id, nil
	case <-ctx.Done():
		return identity.Identity{}, ctx.Err()
	}
}

// fakeHolder: whose finger is on the sensor (by ID number); bindings for
// the enrolled.
type fakeHolder struct {
	mu       sync.Mutex
	enrolled map[string]bool
	finger   string
}

func (h *fakeHolder) Verify(_ context.Context, id string) (identity.VerifyResult, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	switch {
	case !h.enrolled[id]:
		return identity.VerifyResult{}, identity.ErrNotEnrolled
	case h.finger != id:
		return identity.VerifyResult{}, identity.ErrNotVerified
	}
	return identity.VerifyResult{}, nil
}

// Enrol binds the finger on the sensor to id (any finger: the module
// cannot tell whose it is, which is why the staff confirm the card first).
func (h *fakeHolder) Enrol(_ context.Context, id string, consent identity.Consent) (identity.Binding, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if !consent.Given {
		return identity.Binding{}, identity.ErrNoConsent
	}
	if h.finger == "" {
		return identity.Binding{}, identity.ErrNotVerified
	}
	h.enrolled[id] = true
	return identity.Binding{Slot: len(h.enrolled)}, nil
}

func (h *fakeHolder) put(id string) { h.mu.Lock(); h.finger = id; h.mu.Unlock() }

type memStore struct {
	mu   sync.Mutex
	recs []store.Record
	fail bool
}

func (m *memStore) Append(_ context.Context, r store.Record) (store.Seq, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.fail {
		return 0, store.ErrFull
	}
	r.Seq = store.Seq(len(m.recs) + 1)
	m.recs = append(m.recs, r)
	return r.Seq, nil
}

func (m *memStore) Records(_ context.Context, kind string, since store.Seq, limit int) ([]store.Record, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []store.Record
	for _, r := range m.recs {
		if r.Seq > since && (kind == "" || r.Kind == kind) {
			out = append(out, r)
			if len(out) == limit {
				break
			}
		}
	}
	return out, nil
}

func (m *memStore) count(kind string) int {
	m.mu.Lock()
	defer m.mu.Unlock()
	n := 0
	for _, r := range m.recs {
		if r.Kind == kind {
			n++
		}
	}
	return n
}

type fakePrinter struct {
	mu   sync.Mutex
	docs int
}

func (p *fakePrinter) Print(context.Context, *escpos.Document) (escpos.Result, error) {
	p.mu.Lock()
	p.docs++
	p.mu.Unlock()
	return escpos.Result{}, nil
}

var (
	lan  = cccd.Citizen{ID: "001185012345", Name: "Nguyễn Thị Lan", DOB: "12/03/1985", Sex: "Nữ", Nationality: "Việt Nam", Residence: "Số 12 Lê Lợi, TP. Huế"}
	binh = cccd.Citizen{ID: "079090001234", Name: "Trần Văn Bình", DOB: "01/01/1990", Sex: "Nam", Nationality: "Việt Nam", Residence: "Hà Nội"}
	cuc  = cccd.Citizen{ID: "046170000111", Name: "Lê Thị Cúc", DOB: "05/06/1970", Sex: "Nữ", Nationality: "Việt Nam", Residence: "Đà Nẵng"}
)

type harness struct {
	t      *testing.T
	f      *Flow
	clock  *manualClock
	ids    *fakeIdentifier
	holder *fakeHolder
	store  *memStore
	print  *fakePrinter
	dir    string
	stop   func()
}

func start(t *testing.T, cfg Config, st *memStore, clock *manualClock, roster *Roster) *harness {
	t.Helper()
	if clock == nil {
		clock = &manualClock{now: time.Date(2026, 11, 16, 14, 0, 0, 0, ict)} // Monday
	}
	if st == nil {
		st = &memStore{}
	}
	h := &harness{t: t, clock: clock, ids: &fakeIdentifier{cards: make(chan identity.Identity, 1)},
		holder: &fakeHolder{enrolled: map[string]bool{}}, store: st, print: &fakePrinter{}, dir: t.TempDir()}
	cfg.DeviceID, cfg.ExportDir, cfg.Logger, cfg.Site = "checkin-hue-01", h.dir, slog.New(slog.DiscardHandler), "Điểm thử"
	var err error
	h.f, err = New(cfg, Deps{Identifier: h.ids, Holder: h.holder, Roster: roster, Printer: h.print, Store: st, Clock: clock})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = h.f.Run(ctx) }()
	h.stop = func() { cancel(); <-done }
	t.Cleanup(h.stop)
	h.wait("ready", func(s State) bool { return s.Screen == ScreenReady && s.Seq > 0 })
	return h
}

func (h *harness) wait(what string, ok func(State) bool) State {
	h.t.Helper()
	ch, stop := h.f.Subscribe()
	defer stop()
	deadline := time.After(5 * time.Second)
	var last State
	for {
		select {
		case s := <-ch:
			if ok(s) {
				return s
			}
			last = s
		case <-deadline:
			h.t.Fatalf("waiting for %s: last %s %+v %+v", what, last.Screen, last.Result, last.Ready)
		}
	}
}

func (h *harness) send(in Intent) State {
	h.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := h.f.SendWait(ctx, in); err != nil {
		h.t.Fatal(err)
	}
	return h.f.State()
}

// tap reads c's card (genuine unless v says) and waits for the screen
// after the read.
func (h *harness) tap(c cccd.Citizen, v identity.Verdict) State {
	h.t.Helper()
	h.ids.cards <- identity.Identity{Citizen: c, Verdict: v, Method: identity.MethodChipQR}
	return h.wait("after the read", func(s State) bool { return s.Screen == ScreenResult || s.Screen == ScreenLodging })
}

func (h *harness) next() {
	h.t.Helper()
	h.send(Intent{Kind: IntentContinue})
	h.wait("ready", func(s State) bool { return s.Screen == ScreenReady })
}

// TestLodgingCheckInOutExported: a guest checks in (room, departure,
// reason), is found in the house at the next tap and checks out; the stay
// notification export holds both with the law's fields; a restart still
// knows who is in the house.
func TestLodgingCheckInOutExported(t *testing.T) {
	cfg := Config{Mode: ModeLodging, Address: "Khách sạn Sông Hương, số 3 Lê Lợi, TP. Huế"}
	h := start(t, cfg, nil, nil, nil)
	s := h.tap(lan, identity.Genuine)
	if s.Screen != ScreenLodging || s.Lodging.NotifyBy.Format("15:04 02/01") != "23:00 16/11" || s.Person.Name != lan.Name {
		t.Fatalf("check-in form %+v", s.Lodging)
	}
	h.send(Intent{Kind: IntentConfirm})
	if s := h.f.State(); s.Lodging.Error.Key != "lodging.room" {
		t.Fatalf("a check-in without a room: %+v", s.Lodging)
	}
	h.send(Intent{Kind: IntentField, Key: "room", Value: "204"})
	h.send(Intent{Kind: IntentField, Key: "departure", Value: "18/11/2026"})
	h.send(Intent{Kind: IntentField, Key: "reason", Value: "Công tác"})
	s = h.send(Intent{Kind: IntentConfirm})
	if s.Screen != ScreenResult || s.Result.Code != "checked_in" || !strings.Contains(s.Result.Detail.VI, "23:00 16/11/2026") {
		t.Fatalf("checked in %+v", s.Result)
	}
	h.next()
	if s := h.f.State(); s.Ready.InHouse != 1 {
		t.Fatalf("in house %d", s.Ready.InHouse)
	}
	// A restart rebuilds the house from the records.
	h.stop()
	h = start(t, cfg, h.store, h.clock, nil)
	if s := h.f.State(); s.Ready.InHouse != 1 {
		t.Fatalf("after a restart: in house %d", s.Ready.InHouse)
	}
	h.clock.Advance(44 * time.Hour) // Wednesday 10:00
	s = h.tap(lan, identity.Genuine)
	if s.Result.Code != "in_house" || s.Result.Room != "204" || !s.Has(IntentCheckOut) {
		t.Fatalf("the guest in the house: %+v", s.Result)
	}
	s = h.send(Intent{Kind: IntentCheckOut})
	if s.Result.Code != "checked_out" {
		t.Fatalf("check-out %+v", s.Result)
	}
	h.next()
	s = h.send(Intent{Kind: IntentReport, Value: "week"})
	if s.Screen != ScreenReport || !s.Has(IntentExportASM) {
		t.Fatalf("report %+v", s.Report)
	}
	for _, format := range []string{"csv", "xlsx"} {
		s = h.send(Intent{Kind: IntentExportASM, Value: format})
		if s.Report.File == "" {
			t.Fatalf("no %s export: %+v", format, s.Report)
		}
		path := filepath.Join(h.dir, s.Report.File)
		fi, err := os.Stat(path)
		if err != nil || fi.Mode().Perm() != 0o600 {
			t.Fatalf("export %s: %v %v", path, fi, err)
		}
	}
	b, err := os.ReadFile(filepath.Join(h.dir, "thong-bao-luu-tru-20261116-20261122.csv"))
	if err != nil {
		t.Fatal(err)
	}
	text := string(b)
	for _, want := range []string{"Họ và tên,Ngày sinh,Giới tính,Số định danh cá nhân,Quốc tịch,Nơi thường trú,Địa chỉ lưu trú,Số phòng,Lưu trú từ,Lưu trú đến,Lý do lưu trú",
		"1,Nguyễn Thị Lan,12/03/1985,Nữ,001185012345,Việt Nam,\"Số 12 Lê Lợi, TP. Huế\",\"Khách sạn Sông Hương, số 3 Lê Lợi, TP. Huế\",204,16/11/2026 14:00,18/11/2026 10:00,Công tác,Đã trả phòng,16/11/2026 23:00"} {
		if !strings.Contains(text, want) {
			t.Errorf("stay export lacks %q:\n%s", want, text)
		}
	}
	if n := h.store.count(records.KindCheckinLodging); n != 2 {
		t.Fatalf("%d lodging records", n)
	}
}

// TestAttendance: a listed candidate is accepted once; the unlisted, the
// second time, an impostor with the candidate's card and a forged card are
// refused with the reason.
func TestAttendance(t *testing.T) {
	ro, err := ParseRoster("SH-2026-11-16-S1", strings.NewReader("\uFEFFso_bao_danh,so_dinh_danh,ho_ten,phong\nHUE-0137,001185012345,Nguyễn Thị Lan,P03\nHUE-0138,046170000111,Lê Thị Cúc,P04\n"))
	if err != nil {
		t.Fatal(err)
	}
	h := start(t, Config{Mode: ModeAttendance, Room: "P03"}, nil, nil, ro)
	h.holder.enrolled[lan.ID] = true
	// An impostor presents Lan's genuine card: their finger is not hers.
	h.holder.put(binh.ID)
	s := h.tap(lan, identity.Genuine)
	if s.Result.OK || s.Result.Code != "wrong_person" {
		t.Fatalf("impostor %+v", s.Result)
	}
	h.next()
	h.holder.put(lan.ID)
	s = h.tap(lan, identity.Genuine)
	if !s.Result.OK || s.Result.Code != "accepted" || s.Result.Number != "HUE-0137" || s.Person.Holder != "matched" {
		t.Fatalf("candidate %+v %+v", s.Result, s.Person)
	}
	h.next()
	for _, tc := range []struct {
		c      cccd.Citizen
		v      identity.Verdict
		reason string
	}{
		{lan, identity.Genuine, "already_checked_in"},
		{binh, identity.Genuine, "not_on_list"},
		{cuc, identity.Genuine, "wrong_room"},
		{cuc, identity.NotGenuine, "not_genuine"},
	} {
		s = h.tap(tc.c, tc.v)
		if s.Result.OK || s.Result.Code != tc.reason {
			t.Errorf("%s: %+v, want %s", tc.c.Name, s.Result, tc.reason)
		}
		h.next()
	}
	if s := h.f.State(); s.Ready.Accepted != 1 || s.Ready.Listed != 2 {
		t.Fatalf("ready %+v", s.Ready)
	}
	var refused records.CheckinAttendance
	n := 0
	for _, r := range h.store.recs {
		if r.Kind == records.KindCheckinAttendance {
			n++
			if n == 1 {
				if err := records.Decode(r, &refused); err != nil {
					t.Fatal(err)
				}
				if r.Personal[records.PersonalCandidate] != "HUE-0137" || strings.Contains(string(r.Payload), "HUE-0137") {
					t.Fatalf("candidate number not sealed: %s %v", r.Payload, r.Personal)
				}
			}
		}
	}
	if n != 6 || refused.Outcome != "refused" || refused.Reason != "wrong_person" {
		t.Fatalf("%d attendance records; the first %+v", n, refused)
	}
}

// TestGate: entries and exits with live occupancy; the capacity and a card
// already inside refuse.
func TestGate(t *testing.T) {
	h := start(t, Config{Mode: ModeGate, SiteID: "ngo-mon", Capacity: 2}, nil, nil, nil)
	for i, c := range []cccd.Citizen{lan, binh} {
		if s := h.tap(c, identity.Genuine); s.Result.Code != "entry" || s.Result.Occupancy != i+1 {
			t.Fatalf("entry %d: %+v", i, s.Result)
		}
		h.next()
	}
	if s := h.tap(cuc, identity.Genuine); s.Result.Code != "full" {
		t.Fatalf("over capacity: %+v", s.Result)
	}
	h.next()
	if s := h.tap(binh, identity.Genuine); s.Result.Code != "already_inside" {
		t.Fatalf("a card inside: %+v", s.Result)
	}
	h.next()
	h.send(Intent{Kind: IntentDirection, Value: "exit"})
	if s := h.tap(lan, identity.Genuine); s.Result.Code != "exit" || s.Result.Occupancy != 1 {
		t.Fatalf("exit %+v", s.Result)
	}
	h.next()
	if s := h.f.State(); s.Ready.Occupancy != 1 || s.Ready.Direction != "exit" {
		t.Fatalf("ready %+v", s.Ready)
	}
}

// TestVerifyLog: a customer verified, another whose finger does not match.
func TestVerifyLog(t *testing.T) {
	h := start(t, Config{Mode: ModeVerify, Purpose: "Cầm đồ"}, nil, nil, nil)
	h.holder.enrolled[lan.ID] = true
	h.holder.put(lan.ID)
	if s := h.tap(lan, identity.Genuine); !s.Result.OK || s.Result.Code != "verified" {
		t.Fatalf("verified %+v", s.Result)
	}
	h.next()
	h.holder.put(binh.ID)
	if s := h.tap(lan, identity.Genuine); s.Result.OK {
		t.Fatalf("a mismatch verified: %+v", s.Result)
	}
	var v records.CheckinVerify
	for _, r := range h.store.recs {
		if r.Kind == records.KindCheckinVerify {
			_ = records.Decode(r, &v)
		}
	}
	if v.Outcome != "holder_mismatch" || v.Purpose != "Cầm đồ" {
		t.Fatalf("log %+v", v)
	}
}

// TestWeeklyReportFromFlow: a week of gate traffic; the week's report,
// on screen and exported, has the records' numbers; a report record notes
// the export.
func TestWeeklyReportFromFlow(t *testing.T) {
	h := start(t, Config{Mode: ModeGate, SiteID: "ngo-mon"}, nil, nil, nil)
	entries := 0
	for day := range 7 {
		for _, c := range []cccd.Citizen{lan, binh, cuc}[:day%3+1] {
			h.send(Intent{Kind: IntentDirection, Value: "entry"})
			h.tap(c, identity.Genuine)
			h.next()
			entries++
		}
		h.clock.Advance(24 * time.Hour)
		h.send(Intent{Kind: IntentContinue}) // nothing: ready offers no continue
	}
	h.clock.Advance(time.Hour) // Monday 23/11, 15:00
	s := h.send(Intent{Kind: IntentReport, Value: "last_week"})
	if s.Report.Range != "Từ 16/11/2026 đến 22/11/2026" {
		t.Fatalf("range %q", s.Report.Range)
	}
	got := map[string]string{}
	for _, r := range s.Report.Rows {
		got[r.Key] = r.Value
	}
	if got["reads"] != "13" || got["entries"] != "13" || got["genuine"] != "13 (100,0 %)" || entries != 13 {
		t.Fatalf("rows %v (entries %d)", got, entries)
	}
	s = h.send(Intent{Kind: IntentExport, Value: "xlsx"})
	if s.Report.File != "bao-cao-week-20261116-20261122.xlsx" {
		t.Fatalf("export %+v", s.Report)
	}
	s = h.send(Intent{Kind: IntentPrint})
	h.wait("printed", func(s State) bool { return s.Report != nil && s.Report.Message.Key == "report.printed" })
	var rep records.CheckinReport
	for _, r := range h.store.recs {
		if r.Kind == records.KindCheckinReport {
			_ = records.Decode(r, &rep)
		}
	}
	if rep.Totals["entries"] != 13 || rep.Format != "print" || rep.From != "2026-11-16" || !rep.Complete {
		t.Fatalf("report record %+v", rep)
	}
}

// TestOutOfService: a read that cannot be recorded stops the point until a
// record can be stored again.
func TestOutOfService(t *testing.T) {
	h := start(t, Config{Mode: ModeGate, SiteID: "x"}, nil, nil, nil)
	h.store.mu.Lock()
	h.store.fail = true
	h.store.mu.Unlock()
	h.ids.cards <- identity.Identity{Citizen: lan, Verdict: identity.Genuine, Method: identity.MethodChipQR}
	s := h.wait("out of service", func(s State) bool { return s.Screen == ScreenOutOfService })
	if s.Person != nil {
		t.Fatal("personal data kept")
	}
	h.store.mu.Lock()
	h.store.fail = false
	h.store.mu.Unlock()
	h.clock.Advance(30 * time.Second)
	h.wait("ready", func(s State) bool { return s.Screen == ScreenReady })
	if h.store.count(records.KindCheckinService) != 1 || h.store.count(records.KindCheckinGate) != 0 {
		t.Fatal("resumed without its record, or a gate pass recorded")
	}
}

func TestParseRoster(t *testing.T) {
	for name, in := range map[string]string{
		"no id column":  "so_bao_danh,ho_ten\n1,A\n",
		"bad id":        "so_dinh_danh,so_bao_danh\n12345,1\n",
		"duplicate id":  "so_dinh_danh,so_bao_danh\n001185012345,1\n001185012345,2\n",
		"empty number":  "so_dinh_danh,so_bao_danh\n001185012345,\n",
		"short line":    "so_dinh_danh,so_bao_danh,phong\n001185012345\n",
		"not even CSV ": "\"unterminated",
	} {
		if _, err := ParseRoster("s", strings.NewReader(in)); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

func FuzzParseRoster(f *testing.F) {
	f.Add("so_bao_danh,so_dinh_danh,ho_ten,phong\nHUE-1,001185012345,A,P1\n")
	f.Fuzz(func(t *testing.T, in string) {
		r, err := ParseRoster("s", strings.NewReader(in))
		if err == nil && r.Len() < 0 {
			t.Fatal("negative roster")
		}
	})
}

func TestNotifyBy(t *testing.T) {
	for in, want := range map[string]string{
		"2026-11-16 14:00": "2026-11-16 23:00",
		"2026-11-16 22:59": "2026-11-16 23:00",
		"2026-11-16 23:00": "2026-11-17 08:00",
		"2026-11-16 23:45": "2026-11-17 08:00",
		"2026-12-31 23:30": "2027-01-01 08:00",
	} {
		at, _ := time.ParseInLocation(dateTime, in, ict)
		if got := NotifyBy(at).Format(dateTime); got != want {
			t.Errorf("arrival %s: notify by %s, want %s", in, got, want)
		}
	}
}

// TestEnrolOffer: a point that enrols (Config.Enrol) offers it for a
// genuine card without a binding; with consent the finger is enrolled and
// the person verified; at the next read someone else's finger on that card
// is refused as the wrong person; declining is no refusal; a forged card
// is offered nothing.
func TestEnrolOffer(t *testing.T) {
	h := start(t, Config{Mode: ModeVerify, Purpose: "Công chứng", Enrol: true}, nil, nil, nil)
	offer := func(c cccd.Citizen) State {
		h.t.Helper()
		h.ids.cards <- identity.Identity{Citizen: c, Verdict: identity.Genuine, Method: identity.MethodChipQR}
		return h.wait("the enrolment offer", func(s State) bool { return s.Screen == ScreenHolder && s.Holder.Offer })
	}
	s := offer(lan)
	if !s.Has(IntentEnrol) || !s.Has(IntentSkip) || s.Holder.Message.Key != "holder.offer" {
		t.Fatalf("offer %+v %+v", s.Actions, s.Holder)
	}
	h.holder.put(lan.ID)
	h.send(Intent{Kind: IntentEnrol})
	s = h.wait("verified", func(s State) bool { return s.Screen == ScreenResult })
	if !s.Result.OK || s.Person.Holder != "enrolled" || s.Result.Detail.Key != "holder.enrolled" {
		t.Fatalf("enrolled %+v %+v", s.Result, s.Person)
	}
	h.next()
	h.holder.put(binh.ID)
	s = h.tap(lan, identity.Genuine)
	if s.Result.OK || s.Result.Code != "wrong_person" || s.Person.Holder != "mismatch" {
		t.Fatalf("someone else's finger %+v %+v", s.Result, s.Person)
	}
	h.next()
	offer(cuc)
	h.send(Intent{Kind: IntentSkip})
	s = h.wait("declined", func(s State) bool { return s.Screen == ScreenResult })
	if !s.Result.OK || s.Person.Holder != "not_enrolled" {
		t.Fatalf("declined %+v %+v", s.Result, s.Person)
	}
	h.next()
	s = h.tap(binh, identity.NotGenuine)
	if s.Result.OK || s.Result.Code != "not_genuine" {
		t.Fatalf("forged %+v", s.Result)
	}
	var outcomes []string
	h.store.mu.Lock()
	defer h.store.mu.Unlock()
	for _, r := range h.store.recs {
		if r.Kind == records.KindCheckinHolder {
			var p records.CheckinHolder
			if err := records.Decode(r, &p); err != nil {
				t.Fatal(err)
			}
			outcomes = append(outcomes, p.Outcome)
		}
	}
	if got := strings.Join(outcomes, ","); got != "enrolled,mismatch,not_enrolled" {
		t.Fatalf("holder records %s", got)
	}
}

func TestAgeOn(t *testing.T) {
	now := time.Date(2026, 3, 12, 9, 0, 0, 0, time.UTC)
	for dob, want := range map[string]int{"12/03/1966": 60, "1966-03-13": 59, "01/01/1990": 36, "": -1, "12-03-1966": -1, "2030-01-01": -1} {
		if got := ageOn(dob, now); got != want {
			t.Errorf("ageOn(%q) = %d, want %d", dob, got, want)
		}
	}
}

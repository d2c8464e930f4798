package checkin

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/kiosk06/kiosk/drivers/cccd"
	"github.com/kiosk06/kiosk/drivers/escpos"
	"github.com/kiosk06/kiosk/firmware/checkin/stats"
	"github.com/kiosk06/kiosk/firmware/flowrun"
	"github.com/kiosk06/kiosk/firmware/identity"
	"github.com/kiosk06/kiosk/firmware/records"
	"github.com/kiosk06/kiosk/firmware/staffmenu"
	"github.com/kiosk06/kiosk/firmware/store"
	"github.com/kiosk06/kiosk/firmware/tickets"
)

// ErrConfig is returned by New for a configuration it refuses.
var ErrConfig = errors.New("checkin: invalid configuration")

// Identifier acquires the card; *identity.Acquirer implements it.
type Identifier interface {
	Acquire(ctx context.Context, req identity.Request) (identity.Identity, error)
}

// HolderVerifier checks the holder's finger, and enrols it (with the
// holder's consent) where the point offers that; *identity.Holder
// implements it (identity.ErrNotEnrolled, ErrNotVerified, ErrModuleAbsent).
type HolderVerifier interface {
	Verify(ctx context.Context, id string) (identity.VerifyResult, error)
	Enrol(ctx context.Context, id string, consent identity.Consent) (identity.Binding, error)
}

// Printer prints a slip; *escpos.Printer implements it.
type Printer interface {
	Print(ctx context.Context, doc *escpos.Document) (escpos.Result, error)
}

// Config configures a Flow.
type Config struct {
	DeviceID string
	Mode     Mode
	// Site names the point on screens and reports ("Khách sạn Sông
	// Hương – lễ tân"); SiteID names it in gate records.
	Site, SiteID string
	Header       tickets.Header
	// Lodging: the establishment's address (the notification's "địa chỉ
	// lưu trú") and the reasons offered (default: du lịch, công tác, thăm
	// thân, khám chữa bệnh, khác).
	Address string
	Reasons []string
	// Verify: the purpose logged ("Cầm đồ", "Công chứng").
	Purpose string
	// Attendance: the room this point checks ("" any).
	Room string
	// Gate: the capacity (0: none) and the fixed direction ("" : the staff
	// choose, entry first).
	Capacity  int
	Direction string
	// AllowUnverified accepts a card read but not proven genuine.
	AllowUnverified bool
	// Enrol offers, for a genuine card whose holder has no fingerprint
	// binding, to enrol the finger with the holder's consent (the staff
	// confirm it; ConsentVersion names the consent text shown): the point
	// that registers people (an exam's registration, a pawnshop's regular
	// customers) so that later reads check the finger. Declining is no
	// refusal.
	Enrol          bool
	ConsentVersion string
	// ExportDir is where reports and the stay notification are written.
	ExportDir   string
	CANAttempts int
	ResultDelay time.Duration // default 6 s
	StepTimeout time.Duration // default 30 s
	RetryDelay  time.Duration // default 1 s
	ResumeCheck time.Duration // default 30 s
	Location    *time.Location
	Logger      *slog.Logger
}

// Deps are what the flow drives. Holder, Roster (attendance only),
// Printer and Staff may be nil.
type Deps struct {
	Identifier Identifier
	Holder     HolderVerifier
	Roster     *Roster
	Printer    Printer
	// Store makes records durable and reads them back (statistics, open
	// stays, who is inside): *store.Store.
	Store records.Store
	Clock flowrun.Clock
	// Staff is the point's staff menu (profile.StaffMenu; nil: no [admin]
	// pin_file, no staff button). Its services are Config.Services'.
	Staff *staffmenu.Menu
}

// Flow is a check-in point's state machine.
type Flow struct {
	cfg  Config
	deps Deps
	log  *slog.Logger
	loop *flowrun.Loop[State, Intent]
	m    model
	// ctx is Run's (the staff menu's audit records are written under it).
	ctx context.Context
}

type model struct {
	screen    Screen
	reading   Reading
	cans      chan string
	canWrong  int
	id        *identity.Identity
	holder    string // the holder check's outcome
	prompt    string
	offer     bool // the holder screen offers to enrol the finger
	enrolling bool
	form      LodgingForm
	result    Result
	report    ReportView
	direction string
	// live numbers
	stays    map[string]*stay // open stays by ID number
	inside   map[string]bool  // gate: who is inside today, by ID number
	day      string           // the day inside/occupancy/today count for
	accepted map[string]bool  // attendance: accepted today, by ID number
	today    struct{ reads, genuine int }
	next     *flowrun.Timer
	down     time.Time
	failures int
}

// New checks cfg and deps.
func New(cfg Config, deps Deps) (*Flow, error) {
	switch {
	case deps.Identifier == nil || deps.Store == nil:
		return nil, fmt.Errorf("checkin: Identifier and Store are required: %w", ErrConfig)
	case cfg.DeviceID == "":
		return nil, fmt.Errorf("checkin: DeviceID is required: %w", ErrConfig)
	case cfg.Mode == ModeAttendance && deps.Roster == nil:
		return nil, fmt.Errorf("checkin: attendance needs a roster: %w", ErrConfig)
	case cfg.Mode == ModeLodging && cfg.Address == "":
		return nil, fmt.Errorf("checkin: lodging needs the establishment's address (the stay notification's): %w", ErrConfig)
	case cfg.Direction != "" && cfg.Direction != "entry" && cfg.Direction != "exit":
		return nil, fmt.Errorf("checkin: direction %q (entry or exit): %w", cfg.Direction, ErrConfig)
	case cfg.Capacity < 0:
		return nil, fmt.Errorf("checkin: capacity below 0: %w", ErrConfig)
	}
	switch cfg.Mode {
	case ModeLodging, ModeVerify, ModeAttendance, ModeGate:
	default:
		return nil, fmt.Errorf("checkin: mode %q: %w", cfg.Mode, ErrConfig)
	}
	set := func(d *time.Duration, def time.Duration) {
		if *d <= 0 {
			*d = def
		}
	}
	set(&cfg.ResultDelay, 6*time.Second)
	set(&cfg.StepTimeout, 30*time.Second)
	set(&cfg.RetryDelay, time.Second)
	set(&cfg.ResumeCheck, 30*time.Second)
	if cfg.CANAttempts <= 0 {
		cfg.CANAttempts = 3
	}
	if len(cfg.Reasons) == 0 {
		cfg.Reasons = []string{"Du lịch", "Công tác", "Thăm thân", "Khám, chữa bệnh", "Khác"}
	}
	if cfg.Location == nil {
		cfg.Location = time.FixedZone("ICT", 7*3600)
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.ConsentVersion == "" {
		cfg.ConsentVersion = "checkin-v1"
	}
	if cfg.ExportDir == "" {
		cfg.ExportDir = os.TempDir()
	}
	f := &Flow{cfg: cfg, deps: deps, log: cfg.Logger.With("component", "checkin", "mode", string(cfg.Mode)), ctx: context.Background()}
	f.m = model{screen: ScreenReady, direction: firstOf(cfg.Direction, "entry")}
	f.loop = flowrun.New(flowrun.Machine[State, Intent]{Render: f.render, Stamp: func(s *State, seq uint64) { s.Seq = seq },
		Handle: f.handle, Start: f.start, Stop: f.wipe}, deps.Clock, f.log)
	return f, nil
}

// Subscribe returns the states, the current one first (latest wins).
func (f *Flow) Subscribe() (<-chan State, func()) { return f.loop.Subscribe() }

// Send hands an intent to the flow without blocking.
func (f *Flow) Send(in Intent) { f.loop.Send(in) }

// SendWait hands an intent and waits until it was handled.
func (f *Flow) SendWait(ctx context.Context, in Intent) error { return f.loop.SendWait(ctx, in) }

// State is the state last published.
func (f *Flow) State() State { return f.loop.State() }

// Run drives the flow until ctx ends.
func (f *Flow) Run(ctx context.Context) error {
	f.ctx = ctx
	return f.loop.Run(ctx)
}

// FingerPrompt shows a fingerprint prompt (wire identity.HolderOptions.Prompt
// to it).
func (f *Flow) FingerPrompt(step string) { f.loop.Do(func() { f.m.prompt = step }) }

func (f *Flow) now() time.Time { return f.loop.Clock().Now() }

func firstOf(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func (f *Flow) wipe() {
	f.m.id, f.m.holder, f.m.prompt, f.m.form, f.m.result = nil, "", "", LodgingForm{}, Result{}
	f.m.offer, f.m.enrolling = false, false
}

// start rebuilds the live numbers from the records, then waits for cards.
func (f *Flow) start() {
	if err := f.restore(context.Background()); err != nil {
		f.log.Error("checkin: live numbers not rebuilt from the records", "err", err)
	}
	f.toReady()
}

func (f *Flow) today() string { return f.now().In(f.cfg.Location).Format(time.DateOnly) }

// restore: open stays; today's people inside, accepted candidates, reads.
func (f *Flow) restore(ctx context.Context) error {
	f.m.day = f.today()
	f.m.inside, f.m.accepted, f.m.stays = map[string]bool{}, map[string]bool{}, map[string]*stay{}
	f.m.today.reads, f.m.today.genuine = 0, 0
	if f.cfg.Mode == ModeLodging {
		s, err := openStays(ctx, f.deps.Store, f.cfg.Location)
		if err != nil {
			return err
		}
		f.m.stays = s
	}
	p := stats.Day(f.now(), f.cfg.Location)
	rep, err := stats.Compute(ctx, f.deps.Store, p)
	if err != nil {
		return err
	}
	f.m.today.reads, f.m.today.genuine = rep.Total.Reads, rep.Total.Genuine
	for _, kind := range []string{records.KindCheckinGate, records.KindCheckinAttendance} {
		err := records.Scan(ctx, f.deps.Store, kind, func(rec store.Record) error {
			id := rec.Personal[records.PersonalIDNumber]
			switch kind {
			case records.KindCheckinGate:
				var g records.CheckinGate
				if records.Decode(rec, &g) != nil || g.At.In(f.cfg.Location).Format(time.DateOnly) != f.m.day || g.Outcome != "ok" {
					return nil
				}
				f.m.inside[id] = g.Direction == "entry"
				if !f.m.inside[id] {
					delete(f.m.inside, id)
				}
			default:
				var a records.CheckinAttendance
				if records.Decode(rec, &a) == nil && a.Outcome == "accepted" && f.deps.Roster != nil && a.Session == f.deps.Roster.Session {
					f.m.accepted[id] = true
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// rollDay starts a new day's gate numbers at midnight.
func (f *Flow) rollDay() {
	if d := f.today(); d != f.m.day {
		f.m.day, f.m.inside = d, map[string]bool{}
		f.m.today.reads, f.m.today.genuine = 0, 0
	}
}

type stamped interface {
	records.Payload
	SetStamp(string, time.Time)
}

// record makes a record durable; false takes the point out of service.
func (f *Flow) record(p stamped, personal records.Personal) bool {
	at := f.now()
	p.SetStamp(f.cfg.DeviceID, at)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, err := records.Append(ctx, f.deps.Store, at, p, personal); err != nil {
		f.log.Error("checkin: record not stored", "kind", p.RecordKind(), "err", err)
		if f.m.down.IsZero() {
			f.m.down = at
		}
		f.m.failures++
		f.outOfService()
		return false
	}
	return true
}

func (f *Flow) outOfService() {
	f.loop.StopStep()
	f.wipe()
	f.m.screen = ScreenOutOfService
	f.m.next.Stop()
	f.m.next = f.loop.After(f.cfg.ResumeCheck, f.tryResume)
}

// tryResume stores the checkin.service record that says the point reads
// again; until one is stored it reads nobody.
func (f *Flow) tryResume() {
	at := f.now()
	p := &records.CheckinService{State: "resumed", Since: f.m.down.UTC().Format(time.RFC3339), FailedRecords: f.m.failures}
	p.SetStamp(f.cfg.DeviceID, at)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, err := records.Append(ctx, f.deps.Store, at, p, nil); err != nil {
		f.m.next = f.loop.After(f.cfg.ResumeCheck, f.tryResume)
		return
	}
	f.log.Info("checkin: records are stored again", "failed_records", f.m.failures)
	f.m.down, f.m.failures = time.Time{}, 0
	f.toReady()
}

// ---- reading ----

func (f *Flow) toReady() {
	f.wipe()
	f.m.next.Stop()
	f.rollDay()
	f.m.screen = ScreenReady
	f.startRead()
}

func (f *Flow) startRead() {
	cans := make(chan string, 1)
	f.m.cans, f.m.canWrong = cans, 0
	f.loop.Step(func(ctx context.Context, gen uint64) func() {
		onEvent := func(e identity.Event) { f.loop.Post(gen, func() { f.onEvent(e) }) }
		id, err := f.deps.Identifier.Acquire(ctx, identity.Request{CAN: cans, OnEvent: onEvent})
		if ctx.Err() != nil {
			return nil
		}
		if err != nil {
			return func() { f.onReadFailed(err) }
		}
		return func() { f.onRead(id) }
	})
}

func (f *Flow) onEvent(e identity.Event) {
	if e.Kind == identity.EventWaiting {
		return
	}
	if f.m.screen == ScreenReady {
		f.m.screen = ScreenReading
	}
	if f.m.screen != ScreenReading {
		return
	}
	if e.Kind == identity.EventNeedCAN {
		r := Reading{Step: e.Kind, NeedCAN: true, Message: msg("read.can")}
		if e.WrongCAN {
			f.m.canWrong++
			if f.m.canWrong >= f.cfg.CANAttempts {
				f.refuse("can_exhausted", "", nil)
				return
			}
			r.CANError = msgf("read.can_wrong", f.cfg.CANAttempts-f.m.canWrong)
		}
		r.CANAttemptsLeft = f.cfg.CANAttempts - f.m.canWrong
		f.m.reading = r
		return
	}
	key := "read.chip"
	if e.Kind == identity.EventVerifying || e.Kind == identity.EventDone {
		key = "read.verifying"
	}
	f.m.reading = Reading{Step: e.Kind, Progress: min(max(e.Fraction, 0), 1), Message: msg(key)}
}

func (f *Flow) onReadFailed(err error) {
	f.log.Info("checkin: read failed", "err", err)
	f.m.screen = ScreenReady
	f.m.cans = nil
	f.m.next.Stop()
	f.m.next = f.loop.After(f.cfg.RetryDelay, f.startRead)
}

// onRead records the read, then the holder check, then the mode's action.
func (f *Flow) onRead(id identity.Identity) {
	f.m.cans = nil
	f.rollDay()
	if !f.record(&records.CheckinRead{Mode: string(f.cfg.Mode), Verdict: string(id.Verdict), Method: string(id.Method), Reason: string(id.Reason)}, nil) {
		return
	}
	f.m.today.reads++
	if id.Verdict == identity.Genuine {
		f.m.today.genuine++
	}
	f.m.id = &id
	switch {
	case id.Verdict == identity.NotGenuine:
		f.act("not_genuine")
		return
	case id.Verdict != identity.Genuine && !f.cfg.AllowUnverified:
		f.act("unverified")
		return
	}
	if r := f.closedRefusal(id.Citizen.ID); r != "" {
		f.act(r) // what staff closed: no fingerprint asked for nothing
		return
	}
	if f.deps.Holder == nil {
		f.m.holder = "module_absent"
		f.act("")
		return
	}
	f.m.screen, f.m.prompt = ScreenHolder, "place"
	idNumber := id.Citizen.ID
	f.loop.Step(func(ctx context.Context, gen uint64) func() {
		ctx, cancel := context.WithTimeout(ctx, f.cfg.StepTimeout)
		defer cancel()
		_, err := f.deps.Holder.Verify(ctx, idNumber)
		if errors.Is(ctx.Err(), context.Canceled) {
			return nil // the staff skipped it or the point stopped
		}
		return func() { f.onHolder(err) }
	})
}

func (f *Flow) onHolder(err error) {
	switch {
	case err == nil:
		f.m.holder = "matched"
	case errors.Is(err, identity.ErrNotEnrolled) && f.cfg.Enrol && f.m.id.Verdict == identity.Genuine:
		f.m.offer, f.m.prompt = true, ""
		return
	case errors.Is(err, identity.ErrNotEnrolled):
		f.m.holder = "not_enrolled"
	case errors.Is(err, identity.ErrModuleAbsent):
		f.m.holder = "module_absent"
	default:
		f.m.holder = "mismatch"
	}
	f.holderRecorded()
}

// enrol enrols the holder's finger, the staff having confirmed the
// holder's consent; a failure is no refusal (the staff compare the photo).
func (f *Flow) enrol() {
	f.m.offer, f.m.enrolling, f.m.prompt = false, true, "place"
	idNumber := f.m.id.Citizen.ID
	consent := identity.Consent{Given: true, Version: f.cfg.ConsentVersion, At: f.now()}
	f.loop.Step(func(ctx context.Context, gen uint64) func() {
		ctx, cancel := context.WithTimeout(ctx, f.cfg.StepTimeout)
		defer cancel()
		_, err := f.deps.Holder.Enrol(ctx, idNumber, consent)
		if errors.Is(ctx.Err(), context.Canceled) {
			return nil
		}
		return func() {
			f.m.enrolling = false
			switch {
			case err == nil:
				f.m.holder = "enrolled"
			case errors.Is(err, identity.ErrModuleAbsent):
				f.m.holder = "module_absent"
			default:
				f.log.Warn("checkin: enrolment failed", "err", err)
				f.m.holder = "enrol_failed"
			}
			f.holderRecorded()
		}
	})
}

func (f *Flow) holderRecorded() {
	if !f.record(&records.CheckinHolder{Mode: string(f.cfg.Mode), Outcome: f.m.holder}, records.Personal{records.PersonalIDNumber: f.m.id.Citizen.ID}) {
		return
	}
	refusal := ""
	if f.m.holder == "mismatch" {
		refusal = "wrong_person"
	}
	f.act(refusal)
}

// act does the mode's action for the person read; refusal is why the card
// or finger already refuses them ("" none).
func (f *Flow) act(refusal string) {
	switch f.cfg.Mode {
	case ModeLodging:
		f.lodging(refusal)
	case ModeVerify:
		f.verify(refusal)
	case ModeAttendance:
		f.attendance(refusal)
	case ModeGate:
		f.gate(refusal)
	}
}

func (f *Flow) citizen() cccd.Citizen { return f.m.id.Citizen }

// ---- lodging ----

func (f *Flow) lodging(refusal string) {
	if refusal != "" {
		f.refuse(refusal, "", nil)
		return
	}
	c := f.citizen()
	if s := f.m.stays[c.ID]; s != nil {
		f.show(Result{OK: true, Code: "in_house", Message: msgf("lodging.in_house", s.Room, s.From.Format("02/01 15:04")), Room: s.Room})
		return
	}
	now := f.now().In(f.cfg.Location)
	f.m.form = LodgingForm{Departure: now.AddDate(0, 0, 1).Format("02/01/2006"), Reason: f.cfg.Reasons[0], Reasons: slices.Clone(f.cfg.Reasons),
		Arrival: now, NotifyBy: NotifyBy(now)}
	f.m.screen = ScreenLodging
}

func (f *Flow) setLodging(key, v string) {
	v = strings.TrimSpace(v)
	switch key {
	case "room":
		if len([]rune(v)) <= 10 {
			f.m.form.Room = v
		}
	case "departure":
		if len(v) <= 10 {
			f.m.form.Departure = v
		}
	case "reason":
		if slices.Contains(f.cfg.Reasons, v) {
			f.m.form.Reason = v
		}
	}
	f.m.form.Error = Text{}
}

func guestFields(c cccd.Citizen) records.Personal {
	return records.Personal{records.PersonalName: c.Name, records.PersonalIDNumber: c.ID, records.PersonalDateOfBirth: c.DOB,
		records.PersonalSex: c.Sex, records.PersonalNationality: c.Nationality, records.PersonalAddress: c.Residence}
}

func (f *Flow) checkIn() {
	fm := &f.m.form
	dep, err := time.ParseInLocation("02/01/2006", fm.Departure, f.cfg.Location)
	switch {
	case fm.Room == "":
		fm.Error = msg("lodging.room")
		return
	case err != nil:
		fm.Error = msg("lodging.departure")
		return
	}
	dep = time.Date(dep.Year(), dep.Month(), dep.Day(), 12, 0, 0, 0, f.cfg.Location)
	if !dep.After(fm.Arrival) {
		fm.Error = msg("lodging.departure")
		return
	}
	c := f.citizen()
	s := &stay{ID: fmt.Sprintf("LT-%s-%s", fm.Arrival.Format("060102150405"), c.ID[len(c.ID)-3:]), Room: fm.Room, From: fm.Arrival, To: dep,
		Reason: fm.Reason, Guest: guestFields(c), Verdict: string(f.m.id.Verdict)}
	if !f.record(&records.CheckinLodging{Action: "check_in", Stay: s.ID, Room: s.Room, From: s.From.Format(dateTime), To: s.To.Format(dateTime),
		Reason: s.Reason, Verdict: s.Verdict}, guestFields(c)) {
		return
	}
	f.m.stays[c.ID] = s
	f.show(Result{OK: true, Code: "checked_in", Room: s.Room, Message: msgf("lodging.checked_in", s.Room),
		Detail: msgf("lodging.notify_by", NotifyBy(s.From).Format("15:04 02/01/2006"))})
}

func (f *Flow) checkOut() {
	c := f.citizen()
	s := f.m.stays[c.ID]
	if s == nil {
		return
	}
	now := f.now().In(f.cfg.Location)
	if !f.record(&records.CheckinLodging{Action: "check_out", Stay: s.ID, Room: s.Room, From: s.From.Format(dateTime), To: now.Format(dateTime)}, guestFields(c)) {
		return
	}
	delete(f.m.stays, c.ID)
	f.show(Result{OK: true, Code: "checked_out", Room: s.Room, Message: msgf("lodging.checked_out", s.Room)})
}

// ---- verify ----

func (f *Flow) verify(refusal string) {
	outcome := "verified"
	switch refusal {
	case "not_genuine", "unverified":
		outcome = refusal
	case "wrong_person":
		outcome = "holder_mismatch"
	}
	c := f.citizen()
	if !f.record(&records.CheckinVerify{Purpose: f.cfg.Purpose, Outcome: outcome, Holder: f.m.holder},
		records.Personal{records.PersonalName: c.Name, records.PersonalIDNumber: c.ID, records.PersonalDateOfBirth: c.DOB}) {
		return
	}
	if outcome != "verified" {
		f.refuse(refusal, "", nil)
		return
	}
	f.show(Result{OK: true, Code: "verified", Message: msg("verify.ok"), Detail: holderDetail(f.m.holder)})
}

func holderDetail(h string) Text {
	switch h {
	case "matched":
		return msg("holder.matched")
	case "not_enrolled":
		return msg("holder.not_enrolled")
	case "enrolled":
		return msg("holder.enrolled")
	case "module_absent", "skipped", "enrol_failed":
		return msg("holder.unchecked")
	}
	return Text{}
}

// ---- attendance ----

func (f *Flow) attendance(refusal string) {
	c := f.citizen()
	cand, listed := f.deps.Roster.Lookup(c.ID)
	switch {
	case refusal != "":
	case !listed:
		refusal = "not_on_list"
	case f.m.accepted[c.ID]:
		refusal = "already_checked_in"
	case f.cfg.Room != "" && cand.Room != "" && cand.Room != f.cfg.Room:
		refusal = "wrong_room"
	}
	personal := records.Personal{records.PersonalName: c.Name, records.PersonalIDNumber: c.ID, records.PersonalCandidate: cand.Number}
	rec := &records.CheckinAttendance{Session: f.deps.Roster.Session, Outcome: "accepted", Reason: refusal, Room: cand.Room}
	if refusal != "" {
		rec.Outcome, rec.Room = "refused", ""
	}
	if !f.record(rec, personal) {
		return
	}
	if refusal != "" {
		r := Result{Number: cand.Number, Room: cand.Room}
		f.refuse(refusal, cand.Room, &r)
		return
	}
	f.m.accepted[c.ID] = true
	f.show(Result{OK: true, Code: "accepted", Number: cand.Number, Room: cand.Room, Message: msgf("attendance.accepted", cand.Number, firstOf(cand.Room, "—")),
		Detail: holderDetail(f.m.holder)})
}

// ---- gate ----

func (f *Flow) gate(refusal string) {
	c := f.citizen()
	dir := f.m.direction
	occ := len(f.m.inside)
	switch {
	case refusal != "":
	case dir == "entry" && f.m.inside[c.ID]:
		refusal = "already_inside"
	case dir == "entry" && f.cfg.Capacity > 0 && occ >= f.cfg.Capacity:
		refusal = "full"
	}
	rec := &records.CheckinGate{Site: f.cfg.SiteID, Direction: dir, Outcome: "ok", Reason: refusal}
	if refusal != "" {
		rec.Outcome, rec.Occupancy = "refused", occ
		if !f.record(rec, records.Personal{records.PersonalName: c.Name, records.PersonalIDNumber: c.ID}) {
			return
		}
		f.refuse(refusal, "", &Result{Occupancy: occ})
		return
	}
	if dir == "entry" {
		occ++
	} else if f.m.inside[c.ID] {
		occ--
	}
	rec.Occupancy = occ
	if !f.record(rec, records.Personal{records.PersonalName: c.Name, records.PersonalIDNumber: c.ID}) {
		return
	}
	if dir == "entry" {
		f.m.inside[c.ID] = true
	} else {
		delete(f.m.inside, c.ID)
	}
	f.show(Result{OK: true, Code: dir, Occupancy: occ, Message: msgf("gate."+dir, occ)})
}

// ---- results ----

func (f *Flow) show(r Result) {
	f.m.result = r
	f.m.screen = ScreenResult
	f.m.next.Stop()
	f.m.next = f.loop.After(f.cfg.ResultDelay, f.toReady)
}

func (f *Flow) refuse(reason, room string, r *Result) {
	out := Result{Code: reason, Message: msg("refused." + reason)}
	if r != nil {
		out.Number, out.Room, out.Occupancy = r.Number, r.Room, r.Occupancy
	}
	if reason == "wrong_room" {
		out.Message = msgf("refused.wrong_room", room)
	}
	f.loop.StopStep()
	f.show(out)
}

// ---- reports ----

func (f *Flow) period(v string) (stats.Period, bool) {
	now, loc := f.now(), f.cfg.Location
	switch v {
	case "day", "":
		return stats.Day(now, loc), true
	case "week":
		return stats.Week(now, loc), true
	case "last_week":
		return stats.LastWeek(now, loc), true
	case "month":
		return stats.Month(now, loc), true
	case "last_month":
		return stats.LastMonth(now, loc), true
	}
	return stats.Period{}, false
}

func (f *Flow) metrics() []stats.Metric { return stats.Metrics(string(f.cfg.Mode)) }

// showReport computes the period's statistics from the records.
func (f *Flow) showReport(v string) {
	p, ok := f.period(v)
	if !ok {
		return
	}
	f.loop.StopStep()
	f.wipe()
	f.m.screen = ScreenReport
	f.m.next.Stop()
	ctx, cancel := context.WithTimeout(context.Background(), f.cfg.StepTimeout)
	defer cancel()
	rep, err := stats.Compute(ctx, f.deps.Store, p)
	if err != nil {
		f.log.Error("checkin: statistics", "err", err)
		f.m.report = ReportView{Period: v, Message: msg("report.failed")}
		return
	}
	view := ReportView{Period: v, Title: stats.Title(p), Range: stats.PeriodText(p), Note: stats.Note(rep), Complete: rep.Complete}
	for _, m := range f.metrics() {
		val := strconv.Itoa(m.Value(rep.Total))
		if m.Key == "genuine" && rep.Total.Reads > 0 {
			val += " (" + stats.Percent(rep.Total.GenuineRate()) + ")"
		}
		view.Rows = append(view.Rows, ReportRow{Key: m.Key, Label: m.Label, Value: val})
	}
	f.m.report = view
}

func (f *Flow) currentReport() (stats.Report, error) {
	p, _ := f.period(f.m.report.Period)
	ctx, cancel := context.WithTimeout(context.Background(), f.cfg.StepTimeout)
	defer cancel()
	return stats.Compute(ctx, f.deps.Store, p)
}

func (f *Flow) reportRecord(rep stats.Report, format string) *records.CheckinReport {
	return &records.CheckinReport{Period: string(rep.Period.Kind), From: rep.Period.From.Format(time.DateOnly), To: rep.Period.To.Format(time.DateOnly),
		Format: format, Complete: rep.Complete, Totals: stats.Totals(rep, f.metrics())}
}

func (f *Flow) printReport() {
	if f.deps.Printer == nil {
		return
	}
	rep, err := f.currentReport()
	if err != nil {
		f.m.report.Message = msg("report.failed")
		return
	}
	doc := tickets.StatsReport(f.cfg.Header, stats.Printed(rep, f.metrics(), f.cfg.Site, f.now().In(f.cfg.Location)))
	f.loop.Step(func(ctx context.Context, gen uint64) func() {
		ctx, cancel := context.WithTimeout(ctx, f.cfg.StepTimeout)
		defer cancel()
		_, err := f.deps.Printer.Print(ctx, doc)
		return func() {
			if err != nil {
				f.m.report.Message = msg("report.paper")
				return
			}
			if f.deps.Staff != nil {
				f.deps.Staff.Printed(doc) // the staff menu's "reprint"
			}
			if f.record(f.reportRecord(rep, "print"), nil) {
				f.m.report.Message = msg("report.printed")
			}
		}
	})
}

// export writes the report (or, asm, the stay notification) as a CSV or
// XLSX file in ExportDir.
func (f *Flow) export(format string, asm bool) {
	if format != "csv" && format != "xlsx" {
		return
	}
	rep, err := f.currentReport()
	if err != nil {
		f.m.report.Message = msg("report.failed")
		return
	}
	p := rep.Period
	now := f.now().In(f.cfg.Location)
	rows := stats.Table(rep, f.metrics(), f.cfg.Site, now)
	name := fmt.Sprintf("bao-cao-%s-%s-%s.%s", p.Kind, p.From.Format("20060102"), p.To.Format("20060102"), format)
	if asm {
		ctx, cancel := context.WithTimeout(context.Background(), f.cfg.StepTimeout)
		defer cancel()
		if rows, err = StayRows(ctx, f.deps.Store, p.From, p.To, f.cfg.Address); err != nil {
			f.m.report.Message = msg("report.failed")
			return
		}
		name = fmt.Sprintf("thong-bao-luu-tru-%s-%s.%s", p.From.Format("20060102"), p.To.Format("20060102"), format)
	}
	var b bytes.Buffer
	if format == "csv" {
		err = stats.WriteCSV(&b, rows)
	} else {
		err = stats.WriteXLSX(&b, stats.Title(p), rows, now)
	}
	if err == nil {
		err = writeFile(filepath.Join(f.cfg.ExportDir, name), b.Bytes())
	}
	if err != nil {
		f.log.Error("checkin: export", "err", err)
		f.m.report.Message = msg("report.failed")
		return
	}
	if !asm && !f.record(f.reportRecord(rep, format), nil) {
		return
	}
	f.m.report.File, f.m.report.Message = name, msgf("report.exported", name)
}

// writeFile writes b to path atomically with mode 0600 (an export may hold
// personal data: the stay notification).
func writeFile(path string, b []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), filepath.Base(path)+".tmp*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

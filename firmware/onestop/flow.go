package onestop

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"time"

	"github.com/kiosk06/kiosk/drivers/cccd"
	"github.com/kiosk06/kiosk/drivers/escpos"
	"github.com/kiosk06/kiosk/firmware/flowrun"
	"github.com/kiosk06/kiosk/firmware/identity"
	"github.com/kiosk06/kiosk/firmware/onestop/backend"
	"github.com/kiosk06/kiosk/firmware/onestop/catalog"
	"github.com/kiosk06/kiosk/firmware/records"
	"github.com/kiosk06/kiosk/firmware/staffmenu"
	"github.com/kiosk06/kiosk/firmware/tickets"
	"github.com/kiosk06/kiosk/queue"
)

// ErrConfig is returned by New for a configuration or dependency missing.
var ErrConfig = errors.New("onestop: invalid configuration")

// Config configures a Flow.
type Config struct {
	DeviceID string
	// Header is printed at the top of every slip (the office's name).
	Header tickets.Header
	// AppQRs are the provincial apps whose QR signs in (none: CCCD only).
	AppQRs []AppQR
	// AllowUnverified lets a card that was read but not proven genuine
	// (its QR alone, no trust anchors) sign in; by default it is refused:
	// dossiers are filed in the citizen's name.
	AllowUnverified bool
	// CANAttempts is how many typed CANs a card may refuse (default 3).
	CANAttempts int
	// SkipQueueOnSubmit: do not take a queue number with a filed dossier
	// (by default its procedure's counter number is printed on the
	// receipt, since the citizen goes there with the originals and fees).
	SkipQueueOnSubmit bool
	// CounterNames names each queue service for screens and slips ("A" →
	// "Quầy Công an"); a letter without one shows as "quầy A".
	CounterNames map[string]string
	IdleTimeout  time.Duration // default 120 s: forms take time
	GoodbyeDelay time.Duration // default 8 s
	StepTimeout  time.Duration // default 30 s
	RetryDelay   time.Duration // default 1 s
	ResumeCheck  time.Duration // default 30 s
	SupportPoll  time.Duration // default 3 s
	Location     *time.Location
	Logger       *slog.Logger
}

func (c *Config) defaults() {
	set := func(d *time.Duration, def time.Duration) {
		if *d <= 0 {
			*d = def
		}
	}
	set(&c.IdleTimeout, 120*time.Second)
	set(&c.GoodbyeDelay, 8*time.Second)
	set(&c.StepTimeout, 30*time.Second)
	set(&c.RetryDelay, time.Second)
	set(&c.ResumeCheck, 30*time.Second)
	set(&c.SupportPoll, 3*time.Second)
	if c.CANAttempts <= 0 {
		c.CANAttempts = 3
	}
	if c.Location == nil {
		c.Location = time.FixedZone("ICT", 7*3600)
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
}

// Deps are the systems the flow drives.
type Deps struct {
	Identifier Identifier
	// AppQRs delivers the scans of provincial-app QRs (QRSplit.App); nil
	// when no app is configured.
	AppQRs     <-chan string
	System     backend.System
	Catalogues Catalogues
	Queue      Queue
	Printer    Printer
	Recorder   Recorder
	Clock      flowrun.Clock
	// Staff is the staff menu (profile.StaffMenu; nil: no [admin]
	// pin_file, no staff button). Its services are the counters' queue
	// service letters: a closed counter's procedures take no dossier and
	// no number at this kiosk.
	Staff *staffmenu.Menu
}

// Flow is the one-stop kiosk's state machine. Create it with New, run Run
// in a goroutine, drive it with Send and watch it with Subscribe.
type Flow struct {
	cfg  Config
	deps Deps
	log  *slog.Logger
	loop *flowrun.Loop[State, Intent]
	m    model
	// ctx is Run's (the staff menu's audit records are appended under it).
	ctx context.Context
}

// New checks cfg and deps and makes a Flow on the welcome screen.
func New(cfg Config, deps Deps) (*Flow, error) {
	if deps.Identifier == nil || deps.System == nil || deps.Catalogues == nil || deps.Queue == nil || deps.Printer == nil || deps.Recorder == nil {
		return nil, fmt.Errorf("onestop: Identifier, System, Catalogues, Queue, Printer and Recorder are required: %w", ErrConfig)
	}
	if cfg.DeviceID == "" {
		return nil, fmt.Errorf("onestop: DeviceID is required: %w", ErrConfig)
	}
	res, err := checkAppQRs(cfg.AppQRs)
	if err != nil {
		return nil, err
	}
	cfg.defaults()
	f := &Flow{cfg: cfg, deps: deps, log: cfg.Logger.With("component", "onestop"), ctx: context.Background()}
	f.m = model{screen: ScreenWelcome, lang: LangVI, appRes: res}
	f.loop = flowrun.New(flowrun.Machine[State, Intent]{
		Render: f.render, Stamp: func(s *State, seq uint64) { s.Seq = seq }, Handle: f.handle,
		Start: f.toWelcome, Stop: f.m.wipe,
	}, deps.Clock, f.log)
	return f, nil
}

// Subscribe returns the flow's states, the current one first (latest wins).
func (f *Flow) Subscribe() (<-chan State, func()) { return f.loop.Subscribe() }

// Send hands an intent to the flow without blocking.
func (f *Flow) Send(in Intent) { f.loop.Send(in) }

// SendWait hands an intent and waits until it was handled (tests, the
// --control socket).
func (f *Flow) SendWait(ctx context.Context, in Intent) error { return f.loop.SendWait(ctx, in) }

// State is the state last published.
func (f *Flow) State() State { return f.loop.State() }

// Run drives the flow until ctx ends.
func (f *Flow) Run(ctx context.Context) error {
	f.ctx = ctx
	return f.loop.Run(ctx)
}

func (f *Flow) now() time.Time { return f.loop.Clock().Now() }

func (f *Flow) stepCtx(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, f.cfg.StepTimeout)
}

// ---- the model ----

type model struct {
	screen Screen
	lang   Lang
	appRes []*regexp.Regexp

	operator *person // who signed in
	subject  *person // whom they act for (làm hộ)
	forOther bool    // reading the subject's card

	identify Identify
	cans     chan string
	canWrong int

	search  Search
	proc    *catalog.Procedure
	form    []field
	formErr int
	sub     *submission
	doss    Dossiers
	ticket  Ticket
	support *supportCall
	err     ErrorInfo
	errBack Screen

	idle         *flowrun.Timer
	idleDeadline time.Time
	other        *flowrun.Timer // goodbye, retry, resume
	down         storeDown
	oos          OutOfService
}

// submission is a dossier being filed (its key survives a retry).
type submission struct {
	key     string
	rc      *backend.Receipt
	qt      *queue.Ticket
	printed bool
	paper   bool
	failed  string // outcome of the last try: "", rejected, unavailable
}

type supportCall struct {
	s    Support
	id   string
	from Screen
	poll *flowrun.Timer
}

type storeDown struct {
	since    time.Time
	at       string
	failures int
}

func (d storeDown) active() bool { return !d.since.IsZero() }

// wipe drops every reference to personal data.
func (m *model) wipe() {
	m.operator, m.subject, m.forOther = nil, nil, false
	m.identify, m.cans = Identify{}, nil
	m.search, m.proc, m.form, m.formErr, m.sub = Search{}, nil, nil, 0, nil
	m.doss, m.ticket, m.err = Dossiers{}, Ticket{}, ErrorInfo{}
	if m.support != nil {
		m.support.poll.Stop()
	}
	m.support = nil
}

// whom is the person the services are for: the subject when acting for
// another, else who signed in.
func (m *model) whom() *person {
	if m.subject != nil {
		return m.subject
	}
	return m.operator
}

func (f *Flow) setScreen(s Screen) {
	f.m.screen = s
	f.touch()
}

// touch restarts the idle timer where one applies.
func (f *Flow) touch() {
	f.m.idle.Stop()
	f.m.idle, f.m.idleDeadline = nil, time.Time{}
	switch f.m.screen {
	case ScreenWelcome, ScreenGoodbye, ScreenOutOfService, ScreenStaff: // the staff menu logs out on its own idle
		return
	}
	f.m.idleDeadline = f.now().Add(f.cfg.IdleTimeout)
	f.m.idle = f.loop.After(f.cfg.IdleTimeout, func() { f.abandon("idle") })
}

// ---- records ----

type stamped interface {
	records.Payload
	SetStamp(deviceID string, at time.Time)
}

// record makes one record durable; false when it could not be (the
// kiosk then goes out of service: see stop).
func (f *Flow) record(p stamped, personal records.Personal) bool {
	at := f.now()
	p.SetStamp(f.cfg.DeviceID, at)
	for k, v := range personal {
		if v == "" {
			delete(personal, k)
		}
	}
	if len(personal) == 0 {
		personal = nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	err := f.deps.Recorder.Record(ctx, Record{At: at, Payload: p, Personal: personal})
	if err == nil {
		return true
	}
	f.log.Error("onestop: record not stored", "kind", p.RecordKind(), "err", err)
	if !f.m.down.active() {
		f.m.down.since, f.m.down.at = at, p.RecordKind()
		if in, ok := p.(*records.OnestopIntent); ok {
			f.m.down.at += "/" + in.Action
		}
	}
	f.m.down.failures++
	return false
}

// personal is what a dossier's records seal: the subject and, when acting
// for them, the agent.
func (f *Flow) personal(phoneNo string) records.Personal {
	w := f.m.whom()
	if w == nil {
		return nil
	}
	p := records.Personal{records.PersonalName: w.p.Name, records.PersonalIDNumber: w.p.IDNumber, records.PersonalDateOfBirth: w.p.DOB,
		records.PersonalAddress: w.p.Residence, records.PersonalPhone: phoneNo}
	if f.m.subject != nil && f.m.operator != nil {
		p[records.PersonalAgentIDNumber], p[records.PersonalAgentName] = f.m.operator.p.IDNumber, f.m.operator.p.Name
	}
	return p
}

// stop takes the kiosk out of service after a record failed: the screen
// says how far the citizen's dossier got.
func (f *Flow) stop() {
	next := msg("out_of_service.next")
	switch s := f.m.sub; {
	case s != nil && s.rc != nil:
		next = msgf("out_of_service.received", s.rc.DossierCode)
	case s != nil && f.m.screen == ScreenSubmitting:
		next = msg("out_of_service.unsure")
	}
	f.log.Warn("onestop: out of service: records cannot be stored", "stopped_at", f.m.down.at)
	f.loop.StopStep()
	f.cancelSupport()
	lang := f.m.lang
	f.m.wipe()
	f.m.lang = lang
	f.m.oos = OutOfService{Code: "store_unavailable", Message: msg("out_of_service.message"), Next: next, Since: f.m.down.since.In(f.cfg.Location)}
	f.setScreen(ScreenOutOfService)
	f.m.other.Stop()
	f.m.other = f.loop.After(f.cfg.ResumeCheck, f.tryResume)
}

func (f *Flow) tryResume() {
	d := f.m.down
	if !f.record(&records.OnestopService{State: "resumed", StoppedAt: d.at, Since: d.since.UTC().Format(time.RFC3339), FailedRecords: d.failures}, nil) {
		f.m.other = f.loop.After(f.cfg.ResumeCheck, f.tryResume)
		return
	}
	f.log.Info("onestop: records are stored again", "failed_records", d.failures)
	f.m.down = storeDown{}
	f.toWelcome()
}

// ---- welcome and sign-in ----

func (f *Flow) toWelcome() {
	f.loop.StopStep()
	f.m.other.Stop()
	lang := f.m.lang
	f.m.wipe()
	f.m.lang = lang
	f.setScreen(ScreenWelcome)
	f.startIdentify()
}

func (f *Flow) identifyKey() string {
	if f.m.forOther {
		return "identify.other"
	}
	return "identify.waiting"
}

// startIdentify waits for a card, or a provincial app's QR.
func (f *Flow) startIdentify() {
	f.m.other.Stop()
	cans := make(chan string, 1)
	f.m.cans, f.m.canWrong = cans, 0
	apps := f.deps.AppQRs
	f.loop.Step(func(ctx context.Context, gen uint64) func() {
		actx, cancel := context.WithCancel(ctx)
		defer cancel()
		type result struct {
			id  identity.Identity
			err error
		}
		done := make(chan result, 1)
		go func() {
			onEvent := func(e identity.Event) { f.loop.Post(gen, func() { f.onEvent(e) }) }
			id, err := f.deps.Identifier.Acquire(actx, identity.Request{CAN: cans, OnEvent: onEvent})
			done <- result{id, err}
		}()
		select {
		case r := <-done:
			if ctx.Err() != nil {
				return nil
			}
			if r.err != nil {
				return func() { f.onIdentifyFailed(r.err) }
			}
			return func() { f.onIdentified(r.id) }
		case text := <-apps:
			cancel()
			<-done
			return func() { f.onAppQR(text) }
		case <-ctx.Done():
			<-done
			return nil
		}
	})
}

// retryIdentify waits for a card again after RetryDelay.
func (f *Flow) retryIdentify() {
	f.loop.StopStep()
	f.m.cans = nil
	f.m.other.Stop()
	f.m.other = f.loop.After(f.cfg.RetryDelay, f.startIdentify)
}

var identifyKeys = map[identity.EventKind]string{
	identity.EventDetected: "identify.detected", identity.EventNeedQR: "identify.detected",
	identity.EventReading: "identify.chip", identity.EventVerifying: "identify.verifying", identity.EventDone: "identify.verifying",
}

func (f *Flow) onEvent(e identity.Event) {
	if e.Kind == identity.EventWaiting {
		return
	}
	if f.m.screen == ScreenWelcome || f.m.screen == ScreenGoodbye {
		f.setScreen(ScreenIdentify)
	}
	if f.m.screen != ScreenIdentify {
		return
	}
	f.touch()
	if e.Kind == identity.EventNeedCAN {
		f.askCAN(e.WrongCAN)
		return
	}
	key := identifyKeys[e.Kind]
	if key == "" {
		key = "identify.chip"
	}
	f.m.identify = Identify{Step: e.Kind, Progress: min(max(e.Fraction, 0), 1), Message: msg(key), ForOther: f.m.forOther}
}

func (f *Flow) askCAN(wrong bool) {
	if f.m.cans == nil {
		f.m.identify = Identify{Step: identity.EventDetected, Message: msg("identify.detected"), ForOther: f.m.forOther}
		return
	}
	ask := Identify{Step: identity.EventNeedCAN, NeedCAN: true, Message: msg("identify.can"), ForOther: f.m.forOther}
	if wrong {
		f.m.canWrong++
		left := max(f.cfg.CANAttempts-f.m.canWrong, 0)
		if left == 0 {
			f.loop.StopStep()
			f.m.cans = nil
			f.m.identify = Identify{Step: identity.EventWaiting, CANExhausted: true, Message: msgf("identify.can_exhausted", f.m.canWrong), ForOther: f.m.forOther}
			return
		}
		ask.CANError = msgf("identify.can_wrong", left)
	}
	ask.CANAttemptsLeft = f.cfg.CANAttempts - f.m.canWrong
	f.m.identify = ask
}

func (f *Flow) enterCAN(digits string) {
	if !cccd.ValidCAN(digits) {
		f.m.identify.CANError = msg("identify.can_invalid")
		return
	}
	select {
	case f.m.cans <- digits:
	default:
		return
	}
	f.m.identify = Identify{Step: identity.EventDetected, Progress: 0.05, Message: msg("identify.can_checking"), ForOther: f.m.forOther}
}

func (f *Flow) onIdentifyFailed(err error) {
	f.log.Info("onestop: card read failed; waiting again", "err", err)
	if f.m.screen == ScreenIdentify {
		key := "identify.failed"
		switch {
		case errors.Is(err, cccd.ErrUnsupportedQR) || errors.Is(err, cccd.ErrBadQR):
			key = "identify.unusable"
		case f.m.identify.NeedCAN && errors.Is(err, identity.ErrCardRemoved):
			key = "identify.can_removed"
		}
		f.m.identify = Identify{Step: identity.EventWaiting, Retry: true, Message: msg(key), ForOther: f.m.forOther}
	}
	f.retryIdentify()
}

func (f *Flow) onIdentified(id identity.Identity) {
	f.m.cans = nil
	rec := &records.OnestopSignIn{Verdict: string(id.Verdict), Method: string(id.Method), Reason: string(id.Reason), ForOther: f.m.forOther}
	refuse := ""
	switch {
	case id.Verdict == identity.NotGenuine:
		refuse = "not_genuine"
	case id.Verdict != identity.Genuine && !f.cfg.AllowUnverified:
		refuse = "unverified"
	}
	if refuse != "" {
		rec.Outcome = refuse
		if !f.record(rec, nil) {
			f.stop()
			return
		}
		f.fail(refuse, "error."+refuse, "error."+refuse+"_next", ScreenWelcome)
		return
	}
	verified := "chip"
	if id.Verdict != identity.Genuine {
		verified = "chip_unverified"
	}
	f.signedIn(fromCitizen(id.Citizen, string(id.Method), string(id.Verdict), verified), rec)
}

// signedIn makes p the operator, or the subject when reading the card of
// the person the operator acts for.
func (f *Flow) signedIn(p *person, rec *records.OnestopSignIn) {
	if f.m.forOther && f.m.operator != nil && p.p.IDNumber == f.m.operator.p.IDNumber {
		f.m.identify = Identify{Step: identity.EventWaiting, Retry: true, Message: msg("identify.same"), ForOther: true}
		f.setScreen(ScreenIdentify)
		f.retryIdentify()
		return
	}
	rec.Outcome = "ok"
	if !f.record(rec, records.Personal{records.PersonalName: p.p.Name, records.PersonalIDNumber: p.p.IDNumber, records.PersonalDateOfBirth: p.p.DOB}) {
		f.stop()
		return
	}
	if f.m.forOther {
		f.m.subject, f.m.forOther = p, false
	} else {
		f.m.operator = p
	}
	f.loop.StopStep()
	f.toMenu()
}

// onAppQR checks a provincial app's QR: offline by its signature, or
// online through the one-stop system, saying so on the screen.
func (f *Flow) onAppQR(text string) {
	a, ok := recognise(f.cfg.AppQRs, f.m.appRes, text)
	if !ok {
		f.startIdentify()
		return
	}
	af := *a.format
	f.m.identify = Identify{Step: identity.EventVerifying, Progress: 0.5, ForOther: f.m.forOther, App: &AppCheck{App: af.Name, Online: af.Check == CheckOnline}}
	if f.m.screen != ScreenIdentify {
		f.setScreen(ScreenIdentify)
	}
	if af.Check == CheckSigned {
		f.m.identify.Message = msgf("identify.app_signed", af.Name)
		p, err := VerifySigned(&af, text, f.now())
		if err != nil {
			f.appRefused(af, "app_rejected", err)
			return
		}
		f.signedIn(fromPerson(p, "app_signed"), &records.OnestopSignIn{Verdict: "verified", Method: "app_signed", ForOther: f.m.forOther})
		return
	}
	f.m.identify.Message = msgf("identify.app_online", af.Name)
	f.loop.Step(func(ctx context.Context, gen uint64) func() {
		ctx, cancel := f.stepCtx(ctx)
		defer cancel()
		c, err := f.deps.System.Resolve(ctx, af.Format, text)
		return func() {
			switch {
			case err == nil:
				f.signedIn(fromPerson(c.Person, "app_online"), &records.OnestopSignIn{Verdict: "verified", Method: "app_online", ForOther: f.m.forOther})
			case errors.Is(err, backend.ErrRejected) || errors.Is(err, backend.ErrNotFound):
				f.appRefused(af, "app_rejected", err)
			default:
				f.appRefused(af, "app_unavailable", err)
			}
		}
	})
}

func (f *Flow) appRefused(af AppQR, outcome string, err error) {
	f.log.Info("onestop: app QR refused", "app", af.Name, "outcome", outcome, "err", err)
	if !f.record(&records.OnestopSignIn{Outcome: outcome, Method: "app_" + string(af.Check), ForOther: f.m.forOther}, nil) {
		f.stop()
		return
	}
	key := "identify.app_rejected"
	if outcome == "app_unavailable" {
		key = "identify.app_offline"
	}
	f.m.identify = Identify{Step: identity.EventWaiting, Retry: true, Message: msgf(key, af.Name), ForOther: f.m.forOther}
	f.retryIdentify()
}

// ---- menu, search, procedure, form ----

func (f *Flow) toMenu() {
	f.loop.StopStep()
	f.m.proc, f.m.form, f.m.formErr, f.m.sub = nil, nil, 0, nil
	f.setScreen(ScreenMenu)
}

func (f *Flow) forOther() {
	f.m.forOther, f.m.subject = true, nil
	f.m.identify = Identify{Step: identity.EventWaiting, Message: msg("identify.other"), ForOther: true}
	f.setScreen(ScreenIdentify)
	f.startIdentify()
}

func (f *Flow) toSearch() {
	f.m.search = Search{}
	f.query(Intent{})
	f.setScreen(ScreenSearch)
}

// maxQueryRunes bounds the text searched.
const maxQueryRunes = 100

func (f *Flow) query(in Intent) {
	s := &f.m.search
	s.Query, s.Topic, s.Agency = truncate(clean(in.Text), maxQueryRunes), truncate(in.Topic, 200), truncate(in.Agency, 200)
	c := f.deps.Catalogues.Current()
	if c == nil {
		s.NoCatalogue, s.Results, s.Message = true, nil, msg("menu.no_catalog")
		return
	}
	s.NoCatalogue, s.SyncedAt, s.Topics, s.Agencies = false, c.SyncedAt(), c.Topics(), c.Agencies()
	hits := c.Search(catalog.Query{Text: s.Query, Topic: s.Topic, Agency: s.Agency, Limit: 30})
	s.Results = make([]ProcedureSummary, 0, len(hits))
	for _, h := range hits {
		s.Results = append(s.Results, summary(h.Procedure))
	}
	switch {
	case len(hits) == 0:
		s.Message = msg("search.none")
	case s.Query == "" && s.Topic == "" && s.Agency == "":
		s.Message = msg("search.message")
	default:
		s.Message = msgf("search.found", len(hits))
	}
}

func truncate(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n])
	}
	return s
}

func summary(p catalog.Procedure) ProcedureSummary {
	return ProcedureSummary{Code: p.Code, Name: p.Name, Topic: p.Topic, Agency: p.Agency, FeeText: feeText(p.Fee), Days: p.Days, Uses: p.Uses}
}

func feeText(v int64) string {
	if v == 0 {
		return msg("fee.none").VI
	}
	return tickets.FormatVND(v)
}

func (f *Flow) choose(code string) {
	c := f.deps.Catalogues.Current()
	if c == nil {
		return
	}
	p, ok := c.Get(code)
	if !ok {
		return
	}
	f.m.proc = &p
	f.setScreen(ScreenProcedure)
}

func (f *Flow) counterName(letter string) string {
	if n := f.cfg.CounterNames[letter]; n != "" {
		return n
	}
	return "quầy " + letter
}

func (f *Flow) toForm() {
	if f.m.proc == nil || f.m.whom() == nil {
		return
	}
	if f.m.form == nil {
		f.m.form = newForm(*f.m.proc, f.m.whom())
	}
	f.setScreen(ScreenForm)
}

func (f *Flow) submitForm() {
	f.m.formErr = check(f.m.form)
	if f.m.formErr == 0 {
		f.setScreen(ScreenReview)
	}
}

// ---- filing the dossier ----

func newKey(device string) string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return device + "-" + hex.EncodeToString(b)
}

// confirm files the dossier: the intent is durable before the request; a
// retry keeps the key, so the one-stop system files it once.
func (f *Flow) confirm() {
	p := f.m.proc
	if p == nil || f.m.whom() == nil || check(f.m.form) != 0 {
		return
	}
	if f.m.sub == nil {
		f.m.sub = &submission{key: newKey(f.cfg.DeviceID)}
	}
	sub := f.m.sub
	if !f.record(&records.OnestopIntent{Action: records.ActionSubmitDossier, Key: sub.key, Procedure: p.Code, ForOther: f.m.subject != nil},
		f.personal(phone(f.m.form))) {
		f.stop()
		return
	}
	vals, srcs := values(f.m.form)
	s := backend.Submission{Key: sub.key, Kiosk: f.cfg.DeviceID, ProcedureCode: p.Code, Subject: f.m.whom().p, Fields: vals, Sources: srcs}
	if f.m.subject != nil {
		agent := f.m.operator.p
		s.Agent = &agent
	}
	f.m.err = ErrorInfo{}
	f.setScreen(ScreenSubmitting)
	f.loop.Step(func(ctx context.Context, gen uint64) func() {
		ctx, cancel := f.stepCtx(ctx)
		defer cancel()
		rc, err := f.deps.System.Submit(ctx, s)
		return func() { f.onSubmitted(rc, err) }
	})
}

func failure(err error) string {
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		return "timeout"
	case errors.Is(err, backend.ErrUnauthorized):
		return "auth"
	case errors.Is(err, backend.ErrBadResponse):
		return "bad_response"
	case errors.Is(err, backend.ErrRejected), errors.Is(err, backend.ErrNotFound):
		return "rejected"
	}
	return "unavailable"
}

func (f *Flow) dossierRecord() *records.OnestopDossier {
	card, typed := counts(f.m.form)
	return &records.OnestopDossier{Key: f.m.sub.key, Procedure: f.m.proc.Code, ForOther: f.m.subject != nil, CardFields: card, TypedFields: typed}
}

func (f *Flow) onSubmitted(rc backend.Receipt, err error) {
	if err != nil {
		f.log.Warn("onestop: dossier not filed", "procedure", f.m.proc.Code, "err", err)
		rec := f.dossierRecord()
		rec.Outcome, rec.Failure = "unavailable", failure(err)
		code := "unavailable"
		if rec.Failure == "rejected" {
			rec.Outcome, code = "rejected", "rejected"
		}
		f.m.sub.failed = rec.Outcome
		if !f.record(rec, f.personal(phone(f.m.form))) {
			f.stop()
			return
		}
		f.fail(code, "error."+code, "error."+code+"_next", ScreenReview)
		return
	}
	f.m.sub.rc = &rc
	if f.cfg.SkipQueueOnSubmit {
		f.printReceipt()
		return
	}
	f.takeNumber(true)
}

// takeNumber issues a number for the procedure's counter (announced
// first), then prints the receipt (withReceipt) or the ticket.
func (f *Flow) takeNumber(withReceipt bool) {
	p := f.m.proc
	key, dossier := newKey(f.cfg.DeviceID), ""
	if f.m.sub != nil {
		key = f.m.sub.key
		if f.m.sub.rc != nil {
			dossier = f.m.sub.rc.DossierCode
		}
	}
	if !f.record(&records.OnestopIntent{Action: records.ActionOnestopTicket, Key: key, Procedure: p.Code, ForOther: f.m.subject != nil,
		Counter: p.Counter, Dossier: dossier}, nil) {
		f.stop()
		return
	}
	f.setScreen(ScreenSubmitting)
	f.m.err = ErrorInfo{}
	f.loop.Step(func(ctx context.Context, gen uint64) func() {
		ctx, cancel := f.stepCtx(ctx)
		defer cancel()
		t, err := f.deps.Queue.Issue(ctx, p.Counter, queue.Normal)
		return func() { f.onNumber(t, err, withReceipt, dossier) }
	})
}

func (f *Flow) onNumber(t queue.Ticket, err error, withReceipt bool, dossier string) {
	p := f.m.proc
	if err != nil {
		f.log.Warn("onestop: no queue number", "counter", p.Counter, "err", err)
		if !f.record(&records.OnestopTicket{Outcome: "queue_failed", Counter: p.Counter, Procedure: p.Code, Dossier: dossier}, nil) {
			f.stop()
			return
		}
		if withReceipt { // the dossier is filed: print its receipt without a number
			f.printReceipt()
			return
		}
		f.fail("queue_failed", "error.queue", "error.queue_next", ScreenProcedure)
		return
	}
	if withReceipt {
		f.m.sub.qt = &t
		f.printReceipt()
		return
	}
	f.printTicket(t)
}

func (f *Flow) printErr(err error) (printed, paper bool) {
	return err == nil, errors.Is(err, escpos.ErrPaperEnd)
}

// printReceipt prints the receipt slip, then records the dossier (and its
// number) and shows the receipt.
func (f *Flow) printReceipt() {
	sub, p, w := f.m.sub, f.m.proc, f.m.whom()
	doc := tickets.Dossier{Code: sub.rc.DossierCode, Procedure: p.Name, Agency: firstOf(sub.rc.Agency, p.Agency), Applicant: w.p.Name,
		ApplicantID: MaskID(w.p.IDNumber), ReceivedAt: sub.rc.ReceivedAt.In(f.cfg.Location), Appointment: sub.rc.Appointment.In(f.cfg.Location),
		Total: sub.rc.Total, LookupURL: sub.rc.LookupURL}
	for _, l := range sub.rc.Fees {
		doc.Fees = append(doc.Fees, tickets.ReceiptLine{Name: l.Name, Amount: l.Amount})
	}
	if f.m.subject != nil {
		doc.Agent, doc.AgentID = f.m.operator.p.Name, MaskID(f.m.operator.p.IDNumber)
	}
	if sub.qt != nil {
		doc.Queue, doc.Counter = sub.qt.ID, f.counterName(p.Counter)
	}
	var again *escpos.Document
	if f.deps.Staff != nil {
		again = reprintable(f.cfg.Header, doc)
	}
	f.setScreen(ScreenSubmitting)
	f.loop.Step(func(ctx context.Context, gen uint64) func() {
		ctx, cancel := f.stepCtx(ctx)
		defer cancel()
		_, err := f.deps.Printer.Print(ctx, tickets.DossierReceipt(f.cfg.Header, doc))
		return func() { f.onReceiptPrinted(err, again) }
	})
}

// reprintable is the copy of a receipt slip the staff menu may print
// again ("In lại vé gần nhất"): the dossier code, procedure, dates, fees
// and number, without the applicant's or agent's name and ID, which the
// kiosk keeps no longer than the citizen's session.
func reprintable(h tickets.Header, d tickets.Dossier) *escpos.Document {
	d.Applicant, d.ApplicantID, d.Agent, d.AgentID = "(bản in lại)", "", "", ""
	return tickets.DossierReceipt(h, d)
}

func firstOf(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func (f *Flow) onReceiptPrinted(err error, again *escpos.Document) {
	sub, p := f.m.sub, f.m.proc
	sub.printed, sub.paper = f.printErr(err)
	if err != nil {
		f.log.Warn("onestop: receipt not printed", "err", err)
	} else {
		f.printed(again)
	}
	rec := f.dossierRecord()
	rec.Outcome, rec.Dossier, rec.Fee, rec.Printed = "ok", sub.rc.DossierCode, sub.rc.Total, sub.printed
	rec.Appointment = sub.rc.Appointment.In(f.cfg.Location).Format(time.DateOnly)
	if !f.record(rec, f.personal(phone(f.m.form))) {
		f.stop()
		return
	}
	if sub.qt != nil && !f.record(&records.OnestopTicket{Outcome: "ok", Ticket: sub.qt.ID, Counter: p.Counter, Procedure: p.Code,
		Dossier: sub.rc.DossierCode, Printed: sub.printed}, nil) {
		f.stop()
		return
	}
	f.setScreen(ScreenReceipt)
}

func (f *Flow) printTicket(t queue.Ticket) {
	p := f.m.proc
	doc := tickets.QueueTicket(f.cfg.Header, tickets.Queue{ID: t.ID, Number: t.ID, Service: f.counterName(p.Counter) + " – " + p.Name,
		IssuedAt: t.Issued.In(f.cfg.Location), Ahead: t.Ahead, Wait: t.Wait})
	f.loop.Step(func(ctx context.Context, gen uint64) func() {
		ctx, cancel := f.stepCtx(ctx)
		defer cancel()
		_, err := f.deps.Printer.Print(ctx, doc)
		return func() {
			printed, paper := f.printErr(err)
			if printed {
				f.printed(doc)
			}
			if !f.record(&records.OnestopTicket{Outcome: "ok", Ticket: t.ID, Counter: p.Counter, Procedure: p.Code, Printed: printed}, nil) {
				f.stop()
				return
			}
			f.m.ticket = Ticket{Number: t.ID, Counter: p.Counter, CounterName: f.counterName(p.Counter), Ahead: t.Ahead, Wait: t.Wait,
				Printed: printed, PaperOut: paper, Message: msgf("ticket.message", f.counterName(p.Counter))}
			if !printed {
				f.m.ticket.Message = msgf("ticket.paper", t.ID)
			}
			f.setScreen(ScreenTicket)
		}
	})
}

// ---- dossiers ----

func (f *Flow) toDossiers() {
	w := f.m.whom()
	if w == nil {
		return
	}
	f.m.doss = Dossiers{Loading: true, Message: msg("dossiers.loading")}
	f.setScreen(ScreenDossiers)
	id := w.p.IDNumber
	f.loop.Step(func(ctx context.Context, gen uint64) func() {
		ctx, cancel := f.stepCtx(ctx)
		defer cancel()
		ds, err := f.deps.System.Dossiers(ctx, id)
		return func() { f.onDossiers(ds, err) }
	})
}

func (f *Flow) onDossiers(ds []backend.Dossier, err error) {
	if err != nil {
		f.log.Warn("onestop: dossier lookup failed", "err", err)
		f.m.doss = Dossiers{Unavailable: true, Message: msg("dossiers.unavailable")}
		if !f.record(&records.OnestopLookup{Outcome: "unavailable"}, nil) {
			f.stop()
		}
		return
	}
	list := make([]DossierView, 0, len(ds))
	for _, d := range ds {
		list = append(list, DossierView{Code: d.Code, Procedure: d.ProcedureName, Status: d.Status, StatusText: statusText(d),
			ReceivedAt: d.ReceivedAt.In(f.cfg.Location), Appointment: inLoc(d.Appointment, f.cfg.Location), FeeText: feeText(d.Fee), Paid: d.Paid, ByAgent: d.ByAgent})
	}
	f.m.doss = Dossiers{List: list, Message: msgf("dossiers.found", len(list))}
	if len(list) == 0 {
		f.m.doss.Message = msg("dossiers.none")
	}
	if !f.record(&records.OnestopLookup{Outcome: "ok", Found: len(list)}, nil) {
		f.stop()
	}
}

func inLoc(t time.Time, loc *time.Location) time.Time {
	if t.IsZero() {
		return t
	}
	return t.In(loc)
}

func statusText(d backend.Dossier) Text {
	if _, ok := messages["status."+string(d.Status)]; ok {
		return msg("status." + string(d.Status))
	}
	return Text{Key: "status." + string(d.Status), VI: d.StatusText, EN: d.StatusText}
}

func (f *Flow) printDossiers() {
	w := f.m.whom()
	slip := tickets.DossierStatus{Name: w.p.Name, MaskedID: MaskID(w.p.IDNumber), At: f.now().In(f.cfg.Location)}
	for _, d := range f.m.doss.List {
		slip.Lines = append(slip.Lines, tickets.DossierLine{Code: d.Code, Procedure: d.Procedure, Status: d.StatusText.VI, Appointment: d.Appointment})
	}
	n := len(f.m.doss.List)
	f.loop.Step(func(ctx context.Context, gen uint64) func() {
		ctx, cancel := f.stepCtx(ctx)
		defer cancel()
		_, err := f.deps.Printer.Print(ctx, tickets.DossierStatusSlip(f.cfg.Header, slip))
		return func() {
			printed, _ := f.printErr(err)
			if !f.record(&records.OnestopLookup{Outcome: "ok", Found: n, Printed: printed}, nil) {
				f.stop()
				return
			}
			f.m.doss.Printed = printed
			f.m.doss.Message = msg("dossiers.printed")
			if !printed {
				f.m.doss.Message = msg("dossiers.paper")
			}
		}
	})
}

// ---- support ----

// callSupport asks the help desk for a staff member; the request runs
// beside the citizen's steps (they may go back while waiting).
func (f *Flow) callSupport() {
	if f.m.support != nil && (f.m.support.s.Phase == SupportRequesting || f.m.support.s.Phase == SupportWaiting || f.m.support.s.Phase == SupportAccepted) {
		f.m.support.from = f.m.screen
		f.setScreen(ScreenSupport)
		return
	}
	call := &supportCall{s: Support{Phase: SupportRequesting, Since: f.now().In(f.cfg.Location), Message: msg("support.requesting")}, from: f.m.screen}
	f.m.support = call
	req := backend.SupportRequest{Kiosk: f.cfg.DeviceID, Screen: string(f.m.screen)}
	if f.m.proc != nil {
		req.Topic = f.m.proc.Code
	}
	f.setScreen(ScreenSupport)
	f.loop.Go(func(ctx context.Context) func() {
		ctx, cancel := f.stepCtx(ctx)
		defer cancel()
		t, err := f.deps.System.RequestSupport(ctx, req)
		return func() { f.onSupport(call, t, err) }
	})
}

func (f *Flow) onSupport(call *supportCall, t backend.SupportTicket, err error) {
	if f.m.support != call {
		return // the citizen left or cancelled meanwhile
	}
	if err != nil {
		f.log.Warn("onestop: help desk not reached", "err", err)
		call.s.Phase, call.s.Message = SupportFailed, msg("support.failed")
		if !f.record(&records.OnestopSupport{State: "failed", Screen: string(call.from)}, nil) {
			f.stop()
		}
		return
	}
	first := call.id == ""
	call.id, call.s.Ref = t.ID, t.ID
	if first && !f.record(&records.OnestopSupport{State: "requested", Ref: t.ID, Screen: string(call.from)}, nil) {
		f.stop()
		return
	}
	switch t.State {
	case backend.SupportWaiting:
		call.s.Phase, call.s.Message = SupportWaiting, msgf("support.waiting", t.ID)
		call.poll = f.loop.After(f.cfg.SupportPoll, func() { f.pollSupport(call) })
	case backend.SupportAccepted:
		call.s.Phase, call.s.StaffName, call.s.Note = SupportAccepted, t.StaffName, t.Note
		call.s.Message = msgf("support.accepted", t.StaffName)
		if t.Note != "" {
			call.s.Message = msgf("support.accepted_at", t.StaffName, t.Note)
		}
		wait := int(f.now().Sub(call.s.Since).Seconds())
		if !f.record(&records.OnestopSupport{State: "accepted", Ref: t.ID, Screen: string(call.from), Staff: t.StaffID, WaitSeconds: wait}, nil) {
			f.stop()
		}
	default:
		call.s.Phase, call.s.Message = SupportClosed, msg("support.closed")
		if !f.record(&records.OnestopSupport{State: "closed", Ref: t.ID, Screen: string(call.from)}, nil) {
			f.stop()
		}
	}
}

func (f *Flow) pollSupport(call *supportCall) {
	if f.m.support != call {
		return
	}
	id := call.id
	f.loop.Go(func(ctx context.Context) func() {
		ctx, cancel := f.stepCtx(ctx)
		defer cancel()
		t, err := f.deps.System.Support(ctx, id)
		return func() {
			if f.m.support != call {
				return
			}
			if err != nil { // keep waiting: a missed poll is not a failed call
				call.poll = f.loop.After(f.cfg.SupportPoll, func() { f.pollSupport(call) })
				return
			}
			f.onSupport(call, t, nil)
		}
	})
}

// cancelSupport withdraws an open call (best effort) and records it.
func (f *Flow) cancelSupport() {
	call := f.m.support
	if call == nil {
		return
	}
	call.poll.Stop()
	f.m.support = nil
	if call.id == "" || call.s.Phase == SupportFailed || call.s.Phase == SupportClosed {
		return
	}
	id := call.id
	f.loop.Go(func(ctx context.Context) func() {
		ctx, cancel := f.stepCtx(ctx)
		defer cancel()
		if _, err := f.deps.System.CancelSupport(ctx, id); err != nil {
			f.log.Info("onestop: support request not withdrawn", "err", err)
		}
		return nil
	})
	f.record(&records.OnestopSupport{State: "cancelled", Ref: id, Screen: string(call.from), WaitSeconds: int(f.now().Sub(call.s.Since).Seconds())}, nil)
}

// ---- errors, leaving ----

func (f *Flow) fail(code, message, next string, back Screen) {
	f.m.err, f.m.errBack = ErrorInfo{Code: code, Message: msg(message), Next: msg(next)}, back
	f.setScreen(ScreenError)
}

func (f *Flow) signOut() {
	f.loop.StopStep()
	f.cancelSupport()
	lang := f.m.lang
	f.m.wipe()
	f.m.lang = lang
	f.setScreen(ScreenGoodbye)
	f.m.other.Stop()
	f.m.other = f.loop.After(f.cfg.GoodbyeDelay, f.toWelcome)
}

// abandon ends the session on idle timeout or cancel.
func (f *Flow) abandon(reason string) {
	switch f.m.screen {
	case ScreenWelcome, ScreenGoodbye, ScreenOutOfService:
		return
	}
	f.cancelSupport()
	filed := f.m.sub != nil && f.m.sub.rc != nil
	if f.m.operator != nil || f.m.screen != ScreenIdentify {
		if !f.record(&records.OnestopAbandoned{Screen: string(f.m.screen), Reason: reason, Filed: filed}, nil) {
			f.stop()
			return
		}
	}
	f.toWelcome()
}

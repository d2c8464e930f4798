package onestop

import (
	"context"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kiosk06/kiosk/drivers/cccd"
	"github.com/kiosk06/kiosk/drivers/escpos"
	"github.com/kiosk06/kiosk/firmware/identity"
	"github.com/kiosk06/kiosk/firmware/onestop/backend"
	"github.com/kiosk06/kiosk/firmware/onestop/onestopsim"
	"github.com/kiosk06/kiosk/firmware/records"
	"github.com/kiosk06/kiosk/firmware/store"
	"github.com/kiosk06/kiosk/queue"
)

// ---- manual clock ----

type manualClock struct {
	mu      sync.Mutex
	now     time.Time
	waiters []waiter
}

type waiter struct {
	at time.Time
	ch chan time.Time
}

var ict = time.FixedZone("ICT", 7*3600)

func newClock() *manualClock {
	return &manualClock{now: time.Date(2026, 11, 20, 9, 30, 0, 0, ict)} // a Friday
}

func (c *manualClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }

func (c *manualClock) After(d time.Duration) <-chan time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	ch := make(chan time.Time, 1)
	if d <= 0 {
		ch <- c.now
		return ch
	}
	c.waiters = append(c.waiters, waiter{c.now.Add(d), ch})
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

// ---- fakes ----

type fakeIdentifier struct {
	cards chan identity.Identity
	// reading counts the Acquire calls running (the card reader in use).
	reading atomic.Int32
}

func (f *fakeIdentifier) Acquire(ctx context.Context, req identity.Request) (identity.Identity, error) {
	f.reading.Add(1)
	defer f.reading.Add(-1)
	if req.OnEvent != nil {
		req.OnEvent(identity.Event{Kind: identity.EventWaiting})
	}
	select {
	case id := <-f.cards:
		if req.OnEvent != nil {
			req.OnEvent(identity.Event{Kind: identity.EventReading, Fraction: 0.5})
		}
		return id, nil
	case <-ctx.Done():
		return identity.Identity{}, ctx.Err()
	}
}

type fakePrinter struct {
	mu   sync.Mutex
	docs []*escpos.Document
	err  error
}

func (p *fakePrinter) Print(_ context.Context, d *escpos.Document) (escpos.Result, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.err != nil {
		return escpos.Result{}, p.err
	}
	p.docs = append(p.docs, d)
	return escpos.Result{}, nil
}

func (p *fakePrinter) printed() int { p.mu.Lock(); defer p.mu.Unlock(); return len(p.docs) }

// Status is the printer's status for the staff menu: ready.
func (p *fakePrinter) Status(context.Context) (escpos.Status, error) {
	return escpos.Status{Online: true}, nil
}

func (p *fakePrinter) lastDoc() *escpos.Document {
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.docs) == 0 {
		return nil
	}
	return p.docs[len(p.docs)-1]
}

// memStore is a records.Appender: records go through records.Append, so
// the registry's rules (kinds, sealed fields) hold in these tests.
type memStore struct {
	mu   sync.Mutex
	recs []store.Record
	fail func(kind string) bool
}

func (m *memStore) Append(_ context.Context, r store.Record) (store.Seq, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.fail != nil && m.fail(r.Kind) {
		return 0, store.ErrFull
	}
	r.Seq = store.Seq(len(m.recs) + 1)
	m.recs = append(m.recs, r)
	return r.Seq, nil
}

func (m *memStore) kinds() []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []string
	for _, r := range m.recs {
		out = append(out, r.Kind)
	}
	return out
}

func (m *memStore) last(kind string) store.Record {
	m.mu.Lock()
	defer m.mu.Unlock()
	for i := len(m.recs) - 1; i >= 0; i-- {
		if m.recs[i].Kind == kind {
			return m.recs[i]
		}
	}
	return store.Record{}
}

// ---- harness ----

var (
	lan = cccd.Citizen{ID: "001185012345", Name: "Nguyễn Thị Lan", DOB: "12/03/1985", Sex: "Nữ", Nationality: "Việt Nam", Ethnicity: "Kinh",
		Religion: "Không", Hometown: "Phú Vang, Thừa Thiên Huế", Residence: "Số 12 Lê Lợi, phường Phú Hội, TP. Huế", IssueDate: "10/05/2021",
		Father: "Nguyễn Văn An", Mother: "Lê Thị Hoa"}
	binh = cccd.Citizen{ID: "079090001234", Name: "Trần Văn Bình", DOB: "01/01/1990", Sex: "Nam", Nationality: "Việt Nam",
		Residence: "Số 5 Hùng Vương, TP. Huế"}
)

func card(c cccd.Citizen, v identity.Verdict) identity.Identity {
	return identity.Identity{Citizen: c, Verdict: v, Method: identity.MethodChipQR}
}

type harness struct {
	t      *testing.T
	f      *Flow
	clock  *manualClock
	ids    *fakeIdentifier
	apps   chan string
	sim    *onestopsim.Sim
	store  *memStore
	print  *fakePrinter
	queue  *queue.Engine
	cancel context.CancelFunc
	done   chan struct{}
}

func newHarness(t *testing.T, opt *onestopsim.Options, mut func(*Config)) *harness {
	t.Helper()
	return newHarnessDeps(t, opt, mut, nil)
}

// newHarnessDeps is newHarness with the flow's Deps changed by deps
// before New (a real store, the staff menu).
func newHarnessDeps(t *testing.T, opt *onestopsim.Options, mut func(*Config), deps func(*harness, *Deps)) *harness {
	t.Helper()
	clock := newClock()
	if opt == nil {
		opt = &onestopsim.Options{}
	}
	opt.Now = clock.Now
	opt.Logger = slog.New(slog.DiscardHandler)
	sim, err := onestopsim.Start(context.Background(), opt)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sim.Close() })
	sys, err := backend.New(backend.Config{BaseURL: sim.URL(), Timeout: 2 * time.Second, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	keeper := NewCatalogueKeeper(sys, t.TempDir()+"/catalogue.json", slog.New(slog.DiscardHandler))
	if err := keeper.Sync(context.Background()); err != nil {
		t.Fatal(err)
	}
	q, err := queue.Open(context.Background(), queue.Config{Now: clock.Now, Logger: slog.New(slog.DiscardHandler), Services: []queue.Service{
		{Code: "A", Name: "Công an – cư trú", Counters: []string{"1", "2"}}, {Code: "B", Name: "Xuất nhập cảnh, căn cước", Counters: []string{"3"}},
		{Code: "C", Name: "Tư pháp – hộ tịch", Counters: []string{"4"}}, {Code: "D", Name: "Giao thông", Counters: []string{"5"}},
	}}, &queue.MemoryJournal{})
	if err != nil {
		t.Fatal(err)
	}
	h := &harness{t: t, clock: clock, ids: &fakeIdentifier{cards: make(chan identity.Identity, 1)}, apps: make(chan string, 1), sim: sim,
		store: &memStore{}, print: &fakePrinter{}, queue: q, done: make(chan struct{})}
	cfg := Config{DeviceID: "kiosk-hue-01", Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		CounterNames: map[string]string{"A": "Quầy Công an (cư trú)"},
		AppQRs:       []AppQR{{Name: "Hue-S", Format: onestopsim.AppFormat, Prefix: onestopsim.AppPrefix, Check: CheckOnline}}}
	if mut != nil {
		mut(&cfg)
	}
	d := Deps{Identifier: h.ids, AppQRs: h.apps, System: sys, Catalogues: keeper, Queue: q, Printer: h.print,
		Recorder: StoreRecorder(h.store), Clock: clock}
	if deps != nil {
		deps(h, &d)
	}
	h.f, err = New(cfg, d)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	h.cancel = cancel
	go func() { defer close(h.done); _ = h.f.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-h.done })
	h.wait("welcome", func(s State) bool { return s.Screen == ScreenWelcome && s.Seq > 0 })
	return h
}

// wait returns the first state that satisfies ok (within 5 s).
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
			h.t.Fatalf("waiting for %s: last state %s %+v", what, last.Screen, last)
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

func (h *harness) signIn(c cccd.Citizen) State {
	h.t.Helper()
	h.ids.cards <- card(c, identity.Genuine)
	return h.wait("menu", func(s State) bool { return s.Screen == ScreenMenu })
}

// register fills and files the thường trú form.
func (h *harness) register() State {
	h.t.Helper()
	s := h.send(Intent{Kind: IntentSearch})
	if s.Screen != ScreenSearch || len(s.Search.Results) != 9 || s.Search.Results[0].Name != "Thông báo lưu trú" {
		h.t.Fatalf("search screen: %+v", s.Search)
	}
	s = h.send(Intent{Kind: IntentQuery, Text: "dang ky thuong tru"})
	if s.Search.Results[0].Name != "Đăng ký thường trú" {
		h.t.Fatalf("search results %+v", s.Search.Results)
	}
	s = h.send(Intent{Kind: IntentChoose, Code: s.Search.Results[0].Code})
	if s.Screen != ScreenProcedure || s.Procedure.Days != 7 || s.Procedure.CounterName != "Quầy Công an (cư trú)" {
		h.t.Fatalf("procedure %+v", s.Procedure)
	}
	s = h.send(Intent{Kind: IntentRegister})
	if s.Screen != ScreenForm {
		h.t.Fatalf("form: %s", s.Screen)
	}
	for k, v := range map[string]string{"noi_de_nghi_dang_ky": "Số 5 Lê Lợi, TP. Huế", "ho_ten_chu_ho": "Nguyễn Văn An",
		"quan_he_chu_ho": "Con", "so_dien_thoai": "0912345678"} {
		h.send(Intent{Kind: IntentField, Key: k, Value: v})
	}
	s = h.send(Intent{Kind: IntentSubmit})
	if s.Screen != ScreenReview {
		h.t.Fatalf("review: %s %+v", s.Screen, s.Form)
	}
	h.send(Intent{Kind: IntentConfirm})
	return h.wait("receipt", func(s State) bool {
		return s.Screen == ScreenReceipt || s.Screen == ScreenError || s.Screen == ScreenOutOfService
	})
}

func formField(s State, key string) FormField {
	for _, f := range s.Form.Fields {
		if f.Key == key {
			return f
		}
	}
	return FormField{}
}

// ---- tests ----

// TestRegisterForSelf: signed in with the card, a procedure searched
// without diacritics, the form's card fields filled and locked, the rest
// checked, the dossier filed, a number for its counter, the receipt
// printed; the records say so with personal data sealed only.
func TestRegisterForSelf(t *testing.T) {
	h := newHarness(t, nil, nil)
	s := h.signIn(lan)
	if s.Citizen == nil || s.Citizen.Name != lan.Name || s.Citizen.MaskedID != "0011••••••45" || s.Subject != nil {
		t.Fatalf("signed in as %+v", s.Citizen)
	}
	h.send(Intent{Kind: IntentSearch})
	h.send(Intent{Kind: IntentChoose, Code: "SIM-CT-002"})
	s = h.send(Intent{Kind: IntentRegister})
	if f := formField(s, "ho_ten"); !f.FromCard || f.Value != lan.Name {
		t.Fatalf("name not from the card: %+v", f)
	}
	if f := formField(s, "que_quan"); !f.FromCard || f.Value != lan.Hometown {
		t.Fatalf("hometown not from the card: %+v", f)
	}
	s = h.send(Intent{Kind: IntentField, Key: "ho_ten", Value: "Người Khác"})
	if formField(s, "ho_ten").Value != lan.Name {
		t.Fatal("a card field was typed over")
	}
	s = h.send(Intent{Kind: IntentSubmit})
	if s.Screen != ScreenForm || s.Form.Errors != 4 || formField(s, "so_dien_thoai").Error.Key != "form.required" {
		t.Fatalf("missing fields not caught: %s %d", s.Screen, s.Form.Errors)
	}
	s = h.send(Intent{Kind: IntentField, Key: "so_dien_thoai", Value: "12345"})
	if formField(s, "so_dien_thoai").Error.Key != "form.phone" {
		t.Fatalf("bad phone: %+v", formField(s, "so_dien_thoai"))
	}
	h.send(Intent{Kind: IntentBack})
	h.send(Intent{Kind: IntentBack})
	h.send(Intent{Kind: IntentMenu})

	s = h.register()
	r := s.Receipt
	if s.Screen != ScreenReceipt || r.Ticket != "A001" || !r.Printed || r.Total != 20000 || r.ForOther ||
		!r.Appointment.Equal(time.Date(2026, 12, 1, 16, 0, 0, 0, ict)) || !strings.HasPrefix(r.DossierCode, "000.00.00.SIM-") {
		t.Fatalf("receipt %+v", r)
	}
	if h.print.printed() != 1 {
		t.Fatalf("%d slips printed", h.print.printed())
	}
	subs := h.sim.Submissions()
	if len(subs) != 1 || subs[0].Subject.IDNumber != lan.ID || subs[0].Agent != nil || subs[0].Sources["ho_ten"] != "card" ||
		subs[0].Sources["so_dien_thoai"] != "citizen" || subs[0].Fields["que_quan"] != lan.Hometown {
		t.Fatalf("submission %+v", subs)
	}
	want := []string{records.KindOnestopSignIn, records.KindOnestopIntent, records.KindOnestopIntent, records.KindOnestopDossier, records.KindOnestopTicket}
	if got := h.store.kinds(); !slices.Equal(got, want) {
		t.Fatalf("records %v, want %v", got, want)
	}
	d := h.store.last(records.KindOnestopDossier)
	var p records.OnestopDossier
	if err := records.Decode(d, &p); err != nil || p.Outcome != "ok" || p.Dossier != r.DossierCode || p.Appointment != "2026-12-01" ||
		p.CardFields != 9 || p.TypedFields != 4 || !p.Printed || p.ForOther {
		t.Fatalf("dossier record %+v %v", p, err)
	}
	if d.Personal[records.PersonalIDNumber] != lan.ID || d.Personal[records.PersonalPhone] != "0912345678" || strings.Contains(string(d.Payload), lan.ID) {
		t.Fatalf("sealed %v payload %s", d.Personal, d.Payload)
	}
	s = h.send(Intent{Kind: IntentSignOut})
	if s.Screen != ScreenGoodbye || s.Citizen != nil {
		t.Fatalf("sign-out kept %+v", s.Citizen)
	}
}

// TestRegisterForOther: the agent signs in, then reads the subject's card;
// the form is the subject's, the dossier names both, the slip too.
func TestRegisterForOther(t *testing.T) {
	h := newHarness(t, nil, nil)
	h.signIn(binh)
	s := h.send(Intent{Kind: IntentForOther})
	if s.Screen != ScreenIdentify || !s.Identify.ForOther {
		t.Fatalf("for other: %+v", s)
	}
	h.ids.cards <- card(binh, identity.Genuine)
	h.wait("same card refused", func(s State) bool { return s.Identify != nil && s.Identify.Message.Key == "identify.same" })
	h.clock.Advance(time.Second)
	h.ids.cards <- card(lan, identity.Genuine)
	s = h.wait("menu for other", func(s State) bool { return s.Screen == ScreenMenu && s.Subject != nil })
	if s.Subject.Name != lan.Name || s.Citizen.Name != binh.Name || s.Menu.Message.Key != "menu.for_other" {
		t.Fatalf("acting for %+v as %+v", s.Subject, s.Citizen)
	}
	s = h.register()
	if s.Screen != ScreenReceipt || !s.Receipt.ForOther {
		t.Fatalf("receipt %+v", s.Receipt)
	}
	sub := h.sim.Submissions()[0]
	if sub.Subject.IDNumber != lan.ID || sub.Agent == nil || sub.Agent.IDNumber != binh.ID || sub.Fields["ho_ten"] != lan.Name {
		t.Fatalf("both identities not on the dossier: %+v", sub)
	}
	d := h.store.last(records.KindOnestopDossier)
	if d.Personal[records.PersonalIDNumber] != lan.ID || d.Personal[records.PersonalAgentIDNumber] != binh.ID || d.Personal[records.PersonalAgentName] != binh.Name {
		t.Fatalf("sealed %v", d.Personal)
	}
	var in records.OnestopSignIn
	if err := records.Decode(h.store.last(records.KindOnestopSignIn), &in); err != nil || !in.ForOther {
		t.Fatalf("the subject's sign-in %+v %v", in, err)
	}
}

// TestDossierLookup: the citizen's dossiers with their status, a slip.
func TestDossierLookup(t *testing.T) {
	received := time.Date(2026, 11, 2, 8, 0, 0, 0, ict)
	h := newHarness(t, &onestopsim.Options{Dossiers: map[string][]backend.Dossier{lan.ID: {
		{Code: "000.00.00.SIM-261102-0007", ProcedureCode: "SIM-TP-001", ProcedureName: "Cấp phiếu lý lịch tư pháp", Status: backend.StatusReady,
			ReceivedAt: received, Appointment: received.AddDate(0, 0, 14), Fee: 200000, Paid: true},
		{Code: "000.00.00.SIM-261001-0100", ProcedureCode: "SIM-XX", ProcedureName: "Thủ tục khác", Status: "custom", StatusText: "Chờ ký duyệt",
			ReceivedAt: received.AddDate(0, -1, 0)},
	}}}, nil)
	h.signIn(lan)
	h.send(Intent{Kind: IntentDossiers})
	s := h.wait("dossiers", func(s State) bool { return s.Dossiers != nil && !s.Dossiers.Loading })
	d := s.Dossiers
	if len(d.List) != 2 || d.List[0].StatusText.VI != "Có kết quả, chờ trả" || d.List[1].StatusText.VI != "Chờ ký duyệt" || d.List[0].FeeText != "200.000 ₫" {
		t.Fatalf("dossiers %+v", d)
	}
	h.send(Intent{Kind: IntentPrint})
	s = h.wait("printed", func(s State) bool { return s.Dossiers != nil && s.Dossiers.Printed })
	if h.print.printed() != 1 {
		t.Fatal("no slip")
	}
	var l records.OnestopLookup
	if err := records.Decode(h.store.last(records.KindOnestopLookup), &l); err != nil || l.Found != 2 || !l.Printed {
		t.Fatalf("lookup record %+v %v", l, err)
	}
	h.sim.FailNext(http.StatusServiceUnavailable)
	h.send(Intent{Kind: IntentBack})
	h.send(Intent{Kind: IntentDossiers})
	s = h.wait("unavailable", func(s State) bool { return s.Dossiers != nil && s.Dossiers.Unavailable })
	if !s.Has(IntentRetry) {
		t.Fatal("no retry offered")
	}
}

// TestCardRefused: a card that is not genuine, or not proven genuine,
// signs nobody in.
func TestCardRefused(t *testing.T) {
	h := newHarness(t, nil, nil)
	h.ids.cards <- identity.Identity{Citizen: lan, Verdict: identity.NotGenuine, Reason: identity.ReasonClone, Method: identity.MethodChipQR}
	s := h.wait("error", func(s State) bool { return s.Screen == ScreenError })
	if s.Error.Code != "not_genuine" || s.Citizen != nil {
		t.Fatalf("a forged card: %+v", s)
	}
	var in records.OnestopSignIn
	if err := records.Decode(h.store.last(records.KindOnestopSignIn), &in); err != nil || in.Outcome != "not_genuine" || in.Reason != "clone" {
		t.Fatalf("record %+v %v", in, err)
	}
	h.send(Intent{Kind: IntentBack})
	h.ids.cards <- identity.Identity{Citizen: lan, Verdict: identity.Unverified, Reason: identity.ReasonQROnly, Method: identity.MethodQR}
	if s := h.wait("error", func(s State) bool { return s.Screen == ScreenError }); s.Error.Code != "unverified" {
		t.Fatalf("QR only: %+v", s.Error)
	}
}

// TestAppQROnline: the app's QR says it needs an online check; checked, it
// signs in; a forged or expired one, or no network, does not.
func TestAppQROnline(t *testing.T) {
	h := newHarness(t, nil, nil)
	tok := h.sim.IssueAppToken(backend.Person{IDNumber: lan.ID, Name: lan.Name, DOB: lan.DOB, Residence: lan.Residence}, time.Minute)
	h.sim.SetDelay(150 * time.Millisecond)
	h.apps <- tok
	s := h.wait("checking", func(s State) bool { return s.Identify != nil && s.Identify.App != nil })
	if !s.Identify.App.Online || s.Identify.Message.Key != "identify.app_online" || !strings.Contains(s.Identify.Message.VI, "trực tuyến") {
		t.Fatalf("the screen does not say the QR needs an online check: %+v", s.Identify)
	}
	s = h.wait("menu", func(s State) bool { return s.Screen == ScreenMenu })
	if s.Citizen.Method != "app_online" || s.Citizen.Name != lan.Name {
		t.Fatalf("signed in %+v", s.Citizen)
	}
	h.sim.SetDelay(0)
	h.send(Intent{Kind: IntentSignOut})
	h.send(Intent{Kind: IntentDone})
	h.apps <- tok + "0"
	s = h.wait("rejected", func(s State) bool { return s.Identify != nil && s.Identify.Message.Key == "identify.app_rejected" })
	h.clock.Advance(time.Second)
	h.sim.FailNext(http.StatusServiceUnavailable)
	h.apps <- tok
	s = h.wait("offline", func(s State) bool { return s.Identify != nil && s.Identify.Message.Key == "identify.app_offline" })
	if !strings.Contains(s.Identify.Message.VI, "cần kết nối mạng") {
		t.Fatalf("message %q", s.Identify.Message.VI)
	}
}

// TestAppQRSigned: a signed app QR is checked offline by its signature.
func TestAppQRSigned(t *testing.T) {
	pub, priv, _ := ed25519.GenerateKey(nil)
	app := AppQR{Name: "Công dân số", Prefix: "CDS1:", Check: CheckSigned, PublicKey: pub}
	h := newHarness(t, nil, func(c *Config) { c.AppQRs = []AppQR{app} })
	now := h.clock.Now()
	claims := SignedClaims{ID: lan.ID, Name: lan.Name, DOB: lan.DOB, IssuedAt: now.Unix(), Expires: now.Add(5 * time.Minute).Unix()}
	qr, err := SignAppQR(&app, priv, claims)
	if err != nil {
		t.Fatal(err)
	}
	forged := []byte(qr)
	forged[len(app.Prefix)+3] ^= 1
	h.apps <- string(forged)
	h.wait("rejected", func(s State) bool { return s.Identify != nil && s.Identify.Message.Key == "identify.app_rejected" })
	h.clock.Advance(time.Second)
	h.apps <- qr
	s := h.wait("menu", func(s State) bool { return s.Screen == ScreenMenu })
	if s.Citizen.Method != "app_signed" {
		t.Fatalf("signed in %+v", s.Citizen)
	}
	if _, err := VerifySigned(&app, qr, now.Add(6*time.Minute)); !errors.Is(err, ErrAppQR) {
		t.Fatalf("an expired QR: %v", err)
	}
}

// TestSupport: the call is accepted by a named staff member.
func TestSupport(t *testing.T) {
	h := newHarness(t, nil, nil)
	h.signIn(lan)
	h.send(Intent{Kind: IntentSearch})
	h.send(Intent{Kind: IntentSupport})
	s := h.wait("waiting", func(s State) bool { return s.Support != nil && s.Support.Phase == SupportWaiting })
	if s.Screen != ScreenSupport || s.Support.Ref != "HT001" {
		t.Fatalf("support %+v", s.Support)
	}
	h.sim.AcceptSupport("Trần Thị Mai", "CB07", "")
	h.clock.Advance(3 * time.Second)
	s = h.wait("accepted", func(s State) bool { return s.Support != nil && s.Support.Phase == SupportAccepted })
	if s.Support.StaffName != "Trần Thị Mai" || !strings.Contains(s.Support.Message.VI, "Trần Thị Mai") {
		t.Fatalf("accepted %+v", s.Support)
	}
	s = h.send(Intent{Kind: IntentBack})
	if s.Screen != ScreenSearch || s.Support == nil {
		t.Fatalf("back from support: %s, banner %v", s.Screen, s.Support)
	}
	var sup records.OnestopSupport
	if err := records.Decode(h.store.last(records.KindOnestopSupport), &sup); err != nil || sup.State != "accepted" || sup.Staff != "CB07" || sup.WaitSeconds != 3 {
		t.Fatalf("support record %+v %v", sup, err)
	}
	h.send(Intent{Kind: IntentSupport})
	s = h.send(Intent{Kind: IntentEndCall})
	if s.Support != nil || s.Screen != ScreenSearch {
		t.Fatalf("cancelled call: %+v", s)
	}
}

// TestSubmitRetrySameKey: the one-stop system is down; the retry carries
// the same key, so the dossier is filed once.
func TestSubmitRetrySameKey(t *testing.T) {
	h := newHarness(t, nil, nil)
	h.signIn(lan)
	h.sim.FailNext(http.StatusBadGateway)
	s := h.register()
	if s.Screen != ScreenError || s.Error.Code != "unavailable" || !s.Has(IntentRetry) {
		t.Fatalf("error %+v", s.Error)
	}
	first := h.store.last(records.KindOnestopIntent)
	h.send(Intent{Kind: IntentRetry})
	s = h.wait("receipt", func(s State) bool { return s.Screen == ScreenReceipt })
	if len(h.sim.Submissions()) != 1 {
		t.Fatalf("%d submissions", len(h.sim.Submissions()))
	}
	var a, b records.OnestopIntent
	_ = records.Decode(first, &a)
	for _, r := range h.store.recs {
		if r.Kind == records.KindOnestopIntent {
			var x records.OnestopIntent
			_ = records.Decode(r, &x)
			if x.Action == records.ActionSubmitDossier {
				b = x
			}
		}
	}
	if a.Key == "" || a.Key != b.Key || h.sim.Submissions()[0].Key != a.Key {
		t.Fatalf("keys %q %q", a.Key, b.Key)
	}
}

// TestOutOfService: the intent cannot be stored, so nothing is filed.
func TestOutOfService(t *testing.T) {
	h := newHarness(t, nil, nil)
	h.signIn(lan)
	h.store.mu.Lock()
	h.store.fail = func(kind string) bool { return kind == records.KindOnestopIntent || kind == records.KindOnestopService }
	h.store.mu.Unlock()
	s := h.register()
	_ = s
	s = h.wait("out of service", func(s State) bool { return s.Screen == ScreenOutOfService })
	if len(h.sim.Submissions()) != 0 || s.Citizen != nil {
		t.Fatalf("filed %d, citizen %+v", len(h.sim.Submissions()), s.Citizen)
	}
	h.store.mu.Lock()
	h.store.fail = nil
	h.store.mu.Unlock()
	h.clock.Advance(30 * time.Second)
	h.wait("welcome", func(s State) bool { return s.Screen == ScreenWelcome })
}

// TestQueueOnly: a number for the procedure's counter without a dossier.
func TestQueueOnly(t *testing.T) {
	h := newHarness(t, nil, nil)
	h.signIn(lan)
	h.send(Intent{Kind: IntentSearch})
	h.send(Intent{Kind: IntentChoose, Code: "SIM-XNC-001"})
	h.send(Intent{Kind: IntentQueue})
	s := h.wait("ticket", func(s State) bool { return s.Screen == ScreenTicket })
	if s.Ticket.Number != "B001" || s.Ticket.CounterName != "quầy B" || !s.Ticket.Printed {
		t.Fatalf("ticket %+v", s.Ticket)
	}
}

// TestIdleWipes: the idle timeout records the abandonment and forgets the
// citizen.
func TestIdleWipes(t *testing.T) {
	h := newHarness(t, nil, nil)
	h.signIn(lan)
	h.send(Intent{Kind: IntentSearch})
	h.clock.Advance(121 * time.Second)
	s := h.wait("welcome", func(s State) bool { return s.Screen == ScreenWelcome })
	if s.Citizen != nil {
		t.Fatal("personal data kept")
	}
	var a records.OnestopAbandoned
	if err := records.Decode(h.store.last(records.KindOnestopAbandoned), &a); err != nil || a.Reason != "idle" || a.Screen != "search" {
		t.Fatalf("abandoned %+v %v", a, err)
	}
}

// TestStateJSON: states encode as JSON (the --control socket and the
// profile's Screen) and intents decode strictly.
func TestStateJSON(t *testing.T) {
	h := newHarness(t, nil, nil)
	h.signIn(lan)
	h.send(Intent{Kind: IntentSearch})
	h.send(Intent{Kind: IntentChoose, Code: "SIM-CT-002"})
	s := h.send(Intent{Kind: IntentRegister})
	b, err := json.Marshal(s)
	if err != nil || !strings.Contains(string(b), `"from_card":true`) {
		t.Fatalf("state JSON %s %v", b, err)
	}
	dec := json.NewDecoder(strings.NewReader(`{"kind":"field","key":"so_dien_thoai","value":"0912345678"}`))
	dec.DisallowUnknownFields()
	var in Intent
	if err := dec.Decode(&in); err != nil || in.Kind != IntentField {
		t.Fatalf("intent %+v %v", in, err)
	}
	var logged strings.Builder
	slog.New(slog.NewTextHandler(&logged, nil)).Info("x", "intent", in)
	if strings.Contains(logged.String(), "0912345678") {
		t.Fatalf("a typed value reached the log: %s", logged.String())
	}
}

func TestAgeOn(t *testing.T) {
	now := time.Date(2026, 3, 12, 9, 0, 0, 0, time.UTC)
	for dob, want := range map[string]int{"12/03/1966": 60, "13/03/1966": 59, "01/01/1990": 36, "": -1, "1966-03-12": -1, "12/03/2030": -1} {
		if got := ageOn(dob, now); got != want {
			t.Errorf("ageOn(%q) = %d, want %d", dob, got, want)
		}
	}
}

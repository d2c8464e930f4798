package hospitalui

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/kiosk06/kiosk/drivers/cccd"
	"github.com/kiosk06/kiosk/drivers/escpos"
	"github.com/kiosk06/kiosk/firmware/bhyt"
	"github.com/kiosk06/kiosk/firmware/bhyt/bhytfake"
	"github.com/kiosk06/kiosk/firmware/his"
	"github.com/kiosk06/kiosk/firmware/his/hisfake"
	"github.com/kiosk06/kiosk/firmware/hospital"
	"github.com/kiosk06/kiosk/firmware/identity"
	"github.com/kiosk06/kiosk/payments/session"
	"github.com/kiosk06/kiosk/queue"
	"github.com/kiosk06/kiosk/ui/internal/uitest"
	kiosktheme "github.com/kiosk06/kiosk/ui/theme"
	"github.com/kiosk06/kiosk/ui/widgets"
)

// Fakes for the real hospital flow's dependencies; BHYT and HIS are the
// real HTTP clients against their local fakes.

type cardIdentifier struct{ cards chan identity.Identity }

func (c *cardIdentifier) Acquire(ctx context.Context, req identity.Request) (identity.Identity, error) {
	req.OnEvent(identity.Event{Kind: identity.EventWaiting})
	select {
	case id := <-c.cards:
		req.OnEvent(identity.Event{Kind: identity.EventReading, Fraction: 0.5})
		return id, nil
	case <-ctx.Done():
		return identity.Identity{}, ctx.Err()
	}
}

type nopPrinter struct{}

func (nopPrinter) Print(context.Context, *escpos.Document) (escpos.Result, error) {
	return escpos.Result{}, nil
}

type payments struct {
	mu     sync.Mutex
	amount int64
	paid   chan struct{}
}

func (p *payments) Create(_ context.Context, amount int64, purpose string) (session.Info, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.amount = amount
	return session.Info{Ref: "K06UI1", State: session.Created, Amount: amount, Purpose: purpose,
		Payload: "00020101021238570010A00000072701270006970436011300110123456780208QRIBFTTA530370454065000005802VN6304ABCD"}, nil
}

func (p *payments) Shown(_ context.Context, ref string) (session.Info, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return session.Info{Ref: ref, State: session.QRShown, Amount: p.amount,
		Payload:  "00020101021238570010A00000072701270006970436011300110123456780208QRIBFTTA530370454065000005802VN6304ABCD",
		Deadline: time.Now().Add(5 * time.Minute)}, nil
}

func (p *payments) Await(ctx context.Context, ref string) (session.Info, error) {
	select {
	case <-p.paid:
		p.mu.Lock()
		defer p.mu.Unlock()
		return session.Info{Ref: ref, State: session.Paid, Amount: p.amount, TxnID: "FT26326UI0001"}, nil
	case <-ctx.Done():
		return session.Info{Ref: ref, State: session.QRShown}, ctx.Err()
	}
}

func (p *payments) Cancel(_ context.Context, ref, _ string) (session.Info, error) {
	return session.Info{Ref: ref, State: session.Cancelled}, nil
}

// recorder stores nothing; once full is set every record fails as on a
// full disk.
type recorder struct{ full atomic.Bool }

func (r *recorder) Record(context.Context, hospital.Record) error {
	if r.full.Load() {
		return errors.New("store: full: new transactions refused")
	}
	return nil
}

// live drives the kiosk window from the real flow's subscription on the
// test goroutine, so widget access never races.
type live struct {
	t      *testing.T
	rec    *recorder
	k      *Kiosk
	states <-chan hospital.State
	last   hospital.State
}

func (l *live) wait(what string, ok func(hospital.State) bool) hospital.State {
	l.t.Helper()
	deadline := time.After(10 * time.Second)
	for {
		select {
		case s := <-l.states:
			l.last = s
			l.k.Apply(s)
			l.checkScreen()
			if ok(s) {
				return s
			}
		case <-deadline:
			l.t.Fatalf("timed out waiting for %s; on %s", what, l.last.Screen)
		}
	}
}

func (l *live) screen(s hospital.Screen) hospital.State {
	l.t.Helper()
	return l.wait(string(s), func(st hospital.State) bool { return st.Screen == s })
}

// checkScreen: every button has a translated label and a touch-size.
func (l *live) checkScreen() {
	l.t.Helper()
	for _, b := range uitest.Buttons(l.k.Window().Content()) {
		if b.Text == "" || strings.HasPrefix(b.Text, "[") {
			l.t.Errorf("%s: button label %q", l.last.Screen, b.Text)
		}
		if b.Size().Height < kiosktheme.TouchTarget {
			l.t.Errorf("%s: button %q is %v tall", l.last.Screen, b.Text, b.Size().Height)
		}
	}
}

func (l *live) tap(label string) {
	l.t.Helper()
	test.Tap(uitest.Button(l.t, l.k.Window().Content(), label))
}

// startRealFlow runs the real firmware/hospital flow (BHYT and HIS clients
// against their fakes, an in-memory queue) with ident behind a kiosk window.
func startRealFlow(t *testing.T, ident hospital.Identifier, pay *payments) *live {
	t.Helper()
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	bs := bhytfake.New("kiosk", "secret")
	t.Cleanup(bs.Close)
	hs := hisfake.New("his-token")
	t.Cleanup(hs.Close)
	bc, err := bhyt.New(bhyt.Config{BaseURL: bs.URL(), Username: "kiosk", Password: "secret", StaffName: "Trần Thị Tiếp Đón", StaffID: "079190000001", Timeout: 2 * time.Second, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	hc, err := his.New(his.Config{BaseURL: hs.URL(), Token: "his-token", Timeout: 2 * time.Second, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	qe, err := queue.Open(context.Background(), queue.Config{Services: []queue.Service{{Code: "A", Name: "Khám bệnh", Counters: []string{"1"}}}}, &queue.MemoryJournal{})
	if err != nil {
		t.Fatal(err)
	}
	rec := &recorder{}
	flow, err := hospital.New(hospital.Config{DeviceID: "HOSP-UI", Prepayment: pay != nil, DefaultQueue: "A", Logger: quiet},
		hospital.Deps{Identifier: ident, Insurance: bc, HIS: hc, Queue: qe, Printer: nopPrinter{}, Payments: pay, Recorder: rec})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- flow.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil && !errors.Is(err, context.Canceled) {
			t.Errorf("flow Run: %v", err)
		}
	})

	a := uitest.NewApp(t, kiosktheme.Options{})
	k, err := NewKiosk(a, Options{}, flow)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(k.Window().Close)
	states, stop := flow.Subscribe()
	t.Cleanup(stop)
	return &live{t: t, rec: rec, k: k, states: states}
}

// TestRealFlowRegistration runs the real firmware/hospital flow (BHYT and
// HIS clients against their fakes, an in-memory queue) behind the kiosk
// window and taps a whole prepaid registration through the UI.
func TestRealFlowRegistration(t *testing.T) {
	ident := &cardIdentifier{cards: make(chan identity.Identity, 1)}
	pay := &payments{paid: make(chan struct{})}
	l := startRealFlow(t, ident, pay)
	k := l.k

	l.screen(hospital.ScreenWelcome)
	l.tap("Bắt đầu")
	l.screen(hospital.ScreenIdentify)
	ident.cards <- identity.Identity{Verdict: identity.Genuine, Method: identity.MethodChip, Citizen: cccd.Citizen{
		ID: "079090001234", Name: "Nguyễn Văn An", DOB: "1990-05-17", Sex: "Nam", Residence: "12 Lê Lợi, Quận 1, TP Hồ Chí Minh"}}
	l.screen(hospital.ScreenCardResult)
	l.tap("Tiếp tục")
	l.wait("insurance result", func(s hospital.State) bool {
		return s.Screen == hospital.ScreenInsurance && s.Insurance.Outcome != hospital.InsuranceChecking
	})
	l.tap("Tiếp tục")
	s := l.wait("clinics", func(s hospital.State) bool { return s.Screen == hospital.ScreenClinic && !s.Clinic.Loading })
	if len(s.Clinic.Clinics) == 0 || len(s.Clinic.Questions) == 0 {
		t.Fatalf("clinic screen: %+v", s.Clinic)
	}
	l.tap("Có") // the first priority question
	l.wait("priority answered", func(s hospital.State) bool {
		return s.Screen == hospital.ScreenClinic && s.Clinic.Priority != queue.Normal
	})
	l.tap(s.Clinic.Clinics[0].Name)
	s = l.screen(hospital.ScreenTicket)
	if !s.Ticket.PaymentDue {
		t.Fatalf("ticket: %+v", s.Ticket)
	}
	l.tap("Thanh toán")
	l.wait("QR shown", func(s hospital.State) bool {
		return s.Screen == hospital.ScreenPayment && s.Payment.Phase == hospital.PaymentWaiting
	})
	if !hasImage(k) {
		t.Error("payment screen shows no QR image")
	}
	close(pay.paid)
	l.screen(hospital.ScreenReceipt)
	l.tap("Hoàn tất")
	l.screen(hospital.ScreenGoodbye)
	l.tap("Hoàn tất")
	l.screen(hospital.ScreenWelcome)
}

// TestRealFlowStoreFull: the store fills up while the patient chooses a
// clinic; the real flow stops before registering the visit and the kiosk
// window says it is out of service and sends the patient to the desk,
// offering no button but the display toggles.
func TestRealFlowStoreFull(t *testing.T) {
	ident := &cardIdentifier{cards: make(chan identity.Identity, 1)}
	l := startRealFlow(t, ident, nil)
	l.screen(hospital.ScreenWelcome)
	ident.cards <- identity.Identity{Verdict: identity.Genuine, Method: identity.MethodChip, Citizen: cccd.Citizen{
		ID: "079090001234", Name: "Nguyễn Văn An", DOB: "1990-05-17", Sex: "Nam"}}
	l.screen(hospital.ScreenCardResult)
	l.tap("Tiếp tục")
	l.wait("insurance result", func(s hospital.State) bool {
		return s.Screen == hospital.ScreenInsurance && s.Insurance.Outcome != hospital.InsuranceChecking
	})
	l.tap("Tiếp tục")
	s := l.wait("clinics", func(s hospital.State) bool { return s.Screen == hospital.ScreenClinic && !s.Clinic.Loading })
	l.rec.full.Store(true)
	l.tap(s.Clinic.Clinics[0].Name)
	l.screen(hospital.ScreenOutOfService)
	text := strings.Join(labelTexts(l.k), "\n")
	for _, want := range []string{"Tạm dừng phục vụ", "Máy tạm dừng phục vụ — Quý khách vui lòng liên hệ nhân viên tại quầy tiếp đón.",
		"Lượt khám của Quý khách chưa được đăng ký", "Tạm dừng từ "} {
		if !strings.Contains(text, want) {
			t.Errorf("screen lacks %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, "Nguyễn Văn An") || strings.Contains(text, "đã được báo") {
		t.Errorf("screen shows the patient or claims staff was told:\n%s", text)
	}
	for _, b := range uitest.Buttons(l.k.Window().Content()) {
		switch b.Text {
		case "English", "Chữ lớn", "Tương phản cao":
		default:
			t.Errorf("out-of-service screen offers %q", b.Text)
		}
	}
}

// labelTexts is the text of every label on the kiosk window.
func labelTexts(k *Kiosk) []string {
	var out []string
	for _, o := range test.LaidOutObjects(k.Window().Content()) {
		if lb, ok := o.(*widget.Label); ok {
			out = append(out, lb.Text)
		}
	}
	return out
}

func hasImage(k *Kiosk) bool {
	for _, o := range test.LaidOutObjects(k.Window().Content()) {
		if img, ok := o.(*canvas.Image); ok && img.Image != nil {
			return true
		}
	}
	return false
}

// canIdentifier takes CANs: a card tapped without a QR opens only with its
// CAN.
type canIdentifier struct {
	cards chan identity.Identity
	mu    sync.Mutex
	tried []string
}

func (c *canIdentifier) Acquire(ctx context.Context, req identity.Request) (identity.Identity, error) {
	req.OnEvent(identity.Event{Kind: identity.EventWaiting})
	var id identity.Identity
	select {
	case id = <-c.cards:
	case <-ctx.Done():
		return identity.Identity{}, ctx.Err()
	}
	req.OnEvent(identity.Event{Kind: identity.EventNeedCAN})
	for {
		select {
		case can := <-req.CAN:
			c.mu.Lock()
			c.tried = append(c.tried, can)
			c.mu.Unlock()
			if can != id.Citizen.ID[6:] {
				req.OnEvent(identity.Event{Kind: identity.EventNeedCAN, WrongCAN: true})
				continue
			}
			id.Method = identity.MethodChipCAN
			return id, nil
		case <-ctx.Done():
			return identity.Identity{}, ctx.Err()
		}
	}
}

// keypad returns the keypad on screen (nil if none).
func (l *live) keypad() *widgets.Keypad {
	for _, o := range test.LaidOutObjects(l.k.Window().Content()) {
		if kp, ok := o.(*widgets.Keypad); ok {
			return kp
		}
	}
	return nil
}

// typeDigits taps digits on the keypad on screen.
func (l *live) typeDigits(digits string) {
	l.t.Helper()
	kp := l.keypad()
	if kp == nil {
		l.t.Fatalf("no keypad on %s", l.last.Screen)
	}
	for _, d := range digits {
		test.Tap(kp.Digit(int(d - '0')))
	}
}

// TestRealFlowCAN taps a card without a QR: the identify screen shows the
// keypad, a wrong CAN typed on it is refused, the entry survives the
// re-renders typing causes, and the right CAN reads the card.
func TestRealFlowCAN(t *testing.T) {
	ident := &canIdentifier{cards: make(chan identity.Identity, 1)}
	l := startRealFlow(t, ident, nil)
	l.screen(hospital.ScreenWelcome)
	ident.cards <- identity.Identity{Verdict: identity.Genuine, Citizen: cccd.Citizen{
		ID: "079090001234", Name: "Nguyễn Văn An", DOB: "1990-05-17", Sex: "Nam"}}
	s := l.wait("keypad", func(s hospital.State) bool { return s.Identify != nil && s.Identify.NeedCAN })
	if l.keypad() == nil {
		t.Fatal("no keypad on the CAN screen")
	}
	// Typing is activity: the flow publishes new states and the screen is
	// rebuilt, with what was typed still there.
	l.typeDigits("111")
	l.wait("a re-render while typing", func(st hospital.State) bool { return st.Seq > s.Seq })
	if got := l.keypad().Value(); got != "111" {
		t.Fatalf("entry after a re-render: %q", got)
	}
	l.typeDigits("111")
	l.tap("Xong")
	s = l.wait("refused", func(s hospital.State) bool {
		return s.Identify != nil && s.Identify.NeedCAN && !s.Identify.CANError.IsZero()
	})
	if s.Identify.CANAttemptsLeft != 2 {
		t.Fatalf("%+v", s.Identify)
	}
	if got := l.keypad().Value(); got != "" {
		t.Fatalf("entry not cleared after sending: %q", got)
	}
	if !hasText(l.k, "còn 2 lần thử") {
		t.Fatal("the refusal is not on screen")
	}
	l.typeDigits("001234")
	l.tap("Xong")
	s = l.screen(hospital.ScreenCardResult)
	if s.Card.Method != identity.MethodChipCAN {
		t.Fatalf("%+v", s.Card)
	}
	if !hasText(l.k, "Chip NFC, mở bằng số Quý khách nhập") {
		t.Fatal("method not shown")
	}
	ident.mu.Lock()
	defer ident.mu.Unlock()
	if len(ident.tried) != 2 || ident.tried[0] != "111111" || ident.tried[1] != "001234" {
		t.Fatalf("CANs sent %q", ident.tried)
	}
	if l.k.entry != "" {
		t.Fatal("the shell still holds typed digits")
	}
}

// hasText reports whether a label on screen contains text.
func hasText(k *Kiosk, text string) bool {
	for _, o := range test.LaidOutObjects(k.Window().Content()) {
		if lb, ok := o.(*widget.Label); ok && strings.Contains(lb.Text, text) {
			return true
		}
	}
	return false
}

package transit

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kiosk06/kiosk/firmware/identity"
	"github.com/kiosk06/kiosk/payments/tariff"
	pgpio "periph.io/x/conn/v3/gpio"
)

// step is one tap in a rule-table scenario.
type step struct {
	qr      string
	after   time.Duration // clock advance before the tap
	verdict Verdict
	reason  Reason
	fare    tariff.VND
}

func TestRules(t *testing.T) {
	tk := tokenizer(t)
	adult := qrBorn("001090000001", "15031990")
	blocked := qrBorn("001090000002", "15031990")
	elderly := qrBorn("001060000003", "22111966")    // 60 today
	almost60 := qrBorn("001060000004", "23111966")   // 60 tomorrow
	child := qrBorn("001020000005", "23112020")      // 5 until tomorrow
	six := qrBorn("001020000006", "22112020")        // 6 today
	passHolder := qrBorn("001090000007", "01011985") // pass on route 47 for 11/2026
	lists := &Lists{
		Deny:        NewHashSet([]identity.Token{tk.ID("001090000002")}),
		DenyVersion: 4,
		Pass: map[identity.Token][]tariff.MonthlyPass{
			tk.ID("001090000007"): {{Route: "47", Year: 2026, Month: 11}},
		},
	}
	tests := []struct {
		name  string
		steps []step
	}{
		{"adult pays the fare", []step{{qr: adult, verdict: Accept, reason: ReasonFare, fare: 7000}}},
		{"deny list", []step{{qr: blocked, verdict: Deny, reason: ReasonDenyList}}},
		{"60 today rides free", []step{{qr: elderly, verdict: Accept, reason: ReasonConcession}}},
		{"59 pays", []step{{qr: almost60, verdict: Accept, reason: ReasonFare, fare: 7000}}},
		{"under 6 rides free", []step{{qr: child, verdict: Accept, reason: ReasonConcession}}},
		{"6 today pays", []step{{qr: six, verdict: Accept, reason: ReasonFare, fare: 7000}}},
		{"monthly pass", []step{{qr: passHolder, verdict: Accept, reason: ReasonPass}}},
		{"pass expires with the month", []step{{qr: passHolder, after: 9 * 24 * time.Hour, verdict: Accept, reason: ReasonFare, fare: 7000}}},
		{"VNeID needs an online check", []step{{qr: "VNEID:eyJ0eXAiOiJKV1QifQ.x.y", verdict: Deny, reason: ReasonNeedsOnline}}},
		{"repeat tap not charged twice", []step{
			{qr: adult, verdict: Accept, reason: ReasonFare, fare: 7000},
			{qr: adult, after: 30 * time.Second, verdict: Accept, reason: ReasonRepeat},
			{qr: adult, after: 2 * time.Minute, verdict: Accept, reason: ReasonFare, fare: 7000},
		}},
		{"offline tap limit", []step{
			{qr: elderly, verdict: Accept, reason: ReasonConcession},
			{qr: elderly, after: time.Hour, verdict: Accept, reason: ReasonConcession},
			{qr: elderly, after: time.Hour, verdict: Accept, reason: ReasonConcession},
			{qr: elderly, after: time.Hour, verdict: Accept, reason: ReasonConcession},
			{qr: elderly, after: time.Hour, verdict: Deny, reason: ReasonRiskTaps},
		}},
		{"offline value limit", []step{
			{qr: adult, verdict: Accept, reason: ReasonFare, fare: 7000},
			{qr: adult, after: time.Hour, verdict: Accept, reason: ReasonFare, fare: 7000},
			{qr: adult, after: time.Hour, verdict: Deny, reason: ReasonRiskValue},
		}},
		{"limits reset at local midnight", []step{
			{qr: adult, verdict: Accept, reason: ReasonFare, fare: 7000},
			{qr: adult, after: time.Hour, verdict: Accept, reason: ReasonFare, fare: 7000},
			{qr: adult, after: 11 * time.Hour, verdict: Accept, reason: ReasonFare, fare: 7000},
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			st := &memStore{}
			v, c := newTestValidator(t, st, nil, lists)
			for i, s := range tc.steps {
				c.Add(s.after)
				r, err := v.HandleQR(context.Background(), s.qr)
				if err != nil && !errors.Is(err, identity.ErrNeedsOnline) {
					t.Fatalf("step %d: %v", i, err)
				}
				if r.Verdict != s.verdict || r.Reason != s.reason || r.Fare != s.fare {
					t.Fatalf("step %d: %s/%s %v, want %s/%s %v", i, r.Verdict, r.Reason, r.Fare, s.verdict, s.reason, s.fare)
				}
				if r.Seq == 0 || r.Message == "" {
					t.Fatalf("step %d: seq %d message %q", i, r.Seq, r.Message)
				}
			}
			if len(st.recs) != len(tc.steps) {
				t.Fatalf("%d records for %d taps", len(st.recs), len(tc.steps))
			}
		})
	}
}

func TestRecordsHoldNoPersonalData(t *testing.T) {
	st := &memStore{}
	v, _ := newTestValidator(t, st, nil, nil)
	if _, err := v.HandleQR(context.Background(), testQR); err != nil {
		t.Fatal(err)
	}
	rec := st.recs[0]
	if rec.Kind != RecordKind || rec.Personal != nil {
		t.Fatalf("record kind %q personal %v", rec.Kind, rec.Personal)
	}
	for _, secret := range []string{"001090012345", "123456789", "Nguyen", "1990", "15031990", "Duong Thu"} {
		if bytes.Contains(rec.Payload, []byte(secret)) {
			t.Errorf("payload holds %q: %s", secret, rec.Payload)
		}
	}
	if !bytes.Contains(rec.Payload, []byte(tokenizer(t).ID("001090012345").String())) {
		t.Errorf("payload lacks the token hash: %s", rec.Payload)
	}
}

func TestStoreFailureIsRed(t *testing.T) {
	st := &memStore{fail: errors.New("disk full")}
	p := newPins()
	v, c := newTestValidator(t, st, p.feedback(t, nil), nil)
	r, err := v.HandleQR(context.Background(), testQR)
	if err == nil || r.Verdict != Deny || r.Reason != ReasonStoreError {
		t.Fatalf("got %s/%s, %v", r.Verdict, r.Reason, err)
	}
	if p.red.Read() != pgpio.High || p.green.Read() != pgpio.Low {
		t.Fatal("store failure did not light red")
	}
	// The failed tap reserved nothing: once the store is back, it is charged.
	st.fail = nil
	c.Add(time.Second)
	if r, err := v.HandleQR(context.Background(), testQR); err != nil || r.Reason != ReasonFare {
		t.Fatalf("after recovery: %s, %v", r.Reason, err)
	}
}

// screen records what it was asked to show.
type screen struct {
	mu    sync.Mutex
	shown []string
}

func (s *screen) Show(_ context.Context, text string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.shown = append(s.shown, text)
	return nil
}

func TestGPIOFeedback(t *testing.T) {
	p := newPins()
	sc := &screen{}
	tk := tokenizer(t)
	v, c := newTestValidator(t, &memStore{}, p.feedback(t, sc), &Lists{Deny: NewHashSet([]identity.Token{tk.ID("001090000002")})})
	ctx := context.Background()

	if _, err := v.HandleQR(ctx, testQR); err != nil {
		t.Fatal(err)
	}
	if p.green.Read() != pgpio.High || p.red.Read() != pgpio.Low || p.buzzer.Read() != pgpio.High {
		t.Fatalf("accept: green %v red %v buzzer %v", p.green.Read(), p.red.Read(), p.buzzer.Read())
	}
	waitLevel(t, p.green, pgpio.Low)
	waitLevel(t, p.buzzer, pgpio.Low)

	c.Add(time.Second)
	if _, err := v.HandleQR(ctx, qrBorn("001090000002", "01011990")); err != nil {
		t.Fatal(err)
	}
	if p.red.Read() != pgpio.High || p.green.Read() != pgpio.Low {
		t.Fatal("deny did not light red")
	}
	waitLevel(t, p.red, pgpio.Low)
	waitLevel(t, p.buzzer, pgpio.Low)
	sc.mu.Lock()
	defer sc.mu.Unlock()
	want := []string{"Mời lên xe – 7.000 ₫", "Thẻ bị từ chối"}
	if strings.Join(sc.shown, "|") != strings.Join(want, "|") {
		t.Fatalf("screen showed %q, want %q", sc.shown, want)
	}
}

func waitLevel(t *testing.T, p interface{ Read() pgpio.Level }, want pgpio.Level) {
	t.Helper()
	deadline := time.Now().Add(2 * time.Second)
	for p.Read() != want {
		if time.Now().After(deadline) {
			t.Fatalf("pin stayed %v, want %v", p.Read(), want)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

func TestRestoreKeepsLimitsAcrossRestart(t *testing.T) {
	st := openStore(t)
	v, c := newTestValidator(t, st, nil, nil)
	ctx := context.Background()
	for range 2 {
		if r, err := v.HandleQR(ctx, testQR); err != nil || r.Reason != ReasonFare {
			t.Fatalf("%s, %v", r.Reason, err)
		}
		c.Add(time.Hour)
	}
	// A new validator on the same store (reboot) remembers today's rides.
	v2, err := New(testConfig(c), Deps{Store: st, Tokens: tokenizer(t)})
	if err != nil {
		t.Fatal(err)
	}
	if err := v2.Restore(ctx); err != nil {
		t.Fatal(err)
	}
	if r, _ := v2.HandleQR(ctx, testQR); r.Reason != ReasonRiskValue {
		t.Fatalf("after restart: %s, want %s", r.Reason, ReasonRiskValue)
	}
}

func TestConcurrentTapsOneCharge(t *testing.T) {
	st := &memStore{}
	v, _ := newTestValidator(t, st, nil, nil)
	var wg sync.WaitGroup
	results := make([]Result, 8)
	for i := range results {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i], _ = v.HandleQR(context.Background(), testQR)
		}()
	}
	wg.Wait()
	charged := 0
	for _, r := range results {
		if r.Reason == ReasonFare {
			charged++
		}
	}
	if charged != 1 {
		t.Fatalf("%d taps charged, want 1 (the others are repeats)", charged)
	}
}

func TestNewRefusesUnknownRoute(t *testing.T) {
	c := &clock{t: noon22Nov2026}
	cfg := testConfig(c)
	cfg.Route = "99"
	if _, err := New(cfg, Deps{Store: &memStore{}, Tokens: tokenizer(t)}); !errors.Is(err, tariff.ErrUnknownRoute) {
		t.Fatalf("err %v", err)
	}
}

func TestConcessionsFromConfig(t *testing.T) {
	tests := []struct {
		elderly, child int
		dob            string // DDMMYYYY, on 22/11/2026
		want           Reason
	}{
		{60, 6, "22111966", ReasonConcession},
		{65, 6, "22111966", ReasonFare},
		{-1, 6, "01011930", ReasonFare},
		{60, -1, "01012021", ReasonFare},
		{60, 12, "01012016", ReasonConcession},
	}
	for _, tc := range tests {
		c := &clock{t: noon22Nov2026}
		cfg := testConfig(c)
		cfg.Tariff.Concessions = Concessions(tc.elderly, tc.child)
		v, err := New(cfg, Deps{Store: &memStore{}, Tokens: tokenizer(t)})
		if err != nil {
			t.Fatal(err)
		}
		if r, _ := v.HandleQR(context.Background(), qrBorn("001000000001", tc.dob)); r.Reason != tc.want {
			t.Errorf("elderly %d child %d born %s: %s, want %s", tc.elderly, tc.child, tc.dob, r.Reason, tc.want)
		}
	}
}

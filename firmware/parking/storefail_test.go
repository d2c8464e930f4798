package parking

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/kiosk06/kiosk/firmware/identity"
	"github.com/kiosk06/kiosk/firmware/records"
	"github.com/kiosk06/kiosk/firmware/store"
	"github.com/kiosk06/kiosk/payments/tariff"
	pgpio "periph.io/x/conn/v3/gpio"
)

// failingStore is a store that fills up: appends selected by failIf fail
// with store.ErrFull (all of them when failIf is nil and down is set).
type failingStore struct {
	Store
	mu     sync.Mutex
	down   bool
	failIf func(store.Record) bool
}

func (s *failingStore) set(down bool, failIf func(store.Record) bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.down, s.failIf = down, failIf
}

func (s *failingStore) Append(ctx context.Context, r store.Record) (store.Seq, error) {
	s.mu.Lock()
	fail := s.down || s.failIf != nil && s.failIf(r)
	s.mu.Unlock()
	if fail {
		return 0, store.ErrFull
	}
	return s.Store.Append(ctx, r)
}

// TestStoreFailureStopsLane: once a record cannot be stored the lane does
// nothing it could not record — no ticket, no barrier, no account charge —
// and shows it is out of service; the next vehicle tries again. Before
// issue 15 an account was charged with the store full (the charge came
// before any record).
func TestStoreFailureStopsLane(t *testing.T) {
	tests := []struct {
		name string
		// run drives the lane with the store fs; it returns the lane's error.
		run     func(t *testing.T, l *lane, fs *failingStore, acc *accounts) error
		want    error  // errors.Is
		msg     string // the out-of-service line shown
		prints  int
		opens   int // barrier openings in all (the entry before an exit opens it once)
		charged bool
		inside  int
	}{
		{
			name: "entry on a full store: no ticket, barrier shut",
			run: func(t *testing.T, l *lane, fs *failingStore, _ *accounts) error {
				fs.set(true, nil)
				_, err := l.t.Entry(context.Background(), EntryRequest{Credential: credential(t, testQR), Vehicle: tariff.Motorbike})
				return err
			},
			want: store.ErrFull, msg: msgOutOfService,
		},
		{
			name: "barrier cannot be recorded: the ticket is out, the barrier stays shut",
			run: func(t *testing.T, l *lane, fs *failingStore, _ *accounts) error {
				fs.set(false, func(r store.Record) bool { return r.Kind == KindBarrier })
				_, err := l.t.Entry(context.Background(), EntryRequest{Plate: "29A-123.45", Vehicle: tariff.Car})
				return err
			},
			want: store.ErrFull, msg: msgOutOfService, prints: 1, inside: 1,
		},
		{
			name: "account exit on a full store: not charged",
			run: func(t *testing.T, l *lane, fs *failingStore, _ *accounts) error {
				cred := credential(t, testQR)
				l.enter(t, EntryRequest{Credential: cred, Vehicle: tariff.Motorbike})
				l.clock.Add(time.Hour)
				fs.set(true, nil)
				_, err := l.t.Exit(context.Background(), ExitRequest{Credential: cred, Method: MethodAccount})
				return err
			},
			want: store.ErrFull, msg: msgOutOfService, prints: 1, opens: 1, inside: 1,
		},
		{
			name: "paid but the exit cannot be recorded: says paid, barrier shut",
			run: func(t *testing.T, l *lane, fs *failingStore, _ *accounts) error {
				cred := credential(t, testQR)
				l.enter(t, EntryRequest{Credential: cred, Vehicle: tariff.Motorbike})
				l.clock.Add(time.Hour)
				fs.set(false, func(r store.Record) bool { return r.Kind == KindExit })
				_, err := l.t.Exit(context.Background(), ExitRequest{Credential: cred, Method: MethodAccount})
				return err
			},
			want: store.ErrFull, msg: msgPaidStopped, prints: 1, opens: 1, charged: true, inside: 1,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			acc := &accounts{}
			fs := &failingStore{Store: openStore(t)}
			l := newLane(t, nil, func(c *Config, d *Deps) { d.Store, d.Accounts = fs, acc; c.BarrierTimeout = 50 * time.Millisecond })
			opened := 0
			l.t.cfg.OnState = func(s State) {
				l.mu.Lock()
				l.states = append(l.states, s.Phase)
				l.mu.Unlock()
				if s.Phase == PhaseBarrierOpen {
					opened++
				}
			}
			if err := tc.run(t, l, fs, acc); !errors.Is(err, tc.want) {
				t.Fatalf("err %v, want %v", err, tc.want)
			}
			st := l.t.State()
			if st.Phase != PhaseOutOfService || st.Message != tc.msg {
				t.Errorf("state %s %q, want out of service %q", st.Phase, st.Message, tc.msg)
			}
			if opened != tc.opens || l.relay.Read() != pgpio.Low {
				t.Errorf("barrier opened %d times, want %d (relay %v)", opened, tc.opens, l.relay.Read())
			}
			if got := l.printer.count(); got != tc.prints {
				t.Errorf("printed %d, want %d", got, tc.prints)
			}
			if charged := len(acc.charged) > 0; charged != tc.charged {
				t.Errorf("charged %v, want %v", acc.charged, tc.charged)
			}
			if got := l.t.Inside(); got != tc.inside {
				t.Errorf("inside %d, want %d", got, tc.inside)
			}

			// The store recovers: the next vehicle is served and the lane
			// returns to idle.
			fs.set(false, nil)
			l.enter(t, EntryRequest{Plate: "51F-999.99", Vehicle: tariff.Car})
			if ph := l.t.State().Phase; ph != PhaseIdle {
				t.Errorf("after recovery: %s", ph)
			}
		})
	}
}

// TestAccountChargeIntentFirst: the account is charged only after a
// parking.intent naming the ticket, amount and reference is durable.
func TestAccountChargeIntentFirst(t *testing.T) {
	st := openStore(t)
	var intentsAtCharge int
	acc := &accounts{}
	l := newLane(t, st, func(_ *Config, d *Deps) {
		d.Accounts = chargeHook{acc, func() {
			recs, _ := st.Records(context.Background(), KindIntent, 0, 10)
			intentsAtCharge = len(recs)
		}}
	})
	cred := credential(t, testQR)
	in := l.enter(t, EntryRequest{Credential: cred, Vehicle: tariff.Motorbike})
	l.clock.Add(time.Hour)
	go l.waitOpenThenPass()
	if _, err := l.t.Exit(context.Background(), ExitRequest{Credential: cred, Method: MethodAccount}); err != nil {
		t.Fatal(err)
	}
	if intentsAtCharge != 1 {
		t.Fatalf("%d intents durable when the account was charged", intentsAtCharge)
	}
	if kinds := recordKinds(t, l); !slices.Equal(kinds, []string{KindEntry, KindBarrier, KindBarrier, KindIntent, KindExit, KindBarrier, KindBarrier}) {
		t.Fatalf("records %v", kinds)
	}
	recs, _ := st.Records(context.Background(), KindIntent, 0, 10)
	var x records.ParkingIntent
	if err := records.Decode(recs[0], &x); err != nil || x.Action != "charge" || x.Ticket != in.TicketID || x.Amount != 5000 || x.Ref != "PK"+in.TicketID || x.Token != cred.Token.String() {
		t.Fatalf("intent %s: %v", recs[0].Payload, err)
	}
}

// chargeHook calls before when the account is charged.
type chargeHook struct {
	*accounts
	before func()
}

func (h chargeHook) Charge(ctx context.Context, tok identity.Token, amount tariff.VND, ref string) (string, error) {
	h.before()
	return h.accounts.Charge(ctx, tok, amount, ref)
}

// TestPaidExitRetriedWithoutPayingTwice: the account was charged but the
// exit could not be recorded; once the store recovers the same vehicle's
// exit records that payment and opens, without a second charge.
func TestPaidExitRetriedWithoutPayingTwice(t *testing.T) {
	acc := &accounts{}
	fs := &failingStore{Store: openStore(t)}
	l := newLane(t, nil, func(_ *Config, d *Deps) { d.Store, d.Accounts = fs, acc })
	cred := credential(t, testQR)
	l.enter(t, EntryRequest{Credential: cred, Vehicle: tariff.Motorbike})
	l.clock.Add(time.Hour)
	fs.set(false, func(r store.Record) bool { return r.Kind == KindExit })
	if _, err := l.t.Exit(context.Background(), ExitRequest{Credential: cred, Method: MethodAccount}); !errors.Is(err, store.ErrFull) {
		t.Fatalf("first exit: %v", err)
	}
	fs.set(false, nil)
	l.clock.Add(12 * time.Hour) // now a day-and-night stay: the fee would be 12.000 ₫
	go l.waitOpenThenPass()
	res, err := l.t.Exit(context.Background(), ExitRequest{Credential: cred, Method: MethodAccount})
	if err != nil {
		t.Fatal(err)
	}
	if res.Amount != 5000 || acc.charged[cred.Token] != 5000 || l.t.Inside() != 0 || l.t.State().Phase != PhaseIdle {
		t.Fatalf("retry %+v, charged %v, inside %d, %s", res, acc.charged, l.t.Inside(), l.t.State().Phase)
	}
}

package records_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/kiosk06/kiosk/firmware/identity"
	"github.com/kiosk06/kiosk/firmware/records"
	"github.com/kiosk06/kiosk/firmware/store"
	"github.com/kiosk06/kiosk/payments/session"
	"github.com/kiosk06/kiosk/queue"
)

func openStore(t *testing.T, dir string) *store.Store {
	t.Helper()
	st, err := store.Open(context.Background(), store.Options{Path: filepath.Join(dir, "k.db"), KeyFile: filepath.Join(dir, "k.key"), DeviceID: "kiosk-test-1"})
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// The queue's numbering continues across a restart of the store: the
// journal replays today's events from durable records.
func TestQueueJournalSurvivesReopen(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	cfg := queue.Config{Services: []queue.Service{{Code: "A", Name: "Phòng khám Nội", Counters: []string{"1"}}}}

	st := openStore(t, dir)
	eng, err := queue.Open(ctx, cfg, records.NewQueueJournal(st))
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 3; i++ {
		if _, err := eng.Issue(ctx, "A", queue.Normal); err != nil {
			t.Fatal(err)
		}
	}
	st.Close()

	st = openStore(t, dir)
	defer st.Close()
	eng, err = queue.Open(ctx, cfg, records.NewQueueJournal(st))
	if err != nil {
		t.Fatal(err)
	}
	tk, err := eng.Issue(ctx, "A", queue.Normal)
	if err != nil {
		t.Fatal(err)
	}
	if tk.ID != "A004" {
		t.Fatalf("after reopen the next ticket is %s, want A004", tk.ID)
	}
	recs, err := st.Records(ctx, records.KindQueueEvent, 0, 100)
	if err != nil || len(recs) != 4 {
		t.Fatalf("queue.event records: %d, %v", len(recs), err)
	}
}

// TestQueueJournalLatestDay: the journal names the latest service day in
// the store, and an engine restarted while the clock reads an earlier day
// (stepped back across the reset time) goes on with that day's numbers
// instead of reloading the earlier day and issuing A001 again.
func TestQueueJournalLatestDay(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	now := time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC)
	cfg := queue.Config{Services: []queue.Service{{Code: "A", Name: "Phòng khám Nội", Counters: []string{"1"}}},
		Now: func() time.Time { return now }}

	st := openStore(t, dir)
	j := records.NewQueueJournal(st)
	if d, err := j.LatestDay(ctx); err != nil || d != "" {
		t.Fatalf("empty store: %q, %v", d, err)
	}
	eng, err := queue.Open(ctx, cfg, j)
	if err != nil {
		t.Fatal(err)
	}
	for _, at := range []time.Time{now, now.AddDate(0, 0, 1), now.AddDate(0, 0, 1)} {
		now = at
		if _, err := eng.Issue(ctx, "A", queue.Normal); err != nil {
			t.Fatal(err)
		}
	}
	// A day name that is no date (never written by the engine) is not taken.
	if _, err := records.Append(ctx, st, time.Time{}, records.QueueEvent{Day: "zz", Seq: 1, Kind: "issued", Ticket: "A001", Service: "A", Number: 1, Priority: "normal"}, nil); err != nil {
		t.Fatal(err)
	}
	if d, err := j.LatestDay(ctx); err != nil || d != "2026-11-23" {
		t.Fatalf("latest day %q, %v; want 2026-11-23", d, err)
	}
	st.Close()

	st = openStore(t, dir)
	defer st.Close()
	now = time.Date(2026, 11, 22, 15, 0, 0, 0, time.UTC) // 22/11 22:00 in Hà Nội: stepped back a day
	eng, err = queue.Open(ctx, cfg, records.NewQueueJournal(st))
	if err != nil {
		t.Fatal(err)
	}
	tk, err := eng.Issue(ctx, "A", queue.Normal)
	if err != nil {
		t.Fatal(err)
	}
	if tk.ID != "A003" {
		t.Fatalf("after a restart with the clock stepped back: %s, want A003", tk.ID)
	}
}

func TestSessionRecorderRoundTrip(t *testing.T) {
	ctx := context.Background()
	st := openStore(t, t.TempDir())
	defer st.Close()
	rec := records.NewSessionRecorder(st)
	at := time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC)
	want := []session.Transition{
		{Ref: "K06AAAA1111", Seq: 1, To: session.Created, At: at, Amount: 50000, Payload: "000201…"},
		{Ref: "K06AAAA1111", Seq: 2, From: session.Created, To: session.QRShown, At: at.Add(time.Second)},
		{Ref: "K06AAAA1111", Seq: 3, From: session.QRShown, To: session.Paid, At: at.Add(time.Minute), TxnID: "FT2633", Amount: 50000},
	}
	for _, tr := range want {
		if err := rec.Record(ctx, tr); err != nil {
			t.Fatal(err)
		}
	}
	got, err := rec.Load(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(want) {
		t.Fatalf("loaded %d transitions, want %d", len(got), len(want))
	}
	for i := range want {
		if got[i].Seq != want[i].Seq || got[i].To != want[i].To || got[i].TxnID != want[i].TxnID || !got[i].At.Equal(want[i].At) {
			t.Errorf("transition %d: got %+v, want %+v", i, got[i], want[i])
		}
	}
}

func TestHolderStore(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	st := openStore(t, dir)
	h := records.NewHolderStore(st)
	b := identity.Binding{IDHash: "ab12", Slot: 7, Created: time.Now().UTC().Truncate(time.Second)}
	if err := h.PutBinding(ctx, b); err != nil {
		t.Fatal(err)
	}
	if err := h.AuditHolder(ctx, identity.HolderEvent{Time: time.Now(), Action: identity.ActionEnrol, IDHash: "ab12", Slot: 7, Outcome: "ok"}); err != nil {
		t.Fatal(err)
	}
	st.Close()

	st = openStore(t, dir)
	defer st.Close()
	h = records.NewHolderStore(st)
	got, err := h.GetBinding(ctx, "ab12")
	if err != nil || got.Slot != 7 || !got.Created.Equal(b.Created) {
		t.Fatalf("binding after reopen: %+v, %v", got, err)
	}
	if list, _ := h.ListBindings(ctx); len(list) != 1 {
		t.Fatalf("ListBindings: %v", list)
	}
	if err := h.DeleteBinding(ctx, "ab12"); err != nil {
		t.Fatal(err)
	}
	if _, err := h.GetBinding(ctx, "ab12"); !errors.Is(err, identity.ErrNotEnrolled) {
		t.Fatalf("after delete: %v", err)
	}
	recs, err := st.Records(ctx, records.KindIdentityHolder, 0, 10)
	if err != nil || len(recs) != 1 || recs[0].Personal[store.FieldFingerprint] != "ab12" || strings.Contains(string(recs[0].Payload), "ab12") {
		t.Fatalf("audit record: %+v, %v", recs, err)
	}
}

// fill gives every field of v a distinct non-zero value.
func fill(t *testing.T, v reflect.Value) {
	t.Helper()
	for i := 0; i < v.NumField(); i++ {
		f := v.Field(i)
		switch {
		case f.Type() == reflect.TypeFor[time.Time]():
			f.Set(reflect.ValueOf(time.Date(2026, 11, 22, 8, 30, i, 0, time.FixedZone("ICT", 7*3600))))
		case f.Kind() == reflect.String:
			f.SetString(fmt.Sprintf("%s-%d", v.Type().Field(i).Name, i))
		case f.CanInt():
			f.SetInt(int64(i + 1))
		case f.Kind() == reflect.Slice && f.Type().Elem().Kind() == reflect.Struct:
			s := reflect.MakeSlice(f.Type(), 1, 1)
			fill(t, s.Index(0))
			f.Set(s)
		default:
			t.Fatalf("fill: %s.%s of kind %s", v.Type(), v.Type().Field(i).Name, f.Kind())
		}
	}
}

// TestMirrorsAreLossless: the queue's events and the payment sessions'
// transitions, every field set, survive the trip through their payloads,
// and the payloads encode as those types did when they were uploaded
// themselves (plus "v") — the shapes of queue.event and payment.session
// are unchanged.
func TestMirrorsAreLossless(t *testing.T) {
	var e queue.Event
	fill(t, reflect.ValueOf(&e).Elem())
	e.Priority = queue.Age75
	if got, err := records.QueueEventOf(e).Event(); err != nil || !reflect.DeepEqual(got, e) {
		t.Errorf("queue event %+v came back as %+v, %v", e, got, err)
	}
	if _, err := (records.QueueEvent{Priority: "vip"}).Event(); !errors.Is(err, queue.ErrInvalid) {
		t.Errorf("unknown priority: %v", err)
	}
	var tr session.Transition
	fill(t, reflect.ValueOf(&tr).Elem())
	if got := records.PaymentSessionOf(tr).Transition(); !reflect.DeepEqual(got, tr) {
		t.Errorf("transition %+v came back as %+v", tr, got)
	}
	for _, c := range []struct {
		p   records.Payload
		old any
	}{{records.QueueEventOf(e), e}, {records.PaymentSessionOf(tr), tr}} {
		wire, err := records.Marshal(c.p)
		if err != nil {
			t.Fatal(err)
		}
		old, _ := json.Marshal(c.old)
		if want := append([]byte(`{"v":1,`), old[1:]...); !bytes.Equal(wire, want) {
			t.Errorf("%s:\n got %s\nwant %s", c.p.RecordKind(), wire, want)
		}
	}
}

// TestStorePayloadsMatchTheirKinds: the store writes store.epoch_reset and
// store.salvage with its own payload types (it cannot import records); every
// field it sets must be one the registered kind declares, with the same JSON
// type, and nothing the kind declares may be missing — so records.Check
// accepts what the store really uploads.
func TestStorePayloadsMatchTheirKinds(t *testing.T) {
	for _, c := range []struct {
		kind string
		p    any
	}{
		{records.KindStoreEpochReset, store.EpochResetPayload{}},
		{records.KindStoreSalvage, store.SalvagePayload{}},
	} {
		v := reflect.New(reflect.TypeOf(c.p)).Elem()
		fill(t, v)
		v.FieldByName("V").SetInt(1)
		wire, err := json.Marshal(v.Interface())
		if err != nil {
			t.Fatal(err)
		}
		if err := records.Check(c.kind, wire); err != nil {
			t.Errorf("%s as the store writes it: %v\n%s", c.kind, err, wire)
		}
		k, ok := records.Lookup(c.kind)
		if !ok {
			t.Fatalf("%s not registered", c.kind)
		}
		want, _ := records.Marshal(k.New())
		var wantKeys, gotKeys map[string]json.RawMessage
		_ = json.Unmarshal(want, &wantKeys)
		_ = json.Unmarshal(wire, &gotKeys)
		for key := range wantKeys {
			if _, ok := gotKeys[key]; !ok {
				t.Errorf("%s: the store's payload lacks %q", c.kind, key)
			}
		}
	}
}

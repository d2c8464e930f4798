package store

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"sync"
	"testing"
)

// damageLeaf overwrites with garbage the first leaf page that holds one of
// the records {"n":…} named in ns, tried in order. (A WITHOUT ROWID table is an index b-tree: an
// interior cell holds a whole record too, and a damaged interior page
// would cut off a subtree.)
func damageLeaf(t *testing.T, path string, ns []int) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	const page = 4096
	for _, n := range ns {
		i := bytes.Index(b, []byte(fmt.Sprintf(`{"n":%d,`, n)))
		if p := i / page * page; i > 0 && p > 0 && b[p] == 0x0A { // leaf index b-tree page (file format §1.6)
			f, err := os.OpenFile(path, os.O_WRONLY, 0)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			if _, err := f.WriteAt(bytes.Repeat([]byte{0xA5}, page), int64(p)); err != nil {
				t.Fatal(err)
			}
			return
		}
	}
	t.Fatalf("no leaf page holds any of records %v", ns)
}

// TestSalvageDamagedDatabase: a database with a damaged page is rebuilt
// into a new epoch with every readable record, in order, each keeping its
// first identity; what is lost is named.
func TestSalvageDamagedDatabase(t *testing.T) {
	ctx := context.Background()
	o := testOptions(t, t.TempDir())
	s, err := Open(ctx, o)
	if err != nil {
		t.Fatal(err)
	}
	const n = 3000
	var wg sync.WaitGroup
	// The appends race, so a payload's n is not its seq; the damage goes to
	// the page that holds seq 2000 (pending, past the acked 1000), whichever
	// n that record carries.
	var mu sync.Mutex
	nAt := map[Seq]int{}
	for w := range 30 { // concurrent appends share commits
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w*100 + 1; i <= w*100+100; i++ {
				r := Record{Kind: "transit.tap", Payload: json.RawMessage(fmt.Sprintf(`{"n":%d,"fare_vnd":7000}`, i))}
				if i%100 == 0 {
					r.Personal = map[string]string{FieldIDNumber: fixtureID}
				}
				seq, err := s.Append(ctx, r)
				if err != nil {
					t.Error(err)
				}
				mu.Lock()
				nAt[seq] = i
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	s.Ack(ctx, 1000)
	s.Quarantine(ctx, 2500, "HTTP 422")
	s.PutSealed(ctx, "holder.binding", []byte("tpl-3"))
	s.Put(ctx, "queue.day", []byte("2026-11-22"))
	old := s.Epoch()
	s.Close()
	var ns []int
	for seq := Seq(2000); seq < 2200; seq++ {
		ns = append(ns, nAt[seq])
	}
	damageLeaf(t, o.Path, ns)

	rep, err := Salvage(ctx, o, "test: damaged page")
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("salvage: rehomed %d, lost %d (unreadable %v, missing %v)", rep.Rehomed, rep.Lost(), rep.Unreadable, rep.Missing)
	if rep.PreviousEpoch != old || rep.Epoch == old || !hexEpoch.MatchString(rep.Epoch) {
		t.Fatalf("epochs %s → %s", rep.PreviousEpoch, rep.Epoch)
	}
	if rep.Lost() == 0 || rep.Lost() > 200 || rep.Rehomed+rep.Lost() != n {
		t.Fatalf("rehomed %d + lost %d, want %d with a page's worth lost", rep.Rehomed, rep.Lost(), n)
	}
	if rep.Acked != 1000 || rep.Values != 2 {
		t.Fatalf("report %+v", rep)
	}
	if _, err := os.Stat(rep.AsidePath); err != nil {
		t.Fatalf("old database not kept aside: %v", err)
	}

	s = openT(t, o)
	if s.Epoch() != rep.Epoch {
		t.Fatalf("reopened epoch %s, salvage made %s", s.Epoch(), rep.Epoch)
	}
	if _, reset := s.EpochReset(); reset {
		t.Fatal("a salvage was reported as an unrequested epoch reset")
	}
	all, err := s.Records(ctx, "", 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	var prev Seq
	sealed := 0
	for _, r := range all[:len(all)-1] {
		if r.Origin == nil || r.Origin.Epoch != old || r.Origin.Seq <= prev {
			t.Fatalf("record %d origin %+v after %d", r.Seq, r.Origin, prev)
		}
		prev = r.Origin.Seq
		if r.Personal[FieldIDNumber] == fixtureID {
			sealed++
		}
		if r.Origin.Seq == 2500 && !r.Quarantined {
			t.Fatal("a quarantined record came back pending")
		}
	}
	if last := all[len(all)-1]; last.Kind != KindSalvage {
		t.Fatalf("last record %s, want %s", last.Kind, KindSalvage)
	}
	if rep.SealedLost != 0 || sealed < 30-rep.Lost() {
		t.Fatalf("%d of 30 sealed records re-sealed (%d lost, %d unsealable)", sealed, rep.Lost(), rep.SealedLost)
	}
	ob, _ := s.Outbox(ctx)
	if ob.Pending != int64(rep.Pending)+1 {
		t.Fatalf("outbox %+v, report %+v", ob, rep)
	}
	if v, err := s.GetSealed(ctx, "holder.binding"); err != nil || string(v) != "tpl-3" {
		t.Fatalf("sealed value: %q %v", v, err)
	}
}

// TestSalvageRolledBack: the way out of ErrRolledBack.
func TestSalvageRolledBack(t *testing.T) {
	ctx := context.Background()
	o := testOptions(t, t.TempDir())
	s, _ := Open(ctx, o)
	appendN(t, s, 5)
	s.Close()
	snap, _ := os.ReadFile(o.Path)
	s, _ = Open(ctx, o)
	appendN(t, s, 5)
	s.Close()
	os.WriteFile(o.Path, snap, 0o600)
	if _, err := Open(ctx, o); err == nil {
		t.Fatal("rolled-back database opened")
	}
	rep, err := Salvage(ctx, o, "restored from a backup")
	if err != nil || rep.Rehomed != 5 || rep.Pending != 5 {
		t.Fatalf("%+v %v", rep, err)
	}
	s = openT(t, o)
	if p, _ := s.Pending(ctx, 0); len(p) != 6 {
		t.Fatalf("%d pending, want 5 re-homed + the salvage record", len(p))
	}
}

// TestDamageFoundWhileRunning: damage SQLite meets at run time stops the
// store taking work and is remembered, so the next Open refuses the file
// (ErrCorrupt, the way out being Salvage) instead of running on it.
func TestDamageFoundWhileRunning(t *testing.T) {
	ctx := context.Background()
	o := testOptions(t, t.TempDir())
	s, err := Open(ctx, o)
	if err != nil {
		t.Fatal(err)
	}
	for i := 1; i <= 400; i++ {
		s.Append(ctx, Record{Kind: "transit.tap", Payload: json.RawMessage(fmt.Sprintf(`{"n":%d,"fare_vnd":7000}`, i))})
	}
	s.Close()
	s = openT(t, o)
	// The disk goes bad under the running store: damage on the file, then a
	// write so that every connection re-reads pages from the file.
	var ns []int
	for n := 200; n < 400; n++ {
		ns = append(ns, n)
	}
	damageLeaf(t, o.Path, ns)
	s.Append(ctx, rec("transit.tap", 401))
	if _, err := s.Pending(ctx, 0); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("Pending over a damaged page: %v, want ErrCorrupt", err)
	}
	if err := s.Check(); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("Check after damage: %v", err)
	}
	s.Close()
	if _, err := os.Stat(o.Path + ".damaged"); err != nil {
		t.Fatalf("no damage note: %v", err)
	}
	if _, err := Open(ctx, o); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("Open after damage was found: %v, want ErrCorrupt", err)
	}
	rep, err := Salvage(ctx, o, "damage found while running")
	if err != nil || rep.Lost() == 0 {
		t.Fatalf("salvage: %+v %v", rep, err)
	}
	openT(t, o)
}

package transit

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/kiosk06/kiosk/payments/tariff"
)

// denyDocs are four versions of a deny list in two generations: snapshot 1
// and delta 2, then snapshot 3 and delta 4. Version v blocks h(1)…h(v).
var denyDocs = []Document{
	{Name: ListDeny, Version: 1, Full: true, Add: hexes(h(1))},
	{Name: ListDeny, Version: 2, Since: 1, Add: hexes(h(2))},
	{Name: ListDeny, Version: 3, Full: true, Add: hexes(h(1), h(2), h(3))},
	{Name: ListDeny, Version: 4, Since: 3, Add: hexes(h(4))},
}

// acceptAll feeds docs to a fresh ListStore on dir, as the syncer would.
func acceptAll(t *testing.T, dir string, fl FloorStore, docs ...Document) *Lists {
	t.Helper()
	_, priv := signKey(t)
	ls, _ := newListStore(t, dir, fl)
	l := ls.Load(context.Background())
	for _, d := range docs {
		var err error
		if l, err = ls.Accept(context.Background(), d.Name, envelope(t, priv, d), l); err != nil {
			t.Fatalf("accept %s v%d: %v", d.Name, d.Version, err)
		}
	}
	return l
}

func listPath(dir, name string, full bool, v uint64) string {
	return filepath.Join(dir, name, fileName(full, v))
}

func flipByte(t *testing.T, path string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	b[len(b)/2] ^= 0x20
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

// blocks reports whether l's deny list holds exactly h(1)…h(v).
func blocks(l *Lists, v int) bool {
	for i := 1; i <= 5; i++ {
		if l.Deny.Contains(h(byte(i))) != (i <= v) {
			return false
		}
	}
	return true
}

// TestListLoadFallsBack is issue 15: a corrupt deny.bin stopped the
// validator starting. Every file is verified at load; one that fails is
// refused with an alert and the list falls back to its last good state.
func TestListLoadFallsBack(t *testing.T) {
	ctx := context.Background()
	other := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{7}, ed25519.SeedSize))
	d4 := func(dir string) string { return listPath(dir, ListDeny, false, 4) }
	s3 := func(dir string) string { return listPath(dir, ListDeny, true, 3) }
	tests := []struct {
		name     string
		mutate   func(t *testing.T, dir string, fl *memFloors)
		version  uint64
		faults   bool
		degraded bool
	}{
		{"intact", func(*testing.T, string, *memFloors) {}, 4, false, false},
		{"newest delta corrupt", func(t *testing.T, dir string, _ *memFloors) { flipByte(t, d4(dir)) }, 3, true, true},
		{"newest delta torn", func(t *testing.T, dir string, _ *memFloors) { _ = os.Truncate(d4(dir), 100) }, 3, true, true},
		{"newest delta forged", func(t *testing.T, dir string, _ *memFloors) {
			_ = os.WriteFile(d4(dir), envelope(t, other, Document{Name: ListDeny, Version: 4, Since: 3, Add: hexes(h(4))}), 0o600)
		}, 3, true, true},
		{"newest delta renamed", func(t *testing.T, dir string, _ *memFloors) {
			_ = os.Rename(d4(dir), listPath(dir, ListDeny, false, 5))
		}, 3, true, true},
		{"newest delta is a pass list", func(t *testing.T, dir string, _ *memFloors) {
			_, priv := signKey(t)
			_ = os.WriteFile(d4(dir), envelope(t, priv, Document{Name: ListPass, Version: 4, Since: 3}), 0o600)
		}, 3, true, true},
		{"newest snapshot corrupt", func(t *testing.T, dir string, _ *memFloors) { flipByte(t, s3(dir)) }, 2, true, true},
		{"newest snapshot deleted", func(t *testing.T, dir string, _ *memFloors) { _ = os.Remove(s3(dir)) }, 2, true, true},
		{"every file corrupt", func(t *testing.T, dir string, _ *memFloors) {
			for _, p := range []string{listPath(dir, ListDeny, true, 1), listPath(dir, ListDeny, false, 2), s3(dir), d4(dir)} {
				flipByte(t, p)
			}
		}, 0, true, true},
		{"files deleted", func(t *testing.T, dir string, _ *memFloors) { _ = os.RemoveAll(filepath.Join(dir, ListDeny)) }, 0, true, true},
		{"floor record corrupt", func(t *testing.T, _ string, fl *memFloors) { fl.m[fmt.Sprintf(floorKeyFmt, ListDeny)] = []byte("junk") }, 4, true, false},
		{"write cut short", func(t *testing.T, dir string, _ *memFloors) {
			_ = os.WriteFile(filepath.Join(dir, ListDeny, fileName(false, 5)+".tmp123"), []byte("{\"payl"), 0o600)
		}, 4, false, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir, fl := t.TempDir(), &memFloors{}
			acceptAll(t, dir, fl, denyDocs...)
			tc.mutate(t, dir, fl)
			ls, log := newListStore(t, dir, fl)
			l := ls.Load(ctx)
			st := ls.Status()[0]
			if l.DenyVersion != tc.version || st.Version != tc.version || !blocks(l, int(tc.version)) {
				t.Fatalf("loaded version %d (status %d), want %d; log:\n%s", l.DenyVersion, st.Version, tc.version, log)
			}
			if (st.Faults > 0) != tc.faults || (st.Degraded != "") != tc.degraded {
				t.Fatalf("status %+v, want faults %v degraded %v; log:\n%s", st, tc.faults, tc.degraded, log)
			}
			if tc.faults && !strings.Contains(log.String(), "level=ERROR") {
				t.Errorf("a fault without an error log line:\n%s", log)
			}
			if st.Floor != 4 {
				t.Errorf("floor %d, want 4", st.Floor)
			}
			if tmp, _ := filepath.Glob(filepath.Join(dir, ListDeny, "*.tmp*")); len(tmp) != 0 {
				t.Errorf("temporary files left: %v", tmp)
			}
		})
	}
}

// TestListFallbackHeals: after a fallback the syncer asks for a snapshot
// (Since = 0); one at the floor brings the list back, and the files that
// failed are removed with the retired generation.
func TestListFallbackHeals(t *testing.T) {
	ctx := context.Background()
	_, priv := signKey(t)
	dir, fl := t.TempDir(), &memFloors{}
	acceptAll(t, dir, fl, denyDocs...)
	flipByte(t, listPath(dir, ListDeny, true, 3))
	ls, _ := newListStore(t, dir, fl)
	l := ls.Load(ctx)
	if l.DenyVersion != 2 || ls.Since(ListDeny, 2) != 0 {
		t.Fatalf("after the fallback: v%d, since %d", l.DenyVersion, ls.Since(ListDeny, 2))
	}
	// A delta from 2 to 3 is below the floor (4): refused.
	if _, err := ls.Accept(ctx, ListDeny, envelope(t, priv, Document{Name: ListDeny, Version: 3, Since: 2, Add: hexes(h(3))}), l); !errors.Is(err, ErrRollback) {
		t.Fatalf("delta below the floor: %v", err)
	}
	l, err := ls.Accept(ctx, ListDeny, envelope(t, priv, Document{Name: ListDeny, Version: 4, Full: true, Add: hexes(h(1), h(2), h(3), h(4))}), l)
	if err != nil || l.DenyVersion != 4 || !blocks(l, 4) || ls.Status()[0].Degraded != "" {
		t.Fatalf("snapshot at the floor: %v, %+v", err, ls.Status()[0])
	}
	ents, _ := os.ReadDir(filepath.Join(dir, ListDeny))
	var names []string
	for _, e := range ents {
		names = append(names, e.Name())
	}
	want := []string{fileName(false, 2), fileName(true, 1), fileName(true, 4)}
	slices.Sort(want)
	if !slices.Equal(names, want) {
		t.Fatalf("files %v, want %v (the generation in use, its fallback)", names, want)
	}
}

// TestListRollbackRefused is issue 15: deleting deny.bin reset the held
// version to 0, so an old signed snapshot was accepted again. The version
// floor in the store refuses it.
func TestListRollbackRefused(t *testing.T) {
	ctx := context.Background()
	_, priv := signKey(t)
	old := envelope(t, priv, Document{Name: ListDeny, Version: 1, Full: true, Add: hexes(h(1))})
	dir := t.TempDir()
	st := openStore(t) // the floor in the real store's sealed key-value pairs
	acceptAll(t, dir, st, Document{Name: ListDeny, Version: 2, Full: true, Add: hexes(h(1), h(2))})
	if err := os.RemoveAll(filepath.Join(dir, ListDeny)); err != nil {
		t.Fatal(err)
	}
	ls, log := newListStore(t, dir, st)
	l := ls.Load(ctx)
	if s := ls.Status()[0]; l.DenyVersion != 0 || s.Floor != 2 || s.Degraded == "" || s.Faults == 0 {
		t.Fatalf("after deletion: v%d, %+v", l.DenyVersion, s)
	}
	if ls.Since(ListDeny, 0) != 0 {
		t.Fatal("no snapshot asked for")
	}
	if _, err := ls.Accept(ctx, ListDeny, old, l); !errors.Is(err, ErrRollback) || !errors.Is(err, ErrBadList) {
		t.Fatalf("old snapshot after deletion: %v", err)
	}
	if !strings.Contains(log.String(), "below the version floor") {
		t.Errorf("no alert:\n%s", log)
	}
	if _, err := os.Stat(listPath(dir, ListDeny, true, 1)); err == nil {
		t.Fatal("refused snapshot kept on disk")
	}
	l, err := ls.Accept(ctx, ListDeny, envelope(t, priv, Document{Name: ListDeny, Version: 2, Full: true, Add: hexes(h(1), h(2))}), l)
	if err != nil || l.DenyVersion != 2 || ls.Status()[0].Degraded != "" {
		t.Fatalf("snapshot at the floor: %v", err)
	}
}

// TestListRetiredGenerationRefused: a generation the store retired (older
// than the fallback it keeps), put back by hand, is never used.
func TestListRetiredGenerationRefused(t *testing.T) {
	dir, fl := t.TempDir(), &memFloors{}
	snaps := []Document{
		{Name: ListDeny, Version: 1, Full: true, Add: hexes(h(1))},
		{Name: ListDeny, Version: 2, Full: true, Add: hexes(h(1), h(2))},
		{Name: ListDeny, Version: 3, Full: true, Add: hexes(h(1), h(2), h(3))},
	}
	acceptAll(t, dir, fl, snaps[:1]...)
	retired, err := os.ReadFile(listPath(dir, ListDeny, true, 1))
	if err != nil {
		t.Fatal(err)
	}
	acceptAll(t, dir, fl, snaps[1:]...)
	if _, err := os.Stat(listPath(dir, ListDeny, true, 1)); err == nil {
		t.Fatal("generation 1 not retired after two newer snapshots")
	}
	_ = os.Remove(listPath(dir, ListDeny, true, 2))
	_ = os.Remove(listPath(dir, ListDeny, true, 3))
	_ = os.WriteFile(listPath(dir, ListDeny, true, 1), retired, 0o600)
	ls, _ := newListStore(t, dir, fl)
	if l := ls.Load(context.Background()); l.DenyVersion != 0 || l.Deny.Len() != 0 {
		t.Fatalf("retired generation used: v%d", l.DenyVersion)
	}
	if _, err := os.Stat(listPath(dir, ListDeny, true, 1)); err == nil {
		t.Fatal("retired generation not removed")
	}
}

// TestListKeptAsReceived: the files are the signed bytes the back-end sent,
// and a reboot (a new ListStore on the same directory and store) gives the
// same lists back.
func TestListKeptAsReceived(t *testing.T) {
	ctx := context.Background()
	_, priv := signKey(t)
	dir := t.TempDir()
	st := openStore(t)
	ls, _ := newListStore(t, dir, st)
	l := ls.Load(ctx)
	s := RandomHashSet(1000)
	bodies := []struct {
		name string
		full bool
		d    Document
	}{
		{ListDeny, true, Document{Name: ListDeny, Version: 7, Full: true, AddBin: raw(s.h...)}},
		{ListDeny, false, Document{Name: ListDeny, Version: 8, Since: 7, Add: hexes(h(1)), RemoveBin: raw(s.h[0])}},
		{ListPass, true, Document{Name: ListPass, Version: 3, Full: true, Passes: map[string][]Pass{h(1).String(): {{Route: "47", Year: 2026, Month: 11}}}}},
	}
	for _, b := range bodies {
		body := envelope(t, priv, b.d)
		var err error
		if l, err = ls.Accept(ctx, b.name, body, l); err != nil {
			t.Fatal(err)
		}
		got, err := os.ReadFile(listPath(dir, b.name, b.full, b.d.Version))
		if err != nil || !bytes.Equal(got, body) {
			t.Fatalf("%s v%d on disk differs from what was received: %v", b.name, b.d.Version, err)
		}
	}
	ls2, log := newListStore(t, dir, st)
	l2 := ls2.Load(ctx)
	if l2.DenyVersion != 8 || l2.Deny.Len() != 1000 || l2.Deny.Contains(s.h[0]) || !l2.Deny.Contains(h(1)) || !l2.Deny.Contains(s.h[500]) {
		t.Fatalf("deny after reboot: v%d n=%d", l2.DenyVersion, l2.Deny.Len())
	}
	if l2.PassVersion != 3 || len(l2.Pass[h(1)]) != 1 || l2.Pass[h(1)][0] != (tariff.MonthlyPass{Route: "47", Year: 2026, Month: 11}) {
		t.Fatalf("pass after reboot: v%d %v", l2.PassVersion, l2.Pass)
	}
	for _, s := range ls2.Status() {
		if s.Faults != 0 || s.Degraded != "" {
			t.Fatalf("status %+v; log:\n%s", s, log)
		}
	}
}

// TestListForgedLegacyFileIgnored is issue 15: pass.json was loaded
// unsigned, so a forged {"version":999} granted passes and made every real
// update "older". Unsigned files are never read; they are removed.
func TestListForgedLegacyFileIgnored(t *testing.T) {
	ctx := context.Background()
	_, priv := signKey(t)
	dir := t.TempDir()
	forged := fmt.Sprintf(`{"version":999,"passes":{%q:[{"route":"","year":2026,"month":11}]}}`, h(1).String())
	if err := os.WriteFile(filepath.Join(dir, "pass.json"), []byte(forged), 0o600); err != nil {
		t.Fatal(err)
	}
	ls, _ := newListStore(t, dir, &memFloors{})
	l := ls.Load(ctx)
	if l.PassVersion != 0 || len(l.Pass) != 0 {
		t.Fatalf("forged pass.json used: v%d %v", l.PassVersion, l.Pass)
	}
	if _, err := os.Stat(filepath.Join(dir, "pass.json")); err == nil {
		t.Fatal("pass.json kept")
	}
	l, err := ls.Accept(ctx, ListPass, envelope(t, priv, Document{Name: ListPass, Version: 1, Full: true}), l)
	if err != nil || l.PassVersion != 1 {
		t.Fatalf("the real pass list: %v", err)
	}
}

// TestListFloorRaisedAtLoad: a power cut between keeping a file and raising
// the floor leaves a verified file above the floor; Load accepts it and
// raises the floor.
func TestListFloorRaisedAtLoad(t *testing.T) {
	ctx := context.Background()
	_, priv := signKey(t)
	dir, fl := t.TempDir(), &memFloors{}
	acceptAll(t, dir, fl, denyDocs[0])
	ls, _ := newListStore(t, dir, fl)
	l := ls.Load(ctx)
	fl.putErr = errors.New("disk full")
	if _, err := ls.Accept(ctx, ListDeny, envelope(t, priv, denyDocs[1]), l); err == nil {
		t.Fatal("accepted without saving the floor")
	}
	fl.putErr = nil
	ls, _ = newListStore(t, dir, fl)
	if l := ls.Load(ctx); l.DenyVersion != 2 || ls.Status()[0].Floor != 2 {
		t.Fatalf("after the cut: v%d, %+v", l.DenyVersion, ls.Status()[0])
	}
	if f, _ := decodeFloor(fl.m[fmt.Sprintf(floorKeyFmt, ListDeny)]); f.Accepted != 2 {
		t.Fatalf("stored floor %+v", f)
	}
}

// TestListSince: the syncer asks for deltas from the version held, and for
// a snapshot when nothing is held, the list is below its floor, or the
// generation is full.
func TestListSince(t *testing.T) {
	ctx := context.Background()
	_, priv := signKey(t)
	ls, _ := newListStore(t, t.TempDir(), &memFloors{})
	l := ls.Load(ctx)
	if ls.Since(ListDeny, 0) != 0 {
		t.Fatal("empty: not a snapshot")
	}
	docs := []Document{{Name: ListDeny, Version: 1, Full: true}}
	for v := uint64(2); v <= MaxDeltas+1; v++ {
		docs = append(docs, Document{Name: ListDeny, Version: v, Since: v - 1, Add: hexes(h(byte(v)))})
	}
	for i, d := range docs {
		if i > 0 && ls.Since(ListDeny, l.DenyVersion) != l.DenyVersion {
			t.Fatalf("after %d deltas: since %d", i-1, ls.Since(ListDeny, l.DenyVersion))
		}
		var err error
		if l, err = ls.Accept(ctx, ListDeny, envelope(t, priv, d), l); err != nil {
			t.Fatal(err)
		}
	}
	if ls.Since(ListDeny, l.DenyVersion) != 0 {
		t.Fatalf("after %d deltas: no snapshot asked for", MaxDeltas)
	}
	// A snapshot of the same version starts a new generation.
	if l, err := ls.Accept(ctx, ListDeny, envelope(t, priv, Document{Name: ListDeny, Version: l.DenyVersion, Full: true}), l); err != nil || ls.Since(ListDeny, l.DenyVersion) != l.DenyVersion {
		t.Fatalf("compaction: %v", err)
	}
}

// TestListAcceptRefusesForgery: a document that fails its signature is
// refused with an alert and never reaches the disk.
func TestListAcceptRefusesForgery(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	other := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{9}, ed25519.SeedSize))
	ls, log := newListStore(t, dir, &memFloors{})
	l := ls.Load(ctx)
	if _, err := ls.Accept(ctx, ListPass, envelope(t, other, Document{Name: ListPass, Version: 999, Full: true}), l); !errors.Is(err, ErrBadList) {
		t.Fatalf("forged: %v", err)
	}
	if s := ls.Status()[1]; s.Faults != 1 || !strings.Contains(log.String(), "refused") {
		t.Fatalf("no alert: %+v\n%s", s, log)
	}
	if ents, _ := os.ReadDir(filepath.Join(dir, ListPass)); len(ents) != 0 {
		t.Fatalf("forged document on disk: %v", ents)
	}
}

func FuzzListFile(f *testing.F) {
	_, priv := signKey(f)
	for _, d := range denyDocs[:2] {
		f.Add(envelope(f, priv, d), d.Full)
	}
	f.Add([]byte(`{"payload":"","signature":""}`), true)
	snap := envelope(f, priv, denyDocs[0])
	f.Fuzz(func(t *testing.T, b []byte, full bool) {
		dir := t.TempDir()
		if err := os.Mkdir(filepath.Join(dir, ListDeny), 0o750); err != nil {
			t.Fatal(err)
		}
		_ = os.WriteFile(listPath(dir, ListDeny, true, 1), snap, 0o600)
		_ = os.WriteFile(listPath(dir, ListDeny, full, 2), b, 0o600)
		ls, _ := newListStore(t, dir, &memFloors{})
		l := ls.Load(context.Background())
		if l.DenyVersion != 1 && l.DenyVersion != 2 {
			t.Fatalf("version %d from snapshot 1 and a file named 2", l.DenyVersion)
		}
	})
}

func FuzzDecodeFloor(f *testing.F) {
	f.Add(floor{Accepted: 9, Oldest: 3}.encode())
	f.Add([]byte("junk"))
	f.Fuzz(func(t *testing.T, b []byte) {
		fl, err := decodeFloor(b)
		if err == nil && (fl.Oldest > fl.Accepted || !bytes.Equal(fl.encode(), b)) {
			t.Fatalf("decoded %+v from %x", fl, b)
		}
	})
}

package transit

import (
	"context"
	"errors"
	"net/http/httptest"
	"testing"
)

// syncer is a Syncer for srv with a fresh list store in dir.
func syncer(t *testing.T, srv *httptest.Server, dir string) *Syncer {
	t.Helper()
	ls, _ := newListStore(t, dir, &memFloors{})
	ls.Load(context.Background())
	return &Syncer{BaseURL: srv.URL, Client: srv.Client(), Store: ls}
}

func TestSync(t *testing.T) {
	_, priv := signKey(t)
	tk := tokenizer(t)
	blocked := tk.HashID("001090012345")
	pass := tk.HashID("001090099999")
	srv := &listServer{priv: priv, versions: map[string][]Document{
		ListDeny: {{Name: ListDeny, Version: 1, Since: 0, Add: hexes(blocked, h(5))}},
		ListPass: {{Name: ListPass, Version: 1, Since: 0, Passes: map[string][]Pass{pass.String(): {{Route: "47", Year: 2026, Month: 11}}}}},
	}}
	hs := httptest.NewServer(srv)
	defer hs.Close()
	dir := t.TempDir()
	v, _ := newTestValidator(t, &memStore{}, nil, nil)
	sy := syncer(t, hs, dir)
	ctx := context.Background()

	res, err := sy.Sync(ctx, v)
	if err != nil || res.DenyVersion != 1 || res.DenyEntries != 2 || res.PassVersion != 1 || !res.Updated {
		t.Fatalf("first sync: %+v, %v", res, err)
	}
	// A delta: unblock h(5), block h(6).
	srv.publish(ListDeny, Document{Add: hexes(h(6)), Remove: hexes(h(5))})
	res, err = sy.Sync(ctx, v)
	if err != nil || res.DenyVersion != 2 || !v.Lists().Deny.Contains(h(6)) || v.Lists().Deny.Contains(h(5)) {
		t.Fatalf("delta sync: %+v, %v", res, err)
	}
	// Up to date: 304, nothing changes.
	if res, err = sy.Sync(ctx, v); err != nil || res.Updated {
		t.Fatalf("idle sync: %+v, %v", res, err)
	}
	if got := srv.requests[len(srv.requests)-2]; got != "/v1/lists/deny?since=2" {
		t.Errorf("request %q", got)
	}
	// A reboot keeps the lists.
	ls, _ := newListStore(t, dir, sy.Store.floors)
	l := ls.Load(ctx)
	if l.DenyVersion != 2 || !l.Deny.Contains(blocked) || l.PassVersion != 1 || len(l.Pass[pass]) != 1 {
		t.Fatalf("after reboot: %+v", l)
	}
	// A forged list (wrong key) is refused and the held lists stay.
	_, forger := signKey(t)
	forger = append([]byte(nil), forger...)
	forger[0] ^= 1
	srv.mu.Lock()
	srv.priv = forger
	srv.mu.Unlock()
	srv.publish(ListDeny, Document{Remove: hexes(blocked)})
	if _, err := sy.Sync(ctx, v); !errors.Is(err, ErrBadList) || !v.Lists().Deny.Contains(blocked) {
		t.Fatalf("forged list: %v", err)
	}
}

func TestSyncGapRefetchesSnapshot(t *testing.T) {
	_, priv := signKey(t)
	srv := &listServer{priv: priv, versions: map[string][]Document{
		ListDeny: {{Name: ListDeny, Version: 1, Add: hexes(h(1))}},
	}}
	hs := httptest.NewServer(srv)
	defer hs.Close()
	v, _ := newTestValidator(t, &memStore{}, nil, nil)
	sy := syncer(t, hs, t.TempDir())
	srv.publish(ListDeny, Document{Add: hexes(h(2))})
	if _, err := sy.Sync(context.Background(), v); err != nil || v.Lists().DenyVersion != 2 {
		t.Fatalf("sync: %v, v%d", err, v.Lists().DenyVersion)
	}
	srv.mu.Lock()
	// The next delta does not follow version 2: the syncer must fetch a snapshot.
	srv.versions[ListDeny] = append(srv.versions[ListDeny], Document{Name: ListDeny, Version: 3, Since: 7, Add: hexes(h(3))})
	srv.mu.Unlock()
	if _, err := sy.Sync(context.Background(), v); err != nil || v.Lists().DenyVersion != 3 || !v.Lists().Deny.Contains(h(3)) {
		t.Fatalf("gap not healed by a snapshot: %v, v%d", err, v.Lists().DenyVersion)
	}
	if last := srv.requests[len(srv.requests)-2]; last != "/v1/lists/deny?since=0" {
		t.Errorf("no snapshot refetch: %v", srv.requests)
	}
}

// TestSyncListsIndependent: a deny list the store refuses does not keep the
// pass list from updating.
func TestSyncListsIndependent(t *testing.T) {
	_, priv := signKey(t)
	srv := &listServer{priv: priv, versions: map[string][]Document{
		ListDeny: {{Name: ListDeny, Version: 1, Add: hexes(h(1))}, {Name: ListDeny, Version: 2, Since: 1}},
		ListPass: {{Name: ListPass, Version: 1}},
	}}
	hs := httptest.NewServer(srv)
	defer hs.Close()
	v, _ := newTestValidator(t, &memStore{}, nil, nil)
	sy := syncer(t, hs, t.TempDir())
	if _, err := sy.Sync(context.Background(), v); err != nil {
		t.Fatal(err)
	}
	srv.mu.Lock()
	srv.replay = map[string]Document{ListDeny: {Name: ListDeny, Version: 1, Full: true, Add: hexes(h(1))}}
	srv.mu.Unlock()
	srv.publish(ListPass, Document{})
	_, err := sy.Sync(context.Background(), v)
	if !errors.Is(err, ErrRollback) || v.Lists().PassVersion != 2 || v.Lists().DenyVersion != 2 {
		t.Fatalf("err %v, deny v%d, pass v%d", err, v.Lists().DenyVersion, v.Lists().PassVersion)
	}
}

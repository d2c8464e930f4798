package transit

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"testing"

	"github.com/kiosk06/kiosk/payments/tariff"
)

func h(b byte) Hash { var x Hash; x[0], x[1], x[31] = b, b, b; return x }

func TestHashSet(t *testing.T) {
	s := NewHashSet([]Hash{h(3), h(1), h(2), h(1)})
	if s.Len() != 3 || !s.Contains(h(1)) || !s.Contains(h(3)) || s.Contains(h(4)) {
		t.Fatalf("NewHashSet: len %d", s.Len())
	}
	tests := []struct {
		name        string
		add, remove []Hash
		want        []Hash
		absent      []Hash
	}{
		{"add", []Hash{h(9), h(0)}, nil, []Hash{h(0), h(1), h(2), h(3), h(9)}, []Hash{h(4)}},
		{"remove", nil, []Hash{h(2)}, []Hash{h(1), h(3)}, []Hash{h(2)}},
		{"add existing", []Hash{h(1)}, nil, []Hash{h(1), h(2), h(3)}, nil},
		{"add and remove", []Hash{h(7)}, []Hash{h(7), h(1)}, []Hash{h(2), h(3)}, []Hash{h(1), h(7)}},
		{"remove absent", nil, []Hash{h(8)}, []Hash{h(1), h(2), h(3)}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			n := s.Apply(tc.add, tc.remove)
			if n.Len() != len(tc.want) {
				t.Fatalf("len %d, want %d", n.Len(), len(tc.want))
			}
			for _, x := range tc.want {
				if !n.Contains(x) {
					t.Errorf("missing %x", x[:2])
				}
			}
			for _, x := range tc.absent {
				if n.Contains(x) {
					t.Errorf("holds %x", x[:2])
				}
			}
		})
	}
	if s.Len() != 3 {
		t.Fatal("Apply changed the original set")
	}
	var empty *HashSet
	if empty.Contains(h(1)) || NewHashSet(nil).Contains(h(1)) {
		t.Fatal("empty set contains something")
	}
}

func TestHashSetRandom(t *testing.T) {
	s := RandomHashSet(2000)
	for _, x := range s.h {
		if !s.Contains(x) {
			t.Fatal("member not found")
		}
		y := x
		y[31] ^= 1
		if s.Contains(y) != slices.Contains(s.h, y) {
			t.Fatal("lookup disagrees with a linear search")
		}
	}
}

func raw(hs ...Hash) []byte {
	var b []byte
	for _, x := range hs {
		b = append(b, x[:]...)
	}
	return b
}

func hexes(hs ...Hash) []string {
	out := make([]string, len(hs))
	for i, x := range hs {
		out[i] = x.String()
	}
	return out
}

func TestOpenEnvelope(t *testing.T) {
	pub, priv := signKey(t)
	good, _ := SignDocument(priv, Document{Name: ListDeny, Version: 2, Full: true, Add: hexes(h(1))})
	body, _ := json.Marshal(good)
	tampered := good
	tampered.Payload = append([]byte(nil), good.Payload...)
	tampered.Payload[len(tampered.Payload)-2] ^= 1
	tb, _ := json.Marshal(tampered)
	tests := []struct {
		name string
		list string
		body []byte
		err  error
	}{
		{"good", ListDeny, body, nil},
		{"wrong list", ListPass, body, ErrBadList},
		{"tampered", ListDeny, tb, ErrBadList},
		{"not json", ListDeny, []byte("<html>"), ErrBadList},
		{"empty", ListDeny, nil, ErrBadList},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := OpenEnvelope(pub, tc.list, tc.body)
			if !errors.Is(err, tc.err) {
				t.Fatalf("err %v, want %v", err, tc.err)
			}
		})
	}
	if _, err := OpenEnvelope(nil, ListDeny, body); !errors.Is(err, ErrBadList) {
		t.Fatalf("no key: %v", err)
	}
}

func TestApplyVersions(t *testing.T) {
	cur := NewHashSet([]Hash{h(1)})
	tests := []struct {
		name string
		doc  Document
		err  error
	}{
		{"delta follows", Document{Name: ListDeny, Version: 6, Since: 5, Add: hexes(h(2))}, nil},
		{"full", Document{Name: ListDeny, Version: 9, Full: true, Add: hexes(h(2))}, nil},
		{"rollback", Document{Name: ListDeny, Version: 4, Full: true}, ErrBadList},
		{"same version", Document{Name: ListDeny, Version: 5, Since: 5}, ErrBadList},
		{"gap", Document{Name: ListDeny, Version: 8, Since: 7}, ErrListGap},
		{"bad hash", Document{Name: ListDeny, Version: 6, Since: 5, Add: []string{"zz"}}, ErrBadList},
		{"binary add", Document{Name: ListDeny, Version: 6, Since: 5, AddBin: raw(h(2), h(3))}, nil},
		{"binary bad length", Document{Name: ListDeny, Version: 6, Since: 5, AddBin: make([]byte, 33)}, ErrBadList},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := applyDeny(cur, 5, tc.doc)
			if !errors.Is(err, tc.err) {
				t.Fatalf("err %v, want %v", err, tc.err)
			}
			if err == nil && (!got.Contains(h(2)) || got.Contains(h(1)) != !tc.doc.Full) {
				t.Fatalf("result lacks h(2) or mishandles h(1): len %d", got.Len())
			}
		})
	}
	p, err := applyPass(nil, 0, Document{Name: ListPass, Version: 1, Full: true, Passes: map[string][]Pass{h(1).String(): {{Route: "", Year: 2026, Month: 13}}}})
	if !errors.Is(err, ErrBadList) || p != nil {
		t.Fatalf("month 13 accepted: %v", err)
	}
}

func TestListStoreRoundTrip(t *testing.T) {
	ls := ListStore{Dir: filepath.Join(t.TempDir(), "lists")}
	l, err := ls.Load()
	if err != nil || l.Deny.Len() != 0 || l.DenyVersion != 0 {
		t.Fatalf("empty load: %v", err)
	}
	s := RandomHashSet(1000)
	passes := map[Hash][]tariff.MonthlyPass{h(1): {{Route: "47", Year: 2026, Month: 11}}}
	if err := ls.SaveDeny(s, 7); err != nil {
		t.Fatal(err)
	}
	if err := ls.SavePass(passes, 3); err != nil {
		t.Fatal(err)
	}
	l, err = ls.Load()
	if err != nil {
		t.Fatal(err)
	}
	if l.DenyVersion != 7 || l.Deny.Len() != 1000 || !l.Deny.Contains(s.h[500]) || l.PassVersion != 3 || len(l.Pass[h(1)]) != 1 {
		t.Fatalf("loaded deny v%d n=%d pass v%d", l.DenyVersion, l.Deny.Len(), l.PassVersion)
	}
	// A corrupted file is refused, never half-used.
	p := filepath.Join(ls.Dir, "deny.bin")
	b, _ := os.ReadFile(p)
	b[100] ^= 1
	_ = os.WriteFile(p, b, 0o600)
	if _, err := ls.Load(); !errors.Is(err, ErrBadList) {
		t.Fatalf("corrupt deny.bin: %v", err)
	}
}

// listServer serves signed lists the way the back-end does: a delta from the
// client's version when it has one, otherwise a snapshot.
type listServer struct {
	mu       sync.Mutex
	priv     []byte
	versions map[string][]Document // list → successive deltas (index = version-1)
	requests []string
}

func (s *listServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	name := filepath.Base(r.URL.Path)
	since, err := strconv.ParseUint(r.URL.Query().Get("since"), 10, 64)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests = append(s.requests, r.URL.RequestURI())
	ds := s.versions[name]
	if err != nil {
		http.Error(w, "bad since", http.StatusBadRequest)
		return
	}
	if int(since) >= len(ds) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	var d Document
	if since == 0 {
		d = snapshot(name, ds)
	} else {
		d = ds[since]
	}
	env, _ := SignDocument(s.priv, d)
	_ = json.NewEncoder(w).Encode(env)
}

// snapshot folds the deltas into one full document.
func snapshot(name string, ds []Document) Document {
	set := NewHashSet(nil)
	passes := map[string][]Pass{}
	for _, d := range ds {
		add, _ := parseHashes(d.Add, d.AddBin)
		rm, _ := parseHashes(d.Remove, d.RemoveBin)
		set = set.Apply(add, rm)
		for _, r := range d.Remove {
			delete(passes, r)
		}
		for k, v := range d.Passes {
			passes[k] = v
		}
	}
	d := Document{Name: name, Version: uint64(len(ds)), Full: true, Passes: passes}
	for _, x := range set.h {
		d.Add = append(d.Add, x.String())
	}
	return d
}

func TestSync(t *testing.T) {
	pub, priv := signKey(t)
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
	sy := &Syncer{BaseURL: hs.URL, PublicKey: pub, Client: hs.Client(), Store: ListStore{Dir: dir}}
	ctx := context.Background()

	res, err := sy.Sync(ctx, v)
	if err != nil || res.DenyVersion != 1 || res.DenyEntries != 2 || res.PassVersion != 1 || !res.Updated {
		t.Fatalf("first sync: %+v, %v", res, err)
	}
	// A delta: unblock h(5), block h(6).
	srv.mu.Lock()
	srv.versions[ListDeny] = append(srv.versions[ListDeny], Document{Name: ListDeny, Version: 2, Since: 1, Add: hexes(h(6)), Remove: hexes(h(5))})
	srv.mu.Unlock()
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
	l, err := ListStore{Dir: dir}.Load()
	if err != nil || l.DenyVersion != 2 || !l.Deny.Contains(blocked) || l.PassVersion != 1 || len(l.Pass[pass]) != 1 {
		t.Fatalf("after reboot: %+v, %v", l, err)
	}
	// A forged list (wrong key) is refused and the held lists stay.
	_, forger := signKey(t)
	forger = append([]byte(nil), forger...)
	forger[0] ^= 1
	srv.mu.Lock()
	srv.priv = forger
	srv.versions[ListDeny] = append(srv.versions[ListDeny], Document{Name: ListDeny, Version: 3, Since: 2, Remove: hexes(blocked)})
	srv.mu.Unlock()
	if _, err := sy.Sync(ctx, v); !errors.Is(err, ErrBadList) || !v.Lists().Deny.Contains(blocked) {
		t.Fatalf("forged list: %v", err)
	}
}

func TestSyncGapRefetchesSnapshot(t *testing.T) {
	pub, priv := signKey(t)
	srv := &listServer{priv: priv, versions: map[string][]Document{
		ListDeny: {{Name: ListDeny, Version: 1, Add: hexes(h(1))}, {Name: ListDeny, Version: 2, Since: 1, Add: hexes(h(2))}},
	}}
	hs := httptest.NewServer(srv)
	defer hs.Close()
	// The validator holds version 1: the server's delta 1→2 applies.
	v, _ := newTestValidator(t, &memStore{}, nil, &Lists{Deny: NewHashSet(nil), DenyVersion: 1})
	sy := &Syncer{BaseURL: hs.URL, PublicKey: pub, Client: hs.Client(), Store: ListStore{Dir: t.TempDir()}}
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

func FuzzOpenEnvelope(f *testing.F) {
	pub, priv := signKey(f)
	env, _ := SignDocument(priv, Document{Name: ListDeny, Version: 1, Full: true, Add: hexes(h(1))})
	b, _ := json.Marshal(env)
	f.Add(b)
	f.Add([]byte(`{"payload":"","signature":""}`))
	f.Add([]byte(`[]`))
	f.Fuzz(func(t *testing.T, b []byte) {
		d, err := OpenEnvelope(pub, ListDeny, b)
		if err == nil {
			_, _ = applyDeny(NewHashSet(nil), 0, d)
		}
	})
}

func FuzzDecodeDeny(f *testing.F) {
	dir := f.TempDir()
	ls := ListStore{Dir: dir}
	_ = ls.SaveDeny(RandomHashSet(3), 1)
	b, _ := os.ReadFile(filepath.Join(dir, "deny.bin"))
	f.Add(b)
	f.Add([]byte(denyMagic))
	f.Fuzz(func(t *testing.T, b []byte) {
		_, _, _ = decodeDeny(b)
	})
}

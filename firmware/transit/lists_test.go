package transit

import (
	"encoding/json"
	"errors"
	"net/http"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"testing"

	"github.com/kiosk06/kiosk/firmware/identity"
)

func h(b byte) identity.Token { var x identity.Token; x[0], x[1], x[31] = b, b, b; return x }

func TestHashSet(t *testing.T) {
	s := NewHashSet([]identity.Token{h(3), h(1), h(2), h(1)})
	if s.Len() != 3 || !s.Contains(h(1)) || !s.Contains(h(3)) || s.Contains(h(4)) {
		t.Fatalf("NewHashSet: len %d", s.Len())
	}
	tests := []struct {
		name        string
		add, remove []identity.Token
		want        []identity.Token
		absent      []identity.Token
	}{
		{"add", []identity.Token{h(9), h(0)}, nil, []identity.Token{h(0), h(1), h(2), h(3), h(9)}, []identity.Token{h(4)}},
		{"remove", nil, []identity.Token{h(2)}, []identity.Token{h(1), h(3)}, []identity.Token{h(2)}},
		{"add existing", []identity.Token{h(1)}, nil, []identity.Token{h(1), h(2), h(3)}, nil},
		{"add and remove", []identity.Token{h(7)}, []identity.Token{h(7), h(1)}, []identity.Token{h(2), h(3)}, []identity.Token{h(1), h(7)}},
		{"remove absent", nil, []identity.Token{h(8)}, []identity.Token{h(1), h(2), h(3)}, nil},
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

func raw(hs ...identity.Token) []byte {
	var b []byte
	for _, x := range hs {
		b = append(b, x[:]...)
	}
	return b
}

func hexes(hs ...identity.Token) []string {
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
	cur := NewHashSet([]identity.Token{h(1)})
	tests := []struct {
		name string
		doc  Document
		err  error
	}{
		{"delta follows", Document{Name: ListDeny, Version: 6, Since: 5, Add: hexes(h(2))}, nil},
		{"full", Document{Name: ListDeny, Version: 9, Full: true, Add: hexes(h(2))}, nil},
		{"rollback", Document{Name: ListDeny, Version: 4, Full: true}, ErrBadList},
		{"same version", Document{Name: ListDeny, Version: 5, Since: 5}, ErrBadList},
		{"snapshot of the same version", Document{Name: ListDeny, Version: 5, Full: true, Add: hexes(h(2))}, nil},
		{"version 0", Document{Name: ListDeny, Version: 0, Full: true}, ErrBadList},
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

// listServer serves signed lists the way the back-end does: a delta from the
// client's version when it has one, otherwise a snapshot. replay, when set
// for a list, is served for every request instead (an attacker or a stale
// mirror replaying an old, validly signed document).
type listServer struct {
	mu       sync.Mutex
	priv     []byte
	versions map[string][]Document // list → successive deltas (index = version-1)
	replay   map[string]Document
	requests []string
	auth     []string // Authorization headers received
}

func (s *listServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	name := filepath.Base(r.URL.Path)
	since, err := strconv.ParseUint(r.URL.Query().Get("since"), 10, 64)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests = append(s.requests, r.URL.RequestURI())
	s.auth = append(s.auth, r.Header.Get("Authorization"))
	ds := s.versions[name]
	if err != nil {
		http.Error(w, "bad since", http.StatusBadRequest)
		return
	}
	d, replay := s.replay[name]
	switch {
	case replay:
	case int(since) >= len(ds):
		w.WriteHeader(http.StatusNotModified)
		return
	case since == 0:
		d = snapshot(name, ds)
	default:
		d = ds[since]
	}
	env, _ := SignDocument(s.priv, d)
	_ = json.NewEncoder(w).Encode(env)
}

// publish appends a version to list name (a delta from the last one).
func (s *listServer) publish(name string, d Document) {
	s.mu.Lock()
	defer s.mu.Unlock()
	d.Name, d.Since, d.Version = name, uint64(len(s.versions[name])), uint64(len(s.versions[name])+1)
	s.versions[name] = append(s.versions[name], d)
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

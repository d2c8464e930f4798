package transit

import (
	"bytes"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/kiosk06/kiosk/firmware/identity"
	"github.com/kiosk06/kiosk/payments/tariff"
)

// Errors of the lists.
var (
	// ErrBadList: a list from the back-end failed its signature or checks.
	ErrBadList = errors.New("transit: list rejected")
	// ErrListGap: a delta does not start at the version held.
	ErrListGap = errors.New("transit: list delta does not follow the held version")
	// ErrRollback: a list is older than the highest version ever accepted
	// (the version floor kept in the store). It wraps ErrBadList.
	ErrRollback = fmt.Errorf("%w: below the version floor", ErrBadList)
)

// List names on the wire.
const (
	ListDeny = "deny"
	ListPass = "pass"
)

// Limits on a list document from the back-end.
const (
	MaxListBytes   = 128 << 20 // a 1,000,000-entry snapshot is ~67 MB of hex JSON; deltas are far smaller
	MaxListEntries = 4_000_000
)

// HashSet is a set of token hashes: a sorted array of 32-byte hashes with an
// index of where each 16-bit prefix starts, so a lookup is one index read and
// a binary search over ~n/65536 entries. Memory: 32 bytes per entry plus
// 256 KiB of index. It is immutable: Apply returns a new set.
type HashSet struct {
	h   []identity.Token
	idx []uint32 // len 65537 when h is non-empty: idx[p] = first entry with prefix ≥ p
}

// NewHashSet builds a set from hashes in any order (duplicates removed).
func NewHashSet(hs []identity.Token) *HashSet { return ownedHashSet(slices.Clone(hs)) }

// ownedHashSet builds a set from s, which it may reorder and keep. A
// snapshot from the back-end arrives sorted, so the sort is skipped then.
func ownedHashSet(s []identity.Token) *HashSet {
	cmp := func(a, b identity.Token) int { return bytes.Compare(a[:], b[:]) }
	if !slices.IsSortedFunc(s, cmp) {
		slices.SortFunc(s, cmp)
	}
	return newSorted(slices.Compact(s))
}

func newSorted(s []identity.Token) *HashSet {
	set := &HashSet{h: s}
	if len(s) == 0 {
		return set
	}
	set.idx = make([]uint32, 65537)
	j := 0
	for p := range 65536 {
		for j < len(s) && prefix(s[j]) < p {
			j++
		}
		set.idx[p] = uint32(j)
	}
	set.idx[65536] = uint32(len(s))
	return set
}

func prefix(h identity.Token) int { return int(h[0])<<8 | int(h[1]) }

// Len is the number of hashes.
func (s *HashSet) Len() int {
	if s == nil {
		return 0
	}
	return len(s.h)
}

// Bytes is the memory the set holds (entries and index).
func (s *HashSet) Bytes() int {
	if s == nil {
		return 0
	}
	return len(s.h)*32 + len(s.idx)*4
}

// Contains reports whether h is in the set.
func (s *HashSet) Contains(h identity.Token) bool {
	if s.Len() == 0 {
		return false
	}
	p := prefix(h)
	lo, hi := int(s.idx[p]), int(s.idx[p+1])
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		switch c := bytes.Compare(s.h[m][:], h[:]); {
		case c == 0:
			return true
		case c < 0:
			lo = m + 1
		default:
			hi = m
		}
	}
	return false
}

// Apply returns the set with add inserted and remove deleted (a merge of
// sorted arrays: O(n + k log k)).
func (s *HashSet) Apply(add, remove []identity.Token) *HashSet {
	a := NewHashSet(add).h
	rm := NewHashSet(remove)
	var old []identity.Token
	if s != nil {
		old = s.h
	}
	out := make([]identity.Token, 0, len(old)+len(a))
	i, j := 0, 0
	for i < len(old) || j < len(a) {
		var next identity.Token
		switch {
		case j == len(a) || i < len(old) && bytes.Compare(old[i][:], a[j][:]) < 0:
			next, i = old[i], i+1
		case i == len(old) || bytes.Compare(old[i][:], a[j][:]) > 0:
			next, j = a[j], j+1
		default:
			next, i, j = old[i], i+1, j+1
		}
		if !rm.Contains(next) {
			out = append(out, next)
		}
	}
	return newSorted(out)
}

// Pass is one pass-list entry: the passes on a token's account.
type Pass struct {
	Route string     `json:"route"` // "" = every route
	Year  int        `json:"year"`
	Month time.Month `json:"month"`
}

// Document is the signed payload of GET /v1/lists/{name}?since=V.
//
//	{"name":"deny","version":12,"since":10,"full":false,
//	 "add":["<64 hex>",…],"remove":[…],"add_bin":"<base64>","remove_bin":"<base64>",
//	 "passes":{"<64 hex>":[{"route":"47","year":2026,"month":11}]},
//	 "rides":{"<64 hex>":[{"ticket":"T-1","route":"47","valid_from":"…","valid_until":"…"}]}}
//
// full=true is a snapshot (since is ignored); otherwise it is a delta that
// applies only on top of version since. For the pass list, "passes" and
// "rides" (single-ride tickets, rides.go) give a token's entries added or
// replaced, and "remove" the tokens dropped. A validator that predates
// rides ignores the member.
type Document struct {
	Name    string   `json:"name"`
	Version uint64   `json:"version"`
	Since   uint64   `json:"since"`
	Full    bool     `json:"full"`
	Add     []string `json:"add,omitempty"`
	Remove  []string `json:"remove,omitempty"`
	// AddBin and RemoveBin carry hashes compactly: raw 32-byte hashes
	// concatenated (base64 in JSON), for large snapshots; they add to Add and
	// Remove.
	AddBin    []byte            `json:"add_bin,omitempty"`
	RemoveBin []byte            `json:"remove_bin,omitempty"`
	Passes    map[string][]Pass `json:"passes,omitempty"`
	Rides     map[string][]Ride `json:"rides,omitempty"`
}

// Envelope is the wire form: the payload bytes (JSON of a Document) and an
// Ed25519 signature over exactly those bytes.
type Envelope struct {
	Payload   []byte `json:"payload"`   // base64 in JSON
	Signature []byte `json:"signature"` // base64 in JSON
}

// SignDocument builds an envelope (the back-end side; tests and tools).
func SignDocument(key ed25519.PrivateKey, d Document) (Envelope, error) {
	p, err := json.Marshal(d)
	if err != nil {
		return Envelope{}, fmt.Errorf("transit: sign list: %w", err)
	}
	return Envelope{Payload: p, Signature: ed25519.Sign(key, p)}, nil
}

// OpenEnvelope checks the signature and decodes the document of list name.
func OpenEnvelope(pub ed25519.PublicKey, name string, body []byte) (Document, error) {
	var d Document
	if len(body) > MaxListBytes {
		return d, fmt.Errorf("%w: %d bytes, limit %d", ErrBadList, len(body), MaxListBytes)
	}
	var e Envelope
	if err := json.Unmarshal(body, &e); err != nil {
		return d, fmt.Errorf("%w: envelope: %v", ErrBadList, err)
	}
	if len(pub) != ed25519.PublicKeySize || !ed25519.Verify(pub, e.Payload, e.Signature) {
		return d, fmt.Errorf("%w: bad signature on list %q", ErrBadList, name)
	}
	if err := json.Unmarshal(e.Payload, &d); err != nil {
		return d, fmt.Errorf("%w: payload: %v", ErrBadList, err)
	}
	if d.Name != name {
		return d, fmt.Errorf("%w: asked for list %q, got %q", ErrBadList, name, d.Name)
	}
	if n := len(d.Add) + len(d.Remove) + len(d.Passes) + len(d.Rides) + (len(d.AddBin)+len(d.RemoveBin))/32; n > MaxListEntries {
		return d, fmt.Errorf("%w: %d entries, limit %d", ErrBadList, n, MaxListEntries)
	}
	return d, nil
}

// parseHashes decodes hex hashes followed by the raw hashes of bin.
func parseHashes(ss []string, bin []byte) ([]identity.Token, error) {
	if len(bin)%32 != 0 {
		return nil, fmt.Errorf("%w: binary hashes: %d bytes is not a multiple of 32", ErrBadList, len(bin))
	}
	out := make([]identity.Token, len(ss), len(ss)+len(bin)/32)
	for i, s := range ss {
		h, err := identity.ParseToken(s)
		if err != nil {
			return nil, fmt.Errorf("%w: entry %d: %v", ErrBadList, i, err)
		}
		out[i] = h
	}
	for i := 0; i < len(bin); i += 32 {
		out = append(out, identity.Token(bin[i:i+32]))
	}
	return out, nil
}

// Lists is one immutable version of the deny and pass lists.
type Lists struct {
	Deny        *HashSet
	DenyVersion uint64
	Pass        map[identity.Token][]tariff.MonthlyPass
	PassVersion uint64
	// Rides are the single-ride tickets on each token (the pass list's
	// "rides"), used at their first tap.
	Rides map[identity.Token][]Ride
}

// passes returns the monthly passes of h.
func (l *Lists) passes(h identity.Token) []tariff.MonthlyPass {
	if l == nil {
		return nil
	}
	return l.Pass[h]
}

// applyDeny returns the deny list after document d.
func applyDeny(cur *HashSet, ver uint64, d Document) (*HashSet, error) {
	if err := checkVersion(ver, d); err != nil {
		return nil, err
	}
	add, err := parseHashes(d.Add, d.AddBin)
	if err != nil {
		return nil, err
	}
	rm, err := parseHashes(d.Remove, d.RemoveBin)
	if err != nil {
		return nil, err
	}
	if d.Full {
		return ownedHashSet(add), nil
	}
	return cur.Apply(add, rm), nil
}

// applyPass returns the pass list after document d.
func applyPass(cur map[identity.Token][]tariff.MonthlyPass, ver uint64, d Document) (map[identity.Token][]tariff.MonthlyPass, error) {
	if err := checkVersion(ver, d); err != nil {
		return nil, err
	}
	rm, err := parseHashes(d.Remove, d.RemoveBin)
	if err != nil {
		return nil, err
	}
	out := make(map[identity.Token][]tariff.MonthlyPass, len(cur)+len(d.Passes))
	if !d.Full {
		for k, v := range cur {
			out[k] = v
		}
	}
	for _, h := range rm {
		delete(out, h)
	}
	for s, ps := range d.Passes {
		h, err := identity.ParseToken(s)
		if err != nil {
			return nil, fmt.Errorf("%w: pass entry: %v", ErrBadList, err)
		}
		mp := make([]tariff.MonthlyPass, 0, len(ps))
		for _, p := range ps {
			if p.Month < 1 || p.Month > 12 || p.Year < 2000 || p.Year > 9999 {
				return nil, fmt.Errorf("%w: pass %d-%d out of range", ErrBadList, p.Year, p.Month)
			}
			mp = append(mp, tariff.MonthlyPass{Route: p.Route, Year: p.Year, Month: p.Month})
		}
		out[h] = mp
	}
	return out, nil
}

// checkVersion refuses rollbacks and deltas that do not follow ver. A
// snapshot may repeat the version held: the syncer asks for one to start a
// new generation (MaxDeltas) even when nothing changed.
func checkVersion(ver uint64, d Document) error {
	switch {
	case d.Version == 0:
		return fmt.Errorf("%w: version 0", ErrBadList)
	case d.Full && d.Version < ver, !d.Full && d.Version <= ver:
		return fmt.Errorf("%w: version %d is not newer than %d", ErrBadList, d.Version, ver)
	case !d.Full && d.Since != ver:
		return fmt.Errorf("%w: delta from %d, held %d", ErrListGap, d.Since, ver)
	}
	return nil
}

package transit

import (
	"context"
	"crypto/ed25519"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/kiosk06/kiosk/firmware/identity"
	"github.com/kiosk06/kiosk/firmware/store"
	"github.com/kiosk06/kiosk/payments/tariff"
)

// On disk, each list is kept as the signed envelopes the back-end sent, byte
// for byte, never a re-serialised form, in DIR/<list>/:
//
//	s<version, 20 digits>.env   a snapshot (a full document)
//	d<version, 20 digits>.env   a delta that ends at that version
//
// A generation is a snapshot and the deltas that follow it. The store keeps
// the generation in use and the one before it (the fallback); a new snapshot
// retires everything older. Files are written to a temporary file, fsync'd,
// renamed and the directory fsync'd, so a power cut leaves the old or the new
// file, never a torn one.
//
// Load verifies every envelope it uses against the public key and replays
// the documents; nothing derived from them is trusted. A file that fails
// (torn, corrupt, forged, renamed, a delta that does not follow) is refused
// with an alert and the list falls back to the last good state: the longest
// good prefix of the newest generation, else the previous generation.
//
// The version floor lives in the store (sealed key-value pair
// "transit.lists.<list>.floor", so it survives the loss of the files and
// cannot be edited without the device key): the highest version ever
// accepted, and the snapshot version of the oldest generation kept. The
// back-end's documents below the floor are refused (a replayed old snapshot
// cannot roll a list back), as are files of retired generations. A fallback
// below the floor (the newest files corrupt or deleted) is used, because an
// older deny list still blocks more than none, but the list is marked
// degraded and alerted until the syncer has fetched a snapshot at or above
// the floor.
const (
	envExt        = ".env"
	floorKeyFmt   = "transit.lists.%s.floor"
	floorBytes    = 16
	versionDigits = 20
	// MaxDeltas bounds a generation: with this many deltas kept, the next
	// sync asks for a snapshot, which starts a new generation.
	MaxDeltas = 32
)

// legacyFiles are the unsigned derived files of firmware before issue 15;
// they are never trusted and are removed at load.
var legacyFiles = []string{"deny.bin", "pass.json"}

// FloorStore keeps the version floors: *store.Store's sealed key-value pairs
// (AES-GCM under the device key, bound to the key name and device).
type FloorStore interface {
	GetSealed(ctx context.Context, key string) ([]byte, error)
	PutSealed(ctx context.Context, key string, value []byte) error
}

// floor is one list's version floor.
type floor struct {
	Accepted uint64 // highest version ever accepted
	Oldest   uint64 // snapshot version of the oldest generation kept
}

func (f floor) encode() []byte {
	b := binary.BigEndian.AppendUint64(make([]byte, 0, floorBytes), f.Accepted)
	return binary.BigEndian.AppendUint64(b, f.Oldest)
}

func decodeFloor(b []byte) (floor, error) {
	if len(b) != floorBytes {
		return floor{}, fmt.Errorf("%w: version floor: %d bytes, want %d", ErrBadList, len(b), floorBytes)
	}
	f := floor{Accepted: binary.BigEndian.Uint64(b), Oldest: binary.BigEndian.Uint64(b[8:])}
	if f.Oldest > f.Accepted {
		return floor{}, fmt.Errorf("%w: version floor: oldest %d above accepted %d", ErrBadList, f.Oldest, f.Accepted)
	}
	return f, nil
}

// ListStatus is the state of one list (metrics, diagnostics).
type ListStatus struct {
	Name    string `json:"name"`
	Version uint64 `json:"version"` // in use; 0: none
	Floor   uint64 `json:"floor"`   // highest version ever accepted
	Deltas  int    `json:"deltas"`  // deltas on top of the snapshot in use
	// Faults counts alerts since start: files refused at load, documents
	// refused from the back-end (forged, below the floor), floor errors.
	Faults int `json:"faults"`
	// Degraded says why the list in use is not the newest accepted one
	// ("" when it is).
	Degraded string `json:"degraded,omitempty"`
}

// listState is what ListStore knows of one list.
type listState struct {
	floor    floor
	version  uint64
	snap     uint64   // snapshot version of the generation in use
	cur      []string // its files in use: the snapshot, then the deltas in order
	prev     []string // the fallback generation's files
	faults   int
	degraded string
}

// ListStore keeps the signed lists on disk and their version floors in the
// store. Safe for concurrent use.
type ListStore struct {
	dir    string
	pub    ed25519.PublicKey
	floors FloorStore
	log    *slog.Logger

	mu sync.Mutex
	st map[string]*listState
}

// NewListStore returns the store of the lists in dir, signed with pub, with
// their floors in floors; log nil means slog.Default.
func NewListStore(dir string, pub ed25519.PublicKey, floors FloorStore, log *slog.Logger) (*ListStore, error) {
	if len(pub) != ed25519.PublicKeySize || floors == nil || dir == "" {
		return nil, errors.New("transit: list store: a directory, an Ed25519 public key and a floor store are required")
	}
	if log == nil {
		log = slog.Default()
	}
	return &ListStore{dir: dir, pub: pub, floors: floors, log: log, st: map[string]*listState{}}, nil
}

// Load reads both lists from disk, verifying every file it uses, and always
// returns usable lists: what cannot be verified is refused with an alert
// (error log, ListStatus.Faults) and the list falls back to its last good
// state, or is empty when nothing good exists. An empty pass list means
// every pass holder pays the fare; an empty deny list blocks no one.
func (ls *ListStore) Load(ctx context.Context) *Lists {
	ls.mu.Lock()
	defer ls.mu.Unlock()
	for _, name := range legacyFiles {
		p := filepath.Join(ls.dir, name)
		if _, err := os.Stat(p); err == nil {
			ls.log.Warn("transit: unsigned list file ignored and removed; the signed lists are fetched again", "file", name)
			_ = os.Remove(p)
		}
	}
	l := &Lists{Deny: NewHashSet(nil), Pass: map[identity.Token][]tariff.MonthlyPass{}}
	for _, name := range []string{ListDeny, ListPass} {
		ls.loadList(ctx, name, l)
	}
	return l
}

// Status reports both lists.
func (ls *ListStore) Status() []ListStatus {
	ls.mu.Lock()
	defer ls.mu.Unlock()
	out := make([]ListStatus, 0, 2)
	for _, name := range []string{ListDeny, ListPass} {
		st := ls.state(name)
		out = append(out, ListStatus{Name: name, Version: st.version, Floor: st.floor.Accepted,
			Deltas: max(len(st.cur)-1, 0), Faults: st.faults, Degraded: st.degraded})
	}
	return out
}

// Since is the version to ask the back-end for deltas from: held, or 0 (a
// snapshot) when the list is below its floor, empty, or its generation
// holds MaxDeltas deltas.
func (ls *ListStore) Since(name string, held uint64) uint64 {
	ls.mu.Lock()
	defer ls.mu.Unlock()
	st := ls.state(name)
	if held < st.floor.Accepted || len(st.cur) == 0 || len(st.cur)-1 >= MaxDeltas || held != st.version {
		return 0
	}
	return held
}

// state returns name's state, empty before Load. Caller holds mu.
func (ls *ListStore) state(name string) *listState {
	st := ls.st[name]
	if st == nil {
		st = &listState{}
		ls.st[name] = st
	}
	return st
}

// alert records a fault: an error log line and the fault counter.
func (ls *ListStore) alert(st *listState, msg, name, file string, err error) {
	st.faults++
	if file == "" {
		ls.log.Error(msg, "list", name, "err", err)
		return
	}
	ls.log.Error(msg, "list", name, "file", file, "err", err)
}

// generation is one snapshot file and the delta files after it.
type generation struct {
	snap   uint64
	file   string
	deltas []listFile
}

type listFile struct {
	version uint64
	file    string
}

// parseName reads s<version>.env or d<version>.env.
func parseName(name string) (full bool, version uint64, ok bool) {
	base, found := strings.CutSuffix(name, envExt)
	if !found || len(base) != 1+versionDigits || (base[0] != 's' && base[0] != 'd') {
		return false, 0, false
	}
	v, err := strconv.ParseUint(base[1:], 10, 64)
	if err != nil || v == 0 {
		return false, 0, false
	}
	return base[0] == 's', v, true
}

func fileName(full bool, version uint64) string {
	k := "d"
	if full {
		k = "s"
	}
	return fmt.Sprintf("%s%0*d%s", k, versionDigits, version, envExt)
}

// generations groups the files of list name, oldest first; a delta belongs
// to the newest snapshot below it (deltas before every snapshot are
// orphans).
func (ls *ListStore) generations(name string) (gens []generation, orphans []string, err error) {
	ents, err := os.ReadDir(filepath.Join(ls.dir, name))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil, nil
	}
	if err != nil {
		return nil, nil, fmt.Errorf("transit: list %s: %w", name, err)
	}
	var deltas []listFile
	for _, e := range ents {
		full, v, ok := parseName(e.Name())
		switch {
		case !ok && strings.Contains(e.Name(), ".tmp"):
			_ = os.Remove(filepath.Join(ls.dir, name, e.Name())) // a write cut short
		case !ok || !e.Type().IsRegular():
		case full:
			gens = append(gens, generation{snap: v, file: e.Name()})
		default:
			deltas = append(deltas, listFile{v, e.Name()})
		}
	}
	slices.SortFunc(gens, func(a, b generation) int { return cmpU64(a.snap, b.snap) })
	slices.SortFunc(deltas, func(a, b listFile) int { return cmpU64(a.version, b.version) })
	for _, d := range deltas {
		i, _ := slices.BinarySearchFunc(gens, d.version, func(g generation, v uint64) int { return cmpU64(g.snap, v) })
		if i == 0 { // no snapshot below d
			orphans = append(orphans, d.file)
			continue
		}
		gens[i-1].deltas = append(gens[i-1].deltas, d)
	}
	return gens, orphans, nil
}

func cmpU64(a, b uint64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func (g generation) files() []string {
	out := []string{g.file}
	for _, d := range g.deltas {
		out = append(out, d.file)
	}
	return out
}

// loadList loads list name into l. Caller holds mu.
func (ls *ListStore) loadList(ctx context.Context, name string, l *Lists) {
	st := &listState{}
	ls.st[name] = st
	b, err := ls.floors.GetSealed(ctx, fmt.Sprintf(floorKeyFmt, name))
	switch {
	case errors.Is(err, store.ErrNotFound):
	case err == nil:
		if st.floor, err = decodeFloor(b); err != nil {
			ls.alert(st, "transit: list version floor unreadable", name, "", err)
		}
	default:
		ls.alert(st, "transit: list version floor unreadable", name, "", err)
	}
	gens, orphans, err := ls.generations(name)
	if err != nil {
		ls.alert(st, "transit: list directory unreadable", name, "", err)
	}
	for _, f := range orphans {
		ls.log.Warn("transit: list delta without its snapshot removed", "list", name, "file", f)
		_ = os.Remove(filepath.Join(ls.dir, name, f))
	}
	for i := len(gens) - 1; i >= 0; i-- {
		g := gens[i]
		if g.snap < st.floor.Oldest {
			// Retired by a later snapshot (its removal was cut short) or
			// put back by hand: never used.
			ls.log.Warn("transit: retired list generation removed", "list", name, "snapshot", g.snap, "oldest_kept", st.floor.Oldest)
			for _, f := range g.files() {
				_ = os.Remove(filepath.Join(ls.dir, name, f))
			}
			continue
		}
		next, used, ok := ls.replay(st, name, g, l)
		if !ok {
			continue
		}
		*l = *next
		st.snap, st.cur, st.version = g.snap, used, listVersion(next, name)
		if i > 0 && gens[i-1].snap >= st.floor.Oldest {
			st.prev = gens[i-1].files()
		}
		break
	}
	switch {
	case st.version > st.floor.Accepted:
		// Accepted before a power cut cut the floor update short.
		f := floor{Accepted: st.version, Oldest: st.floor.Oldest}
		if err := ls.floors.PutSealed(ctx, fmt.Sprintf(floorKeyFmt, name), f.encode()); err != nil {
			ls.alert(st, "transit: list version floor not saved", name, "", err)
		} else {
			st.floor = f
		}
	case st.version == 0 && st.floor.Accepted == 0:
		st.degraded = "no list received yet"
		ls.log.Warn("transit: no list yet: it is fetched at the first sync", "list", name)
	case st.version == 0:
		st.degraded = fmt.Sprintf("no good list on disk; version floor %d", st.floor.Accepted)
		ls.alert(st, "transit: no usable list: the validator runs without it until a snapshot at or above the version floor arrives", name, "",
			fmt.Errorf("%w: no list file verifies; version floor %d", ErrBadList, st.floor.Accepted))
	case st.version < st.floor.Accepted:
		st.degraded = fmt.Sprintf("version %d in use is below the version floor %d", st.version, st.floor.Accepted)
		ls.alert(st, "transit: list fell back below the version floor: the newest files are corrupt or missing", name, "",
			fmt.Errorf("version %d in use, version floor %d", st.version, st.floor.Accepted))
	}
}

// replay verifies and applies generation g of list name on top of l; it
// stops at the first file that fails (alerted). ok is false when the
// snapshot itself fails.
func (ls *ListStore) replay(st *listState, name string, g generation, l *Lists) (next *Lists, used []string, ok bool) {
	d, err := ls.readDoc(name, g.file, true, g.snap)
	if err == nil {
		next, err = apply(l, d, 0)
	}
	if err != nil {
		ls.alert(st, "transit: list file refused", name, g.file, err)
		return nil, nil, false
	}
	used = []string{g.file}
	for _, f := range g.deltas {
		d, err := ls.readDoc(name, f.file, false, f.version)
		var n *Lists
		if err == nil {
			n, err = apply(next, d, listVersion(next, name))
		}
		if err != nil {
			ls.alert(st, "transit: list file refused", name, f.file, err)
			break
		}
		next, used = n, append(used, f.file)
	}
	return next, used, true
}

// readDoc reads and verifies one envelope file; its document must be of
// the kind and version its name says.
func (ls *ListStore) readDoc(name, file string, full bool, version uint64) (Document, error) {
	b, err := readBounded(filepath.Join(ls.dir, name, file))
	if err != nil {
		return Document{}, err
	}
	d, err := OpenEnvelope(ls.pub, name, b)
	if err != nil {
		return Document{}, err
	}
	if d.Full != full || d.Version != version {
		return Document{}, fmt.Errorf("%w: %s holds version %d (full %v)", ErrBadList, file, d.Version, d.Full)
	}
	return d, nil
}

// readBounded reads a list file of at most MaxListBytes.
func readBounded(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("transit: read list: %w", err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("transit: read list: %w", err)
	}
	if fi.Size() > MaxListBytes {
		return nil, fmt.Errorf("%w: %d bytes, limit %d", ErrBadList, fi.Size(), MaxListBytes)
	}
	b := make([]byte, fi.Size())
	if _, err := io.ReadFull(f, b); err != nil {
		return nil, fmt.Errorf("transit: read list: %w", err)
	}
	return b, nil
}

// Accept takes body, a signed envelope the back-end sent for list name: it
// verifies it, checks it against the lists in use (cur) and the version
// floor, keeps it on disk exactly as received, raises the floor, and
// returns the lists to use next. A forged document or one below the floor
// is refused with an alert; cur stays in use.
func (ls *ListStore) Accept(ctx context.Context, name string, body []byte, cur *Lists) (*Lists, error) {
	ls.mu.Lock()
	defer ls.mu.Unlock()
	st := ls.state(name)
	d, err := OpenEnvelope(ls.pub, name, body)
	if err != nil {
		ls.alert(st, "transit: list from the back-end refused", name, "", err)
		return nil, err
	}
	if !d.Full && len(st.cur) == 0 {
		return nil, fmt.Errorf("%w: a delta for %s, which has no snapshot on disk", ErrListGap, name)
	}
	if d.Version < st.floor.Accepted {
		err := fmt.Errorf("%w: version %d, floor %d", ErrRollback, d.Version, st.floor.Accepted)
		ls.alert(st, "transit: list from the back-end refused", name, "", err)
		return nil, err
	}
	next, err := apply(cur, d, listVersion(cur, name))
	if err != nil {
		if !errors.Is(err, ErrListGap) {
			ls.alert(st, "transit: list from the back-end refused", name, "", err)
		}
		return nil, err
	}
	file := fileName(d.Full, d.Version)
	if err := ls.write(name, file, body); err != nil {
		return nil, err
	}
	f := floor{Accepted: max(st.floor.Accepted, d.Version), Oldest: st.floor.Oldest}
	if d.Full {
		f.Oldest = d.Version
		if len(st.cur) > 0 {
			f.Oldest = st.snap // the generation in use becomes the fallback
		}
	}
	if err := ls.floors.PutSealed(ctx, fmt.Sprintf(floorKeyFmt, name), f.encode()); err != nil {
		return nil, fmt.Errorf("transit: list %s: save version floor: %w", name, err)
	}
	st.floor, st.version, st.degraded = f, d.Version, ""
	if d.Full {
		st.prev, st.cur, st.snap = st.cur, []string{file}, d.Version
		ls.prune(name, st)
	} else {
		st.cur = append(st.cur, file)
	}
	return next, nil
}

// prune removes the files of list name that belong to neither the
// generation in use nor the fallback. Caller holds mu.
func (ls *ListStore) prune(name string, st *listState) {
	dir := filepath.Join(ls.dir, name)
	ents, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	for _, e := range ents {
		if _, _, ok := parseName(e.Name()); ok && !slices.Contains(st.cur, e.Name()) && !slices.Contains(st.prev, e.Name()) {
			if err := os.Remove(filepath.Join(dir, e.Name())); err != nil {
				ls.log.Warn("transit: old list file not removed", "list", name, "file", e.Name(), "err", err)
			}
		}
	}
	syncDir(dir)
}

// listVersion is the version of list name in l.
func listVersion(l *Lists, name string) uint64 {
	if name == ListPass {
		return l.PassVersion
	}
	return l.DenyVersion
}

// apply returns l with document d applied to its list; held is the version
// d must follow.
func apply(l *Lists, d Document, held uint64) (*Lists, error) {
	next := *l
	switch d.Name {
	case ListDeny:
		s, err := applyDeny(l.Deny, held, d)
		if err != nil {
			return nil, err
		}
		next.Deny, next.DenyVersion = s, d.Version
	case ListPass:
		p, err := applyPass(l.Pass, held, d)
		if err != nil {
			return nil, err
		}
		rides, err := applyRides(l.Rides, d)
		if err != nil {
			return nil, err
		}
		next.Pass, next.PassVersion, next.Rides = p, d.Version, rides
	default:
		return nil, fmt.Errorf("%w: unknown list %q", ErrBadList, d.Name)
	}
	return &next, nil
}

// write replaces DIR/name/file atomically: temp file, fsync, rename, fsync
// directory.
func (ls *ListStore) write(name, file string, b []byte) error {
	dir := filepath.Join(ls.dir, name)
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return fmt.Errorf("transit: save list %s: %w", name, err)
	}
	f, err := os.CreateTemp(dir, file+".tmp*")
	if err != nil {
		return fmt.Errorf("transit: save list %s: %w", name, err)
	}
	tmp := f.Name()
	_, err = f.Write(b)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, filepath.Join(dir, file))
	}
	if err != nil {
		_ = os.Remove(tmp)
		return fmt.Errorf("transit: save list %s: %w", name, err)
	}
	syncDir(dir)
	syncDir(ls.dir)
	return nil
}

func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		_ = d.Close()
	}
}

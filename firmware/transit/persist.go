package transit

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/kiosk06/kiosk/payments/tariff"
)

// On-disk list snapshots in the lists directory:
//
//	deny.bin:  "K06DENY1" | version u64 BE | count u64 BE | count×32 sorted hashes | SHA-256 of all before
//	pass.json: {"version":V,"passes":{"<hex>":[{"route":…,"year":…,"month":…}]}}
//
// Both are written to a temporary file, fsync'd and renamed, so a reboot or
// a power cut leaves the previous or the new version, never a torn one.
const denyMagic = "K06DENY1"

// ListStore persists the lists in a directory.
type ListStore struct{ Dir string }

// Load reads the persisted lists; missing files give empty lists.
func (ls ListStore) Load() (*Lists, error) {
	l := &Lists{Deny: NewHashSet(nil), Pass: map[Hash][]tariff.MonthlyPass{}}
	b, err := os.ReadFile(filepath.Join(ls.Dir, "deny.bin"))
	switch {
	case errors.Is(err, fs.ErrNotExist):
	case err != nil:
		return nil, fmt.Errorf("transit: load deny list: %w", err)
	default:
		if l.Deny, l.DenyVersion, err = decodeDeny(b); err != nil {
			return nil, err
		}
	}
	b, err = os.ReadFile(filepath.Join(ls.Dir, "pass.json"))
	switch {
	case errors.Is(err, fs.ErrNotExist):
	case err != nil:
		return nil, fmt.Errorf("transit: load pass list: %w", err)
	default:
		var pf passFile
		if err := json.Unmarshal(b, &pf); err != nil {
			return nil, fmt.Errorf("transit: load pass list: %w", err)
		}
		if pf.Version > 0 {
			d := Document{Name: ListPass, Version: pf.Version, Full: true, Passes: pf.Passes}
			if l.Pass, err = applyPass(nil, 0, d); err != nil {
				return nil, fmt.Errorf("transit: load pass list: %w", err)
			}
			l.PassVersion = pf.Version
		}
	}
	return l, nil
}

type passFile struct {
	Version uint64            `json:"version"`
	Passes  map[string][]Pass `json:"passes"`
}

// SaveDeny persists the deny list.
func (ls ListStore) SaveDeny(s *HashSet, version uint64) error {
	n := s.Len()
	b := make([]byte, 0, 24+n*32+32)
	b = append(b, denyMagic...)
	b = binary.BigEndian.AppendUint64(b, version)
	b = binary.BigEndian.AppendUint64(b, uint64(n))
	for i := range n {
		b = append(b, s.h[i][:]...)
	}
	sum := sha256.Sum256(b)
	return ls.write("deny.bin", append(b, sum[:]...))
}

// SavePass persists the pass list.
func (ls ListStore) SavePass(p map[Hash][]tariff.MonthlyPass, version uint64) error {
	pf := passFile{Version: version, Passes: make(map[string][]Pass, len(p))}
	for h, ps := range p {
		out := make([]Pass, len(ps))
		for i, m := range ps {
			out[i] = Pass{Route: m.Route, Year: m.Year, Month: m.Month}
		}
		pf.Passes[h.String()] = out
	}
	b, err := json.Marshal(pf)
	if err != nil {
		return fmt.Errorf("transit: save pass list: %w", err)
	}
	return ls.write("pass.json", b)
}

func decodeDeny(b []byte) (*HashSet, uint64, error) {
	bad := func(why string) (*HashSet, uint64, error) {
		return nil, 0, fmt.Errorf("%w: deny.bin: %s", ErrBadList, why)
	}
	if len(b) < 24+32 || !bytes.HasPrefix(b, []byte(denyMagic)) {
		return bad("not a deny list file")
	}
	body, sum := b[:len(b)-32], b[len(b)-32:]
	if s := sha256.Sum256(body); !bytes.Equal(s[:], sum) {
		return bad("checksum mismatch")
	}
	ver := binary.BigEndian.Uint64(body[8:16])
	n := binary.BigEndian.Uint64(body[16:24])
	if n > MaxListEntries || uint64(len(body)-24) != n*32 {
		return bad("length mismatch")
	}
	hs := make([]Hash, n)
	for i := range hs {
		copy(hs[i][:], body[24+i*32:])
	}
	for i := 1; i < len(hs); i++ {
		if bytes.Compare(hs[i-1][:], hs[i][:]) >= 0 {
			return bad("entries not sorted")
		}
	}
	return newSorted(hs), ver, nil
}

// write replaces name atomically: temp file, fsync, rename, fsync directory.
func (ls ListStore) write(name string, b []byte) error {
	if err := os.MkdirAll(ls.Dir, 0o750); err != nil {
		return fmt.Errorf("transit: save %s: %w", name, err)
	}
	f, err := os.CreateTemp(ls.Dir, name+".tmp*")
	if err != nil {
		return fmt.Errorf("transit: save %s: %w", name, err)
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
		err = os.Rename(tmp, filepath.Join(ls.Dir, name))
	}
	if err != nil {
		_ = os.Remove(tmp)
		return fmt.Errorf("transit: save %s: %w", name, err)
	}
	if d, err := os.Open(ls.Dir); err == nil {
		_ = d.Sync()
		_ = d.Close()
	}
	return nil
}

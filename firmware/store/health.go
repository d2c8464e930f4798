package store

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/sys/unix"
)

// healthState tracks write outcomes for Health.
type healthState struct {
	mu          sync.Mutex
	corrupt     error // SQLite found the file damaged (sticky: a restart will refuse the database)
	lastErr     error // last failed write transaction; nil after a commit
	lastErrAt   time.Time
	full        int64 // Append refused with ErrFull
	unavailable int64 // Append failed with ErrUnavailable
}

// noteCommit records the outcome of a write transaction.
func (h *healthState) noteCommit(err error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if err == nil {
		h.lastErr = nil
		return
	}
	h.lastErr, h.lastErrAt = err, time.Now()
}

// noteAppend counts a failed Append by class.
func (h *healthState) noteAppend(err error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	switch {
	case errors.Is(err, ErrFull):
		h.full++
	case errors.Is(err, ErrUnavailable):
		h.unavailable++
	}
}

// Health is what the store knows of its own ability to take new work
// (/healthz, metrics, selftest).
type Health struct {
	Capacity
	// LastWriteError is the last failed write transaction (empty once a
	// later one committed): an I/O error, a full disk, a damaged file.
	LastWriteError   string
	LastWriteErrorAt time.Time
	// AppendsRefusedFull and AppendsFailed count Append calls that returned
	// ErrFull and ErrUnavailable since Open.
	AppendsRefusedFull int64
	AppendsFailed      int64
}

// Health returns the store's health (a statfs, no database access).
func (s *Store) Health() Health {
	h := Health{Capacity: s.Capacity()}
	s.health.mu.Lock()
	defer s.health.mu.Unlock()
	if s.health.lastErr != nil {
		h.LastWriteError, h.LastWriteErrorAt = s.health.lastErr.Error(), s.health.lastErrAt
	}
	h.AppendsRefusedFull, h.AppendsFailed = s.health.full, s.health.unavailable
	return h
}

// Check returns nil while the store takes new records; otherwise an error
// wrapping ErrFull or ErrUnavailable that says why. A flow asks before it
// takes money or makes a promise; /healthz asks too.
func (s *Store) Check() error {
	h := s.Health()
	s.health.mu.Lock()
	corrupt := s.health.corrupt
	s.health.mu.Unlock()
	switch {
	case corrupt != nil:
		return corrupt
	case s.ClockCheck() != nil:
		return s.ClockCheck()
	case h.FreeBytes >= 0 && h.FreeBytes < h.MinFreeBytes:
		return fmt.Errorf("%w: %d bytes free on the data file system (keeps %d)", ErrFull, h.FreeBytes, h.MinFreeBytes)
	case h.Unuploaded >= h.Max:
		return fmt.Errorf("%w: %d unuploaded records (cap %d)", ErrFull, h.Unuploaded, h.Max)
	case h.LastWriteError != "":
		s.health.mu.Lock()
		err := s.health.lastErr
		s.health.mu.Unlock()
		if err != nil {
			return fmt.Errorf("last write failed %s ago: %w", time.Since(h.LastWriteErrorAt).Round(time.Second), err)
		}
	}
	return nil
}

// damageNote is the file beside the database that records damage SQLite
// reported while running: Open refuses the database while it exists (the
// damage may sit where Open does not look), and Salvage moves it aside.
func damageNote(db string) string { return db + ".damaged" }

// noteErr passes err through, and on ErrCorrupt records the damage: logged,
// reported by Check (the store stops taking work), and written to the
// damage note so that the next start refuses the database with the way out
// instead of running on a file that loses records.
func (s *Store) noteErr(err error) error {
	if !errors.Is(err, ErrCorrupt) {
		return err
	}
	s.health.mu.Lock()
	first := s.health.corrupt == nil
	if first {
		s.health.corrupt = err
	}
	s.health.mu.Unlock()
	if first {
		s.log.Error("store: database damaged; kioskd will refuse it at the next start until it is salvaged", "err", err)
		note := fmt.Sprintf("%s %v\n", time.Now().UTC().Format(time.RFC3339), err)
		if werr := writeFileAtomic(damageNote(s.opts.Path), []byte(note)); werr != nil {
			s.log.Error("store: could not write the damage note", "err", werr)
		}
	}
	return err
}

// RefusalNote is the file beside the database at db where kioskd writes
// why it refused to open it (WriteRefusalNote): `kioskd diag store
// condition`, the unit's ExecCondition, which runs before systemd passes
// credentials and so cannot check the key itself, reads it to stop the unit
// instead of restarting it. The next Open that succeeds removes it.
func RefusalNote(db string) string { return db + ".refused" }

// WriteRefusalNote records why the database at db was refused (the error
// and the way out), atomically.
func WriteRefusalNote(db, msg string) error {
	note := fmt.Sprintf("%s %s\n", time.Now().UTC().Format(time.RFC3339), strings.TrimSpace(msg))
	return writeFileAtomic(RefusalNote(db), []byte(note))
}

// Refused reports a refusal that needs a technician rather than a retry:
// the sealing key lost, replaced or unusable, the database damaged, rolled
// back, another device's, or written by a newer build.
func Refused(err error) bool {
	for _, r := range []error{ErrKey, ErrCorrupt, ErrRolledBack, ErrDeviceMismatch, ErrSchema} {
		if errors.Is(err, r) {
			return true
		}
	}
	return false
}

// Notes returns the refusal and damage notes beside the database at db
// (empty when there are none), without opening it or needing the key:
// what the unit's ExecCondition checks.
func Notes(db string) (string, error) {
	var out []string
	for _, p := range []string{RefusalNote(db), damageNote(db)} {
		b, err := os.ReadFile(p)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return "", fmt.Errorf("store: %w", err)
		}
		out = append(out, strings.TrimSpace(string(b)))
	}
	return strings.Join(out, "\n"), nil
}

// checkDamageNote refuses a database with a damage note.
func checkDamageNote(db string) error {
	b, err := os.ReadFile(damageNote(db))
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("store: damage note: %w", err)
	}
	return fmt.Errorf("%w: damage found while running (%s): %s", ErrCorrupt, damageNote(db), strings.TrimSpace(string(b)))
}

// probeKey is the KV entry Probe rewrites.
const probeKey = "store.probe"

// Probe writes and commits a small value through the writer, so a store
// that can no longer write (read-only remount, I/O errors, full disk) is
// noticed without waiting for a customer; a later successful probe clears
// the failure. kioskd probes every minute.
func (s *Store) Probe(ctx context.Context) error {
	return s.Put(ctx, probeKey, []byte(strconv.FormatInt(time.Now().UnixNano(), 10)))
}

// diskSpace returns the bytes this process can still write — free on the
// file system holding the database, plus the database's own free pages
// (purged rows, reused before the file grows) — and the size of the file
// system; -1, -1 if statfs fails.
func (s *Store) diskSpace() (free, total int64) {
	var st unix.Statfs_t
	if err := unix.Statfs(filepath.Dir(s.opts.Path), &st); err != nil {
		return -1, -1
	}
	free = int64(st.Bavail)*int64(st.Bsize) + s.freePages.Load()*s.pageSize
	return free, int64(st.Blocks) * int64(st.Bsize)
}

// readFreePages refreshes the count of free pages inside the database
// (after each commit, on the writer's connection).
func (s *Store) readFreePages(ctx context.Context) {
	var n int64
	if err := s.wconn.QueryRowContext(ctx, `PRAGMA freelist_count`).Scan(&n); err == nil {
		s.freePages.Store(n)
	}
}

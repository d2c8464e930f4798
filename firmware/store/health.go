package store

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strconv"
	"sync"
	"time"

	"golang.org/x/sys/unix"
)

// healthState tracks write outcomes for Health.
type healthState struct {
	mu          sync.Mutex
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
	switch {
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

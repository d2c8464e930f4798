package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	sqlite3 "github.com/mattn/go-sqlite3"
)

// Sentinel errors callers branch on.
var (
	// ErrFull means the store refuses new records: the outbox has reached
	// MaxRecords, or the disk is full (free space below MinFreeBytes, or
	// ENOSPC). A kiosk that gets it must not take money.
	ErrFull = errors.New("store: full: new transactions refused")
	// ErrUnavailable means the store could not write (I/O error, read-only
	// or corrupt database): like ErrFull, the kiosk must refuse new work.
	ErrUnavailable = errors.New("store: unavailable: new transactions refused")
	// ErrCorrupt means SQLite found the database file damaged. It wraps
	// ErrUnavailable. At Open it is a refusal: recover with a salvage
	// (kioskd diag store salvage), which re-homes every readable record.
	ErrCorrupt = fmt.Errorf("%w: database file corrupt", ErrUnavailable)
	// ErrClosed is returned after Close.
	ErrClosed = errors.New("store: closed")
	// ErrInvalid means the record was rejected before reaching the disk.
	ErrInvalid = errors.New("store: invalid record")
	// ErrNotFound is returned by Get for a missing key.
	ErrNotFound = errors.New("store: not found")
	// ErrLocked means another process has the database open for writing.
	ErrLocked = errors.New("store: database in use by another process")
	// ErrDeviceMismatch means the database belongs to another device id.
	ErrDeviceMismatch = errors.New("store: database belongs to another device")
	// ErrSchema means the database was written by a newer build.
	ErrSchema = errors.New("store: database schema newer than this build")
	// ErrKey means the sealing key file is unusable (permissions, length).
	ErrKey = errors.New("store: sealing key unusable")
	// ErrClock: the wall clock reads before the clock floor (Options.ClockFloor):
	// a board without a real-time clock that booted in 1970, or a clock set
	// back. Nothing is recorded — no sale, ticket or visit is dated wrong —
	// until the time is set (NTP); the store takes records again by itself.
	ErrClock = fmt.Errorf("%w: the clock is not plausible", ErrUnavailable)
	// ErrKeyLost (wraps ErrKey) means the key file is missing while the
	// database holds sealed personal fields: Open refuses rather than make
	// a new key that would wedge every sealed record.
	ErrKeyLost = fmt.Errorf("%w: key missing but the database holds sealed personal fields", ErrKey)
	// ErrKeyMismatch (wraps ErrKey) means the key is not the one that
	// sealed the database's personal fields.
	ErrKeyMismatch = fmt.Errorf("%w: key does not open the database's sealed personal fields", ErrKey)
	// ErrRolledBack means the database is older than the one this device
	// last ran (a restored copy): its seqs would be reissued under the
	// same epoch, so Open refuses; a salvage re-homes it into a new epoch.
	ErrRolledBack = errors.New("store: database is older than the one this device last ran")
)

// Defaults applied by Open to zero Options fields.
const (
	DefaultMaxRecords = 1_000_000
	DefaultRetention  = 7 * 24 * time.Hour
	// DefaultMinFreeBytes is the free space kept on the database's file
	// system: below it Append refuses with ErrFull, so that
	// acknowledgements and purges (which need journal space) still work
	// and the uplink can make room.
	DefaultMinFreeBytes = 16 << 20
	// WarnFraction of MaxRecords held in the outbox raises the capacity warning.
	WarnFraction = 0.9
)

// Options configure Open. Path, KeyFile are required; DeviceID is required
// for a new database and must match an existing one (empty = take it from
// the database).
type Options struct {
	Path    string // SQLite database file
	KeyFile string // sealing key file; created 0600 only for a store that never sealed anything
	// MarkerFile remembers the epoch (and last seq) this device last ran,
	// so a database that was deleted, truncated or restored from an old
	// copy is noticed (default Path + ".epoch").
	MarkerFile   string
	DeviceID     string        // this device's id (protocol v1 device_id)
	MaxRecords   int           // capacity cap in rows (default DefaultMaxRecords)
	MinFreeBytes int64         // free space kept on the file system (default DefaultMinFreeBytes; < 0: none)
	Retention    time.Duration // keep acknowledged records this long (default 7 days)
	Logger       *slog.Logger  // default slog.Default()
	// KeyProvisioned: the key is provisioned outside kioskd (the systemd
	// credential): never create it; an empty file counts as missing (the
	// unit's empty SetCredential= fallback).
	KeyProvisioned bool
	// KeyRecovery opens the store although KeyFile cannot open its sealed
	// fields (creating the key if missing), for QuarantineUnreadable
	// (kioskd diag store quarantine-unreadable) and nothing else.
	KeyRecovery bool
	// ClockFloor, when set, turns on the clock check: Append refuses
	// (ErrClock) while the wall clock reads before the later of ClockFloor
	// (the build's commit time) and the newest record's time less
	// ClockSlack. Zero: no check (tools, tests with fixed times).
	ClockFloor time.Time
	// OnAppend, when set, hears of every Append once it has returned: the
	// record's kind, how long it took (fsync included) and its error.
	OnAppend func(kind string, took time.Duration, err error)

	maxPageCount int      // tests: simulate a full disk with PRAGMA max_page_count
	heldLock     *os.File // Salvage: the database lock, already taken
	salvaging    bool     // Salvage: a new epoch on purpose, not a reset
}

// Store is an open durable store. It is safe for concurrent use.
type Store struct {
	opts   Options
	log    *slog.Logger
	db     *sql.DB // readers
	wconn  *sql.Conn
	lock   *os.File
	sealer *sealer
	clock  clockSource
	// floor is the earliest plausible wall clock (zero: no check); see
	// Options.ClockFloor.
	floor time.Time
	epoch string // this database's store epoch (meta 'epoch')
	fresh bool   // the database had no schema when opened
	reset EpochReset
	// markerBound: checkEpoch accepted this database, so Close may
	// record its progress in the marker file.
	markerBound bool

	health healthState
	// pageSize and freePages: space inside the database file that SQLite
	// reuses before growing it (purged rows), counted as free.
	pageSize  int64
	freePages atomic.Int64

	mu     sync.RWMutex // guards closed against concurrent submit
	closed bool
	reqs   chan op
	done   chan struct{}

	statMu sync.Mutex
	stat   counters // committed writer state, for Capacity
	warned bool
}

// Open opens (creating and migrating as needed) the store at opts.Path.
func Open(ctx context.Context, opts Options) (*Store, error) {
	if err := opts.fill(); err != nil {
		return nil, err
	}
	lock := opts.heldLock
	var err error
	if lock == nil {
		lock, err = lockFile(opts.Path + ".lock")
	}
	if err != nil {
		return nil, err
	}
	s := &Store{opts: opts, log: opts.Logger, lock: lock, clock: newClock(),
		reqs: make(chan op, 1024), done: make(chan struct{})}
	if err := s.open(ctx); err != nil {
		s.closeResources()
		return nil, err
	}
	go s.writer()
	if err := s.checkEpoch(ctx); err != nil {
		s.Close()
		return nil, err
	}
	if err := s.setClockFloor(ctx); err != nil {
		s.Close()
		return nil, err
	}
	if err := os.Remove(RefusalNote(opts.Path)); err == nil {
		s.log.Info("store: opened; the refusal note of an earlier start is cleared", "path", opts.Path)
	}
	if _, err := s.Purge(ctx); err != nil {
		s.log.Warn("store: purge at open failed", "err", err)
	}
	return s, nil
}

func (o *Options) fill() error {
	if o.Path == "" || o.KeyFile == "" {
		return fmt.Errorf("store: Open: Path and KeyFile are required")
	}
	if o.MaxRecords <= 0 {
		o.MaxRecords = DefaultMaxRecords
	}
	if o.MarkerFile == "" {
		o.MarkerFile = o.Path + ".epoch"
	}
	switch {
	case o.MinFreeBytes == 0:
		o.MinFreeBytes = DefaultMinFreeBytes
	case o.MinFreeBytes < 0:
		o.MinFreeBytes = 0
	}
	if o.Retention <= 0 {
		o.Retention = DefaultRetention
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	return nil
}

func (s *Store) open(ctx context.Context) error {
	if err := checkDamageNote(s.opts.Path); err != nil {
		return err
	}
	// Create the file 0600 ourselves: SQLite would use 0644, and its -wal
	// and -shm files copy the database file's mode.
	if f, err := os.OpenFile(s.opts.Path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600); err == nil {
		f.Close()
	}
	db, err := sql.Open("sqlite3", dsn(s.opts.Path, false))
	if err != nil {
		return fmt.Errorf("store: open %s: %w", s.opts.Path, err)
	}
	s.db = db
	db.SetMaxOpenConns(4)
	if s.fresh, err = migrate(ctx, db); err != nil {
		return mapErr("migrate", err)
	}
	if err := db.QueryRowContext(ctx, `SELECT value FROM meta WHERE key = 'epoch'`).Scan(&s.epoch); err != nil {
		return mapErr("epoch", err)
	}
	if err := s.bindKey(ctx); err != nil {
		return err
	}
	if s.wconn, err = db.Conn(ctx); err != nil {
		return mapErr("writer connection", err)
	}
	if err := s.wconn.QueryRowContext(ctx, `PRAGMA page_size`).Scan(&s.pageSize); err != nil {
		return mapErr("page size", err)
	}
	s.readFreePages(ctx)
	if s.opts.maxPageCount > 0 {
		q := fmt.Sprintf("PRAGMA max_page_count = %d", s.opts.maxPageCount)
		if _, err := s.wconn.ExecContext(ctx, q); err != nil {
			return mapErr("max_page_count", err)
		}
	}
	return s.loadState(ctx)
}

// loadState binds the device id and loads the writer's counters.
func (s *Store) loadState(ctx context.Context) error {
	var ids []string
	rows, err := s.db.QueryContext(ctx, `SELECT device_id FROM devices`)
	if err != nil {
		return mapErr("devices", err)
	}
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return mapErr("devices", err)
		}
		ids = append(ids, id)
	}
	rows.Close()
	switch {
	case len(ids) > 1:
		return fmt.Errorf("%w: %d device ids in %s", ErrDeviceMismatch, len(ids), s.opts.Path)
	case len(ids) == 1 && s.opts.DeviceID == "":
		s.opts.DeviceID = ids[0]
	case len(ids) == 1 && ids[0] != s.opts.DeviceID:
		return fmt.Errorf("%w: database has %q, configured %q", ErrDeviceMismatch, ids[0], s.opts.DeviceID)
	case len(ids) == 0 && s.opts.DeviceID == "":
		return fmt.Errorf("store: Open: DeviceID required for a new database")
	}
	if len(s.opts.DeviceID) > maxDeviceID {
		return fmt.Errorf("%w: device id longer than %d bytes", ErrInvalid, maxDeviceID)
	}
	c, err := s.readCounters(ctx)
	if err != nil {
		return err
	}
	s.stat = c
	return nil
}

func (s *Store) readCounters(ctx context.Context) (counters, error) {
	var c counters
	id := s.opts.DeviceID
	err := s.db.QueryRowContext(ctx, `SELECT
		(SELECT COALESCE(MAX(last_seq), 0) FROM devices WHERE device_id = ?),
		(SELECT COUNT(*) FROM records WHERE device_id = ?),
		(SELECT COUNT(*) FROM records WHERE device_id = ? AND acked_ns IS NULL)`,
		id, id, id).Scan(&c.lastSeq, &c.total, &c.unacked)
	if err != nil {
		return c, mapErr("counters", err)
	}
	return c, nil
}

// DeviceID returns the device id the store is bound to.
func (s *Store) DeviceID() string { return s.opts.DeviceID }

// Epoch returns the store epoch: 32 hex digits, random, created with the
// database. Protocol v1 keys every record on (device_id, epoch, seq).
func (s *Store) Epoch() string { return s.epoch }

// Path returns the database file path (the uploader locks beside it).
func (s *Store) Path() string { return s.opts.Path }

// Close waits for queued writes, stops the writer and closes the database.
func (s *Store) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	close(s.reqs)
	s.mu.Unlock()
	<-s.done
	s.writeMarker(context.Background())
	return s.closeResources()
}

func (s *Store) closeResources() error {
	var errs []error
	if s.wconn != nil {
		errs = append(errs, s.wconn.Close())
	}
	if s.db != nil {
		errs = append(errs, s.db.Close())
	}
	if s.lock != nil {
		errs = append(errs, s.lock.Close())
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("store: close: %w", err)
	}
	return nil
}

// dsn builds the go-sqlite3 DSN (design §9: _txlock=immediate avoids
// SQLITE_BUSY on read-then-write transactions in WAL mode).
func dsn(path string, readOnly bool) string {
	q := url.Values{}
	q.Set("_journal_mode", "WAL")
	q.Set("_synchronous", "FULL")
	q.Set("_busy_timeout", "5000")
	q.Set("_txlock", "immediate")
	q.Set("_foreign_keys", "on")
	q.Set("_secure_delete", "on")
	if readOnly {
		q.Set("mode", "ro")
	}
	// SQLite URI filenames: escape what would end the path early.
	esc := strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23").Replace(path)
	return "file:" + esc + "?" + q.Encode()
}

// lockFile takes an exclusive, non-blocking flock: one writing process per
// database. The kernel drops it when the process dies, even on kill -9.
func lockFile(path string) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("store: lock: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, fmt.Errorf("%w: %s", ErrLocked, path)
		}
		return nil, fmt.Errorf("store: lock %s: %w", path, err)
	}
	return f, nil
}

// mapErr prefixes err and classifies it: a full disk (SQLITE_FULL, ENOSPC,
// EDQUOT) is ErrFull, a damaged file (SQLITE_CORRUPT, SQLITE_NOTADB)
// ErrCorrupt, an I/O or permission failure ErrUnavailable.
func mapErr(what string, err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, ErrFull) || errors.Is(err, ErrUnavailable) || errors.Is(err, ErrSchema) {
		return fmt.Errorf("store: %s: %w", what, err)
	}
	if isDiskFull(err) {
		return fmt.Errorf("%w: %s: disk full: %v", ErrFull, what, err)
	}
	var se sqlite3.Error
	if errors.As(err, &se) {
		switch se.Code {
		case sqlite3.ErrCorrupt, sqlite3.ErrNotADB:
			return fmt.Errorf("%w: %s: %v", ErrCorrupt, what, err)
		case sqlite3.ErrIoErr, sqlite3.ErrReadonly, sqlite3.ErrCantOpen, sqlite3.ErrPerm, sqlite3.ErrNoLFS:
			return fmt.Errorf("%w: %s: %v", ErrUnavailable, what, err)
		}
	}
	return fmt.Errorf("store: %s: %w", what, err)
}

// writeErr is mapErr for a failed write transaction: whatever the cause,
// the caller learns that the store refuses work (ErrFull or ErrUnavailable).
func writeErr(what string, err error) error {
	err = mapErr(what, err)
	if errors.Is(err, ErrFull) || errors.Is(err, ErrUnavailable) {
		return err
	}
	return fmt.Errorf("%w: %w", ErrUnavailable, err)
}

func isDiskFull(err error) bool {
	var se sqlite3.Error
	if errors.As(err, &se) {
		if se.Code == sqlite3.ErrFull || se.SystemErrno == syscall.ENOSPC || se.SystemErrno == syscall.EDQUOT {
			return true
		}
	}
	return errors.Is(err, syscall.ENOSPC) || errors.Is(err, syscall.EDQUOT)
}

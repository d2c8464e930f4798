package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

const recordCols = `seq, kind, created_ns, boot_id, mono_ns, payload, sealed, acked_ns, quarantined_ns, origin_epoch, origin_seq`

// maxLimit bounds one read.
const maxLimit = 10_000

func clampLimit(limit int) int {
	if limit <= 0 || limit > maxLimit {
		return maxLimit
	}
	return limit
}

// Records returns up to limit records of kind with seq > since, ascending,
// with personal fields unsealed: what a queue engine or payment session
// reads to rebuild its state after a restart. An empty kind matches all.
func (s *Store) Records(ctx context.Context, kind string, since Seq, limit int) ([]Record, error) {
	q := `SELECT ` + recordCols + ` FROM records WHERE device_id = ? AND seq > ?`
	args := []any{s.opts.DeviceID, int64(since)}
	if kind != "" {
		q += ` AND kind = ?`
		args = append(args, kind)
	}
	q += ` ORDER BY seq LIMIT ?`
	args = append(args, clampLimit(limit))
	return s.query(ctx, "records", q, args...)
}

// Pending returns up to limit records awaiting upload (not acknowledged, not
// quarantined), in ascending seq, with personal fields unsealed.
func (s *Store) Pending(ctx context.Context, limit int) ([]Record, error) {
	// INDEXED BY: without statistics SQLite would walk the primary key
	// through every acknowledged row (quadratic over a long drain).
	return s.query(ctx, "pending", `SELECT `+recordCols+` FROM records INDEXED BY records_pending
		WHERE device_id = ? AND acked_ns IS NULL AND quarantined_ns IS NULL
		ORDER BY seq LIMIT ?`, s.opts.DeviceID, clampLimit(limit))
}

func (s *Store) query(ctx context.Context, what, q string, args ...any) ([]Record, error) {
	rows, err := s.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, s.noteErr(mapErr(what, err))
	}
	defer rows.Close()
	var out []Record
	for rows.Next() {
		r, err := s.scanRecord(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, s.noteErr(mapErr(what, err))
	}
	return out, nil
}

func (s *Store) scanRecord(rows *sql.Rows) (Record, error) {
	var (
		r                  = Record{DeviceID: s.opts.DeviceID, Epoch: s.epoch}
		seq, created, mono int64
		payload, sealed    []byte
		acked, quar, oSeq  sql.NullInt64
		oEpoch             sql.NullString
	)
	if err := rows.Scan(&seq, &r.Kind, &created, &r.BootID, &mono, &payload, &sealed, &acked, &quar, &oEpoch, &oSeq); err != nil {
		return r, s.noteErr(mapErr("scan", err))
	}
	if oEpoch.Valid && oSeq.Valid {
		r.Origin = &Origin{Epoch: oEpoch.String, Seq: Seq(oSeq.Int64)}
	}
	r.Seq, r.Mono, r.Payload = Seq(seq), time.Duration(mono), payload
	r.CreatedAt = time.Unix(0, created).UTC()
	if acked.Valid {
		r.AckedAt = time.Unix(0, acked.Int64).UTC()
	}
	r.Quarantined = quar.Valid
	p, err := s.sealer.open(s.opts.DeviceID, r.Seq, sealed)
	if err != nil {
		return r, &UnreadableError{Seq: r.Seq, Err: err}
	}
	r.Personal = p
	return r, nil
}

// Get returns the value stored under key, or ErrNotFound.
func (s *Store) Get(ctx context.Context, key string) ([]byte, error) {
	var v []byte
	err := s.db.QueryRowContext(ctx, `SELECT value FROM kv WHERE key = ?`, key).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("%w: key %q", ErrNotFound, key)
	}
	if err != nil {
		return nil, s.noteErr(mapErr("get", err))
	}
	return v, nil
}

// UnreadableError is a read that met a record whose sealed fields the key
// cannot open. It wraps the ErrKey error.
type UnreadableError struct {
	Seq Seq
	Err error
}

func (e *UnreadableError) Error() string { return e.Err.Error() }
func (e *UnreadableError) Unwrap() error { return e.Err }

// Outbox summarises the upload backlog (kioskd diag outbox, selftest, metrics).
type Outbox struct {
	DeviceID         string        `json:"device_id"`
	Epoch            string        `json:"store_epoch"`
	Pending          int64         `json:"pending"`
	OldestPendingAge time.Duration `json:"-"`
	OldestPendingS   float64       `json:"oldest_pending_age_s"`
	LastSeq          Seq           `json:"last_seq"`
	LastAckedSeq     Seq           `json:"last_acked_seq"`
	Quarantined      int64         `json:"quarantined"`
	// QuarantineRun is the quarantine budget used: records quarantined
	// since the last acknowledgement (the uploader stops at 10).
	QuarantineRun int64 `json:"quarantine_run"`
}

// Outbox reads the upload backlog.
func (s *Store) Outbox(ctx context.Context) (Outbox, error) {
	o, err := readOutbox(ctx, s.db, s.opts.DeviceID)
	return o, s.noteErr(err)
}

// ReadOutbox opens the database at path read-only (no lock, no key, safe
// while kioskd runs) and summarises its backlog.
func ReadOutbox(ctx context.Context, path string) (Outbox, error) {
	db, err := sql.Open("sqlite3", dsn(path, true))
	if err != nil {
		return Outbox{}, fmt.Errorf("store: open %s: %w", path, err)
	}
	defer db.Close()
	var id string
	err = db.QueryRowContext(ctx, `SELECT device_id FROM devices LIMIT 1`).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return Outbox{}, nil
	}
	if err != nil {
		return Outbox{}, mapErr("outbox", err)
	}
	return readOutbox(ctx, db, id)
}

func readOutbox(ctx context.Context, db *sql.DB, id string) (Outbox, error) {
	o := Outbox{DeviceID: id}
	var oldest sql.NullInt64
	err := db.QueryRowContext(ctx, `SELECT
		(SELECT COUNT(*) FROM records INDEXED BY records_pending
			WHERE device_id = ?1 AND acked_ns IS NULL AND quarantined_ns IS NULL),
		(SELECT MIN(created_ns) FROM records INDEXED BY records_pending
			WHERE device_id = ?1 AND acked_ns IS NULL AND quarantined_ns IS NULL),
		(SELECT COUNT(*) FROM records WHERE device_id = ?1 AND quarantined_ns IS NOT NULL),
		COALESCE((SELECT last_seq FROM devices WHERE device_id = ?1), 0),
		COALESCE((SELECT acked_through FROM devices WHERE device_id = ?1), 0)`, id).
		Scan(&o.Pending, &oldest, &o.Quarantined, &o.LastSeq, &o.LastAckedSeq)
	if err != nil {
		return o, mapErr("outbox", err)
	}
	if oldest.Valid {
		o.OldestPendingAge = max(0, time.Since(time.Unix(0, oldest.Int64)))
		o.OldestPendingS = o.OldestPendingAge.Seconds()
	}
	var version int
	if err := db.QueryRowContext(ctx, `PRAGMA user_version`).Scan(&version); err != nil {
		return o, mapErr("outbox", err)
	}
	if version < 4 { // written by an older build: no epoch yet
		return o, nil
	}
	err = db.QueryRowContext(ctx, `SELECT (SELECT value FROM meta WHERE key = 'epoch'),
		COALESCE((SELECT quarantine_run FROM devices WHERE device_id = ?), 0)`, id).Scan(&o.Epoch, &o.QuarantineRun)
	return o, mapErr("outbox", err)
}

// Capacity is the store's fill level: records against MaxRecords, and the
// free space of the file system that holds the database.
type Capacity struct {
	Unuploaded   int64   // pending + quarantined rows (never evicted)
	Held         int64   // all rows on disk
	Max          int64   // MaxRecords
	FreeBytes    int64   // available on the data file system (-1: unknown)
	TotalBytes   int64   // size of the data file system (-1: unknown)
	MinFreeBytes int64   // free space kept for acknowledgements and purges
	Fraction     float64 // the larger of Unuploaded/Max and the file system's use above the reserve; 1 = full
	Warning      bool    // Fraction ≥ 90%: selftest line and metric
	Full         bool    // Append refuses with ErrFull
}

// Capacity reports the fill level (cheap: a statfs, no database access).
func (s *Store) Capacity() Capacity {
	s.statMu.Lock()
	c := s.stat
	s.statMu.Unlock()
	m := int64(s.opts.MaxRecords)
	free, total := s.diskSpace()
	cp := Capacity{Unuploaded: c.unacked, Held: c.total, Max: m, FreeBytes: free, TotalBytes: total,
		MinFreeBytes: s.opts.MinFreeBytes, Fraction: float64(c.unacked) / float64(m)}
	if free >= 0 && total > s.opts.MinFreeBytes {
		usable := float64(total - s.opts.MinFreeBytes)
		disk := 1 - max(0, float64(free-s.opts.MinFreeBytes))/usable
		cp.Fraction = max(cp.Fraction, min(1, disk))
	}
	cp.Full = c.unacked >= m || (free >= 0 && free < s.opts.MinFreeBytes)
	if cp.Full {
		cp.Fraction = 1
	}
	cp.Warning = cp.Fraction >= WarnFraction
	return cp
}

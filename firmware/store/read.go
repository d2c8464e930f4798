package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

const recordCols = `seq, kind, created_ns, boot_id, mono_ns, payload, sealed, acked_ns, quarantined_ns`

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
		return nil, mapErr(what, err)
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
		return nil, mapErr(what, err)
	}
	return out, nil
}

func (s *Store) scanRecord(rows *sql.Rows) (Record, error) {
	var (
		r                  = Record{DeviceID: s.opts.DeviceID}
		seq, created, mono int64
		payload, sealed    []byte
		acked, quar        sql.NullInt64
	)
	if err := rows.Scan(&seq, &r.Kind, &created, &r.BootID, &mono, &payload, &sealed, &acked, &quar); err != nil {
		return r, mapErr("scan", err)
	}
	r.Seq, r.Mono, r.Payload = Seq(seq), time.Duration(mono), payload
	r.CreatedAt = time.Unix(0, created).UTC()
	if acked.Valid {
		r.AckedAt = time.Unix(0, acked.Int64).UTC()
	}
	r.Quarantined = quar.Valid
	p, err := s.sealer.open(s.opts.DeviceID, r.Seq, sealed)
	if err != nil {
		return r, err
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
		return nil, mapErr("get", err)
	}
	return v, nil
}

// Outbox summarises the upload backlog (kioskd diag outbox, selftest, metrics).
type Outbox struct {
	DeviceID         string        `json:"device_id"`
	Pending          int64         `json:"pending"`
	OldestPendingAge time.Duration `json:"-"`
	OldestPendingS   float64       `json:"oldest_pending_age_s"`
	LastSeq          Seq           `json:"last_seq"`
	LastAckedSeq     Seq           `json:"last_acked_seq"`
	Quarantined      int64         `json:"quarantined"`
}

// Outbox reads the upload backlog.
func (s *Store) Outbox(ctx context.Context) (Outbox, error) {
	return readOutbox(ctx, s.db, s.opts.DeviceID)
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
	return o, nil
}

// Capacity is the store's fill level against MaxRecords.
type Capacity struct {
	Unuploaded int64   // pending + quarantined rows (never evicted)
	Held       int64   // all rows on disk
	Max        int64   // MaxRecords
	Fraction   float64 // Unuploaded / Max
	Warning    bool    // Fraction ≥ 90%: selftest line and metric
	Full       bool    // Append refuses with ErrFull
}

// Capacity reports the fill level (cheap: no database access).
func (s *Store) Capacity() Capacity {
	s.statMu.Lock()
	c := s.stat
	s.statMu.Unlock()
	m := int64(s.opts.MaxRecords)
	f := float64(c.unacked) / float64(m)
	return Capacity{Unuploaded: c.unacked, Held: c.total, Max: m, Fraction: f,
		Warning: f >= WarnFraction, Full: c.unacked >= m}
}

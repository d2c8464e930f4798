package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"time"
)

// KindSalvage is the record a salvage appends to the new database: the
// backend learns which epoch ended, what was re-homed and what was lost.
const KindSalvage = "store.salvage"

// SalvagePayload is the uploaded payload of a store.salvage record
// (registered in firmware/records with a mirror type, like
// EpochResetPayload).
type SalvagePayload struct {
	V                int        `json:"v"` // payload version (1)
	PreviousEpoch    string     `json:"previous_epoch"`
	Rehomed          int        `json:"rehomed"`
	SealedUnreadable int        `json:"sealed_unreadable"`
	UnreadableSeqs   []SeqRange `json:"unreadable_seqs"`
	MissingSeqs      []SeqRange `json:"missing_seqs"`
	Reason           string     `json:"reason"`
}

// SalvageReport says what Salvage did.
type SalvageReport struct {
	DeviceID      string `json:"device_id"`
	PreviousEpoch string `json:"previous_epoch"` // empty for a database older than epochs
	Epoch         string `json:"store_epoch"`    // the new database's
	// AsidePath is where the old database files were moved (kept for
	// forensics; delete them once the new store has uploaded).
	AsidePath string `json:"aside_path"`
	// Rehomed records were copied into the new epoch with their origin;
	// Pending of them still await upload, Acked were already uploaded
	// (kept for local rebuilds, e.g. today's queue).
	Rehomed int `json:"rehomed"`
	Pending int `json:"pending"`
	Acked   int `json:"acked"`
	// SealedLost are re-homed records whose sealed fields the key could not
	// open: quarantined, blobs in the unreadable table.
	SealedLost int `json:"sealed_unreadable"`
	// Unreadable are seqs SQLite could not read at all; Missing are seqs
	// above the acknowledged ones that are simply not there. Both are lost.
	Unreadable []SeqRange `json:"unreadable_seqs"`
	Missing    []SeqRange `json:"missing_seqs"`
	Values     int        `json:"kv_values"` // key/value entries carried over
	Reason     string     `json:"reason"`
}

// SeqRange is an inclusive range of seqs.
type SeqRange struct {
	From Seq `json:"from"`
	To   Seq `json:"to"`
}

// Lost is the number of records of the previous epoch that could not be
// re-homed.
func (r SalvageReport) Lost() int {
	n := 0
	for _, rs := range [][]SeqRange{r.Unreadable, r.Missing} {
		for _, x := range rs {
			n += int(x.To - x.From + 1)
		}
	}
	return n
}

// Salvage is the way out of ErrCorrupt and ErrRolledBack (kioskd diag
// store salvage): with no process using the database, it moves the
// database files aside (<db>.salvaged-<UTC time>), reads every record
// SQLite can still read from a scratch copy, and writes them into a new
// database at opts.Path — a new store epoch — in their old order. Each
// keeps its first identity as its Origin, so the backend dedupes what it
// already had; acknowledged ones stay acknowledged. Readable key/value
// entries are carried over. A KindSalvage record tells the backend what
// was re-homed and what is lost. reason is written into that record.
func Salvage(ctx context.Context, opts Options, reason string) (SalvageReport, error) {
	var rep SalvageReport
	if err := opts.fill(); err != nil {
		return rep, err
	}
	rep.Reason = reason
	lock, err := lockFile(opts.Path + ".lock")
	if err != nil {
		return rep, err
	}
	handed := false
	defer func() {
		if !handed {
			lock.Close()
		}
	}()
	if _, err := os.Stat(opts.Path); err != nil {
		return rep, fmt.Errorf("store: salvage: %w", err)
	}
	aside := fmt.Sprintf("%s.salvaged-%s", opts.Path, time.Now().UTC().Format("20060102T150405Z"))
	if err := moveDatabase(opts.Path, aside); err != nil {
		return rep, fmt.Errorf("store: salvage: move aside: %w", err)
	}
	rep.AsidePath = aside
	scratch, err := os.MkdirTemp(filepath.Dir(opts.Path), ".salvage-")
	if err != nil {
		return rep, fmt.Errorf("store: salvage: %w", err)
	}
	defer os.RemoveAll(scratch)
	copyPath := filepath.Join(scratch, "old.db")
	if err := copyDatabase(aside, copyPath); err != nil {
		return rep, fmt.Errorf("store: salvage: copy: %w", err)
	}
	old, err := readOld(ctx, copyPath, opts.DeviceID, &rep)
	if err != nil {
		// Nothing read, nothing changed: the files go back where they were.
		if rerr := moveDatabase(aside, opts.Path); rerr != nil {
			return rep, fmt.Errorf("%w (and moving %s back failed: %v)", err, aside, rerr)
		}
		rep.AsidePath = ""
		return rep, err
	}
	if opts.DeviceID == "" {
		opts.DeviceID = rep.DeviceID
	}
	opts.heldLock, opts.salvaging = lock, true
	handed = true
	s, err := Open(ctx, opts)
	if err != nil {
		return rep, fmt.Errorf("store: salvage: new database: %w", err)
	}
	defer s.Close()
	rep.Epoch = s.Epoch()
	if err := s.rehome(ctx, old, &rep); err != nil {
		return rep, err
	}
	payload, _ := json.Marshal(SalvagePayload{V: 1, PreviousEpoch: rep.PreviousEpoch, Rehomed: rep.Rehomed,
		SealedUnreadable: rep.SealedLost, UnreadableSeqs: rep.Unreadable, MissingSeqs: rep.Missing, Reason: reason})
	if _, err := s.Append(ctx, Record{Kind: KindSalvage, Payload: payload}); err != nil {
		return rep, fmt.Errorf("store: salvage: report record: %w", err)
	}
	s.log.Warn("store: salvaged into a new epoch", "previous_epoch", rep.PreviousEpoch, "epoch", rep.Epoch,
		"rehomed", rep.Rehomed, "lost", rep.Lost(), "aside", aside)
	return rep, nil
}

// oldRecord is a record read from the old database.
type oldRecord struct {
	seq         Seq
	kind        string
	created     int64
	bootID      string
	mono        int64
	payload     []byte
	sealed      []byte
	acked       sql.NullInt64
	quarantined sql.NullInt64
	reason      sql.NullString
	origin      *Origin
}

// oldDB is what could be read of the old database.
type oldDB struct {
	recs   []oldRecord
	values []oldValue
}

type oldValue struct {
	key    string
	value  []byte
	sealed bool
}

// readOld reads what it can of the old database at path: record by record,
// so one damaged page loses only the records on it.
func readOld(ctx context.Context, path, device string, rep *SalvageReport) (*oldDB, error) {
	db, err := sql.Open("sqlite3", dsn(path, false))
	if err != nil {
		return nil, fmt.Errorf("store: salvage: open old: %w", err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	var version int
	if err := db.QueryRowContext(ctx, `PRAGMA user_version`).Scan(&version); err != nil {
		return nil, fmt.Errorf("store: salvage: %s cannot be read at all: %w", path, mapErr("header", err))
	}
	if version < 1 {
		return nil, fmt.Errorf("store: salvage: %s holds no records (schema version %d)", path, version)
	}
	if device == "" {
		if err := db.QueryRowContext(ctx, `SELECT device_id FROM devices LIMIT 1`).Scan(&device); err != nil {
			if err := db.QueryRowContext(ctx, `SELECT device_id FROM records LIMIT 1`).Scan(&device); err != nil {
				return nil, fmt.Errorf("store: salvage: device id unreadable; give it (--device-id): %w", err)
			}
		}
	}
	rep.DeviceID = device
	if version >= 4 {
		_ = db.QueryRowContext(ctx, `SELECT value FROM meta WHERE key = 'epoch'`).Scan(&rep.PreviousEpoch)
	}
	var last, ackedThrough int64
	if err := db.QueryRowContext(ctx, `SELECT last_seq, acked_through FROM devices WHERE device_id = ?`, device).Scan(&last, &ackedThrough); err != nil {
		ackedThrough = 0
	}
	var maxSeq int64
	if err := db.QueryRowContext(ctx, `SELECT COALESCE(MAX(seq), 0) FROM records WHERE device_id = ?`, device).Scan(&maxSeq); err == nil {
		last = max(last, maxSeq)
	}
	if last == 0 {
		last = probeLastSeq(ctx, db, device)
	}
	cols := `kind, created_ns, boot_id, mono_ns, payload, sealed`
	if version >= 2 {
		cols += `, acked_ns, quarantined_ns, quarantine_reason`
	}
	if version >= 4 {
		cols += `, origin_epoch, origin_seq`
	}
	stmt, err := db.PrepareContext(ctx, `SELECT `+cols+` FROM records WHERE device_id = ? AND seq = ?`)
	if err != nil {
		return nil, fmt.Errorf("store: salvage: %w", mapErr("prepare", err))
	}
	defer stmt.Close()
	out := &oldDB{}
	for seq := int64(1); seq <= last; seq++ {
		r := oldRecord{seq: Seq(seq)}
		dst := []any{&r.kind, &r.created, &r.bootID, &r.mono, &r.payload, &r.sealed}
		var oEpoch sql.NullString
		var oSeq sql.NullInt64
		if version >= 2 {
			dst = append(dst, &r.acked, &r.quarantined, &r.reason)
		}
		if version >= 4 {
			dst = append(dst, &oEpoch, &oSeq)
		}
		err := stmt.QueryRowContext(ctx, device, seq).Scan(dst...)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			if seq > ackedThrough {
				rep.Missing = addSeq(rep.Missing, Seq(seq))
			}
			continue
		case err != nil || !json.Valid(r.payload):
			rep.Unreadable = addSeq(rep.Unreadable, Seq(seq))
			continue
		}
		if oEpoch.Valid && oSeq.Valid {
			r.origin = &Origin{Epoch: oEpoch.String, Seq: Seq(oSeq.Int64)}
		}
		out.recs = append(out.recs, r)
	}
	if version >= 3 {
		out.values = readOldValues(ctx, db, version)
	}
	return out, nil
}

// probeLastSeq finds the last seq when neither the devices row nor an
// index can be read: upwards until 1000 seqs in a row give no row.
func probeLastSeq(ctx context.Context, db *sql.DB, device string) int64 {
	var last int64
	for seq, misses := int64(1), 0; misses < 1000; seq++ {
		var one int
		if err := db.QueryRowContext(ctx, `SELECT 1 FROM records WHERE device_id = ? AND seq = ?`, device, seq).Scan(&one); err != nil {
			misses++
			continue
		}
		last, misses = seq, 0
	}
	return last
}

// readOldValues reads the key/value entries that can be read.
func readOldValues(ctx context.Context, db *sql.DB, version int) []oldValue {
	q := `SELECT key, value, 0 FROM kv`
	if version >= 4 {
		q = `SELECT key, value, sealed FROM kv`
	}
	rows, err := db.QueryContext(ctx, q)
	if err != nil {
		return nil
	}
	defer rows.Close()
	var out []oldValue
	for rows.Next() {
		var v oldValue
		if err := rows.Scan(&v.key, &v.value, &v.sealed); err != nil {
			break
		}
		if v.key == probeKey {
			continue
		}
		out = append(out, v)
	}
	return out
}

// rehome writes the old records into this (new) store, in order, in
// transactions of 1000.
func (s *Store) rehome(ctx context.Context, old *oldDB, rep *SalvageReport) error {
	const chunk = 1000
	now := time.Now().UnixNano()
	for i := 0; i < len(old.recs); i += chunk {
		part := old.recs[i:min(i+chunk, len(old.recs))]
		err := s.write(ctx, func(w *wtx, c *counters) error {
			for _, o := range part {
				if err := s.rehomeOne(w, c, o, rep, now); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("store: salvage: write: %w", err)
		}
	}
	return s.write(ctx, func(w *wtx, c *counters) error {
		rep.Values = 0
		for _, v := range old.values {
			if v.sealed {
				if _, err := s.sealer.openKV(s.opts.DeviceID, v.key, v.value); err != nil {
					if _, err := w.tx.ExecContext(w.ctx, `INSERT OR REPLACE INTO unreadable (source, ref, sealed, moved_ns)
						VALUES ('kv', ?, ?, ?)`, v.key, v.value, now); err != nil {
						return err
					}
					continue
				}
			}
			if _, err := w.tx.ExecContext(w.ctx, `INSERT OR REPLACE INTO kv (key, value, updated_ns, sealed) VALUES (?, ?, ?, ?)`,
				v.key, v.value, now, v.sealed); err != nil {
				return err
			}
			rep.Values++
		}
		return nil
	})
}

// rehomeOne appends one old record with its first identity as origin.
func (s *Store) rehomeOne(w *wtx, c *counters, o oldRecord, rep *SalvageReport, now int64) error {
	r := Record{Kind: o.kind, CreatedAt: time.Unix(0, o.created).UTC(), BootID: o.bootID, Mono: time.Duration(o.mono),
		Payload: o.payload, Origin: o.origin}
	if r.Origin == nil && len(rep.PreviousEpoch) == 32 {
		r.Origin = &Origin{Epoch: rep.PreviousEpoch, Seq: o.seq}
	}
	lost := false
	if o.sealed != nil {
		p, err := s.sealer.open(rep.DeviceID, o.seq, o.sealed)
		if err != nil {
			lost = true
		} else {
			r.Personal = p
		}
	}
	payload, err := r.validate()
	if err != nil {
		rep.Unreadable = addSeq(rep.Unreadable, o.seq)
		return nil
	}
	a := &appendOp{s: s, rec: r, payload: payload}
	if err := a.apply(w, c); err != nil {
		return err
	}
	rep.Rehomed++
	id := s.opts.DeviceID
	switch {
	case o.acked.Valid:
		if _, err := w.tx.ExecContext(w.ctx, `UPDATE records SET acked_ns = ? WHERE device_id = ? AND seq = ?`,
			o.acked.Int64, id, int64(a.seq)); err != nil {
			return err
		}
		c.unacked--
		rep.Acked++
	case o.quarantined.Valid:
		if _, err := w.tx.ExecContext(w.ctx, `UPDATE records SET quarantined_ns = ?, quarantine_reason = ?
			WHERE device_id = ? AND seq = ?`, o.quarantined.Int64, o.reason.String, id, int64(a.seq)); err != nil {
			return err
		}
	default:
		rep.Pending++
	}
	if lost {
		rep.SealedLost++
		if _, err := w.tx.ExecContext(w.ctx, `INSERT OR REPLACE INTO unreadable (source, ref, sealed, moved_ns)
			VALUES ('record', ?, ?, ?)`, strconv.FormatInt(int64(a.seq), 10), o.sealed, now); err != nil {
			return err
		}
		if !o.acked.Valid {
			_, err := w.tx.ExecContext(w.ctx, `UPDATE records SET quarantined_ns = COALESCE(quarantined_ns, ?),
				quarantine_reason = COALESCE(quarantine_reason, 'sealed fields unreadable: sealing key lost or replaced')
				WHERE device_id = ? AND seq = ?`, now, id, int64(a.seq))
			if err != nil {
				return err
			}
			if !o.quarantined.Valid {
				rep.Pending--
			}
		}
	}
	return nil
}

// addSeq appends seq to ranges (seqs arrive ascending).
func addSeq(rs []SeqRange, seq Seq) []SeqRange {
	if n := len(rs); n > 0 && rs[n-1].To == seq-1 {
		rs[n-1].To = seq
		return rs
	}
	return append(rs, SeqRange{seq, seq})
}

// moveDatabase renames the database and its -wal, -shm and damage note.
func moveDatabase(from, to string) error {
	if err := os.Rename(from, to); err != nil {
		return err
	}
	for _, suffix := range []string{"-wal", "-shm", ".damaged", ".refused"} {
		if err := os.Rename(from+suffix, to+suffix); err != nil && !errors.Is(err, os.ErrNotExist) {
			return err
		}
	}
	return nil
}

// copyDatabase copies the database and its -wal file (not -shm: SQLite
// rebuilds it) so reading never changes the files kept aside.
func copyDatabase(from, to string) error {
	for _, suffix := range []string{"", "-wal"} {
		in, err := os.Open(from + suffix)
		if errors.Is(err, os.ErrNotExist) && suffix != "" {
			continue
		}
		if err != nil {
			return err
		}
		out, err := os.OpenFile(to+suffix, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if err != nil {
			in.Close()
			return err
		}
		_, err = io.Copy(out, in)
		in.Close()
		if cerr := out.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return err
		}
	}
	return nil
}

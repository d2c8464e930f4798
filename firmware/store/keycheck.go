package store

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"time"
)

// keyCheckLabel is what the key check value authenticates: it names a key
// without revealing anything about it (HMAC-SHA256, truncated to 128 bits).
const keyCheckLabel = "kiosk06/store/key-check/v1"

// keyCheck returns the check value of key, stored in meta 'key_check'.
func keyCheck(key []byte) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(keyCheckLabel))
	return hex.EncodeToString(m.Sum(nil)[:16])
}

// bindKey loads the sealing key and checks it against the database:
//
//   - the key check stored with the database matches: go on;
//   - the key file is missing, or is another key, and the database holds
//     sealed fields: refuse (ErrKeyLost, ErrKeyMismatch) — a new key would
//     leave every sealed record unreadable and the uplink wedged on the
//     first one;
//   - nothing sealed yet: create the key if missing, (re)bind it, go on.
//
// A database from before the key check (schema ≤ 3) is bound to the key
// that opens its newest and oldest sealed record.
func (s *Store) bindKey(ctx context.Context) error {
	key, err := readKey(s.opts.KeyFile)
	missing := errors.Is(err, fs.ErrNotExist) || errors.Is(err, errKeyEmpty)
	if err != nil && !missing {
		return err
	}
	var stored string
	err = s.db.QueryRowContext(ctx, `SELECT value FROM meta WHERE key = 'key_check'`).Scan(&stored)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return mapErr("key check", err)
	}
	if !missing && stored == keyCheck(key) {
		s.sealer, err = newSealer(key)
		return err
	}
	sealed, err := s.hasSealed(ctx)
	if err != nil {
		return err
	}
	switch {
	case missing && sealed > 0 && !s.opts.KeyRecovery:
		return fmt.Errorf("%w: %s is missing; %d sealed records and values in %s", ErrKeyLost, s.opts.KeyFile, sealed, s.opts.Path)
	case !missing && sealed > 0 && stored != "" && !s.opts.KeyRecovery:
		return fmt.Errorf("%w: %s is not the key that sealed %s (%d sealed records and values)", ErrKeyMismatch, s.opts.KeyFile, s.opts.Path, sealed)
	}
	if missing && s.opts.KeyProvisioned {
		return fmt.Errorf("%w: %s is missing or empty and is provisioned outside kioskd "+
			"(systemd credential %s): install it (OPERATIONS.md, Security model)", ErrKey, s.opts.KeyFile, filepath.Base(s.opts.KeyFile))
	}
	if missing {
		if key, err = createKey(s.opts.KeyFile); err != nil {
			return err
		}
	}
	if s.sealer, err = newSealer(key); err != nil {
		return err
	}
	if !missing && sealed > 0 && stored == "" && !s.opts.KeyRecovery {
		// A database sealed before the key check existed: the key must
		// open what it sealed before it is bound.
		if err := s.probeSealed(ctx); err != nil {
			return err
		}
	}
	if stored != "" && sealed == 0 {
		s.log.Warn("store: sealing key replaced; nothing was sealed with the old one", "key_file", s.opts.KeyFile)
	}
	_, err = s.db.ExecContext(ctx, `INSERT INTO meta (key, value) VALUES ('key_check', ?)
		ON CONFLICT (key) DO UPDATE SET value = excluded.value`, keyCheck(key))
	return mapErr("bind key", err)
}

// sealedCount is how many records and values hold sealed fields (0 or more;
// only compared with 0 and printed).
type sealedCount int64

// hasSealed counts the records and KV values that hold sealed fields.
func (s *Store) hasSealed(ctx context.Context) (sealedCount, error) {
	var n int64
	err := s.db.QueryRowContext(ctx, `SELECT
		(SELECT COUNT(*) FROM records WHERE sealed IS NOT NULL) +
		(SELECT COUNT(*) FROM kv WHERE sealed = 1)`).Scan(&n)
	if err != nil {
		return 0, mapErr("count sealed", err)
	}
	return sealedCount(n), nil
}

// probeSealed opens the oldest and the newest sealed record with the key.
func (s *Store) probeSealed(ctx context.Context) error {
	for _, order := range []string{"ASC", "DESC"} {
		var (
			seq    int64
			device string
			blob   []byte
		)
		err := s.db.QueryRowContext(ctx, `SELECT device_id, seq, sealed FROM records
			WHERE sealed IS NOT NULL ORDER BY seq `+order+` LIMIT 1`).Scan(&device, &seq, &blob)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		if err != nil {
			return mapErr("probe sealed", err)
		}
		if _, err := s.sealer.open(device, Seq(seq), blob); err != nil {
			return fmt.Errorf("%w: %s does not open seq %d of %s", ErrKeyMismatch, s.opts.KeyFile, seq, s.opts.Path)
		}
	}
	return nil
}

// Unreadable is what QuarantineUnreadable moved aside.
type Unreadable struct {
	Records int `json:"records"` // records quarantined, their sealed fields moved to the unreadable table
	Values  int `json:"values"`  // sealed KV values moved to the unreadable table
}

// QuarantineUnreadable is the way out of ErrKeyLost / ErrKeyMismatch
// (kioskd diag store quarantine-unreadable, on a store opened with
// KeyRecovery): every record whose sealed fields the current key cannot
// open is quarantined (kept, never sent, reason "sealed fields unreadable")
// and its sealed blob moved to the unreadable table; every such sealed KV
// value is moved there too. The rest then flows, and the database is bound
// to the current key. The blobs stay, in case the old key turns up.
func (s *Store) QuarantineUnreadable(ctx context.Context) (Unreadable, error) {
	var u Unreadable
	bad, err := s.unreadableRecords(ctx)
	if err != nil {
		return u, err
	}
	badKV, err := s.unreadableValues(ctx)
	if err != nil {
		return u, err
	}
	now := time.Now().UnixNano()
	const reason = "sealed fields unreadable: sealing key lost or replaced"
	err = s.write(ctx, func(w *wtx, c *counters) error {
		for _, seq := range bad {
			if err := w.moveUnreadable(seq, reason, now); err != nil {
				return err
			}
		}
		for _, k := range badKV {
			if _, err := w.tx.ExecContext(w.ctx, `INSERT OR REPLACE INTO unreadable (source, ref, sealed, moved_ns)
				SELECT 'kv', key, value, ? FROM kv WHERE key = ?`, now, k); err != nil {
				return err
			}
			if _, err := w.tx.ExecContext(w.ctx, `DELETE FROM kv WHERE key = ?`, k); err != nil {
				return err
			}
		}
		_, err := w.tx.ExecContext(w.ctx, `INSERT INTO meta (key, value) VALUES ('key_check', ?)
			ON CONFLICT (key) DO UPDATE SET value = excluded.value`, s.sealer.check)
		return err
	})
	if err != nil {
		return u, err
	}
	u.Records, u.Values = len(bad), len(badKV)
	s.log.Warn("store: quarantined what the sealing key cannot open", "records", u.Records, "values", u.Values)
	return u, nil
}

// moveUnreadable quarantines record seq and moves its sealed blob aside.
func (w *wtx) moveUnreadable(seq Seq, reason string, now int64) error {
	id := w.s.opts.DeviceID
	if _, err := w.tx.ExecContext(w.ctx, `INSERT OR REPLACE INTO unreadable (source, ref, sealed, moved_ns)
		SELECT 'record', CAST(seq AS TEXT), sealed, ? FROM records
		WHERE device_id = ? AND seq = ? AND sealed IS NOT NULL`, now, id, int64(seq)); err != nil {
		return err
	}
	_, err := w.tx.ExecContext(w.ctx, `UPDATE records SET sealed = NULL,
		quarantined_ns = CASE WHEN acked_ns IS NULL THEN COALESCE(quarantined_ns, ?) END,
		quarantine_reason = CASE WHEN acked_ns IS NULL THEN ? END
		WHERE device_id = ? AND seq = ?`, now, reason, id, int64(seq))
	return err
}

// unreadableRecords lists the records whose sealed fields the key cannot open.
func (s *Store) unreadableRecords(ctx context.Context) ([]Seq, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT seq, sealed FROM records
		WHERE device_id = ? AND sealed IS NOT NULL ORDER BY seq`, s.opts.DeviceID)
	if err != nil {
		return nil, mapErr("scan sealed", err)
	}
	defer rows.Close()
	var bad []Seq
	for rows.Next() {
		var (
			seq  int64
			blob []byte
		)
		if err := rows.Scan(&seq, &blob); err != nil {
			return nil, mapErr("scan sealed", err)
		}
		if _, err := s.sealer.open(s.opts.DeviceID, Seq(seq), blob); err != nil {
			bad = append(bad, Seq(seq))
		}
	}
	return bad, mapErr("scan sealed", rows.Err())
}

// unreadableValues lists the sealed KV keys the key cannot open.
func (s *Store) unreadableValues(ctx context.Context) ([]string, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT key, value FROM kv WHERE sealed = 1 ORDER BY key`)
	if err != nil {
		return nil, mapErr("scan sealed values", err)
	}
	defer rows.Close()
	var bad []string
	for rows.Next() {
		var (
			k    string
			blob []byte
		)
		if err := rows.Scan(&k, &blob); err != nil {
			return nil, mapErr("scan sealed values", err)
		}
		if _, err := s.sealer.openKV(s.opts.DeviceID, k, blob); err != nil {
			bad = append(bad, k)
		}
	}
	return bad, mapErr("scan sealed values", rows.Err())
}

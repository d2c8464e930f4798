package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"
)

// KindEpochReset is the record a store appends when it finds that it
// started empty (or as another database) where the marker says another
// epoch of this device ran: the backend learns which epoch ended and how far
// the device had got in it.
const KindEpochReset = "store.epoch_reset"

// EpochResetPayload is the uploaded payload of a store.epoch_reset record.
// The store cannot import firmware/records (records imports the store), so
// the type lives here; records registers the kind with a mirror type that
// its tests hold equal to this one.
type EpochResetPayload struct {
	V                    int       `json:"v"` // payload version (1)
	PreviousEpoch        string    `json:"previous_epoch"`
	PreviousLastSeq      Seq       `json:"previous_last_seq"`
	PreviousAckedThrough Seq       `json:"previous_acked_through"`
	MarkerUpdated        time.Time `json:"marker_updated"`
	Database             string    `json:"database"`
}

// EpochReset describes a detected change of store epoch that nobody asked
// for (a deleted, truncated or replaced database). It is kept in the
// database (meta 'epoch_reset') so the alert survives restarts.
type EpochReset struct {
	PreviousEpoch        string    `json:"previous_epoch"`
	PreviousLastSeq      Seq       `json:"previous_last_seq"`      // as of MarkerUpdated (a lower bound)
	PreviousAckedThrough Seq       `json:"previous_acked_through"` // as of MarkerUpdated
	MarkerUpdated        time.Time `json:"marker_updated"`
	Database             string    `json:"database"` // "new" (empty or missing file) or "replaced"
	DetectedAt           time.Time `json:"detected_at"`
}

// marker is the epoch marker file: what this device last ran.
type marker struct {
	DeviceID     string    `json:"device_id"`
	Epoch        string    `json:"epoch"`
	LastSeq      Seq       `json:"last_seq"`
	AckedThrough Seq       `json:"acked_through"`
	Updated      time.Time `json:"updated"`
}

// EpochReset returns the unrequested epoch change this database began
// with, if any (ok false otherwise).
func (s *Store) EpochReset() (EpochReset, bool) {
	return s.reset, s.reset.PreviousEpoch != ""
}

// checkEpoch compares the database with the marker file. A database that
// is older than the marker's (same epoch, lower last seq) is refused
// (ErrRolledBack); a database of another epoch is a reset: logged as an
// error, recorded (meta and a KindEpochReset record) and reported by
// EpochReset — its records still flow, under the new epoch.
func (s *Store) checkEpoch(ctx context.Context) error {
	if err := s.loadReset(ctx); err != nil {
		return err
	}
	m, err := readMarker(s.opts.MarkerFile)
	switch {
	case errors.Is(err, fs.ErrNotExist):
	case err != nil:
		s.log.Warn("store: epoch marker unreadable; rewriting it", "marker", s.opts.MarkerFile, "err", err)
	case m.DeviceID != s.opts.DeviceID:
		s.log.Warn("store: epoch marker names another device; rewriting it", "marker", s.opts.MarkerFile)
	case m.Epoch == s.epoch && s.stat.lastSeq < m.LastSeq:
		return fmt.Errorf("%w: %s ends at seq %d of epoch %s, but this device reached seq %d (marker %s, %s); "+
			"its seqs would be issued twice", ErrRolledBack, s.opts.Path, s.stat.lastSeq, s.epoch, m.LastSeq,
			s.opts.MarkerFile, m.Updated.Format(time.RFC3339))
	case m.Epoch != s.epoch && s.reset.PreviousEpoch != m.Epoch && !s.opts.salvaging:
		s.recordReset(ctx, m)
	}
	s.markerBound = true
	s.writeMarker(ctx)
	return nil
}

// recordReset logs, stores and reports an unrequested new epoch.
func (s *Store) recordReset(ctx context.Context, m marker) {
	r := EpochReset{PreviousEpoch: m.Epoch, PreviousLastSeq: m.LastSeq, PreviousAckedThrough: m.AckedThrough,
		MarkerUpdated: m.Updated, Database: "replaced", DetectedAt: time.Now().UTC()}
	if s.fresh {
		r.Database = "new"
	}
	s.reset = r
	s.log.Error("store: database started a new epoch where another one existed; records of the previous epoch "+
		"that were not uploaded are lost", "previous_epoch", r.PreviousEpoch, "previous_last_seq", r.PreviousLastSeq,
		"previous_acked_through", r.PreviousAckedThrough, "epoch", s.epoch, "database", r.Database, "path", s.opts.Path)
	js, _ := json.Marshal(r)
	payload, _ := json.Marshal(EpochResetPayload{V: 1, PreviousEpoch: r.PreviousEpoch, PreviousLastSeq: r.PreviousLastSeq,
		PreviousAckedThrough: r.PreviousAckedThrough, MarkerUpdated: r.MarkerUpdated, Database: r.Database})
	rec := Record{Kind: KindEpochReset, Payload: payload}
	s.clock.stamp(&rec)
	a := &appendOp{rec: rec, payload: payload}
	// The record and the meta row commit together: a crash cannot report
	// the reset twice or lose it.
	err := s.write(ctx, func(w *wtx, c *counters) error {
		if err := a.apply(w, c); err != nil {
			return err
		}
		_, err := w.tx.ExecContext(w.ctx, `INSERT INTO meta (key, value) VALUES ('epoch_reset', ?)
			ON CONFLICT (key) DO UPDATE SET value = excluded.value`, string(js))
		return err
	})
	if err != nil {
		s.log.Error("store: could not record the epoch reset", "err", err)
	}
}

// loadReset reads meta 'epoch_reset'.
func (s *Store) loadReset(ctx context.Context) error {
	var js string
	err := s.db.QueryRowContext(ctx, `SELECT value FROM meta WHERE key = 'epoch_reset'`).Scan(&js)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		return mapErr("epoch reset", err)
	}
	if err := json.Unmarshal([]byte(js), &s.reset); err != nil {
		s.log.Warn("store: epoch reset note unreadable", "err", err)
	}
	return nil
}

// readMarker reads the marker file.
func readMarker(path string) (marker, error) {
	var m marker
	b, err := os.ReadFile(path)
	if err != nil {
		return m, err
	}
	if err := json.Unmarshal(b, &m); err != nil {
		return m, fmt.Errorf("store: marker %s: %w", path, err)
	}
	if len(m.Epoch) != 32 {
		return m, fmt.Errorf("store: marker %s: bad epoch", path)
	}
	return m, nil
}

// writeMarker records this database's epoch and progress in the marker
// file (atomically: temporary file, fsync, rename). At Open and at Close
// only, so last_seq is a lower bound of what the database holds.
func (s *Store) writeMarker(ctx context.Context) {
	if !s.markerBound {
		return
	}
	m := marker{DeviceID: s.opts.DeviceID, Epoch: s.epoch, Updated: time.Now().UTC()}
	var last, acked int64
	if err := s.db.QueryRowContext(ctx, `SELECT last_seq, acked_through FROM devices WHERE device_id = ?`,
		s.opts.DeviceID).Scan(&last, &acked); err != nil && !errors.Is(err, sql.ErrNoRows) {
		s.log.Warn("store: epoch marker not updated", "err", err)
		return
	}
	m.LastSeq, m.AckedThrough = Seq(last), Seq(acked)
	b, _ := json.Marshal(m)
	if err := writeFileAtomic(s.opts.MarkerFile, append(b, '\n')); err != nil {
		s.log.Warn("store: epoch marker not updated", "marker", s.opts.MarkerFile, "err", err)
	}
}

// writeFileAtomic replaces path with data: temporary file, fsync, rename,
// directory fsync.
func writeFileAtomic(path string, data []byte) error {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+"-*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	defer os.Remove(tmp)
	if err := writeSync(f, data); err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		return err
	}
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		d.Close()
	}
	return nil
}

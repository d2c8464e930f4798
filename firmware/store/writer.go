package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// maxBatch bounds how many queued operations share one transaction.
const maxBatch = 512

// counters is the writer's view of the device's rows.
type counters struct {
	lastSeq Seq
	total   int64 // rows held
	unacked int64 // rows not acknowledged (pending + quarantined)
}

// op is one write operation executed by the writer goroutine inside a
// (possibly shared) transaction.
type op interface {
	// apply runs the operation in tx, updating c. A rejection (an error
	// wrapped by reject) fails only this op; any other error aborts the
	// transaction.
	apply(w *wtx, c *counters) error
	// finish reports the outcome once the transaction is durable (or not).
	finish(err error)
}

// rejection is an op failure that happened before it touched the database.
type rejection struct{ err error }

func (r rejection) Error() string { return r.err.Error() }
func (r rejection) Unwrap() error { return r.err }

func reject(err error) error { return rejection{err} }

// wtx is one writer transaction.
type wtx struct {
	ctx      context.Context
	tx       *sql.Tx
	s        *Store
	insert   *sql.Stmt
	seqDirty bool
	free     int64 // bytes free on the data file system, read once per transaction (-2: not yet)
	freed    bool  // rows were deleted: the database's free pages changed
}

// diskFree returns the free bytes (statfs once per transaction; -1 unknown).
func (w *wtx) diskFree() int64 {
	if w.free == -2 {
		w.free, _ = w.s.diskSpace()
	}
	return w.free
}

// submit queues o for the writer and waits for its durable outcome. A
// context cancelled after submission does not abandon the op: the caller
// must learn whether it committed.
func (s *Store) submit(ctx context.Context, o op, wait <-chan error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.RLock()
	if s.closed {
		s.mu.RUnlock()
		return ErrClosed
	}
	select {
	case s.reqs <- o:
	case <-ctx.Done():
		s.mu.RUnlock()
		return ctx.Err()
	}
	s.mu.RUnlock()
	return <-wait
}

// writer is the single writer goroutine: it takes every queued op (up to
// maxBatch), runs them in one transaction and commits once (group commit).
func (s *Store) writer() {
	defer close(s.done)
	batch := make([]op, 0, maxBatch)
	for o := range s.reqs {
		batch = append(batch[:0], o)
	fill:
		for len(batch) < maxBatch {
			select {
			case o, ok := <-s.reqs:
				if !ok {
					break fill
				}
				batch = append(batch, o)
			default:
				break fill
			}
		}
		s.runBatch(batch)
	}
}

// runBatch commits batch as one transaction; if that fails it retries each
// op alone so one bad op cannot fail its neighbours.
func (s *Store) runBatch(batch []op) {
	errs, err := s.commit(batch)
	s.health.noteCommit(s.noteErr(err))
	if err != nil && len(batch) > 1 {
		for _, o := range batch {
			one, err := s.commit([]op{o})
			s.health.noteCommit(s.noteErr(err))
			if err != nil {
				o.finish(err)
			} else {
				o.finish(one[0])
			}
		}
		return
	}
	for i, o := range batch {
		if err != nil {
			o.finish(err)
		} else {
			o.finish(errs[i])
		}
	}
}

// commit runs ops in one transaction. It returns each op's rejection (nil
// if applied), or a transaction error that applies to all.
func (s *Store) commit(ops []op) ([]error, error) {
	ctx := context.Background()
	tx, err := s.wconn.BeginTx(ctx, nil)
	if err != nil {
		return nil, writeErr("begin", err)
	}
	w := &wtx{ctx: ctx, tx: tx, s: s, free: -2}
	s.statMu.Lock()
	c := s.stat
	s.statMu.Unlock()
	errs := make([]error, len(ops))
	for i, o := range ops {
		err := o.apply(w, &c)
		var rj rejection
		if errors.As(err, &rj) {
			errs[i] = rj.err
			continue
		}
		if err != nil {
			tx.Rollback()
			return nil, writeErr("write", err)
		}
	}
	if err := w.flushSeq(c.lastSeq); err != nil {
		tx.Rollback()
		return nil, writeErr("write seq", err)
	}
	if err := tx.Commit(); err != nil {
		tx.Rollback()
		return nil, writeErr("commit", err)
	}
	// The free-page count matters only near the reserve, or after deletes
	// made room: skip the query otherwise (it would cost every commit).
	if w.freed || (w.free >= 0 && w.free < 4*s.opts.MinFreeBytes) {
		s.readFreePages(ctx)
	}
	s.setStat(c)
	return errs, nil
}

// flushSeq persists the device's last seq in the same transaction as the
// records that used it.
func (w *wtx) flushSeq(last Seq) error {
	if !w.seqDirty {
		return nil
	}
	_, err := w.tx.ExecContext(w.ctx, `INSERT INTO devices (device_id, last_seq) VALUES (?, ?)
		ON CONFLICT (device_id) DO UPDATE SET last_seq = excluded.last_seq`, w.s.opts.DeviceID, int64(last))
	return err
}

func (s *Store) setStat(c counters) {
	s.statMu.Lock()
	s.stat = c
	warn := float64(c.unacked) >= WarnFraction*float64(s.opts.MaxRecords)
	crossed := warn && !s.warned
	s.warned = warn
	s.statMu.Unlock()
	if crossed {
		s.log.Warn("store: outbox above capacity warning level",
			"unuploaded", c.unacked, "max_records", s.opts.MaxRecords)
	}
}

// appendOp appends one record.
type appendOp struct {
	s       *Store
	rec     Record
	payload []byte
	seq     Seq
	done    chan error
}

func (a *appendOp) finish(err error) {
	if err != nil {
		a.s.health.noteAppend(err)
	}
	a.done <- err
}

func (a *appendOp) apply(w *wtx, c *counters) error {
	max := int64(w.s.opts.MaxRecords)
	if c.unacked >= max {
		return reject(fmt.Errorf("%w: %d unuploaded records (max %d)", ErrFull, c.unacked, max))
	}
	if free := w.diskFree(); free >= 0 && free < w.s.opts.MinFreeBytes {
		return reject(fmt.Errorf("%w: %d bytes free on the data file system (keeps %d for acknowledgements)",
			ErrFull, free, w.s.opts.MinFreeBytes))
	}
	if c.total >= max {
		if err := w.evictAcked(c, c.total-max+1); err != nil {
			return err
		}
	}
	seq := c.lastSeq + 1
	sealed, err := w.s.sealer.seal(w.s.opts.DeviceID, seq, a.rec.Personal)
	if err != nil {
		return reject(err)
	}
	if w.insert == nil {
		w.insert, err = w.tx.PrepareContext(w.ctx, `INSERT INTO records
			(device_id, seq, kind, created_ns, boot_id, mono_ns, payload, sealed, origin_epoch, origin_seq)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
		if err != nil {
			return err
		}
	}
	r := &a.rec
	var oEpoch, oSeq any
	if r.Origin != nil {
		oEpoch, oSeq = r.Origin.Epoch, int64(r.Origin.Seq)
	}
	if _, err := w.insert.ExecContext(w.ctx, w.s.opts.DeviceID, int64(seq), r.Kind,
		r.CreatedAt.UnixNano(), r.BootID, int64(r.Mono), a.payload, sealed, oEpoch, oSeq); err != nil {
		return err
	}
	a.seq = seq
	c.lastSeq = seq
	c.total++
	c.unacked++
	w.seqDirty = true
	return nil
}

// evictAcked deletes the n oldest acknowledged rows to make room: they are
// uploaded, so this only shortens local retention. Unacked rows are never
// evicted.
func (w *wtx) evictAcked(c *counters, n int64) error {
	if acked := c.total - c.unacked; n > acked {
		n = acked
	}
	if n <= 0 {
		return nil
	}
	res, err := w.tx.ExecContext(w.ctx, `DELETE FROM records WHERE device_id = ? AND seq IN
		(SELECT seq FROM records WHERE device_id = ? AND acked_ns IS NOT NULL ORDER BY seq LIMIT ?)`,
		w.s.opts.DeviceID, w.s.opts.DeviceID, n)
	if err != nil {
		return err
	}
	k, _ := res.RowsAffected()
	c.total -= k
	w.freed = w.freed || k > 0
	return nil
}

// Append durably stores r and returns its seq. It returns only after the
// transaction holding r is committed with fsync; concurrent calls share one
// commit. Errors: ErrInvalid; ErrFull (outbox at MaxRecords, free space
// below MinFreeBytes, or ENOSPC); ErrUnavailable (the write failed: I/O
// error, read-only or damaged file); ErrClosed; ctx errors (only before the
// record was queued). After ErrFull or ErrUnavailable nothing was stored
// and the person must not be told "accepted".
func (s *Store) Append(ctx context.Context, r Record) (Seq, error) {
	if s.opts.OnAppend == nil {
		return s.append(ctx, r)
	}
	start := time.Now()
	seq, err := s.append(ctx, r)
	s.opts.OnAppend(r.Kind, time.Since(start), err)
	return seq, err
}

func (s *Store) append(ctx context.Context, r Record) (Seq, error) {
	if err := s.ClockCheck(); err != nil {
		return 0, err
	}
	if r.DeviceID != "" && r.DeviceID != s.opts.DeviceID {
		return 0, fmt.Errorf("%w: device id %q is not this store's", ErrInvalid, r.DeviceID)
	}
	payload, err := r.validate()
	if err != nil {
		return 0, err
	}
	s.clock.stamp(&r)
	a := &appendOp{s: s, rec: r, payload: payload, done: make(chan error, 1)}
	if err := s.submit(ctx, a, a.done); err != nil {
		return 0, err
	}
	return a.seq, nil
}

// funcOp is a generic write op.
type funcOp struct {
	fn   func(w *wtx, c *counters) error
	done chan error
}

func (f *funcOp) apply(w *wtx, c *counters) error { return f.fn(w, c) }
func (f *funcOp) finish(err error)                { f.done <- err }

func (s *Store) write(ctx context.Context, fn func(w *wtx, c *counters) error) error {
	f := &funcOp{fn: fn, done: make(chan error, 1)}
	return s.submit(ctx, f, f.done)
}

// Ack marks every pending, non-quarantined record with seq ≤ through as
// acknowledged by the backend (protocol v1 acked_through) and returns how
// many changed.
func (s *Store) Ack(ctx context.Context, through Seq) (int, error) {
	var n int64
	err := s.write(ctx, func(w *wtx, c *counters) error {
		id := s.opts.DeviceID
		res, err := w.tx.ExecContext(w.ctx, `UPDATE records INDEXED BY records_pending SET acked_ns = ?
			WHERE device_id = ? AND seq <= ? AND acked_ns IS NULL AND quarantined_ns IS NULL`,
			time.Now().UnixNano(), id, int64(through))
		if err != nil {
			return err
		}
		n, _ = res.RowsAffected()
		c.unacked -= n
		// An acknowledgement proves the backend takes records again: the
		// quarantine budget starts over (Quarantine).
		_, err = w.tx.ExecContext(w.ctx, `UPDATE devices SET acked_through = MAX(acked_through, ?),
			quarantine_run = CASE WHEN ? > 0 THEN 0 ELSE quarantine_run END
			WHERE device_id = ?`, int64(through), n, id)
		return err
	})
	return int(n), err
}

// Quarantine marks a pending record as rejected by the backend: it is kept
// (and counted against capacity) but never sent again until an operator
// releases it (Release). Each quarantine counts against the persistent
// quarantine budget (QuarantineRun), which only an acknowledgement or a
// Release resets: restarting the process does not.
func (s *Store) Quarantine(ctx context.Context, seq Seq, reason string) error {
	return s.quarantine(ctx, seq, reason, false)
}

// QuarantineUnreadableRecord quarantines a pending record whose sealed
// fields cannot be opened (bit rot), moving its sealed blob to the
// unreadable table so that reads of the record log keep working. It counts
// against the quarantine budget like Quarantine.
func (s *Store) QuarantineUnreadableRecord(ctx context.Context, seq Seq, reason string) error {
	return s.quarantine(ctx, seq, reason, true)
}

func (s *Store) quarantine(ctx context.Context, seq Seq, reason string, unreadable bool) error {
	if len(reason) > 512 {
		reason = reason[:512]
	}
	return s.write(ctx, func(w *wtx, c *counters) error {
		now := time.Now().UnixNano()
		if unreadable {
			if err := w.moveUnreadable(seq, reason, now); err != nil {
				return err
			}
		} else {
			res, err := w.tx.ExecContext(w.ctx, `UPDATE records INDEXED BY records_pending SET quarantined_ns = ?, quarantine_reason = ?
				WHERE device_id = ? AND seq = ? AND acked_ns IS NULL AND quarantined_ns IS NULL`,
				now, reason, s.opts.DeviceID, int64(seq))
			if err != nil {
				return err
			}
			if n, _ := res.RowsAffected(); n == 0 {
				return nil
			}
		}
		_, err := w.tx.ExecContext(w.ctx, `UPDATE devices SET quarantine_run = quarantine_run + 1 WHERE device_id = ?`,
			s.opts.DeviceID)
		return err
	})
}

// QuarantineRun returns the persistent quarantine budget used: records
// quarantined since the backend last acknowledged one (or since Release).
func (s *Store) QuarantineRun(ctx context.Context) (int, error) {
	var n int
	err := s.db.QueryRowContext(ctx, `SELECT COALESCE((SELECT quarantine_run FROM devices WHERE device_id = ?), 0)`,
		s.opts.DeviceID).Scan(&n)
	return n, mapErr("quarantine run", err)
}

// Released says what Release did.
type Released struct {
	Records    int   `json:"released"`             // returned to the outbox
	Unreadable []Seq `json:"unreadable,omitempty"` // kept: their sealed fields are unreadable
}

// Release returns quarantined records to the outbox (kioskd diag outbox
// release): the given seqs, or every quarantined record when seqs is empty,
// except those whose sealed fields the key cannot open. It resets the
// quarantine budget, so the uploader quarantines again if the backend still
// rejects them.
func (s *Store) Release(ctx context.Context, seqs []Seq) (Released, error) {
	var r Released
	err := s.write(ctx, func(w *wtx, c *counters) error {
		r = Released{}
		id := s.opts.DeviceID
		rows, err := w.tx.QueryContext(w.ctx, `SELECT seq, EXISTS (SELECT 1 FROM unreadable
			WHERE source = 'record' AND ref = CAST(records.seq AS TEXT))
			FROM records WHERE device_id = ? AND quarantined_ns IS NOT NULL AND acked_ns IS NULL ORDER BY seq`, id)
		if err != nil {
			return err
		}
		want := map[Seq]bool{}
		for _, q := range seqs {
			want[q] = true
		}
		var release []Seq
		for rows.Next() {
			var (
				seq int64
				bad bool
			)
			if err := rows.Scan(&seq, &bad); err != nil {
				rows.Close()
				return err
			}
			switch {
			case len(want) > 0 && !want[Seq(seq)]:
			case bad:
				r.Unreadable = append(r.Unreadable, Seq(seq))
			default:
				release = append(release, Seq(seq))
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, q := range release {
			if _, err := w.tx.ExecContext(w.ctx, `UPDATE records SET quarantined_ns = NULL, quarantine_reason = NULL
				WHERE device_id = ? AND seq = ?`, id, int64(q)); err != nil {
				return err
			}
		}
		r.Records = len(release)
		_, err = w.tx.ExecContext(w.ctx, `UPDATE devices SET quarantine_run = 0 WHERE device_id = ?`, id)
		return err
	})
	return r, err
}

// Purge deletes records acknowledged more than Retention ago, with their
// sealed personal fields, and returns how many were deleted.
func (s *Store) Purge(ctx context.Context) (int, error) {
	cutoff := time.Now().Add(-s.opts.Retention).UnixNano()
	var n int64
	err := s.write(ctx, func(w *wtx, c *counters) error {
		res, err := w.tx.ExecContext(w.ctx, `DELETE FROM records
			WHERE device_id = ? AND acked_ns IS NOT NULL AND acked_ns < ?`, s.opts.DeviceID, cutoff)
		if err != nil {
			return err
		}
		n, _ = res.RowsAffected()
		c.total -= n
		w.freed = w.freed || n > 0
		return nil
	})
	return int(n), err
}

// Put durably stores value under key (through the writer, like Append).
func (s *Store) Put(ctx context.Context, key string, value []byte) error {
	return s.put(ctx, key, value, false)
}

func (s *Store) put(ctx context.Context, key string, value []byte, sealed bool) error {
	if key == "" || len(key) > 256 || len(value) > maxPayload {
		return fmt.Errorf("%w: key 1..256 bytes, value ≤ %d bytes", ErrInvalid, maxPayload)
	}
	if value == nil {
		value = []byte{}
	}
	return s.write(ctx, func(w *wtx, c *counters) error {
		_, err := w.tx.ExecContext(w.ctx, `INSERT INTO kv (key, value, updated_ns, sealed) VALUES (?, ?, ?, ?)
			ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_ns = excluded.updated_ns, sealed = excluded.sealed`,
			key, value, time.Now().UnixNano(), sealed)
		return err
	})
}

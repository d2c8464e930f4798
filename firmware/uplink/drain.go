package uplink

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/kiosk06/kiosk/firmware/store"
)

// Result says what one Drain achieved.
type Result struct {
	Batches      int         // batches the backend accepted
	Acked        int         // records newly acknowledged
	AckedThrough store.Seq   // highest acknowledged seq
	Quarantined  []store.Seq // records the backend rejected (4xx)
}

// wireRecord is one record of a v1 batch.
type wireRecord struct {
	Seq       store.Seq       `json:"seq"`
	Kind      string          `json:"kind"`
	CreatedAt string          `json:"created_at"`
	Payload   json.RawMessage `json:"payload"`
	Origin    *wireOrigin     `json:"origin,omitempty"`
}

// wireOrigin is the first identity of a record re-homed by a salvage.
type wireOrigin struct {
	Epoch string    `json:"store_epoch"`
	Seq   store.Seq `json:"seq"`
}

// createdAtLayout is RFC 3339 with all nine fractional digits.
const createdAtLayout = "2006-01-02T15:04:05.000000000Z07:00"

// item is a record encoded for the wire.
type item struct {
	seq  store.Seq
	json []byte
}

// Drain uploads until the outbox is empty, stopping at the first transient
// error (which it returns, wrapped in ErrTransient or ErrAuth, with what
// was achieved so far). Run retries Drain with backoff; diag upload and
// tests call it directly.
func (u *Uploader) Drain(ctx context.Context) (Result, error) {
	u.mu.Lock()
	defer u.mu.Unlock()
	var res Result
	if u.lock == nil {
		return res, fmt.Errorf("uplink: uploader closed")
	}
	u.head = 0
	for {
		items, err := u.nextBatch(ctx, &res)
		if err != nil || len(items) == 0 {
			u.noteResult(res, err)
			return res, err
		}
		err = u.sendBisect(ctx, items, &res)
		if err != nil {
			u.noteResult(res, err)
			return res, err
		}
	}
}

// nextBatch reads the oldest pending records and packs a batch. A record
// that cannot fit any batch alone can never be sent, nor one whose sealed
// fields cannot be opened: each is quarantined.
func (u *Uploader) nextBatch(ctx context.Context, res *Result) ([]item, error) {
	for {
		recs, err := u.st.Pending(ctx, u.opts.MaxRecords)
		var bad *store.UnreadableError
		if errors.As(err, &bad) {
			u.head = bad.Seq
			if err := u.quarantine(ctx, bad.Seq, "sealed fields unreadable", res, true); err != nil {
				return nil, err
			}
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("uplink: read outbox: %w", err)
		}
		if len(recs) == 0 {
			return nil, nil
		}
		u.head = recs[0].Seq
		items, why := u.pack(recs)
		if len(items) > 0 {
			return items, nil
		}
		if err := u.quarantine(ctx, recs[0].Seq, why, res, false); err != nil {
			return nil, err
		}
	}
}

// pack encodes recs in order while the batch stays within MaxBytes. If
// the first record alone does not fit it returns no items and the reason.
func (u *Uploader) pack(recs []store.Record) ([]item, string) {
	size := envelopeSize(u.st.DeviceID())
	var items []item
	for _, r := range recs {
		b, err := encodeRecord(r)
		if err == nil && size+len(b)+1 <= u.opts.MaxBytes {
			size += len(b) + 1
			items = append(items, item{seq: r.Seq, json: b})
			continue
		}
		if len(items) == 0 {
			if err == nil {
				err = fmt.Errorf("%d bytes encoded", len(b))
			}
			return nil, fmt.Sprintf("record does not fit a %d-byte batch: %v", u.opts.MaxBytes, err)
		}
		break
	}
	return items, ""
}

func envelopeSize(device string) int {
	return len(`{"device_id":,"store_epoch":"","records":[]}`) + len(device) + 2 + 32
}

// encodeRecord renders r for the wire; personal fields join the payload as
// the member "personal".
func encodeRecord(r store.Record) ([]byte, error) {
	payload := r.Payload
	if len(r.Personal) > 0 {
		var m map[string]json.RawMessage
		if err := json.Unmarshal(r.Payload, &m); err != nil {
			return nil, err
		}
		p, err := json.Marshal(r.Personal)
		if err != nil {
			return nil, err
		}
		m[store.ReservedPersonalKey] = p
		if payload, err = json.Marshal(m); err != nil {
			return nil, err
		}
	}
	w := wireRecord{Seq: r.Seq, Kind: r.Kind, CreatedAt: r.CreatedAt.UTC().Format(createdAtLayout), Payload: payload}
	if r.Origin != nil {
		w.Origin = &wireOrigin{Epoch: r.Origin.Epoch, Seq: r.Origin.Seq}
	}
	return json.Marshal(w)
}

// quarantine sets seq aside within the persistent budget: the store counts
// quarantines since the last acknowledgement, so neither a restart nor a
// watchdog kill gives the uploader a fresh budget.
func (u *Uploader) quarantine(ctx context.Context, seq store.Seq, reason string, res *Result, unreadable bool) error {
	run, err := u.st.QuarantineRun(ctx)
	if err != nil {
		return fmt.Errorf("uplink: quarantine budget: %w", err)
	}
	if run >= maxQuarantineRun {
		return fmt.Errorf("%w: %d records quarantined without an acknowledgement; not quarantining seq %d",
			ErrRejecting, run, seq)
	}
	if unreadable {
		err = u.st.QuarantineUnreadableRecord(ctx, seq, reason)
	} else {
		err = u.st.Quarantine(ctx, seq, reason)
	}
	if err != nil {
		return fmt.Errorf("uplink: quarantine seq %d: %w", seq, err)
	}
	res.Quarantined = append(res.Quarantined, seq)
	u.log.Warn("uplink: record quarantined", "seq", seq, "reason", reason, "budget_used", run+1, "budget", maxQuarantineRun)
	if run+1 == maxQuarantineRun {
		u.log.Error("uplink: quarantine budget spent: no more records are set aside until the backend acknowledges one "+
			"or an operator runs kioskd diag outbox release", "quarantined_in_a_row", run+1)
	}
	return nil
}

// sendBisect posts items; on a record-level 4xx it splits the batch to find
// and quarantine the offending record(s).
func (u *Uploader) sendBisect(ctx context.Context, items []item, res *Result) error {
	through, err := u.post(ctx, items)
	var rej *rejectedError
	switch {
	case errors.As(err, &rej) && len(items) == 1:
		return u.quarantine(ctx, items[0].seq, rej.Error(), res, false)
	case errors.As(err, &rej):
		mid := len(items) / 2
		if err := u.sendBisect(ctx, items[:mid], res); err != nil {
			return err
		}
		if res.AckedThrough < items[mid-1].seq && !quarantined(res, items[mid-1].seq) {
			return nil // partial ack: the caller refetches the outbox
		}
		return u.sendBisect(ctx, items[mid:], res)
	case err != nil:
		return err
	}
	return u.ack(ctx, items, through, res)
}

func quarantined(res *Result, seq store.Seq) bool {
	for _, q := range res.Quarantined {
		if q == seq {
			return true
		}
	}
	return false
}

// ack records the backend's acked_through, clamped to this batch: the reply
// can never acknowledge what we did not send.
func (u *Uploader) ack(ctx context.Context, items []item, through store.Seq, res *Result) error {
	first, last := items[0].seq, items[len(items)-1].seq
	if through < first {
		return fmt.Errorf("%w: acked_through %d acknowledges nothing of batch %d..%d", ErrNoProgress, through, first, last)
	}
	through = min(through, last)
	n, err := u.st.Ack(ctx, through) // an acknowledgement also restores the quarantine budget
	if err != nil {
		return fmt.Errorf("uplink: ack %d: %w", through, err)
	}
	res.Batches++
	res.Acked += n
	res.AckedThrough = max(res.AckedThrough, through)
	return nil
}

// rejectedError is a record-level 4xx. Reply bodies are never kept: a
// backend may echo a record, and neither logs nor the quarantine reason
// may hold personal data.
type rejectedError struct {
	status int
}

func (e *rejectedError) Error() string {
	return fmt.Sprintf("uplink: backend rejected batch: HTTP %d", e.status)
}

// post sends one batch over the transport and returns acked_through.
func (u *Uploader) post(ctx context.Context, items []item) (store.Seq, error) {
	ctx, cancel := context.WithTimeout(ctx, u.opts.Timeout)
	defer cancel()
	b := Batch{DeviceID: u.st.DeviceID(), Epoch: u.st.Epoch(), First: items[0].seq, Last: items[len(items)-1].seq,
		Body: batchBody(u.st.DeviceID(), u.st.Epoch(), items)}
	start := time.Now()
	v, err := u.tr.Send(ctx, b)
	if err != nil {
		u.notePost(start, PostNetwork)
		return 0, fmt.Errorf("%w: %v", ErrTransient, err)
	}
	u.noteClock(v)
	seq, err := classify(v.Status, v.Body, b.Epoch)
	u.notePost(start, postClass(v.Status, err))
	return seq, err
}

func (u *Uploader) notePost(start time.Time, c PostClass) {
	if u.opts.OnPost != nil {
		u.opts.OnPost(time.Since(start), c)
	}
}

// postClass names how a reply of status, classified as err, ended.
func postClass(status int, err error) PostClass {
	var rej *rejectedError
	switch {
	case err == nil:
		return PostAcked
	case errors.Is(err, ErrNoProgress):
		return PostNoProgress
	case errors.Is(err, ErrAuth):
		return PostAuth
	case errors.As(err, &rej):
		return PostRejected
	default:
		return PostServer
	}
}

// classify maps a reply onto acked_through or an error class (protocol v1).
// A 200 acknowledges only when it names the epoch the batch was sent
// under. Error texts carry the status only, never the reply body (see
// rejectedError).
func classify(status int, body []byte, epoch string) (store.Seq, error) {
	switch {
	case status == http.StatusOK:
		var r struct {
			AckedThrough *int64 `json:"acked_through"`
			Epoch        string `json:"store_epoch"`
		}
		if err := json.Unmarshal(body, &r); err != nil || r.AckedThrough == nil || *r.AckedThrough < 0 {
			return 0, fmt.Errorf("%w: 200 without a valid acked_through (%d-byte reply)", ErrNoProgress, len(body))
		}
		if r.Epoch != epoch {
			return 0, fmt.Errorf("%w: reply acknowledges store epoch %q, the batch was %q", ErrNoProgress, r.Epoch, epoch)
		}
		return store.Seq(*r.AckedThrough), nil
	case status == http.StatusUnauthorized || status == http.StatusForbidden || status == http.StatusNotFound:
		return 0, fmt.Errorf("%w: HTTP %d", ErrAuth, status)
	case status == http.StatusRequestTimeout || status == http.StatusTooManyRequests || status == http.StatusTooEarly:
		return 0, fmt.Errorf("%w: HTTP %d", ErrTransient, status)
	case status >= 400 && status < 500:
		return 0, &rejectedError{status: status}
	default:
		return 0, fmt.Errorf("%w: HTTP %d", ErrTransient, status)
	}
}

// batchBody renders the v1 JSON document of a batch.
func batchBody(device, epoch string, items []item) []byte {
	var body bytes.Buffer
	dev, _ := json.Marshal(device)
	body.WriteString(`{"device_id":`)
	body.Write(dev)
	body.WriteString(`,"store_epoch":"`)
	body.WriteString(epoch) // 32 hex digits: nothing to escape
	body.WriteString(`","records":[`)
	for i, it := range items {
		if i > 0 {
			body.WriteByte(',')
		}
		body.Write(it.json)
	}
	body.WriteString(`]}`)
	return body.Bytes()
}

// backoff returns the wait before retry n (1-based): exponential from
// MinBackoff, capped at MaxBackoff, with "equal jitter" (half fixed, half
// random) so a fleet coming back online does not stampede.
func backoff(n int, minD, maxD time.Duration, rnd func(int64) int64) time.Duration {
	d := minD
	for i := 1; i < n && d < maxD; i++ {
		d *= 2
	}
	d = min(d, maxD)
	j := d/2 + time.Duration(rnd(int64(d/2)+1))
	return max(j, minD)
}

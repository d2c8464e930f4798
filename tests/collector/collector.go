// Package collector is the reference backend for upload protocol v1
// (issue 3, issue 15, docs/PROTOCOL.md, firmware/uplink): an http.Handler
// that accepts POST /v1/devices/{device_id}/records (and .../heartbeat,
// the device's inventory snapshot), checks every rule of
// the protocol, dedupes on (device_id, store_epoch, seq) forever — or on a
// re-homed record's origin — and exposes what it received. A device whose
// store starts a new epoch is reported (log, Stats.EpochChanges,
// Options.OnEpochChange, Epochs) and its new records are never taken for
// duplicates of the old epoch's. Tests serve it with httptest; `kioskd sim`
// can serve it on a real port.
//
// It is written from the protocol text, independently of firmware/uplink,
// and must not import it (or anything under firmware/).
package collector

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"regexp"
	"sort"
	"strings"
	"sync"
	"time"
)

// Protocol v1 limits.
const (
	MaxRecords   = 500
	MaxBodyBytes = 1 << 20 // uncompressed JSON body
)

// epochSyntax is a store epoch: 128 bits as 32 lowercase hex digits.
var epochSyntax = regexp.MustCompile(`^[0-9a-f]{32}$`)

// Origin is the first identity of a record a device re-homed into a new
// epoch (after a salvage).
type Origin struct {
	Epoch string `json:"store_epoch"`
	Seq   int64  `json:"seq"`
}

// Record is one stored record, as received.
type Record struct {
	DeviceID string `json:"device_id"`
	// Epoch and Seq are the record's identity: its origin for a re-homed
	// record, else the batch's store_epoch and the record's seq.
	Epoch     string          `json:"store_epoch"`
	Seq       int64           `json:"seq"`
	Kind      string          `json:"kind"`
	CreatedAt string          `json:"created_at"`
	Payload   json.RawMessage `json:"payload"`
	Origin    *Origin         `json:"origin,omitempty"`
	// ResentAs is the (epoch, seq) a re-homed record first arrived under.
	ResentAs *Origin `json:"-"`
	// Received counts deliveries of this identity: > 1 means resent and
	// deduplicated.
	Received int `json:"-"`
}

// Stats counts what the collector saw.
type Stats struct {
	Requests     int // HTTP requests to the records endpoint
	Accepted     int // batches answered 200
	Rejected     int // batches answered 4xx
	Stored       int // distinct (device_id, epoch, seq)
	Duplicates   int // records received again and deduplicated
	Conflicts    int // duplicates whose content differed from the first copy
	Gzipped      int // requests with Content-Encoding: gzip
	EpochChanges int // batches that started a new store epoch of a known device
	Heartbeats   int // heartbeats accepted (any transport)
}

// Epoch is one store epoch of a device, as the collector saw it.
type Epoch struct {
	Epoch     string
	FirstSeen time.Time
	Records   int   // distinct records stored under it
	MaxSeq    int64 // highest seq stored under it
}

// Options configure a Collector.
type Options struct {
	// Token, if set, is the required bearer token.
	Token string
	// Reject, if set, is asked about each record; true makes the whole
	// batch fail with 422 (a record the backend cannot accept).
	Reject func(deviceID string, r Record) bool
	// OnEpochChange, if set, is called (outside the lock) when a known
	// device sends its first batch of a new store epoch.
	OnEpochChange func(deviceID string, previous, current Epoch)
	Logger        *slog.Logger
}

// key is a record's permanent identity.
type key struct {
	epoch string
	seq   int64
}

// device is what the collector holds of one device.
type device struct {
	recs       map[key]*Record
	epochs     []*Epoch    // in first-seen order
	heartbeats []Heartbeat // newest last, at most maxHeartbeats
}

func (d *device) epoch(e string) *Epoch {
	for _, x := range d.epochs {
		if x.Epoch == e {
			return x
		}
	}
	return nil
}

// insertBefore puts e just before at in the first-seen order: an origin
// epoch the collector learns of through re-homed records came first.
func (d *device) insertBefore(e, at *Epoch) {
	for i, x := range d.epochs {
		if x == at {
			d.epochs = append(d.epochs[:i], append([]*Epoch{e}, d.epochs[i:]...)...)
			return
		}
	}
	d.epochs = append(d.epochs, e)
}

// Collector is the reference v1 backend. Safe for concurrent use.
type Collector struct {
	opts Options
	mu   sync.Mutex
	devs map[string]*device
	st   Stats
}

// New returns an empty collector.
func New(opts Options) *Collector {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	return &Collector{opts: opts, devs: map[string]*device{}}
}

// Handler returns the collector's HTTP handler.
func (c *Collector) Handler() http.Handler { return c }

type batch struct {
	DeviceID string   `json:"device_id"`
	Epoch    string   `json:"store_epoch"`
	Records  []Record `json:"records"`
}

type httpError struct {
	code int
	msg  string
}

func fail(code int, format string, args ...any) *httpError {
	return &httpError{code, fmt.Sprintf(format, args...)}
}

// ServeHTTP implements protocol v1 over HTTPS: the records endpoint and
// the heartbeat endpoint. Every reply carries a Date header, which devices
// use to estimate their clock offset.
func (c *Collector) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	device, endpoint, ok := parsePath(r.URL.Path)
	if !ok {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Date", time.Now().UTC().Format(http.TimeFormat))
	if endpoint == "heartbeat" {
		c.serveHeartbeat(w, r, device)
		return
	}
	c.mu.Lock()
	c.st.Requests++
	c.mu.Unlock()
	raw, herr := c.decode(r)
	if herr != nil {
		c.reject(device, herr)
		http.Error(w, herr.msg, herr.code)
		return
	}
	v := c.Submit(device, raw)
	if v.Status != http.StatusOK {
		http.Error(w, v.Why, v.Status)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	fmt.Fprintf(w, `{"acked_through":%d,"store_epoch":%q,"time":%q}`, v.AckedThrough, v.Epoch, time.Now().UTC().Format(time.RFC3339Nano))
}

// Verdict is the collector's answer to one batch, in protocol v1 terms:
// the HTTP status and, for 200, acked_through and the batch's epoch.
type Verdict struct {
	Status       int
	AckedThrough int64
	Epoch        string
	Why          string // for a refusal: which rule the batch broke
}

// Submit checks and stores one batch (the uncompressed JSON body) of
// device, whatever carried it: ServeHTTP for protocol v1 over HTTPS, the
// MQTT collector for protocol v1 over MQTT.
func (c *Collector) Submit(device string, raw []byte) Verdict {
	if len(raw) > MaxBodyBytes {
		return c.reject(device, fail(http.StatusRequestEntityTooLarge, "body over %d bytes", MaxBodyBytes))
	}
	var b batch
	if err := json.NewDecoder(bytes.NewReader(raw)).Decode(&b); err != nil {
		return c.reject(device, fail(http.StatusBadRequest, "json: %v", err))
	}
	if herr := c.check(device, &b); herr != nil {
		return c.reject(device, herr)
	}
	return Verdict{Status: http.StatusOK, AckedThrough: c.store(device, &b), Epoch: b.Epoch}
}

// reject counts and logs a refused batch.
func (c *Collector) reject(device string, herr *httpError) Verdict {
	c.mu.Lock()
	if herr.code >= 400 && herr.code < 500 {
		c.st.Rejected++
	}
	c.mu.Unlock()
	c.opts.Logger.Info("collector: rejected batch", "device", device, "status", herr.code, "why", herr.msg)
	return Verdict{Status: herr.code, Why: herr.msg}
}

// parsePath extracts device_id and the endpoint ("records" or
// "heartbeat") from /v1/devices/{device_id}/{endpoint}.
func parsePath(p string) (string, string, bool) {
	rest, ok := strings.CutPrefix(p, "/v1/devices/")
	if !ok {
		return "", "", false
	}
	id, endpoint, ok := strings.Cut(rest, "/")
	if !ok || id == "" || (endpoint != "records" && endpoint != "heartbeat") {
		return "", "", false
	}
	return id, endpoint, true
}

// decode applies the HTTP rules (method, token, content type and
// encoding, size) and returns the uncompressed body.
func (c *Collector) decode(r *http.Request) ([]byte, *httpError) {
	if r.Method != http.MethodPost {
		return nil, fail(http.StatusMethodNotAllowed, "POST only")
	}
	if c.opts.Token != "" && r.Header.Get("Authorization") != "Bearer "+c.opts.Token {
		return nil, fail(http.StatusUnauthorized, "bad or missing bearer token")
	}
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		return nil, fail(http.StatusUnsupportedMediaType, "Content-Type %q, want application/json", ct)
	}
	body := io.Reader(http.MaxBytesReader(nil, r.Body, 2*MaxBodyBytes))
	switch enc := r.Header.Get("Content-Encoding"); enc {
	case "", "identity":
	case "gzip":
		zr, err := gzip.NewReader(body)
		if err != nil {
			return nil, fail(http.StatusBadRequest, "gzip: %v", err)
		}
		body = zr
		c.mu.Lock()
		c.st.Gzipped++
		c.mu.Unlock()
	default:
		return nil, fail(http.StatusUnsupportedMediaType, "Content-Encoding %q", enc)
	}
	raw, err := io.ReadAll(io.LimitReader(body, MaxBodyBytes+1))
	if err != nil {
		return nil, fail(http.StatusBadRequest, "body: %v", err)
	}
	if len(raw) > MaxBodyBytes {
		return nil, fail(http.StatusRequestEntityTooLarge, "body over %d bytes", MaxBodyBytes)
	}
	return raw, nil
}

// check applies the batch rules of protocol v1; any failure rejects the
// whole batch and stores nothing.
func (c *Collector) check(device string, b *batch) *httpError {
	if b.DeviceID != device {
		return fail(http.StatusBadRequest, "device_id %q does not match path %q", b.DeviceID, device)
	}
	if !epochSyntax.MatchString(b.Epoch) {
		return fail(http.StatusBadRequest, "store_epoch %q: want 32 lowercase hex digits", b.Epoch)
	}
	if len(b.Records) == 0 || len(b.Records) > MaxRecords {
		return fail(http.StatusBadRequest, "%d records, want 1..%d", len(b.Records), MaxRecords)
	}
	prev := int64(0)
	for i, r := range b.Records {
		if r.Seq <= prev {
			return fail(http.StatusBadRequest, "record %d: seq %d not ascending", i, r.Seq)
		}
		prev = r.Seq
		if r.Kind == "" {
			return fail(http.StatusBadRequest, "record %d: empty kind", i)
		}
		if _, err := time.Parse(time.RFC3339Nano, r.CreatedAt); err != nil {
			return fail(http.StatusBadRequest, "record %d: created_at: %v", i, err)
		}
		if o := r.Origin; o != nil && (!epochSyntax.MatchString(o.Epoch) || o.Seq <= 0 || o.Epoch == b.Epoch) {
			return fail(http.StatusBadRequest, "record %d: origin needs an earlier store_epoch and a positive seq", i)
		}
		if p := bytes.TrimSpace(r.Payload); len(p) == 0 || p[0] != '{' {
			return fail(http.StatusUnprocessableEntity, "record %d: payload is not an object", i)
		}
		if c.opts.Reject != nil && c.opts.Reject(device, r) {
			return fail(http.StatusUnprocessableEntity, "record seq %d rejected", r.Seq)
		}
	}
	return nil
}

// store keeps new records, counts duplicates and returns acked_through:
// the highest seq of the batch (every record of it is now stored).
func (c *Collector) store(id string, b *batch) int64 {
	c.mu.Lock()
	d := c.dev(id)
	var changed *[2]Epoch
	ep := d.epoch(b.Epoch)
	if ep == nil {
		ep = &Epoch{Epoch: b.Epoch, FirstSeen: time.Now()}
		if n := len(d.epochs); n > 0 {
			// A known device with a new store: its seqs start again at 1,
			// and none of them is a duplicate of the previous epoch's.
			c.st.EpochChanges++
			changed = &[2]Epoch{*d.epochs[n-1], *ep}
		}
		d.epochs = append(d.epochs, ep)
	}
	for _, r := range b.Records {
		k := key{b.Epoch, r.Seq}
		if r.Origin != nil {
			k = key{r.Origin.Epoch, r.Origin.Seq}
		}
		if old, ok := d.recs[k]; ok {
			old.Received++
			c.st.Duplicates++
			if old.Kind != r.Kind || old.CreatedAt != r.CreatedAt || !bytes.Equal(old.Payload, r.Payload) {
				c.st.Conflicts++
			}
			continue
		}
		r.DeviceID, r.Received = id, 1
		r.Payload = append(json.RawMessage(nil), r.Payload...)
		if r.Origin != nil {
			r.ResentAs = &Origin{Epoch: b.Epoch, Seq: r.Seq}
		}
		r.Epoch, r.Seq = k.epoch, k.seq
		d.recs[k] = &r
		c.st.Stored++
		owner := ep
		if r.Origin != nil {
			if owner = d.epoch(k.epoch); owner == nil {
				owner = &Epoch{Epoch: k.epoch, FirstSeen: time.Now()}
				d.insertBefore(owner, ep)
			}
		}
		owner.Records++
		owner.MaxSeq = max(owner.MaxSeq, k.seq)
	}
	c.st.Accepted++
	c.mu.Unlock()
	if changed != nil {
		c.opts.Logger.Warn("collector: device started a new store epoch", "device", id,
			"previous_epoch", changed[0].Epoch, "previous_records", changed[0].Records,
			"previous_max_seq", changed[0].MaxSeq, "epoch", changed[1].Epoch)
		if c.opts.OnEpochChange != nil {
			c.opts.OnEpochChange(id, changed[0], changed[1])
		}
	}
	return b.Records[len(b.Records)-1].Seq
}

// dev returns the state of device id, creating it. c.mu is held.
func (c *Collector) dev(id string) *device {
	d := c.devs[id]
	if d == nil {
		d = &device{recs: map[key]*Record{}}
		c.devs[id] = d
	}
	return d
}

// Records returns the stored records of device: epoch by epoch in the
// order the epochs were first seen, ascending seq within an epoch.
func (c *Collector) Records(device string) []Record {
	c.mu.Lock()
	defer c.mu.Unlock()
	d := c.devs[device]
	if d == nil {
		return []Record{}
	}
	order := map[string]int{}
	for i, e := range d.epochs {
		order[e.Epoch] = i
	}
	out := make([]Record, 0, len(d.recs))
	for _, r := range d.recs {
		out = append(out, *r)
	}
	sort.Slice(out, func(i, j int) bool {
		if oi, oj := order[out[i].Epoch], order[out[j].Epoch]; oi != oj {
			return oi < oj
		}
		return out[i].Seq < out[j].Seq
	})
	return out
}

// RecordsOf returns the stored records of one epoch of device, by seq.
func (c *Collector) RecordsOf(device, epoch string) []Record {
	var out []Record
	for _, r := range c.Records(device) {
		if r.Epoch == epoch {
			out = append(out, r)
		}
	}
	return out
}

// Seqs returns the stored seqs of device, in Records order.
func (c *Collector) Seqs(device string) []int64 {
	rs := c.Records(device)
	out := make([]int64, len(rs))
	for i, r := range rs {
		out[i] = r.Seq
	}
	return out
}

// Epochs returns the store epochs device has sent, in first-seen order.
func (c *Collector) Epochs(device string) []Epoch {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []Epoch
	if d := c.devs[device]; d != nil {
		for _, e := range d.epochs {
			out = append(out, *e)
		}
	}
	return out
}

// Stats returns the counters.
func (c *Collector) Stats() Stats {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.st
}

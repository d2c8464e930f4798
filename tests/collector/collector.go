// Package collector is the reference backend for upload protocol v1
// (issue 3, firmware/uplink): an http.Handler that accepts
// POST /v1/devices/{device_id}/records, checks every rule of the protocol,
// dedupes on (device_id, seq) forever and exposes what it received. Tests
// serve it with httptest; `kioskd sim` can serve it on a real port.
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

// Record is one stored record, as received.
type Record struct {
	DeviceID  string          `json:"device_id"`
	Seq       int64           `json:"seq"`
	Kind      string          `json:"kind"`
	CreatedAt string          `json:"created_at"`
	Payload   json.RawMessage `json:"payload"`
	// Received counts deliveries of this (device_id, seq): > 1 means resent
	// and deduplicated.
	Received int `json:"-"`
}

// Stats counts what the collector saw.
type Stats struct {
	Requests   int // HTTP requests to the records endpoint
	Accepted   int // batches answered 200
	Rejected   int // batches answered 4xx
	Stored     int // distinct (device_id, seq)
	Duplicates int // records received again and deduplicated
	Conflicts  int // duplicates whose content differed from the first copy
	Gzipped    int // requests with Content-Encoding: gzip
}

// Options configure a Collector.
type Options struct {
	// Token, if set, is the required bearer token.
	Token string
	// Reject, if set, is asked about each record; true makes the whole
	// batch fail with 422 (a record the backend cannot accept).
	Reject func(deviceID string, r Record) bool
	Logger *slog.Logger
}

// Collector is the reference v1 backend. Safe for concurrent use.
type Collector struct {
	opts Options
	mu   sync.Mutex
	recs map[string]map[int64]*Record
	st   Stats
}

// New returns an empty collector.
func New(opts Options) *Collector {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	return &Collector{opts: opts, recs: map[string]map[int64]*Record{}}
}

// Handler returns the collector's HTTP handler.
func (c *Collector) Handler() http.Handler { return c }

type batch struct {
	DeviceID string   `json:"device_id"`
	Records  []Record `json:"records"`
}

type httpError struct {
	code int
	msg  string
}

func fail(code int, format string, args ...any) *httpError {
	return &httpError{code, fmt.Sprintf(format, args...)}
}

// ServeHTTP implements protocol v1.
func (c *Collector) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	device, ok := parsePath(r.URL.Path)
	if !ok {
		http.NotFound(w, r)
		return
	}
	c.mu.Lock()
	c.st.Requests++
	c.mu.Unlock()
	b, herr := c.decode(r, device)
	if herr == nil {
		herr = c.check(device, b)
	}
	if herr != nil {
		c.mu.Lock()
		if herr.code >= 400 && herr.code < 500 {
			c.st.Rejected++
		}
		c.mu.Unlock()
		c.opts.Logger.Info("collector: rejected batch", "device", device, "status", herr.code, "why", herr.msg)
		http.Error(w, herr.msg, herr.code)
		return
	}
	through := c.store(device, b.Records)
	w.Header().Set("Content-Type", "application/json")
	fmt.Fprintf(w, `{"acked_through":%d}`, through)
}

// parsePath extracts device_id from /v1/devices/{device_id}/records.
func parsePath(p string) (string, bool) {
	rest, ok := strings.CutPrefix(p, "/v1/devices/")
	if !ok {
		return "", false
	}
	id, ok := strings.CutSuffix(rest, "/records")
	if !ok || id == "" || strings.Contains(id, "/") {
		return "", false
	}
	return id, true
}

func (c *Collector) decode(r *http.Request, device string) (*batch, *httpError) {
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
	var b batch
	dec := json.NewDecoder(bytes.NewReader(raw))
	if err := dec.Decode(&b); err != nil {
		return nil, fail(http.StatusBadRequest, "json: %v", err)
	}
	return &b, nil
}

// check applies the batch rules of protocol v1; any failure rejects the
// whole batch and stores nothing.
func (c *Collector) check(device string, b *batch) *httpError {
	if b.DeviceID != device {
		return fail(http.StatusBadRequest, "device_id %q does not match path %q", b.DeviceID, device)
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
func (c *Collector) store(device string, rs []Record) int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	m := c.recs[device]
	if m == nil {
		m = map[int64]*Record{}
		c.recs[device] = m
	}
	for _, r := range rs {
		if old, ok := m[r.Seq]; ok {
			old.Received++
			c.st.Duplicates++
			if old.Kind != r.Kind || old.CreatedAt != r.CreatedAt || !bytes.Equal(old.Payload, r.Payload) {
				c.st.Conflicts++
			}
			continue
		}
		r.DeviceID, r.Received = device, 1
		r.Payload = append(json.RawMessage(nil), r.Payload...)
		m[r.Seq] = &r
		c.st.Stored++
	}
	c.st.Accepted++
	return rs[len(rs)-1].Seq
}

// Records returns the stored records of device in ascending seq.
func (c *Collector) Records(device string) []Record {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make([]Record, 0, len(c.recs[device]))
	for _, r := range c.recs[device] {
		out = append(out, *r)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Seq < out[j].Seq })
	return out
}

// Seqs returns the stored seqs of device in ascending order.
func (c *Collector) Seqs(device string) []int64 {
	rs := c.Records(device)
	out := make([]int64, len(rs))
	for i, r := range rs {
		out[i] = r.Seq
	}
	return out
}

// Stats returns the counters.
func (c *Collector) Stats() Stats {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.st
}

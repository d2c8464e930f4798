// Package uplink is the store-and-forward uploader: it sends the records of a
// firmware/store outbox to the backend with upload protocol v1 (issue 3,
// design §6, docs/PROTOCOL.md) and marks them acknowledged only after the
// backend said so.
//
// Protocol v1:
//
//	POST {base_url}/v1/devices/{device_id}/records
//	Content-Type: application/json; Content-Encoding: gzip when the body is over 1 KiB
//	Authorization: Bearer {token}; optional mTLS (client cert, key, CA)
//	{"device_id": "...", "store_epoch": "32 hex digits", "records": [{"seq": 17,
//	  "kind": "transit.tap", "created_at": "RFC 3339 with nanoseconds", "payload": {...}}]}
//
// Records go in ascending seq, at most 500 or 1 MiB per batch. A 200 reply
// {"acked_through": N, "store_epoch": "..."} means every seq ≤ N of that
// epoch is stored; a reply naming another epoch acknowledges nothing. The
// backend dedupes on (device_id, store_epoch, seq) forever, so resending is
// always safe, and a new database (new epoch) can never be mistaken for
// duplicates. A record a salvage re-homed from an earlier epoch carries
// "origin": {"store_epoch": ..., "seq": ...}, its first identity, which the
// backend dedupes on instead. 5xx, 408, 429, timeouts and connection errors
// are retried with exponential backoff and jitter (1 s up to 5 min). Any
// other 4xx (except 401/403/404, which are configuration errors and
// retried) is bisected down to the offending record, which is quarantined
// (kept, never resent) before going on — at most 10 in a row without an
// acknowledgement, a budget kept in the store so restarts do not reset it.
//
// A record's sealed personal fields travel inside its payload as the member
// "personal" (an object of strings), over TLS only in production.
//
// Exactly one Uploader runs per store: New takes an exclusive file lock
// beside the database. Status and Check report an uploader wedged on one
// record (the backend answers but the head of the outbox does not move),
// which /healthz shows.
//
// This package imports firmware/store and the standard library only; it must
// not import flows, drivers or UI code.
package uplink

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/kiosk06/kiosk/firmware/downlink"
	"github.com/kiosk06/kiosk/firmware/netclient"
	"github.com/kiosk06/kiosk/firmware/store"
)

// Sentinel errors callers branch on.
var (
	// ErrLocked means another uploader already serves this store.
	ErrLocked = errors.New("uplink: another uploader holds the store")
	// ErrTransient wraps failures that are retried with backoff (5xx,
	// timeouts, connection errors, 408/429, no progress).
	ErrTransient = errors.New("uplink: transient failure")
	// ErrAuth means the backend refused our credentials or URL
	// (401/403/404): retried, but it needs a technician.
	ErrAuth = errors.New("uplink: backend refused credentials or URL")
	// ErrRejecting means the backend rejected many records in a row; the
	// uploader stops quarantining and backs off instead of emptying the
	// outbox into quarantine. An acknowledgement or an operator's release
	// (kioskd diag outbox release) restores the budget.
	ErrRejecting = errors.New("uplink: backend rejects every record")
	// ErrNoProgress (wraps ErrTransient) means the backend answered but
	// acknowledged nothing of the batch (no valid acked_through, another
	// epoch, below the batch): the head of the outbox does not move.
	ErrNoProgress = fmt.Errorf("%w: backend acknowledged nothing", ErrTransient)
	// ErrWedged is what Check returns while the uploader is stuck on one
	// record.
	ErrWedged = errors.New("uplink: wedged on one record")
)

// Protocol v1 limits and defaults.
const (
	MaxBatchRecords   = 500
	MaxBatchBytes     = 1 << 20
	GzipThreshold     = 1 << 10
	DefaultInterval   = 10 * time.Second
	DefaultTimeout    = 30 * time.Second
	DefaultMinBackoff = time.Second
	DefaultMaxBackoff = 5 * time.Minute
	// maxQuarantineRun is how many records may be quarantined without an
	// acknowledgement in between before the uploader suspects the backend.
	maxQuarantineRun = 10
	// WedgeAfter failed drains on the same head record, with the backend
	// answering (or the record unreadable), make the uploader wedged.
	WedgeAfter = 3
)

// Options configure an Uploader.
type Options struct {
	// BaseURL (protocol v1 over HTTPS, e.g. https://collector.example.vn)
	// or BrokerURL (protocol v1 over MQTT, mqtts://broker.example.vn:8883):
	// exactly one, unless Transport is set.
	BaseURL    string
	BrokerURL  string
	Token      string        // bearer token (HTTPS only)
	ClientCert string        // PEM client certificate (mTLS), optional
	ClientKey  string        // PEM client key (mTLS), optional
	CAFile     string        // PEM CA bundle for the server, optional
	Interval   time.Duration // Run: pause after an empty outbox (default 10 s)
	Timeout    time.Duration // per request (default 30 s)
	MinBackoff time.Duration // default 1 s
	MaxBackoff time.Duration // default 5 min
	// MaxRecords and MaxBytes shrink batches below the protocol limits (tests).
	MaxRecords int
	MaxBytes   int
	// HTTPClient replaces the client built from the TLS options (tests).
	HTTPClient *http.Client
	// Downlink receives the backend's downlink messages (MQTT only); nil
	// refuses them (they stay queued on the broker).
	Downlink *downlink.Mux
	// Version is the firmware version the MQTT presence message names.
	Version string
	// Transport replaces the transport built from BaseURL or BrokerURL
	// (tests, the fleet benchmark).
	Transport Transport
	// OnPost, when set, hears of every batch sent: how long the exchange
	// took and how it ended (PostClass), for the kiosk's metrics.
	OnPost func(took time.Duration, class PostClass)
	Logger *slog.Logger
}

// PostClass is how one batch exchange ended.
type PostClass string

// The classes OnPost reports.
const (
	PostAcked      PostClass = "acked"       // 200 with a valid acked_through for the batch's epoch
	PostNetwork    PostClass = "network"     // no reply: connection, TLS, timeout, broker
	PostServer     PostClass = "5xx"         // the backend failed, or asked to retry later (408, 425, 429)
	PostRejected   PostClass = "4xx"         // the backend refused a record
	PostAuth       PostClass = "auth"        // 401, 403, 404: credentials or URL
	PostNoProgress PostClass = "no_progress" // a 200 that acknowledges nothing of this batch
)

// Uploader drains one store's outbox. Methods are safe for concurrent use,
// but uploads are serialised.
type Uploader struct {
	st   *store.Store
	opts Options
	log  *slog.Logger
	tr   Transport
	lock *os.File
	kick chan struct{}

	mu       sync.Mutex // serialises Drain
	head     store.Seq  // first record of the batch being tried (0: none)
	statusMu sync.Mutex
	status   Status
}

// Status is the uploader's health, for selftest and metrics.
type Status struct {
	LastSuccess         time.Time
	LastError           string
	ConsecutiveFailures int
	AckedThrough        store.Seq
	Quarantined         int // quarantined by this uploader since start
	// HeadSeq is the outbox record the last failed drain could not get
	// past, and HeadFailures how many drains in a row failed on it while
	// the backend answered (or the record could not be read). Connection
	// errors and 5xx (an offline kiosk) do not count.
	HeadSeq      store.Seq
	HeadFailures int
	// Rejecting: the quarantine budget is spent (ErrRejecting).
	Rejecting bool
	// Transport is "https" or "mqtt".
	Transport string
	// Clock is the latest estimate of the device clock's offset from the
	// backend's (zero Measured: none yet).
	Clock ClockOffset
}

// ClockOffset is how far the device's wall clock is behind the backend's,
// estimated from the backend's time in a reply (docs/PROTOCOL.md, "Clock
// offset").
type ClockOffset struct {
	Offset      time.Duration // backend minus device: positive when the device is slow
	Uncertainty time.Duration // half the round trip plus half the server time's resolution
	Measured    time.Time     // device time of the estimate
}

// Wedged reports an uploader stuck on one record: WedgeAfter failed drains
// on the same head record, or the quarantine budget spent.
func (s Status) Wedged() bool { return s.Rejecting || s.HeadFailures >= WedgeAfter }

// New creates the uploader for st, taking its uploader lock.
func New(st *store.Store, opts Options) (*Uploader, error) {
	if err := opts.fill(); err != nil {
		return nil, err
	}
	lock, err := lockFile(st.Path() + ".uplink.lock")
	if err != nil {
		return nil, err
	}
	tr := opts.Transport
	if tr == nil {
		if tr, err = newTransport(st.DeviceID(), opts); err != nil {
			lock.Close()
			return nil, err
		}
	}
	u := &Uploader{st: st, opts: opts, log: opts.Logger, tr: tr, lock: lock, kick: make(chan struct{}, 1)}
	u.status.Transport = tr.Name()
	return u, nil
}

// newTransport builds the transport BaseURL or BrokerURL names.
func newTransport(deviceID string, o Options) (Transport, error) {
	if o.BrokerURL != "" {
		return NewMQTT(MQTTOptions{BrokerURL: o.BrokerURL, DeviceID: deviceID,
			TLS:      netclient.TLS{CAFile: o.CAFile, ClientCert: o.ClientCert, ClientKey: o.ClientKey},
			Downlink: o.Downlink, Version: o.Version, Logger: o.Logger})
	}
	client := o.HTTPClient
	if client == nil {
		var err error
		if client, err = newClient(o); err != nil {
			return nil, err
		}
	}
	return newHTTPTransport(client, o.BaseURL, deviceID, o.Token), nil
}

func (o *Options) fill() error {
	switch {
	case o.Transport != nil:
	case o.BaseURL != "" && o.BrokerURL != "":
		return fmt.Errorf("uplink: both a base URL and a broker URL: choose one transport")
	case o.BrokerURL != "":
		if !strings.HasPrefix(o.BrokerURL, "mqtts://") && !strings.HasPrefix(o.BrokerURL, "mqtt://") {
			return fmt.Errorf("uplink: broker URL %q: want mqtts:// (or mqtt://)", o.BrokerURL)
		}
	case !strings.HasPrefix(o.BaseURL, "http://") && !strings.HasPrefix(o.BaseURL, "https://"):
		return fmt.Errorf("uplink: base URL %q: want http:// or https://", o.BaseURL)
	}
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&o.Interval, DefaultInterval)
	def(&o.Timeout, DefaultTimeout)
	def(&o.MinBackoff, DefaultMinBackoff)
	def(&o.MaxBackoff, DefaultMaxBackoff)
	if o.MaxRecords <= 0 || o.MaxRecords > MaxBatchRecords {
		o.MaxRecords = MaxBatchRecords
	}
	if o.MaxBytes <= 0 || o.MaxBytes > MaxBatchBytes {
		o.MaxBytes = MaxBatchBytes
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	return nil
}

// newClient builds the HTTP client, with mTLS when configured.
func newClient(o Options) (*http.Client, error) {
	c, err := netclient.New(netclient.TLS{CAFile: o.CAFile, ClientCert: o.ClientCert, ClientKey: o.ClientKey}, o.Timeout)
	if err != nil {
		return nil, fmt.Errorf("uplink: %w", err)
	}
	return c, nil
}

func pathEscape(s string) string {
	// Device ids are plain tokens; escape anything that is not.
	return strings.NewReplacer("/", "%2F", "?", "%3F", "#", "%23", " ", "%20", "%", "%25").Replace(s)
}

// lockFile takes the exclusive uploader lock (released by the kernel when
// the process dies).
func lockFile(path string) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("uplink: lock: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, fmt.Errorf("%w: %s", ErrLocked, path)
		}
		return nil, fmt.Errorf("uplink: lock %s: %w", path, err)
	}
	return f, nil
}

// Close releases the uploader lock. It does not close the store.
func (u *Uploader) Close() error {
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.lock == nil {
		return nil
	}
	err := u.lock.Close()
	u.lock = nil
	return errors.Join(u.tr.Close(), err)
}

// Heartbeat sends one inventory snapshot (docs/PROTOCOL.md, "Heartbeat")
// over the uploader's transport. It does not wait for a drain in progress.
func (u *Uploader) Heartbeat(ctx context.Context, body []byte) error {
	ctx, cancel := context.WithTimeout(ctx, u.opts.Timeout)
	defer cancel()
	v, err := u.tr.Heartbeat(ctx, u.st.DeviceID(), body)
	if err != nil {
		return fmt.Errorf("%w: heartbeat: %v", ErrTransient, err)
	}
	u.noteClock(v)
	switch {
	case v.Status >= 200 && v.Status < 300:
		return nil
	case v.Status == http.StatusUnauthorized || v.Status == http.StatusForbidden || v.Status == http.StatusNotFound:
		return fmt.Errorf("%w: heartbeat: HTTP %d", ErrAuth, v.Status)
	}
	return fmt.Errorf("%w: heartbeat: HTTP %d", ErrTransient, v.Status)
}

// noteClock keeps the clock offset estimate of a verdict that carried the
// backend's time, unless a tighter one is recent (within a minute).
func (u *Uploader) noteClock(v Verdict) {
	off, unc, ok := v.Offset()
	if !ok {
		return
	}
	u.statusMu.Lock()
	defer u.statusMu.Unlock()
	c := u.status.Clock
	if !c.Measured.IsZero() && v.Received.Sub(c.Measured) < time.Minute && c.Uncertainty < unc {
		return
	}
	u.status.Clock = ClockOffset{Offset: off, Uncertainty: unc, Measured: v.Received}
}

// Kick asks Run to upload now (after an Append) instead of at the next interval.
func (u *Uploader) Kick() {
	select {
	case u.kick <- struct{}{}:
	default:
	}
}

// Status returns a snapshot of the uploader's health.
func (u *Uploader) Status() Status {
	u.statusMu.Lock()
	defer u.statusMu.Unlock()
	return u.status
}

// Check returns ErrWedged (with the record and the last error) while the
// uploader is stuck on one record, nil otherwise. An uploader that merely
// cannot reach the backend is not wedged: records wait, as designed.
func (u *Uploader) Check() error {
	st := u.Status()
	switch {
	case st.Rejecting:
		return fmt.Errorf("%w: quarantine budget spent (%d records rejected without an acknowledgement); "+
			"stuck at seq %d: %s", ErrWedged, maxQuarantineRun, st.HeadSeq, st.LastError)
	case st.HeadFailures >= WedgeAfter:
		return fmt.Errorf("%w: seq %d failed %d times: %s", ErrWedged, st.HeadSeq, st.HeadFailures, st.LastError)
	}
	return nil
}

// wedging reports whether err means the backend (or the store) will not
// take the head record, as opposed to the backend being out of reach.
func wedging(err error) bool {
	switch {
	case errors.Is(err, ErrNoProgress), errors.Is(err, ErrRejecting):
		return true
	case errors.Is(err, ErrTransient), errors.Is(err, ErrAuth), errors.Is(err, context.Canceled),
		errors.Is(err, context.DeadlineExceeded):
		return false
	}
	return true // a local failure: reading or quarantining the record
}

func (u *Uploader) noteResult(res Result, err error) {
	u.statusMu.Lock()
	defer u.statusMu.Unlock()
	u.status.Quarantined += len(res.Quarantined)
	if res.AckedThrough > u.status.AckedThrough {
		u.status.AckedThrough = res.AckedThrough
	}
	if err != nil {
		u.status.LastError = err.Error()
		u.status.ConsecutiveFailures++
		u.status.Rejecting = errors.Is(err, ErrRejecting)
		switch {
		case !wedging(err):
		case u.head == u.status.HeadSeq && res.Acked == 0:
			u.status.HeadFailures++
		default:
			u.status.HeadSeq, u.status.HeadFailures = u.head, 1
		}
		if u.status.HeadFailures == WedgeAfter {
			u.log.Error("uplink: wedged on one record", "seq", u.head, "failures", u.status.HeadFailures, "err", err)
		}
		return
	}
	u.status.LastError = ""
	u.status.ConsecutiveFailures = 0
	u.status.LastSuccess = time.Now()
	u.status.HeadSeq, u.status.HeadFailures, u.status.Rejecting = 0, 0, false
}

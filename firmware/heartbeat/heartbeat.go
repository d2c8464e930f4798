// Package heartbeat owns the device's inventory snapshot (issue 22.4): what
// a backend needs to tell a dead device from an idle one and to send a
// technician with the right part — firmware version, uptime, each device's
// health, printer paper, store fill, upload queue, last successful upload
// and clock offset — and the loop that sends it at an interval over the
// uplink's transport (docs/PROTOCOL.md, "Heartbeat").
//
// It reads the store and the uploader through small interfaces and the
// devices' health through Devices, which the kiosk wiring fills (a Board).
// It carries no personal data: counts, states and versions only.
//
// It may import firmware/store, firmware/uplink and firmware/buildinfo; it
// must not import flows, drivers or UI code.
package heartbeat

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/kiosk06/kiosk/firmware/buildinfo"
	"github.com/kiosk06/kiosk/firmware/store"
	"github.com/kiosk06/kiosk/firmware/uplink"
)

// Device states.
const (
	StateOK      = "ok"      // the last probe or operation succeeded
	StateFault   = "fault"   // it failed: Detail says how
	StateUnknown = "unknown" // configured, not probed yet
)

// Device is one device's health as its driver or monitor last saw it.
type Device struct {
	Role    string    `json:"role"`   // the [devices.ROLE] name: nfc, scanner, printer …
	Driver  string    `json:"driver"` // pn532-uart, escpos …
	State   string    `json:"state"`  // StateOK, StateFault, StateUnknown
	Detail  string    `json:"detail,omitempty"`
	Checked time.Time `json:"checked,omitzero"`
}

// Devices reports the devices' health; the kiosk wiring fills one.
type Devices interface {
	DeviceHealth() []Device
}

// Board is a Devices the components write to: the kiosk registers each
// configured device, and a monitor (the printer's paper poll, say) Sets
// its state. Safe for concurrent use; a nil *Board ignores writes.
type Board struct {
	mu    sync.Mutex
	devs  map[string]Device
	paper string
}

// NewBoard returns an empty board.
func NewBoard() *Board { return &Board{devs: map[string]Device{}} }

// Register adds a configured device in StateUnknown (a later Set wins).
func (b *Board) Register(role, driver string) {
	if b == nil {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if _, ok := b.devs[role]; !ok {
		b.devs[role] = Device{Role: role, Driver: driver, State: StateUnknown}
	}
}

// Set records role's state now.
func (b *Board) Set(role, state, detail string) {
	if b == nil {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	d := b.devs[role]
	d.Role, d.State, d.Detail, d.Checked = role, state, detail, time.Now()
	b.devs[role] = d
}

// State returns role's state (StateUnknown for a role never registered
// or set, and on a nil *Board).
func (b *Board) State(role string) string {
	if b == nil {
		return StateUnknown
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if d, ok := b.devs[role]; ok && d.State != "" {
		return d.State
	}
	return StateUnknown
}

// SetPaper records the receipt printer's paper state (ok, near_end, end,
// cover_open, offline).
func (b *Board) SetPaper(state string) {
	if b == nil {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.paper = state
}

// DeviceHealth implements Devices, by role.
func (b *Board) DeviceHealth() []Device {
	if b == nil {
		return nil
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	out := make([]Device, 0, len(b.devs))
	for _, d := range b.devs {
		out = append(out, d)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Role < out[j].Role })
	return out
}

// Paper returns the printer's paper state ("" when no printer reported).
func (b *Board) Paper() string {
	if b == nil {
		return ""
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.paper
}

// Snapshot is the heartbeat document (docs/PROTOCOL.md, "Heartbeat").
type Snapshot struct {
	DeviceID      string   `json:"device_id"`
	Time          string   `json:"time"` // device clock, RFC 3339 with nanoseconds
	Profile       string   `json:"profile,omitempty"`
	Version       string   `json:"version"`
	Commit        string   `json:"commit"`
	UptimeS       float64  `json:"uptime_s"`                  // since the process started
	SystemUptimeS float64  `json:"system_uptime_s,omitempty"` // since boot (/proc/uptime)
	Devices       []Device `json:"devices"`                   // by role
	PrinterPaper  string   `json:"printer_paper,omitempty"`   // ok, near_end, end, cover_open, offline
	Store         Store    `json:"store"`                     //
	Outbox        Outbox   `json:"outbox"`                    // the upload queue
	Uplink        Uplink   `json:"uplink"`                    //
	ClockOffsetMS *int64   `json:"clock_offset_ms,omitempty"` // backend minus device; absent: not measured yet
	ClockUncertMS *int64   `json:"clock_uncertainty_ms,omitempty"`
	ClockMeasured string   `json:"clock_measured,omitempty"` // device clock of the estimate
	Config        *Config  `json:"config,omitempty"`         // the running configuration (remote configuration)
	Update        *Update  `json:"update,omitempty"`         // signed updates: installed version, last outcome
}

// Update is what the updater (firmware/update) reports: the installed
// package version and how the last update ended.
type Update struct {
	Enabled   bool   `json:"enabled"`             // [update] enabled, with its key
	Installed string `json:"installed,omitempty"` // the kiosk06 package version dpkg has
	Floor     string `json:"floor,omitempty"`     // the last version a trigger applied
	Applying  string `json:"applying,omitempty"`  // a version being installed or gated
	Step      string `json:"step,omitempty"`      // its step
	// Last is the last update's outcome: applied, rolled_back, rejected.
	Last        string `json:"last,omitempty"`
	LastVersion string `json:"last_version,omitempty"`
	LastReason  string `json:"last_reason,omitempty"`
	LastAt      string `json:"last_at,omitempty"`
}

// Config is the running configuration as remote configuration sees it
// (firmware/remoteconfig).
type Config struct {
	RemoteEnabled  bool   `json:"remote_enabled"`            // [remote_config] public_key is set
	SHA256         string `json:"sha256,omitempty"`          // of the configuration file kioskd started with
	AppliedVersion uint64 `json:"applied_version,omitempty"` // the last bundle kept
	AppliedSHA256  string `json:"applied_sha256,omitempty"`
	Trying         uint64 `json:"trying,omitempty"` // a bundle's version being tried
	// Running says which file runs: "base" (the file kioskd was started
	// with) or "managed" (the last bundle, in the data directory).
	Running string `json:"running"`
	// Drift: the running configuration is not the last bundle applied
	// (edited on the device).
	Drift bool `json:"drift"`
}

// Store is the store's fill.
type Store struct {
	Epoch     string  `json:"store_epoch"`
	Fill      float64 `json:"fill"` // 0..1; at 1 new transactions are refused
	FreeBytes int64   `json:"free_bytes"`
	Writable  bool    `json:"writable"`
	Error     string  `json:"error,omitempty"`
}

// Outbox is the upload queue.
type Outbox struct {
	Pending        int64   `json:"pending"`
	OldestPendingS float64 `json:"oldest_pending_s"`
	Quarantined    int64   `json:"quarantined"`
	LastSeq        int64   `json:"last_seq"`
	LastAckedSeq   int64   `json:"last_acked_seq"`
}

// Uplink is the uploader's state.
type Uplink struct {
	Transport           string `json:"transport"`
	LastSuccess         string `json:"last_success,omitempty"` // device clock, RFC 3339
	ConsecutiveFailures int    `json:"consecutive_failures"`
	Wedged              bool   `json:"wedged"`
}

// StoreSource is what the heartbeat reads of the store (*store.Store).
type StoreSource interface {
	DeviceID() string
	Epoch() string
	Capacity() store.Capacity
	Outbox(ctx context.Context) (store.Outbox, error)
	Check() error
}

// UplinkSource is the uploader (*uplink.Uploader): its status, and the
// transport the snapshot goes over.
type UplinkSource interface {
	Status() uplink.Status
	Heartbeat(ctx context.Context, body []byte) error
}

// Options configure a Reporter.
type Options struct {
	Store   StoreSource
	Uplink  UplinkSource
	Devices Devices // nil: no devices reported
	// Paper, if set, reads the printer's paper state (Board.Paper).
	Paper func() string
	// Config, if set, reports the running configuration.
	Config func() *Config
	// Update, if set, reports signed updates.
	Update   func() *Update
	Profile  string
	Build    buildinfo.Info
	Interval time.Duration // default DefaultInterval
	Logger   *slog.Logger
	// Now and SystemUptime replace the clock and /proc/uptime (tests).
	Now          func() time.Time
	SystemUptime func() (time.Duration, bool)
}

// DefaultInterval is how often a heartbeat goes out.
const DefaultInterval = 5 * time.Minute

// Reporter builds and sends snapshots.
type Reporter struct {
	o       Options
	started time.Time
}

// New returns a Reporter; the process start is now.
func New(o Options) *Reporter {
	if o.Interval <= 0 {
		o.Interval = DefaultInterval
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.SystemUptime == nil {
		o.SystemUptime = procUptime
	}
	return &Reporter{o: o, started: o.Now()}
}

// Snapshot builds the current snapshot.
func (r *Reporter) Snapshot(ctx context.Context) Snapshot {
	now := r.o.Now()
	s := Snapshot{DeviceID: r.o.Store.DeviceID(), Time: now.UTC().Format(time.RFC3339Nano), Profile: r.o.Profile,
		Version: r.o.Build.Version, Commit: r.o.Build.Commit, UptimeS: now.Sub(r.started).Seconds(), Devices: []Device{}}
	if up, ok := r.o.SystemUptime(); ok {
		s.SystemUptimeS = up.Seconds()
	}
	if r.o.Devices != nil {
		s.Devices = r.o.Devices.DeviceHealth()
	}
	if r.o.Paper != nil {
		s.PrinterPaper = r.o.Paper()
	}
	if r.o.Config != nil {
		s.Config = r.o.Config()
	}
	if r.o.Update != nil {
		s.Update = r.o.Update()
	}
	c := r.o.Store.Capacity()
	s.Store = Store{Epoch: r.o.Store.Epoch(), Fill: c.Fraction, FreeBytes: c.FreeBytes, Writable: true}
	if err := r.o.Store.Check(); err != nil {
		s.Store.Writable, s.Store.Error = false, err.Error()
	}
	if ob, err := r.o.Store.Outbox(ctx); err == nil {
		s.Outbox = Outbox{Pending: ob.Pending, OldestPendingS: ob.OldestPendingS, Quarantined: ob.Quarantined,
			LastSeq: int64(ob.LastSeq), LastAckedSeq: int64(ob.LastAckedSeq)}
	}
	if r.o.Uplink != nil {
		st := r.o.Uplink.Status()
		s.Uplink = Uplink{Transport: st.Transport, ConsecutiveFailures: st.ConsecutiveFailures, Wedged: st.Wedged()}
		if !st.LastSuccess.IsZero() {
			s.Uplink.LastSuccess = st.LastSuccess.UTC().Format(time.RFC3339)
		}
		if c := st.Clock; !c.Measured.IsZero() {
			off, unc := c.Offset.Milliseconds(), c.Uncertainty.Milliseconds()
			s.ClockOffsetMS, s.ClockUncertMS = &off, &unc
			s.ClockMeasured = c.Measured.UTC().Format(time.RFC3339)
		}
	}
	return s
}

// Send builds one snapshot and sends it over the uplink.
func (r *Reporter) Send(ctx context.Context) error {
	body, err := json.Marshal(r.Snapshot(ctx))
	if err != nil {
		return fmt.Errorf("heartbeat: encode: %w", err)
	}
	if err := r.o.Uplink.Heartbeat(ctx, body); err != nil {
		return fmt.Errorf("heartbeat: send: %w", err)
	}
	return nil
}

// Run sends a heartbeat shortly after start (firstAfter) and then every
// Interval until ctx ends; a failed one is retried after a tenth of the
// interval (at least 10 s), so a device back online reports soon.
func (r *Reporter) Run(ctx context.Context, firstAfter time.Duration) error {
	t := time.NewTimer(firstAfter)
	defer t.Stop()
	failing := false
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		}
		next := r.o.Interval
		if err := r.Send(ctx); err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			if !failing {
				r.o.Logger.Warn("heartbeat not sent", "err", err)
			}
			failing = true
			next = max(r.o.Interval/10, 10*time.Second)
			next = min(next, r.o.Interval)
		} else if failing {
			failing = false
			r.o.Logger.Info("heartbeat sent again")
		}
		t.Reset(next)
	}
}

// procUptime reads the system uptime from /proc/uptime.
func procUptime() (time.Duration, bool) {
	raw, err := os.ReadFile("/proc/uptime")
	if err != nil {
		return 0, false
	}
	f := strings.Fields(string(raw))
	if len(f) == 0 {
		return 0, false
	}
	s, err := strconv.ParseFloat(f[0], 64)
	if err != nil {
		return 0, false
	}
	return time.Duration(s * float64(time.Second)), true
}

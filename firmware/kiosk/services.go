package kiosk

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/kiosk06/kiosk/firmware/buildinfo"
	"github.com/kiosk06/kiosk/firmware/config"
	"github.com/kiosk06/kiosk/firmware/downlink"
	"github.com/kiosk06/kiosk/firmware/heartbeat"
	"github.com/kiosk06/kiosk/firmware/metrics"
	"github.com/kiosk06/kiosk/firmware/store"
	"github.com/kiosk06/kiosk/firmware/uplink"
)

// openStore opens the durable store and exposes its backlog, fill level,
// free space, failed appends and epoch. The sealing key is the systemd
// credential seal.key when the unit passes one ($CREDENTIALS_DIRECTORY),
// else [store] key_file. A store that must not be opened (sealing key lost
// or replaced, damaged or rolled-back database) stops the start with the
// command that recovers it.
func openStore(ctx context.Context, cfg *config.Config, getenv func(string) string, m *metrics.Metrics, log *slog.Logger) (*store.Store, error) {
	keyPath, credential := cfg.Store.KeyPath(getenv("CREDENTIALS_DIRECTORY"))
	switch {
	case credential:
		log.Info("store: sealing key from the systemd credential", "credential", config.CredentialName)
	case cfg.KeyInDataDir() && !cfg.Sim:
		log.Warn("store: the sealing key is inside the data directory: a copy of it opens the personal fields; "+
			"pass it as the systemd credential seal.key (OPERATIONS.md, Security model)", "key_file", keyPath)
	}
	st, err := store.Open(ctx, store.Options{
		Path: cfg.Store.Path, KeyFile: keyPath, DeviceID: cfg.Device.ID,
		MaxRecords: cfg.Store.MaxRecords, Retention: cfg.Store.Retention.D(),
		MinFreeBytes: int64(cfg.Store.MinFreeMB) << 20, Logger: log, KeyProvisioned: credential,
		ClockFloor: clockFloor(),
		OnAppend: func(kind string, took time.Duration, err error) {
			m.Observe(metrics.OpStoreAppend, took)
			if err == nil {
				m.Transactions.WithLabelValues(kind).Inc()
			}
		},
	})
	if err != nil {
		err = fmt.Errorf("kiosk: store: %w%s", err, recovery(err, cfg.File))
		if store.Refused(err) {
			// The unit's ExecCondition (kioskd diag store condition) reads
			// it and stops the unit instead of restarting it.
			if werr := store.WriteRefusalNote(cfg.Store.Path, err.Error()); werr != nil {
				log.Error("store: could not write the refusal note", "err", werr)
			}
		}
		return nil, err
	}
	outbox := func() store.Outbox {
		qctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		o, _ := st.Outbox(qctx)
		return o
	}
	b2f := func(b bool) float64 {
		if b {
			return 1
		}
		return 0
	}
	_ = m.Gauge("outbox_pending_records", "Records not yet acknowledged by the backend.", func() float64 { return float64(outbox().Pending) })
	_ = m.Gauge("outbox_oldest_pending_seconds", "Age of the oldest record awaiting upload.", func() float64 { return outbox().OldestPendingS })
	_ = m.Gauge("outbox_quarantined_records", "Records the backend rejected (kept, never resent).", func() float64 { return float64(outbox().Quarantined) })
	_ = m.Gauge("outbox_quarantine_run", "Records quarantined since the last acknowledgement (the uploader stops at 10; survives restarts).", func() float64 { return float64(outbox().QuarantineRun) })
	_ = m.Gauge("store_fill_ratio", "The larger of unuploaded records against the cap and the data file system's use above the reserve (refuses new work at 1).", func() float64 { return st.Capacity().Fraction })
	_ = m.Gauge("store_free_bytes", "Bytes the store can still write: free on the data file system plus free pages inside the database.", func() float64 { return float64(st.Capacity().FreeBytes) })
	_ = m.Gauge("clock_plausible", "1 while the wall clock reads after this build's commit and the newest record (less an hour); 0 refuses new records until the time is set.", func() float64 { return b2f(st.ClockCheck() == nil) })
	_ = m.Gauge("store_writable", "1 while the store takes new records (not full, last write committed).", func() float64 { return b2f(st.Check() == nil) })
	_ = m.Counter("store_appends_refused_full_total", "Appends refused because the store or the disk was full.", func() float64 { return float64(st.Health().AppendsRefusedFull) })
	_ = m.Counter("store_appends_failed_total", "Appends that failed to write (I/O error, read-only or damaged file).", func() float64 { return float64(st.Health().AppendsFailed) })
	_ = m.Gauge("store_epoch_reset", "1 if this database started empty where another store epoch of the device existed (records of that epoch not uploaded are lost).", func() float64 {
		_, reset := st.EpochReset()
		return b2f(reset)
	})
	// A store that cannot write may come back after a restart (a transient
	// I/O error): it stops the watchdog. A full store would not: it is an
	// alert, and the kiosk keeps serving what needs no new record.
	m.HealthCheck("store", func() error {
		if err := st.Check(); err != nil && !errors.Is(err, store.ErrFull) {
			return err
		}
		return nil
	})
	m.Alert("store_full", func() error {
		if err := st.Check(); errors.Is(err, store.ErrFull) {
			return err
		}
		return nil
	})
	log.Info("store open", "path", cfg.Store.Path, "epoch", st.Epoch())
	return st, nil
}

// recovery names the way out of a store refusal, for the error that stops
// the start (the refusal note, which the unit's ExecCondition shows, has it
// too).
func recovery(err error, cfgFile string) string {
	if cfgFile == "" || cfgFile == "embedded" {
		cfgFile = "FILE"
	}
	switch {
	case errors.Is(err, store.ErrKeyLost), errors.Is(err, store.ErrKeyMismatch):
		return fmt.Sprintf("; kioskd will not start: put the right key back (OPERATIONS.md, Security model), "+
			"or set aside what it cannot open and let the rest flow with: kioskd diag store quarantine-unreadable --config %s", cfgFile)
	case errors.Is(err, store.ErrCorrupt), errors.Is(err, store.ErrRolledBack):
		return fmt.Sprintf("; kioskd will not start: recover every readable record into a new store epoch with: "+
			"kioskd diag store salvage --config %s (OPERATIONS.md, Lost or corrupt database)", cfgFile)
	}
	return ""
}

// uplinkToken reads the bearer token from the config or its file.
func uplinkToken(u config.Uplink) (string, error) {
	if u.TokenFile == "" {
		return u.Token, nil
	}
	b, err := os.ReadFile(u.TokenFile)
	if err != nil {
		return "", fmt.Errorf("kiosk: uplink token: %w", err)
	}
	return strings.TrimSpace(string(b)), nil
}

// startUplink starts the store-and-forward uploader over the configured
// transport (HTTPS or MQTT, whose downlink messages go to down) and the
// heartbeat, which reports board's device health, in the background.
func startUplink(ctx context.Context, cfg *config.Config, st *store.Store, m *metrics.Metrics, board *heartbeat.Board,
	down *downlink.Mux, confStatus func() *heartbeat.Config, updStatus func() *heartbeat.Update, log *slog.Logger) (component, error) {
	token, err := uplinkToken(cfg.Uplink)
	if err != nil {
		return component{}, err
	}
	build := buildinfo.Get(false)
	o := uplink.Options{
		BaseURL: cfg.Uplink.BaseURL, Token: token, ClientCert: cfg.Uplink.ClientCert, ClientKey: cfg.Uplink.ClientKey,
		CAFile: cfg.Uplink.CAFile, Interval: cfg.Uplink.Interval.D(), Timeout: cfg.Uplink.Timeout.D(), Logger: log,
		Downlink: down, Version: build.Version,
		OnPost: func(took time.Duration, c uplink.PostClass) {
			if c == uplink.PostAcked {
				m.Observe(metrics.OpUpload, took)
				return
			}
			m.UplinkErrors.WithLabelValues(string(c)).Inc()
		},
	}
	if cfg.Uplink.Transport == config.TransportMQTT {
		o.BaseURL, o.BrokerURL = "", cfg.Uplink.BrokerURL
	}
	up, err := uplink.New(st, o)
	if err != nil {
		return component{}, fmt.Errorf("kiosk: uplink: %w", err)
	}
	_ = m.Gauge("uplink_consecutive_failures", "Upload attempts failed in a row.", func() float64 { return float64(up.Status().ConsecutiveFailures) })
	_ = m.Gauge("uplink_wedged", "1 while the uploader cannot get past one record although the backend answers (or its quarantine budget is spent).", func() float64 {
		if up.Status().Wedged() {
			return 1
		}
		return 0
	})
	_ = m.Gauge("clock_offset_seconds", "Backend clock minus this device's clock, estimated from the backend's replies (0 until measured).", func() float64 {
		return up.Status().Clock.Offset.Seconds()
	})
	// Records wait on the device while it is wedged; a restart would not
	// move the record, so this is an alert, not a watchdog matter.
	m.Alert("uplink", up.Check)
	hb := heartbeat.New(heartbeat.Options{Store: st, Uplink: up, Devices: board, Paper: board.Paper, Config: confStatus, Update: updStatus,
		Profile: cfg.Device.Profile, Build: build, Interval: cfg.Uplink.HeartbeatInterval.D(), Logger: log})
	rctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{}, 2)
	go func() {
		defer func() { done <- struct{}{} }()
		if err := up.Run(rctx); err != nil && !errors.Is(err, context.Canceled) {
			log.Error("uplink stopped", "err", err)
		}
	}()
	go func() {
		defer func() { done <- struct{}{} }()
		_ = hb.Run(rctx, 2*time.Second) // first after the transport had a moment to connect
	}()
	log.Info("uplink started", "transport", up.Status().Transport, "heartbeat_interval", cfg.Uplink.HeartbeatInterval.D())
	return component{"uplink", func(sctx context.Context) error {
		cancel()
		for range 2 {
			select {
			case <-done:
			case <-sctx.Done():
			}
		}
		return up.Close()
	}}, nil
}

// startPurge deletes acknowledged records past retention every hour, and
// probes the store: every 5 minutes while it writes, every 10 s once a
// write failed, so a store that cannot write is noticed without waiting
// for a customer and cleared as soon as it writes again.
func startPurge(ctx context.Context, st *store.Store, log *slog.Logger) component {
	rctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		purge := time.NewTicker(time.Hour)
		defer purge.Stop()
		probe := time.NewTimer(0)
		defer probe.Stop()
		doPurge := func() {
			if n, err := st.Purge(rctx); err != nil && rctx.Err() == nil {
				log.Warn("purge", "err", err)
			} else if n > 0 {
				log.Info("purged acknowledged records past retention", "records", n)
			}
		}
		doPurge()
		for {
			select {
			case <-rctx.Done():
				return
			case <-purge.C:
				doPurge()
			case <-probe.C:
				next := 5 * time.Minute
				if err := st.Probe(rctx); err != nil && rctx.Err() == nil {
					log.Error("store: probe write failed", "err", err)
					next = 10 * time.Second
				} else if st.Health().LastWriteError != "" {
					next = 10 * time.Second
				}
				probe.Reset(next)
			}
		}
	}()
	return component{"purge", func(context.Context) error { cancel(); <-done; return nil }}
}

// clockFloor is the earliest plausible wall clock this build knows: its
// commit time, or the first day of this firmware line when the go command
// stamped none (a build outside git). A board without a real-time clock
// boots in 1970 and is refused by the store until NTP sets the time.
func clockFloor() time.Time {
	if t := buildinfo.Get(false).Time; !t.IsZero() {
		return t
	}
	return time.Date(2026, time.January, 1, 0, 0, 0, 0, time.UTC)
}

package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"

	"github.com/kiosk06/kiosk/firmware/config"
	"github.com/kiosk06/kiosk/firmware/store"
)

// exitTransient is `diag store check`'s and `condition`'s answer for a
// failure that may pass (database busy, I/O error, a config error that
// ExecStartPre reports): as the unit's ExecCondition it fails the start, so
// systemd retries, where exit 1 (a refusal) stops the unit.
const exitTransient = 255

// storeFlags selects a store: from the device's config (--config: the
// database path, the device id and the sealing key — the systemd credential
// when run under the unit, else key_file) or a database file (--db, key
// <db>.key unless --key).
type storeFlags struct {
	config, db, key, device string
}

func addStoreFlags(fs *flag.FlagSet) *storeFlags {
	f := &storeFlags{}
	fs.StringVar(&f.config, "config", "", "the device's configuration (database, device id and sealing key from it)")
	fs.StringVar(&f.db, "db", "", "store database file (instead of --config)")
	fs.StringVar(&f.key, "key", "", "sealing key file (default: from --config, else <db>.key)")
	fs.StringVar(&f.device, "device-id", "", "device id (default: the database's)")
	return f
}

// options resolves the flags into store options.
func (f *storeFlags) options(e *env) (store.Options, error) {
	o := store.Options{Path: f.db, KeyFile: f.key, DeviceID: f.device,
		Logger: slog.New(slog.NewTextHandler(e.stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))}
	if f.config != "" {
		cfg, err := config.Load(f.config, e.registry().Config(false))
		if err != nil {
			return o, err
		}
		if o.Path == "" {
			o.Path = cfg.Store.Path
		}
		if o.KeyFile == "" {
			o.KeyFile, _ = cfg.Store.KeyPath(e.getenv("CREDENTIALS_DIRECTORY"))
		}
		if o.DeviceID == "" {
			o.DeviceID = cfg.Device.ID
		}
		o.MaxRecords, o.Retention = cfg.Store.MaxRecords, cfg.Store.Retention.D()
		o.MinFreeBytes = int64(cfg.Store.MinFreeMB) << 20
	}
	if o.Path == "" {
		return o, errors.New("--config or --db is required")
	}
	if o.KeyFile == "" {
		o.KeyFile = o.Path + ".key"
	}
	return o, nil
}

// diagStore is `kioskd diag store check|salvage|quarantine-unreadable`.
func diagStore(ctx context.Context, e *env, args []string) int {
	return subcommand(ctx, e, "kioskd diag store", "check and recover the transaction store", []command{
		{"check", "check --config FILE: can kioskd open its store? exit 0 yes, 1 refused (needs a technician), 255 try again; clears an earlier refusal once the store opens", diagStoreCheck},
		{"condition", "condition --config FILE: the unit's ExecCondition: exit 1 while a refusal or damage note stands (no key needed), else 0", diagStoreCondition},
		{"salvage", "salvage --config FILE: move a damaged or rolled-back database aside and re-home every readable record into a new store epoch", diagStoreSalvage},
		{"quarantine-unreadable", "quarantine-unreadable --config FILE [--key NEW]: set aside what the sealing key cannot open, let the rest flow", diagStoreQuarantineUnreadable},
	}, args)
}

// diagStoreCheck opens and closes the store, for a technician: run as root
// it reads the key from key_file (or from $CREDENTIALS_DIRECTORY under
// systemd-run), and a store that opens clears the refusal note that stops
// the unit.
func diagStoreCheck(ctx context.Context, e *env, args []string) int {
	fs := newFlags(e, "store check", "kioskd diag store check --config FILE | --db PATH [--key FILE]")
	f := addStoreFlags(fs)
	if code, ok := parseFlags(fs, e, args); !ok {
		return code
	}
	if fs.NArg() != 0 {
		fs.Usage()
		return exitUsage
	}
	o, err := f.options(e)
	if err != nil {
		// A config error is for ExecStartPre's `config check` to report;
		// as the unit's ExecCondition this must not stop the unit for good.
		return failf(e, exitTransient, "diag store check: %v", err)
	}
	defer matchOwner(o.Path)
	s, err := store.Open(ctx, o)
	if err != nil {
		code := exitTransient
		if store.Refused(err) {
			code = exitFailure
		}
		return failf(e, code, "diag store check: %v%s", err, storeRecovery(err, f))
	}
	defer s.Close()
	ob, err := s.Outbox(ctx)
	if err != nil {
		return failf(e, exitTransient, "diag store check: %v", err)
	}
	h := s.Health()
	out := struct {
		store.Outbox
		FreeBytes  int64   `json:"free_bytes"`
		FillRatio  float64 `json:"fill_ratio"`
		EpochReset bool    `json:"epoch_reset"`
		Writable   string  `json:"refuses_new_records,omitempty"`
	}{Outbox: ob, FreeBytes: h.FreeBytes, FillRatio: h.Fraction}
	_, out.EpochReset = s.EpochReset()
	if err := s.Check(); err != nil {
		out.Writable = err.Error()
	}
	return printStoreJSON(e, out)
}

// diagStoreCondition is the unit's ExecCondition. systemd runs it before it
// sets up the unit's credentials, so it cannot check the key: it reports
// the notes kioskd leaves beside the database when it refused it (and the
// damage note), so that a store kioskd must not open stops the unit after
// one failed start instead of a restart every 2 s.
func diagStoreCondition(ctx context.Context, e *env, args []string) int {
	fs := newFlags(e, "store condition", "kioskd diag store condition --config FILE | --db PATH")
	f := addStoreFlags(fs)
	if code, ok := parseFlags(fs, e, args); !ok {
		return code
	}
	if fs.NArg() != 0 {
		fs.Usage()
		return exitUsage
	}
	o, err := f.options(e)
	if err != nil {
		return failf(e, exitTransient, "diag store condition: %v", err)
	}
	notes, err := store.Notes(o.Path)
	if err != nil {
		return failf(e, exitTransient, "diag store condition: %v", err)
	}
	if notes == "" {
		return exitOK
	}
	return failf(e, exitFailure, "diag store condition: kioskd refused its store; it will not start until a technician acts "+
		"(OPERATIONS.md, Security model):\n%s\nafter fixing it: kioskd diag store check %s (clears the refusal), then systemctl start kioskd",
		notes, f.target())
}

// target is how the store was named on the command line.
func (f *storeFlags) target() string {
	if f.config != "" {
		return "--config " + f.config
	}
	return "--db " + f.db
}

// storeRecovery names the command that recovers from a refusal.
func storeRecovery(err error, f *storeFlags) string {
	target := f.target()
	switch {
	case errors.Is(err, store.ErrKeyLost), errors.Is(err, store.ErrKeyMismatch):
		return "\nput the right sealing key back, or set aside what this key cannot open: kioskd diag store quarantine-unreadable " + target
	case errors.Is(err, store.ErrCorrupt), errors.Is(err, store.ErrRolledBack):
		return "\nre-home every readable record into a new store epoch: kioskd diag store salvage " + target
	}
	return ""
}

// diagStoreSalvage is the way out of a damaged or rolled-back database.
func diagStoreSalvage(ctx context.Context, e *env, args []string) int {
	fs := newFlags(e, "store salvage", "kioskd diag store salvage --config FILE | --db PATH [--key FILE] [--reason TEXT]")
	f := addStoreFlags(fs)
	reason := fs.String("reason", "database damaged or rolled back", "why (goes to the backend in the store.salvage record)")
	if code, ok := parseFlags(fs, e, args); !ok {
		return code
	}
	if fs.NArg() != 0 {
		fs.Usage()
		return exitUsage
	}
	o, err := f.options(e)
	if err != nil {
		return failf(e, exitUsage, "diag store salvage: %v", err)
	}
	defer matchOwner(o.Path)
	rep, err := store.Salvage(ctx, o, *reason)
	if err != nil {
		return failf(e, exitFailure, "diag store salvage: %v", err)
	}
	fmt.Fprintf(e.stderr, "kioskd: salvaged %d records into store epoch %s (%d lost); old files kept at %s\n",
		rep.Rehomed, rep.Epoch, rep.Lost(), rep.AsidePath)
	return printStoreJSON(e, rep)
}

// diagStoreQuarantineUnreadable is the way out of a lost or replaced key.
func diagStoreQuarantineUnreadable(ctx context.Context, e *env, args []string) int {
	fs := newFlags(e, "store quarantine-unreadable", "kioskd diag store quarantine-unreadable --config FILE | --db PATH [--key FILE]")
	f := addStoreFlags(fs)
	if code, ok := parseFlags(fs, e, args); !ok {
		return code
	}
	if fs.NArg() != 0 {
		fs.Usage()
		return exitUsage
	}
	o, err := f.options(e)
	if err != nil {
		return failf(e, exitUsage, "diag store quarantine-unreadable: %v", err)
	}
	defer matchOwner(o.Path)
	o.KeyRecovery = true
	s, err := store.Open(ctx, o)
	if err != nil {
		return failf(e, exitFailure, "diag store quarantine-unreadable: %v", err)
	}
	defer s.Close()
	u, err := s.QuarantineUnreadable(ctx)
	if err != nil {
		return failf(e, exitFailure, "diag store quarantine-unreadable: %v", err)
	}
	fmt.Fprintf(e.stderr, "kioskd: %d records and %d values set aside; the store is bound to %s\n", u.Records, u.Values, o.KeyFile)
	return printStoreJSON(e, u)
}

// diagOutboxRelease is `kioskd diag outbox release`: quarantined records
// back to the outbox, and the quarantine budget restored.
func diagOutboxRelease(ctx context.Context, e *env, args []string) int {
	fs := newFlags(e, "outbox release", "kioskd diag outbox release --config FILE | --db PATH [--key FILE] (--seq N[,N…] | --all)")
	f := addStoreFlags(fs)
	seqList := fs.String("seq", "", "quarantined seqs to release, comma separated")
	all := fs.Bool("all", false, "release every quarantined record")
	if code, ok := parseFlags(fs, e, args); !ok {
		return code
	}
	if fs.NArg() != 0 || (*seqList == "") == !*all {
		fs.Usage()
		return exitUsage
	}
	var seqs []store.Seq
	for _, v := range strings.Split(*seqList, ",") {
		if v = strings.TrimSpace(v); v == "" {
			continue
		}
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n <= 0 {
			return failf(e, exitUsage, "diag outbox release: --seq %q: want positive numbers", v)
		}
		seqs = append(seqs, store.Seq(n))
	}
	o, err := f.options(e)
	if err != nil {
		return failf(e, exitUsage, "diag outbox release: %v", err)
	}
	defer matchOwner(o.Path)
	if _, err := os.Stat(o.Path); err != nil {
		return failf(e, exitFailure, "diag outbox release: %v", err)
	}
	s, err := store.Open(ctx, o)
	if err != nil {
		return failf(e, exitFailure, "diag outbox release: %v%s", err, storeRecovery(err, f))
	}
	defer s.Close()
	r, err := s.Release(ctx, seqs)
	if err != nil {
		return failf(e, exitFailure, "diag outbox release: %v", err)
	}
	if len(r.Unreadable) > 0 {
		fmt.Fprintf(e.stderr, "kioskd: %d records stay quarantined: their personal fields cannot be unsealed\n", len(r.Unreadable))
	}
	return printStoreJSON(e, r)
}

// matchOwner gives the store's files back to the owner of their directory
// when a tool ran as root: `sudo kioskd diag …` on /var/lib/kiosk06 must not
// leave a -wal, -shm or lock file that the kiosk06 service cannot open.
func matchOwner(db string) {
	if os.Geteuid() != 0 {
		return
	}
	dir, err := os.Stat(filepath.Dir(db))
	if err != nil {
		return
	}
	st, ok := dir.Sys().(*syscall.Stat_t)
	if !ok || st.Uid == 0 {
		return
	}
	files, _ := filepath.Glob(db + "*")
	for _, f := range files {
		if fi, err := os.Lstat(f); err == nil {
			if fst, ok := fi.Sys().(*syscall.Stat_t); ok && fst.Uid == 0 {
				_ = os.Lchown(f, int(st.Uid), int(st.Gid))
			}
		}
	}
}

package main

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"strings"
	"time"

	"github.com/kiosk06/kiosk/firmware/config"
	"github.com/kiosk06/kiosk/firmware/logging"
	"github.com/kiosk06/kiosk/firmware/records"
	"github.com/kiosk06/kiosk/firmware/store"
	"github.com/kiosk06/kiosk/firmware/update"
)

// defaultConfig is the packaged configuration file.
const defaultConfig = "/etc/kiosk06/kiosk.toml"

// installedKioskd is the binary the health gate's selftest runs: the
// version just installed, not this process (the old one, still running).
const installedKioskd = "/usr/bin/kioskd"

func cmdUpdate(ctx context.Context, e *env, args []string) int {
	return subcommand(ctx, e, "kioskd update", "signed updates (OPERATIONS.md, Updates)", []command{
		{"apply", "apply [--config FILE]: install the trigger kioskd took, health-gate it, roll back on failure (root; what kiosk06-update.service runs)", cmdUpdateApply},
		{"status", "status [--config FILE] [--json]: installed version, update in progress, floor, versions rolled back, last outcome", cmdUpdateStatus},
		{"trigger", "trigger [--config FILE] [--now] TRIGGER: take a signed trigger file as the downlink would, then start the updater (root)", cmdUpdateTrigger},
		{"rollback", "rollback [--config FILE]: reinstall the kept previous version and mark the installed one bad (root)", cmdUpdateRollback},
		{"keygen", "keygen --out FILE: a new trigger signing key (operator side); prints the public key for [update] public_key_file", cmdUpdateKeygen},
		{"sign", "sign --key FILE --version V --stage PCT [--valid 72h] [--devices A,B]: print a signed trigger for down/update (operator side)", cmdUpdateSign},
	}, args)
}

// updateFlags is the flag set of `kioskd update NAME` with its --config.
func updateFlags(e *env, name, synopsis string) (*flag.FlagSet, *string) {
	fs := newFlags(e, "update "+name, synopsis)
	return fs, fs.String("config", defaultConfig, "configuration file (TOML)")
}

// updateConfig parses args with fs and loads the configuration; a nil
// config comes with the exit code to return.
func updateConfig(e *env, fs *flag.FlagSet, path *string, args []string) (*config.Config, int) {
	if code, ok := parseFlags(fs, e, args); !ok {
		return nil, code
	}
	return loadRunningConfig(e, *path)
}

// updater builds the updater of cfg: apt and dpkg, the unit's state and
// the installed kioskd's selftest as the gate, the store when kioskd does
// not hold it.
func updater(e *env, cfg *config.Config) (*update.Updater, error) {
	key, err := update.LoadKey(cfg.Update.PublicKeyFile)
	if err != nil && cfg.Update.Enabled {
		return nil, err
	}
	log := logging.New(e.stderr, cfg.Log)
	return update.NewUpdater(update.Options{
		DeviceID: cfg.Device.ID, DataDir: cfg.Device.DataDir, StateDir: cfg.Update.StateDir, Key: key,
		HealthTimeout: cfg.Update.HealthTimeout.D(),
		Installer:     update.System{SourcesFile: cfg.Update.SourcesFile()},
		Checks: []update.Check{update.UnitActive{Unit: "kioskd.service"},
			update.Selftest{Kioskd: installedKioskd, Config: cfg.File, DataDir: cfg.Device.DataDir, SkipDevices: true}},
		OpenStore: func(ctx context.Context) (records.Appender, func() error, []string, error) {
			return openUpdaterStore(ctx, cfg, log)
		},
		Log: log,
	}), nil
}

// openUpdaterStore opens the device's store for the updater's records:
// only an existing one (a new database is kioskd's to make), and only
// when kioskd does not hold it (the store's lock). It returns the files
// the store may have created, for the updater to hand back to kioskd's
// user.
func openUpdaterStore(ctx context.Context, cfg *config.Config, log *slog.Logger) (records.Appender, func() error, []string, error) {
	p := cfg.Store.Path
	if _, err := os.Stat(p); err != nil {
		return nil, nil, nil, fmt.Errorf("no store yet: %w", err)
	}
	st, err := store.Open(ctx, store.Options{Path: p, KeyFile: cfg.Store.KeyFile, DeviceID: cfg.Device.ID, KeyProvisioned: true, Logger: log})
	if err != nil {
		return nil, nil, nil, err
	}
	return st, st.Close, []string{p, p + "-wal", p + "-shm", p + ".lock", p + ".epoch"}, nil
}

func cmdUpdateApply(ctx context.Context, e *env, args []string) int {
	fs, path := updateFlags(e, "apply", "kioskd update apply [--config FILE]")
	cfg, code := updateConfig(e, fs, path, args)
	if cfg == nil {
		return code
	}
	if fs.NArg() != 0 {
		return failf(e, exitUsage, "update apply: unexpected %q", fs.Arg(0))
	}
	if !cfg.Update.Enabled {
		fmt.Fprintln(e.stdout, "updates are off ([update] enabled = false): nothing to do")
		return exitOK
	}
	u, err := updater(e, cfg)
	if err != nil {
		return failf(e, exitFailure, "update apply: %v", err)
	}
	ctx, stop := signalContext(ctx)
	defer stop()
	res, err := u.Apply(ctx)
	if err != nil {
		return failf(e, exitFailure, "update apply: %v", err)
	}
	printResult(e, res)
	if res.Outcome == update.OutcomeRolledBack {
		return exitFailure
	}
	return exitOK
}

func printResult(e *env, r update.Result) {
	switch r.Outcome {
	case "":
		fmt.Fprintln(e.stdout, "nothing to do")
	case update.OutcomeApplied:
		fmt.Fprintf(e.stdout, "applied %s\n", r.Version)
	default:
		what := strings.ReplaceAll(r.Outcome, "_", " ")
		if r.Version != "" {
			what += " " + r.Version
		}
		fmt.Fprintf(e.stdout, "%s: %s: %s\n", what, r.Reason, r.Detail)
	}
}

func cmdUpdateStatus(ctx context.Context, e *env, args []string) int {
	fs, path := updateFlags(e, "status", "kioskd update status [--config FILE] [--json]")
	asJSON := fs.Bool("json", false, "print JSON")
	cfg, code := updateConfig(e, fs, path, args)
	if cfg == nil {
		return code
	}
	s, err := update.ReadStatus(cfg.Device.DataDir, cfg.Update.StateDir)
	if err != nil {
		return failf(e, exitFailure, "update status: %v", err)
	}
	installed, _ := update.System{}.Installed(ctx)
	if *asJSON {
		out, _ := json.Marshal(struct {
			Enabled   bool   `json:"enabled"`
			Installed string `json:"installed"`
			update.Status
		}{cfg.Update.Enabled, installed, s})
		fmt.Fprintln(e.stdout, string(out))
		return exitOK
	}
	fmt.Fprintf(e.stdout, "enabled    %v\ninstalled  %s\nfloor      %s\n", cfg.Update.Enabled, installed, s.Floor)
	if a := s.Applying; a != nil {
		fmt.Fprintf(e.stdout, "applying   %s (from %s), step %s since %s\n", a.Version, a.From, a.Step, a.Started)
	}
	if len(s.Bad) > 0 {
		fmt.Fprintf(e.stdout, "bad        %s (rolled back: never installed again by a trigger)\n", strings.Join(s.Bad, ", "))
	}
	if l := s.Last; l != nil {
		fmt.Fprintf(e.stdout, "last       %s %s %s at %s\n", l.Outcome, l.Version, l.Reason, l.At)
	}
	fmt.Fprintf(e.stdout, "waiting    %d record(s) for the store\n", s.Waiting)
	return exitOK
}

func cmdUpdateTrigger(ctx context.Context, e *env, args []string) int {
	fs, path := updateFlags(e, "trigger", "kioskd update trigger [--config FILE] [--now] TRIGGER")
	now := fs.Bool("now", false, "run the updater in this process instead of starting kiosk06-update.service")
	cfg, code := updateConfig(e, fs, path, args)
	if cfg == nil {
		return code
	}
	if fs.NArg() != 1 {
		return failf(e, exitUsage, "update trigger: want one trigger file")
	}
	body, err := os.ReadFile(fs.Arg(0))
	if err != nil {
		return failf(e, exitUsage, "update trigger: %v", err)
	}
	var key ed25519.PublicKey
	if cfg.Update.Enabled {
		if key, err = update.LoadKey(cfg.Update.PublicKeyFile); err != nil {
			return failf(e, exitFailure, "update trigger: %v", err)
		}
	}
	installed, _ := update.System{}.Installed(ctx)
	recv := update.NewReceiver(update.ReceiverOptions{DeviceID: cfg.Device.ID, DataDir: cfg.Device.DataDir, StateDir: cfg.Update.StateDir,
		Key: key, Installed: installed, Recorder: update.QueueRecorder{StateDir: cfg.Update.StateDir},
		Log: slog.New(slog.DiscardHandler)})
	o, err := recv.Take(ctx, body)
	switch {
	case errors.Is(err, update.ErrCurrent):
		fmt.Fprintf(e.stdout, "%s is installed already: nothing to do\n", o.Version)
		return exitOK
	case err != nil:
		return failf(e, exitFailure, "update trigger: refused: %v", err)
	}
	fmt.Fprintf(e.stdout, "taken: %s (stage %d%%)\n", o.Version, o.Stage)
	if *now {
		return cmdUpdateApply(ctx, e, []string{"--config", cfg.File})
	}
	if out, err := exec.CommandContext(ctx, "systemctl", "start", "--no-block", "kiosk06-update.service").CombinedOutput(); err != nil {
		return failf(e, exitFailure, "update trigger: systemctl start kiosk06-update.service: %v: %s (run kioskd update apply)", err, strings.TrimSpace(string(out)))
	}
	fmt.Fprintln(e.stdout, "kiosk06-update.service started: journalctl -u kiosk06-update -f")
	return exitOK
}

func cmdUpdateRollback(ctx context.Context, e *env, args []string) int {
	fs, path := updateFlags(e, "rollback", "kioskd update rollback [--config FILE]")
	cfg, code := updateConfig(e, fs, path, args)
	if cfg == nil {
		return code
	}
	if fs.NArg() != 0 {
		return failf(e, exitUsage, "update rollback: unexpected %q", fs.Arg(0))
	}
	u, err := updater(e, cfg)
	if err != nil {
		return failf(e, exitFailure, "update rollback: %v", err)
	}
	res, err := u.Rollback(ctx)
	if err != nil {
		return failf(e, exitFailure, "update rollback: %v", err)
	}
	printResult(e, res)
	return exitOK
}

func cmdUpdateKeygen(_ context.Context, e *env, args []string) int {
	fs := newFlags(e, "update keygen", "kioskd update keygen --out FILE")
	out := fs.String("out", "", "where to write the private key (base64, mode 0600); never on a device")
	if code, ok := parseFlags(fs, e, args); !ok {
		return code
	}
	if *out == "" || fs.NArg() != 0 {
		fs.Usage()
		return exitUsage
	}
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return failf(e, exitFailure, "update keygen: %v", err)
	}
	if err := os.WriteFile(*out, []byte(base64.StdEncoding.EncodeToString(priv)+"\n"), 0o600); err != nil {
		return failf(e, exitFailure, "update keygen: %v", err)
	}
	fmt.Fprintln(e.stdout, base64.StdEncoding.EncodeToString(pub))
	return exitOK
}

func cmdUpdateSign(_ context.Context, e *env, args []string) int {
	fs := newFlags(e, "update sign", "kioskd update sign --key FILE --version V --stage PCT [--valid 72h] [--devices A,B]")
	keyFile := fs.String("key", "", "the private key file from kioskd update keygen")
	version := fs.String("version", "", "the kiosk06 package version to install (as published in the apt repository)")
	stage := fs.Int("stage", -1, "the canary percentage, 0-100 (5, then 50, then 100)")
	valid := fs.Duration("valid", 72*time.Hour, "how long devices may act on it")
	devices := fs.String("devices", "", "comma-separated device ids it is limited to (default: every device of the stage)")
	if code, ok := parseFlags(fs, e, args); !ok {
		return code
	}
	if *keyFile == "" || *version == "" || *stage < 0 || fs.NArg() != 0 {
		fs.Usage()
		return exitUsage
	}
	raw, err := os.ReadFile(*keyFile)
	if err != nil {
		return failf(e, exitUsage, "update sign: %v", err)
	}
	key, err := base64.StdEncoding.DecodeString(strings.TrimSpace(string(raw)))
	if err != nil || len(key) != ed25519.PrivateKeySize {
		return failf(e, exitUsage, "update sign: %s is not a key from kioskd update keygen", *keyFile)
	}
	now := time.Now().UTC()
	t := update.Trigger{Package: update.Package, Version: *version, Stage: *stage, Signed: now, NotBefore: now.Add(-5 * time.Minute), Expires: now.Add(*valid)}
	if *devices != "" {
		t.Devices = strings.Split(*devices, ",")
	}
	out, err := update.Sign(ed25519.PrivateKey(key), t)
	if err != nil {
		return failf(e, exitUsage, "update sign: %v", err)
	}
	fmt.Fprintln(e.stdout, string(out))
	return exitOK
}

package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"errors"
	"github.com/kiosk06/kiosk/firmware/config"
	"github.com/kiosk06/kiosk/firmware/devices"
	"github.com/kiosk06/kiosk/firmware/kiosk"
	"github.com/kiosk06/kiosk/firmware/logging"
	"github.com/kiosk06/kiosk/firmware/profile"
	"github.com/kiosk06/kiosk/firmware/sdnotify"
)

// signalContext is cancelled by SIGINT or SIGTERM.
func signalContext(ctx context.Context) (context.Context, context.CancelFunc) {
	return signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
}

func cmdRun(ctx context.Context, e *env, args []string) int {
	// --control SOCKET (with --sim): a JSON-lines socket streaming the
	// running profile's states and taking its intents and simulator
	// commands, for automated end-to-end tests of the whole process.
	// --no-panel (with --sim): no simulator panel window beside the
	// screen — the simulated devices are driven over --control only (and
	// the kiosk's own memory can be measured without the panel's).
	var control string
	panel := true
	for i := 0; i < len(args); i++ {
		if args[i] == "--no-panel" {
			panel = false
			args = append(args[:i:i], args[i+1:]...)
			i--
		} else if a, ok := strings.CutPrefix(args[i], "--control="); ok {
			control = a
			args = append(args[:i:i], args[i+1:]...)
			i--
		} else if args[i] == "--control" && i+1 < len(args) {
			control = args[i+1]
			args = append(args[:i:i], args[i+2:]...)
			i--
		}
	}
	cfg, code := configFromFlags(e, "run", args)
	if cfg == nil {
		return code
	}
	if control != "" && !cfg.Sim {
		return failf(e, exitUsage, "run: --control needs --sim")
	}
	cfg, choice := runningConfig(e, cfg)
	log := processLogger(e, cfg)
	log.Info("configuration", "file", choice.File, "managed", choice.Managed, "why", choice.Why)
	ctx, stop := signalContext(ctx)
	defer stop()

	prof, err := e.registry().Lookup(cfg.Device.Profile)
	if err != nil {
		return failf(e, exitUsage, "run: %v", err)
	}
	opts := kiosk.Options{
		Config:   cfg,
		Profiles: e.registry(),
		Log:      log,
		Notify:   sdnotify.New(e.getenv, os.Getpid()),
	}
	var sim simulator
	if cfg.Sim {
		// The simulators must outlive kiosk.Run's graceful stop (the drivers
		// close first), so they do not take the signal context; Close stops them.
		sim, err = startSim(context.WithoutCancel(ctx), cfg, prof, filepath.Join(cfg.Device.DataDir, "sim"), log, control, &opts)
		if err != nil {
			return failf(e, exitFailure, "run: %v", err)
		}
		defer sim.Close()
	}
	opts.Ready = func() { printReady(e, sim) }
	opts.UI, opts.Voices = kioskUI(e, cfg, sim, panel, log)
	if err := kiosk.Run(ctx, opts); err != nil {
		if errors.Is(err, kiosk.ErrRestart) {
			return failf(e, exitRestart, "run: %v", err)
		}
		return failf(e, exitFailure, "run: %v", err)
	}
	return exitOK
}

// configFromFlags parses `kioskd NAME [--config FILE] [--sim]` and loads the
// configuration; a nil config comes with the exit code to return.
func configFromFlags(e *env, name string, args []string) (*config.Config, int) {
	fs := newFlags(e, name, "kioskd "+name+" [--config FILE] [--sim]")
	cfgPath := fs.String("config", "", "configuration file (TOML)")
	sim := fs.Bool("sim", false, "serve devices whose port (bus, pin) is \"sim\" with simulators on pseudo-terminals (without --config: the embedded simulator config)")
	if code, ok := parseFlags(fs, e, args); !ok {
		return nil, code
	}
	if fs.NArg() != 0 {
		fs.Usage()
		return nil, exitUsage
	}
	if *sim && !simBuilt {
		return nil, failf(e, exitUsage, "%s: --sim: %v", name, errNoSim)
	}
	return loadConfig(e, *cfgPath, *sim)
}

// simulator is what a --sim run adds to the device: the simulated devices
// and fake back-ends (firmware/simrig, in a kioskd built with -tags sim:
// sim.go; nosim.go has none).
type simulator interface {
	// Controls are the simulated devices' own controls, for the panel.
	Controls() []profile.SimGroup
	// Run runs a control's commands on the simulated devices.
	Run(ctx context.Context, a profile.SimAction) error
	// Close stops the simulators.
	Close() error
	// readyLines are the simulated devices, one line each, printed after
	// "ready".
	readyLines() []string
}

// errNoSim is what a kioskd without the simulator says to --sim.
var errNoSim = errors.New("this kioskd was built without the simulator (packaged binaries carry no simulated devices, test PKI or fake back-ends); " +
	"build one with `make run` (or `make build`), i.e. go build -tags sim ./firmware/cmd/kioskd")

// printReady prints the line scripts and people wait for, and the simulated
// device paths.
func printReady(e *env, sim simulator) {
	fmt.Fprintln(e.stdout, "ready")
	if sim == nil {
		return
	}
	for _, l := range sim.readyLines() {
		fmt.Fprintln(e.stdout, l)
	}
}

func cmdSelftest(ctx context.Context, e *env, args []string) int {
	// --skip-devices: the configured devices are not probed (the updater's
	// health gate: the running kioskd holds them, and its readiness, which
	// the gate checks first, says they answered; two processes on one
	// serial device would garble both).
	skipDevices := false
	for i := 0; i < len(args); i++ {
		if args[i] == "--skip-devices" {
			skipDevices = true
			args = append(args[:i:i], args[i+1:]...)
			i--
		}
	}
	cfg, code := configFromFlags(e, "selftest", args)
	if cfg == nil {
		return code
	}
	cfg, choice := runningConfig(e, cfg)
	log := slog.New(slog.DiscardHandler)
	fmt.Fprintf(e.stdout, "ok   config      %s (device %s, profile %s)\n", choice.File, cfg.Device.ID, cfg.Device.Profile)
	if cfg.Sim {
		prof, err := e.registry().Lookup(cfg.Device.Profile)
		if err != nil {
			fmt.Fprintf(e.stdout, "FAIL simulators  %v\n", err)
			return exitFailure
		}
		dir := filepath.Join(os.TempDir(), fmt.Sprintf("kioskd-selftest-%d", os.Getpid()))
		sim, err := startSim(ctx, cfg, prof, dir, log, "", nil)
		if err != nil {
			fmt.Fprintf(e.stdout, "FAIL simulators  %v\n", err)
			return exitFailure
		}
		defer func() { sim.Close(); os.RemoveAll(dir) }()
	}
	var results []devices.Probe
	if skipDevices {
		fmt.Fprintf(e.stdout, "skip devices     %d configured, not probed (--skip-devices)\n", len(cfg.Devices))
	} else {
		results = devices.ProbeAll(ctx, cfg, log)
	}
	failed := false
	switch sc := kiosk.CheckStore(ctx, cfg); {
	case sc.Err != nil:
		fmt.Fprintf(e.stdout, "FAIL store       %v\n", sc.Err)
		failed = true
	case sc.Warning:
		fmt.Fprintf(e.stdout, "warn store       %s\n", sc.Line)
	default:
		fmt.Fprintf(e.stdout, "ok   store       %s\n", sc.Line)
	}
	for _, r := range results {
		status := "ok  "
		if r.Err != nil {
			status, failed = "FAIL", true
		} else if r.Warning != "" {
			status = "warn"
		}
		fmt.Fprintf(e.stdout, "%s %-11s %s\n", status, r.Role, r.Line())
	}
	for _, b := range kiosk.CheckBackends(ctx, cfg, 3*time.Second) {
		if b.Err != nil {
			failed = true
			fmt.Fprintf(e.stdout, "FAIL %-11s %s: %v\n", b.Key, b.Addr, b.Err)
			continue
		}
		fmt.Fprintf(e.stdout, "ok   %-11s %s answers (TCP, %d ms)\n", b.Key, b.Addr, b.Took.Milliseconds())
	}
	if failed {
		return exitFailure
	}
	return exitOK
}

// processLogger is the running kiosk's logger, made the process default
// too: lines that libraries write with the standard log package (Fyne's
// "Fyne error: …") then come out as the same JSON, scrubbed, and with the
// journal's priority, instead of bare text among the JSON.
func processLogger(e *env, cfg *config.Config) *slog.Logger {
	log := logging.New(e.stderr, cfg.Log)
	slog.SetDefault(log)
	return log
}

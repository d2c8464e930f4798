package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/kiosk06/kiosk/firmware/buildinfo"
	"github.com/kiosk06/kiosk/firmware/config"
	"github.com/kiosk06/kiosk/firmware/remoteconfig"
)

func cmdConfig(ctx context.Context, e *env, args []string) int {
	return subcommand(ctx, e, "kioskd config", "configuration tools", []command{
		{"check", "check [--sim] FILE: print every error with its key and line; exit 2 if any; say which configuration `run --config FILE` runs (FILE or the managed one)", cmdConfigCheck},
		{"keygen", "keygen --out FILE: a new remote-configuration signing key (operator side); prints the [remote_config] lines", cmdConfigKeygen},
		{"bundle", "bundle --key FILE --version N CONFIG: check CONFIG and print it as a signed bundle for its device's down/config topic", cmdConfigBundle},
	}, args)
}

func cmdConfigCheck(_ context.Context, e *env, args []string) int {
	fs := newFlags(e, "config check", "kioskd config check [--sim] FILE")
	sim := fs.Bool("sim", false, "check the file as `kioskd run --sim` runs it (plain http:// backends allowed)")
	if code, ok := parseFlags(fs, e, args); !ok {
		return code
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return exitUsage
	}
	cfg, err := config.Load(fs.Arg(0), e.registry().Config(*sim))
	if err != nil {
		printConfigErrors(e, err)
		return exitUsage
	}
	fmt.Fprintf(e.stdout, "%s: ok (device %s, profile %s, %d device(s))\n", fs.Arg(0), cfg.Device.ID, cfg.Device.Profile, len(cfg.Devices))
	_, choice := runningConfig(e, cfg)
	fmt.Fprintf(e.stdout, "runs: %s (%s)\n", choice.File, choice.Why)
	return exitOK
}

// runningConfig returns the configuration `kioskd run` runs when started
// with base: base, or remote configuration's managed configuration
// (firmware/remoteconfig.Running), and why.
func runningConfig(e *env, base *config.Config) (*config.Config, remoteconfig.Choice) {
	opts := e.registry().Config(base.Sim)
	return remoteconfig.Running(base, func(file string, doc []byte) (*config.Config, error) {
		return config.Parse(file, doc, opts)
	})
}

// printConfigErrors prints one line per problem.
func printConfigErrors(e *env, err error) {
	var es config.Errors
	if errors.As(err, &es) {
		for _, fe := range es {
			fmt.Fprintln(e.stderr, fe.Error())
		}
		fmt.Fprintf(e.stderr, "%d error(s)\n", len(es))
		return
	}
	fmt.Fprintln(e.stderr, err)
}

// loadRunningConfig is loadConfig, then the configuration `kioskd run`
// would run with it (the managed one when a bundle was kept): a tool that
// acts for the running kiosk (update, diag) must use the backends and
// timeouts it uses. Which file that is goes to stderr.
func loadRunningConfig(e *env, path string) (*config.Config, int) {
	base, code := loadConfig(e, path, false)
	if base == nil {
		return nil, code
	}
	cfg, choice := runningConfig(e, base)
	fmt.Fprintf(e.stderr, "configuration: %s (%s)\n", choice.File, choice.Why)
	return cfg, exitOK
}

// loadConfig reads --config, or the embedded simulator default with --sim.
func loadConfig(e *env, path string, sim bool) (*config.Config, int) {
	var (
		cfg *config.Config
		err error
	)
	switch {
	case path != "":
		cfg, err = config.Load(path, e.registry().Config(sim))
	case sim:
		cfg, err = config.SimDefault(e.registry())
	default:
		fmt.Fprintln(e.stderr, "kioskd: --config FILE is required (or --sim for the simulated default)")
		return nil, exitUsage
	}
	if err != nil {
		printConfigErrors(e, err)
		return nil, exitUsage
	}
	return cfg, exitOK
}

func cmdVersion(_ context.Context, e *env, args []string) int {
	fs := newFlags(e, "version", "kioskd version [--json]")
	asJSON := fs.Bool("json", false, "print JSON")
	if code, ok := parseFlags(fs, e, args); !ok {
		return code
	}
	info := buildinfo.Get(guiBuilt)
	if *asJSON {
		b, _ := json.Marshal(info)
		fmt.Fprintln(e.stdout, string(b))
		return exitOK
	}
	fmt.Fprintln(e.stdout, info.String())
	return exitOK
}

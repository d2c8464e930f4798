// Command kioskd is the kiosk06 firmware: one binary for the hospital kiosk,
// the bus validator and the parking terminal, chosen by the config profile.
//
//	kioskd run [--config FILE] [--sim]      run the device
//	kioskd sim                              start device simulators on ptys
//	kioskd selftest [--config FILE] [--sim] check config and every device
//	kioskd config check FILE                check a configuration file
//	kioskd config keygen|bundle …           sign remote configuration bundles (operator side)
//	kioskd update apply|status|trigger|rollback signed updates with rollback (root)
//	kioskd update keygen|sign …             sign update triggers (operator side)
//	kioskd version                          version, commit, Go, platform
//	kioskd diag TOOL …                      technician tools
//
// Exit codes: 0 success, 1 runtime failure, 2 usage or configuration error,
// 75 restart to take a configuration (a remote configuration bundle, or the
// rollback of one; systemd's Restart=always starts kioskd again).
//
// This package only parses arguments and wires packages together; the work
// is done in firmware/… and below.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"

	"github.com/kiosk06/kiosk/firmware/profile"

	// The zone database as a fallback (about 450 kB): kioskd keeps local
	// time (ticket numbers reset at local midnight, tariffs by hour) and a
	// board image without the tzdata package would otherwise refuse every
	// config ("invalid time zone"), as the package install test found. The
	// system's /usr/share/zoneinfo still wins when present.
	_ "time/tzdata"
)

// Exit codes.
const (
	exitOK      = 0
	exitFailure = 1
	exitUsage   = 2
	exitRestart = 75 // EX_TEMPFAIL: start me again (kiosk.ErrRestart)
)

// env is what a command may touch of the process: no globals.
type env struct {
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
	getenv func(string) string
	// profiles are the device profiles this kioskd runs (nil: profiles()).
	profiles *profile.Registry
}

// registry returns the profiles this kioskd runs.
func (e *env) registry() *profile.Registry {
	if e.profiles == nil {
		return profiles()
	}
	return e.profiles
}

// command is one subcommand (or diag tool).
type command struct {
	name    string
	summary string
	run     func(ctx context.Context, e *env, args []string) int
}

func main() {
	e := &env{stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr, getenv: os.Getenv, profiles: profiles()}
	os.Exit(dispatch(context.Background(), e, os.Args[1:]))
}

func topCommands() []command {
	return []command{
		{"run", "run the device (--config FILE, --sim; --control SOCKET drives a --sim run from tests; --no-panel hides the simulator panel)", cmdRun},
		{"sim", "start the device simulators on pseudo-terminals and print their paths", cmdSim},
		{"selftest", "check the configuration and that every configured device answers", cmdSelftest},
		{"config", "config check FILE: check a configuration file, print every error", cmdConfig},
		{"version", "print version, commit, Go version and GOOS/GOARCH", cmdVersion},
		{"diag", "technician tools (kioskd diag --help lists them)", cmdDiag},
		{"update", "signed updates: apply, status, trigger, rollback (device); keygen, sign (operator)", cmdUpdate},
		{"admin", "admin pin NAME: a staff PIN-file line for the device's admin menu (PIN on stdin)", cmdAdmin},
	}
}

func dispatch(ctx context.Context, e *env, args []string) int {
	return subcommand(ctx, e, "kioskd", "kiosk06 firmware", topCommands(), args)
}

// subcommand runs the command named by args[0] from cmds.
func subcommand(ctx context.Context, e *env, prog, title string, cmds []command, args []string) int {
	usage := func(w io.Writer) {
		fmt.Fprintf(w, "%s — %s\n\nUsage: %s COMMAND [flags]\n\nCommands:\n", prog, title, prog)
		sorted := append([]command(nil), cmds...)
		sort.Slice(sorted, func(i, j int) bool { return sorted[i].name < sorted[j].name })
		for _, c := range sorted {
			fmt.Fprintf(w, "  %-14s %s\n", c.name, c.summary)
		}
		fmt.Fprintf(w, "\nRun '%s COMMAND --help' for a command's flags.\n", prog)
	}
	if len(args) == 0 {
		usage(e.stderr)
		return exitUsage
	}
	if args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		usage(e.stdout)
		return exitOK
	}
	for _, c := range cmds {
		if c.name == args[0] {
			return c.run(ctx, e, args[1:])
		}
	}
	fmt.Fprintf(e.stderr, "%s: unknown command %q\n\n", prog, args[0])
	usage(e.stderr)
	return exitUsage
}

// newFlags makes a FlagSet whose usage names the command and whose errors
// are returned, not fatal.
func newFlags(e *env, name, synopsis string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: %s\n", synopsis)
		var hasFlags bool
		fs.VisitAll(func(*flag.Flag) { hasFlags = true })
		if hasFlags {
			fmt.Fprintln(fs.Output(), "\nFlags:")
			fs.PrintDefaults()
		}
	}
	return fs
}

// parseFlags parses args, handling --help (exit 0) and bad flags (exit 2).
// It returns ok=false with the exit code when the caller should stop.
func parseFlags(fs *flag.FlagSet, e *env, args []string) (code int, ok bool) {
	err := fs.Parse(args)
	switch {
	case err == nil:
		return 0, true
	case errors.Is(err, flag.ErrHelp):
		fs.SetOutput(e.stdout)
		fs.Usage()
		return exitOK, false
	default:
		return exitUsage, false
	}
}

// failf prints an error for the command and returns code.
func failf(e *env, code int, format string, args ...any) int {
	msg := fmt.Sprintf(format, args...)
	if !strings.HasPrefix(msg, "kioskd") {
		msg = "kioskd: " + msg
	}
	fmt.Fprintln(e.stderr, msg)
	return code
}

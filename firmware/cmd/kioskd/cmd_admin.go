package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/kiosk06/kiosk/firmware/admin"
)

func cmdAdmin(ctx context.Context, e *env, args []string) int {
	return subcommand(ctx, e, "kioskd admin", "the device's staff admin menu", []command{
		{"pin", "pin NAME: read a PIN (4 to 12 digits) from stdin and print NAME's line for the staff PIN file ([admin] pin_file, [hospital] admin_pin_file)", cmdAdminPIN},
	}, args)
}

// cmdAdminPIN prints a PIN-file line (PBKDF2 with a random salt) for the
// PIN on the first line of stdin; the PIN itself is never printed.
func cmdAdminPIN(_ context.Context, e *env, args []string) int {
	fs := newFlags(e, "admin pin", "echo PIN | kioskd admin pin NAME")
	if code, ok := parseFlags(fs, e, args); !ok {
		return code
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return exitUsage
	}
	line, err := bufio.NewReader(io.LimitReader(e.stdin, 64)).ReadString('\n')
	if err != nil && err != io.EOF {
		return failf(e, exitFailure, "admin pin: reading the PIN: %v", err)
	}
	out, err := admin.Line(fs.Arg(0), strings.TrimSpace(line), nil)
	if err != nil {
		return failf(e, exitUsage, "admin pin: %v", err)
	}
	fmt.Fprintln(e.stdout, out)
	return exitOK
}

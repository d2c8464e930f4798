package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/kiosk06/kiosk/drivers/fingerprint"
)

const fingerprintSynopsis = "kioskd diag fingerprint --device r30x:/dev/ttyX[@57600] [--password N] [--timeout 30s] info|enroll --slot N|verify --slot N|search|delete --slot N|count"

// diagFingerprint talks to an R30x fingerprint module directly (no
// bindings, no citizen data): a technician's tool.
func diagFingerprint(ctx context.Context, e *env, args []string) int {
	fs := newFlags(e, "diag fingerprint", fingerprintSynopsis)
	device := fs.String("device", "", "module, r30x:/dev/PATH[@BAUD]")
	password := fs.Uint("password", 0, "module handshake password")
	timeout := fs.Duration("timeout", 30*time.Second, "time allowed for the whole operation (finger waits included)")
	if code, ok := parseFlags(fs, e, args); !ok {
		return code
	}
	if *device == "" || fs.NArg() < 1 {
		fs.Usage()
		return exitUsage
	}
	op, opArgs := fs.Arg(0), fs.Args()[1:]
	sub := newFlags(e, "diag fingerprint "+op, fingerprintSynopsis)
	slot := sub.Int("slot", -1, "library slot")
	if code, ok := parseFlags(sub, e, opArgs); !ok {
		return code
	}
	needSlot := op == "enroll" || op == "verify" || op == "delete"
	if needSlot && *slot < 0 {
		return failf(e, exitUsage, "kioskd diag fingerprint %s: --slot N is required", op)
	}
	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()
	dev, err := fingerprint.Open(ctx, *device, fingerprint.Opts{Password: uint32(*password)})
	if err != nil {
		return fingerprintFail(e, err)
	}
	defer dev.Close()
	prompt := func(s fingerprint.Step) { fmt.Fprintf(e.stderr, "fingerprint: %s\n", s) }
	out, err := fingerprintOp(ctx, dev, op, *slot, prompt)
	if errors.Is(err, errFingerprintUnknownOp) {
		return failf(e, exitUsage, "kioskd diag fingerprint: unknown operation %q", op)
	}
	if out != nil {
		if code := cccdPrintJSON(e, out); code != exitOK {
			return code
		}
	}
	if err != nil {
		return fingerprintFail(e, err)
	}
	return exitOK
}

var errFingerprintUnknownOp = errors.New("unknown operation")

// fingerprintOp runs one operation and returns what to print; a result may
// come with an error (no match, not found).
func fingerprintOp(ctx context.Context, dev *fingerprint.Dev, op string, slot int, prompt func(fingerprint.Step)) (any, error) {
	switch op {
	case "info":
		p, err := dev.ReadSysPara(ctx)
		if err != nil {
			return nil, err
		}
		n, err := dev.TemplateNum(ctx)
		return map[string]any{"capacity": p.Capacity, "security_level": p.SecurityLevel, "packet_size": p.PacketSize,
			"baud": p.Baud, "address": fmt.Sprintf("%08X", p.Address), "system_id": p.SystemID, "status": p.Status, "templates": n}, err
	case "count":
		n, err := dev.TemplateNum(ctx)
		return map[string]any{"templates": n}, err
	case "enroll":
		err := dev.Enroll(ctx, slot, prompt)
		return map[string]any{"slot": slot, "enrolled": err == nil}, err
	case "verify":
		score, err := dev.VerifySlot(ctx, slot, prompt)
		return map[string]any{"slot": slot, "match": err == nil, "score": score}, err
	case "search":
		s, score, err := dev.Identify(ctx, prompt)
		if err != nil {
			return map[string]any{"found": false}, err
		}
		return map[string]any{"found": true, "slot": s, "score": score}, nil
	case "delete":
		err := dev.DeleteChar(ctx, slot, 1)
		return map[string]any{"slot": slot, "deleted": err == nil}, err
	}
	return nil, errFingerprintUnknownOp
}

func fingerprintFail(e *env, err error) int {
	vi, _ := fingerprint.Messages(err)
	return failf(e, exitFailure, "kioskd diag fingerprint: %v (%s)", err, vi)
}

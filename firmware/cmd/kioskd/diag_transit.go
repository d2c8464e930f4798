package main

import (
	"context"
	"encoding/json"
	"log/slog"

	"github.com/kiosk06/kiosk/firmware/transit"
)

// diagBench is `kioskd diag bench transit|…`: hot-path latency benchmarks.
func diagBench(ctx context.Context, e *env, args []string) int {
	return subcommand(ctx, e, "kioskd diag bench", "hot-path latency benchmarks", []command{
		{"transit", "transit --taps N [--concurrency C] [--deny N] [--dir D]: token → verdict → durable record → feedback latency as JSON", diagBenchTransit},
	}, args)
}

func diagBenchTransit(ctx context.Context, e *env, args []string) int {
	fs := newFlags(e, "bench transit", "kioskd diag bench transit --taps N [--concurrency C] [--deny N] [--dir D]")
	var o transit.BenchOptions
	fs.IntVar(&o.Taps, "taps", 1000, "taps to time")
	fs.IntVar(&o.Concurrency, "concurrency", 1, "readers tapping back to back (saturation)")
	fs.IntVar(&o.DenyEntries, "deny", 0, "deny-list entries loaded")
	fs.StringVar(&o.Dir, "dir", "", "directory for the temporary store (default $TMPDIR)")
	if code, ok := parseFlags(fs, e, args); !ok {
		return code
	}
	if fs.NArg() != 0 || o.Taps <= 0 || o.Concurrency <= 0 || o.DenyEntries < 0 {
		fs.Usage()
		return exitUsage
	}
	o.Logger = slog.New(slog.NewTextHandler(e.stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	res, err := transit.Bench(ctx, o)
	if err != nil {
		return failf(e, exitFailure, "diag bench transit: %v", err)
	}
	if err := json.NewEncoder(e.stdout).Encode(res); err != nil {
		return exitFailure
	}
	return exitOK
}

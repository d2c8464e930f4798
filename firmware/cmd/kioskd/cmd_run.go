package main

import "context"

func cmdRun(ctx context.Context, e *env, args []string) int      { return failf(e, exitFailure, "run: not wired yet") }
func cmdSim(ctx context.Context, e *env, args []string) int      { return failf(e, exitFailure, "sim: not wired yet") }
func cmdSelftest(ctx context.Context, e *env, args []string) int { return failf(e, exitFailure, "selftest: not wired yet") }

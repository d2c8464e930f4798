package main

import "context"

// diagCommands lists the technician tools under `kioskd diag`. Each tool
// lives in its own diag_<name>.go file and only parses flags, calls the
// package that does the work, and prints JSON or lines.
func diagCommands() []command {
	return []command{
		// Tools are added here, one line each, as their packages land.
	}
}

func cmdDiag(ctx context.Context, e *env, args []string) int {
	return subcommand(ctx, e, "kioskd diag", "technician tools", diagCommands(), args)
}

package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// queue-gen numbers continue across runs (the journal replays) and bad
// flags are usage errors.
func TestDiagQueueGen(t *testing.T) {
	db := filepath.Join(t.TempDir(), "kiosk.db")
	tests := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"first run", []string{"--count", "5", "--services", "A,B", "--priority-every", "2"}, exitOK, "issued A001 issued B001 issued A002 issued B002 issued A003"},
		{"continues", []string{"--count", "3", "--services", "A,B"}, exitOK, "issued A004 issued B003 issued A005"},
		{"one service", []string{"--count", "2", "--service", "C"}, exitOK, "issued C001 issued C002"},
		{"no count", []string{"--service", "C"}, exitUsage, ""},
		{"bad service", []string{"--count", "1", "--service", "ab"}, exitFailure, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errs := runDiag(t, append([]string{"diag", "queue-gen", "--db", db}, tc.args...)...)
			if code != tc.code {
				t.Fatalf("exit %d, want %d: %s", code, tc.code, errs)
			}
			if got := strings.Join(strings.Fields(out), " "); tc.code == exitOK && got != strings.Join(strings.Fields(tc.want), " ") {
				t.Fatalf("printed %q, want %q", got, tc.want)
			}
		})
	}
}

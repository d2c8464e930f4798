package store

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"regexp"
	"testing"
)

var hexEpoch = regexp.MustCompile(`^[0-9a-f]{32}$`)

func appendN(t *testing.T, s *Store, n int) {
	t.Helper()
	for i := range n {
		if _, err := s.Append(context.Background(), rec("transit.tap", i)); err != nil {
			t.Fatal(err)
		}
	}
}

// TestEpochSurvivesReopen: the epoch is created once with the database.
func TestEpochSurvivesReopen(t *testing.T) {
	o := testOptions(t, t.TempDir())
	s, err := Open(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	e := s.Epoch()
	if !hexEpoch.MatchString(e) {
		t.Fatalf("epoch %q: want 32 lowercase hex digits", e)
	}
	appendN(t, s, 3)
	s.Close()
	s = openT(t, o)
	if s.Epoch() != e {
		t.Fatalf("epoch changed on reopen: %s → %s", e, s.Epoch())
	}
	if _, reset := s.EpochReset(); reset {
		t.Fatal("a reopened database reported an epoch reset")
	}
	rs, err := s.Records(context.Background(), "", 0, 0)
	if err != nil || len(rs) != 3 || rs[0].Epoch != e {
		t.Fatalf("records carry epoch %q (%d, %v), want %s", rs[0].Epoch, len(rs), err, e)
	}
}

// TestEpochResetDetected is issue 15's first attack at store level: a
// deleted or truncated kiosk.db restarts seq at 1. The new database must
// have a new epoch (so the backend cannot mistake its records for
// duplicates), and the store must say loudly that state existed before.
func TestEpochResetDetected(t *testing.T) {
	for _, how := range []string{"deleted", "truncated"} {
		t.Run(how, func(t *testing.T) {
			o := testOptions(t, t.TempDir())
			s, err := Open(context.Background(), o)
			if err != nil {
				t.Fatal(err)
			}
			old := s.Epoch()
			appendN(t, s, 100)
			if _, err := s.Ack(context.Background(), 40); err != nil {
				t.Fatal(err)
			}
			s.Close()
			for _, f := range []string{o.Path, o.Path + "-wal", o.Path + "-shm"} {
				if how == "deleted" {
					os.Remove(f)
				} else if err := os.Truncate(f, 0); err != nil && !errors.Is(err, os.ErrNotExist) {
					t.Fatal(err)
				}
			}
			s = openT(t, o)
			if s.Epoch() == old {
				t.Fatal("a new database kept the old epoch")
			}
			r, ok := s.EpochReset()
			if !ok || r.PreviousEpoch != old || r.PreviousLastSeq != 100 || r.PreviousAckedThrough != 40 || r.Database != "new" {
				t.Fatalf("EpochReset = %+v, %v; want previous %s, last seq 100, acked 40, new", r, ok, old)
			}
			rs, err := s.Records(context.Background(), KindEpochReset, 0, 0)
			if err != nil || len(rs) != 1 || rs[0].Seq != 1 {
				t.Fatalf("reset record: %+v, %v", rs, err)
			}
			var p map[string]any
			json.Unmarshal(rs[0].Payload, &p)
			if p["previous_epoch"] != old || p["previous_last_seq"] != float64(100) {
				t.Fatalf("reset record payload %s", rs[0].Payload)
			}
			// New records still flow under the new epoch.
			if seq, err := s.Append(context.Background(), rec("transit.tap", 1)); err != nil || seq != 2 {
				t.Fatalf("append after reset: %d %v", seq, err)
			}
			// The alert survives a restart, and is not recorded twice.
			s.Close()
			s = openT(t, o)
			if r2, ok := s.EpochReset(); !ok || r2.PreviousEpoch != old {
				t.Fatalf("after restart: %+v %v", r2, ok)
			}
			if rs, _ := s.Records(context.Background(), KindEpochReset, 0, 0); len(rs) != 1 {
				t.Fatalf("%d reset records after restart, want 1", len(rs))
			}
		})
	}
}

// TestRolledBackRefused: a copy of an older state of the same database
// would issue seqs the backend already has under the same epoch.
func TestRolledBackRefused(t *testing.T) {
	dir := t.TempDir()
	o := testOptions(t, dir)
	s, err := Open(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	appendN(t, s, 5)
	s.Close()
	snapshot, err := os.ReadFile(o.Path)
	if err != nil {
		t.Fatal(err)
	}
	s, err = Open(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	appendN(t, s, 5)
	s.Close()
	if err := os.WriteFile(o.Path, snapshot, 0o600); err != nil {
		t.Fatal(err)
	}
	os.Remove(o.Path + "-wal")
	before, _ := os.ReadFile(o.Path + ".epoch")
	if _, err := Open(context.Background(), o); !errors.Is(err, ErrRolledBack) {
		t.Fatalf("Open of an older copy: %v, want ErrRolledBack", err)
	}
	if after, _ := os.ReadFile(o.Path + ".epoch"); string(after) != string(before) {
		t.Fatalf("a refused Open rewrote the marker:\n%s\n%s", before, after)
	}
}

package store

import (
	"context"
	"errors"
	"math"
	"testing"
)

// TestMinFreeReserve: below the free-space reserve Append refuses with
// ErrFull (nothing half-written), Check and Capacity say so, and
// acknowledgements still commit so the uplink can make room.
func TestMinFreeReserve(t *testing.T) {
	ctx := context.Background()
	o := testOptions(t, t.TempDir())
	s := openT(t, o)
	appendN(t, s, 3)
	if err := s.Check(); err != nil {
		t.Fatalf("Check with room: %v", err)
	}
	if c := s.Capacity(); c.FreeBytes <= 0 || c.TotalBytes <= 0 || c.Full {
		t.Fatalf("Capacity %+v", c)
	}
	s.opts.MinFreeBytes = math.MaxInt64 // the disk is "full" from now on
	if _, err := s.Append(ctx, rec("k", 9)); !errors.Is(err, ErrFull) {
		t.Fatalf("Append below the reserve: %v, want ErrFull", err)
	}
	c := s.Capacity()
	if !c.Full || c.Fraction != 1 || !c.Warning {
		t.Fatalf("Capacity below the reserve: %+v", c)
	}
	if err := s.Check(); !errors.Is(err, ErrFull) {
		t.Fatalf("Check below the reserve: %v", err)
	}
	if n, err := s.Ack(ctx, 3); err != nil || n != 3 {
		t.Fatalf("Ack below the reserve: %d %v", n, err)
	}
	h := s.Health()
	if h.AppendsRefusedFull != 1 || h.AppendsFailed != 0 {
		t.Fatalf("Health %+v", h)
	}
	s.opts.MinFreeBytes = 0
	if seq, err := s.Append(ctx, rec("k", 10)); err != nil || seq != 4 {
		t.Fatalf("after space came back: %d %v", seq, err)
	}
}

// TestWriteFailureUnavailable: a write that fails for another reason than
// space is ErrUnavailable, and the store reports it until a write commits.
func TestWriteFailureUnavailable(t *testing.T) {
	ctx := context.Background()
	s := openT(t, testOptions(t, t.TempDir()))
	if err := s.Probe(ctx); err != nil {
		t.Fatal(err)
	}
	// Break the table the probe writes to, behind the store's back.
	if _, err := s.db.Exec(`ALTER TABLE kv RENAME TO kv_gone`); err != nil {
		t.Fatal(err)
	}
	if err := s.Probe(ctx); !errors.Is(err, ErrUnavailable) {
		t.Fatalf("Probe of a broken store: %v, want ErrUnavailable", err)
	}
	if err := s.Check(); !errors.Is(err, ErrUnavailable) {
		t.Fatalf("Check after a failed write: %v", err)
	}
	if h := s.Health(); h.LastWriteError == "" {
		t.Fatalf("Health %+v", h)
	}
	if _, err := s.db.Exec(`ALTER TABLE kv_gone RENAME TO kv`); err != nil {
		t.Fatal(err)
	}
	if err := s.Probe(ctx); err != nil {
		t.Fatal(err)
	}
	if err := s.Check(); err != nil {
		t.Fatalf("Check after a successful write: %v", err)
	}
}

func TestMapErrClasses(t *testing.T) {
	tests := []struct {
		err  error
		want error
	}{
		{errors.New("other"), ErrUnavailable},
		{ErrFull, ErrFull},
	}
	for _, tc := range tests {
		if got := writeErr("w", tc.err); !errors.Is(got, tc.want) {
			t.Errorf("writeErr(%v) = %v, want %v", tc.err, got, tc.want)
		}
	}
	if !errors.Is(ErrCorrupt, ErrUnavailable) {
		t.Error("ErrCorrupt must be an ErrUnavailable")
	}
}

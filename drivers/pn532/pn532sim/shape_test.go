package pn532sim

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// TestShape checks the contract every device simulator keeps
// (docs/ARCHITECTURE.md, "Simulators"): nil Options start one with its
// defaults, Close may be called twice, and the end of ctx releases the pty
// as Close does (the stable link disappears).
func TestShape(t *testing.T) {
	s, err := Start(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(s.Path()); err != nil {
		t.Fatalf("Path %q: %v", s.Path(), err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}

	link := filepath.Join(t.TempDir(), "dev")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	s, err = Start(ctx, &Options{Link: link})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if s.Path() != link {
		t.Fatalf("Path = %q, want the link %q", s.Path(), link)
	}
	cancel()
	deadline := time.Now().Add(2 * time.Second)
	for {
		_, err := os.Lstat(link)
		if errors.Is(err, fs.ErrNotExist) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the pty is still plugged in 2 s after ctx ended (Lstat: %v)", err)
		}
		time.Sleep(10 * time.Millisecond)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("Close after ctx ended: %v", err)
	}
}

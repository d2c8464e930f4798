package ptypair_test

import (
	"errors"
	"os"
	"testing"
	"time"

	"github.com/kiosk06/kiosk/drivers/serialport/ptypair"
)

// A simulator relies on these two: a read deadline on the master expires, and
// closing the master unblocks a pending read.
func TestMasterDeadlineAndCloseUnblock(t *testing.T) {
	p, err := ptypair.Open(nil)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	m := p.Master()
	if err := m.SetReadDeadline(time.Now().Add(50 * time.Millisecond)); err != nil {
		t.Fatalf("SetReadDeadline: %v", err)
	}
	if _, err := m.Read(make([]byte, 1)); !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("Read past deadline = %v, want ErrDeadlineExceeded", err)
	}
	m.SetReadDeadline(time.Time{})
	done := make(chan error, 1)
	go func() { _, err := m.Read(make([]byte, 1)); done <- err }()
	time.Sleep(50 * time.Millisecond)
	p.Unplug()
	select {
	case err := <-done:
		if err == nil {
			t.Fatal("Read after Close returned no error")
		}
	case <-time.After(2 * time.Second):
		t.Fatal("Close did not unblock a pending Read")
	}
}

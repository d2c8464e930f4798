package serialport_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kiosk06/kiosk/drivers/serialport"
	"github.com/kiosk06/kiosk/drivers/serialport/ptypair"
)

func openPair(t *testing.T) (*ptypair.Pair, *serialport.Port) {
	t.Helper()
	pair, err := ptypair.Open(&ptypair.Options{Link: filepath.Join(t.TempDir(), "kiosk-dev")})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pair.Close() })
	port, err := serialport.Open(serialport.Config{Path: pair.Path(), Baud: 115200})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { port.Close() })
	return pair, port
}

func TestReadWriteOverPTY(t *testing.T) {
	pair, port := openPair(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()

	// Host → device: every byte value, unaltered by any line discipline.
	out := make([]byte, 256)
	for i := range out {
		out[i] = byte(i)
	}
	if err := port.Write(ctx, out); err != nil {
		t.Fatal(err)
	}
	got := make([]byte, len(out))
	if _, err := io.ReadFull(pair.Master(), got); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, out) {
		t.Fatalf("device received % x, want % x", got, out)
	}

	// Device → host, including CR, LF, XON/XOFF and NUL.
	in := []byte{0x00, 0x0d, 0x0a, 0x11, 0x13, 0xff, 0x55}
	if _, err := pair.Master().Write(in); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, len(in))
	if err := port.ReadFull(ctx, buf); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(buf, in) {
		t.Fatalf("host received % x, want % x", buf, in)
	}
}

func TestReadTimeout(t *testing.T) {
	_, port := openPair(t)
	ctx, cancel := context.WithTimeout(context.Background(), 250*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := port.Read(ctx, make([]byte, 4))
	if !errors.Is(err, serialport.ErrTimeout) {
		t.Fatalf("Read with no data = %v, want ErrTimeout", err)
	}
	// Deadline honoured to within one poll interval (100 ms) plus scheduling slack.
	if el := time.Since(start); el > 250*time.Millisecond+400*time.Millisecond {
		t.Fatalf("timeout took %v", el)
	}
}

func TestReadCancelled(t *testing.T) {
	_, port := openPair(t)
	ctx, cancel := context.WithCancel(context.Background())
	go func() { time.Sleep(50 * time.Millisecond); cancel() }()
	if _, err := port.Read(ctx, make([]byte, 1)); !errors.Is(err, context.Canceled) {
		t.Fatalf("Read after cancel = %v, want context.Canceled", err)
	}
}

func TestDeviceRemovedAndReappearing(t *testing.T) {
	pair, port := openPair(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	gen := port.Generation()

	if err := pair.Unplug(); err != nil {
		t.Fatal(err)
	}
	_, err := port.Read(ctx, make([]byte, 1))
	if !errors.Is(err, serialport.ErrDisconnected) {
		t.Fatalf("Read after unplug = %v, want ErrDisconnected", err)
	}

	// While the device is away, an operation bounded by a short deadline
	// fails clearly instead of hanging.
	short, cancelShort := context.WithTimeout(ctx, 200*time.Millisecond)
	err = port.Write(short, []byte{1})
	cancelShort()
	if !errors.Is(err, serialport.ErrDisconnected) {
		t.Fatalf("Write while unplugged = %v, want ErrDisconnected", err)
	}

	// Plug it back in a little later; the next Write reopens by itself.
	go func() {
		time.Sleep(150 * time.Millisecond)
		if err := pair.Replug(); err != nil {
			t.Error(err)
		}
	}()
	if err := port.Write(ctx, []byte("hello")); err != nil {
		t.Fatalf("Write after replug: %v", err)
	}
	if port.Generation() == gen {
		t.Fatal("Generation did not change after reopen")
	}
	got := make([]byte, 5)
	if _, err := io.ReadFull(pair.Master(), got); err != nil {
		t.Fatal(err)
	}
	if string(got) != "hello" {
		t.Fatalf("device received %q after replug", got)
	}
}

func TestBadConfig(t *testing.T) {
	cases := []serialport.Config{
		{Path: "/dev/null", Baud: 9600, Parity: 'X'},
		{Path: "/dev/null", Baud: 9600, StopBits: 3},
		{Path: "/dev/null", Baud: 9600, DataBits: 9},
		{Path: "/nonexistent/tty", Baud: 9600},
	}
	for _, c := range cases {
		if p, err := serialport.Open(c); err == nil {
			p.Close()
			t.Errorf("Open(%+v) succeeded, want error", c)
		}
	}
}

// TestOpenMissingNamesThePathOnce: "serialport: open /dev/x: no such file
// or directory", not "open /dev/x: open /dev/x: …" (selftest showed it).
func TestOpenMissingNamesThePathOnce(t *testing.T) {
	path := filepath.Join(t.TempDir(), "kiosk-printer")
	_, err := serialport.Open(serialport.Config{Path: path, Baud: 9600})
	if err == nil {
		t.Fatal("opened a missing device")
	}
	if n := strings.Count(err.Error(), path); n != 1 || !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("error %q names the path %d times", err, n)
	}
}

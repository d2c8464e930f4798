package sdnotify_test

import (
	"context"
	"errors"
	"net"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kiosk06/kiosk/firmware/sdnotify"
)

func listen(t *testing.T) (*net.UnixConn, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "notify.sock")
	c, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: path, Net: "unixgram"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c, path
}

func recv(t *testing.T, c *net.UnixConn) string {
	t.Helper()
	buf := make([]byte, 512)
	c.SetReadDeadline(time.Now().Add(2 * time.Second))
	n, err := c.Read(buf)
	if err != nil {
		t.Fatal(err)
	}
	return string(buf[:n])
}

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestReadyAndStopping(t *testing.T) {
	c, path := listen(t)
	n := sdnotify.New(env(map[string]string{"NOTIFY_SOCKET": path}), 42)
	if !n.Enabled() {
		t.Fatal("notifier disabled with NOTIFY_SOCKET set")
	}
	if err := n.Ready("serving"); err != nil {
		t.Fatal(err)
	}
	if got := recv(t, c); got != "READY=1\nSTATUS=serving" {
		t.Fatalf("got %q", got)
	}
	if err := n.Stopping(); err != nil {
		t.Fatal(err)
	}
	if got := recv(t, c); got != "STOPPING=1" {
		t.Fatalf("got %q", got)
	}
}

func TestWatchdog(t *testing.T) {
	c, path := listen(t)
	n := sdnotify.New(env(map[string]string{"NOTIFY_SOCKET": path, "WATCHDOG_USEC": "100000", "WATCHDOG_PID": "42"}), 42)
	if n.WatchdogInterval() != 100*time.Millisecond {
		t.Fatalf("interval %v", n.WatchdogInterval())
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { n.RunWatchdog(ctx, func() error { return nil }); close(done) }()
	for i := 0; i < 3; i++ {
		if got := recv(t, c); got != "WATCHDOG=1" {
			t.Fatalf("ping %d = %q", i, got)
		}
	}
	cancel()
	<-done
}

func TestWatchdogStopsWhenUnhealthy(t *testing.T) {
	c, path := listen(t)
	n := sdnotify.New(env(map[string]string{"NOTIFY_SOCKET": path, "WATCHDOG_USEC": "60000"}), 1)
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	go n.RunWatchdog(ctx, func() error { return errors.New("store wedged") })
	c.SetReadDeadline(time.Now().Add(250 * time.Millisecond))
	if _, err := c.Read(make([]byte, 64)); err == nil || !strings.Contains(err.Error(), "timeout") {
		t.Fatalf("unhealthy daemon still pinged the watchdog (err=%v)", err)
	}
}

func TestWatchdogForOtherPID(t *testing.T) {
	n := sdnotify.New(env(map[string]string{"NOTIFY_SOCKET": "/x", "WATCHDOG_USEC": "1000", "WATCHDOG_PID": "7"}), 8)
	if n.WatchdogInterval() != 0 {
		t.Fatal("watchdog meant for another pid was taken")
	}
}

func TestDisabled(t *testing.T) {
	n := sdnotify.New(env(nil), 1)
	if n.Enabled() || n.Ready("") != nil || n.WatchdogInterval() != 0 {
		t.Fatal("nil notifier must be a silent no-op")
	}
	n.RunWatchdog(context.Background(), nil) // returns at once
}

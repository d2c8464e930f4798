// Package sdnotify speaks systemd's service notification protocol
// (sd_notify(3)): READY=1 once the device is serving, WATCHDOG=1 while it is
// healthy, STOPPING=1 on shutdown. It is a no-op when NOTIFY_SOCKET is unset
// (development, tests, non-systemd boards).
//
// It imports nothing of the project.
package sdnotify

import (
	"context"
	"fmt"
	"net"
	"strconv"
	"strings"
	"time"
)

// Notifier sends notifications to the socket systemd gave the service.
type Notifier struct {
	addr     *net.UnixAddr
	watchdog time.Duration
}

// New reads NOTIFY_SOCKET, WATCHDOG_USEC and WATCHDOG_PID through getenv. It
// returns nil (a valid, silent Notifier) when the service is not under systemd
// notification.
func New(getenv func(string) string, pid int) *Notifier {
	sock := getenv("NOTIFY_SOCKET")
	if sock == "" {
		return nil
	}
	if strings.HasPrefix(sock, "@") {
		sock = "\x00" + sock[1:] // abstract namespace
	}
	n := &Notifier{addr: &net.UnixAddr{Name: sock, Net: "unixgram"}}
	if us, err := strconv.ParseInt(getenv("WATCHDOG_USEC"), 10, 64); err == nil && us > 0 {
		wpid := getenv("WATCHDOG_PID")
		if wpid == "" || wpid == strconv.Itoa(pid) {
			n.watchdog = time.Duration(us) * time.Microsecond
		}
	}
	return n
}

// Enabled reports whether notifications go anywhere.
func (n *Notifier) Enabled() bool { return n != nil }

// WatchdogInterval is the interval systemd expects pings within (0: none).
func (n *Notifier) WatchdogInterval() time.Duration {
	if n == nil {
		return 0
	}
	return n.watchdog
}

// Notify sends one state string such as "READY=1" or "STATUS=…".
func (n *Notifier) Notify(state string) error {
	if n == nil {
		return nil
	}
	c, err := net.DialUnix("unixgram", nil, n.addr)
	if err != nil {
		return fmt.Errorf("sdnotify: %w", err)
	}
	defer c.Close()
	if _, err := c.Write([]byte(state)); err != nil {
		return fmt.Errorf("sdnotify: %w", err)
	}
	return nil
}

// Ready tells systemd the service is up.
func (n *Notifier) Ready(status string) error {
	if status == "" {
		return n.Notify("READY=1")
	}
	return n.Notify("READY=1\nSTATUS=" + status)
}

// Stopping tells systemd the service is shutting down.
func (n *Notifier) Stopping() error { return n.Notify("STOPPING=1") }

// RunWatchdog pings WATCHDOG=1 at half the configured interval while healthy
// returns nil, until ctx is done. A failing health check stops the pings, so
// systemd restarts a wedged daemon. It returns at once if no watchdog is set.
func (n *Notifier) RunWatchdog(ctx context.Context, healthy func() error) {
	iv := n.WatchdogInterval()
	if iv == 0 {
		return
	}
	t := time.NewTicker(iv / 2)
	defer t.Stop()
	for {
		if healthy == nil || healthy() == nil {
			_ = n.Notify("WATCHDOG=1")
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

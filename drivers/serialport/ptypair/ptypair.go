// Package ptypair creates real pseudo-terminal pairs so that drivers are
// tested, and devices simulated, over a real tty rather than a Go call.
//
// The host side (the driver under test) opens Path like any serial device;
// the device side (a simulator) reads and writes Master. A Pair can also keep
// a stable symlink to its slave, the way udev gives /dev/kiosk-nfc, so that a
// test can pull the device (Unplug) and plug a new one in at the same path
// (Replug) to exercise a driver's reopen logic.
//
// It owns pty allocation only and imports nothing of the project.
package ptypair

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"sync"

	"golang.org/x/sys/unix"
)

// Pair is one pseudo-terminal: Master is the device side, Path the host side.
type Pair struct {
	mu     sync.Mutex
	master *os.File
	hold   *os.File // a slave fd kept open so the master never sees EIO while the host reopens
	slave  string   // /dev/pts/N
	link   string   // optional stable symlink to slave
}

// Options configure a pair. The zero value (or nil) is a bare pty.
type Options struct {
	// Link, if set, is a stable symlink to the slave, replaced if it
	// exists (the way udev gives /dev/kiosk-nfc). Path then returns it,
	// and Unplug/Replug can pull the device and plug a new one in there.
	Link string
}

// Open allocates a new pty pair in raw mode (no echo, no line discipline
// processing in either direction), as a serial line behaves. It runs
// nothing, so it is Open rather than Start; Close releases it.
func Open(opts *Options) (*Pair, error) {
	p := &Pair{}
	if opts != nil {
		p.link = opts.Link
	}
	if err := p.alloc(); err != nil {
		return nil, err
	}
	if p.link != "" {
		if err := p.relink(); err != nil {
			p.Close()
			return nil, err
		}
	}
	return p, nil
}

func (p *Pair) alloc() error {
	m, err := os.OpenFile("/dev/ptmx", os.O_RDWR|unix.O_NOCTTY, 0)
	if err != nil {
		return fmt.Errorf("ptypair: open /dev/ptmx: %w", err)
	}
	// The ioctls go through SyscallConn: calling m.Fd() would switch the
	// master to blocking mode, after which read deadlines are ignored and
	// Close no longer unblocks a pending Read.
	n, err := ptsNumber(m)
	if err != nil {
		m.Close()
		return err
	}
	slave := "/dev/pts/" + strconv.Itoa(n)
	s, err := os.OpenFile(slave, os.O_RDWR|unix.O_NOCTTY, 0)
	if err != nil {
		m.Close()
		return fmt.Errorf("ptypair: open %s: %w", slave, err)
	}
	if err := makeRaw(int(s.Fd())); err != nil {
		m.Close()
		s.Close()
		return err
	}
	p.master, p.hold, p.slave = m, s, slave
	return nil
}

// ptsNumber unlocks the slave of master m and returns its number.
func ptsNumber(m *os.File) (int, error) {
	rc, err := m.SyscallConn()
	if err != nil {
		return 0, fmt.Errorf("ptypair: %w", err)
	}
	var n int
	var ioErr error
	err = rc.Control(func(fd uintptr) {
		if ioErr = unix.IoctlSetPointerInt(int(fd), unix.TIOCSPTLCK, 0); ioErr != nil {
			ioErr = fmt.Errorf("ptypair: unlockpt: %w", ioErr)
			return
		}
		if n, ioErr = unix.IoctlGetInt(int(fd), unix.TIOCGPTN); ioErr != nil {
			ioErr = fmt.Errorf("ptypair: ptsname: %w", ioErr)
		}
	})
	if err != nil {
		return 0, fmt.Errorf("ptypair: %w", err)
	}
	return n, ioErr
}

// makeRaw sets the termios of a tty to raw 8N1, as cfmakeraw(3) does.
func makeRaw(fd int) error {
	t, err := unix.IoctlGetTermios(fd, unix.TCGETS)
	if err != nil {
		return fmt.Errorf("ptypair: tcgetattr: %w", err)
	}
	t.Iflag &^= unix.IGNBRK | unix.BRKINT | unix.PARMRK | unix.ISTRIP | unix.INLCR | unix.IGNCR | unix.ICRNL | unix.IXON
	t.Oflag &^= unix.OPOST
	t.Lflag &^= unix.ECHO | unix.ECHONL | unix.ICANON | unix.ISIG | unix.IEXTEN
	t.Cflag &^= unix.CSIZE | unix.PARENB
	t.Cflag |= unix.CS8
	t.Cc[unix.VMIN] = 1
	t.Cc[unix.VTIME] = 0
	if err := unix.IoctlSetTermios(fd, unix.TCSETS, t); err != nil {
		return fmt.Errorf("ptypair: tcsetattr: %w", err)
	}
	return nil
}

func (p *Pair) relink() error {
	tmp := p.link + ".new"
	_ = os.Remove(tmp)
	if err := os.Symlink(p.slave, tmp); err != nil {
		return fmt.Errorf("ptypair: symlink: %w", err)
	}
	if err := os.Rename(tmp, p.link); err != nil {
		return fmt.Errorf("ptypair: symlink: %w", err)
	}
	return nil
}

// Master is the device side of the pair. It supports read deadlines, and
// Close unblocks a pending Read. After Replug it is a new file.
func (p *Pair) Master() *os.File {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.master
}

// Path is what the host opens: the stable link if there is one, else /dev/pts/N.
func (p *Pair) Path() string {
	if p.link != "" {
		return p.link
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.slave
}

// SlavePath is the current /dev/pts/N behind Path.
func (p *Pair) SlavePath() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.slave
}

// Unplug simulates pulling the device: the master closes (the host sees a
// hang-up) and the stable link, if any, disappears.
func (p *Pair) Unplug() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.closeLocked()
}

// Replug plugs a new device in at the same stable link. It needs
// Options.Link.
func (p *Pair) Replug() error {
	if p.link == "" {
		return errors.New("ptypair: Replug needs a pair opened with Options.Link")
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.master != nil {
		_ = p.closeLocked()
	}
	if err := p.alloc(); err != nil {
		return err
	}
	return p.relink()
}

func (p *Pair) closeLocked() error {
	var errs []error
	if p.link != "" {
		if err := os.Remove(p.link); err != nil && !errors.Is(err, os.ErrNotExist) {
			errs = append(errs, err)
		}
	}
	if p.master != nil {
		errs = append(errs, p.master.Close())
		p.master = nil
	}
	if p.hold != nil {
		errs = append(errs, p.hold.Close())
		p.hold = nil
	}
	return errors.Join(errs...)
}

// Close releases the pair and removes the link.
func (p *Pair) Close() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.closeLocked()
}

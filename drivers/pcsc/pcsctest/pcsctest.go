// Package pcsctest starts a private pcscd (pcsc-lite) with a vsmartcard
// vpcd virtual reader for tests, so drivers/pcsc and end-to-end tests
// read a virtual card (package vpcdsim) through the real daemon.
//
// Isolation: pcsc-lite 1.9's daemon has its socket directory compiled in
// (/run/pcscd); only the client library honours PCSCLITE_CSOCK_NAME. So
// the daemon runs in a private mount namespace (unshare(1), root) with a
// per-process directory bind-mounted over /run/pcscd, and the client is
// pointed at that directory's socket. Its reader.conf.d is a private
// directory whose vpcd entry uses free TCP ports, so a system pcscd or
// vpcd on 35963 is never disturbed. Without unshare it falls back to the
// default socket when no other pcscd is running.
//
// It is test support: it imports testing and must only be imported from
// _test.go files (and tests/ end-to-end helpers).
package pcsctest

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/ebfe/scard"
)

// EnvDebug, when set to 1 in the test's environment, runs pcscd with
// --debug --apdu and prints its log at cleanup even when the test passed.
const EnvDebug = "PCSCTEST_DEBUG"

// EnvSocket is the pcsc-lite client variable naming the daemon's socket.
const EnvSocket = "PCSCLITE_CSOCK_NAME"

// readerFriendlyName is the vpcd reader's name in the private config;
// pcscd appends " 00 00" (slot 0) and " 00 01" (slot 1).
const readerFriendlyName = "Kiosk Test VPCD"

// Options configure the private daemon. The zero value (or nil) logs
// errors only.
type Options struct {
	// Debug runs pcscd with --debug --apdu and prints its log at cleanup
	// even when the test passed (as EnvDebug=1 does).
	Debug bool
}

// PCSCD is a running private pcscd with one vpcd reader.
type PCSCD struct {
	path   string // the daemon's socket
	addr   string // where vpcd waits for the virtual card of slot 0
	reader string // the PC/SC name of slot 0
	debug  bool

	cmd  *exec.Cmd
	done chan struct{}
	out  *lockedBuffer
}

// Start starts a private pcscd with a vpcd reader and waits until the
// reader is listed. Like the simulators' Start it returns a running
// thing to Close, but it takes the test instead of a context: it sets
// EnvSocket with t.Setenv, so the test must not be parallel; the daemon is
// stopped (and no process is left) at t's cleanup, and its log is printed
// if the test failed. It skips the test, saying why, when pcscd or the
// vpcd driver is not installed or the test does not run as root. nil opts
// means defaults.
//
// pcsc-lite caches the socket name at the first PC/SC call of a process,
// so every Start in one test binary uses the same per-process directory;
// run them one after another, not at the same time.
func Start(t testing.TB, opts *Options) *PCSCD {
	t.Helper()
	var o Options
	if opts != nil {
		o = *opts
	}
	debug := o.Debug || os.Getenv(EnvDebug) == "1"
	pcscd, lib := requirements(t)
	port, err := freePortPair()
	if err != nil {
		t.Fatalf("pcsctest: %v", err)
	}
	confDir := t.TempDir()
	conf := fmt.Sprintf("FRIENDLYNAME \"%s\"\nDEVICENAME   /dev/null:%d\nLIBPATH      %s\nCHANNELID    %d\n",
		readerFriendlyName, port, lib, port)
	if err := os.WriteFile(filepath.Join(confDir, "vpcd"), []byte(conf), 0o644); err != nil {
		t.Fatalf("pcsctest: %v", err)
	}
	p := &PCSCD{
		addr:   fmt.Sprintf("127.0.0.1:%d", port),
		reader: readerFriendlyName + " 00 00",
		debug:  debug,
		done:   make(chan struct{}),
		out:    &lockedBuffer{},
	}
	p.cmd, p.path = daemonCommand(t, pcscd, confDir, debug)
	p.cmd.Stdout, p.cmd.Stderr = p.out, p.out
	// If the test binary dies, the kernel kills the daemon.
	p.cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	t.Setenv(EnvSocket, p.path)
	if err := p.cmd.Start(); err != nil {
		t.Fatalf("pcsctest: start pcscd: %v", err)
	}
	go func() { _ = p.cmd.Wait(); close(p.done) }()
	t.Cleanup(func() { p.cleanup(t) })
	if err := p.waitReader(10 * time.Second); err != nil {
		t.Fatalf("pcsctest: %v\npcscd log:\n%s", err, p.out.String())
	}
	return p
}

// Path is the daemon's socket; EnvSocket is set to it for the calling
// test process.
func (p *PCSCD) Path() string { return p.path }

// Addr is where vpcd waits for the virtual card of slot 0: vpcdsim's
// Options.Addr.
func (p *PCSCD) Addr() string { return p.addr }

// ReaderName is the PC/SC name of slot 0 ("Kiosk Test VPCD 00 00").
func (p *PCSCD) ReaderName() string { return p.reader }

// Env is EnvSocket=Path(), to append to a child process's environment
// (exec.Cmd.Env) so it talks to this daemon.
func (p *PCSCD) Env() []string { return []string{EnvSocket + "=" + p.path} }

// requirements finds pcscd and the vpcd driver or skips the test.
func requirements(t testing.TB) (pcscd, lib string) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("pcsctest: skipped: starting a private pcscd needs root (mount namespace, /run/pcscd)")
	}
	pcscd, err := exec.LookPath("pcscd")
	if err != nil {
		for _, p := range []string{"/usr/sbin/pcscd", "/sbin/pcscd", "/usr/local/sbin/pcscd"} {
			if _, e := os.Stat(p); e == nil {
				pcscd, err = p, nil
				break
			}
		}
	}
	if err != nil {
		t.Skip("pcsctest: skipped: pcscd is not installed (apt-get install pcscd)")
	}
	lib = vpcdLibrary()
	if lib == "" {
		t.Skip("pcsctest: skipped: vpcd driver libifdvpcd.so not found (apt-get install vsmartcard-vpcd)")
	}
	return pcscd, lib
}

// vpcdLibrary reads LIBPATH from the installed vpcd reader.conf.d entry,
// or looks in the usual driver directories.
func vpcdLibrary() string {
	var candidates []string
	if f, err := os.Open("/etc/reader.conf.d/vpcd"); err == nil {
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			fields := strings.Fields(sc.Text())
			if len(fields) == 2 && fields[0] == "LIBPATH" {
				candidates = append(candidates, fields[1])
			}
		}
		_ = f.Close()
	}
	candidates = append(candidates,
		"/usr/lib/pcsc/drivers/serial/libifdvpcd.so",
		"/usr/local/lib/pcsc/drivers/serial/libifdvpcd.so",
		"/usr/lib64/pcsc/drivers/serial/libifdvpcd.so")
	for _, c := range candidates {
		if _, err := os.Stat(c); err == nil {
			return c
		}
	}
	return ""
}

// daemonCommand builds the pcscd command line: in a private mount
// namespace with a per-process socket directory when unshare works,
// otherwise the default socket when it is free.
func daemonCommand(t testing.TB, pcscd, confDir string, debug bool) (*exec.Cmd, string) {
	t.Helper()
	if canUnshare() {
		dir := filepath.Join(os.TempDir(), fmt.Sprintf("pcsctest-%d", os.Getpid()))
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatalf("pcsctest: %v", err)
		}
		t.Cleanup(func() { _ = os.RemoveAll(dir) })
		script := `d=$1 p=$2 c=$3; shift 3; mkdir -p /run/pcscd && mount --bind "$d" /run/pcscd && exec "$p" --foreground --config "$c" "$@"`
		cmd := exec.Command("unshare", append([]string{"--mount", "--propagation", "private",
			"sh", "-c", script, "sh", dir, pcscd, confDir}, debugFlags(debug)...)...)
		return cmd, filepath.Join(dir, "pcscd.comm")
	}
	const sock = "/run/pcscd/pcscd.comm"
	if c, err := net.DialTimeout("unix", sock, time.Second); err == nil {
		_ = c.Close()
		t.Fatalf("pcsctest: a system pcscd is running on %s and unshare(1) is unavailable: cannot start a private one", sock)
	}
	return exec.Command(pcscd, append([]string{"--foreground", "--config", confDir}, debugFlags(debug)...)...), sock
}

// debugFlags are pcscd's log options: errors only, or everything with
// Options.Debug or EnvDebug=1.
func debugFlags(debug bool) []string {
	if debug {
		return []string{"--debug", "--apdu"}
	}
	return []string{"--error"}
}

// canUnshare reports whether a private mount namespace can be made.
func canUnshare() bool {
	if _, err := exec.LookPath("unshare"); err != nil {
		return false
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return exec.CommandContext(ctx, "unshare", "--mount", "--propagation", "private", "true").Run() == nil
}

// freePortPair finds a port p with p and p+1 free: vpcd listens on
// CHANNELID for slot 0 and CHANNELID+1 for slot 1 (on all interfaces).
func freePortPair() (int, error) {
	for range 50 {
		l, err := net.Listen("tcp", "0.0.0.0:0")
		if err != nil {
			return 0, fmt.Errorf("find a free port: %w", err)
		}
		port := l.Addr().(*net.TCPAddr).Port
		l2, err := net.Listen("tcp", fmt.Sprintf("0.0.0.0:%d", port+1))
		_ = l.Close()
		if err == nil {
			_ = l2.Close()
			return port, nil
		}
	}
	return 0, errors.New("no two consecutive free TCP ports for vpcd")
}

// waitReader polls pcscd until it lists the vpcd reader.
func (p *PCSCD) waitReader(limit time.Duration) error {
	deadline := time.Now().Add(limit)
	var last error
	for time.Now().Before(deadline) {
		select {
		case <-p.done:
			return fmt.Errorf("pcscd exited during start-up: %v", p.cmd.ProcessState)
		default:
		}
		if last = p.listed(); last == nil {
			return nil
		}
		time.Sleep(20 * time.Millisecond)
	}
	return fmt.Errorf("pcscd did not list reader %q within %v: %v", p.reader, limit, last)
}

// listed reports nil when pcscd answers and lists the vpcd reader.
func (p *PCSCD) listed() error {
	sc, err := scard.EstablishContext()
	if err != nil {
		return err
	}
	defer func() { _ = sc.Release() }()
	readers, err := sc.ListReaders()
	if err != nil {
		return err
	}
	if !slices.Contains(readers, p.reader) {
		return fmt.Errorf("readers %q", readers)
	}
	return nil
}

// Close terminates the daemon now, for tests of a pcscd that goes away
// (the cleanup then has nothing left to do). It may be called more than
// once.
func (p *PCSCD) Close() error {
	p.terminate()
	return nil
}

// cleanup terminates the daemon and prints the log of a failed test.
func (p *PCSCD) cleanup(t testing.TB) {
	p.terminate()
	if t.Failed() || p.debug {
		t.Logf("pcscd log:\n%s", p.out.String())
	}
}

// terminate sends SIGTERM, then SIGKILL after 3 s, and waits for the
// daemon, so no process outlives the test.
func (p *PCSCD) terminate() {
	select {
	case <-p.done:
	default:
		_ = p.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-p.done:
		case <-time.After(3 * time.Second):
			_ = p.cmd.Process.Kill()
			<-p.done
		}
	}
}

// Log returns what pcscd printed so far (its --foreground log).
func (p *PCSCD) Log() string { return p.out.String() }

// lockedBuffer is a bytes.Buffer safe for the exec copier goroutines.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

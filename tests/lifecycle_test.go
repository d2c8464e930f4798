package tests

import (
	"bufio"
	"bytes"
	"context"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// syncBuffer is a bytes.Buffer safe to read while exec's goroutine writes
// the child's stderr into it.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// startKioskd starts `kioskd args…` in dir and returns the process and a
// channel of its stdout lines.
func startKioskd(t *testing.T, dir string, envs []string, args ...string) (*exec.Cmd, <-chan string, *syncBuffer) {
	t.Helper()
	cmd := exec.Command(kioskdBin, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), envs...)
	stderr := &syncBuffer{}
	cmd.Stderr = stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _, _ = cmd.Process.Wait() })
	lines := make(chan string, 4096) // a flooding child (txgen) is not throttled by the reader
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	return cmd, lines, stderr
}

// waitLine waits for a stdout line with the given prefix.
func waitLine(t *testing.T, lines <-chan string, prefix string, d time.Duration, stderr *syncBuffer) []string {
	t.Helper()
	var seen []string
	deadline := time.After(d)
	for {
		select {
		case l, ok := <-lines:
			if !ok {
				t.Fatalf("kioskd exited before %q; stdout %q; stderr:\n%s", prefix, seen, stderr)
			}
			seen = append(seen, l)
			if strings.HasPrefix(l, prefix) {
				return seen
			}
		case <-deadline:
			t.Fatalf("no %q within %v; stdout %q; stderr:\n%s", prefix, d, seen, stderr)
		}
	}
}

// TestRunSimReadyAndGracefulStop is `make run`'s promise: ready, the
// simulated device paths, READY=1 to systemd, and exit 0 within 5 s of SIGTERM.
func TestRunSimReadyAndGracefulStop(t *testing.T) {
	dir := t.TempDir()
	sock := filepath.Join(dir, "notify.sock")
	nc, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: sock, Net: "unixgram"})
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()

	cmd, lines, stderr := startKioskd(t, dir, []string{"NOTIFY_SOCKET=" + sock}, "run", "--sim")
	waitLine(t, lines, "ready", 20*time.Second, stderr)

	nc.SetReadDeadline(time.Now().Add(5 * time.Second))
	buf := make([]byte, 256)
	n, err := nc.Read(buf)
	if err != nil || !strings.HasPrefix(string(buf[:n]), "READY=1") {
		t.Fatalf("sd_notify: got %q, %v", buf[:n], err)
	}
	// Simulated devices are listed after ready.
	time.Sleep(200 * time.Millisecond)
	var simLines []string
	for len(lines) > 0 {
		simLines = append(simLines, <-lines)
	}
	if len(simLines) == 0 || !strings.HasPrefix(simLines[0], "sim ") {
		t.Errorf("no simulated device paths after ready: %q", simLines)
	}
	if _, err := os.Stat(filepath.Join(dir, "var")); err != nil {
		t.Errorf("state not under ./var: %v", err)
	}

	start := time.Now()
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("exit after SIGTERM: %v; stderr:\n%s", err, stderr)
		}
		if el := time.Since(start); el > 5*time.Second {
			t.Fatalf("stop took %v", el)
		}
	case <-time.After(6 * time.Second):
		t.Fatalf("kioskd did not exit within 5 s of SIGTERM; stderr:\n%s", stderr)
	}
}

func TestConfigCheckUnknownKey(t *testing.T) {
	dir := t.TempDir()
	f := filepath.Join(dir, "k.toml")
	os.WriteFile(f, []byte("[device]\nid = \"kiosk-1\"\nprofile = \"hospital\"\n\n[uplink]\nbase_url = \"https://x.example\"\nretries = 3\n"), 0o644)
	out, err := exec.CommandContext(context.Background(), kioskdBin, "config", "check", f).CombinedOutput()
	var ee *exec.ExitError
	if !errorsAs(err, &ee) || ee.ExitCode() != 2 {
		t.Fatalf("exit: %v, want 2; output:\n%s", err, out)
	}
	if !strings.Contains(string(out), "k.toml:7: uplink.retries: unknown key") {
		t.Fatalf("output does not name the key and line:\n%s", out)
	}
}

func TestVersion(t *testing.T) {
	out, err := exec.Command(kioskdBin, "version").Output()
	if err != nil {
		t.Fatal(err)
	}
	s := string(out)
	for _, want := range []string{"kioskd ", "commit ", "go1.", "linux/"} {
		if !strings.Contains(s, want) {
			t.Errorf("version %q lacks %q", s, want)
		}
	}
}

func TestUsageExitCodes(t *testing.T) {
	for _, c := range []struct {
		args []string
		code int
	}{
		{[]string{}, 2},
		{[]string{"frobnicate"}, 2},
		{[]string{"run", "--bogus"}, 2},
		{[]string{"run"}, 2}, // neither --config nor --sim
		{[]string{"--help"}, 0},
		{[]string{"run", "--help"}, 0},
		{[]string{"diag", "--help"}, 0},
		{[]string{"config", "check", "/nonexistent.toml"}, 2},
	} {
		err := exec.Command(kioskdBin, c.args...).Run()
		code := 0
		var ee *exec.ExitError
		if errorsAs(err, &ee) {
			code = ee.ExitCode()
		}
		if code != c.code {
			t.Errorf("kioskd %v: exit %d, want %d", c.args, code, c.code)
		}
	}
}

func TestSelftest(t *testing.T) {
	dir := t.TempDir()
	cmd := exec.Command(kioskdBin, "selftest", "--sim")
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("selftest --sim: %v\n%s", err, out)
	}
	for _, role := range []string{"config", "nfc", "scanner", "printer", "fingerprint", "bhyt.base_url", "his.base_url"} {
		if !strings.Contains(string(out), "ok   "+role) {
			t.Errorf("no ok line for %s:\n%s", role, out)
		}
	}
	// A configured device that is not there: a FAIL line and exit 1.
	cfg := filepath.Join(dir, "k.toml")
	// A backend that does not answer: a FAIL line naming its key.
	os.WriteFile(cfg, []byte("[device]\nid = \"kiosk-1\"\nprofile = \"hospital\"\ndata_dir = \""+dir+"\"\n[devices.printer]\ndriver = \"escpos\"\nport = \"/dev/nonexistent-printer\"\n"+
		"[uplink]\nbase_url = \"https://127.0.0.1:1\"\ntoken = \"t0ken\"\n"), 0o644)
	out, err = exec.Command(kioskdBin, "selftest", "--config", cfg).CombinedOutput()
	var ee *exec.ExitError
	if !errorsAs(err, &ee) || ee.ExitCode() != 1 || !strings.Contains(string(out), "FAIL printer") {
		t.Fatalf("selftest with a missing printer: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "FAIL uplink.base_url 127.0.0.1:1: connect: connection refused") {
		t.Errorf("selftest with an unreachable uplink:\n%s", out)
	}
	if n := strings.Count(string(out), "/dev/nonexistent-printer"); n != 1 {
		t.Errorf("the printer's path named %d times:\n%s", n, out)
	}
	// --skip-devices (the updater's health gate, while the service holds
	// the devices): the printer is not probed; the backend still is.
	out, _ = exec.Command(kioskdBin, "selftest", "--config", cfg, "--skip-devices").CombinedOutput()
	if strings.Contains(string(out), "printer") || !strings.Contains(string(out), "skip devices") || !strings.Contains(string(out), "FAIL uplink.base_url") {
		t.Errorf("selftest --skip-devices:\n%s", out)
	}
}

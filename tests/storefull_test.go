package tests

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/kiosk06/kiosk/drivers/escpos/escpossim"
	"github.com/kiosk06/kiosk/firmware/his/hisfake"
	"github.com/kiosk06/kiosk/firmware/hospital"
	"github.com/kiosk06/kiosk/firmware/profile"
)

// smallDisk mounts a tmpfs of size at dir, the kiosk's data_dir, so a test
// can fill it the way a real disk fills up. It skips the test where tmpfs
// cannot be mounted (not root, no CAP_SYS_ADMIN in this namespace).
func smallDisk(t *testing.T, dir, size string) {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mount("tmpfs", dir, "tmpfs", syscall.MS_NOSUID|syscall.MS_NODEV, "size="+size+",mode=0755"); err != nil {
		t.Skipf("skipped: this test fills a small tmpfs to make the kiosk's disk full, and mounting one needs root or CAP_SYS_ADMIN: mount tmpfs at %s: %v", dir, err)
	}
	t.Cleanup(func() {
		if err := syscall.Unmount(dir, syscall.MNT_DETACH); err != nil {
			t.Errorf("unmount %s: %v", dir, err)
		}
	})
}

// fillDisk writes a file in dir until the file system is full and returns
// its path (removing it frees the space again).
func fillDisk(t *testing.T, dir string) string {
	t.Helper()
	path := filepath.Join(dir, "filler")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	buf := make([]byte, 64<<10)
	for {
		if _, err := f.Write(buf); err != nil {
			if !errors.Is(err, syscall.ENOSPC) {
				t.Fatalf("filling %s: %v", dir, err)
			}
			break
		}
	}
	// Down to the last byte: SQLite must not find room for a WAL frame.
	for _, n := range []int{4096, 512, 1} {
		for {
			if _, err := f.Write(buf[:n]); err != nil {
				break
			}
		}
	}
	return path
}

// hospitalConfig is the embedded simulator configuration with its state on
// dataDir, the HIS at hisURL (the test's own fake, so it can count visits),
// metrics off (no fixed port) and a short resume check.
func hospitalConfig(t *testing.T, dir, dataDir, hisURL, hisToken string) string {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("..", "firmware", "config", "sim.toml"))
	if err != nil {
		t.Fatal(err)
	}
	cfg := string(raw)
	for old, repl := range map[string]string{
		`data_dir = "./var"`:        fmt.Sprintf("data_dir = %q", dataDir),
		`listen = "127.0.0.1:9406"`: `listen = ""`,
		"enrol_offer = \"offer\"":   "enrol_offer = \"skip\"\nresume_check = \"1s\"",
		`interval = "2s"`:           `interval = "300ms"`,
		"[payments]":                fmt.Sprintf("[his]\nbase_url = %q\ntoken = %q\n\n[payments]", hisURL, hisToken),
		`format = "auto"`:           `format = "text"`,
		"# Embedded default for":    "# Test copy of the embedded default for",
	} {
		if !strings.Contains(cfg, old) {
			t.Fatalf("sim.toml no longer has %q", old)
		}
		cfg = strings.Replace(cfg, old, repl, 1)
	}
	path := filepath.Join(dir, "hospital.toml")
	if err := os.WriteFile(path, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestHospitalDiskFull runs the hospital kiosk as a real kioskd process
// whose data_dir is a small tmpfs, fills it after start-up and brings a
// patient: the kiosk goes out of service, the HIS registers no visit and no
// ticket is issued (before issue 15 the flow logged "record not stored"
// and registered the visit anyway). Freeing the space brings it back to
// welcome by itself, and the next patient gets a ticket.
func TestHospitalDiskFull(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "var")
	smallDisk(t, data, "32m")
	const hisToken = "e2e-his-token"
	hisSrv := hisfake.New(hisToken)
	defer hisSrv.Close()
	sock := filepath.Join(dir, "control.sock")
	cfg := hospitalConfig(t, dir, data, hisSrv.URL(), hisToken)
	cmd, lines, stderr := startKioskd(t, dir, []string{"DISPLAY=", "WAYLAND_DISPLAY="}, "run", "--sim", "--config", cfg, "--control", sock)
	waitLine(t, lines, "ready", 30*time.Second, stderr)
	cc := dialControl(t, sock)

	filler := fillDisk(t, data)
	visits := func() string { return fmt.Sprintf("the HIS has %d visit(s)", len(hisSrv.Visits())) }
	patient := &hospitalPatient{cc: cc, status: visits}
	s := patient.until(t, stderr, 60*time.Second, hospital.ScreenOutOfService)
	o := s.OutOfService
	if o == nil || o.Code != "store_unavailable" || o.Next.Key != "out_of_service.not_registered" || s.Patient != nil {
		t.Fatalf("out of service: %+v, patient %+v", o, s.Patient)
	}
	if len(s.Actions) != 1 || s.Actions[0].Kind != hospital.IntentLanguage {
		t.Fatalf("out-of-service screen offers %v", s.Actions)
	}
	if n := len(hisSrv.Visits()); n != 0 {
		t.Fatalf("the HIS registered %d visit(s) on a full disk", n)
	}
	waitLog(t, stderr, "record not stored", 5*time.Second)
	// Still out of service while the disk stays full (resume_check 1s).
	time.Sleep(2500 * time.Millisecond)
	if n := len(hisSrv.Visits()); n != 0 || patient.last.Screen != hospital.ScreenOutOfService {
		t.Fatalf("on a full disk: %d visits, screen %s", n, patient.last.Screen)
	}

	if err := os.Remove(filler); err != nil {
		t.Fatal(err)
	}
	cc.sim(profile.SimCommand{Sim: "remove"})
	next := &hospitalPatient{cc: cc, status: visits}
	s = next.until(t, stderr, 60*time.Second, hospital.ScreenTicket)
	if !s.Ticket.Printed || len(hisSrv.Visits()) != 1 {
		t.Fatalf("after the space came back: ticket %+v, %d visits", s.Ticket, len(hisSrv.Visits()))
	}
	cmd.Process.Signal(os.Interrupt)
	cmd.Wait()
}

// hospitalPatient walks through the hospital kiosk over the control socket
// as a patient would, from welcome until a screen.
type hospitalPatient struct {
	cc        *controlClient
	presented bool
	last      hospital.State
	status    func() string // what else the test knows, for failure messages
}

// until plays the patient until the kiosk shows screen want, failing on
// any ticket or error screen that is not wanted.
func (p *hospitalPatient) until(t *testing.T, stderr *syncBuffer, d time.Duration, want hospital.Screen) hospital.State {
	t.Helper()
	deadline := time.After(d)
	for {
		l := p.cc.next(deadline, func() string { return fmt.Sprintf("waiting for %s, on %s", want, p.last.Screen) }, stderr)
		if l.State == nil {
			continue
		}
		s := *l.State
		p.last = s
		if s.Screen == want {
			return s
		}
		act := func(k hospital.IntentKind) bool {
			for _, a := range s.Actions {
				if a.Kind == k && !a.Yes {
					in := a.Intent()
					p.cc.intent(in)
					return true
				}
			}
			return false
		}
		if p.presented && s.Screen != hospital.ScreenWelcome && s.Screen != hospital.ScreenIdentify {
			p.cc.sim(profile.SimCommand{Sim: "remove"})
		}
		switch s.Screen {
		case hospital.ScreenWelcome:
			if !p.presented {
				p.presented = true
				p.cc.sim(profile.SimCommand{Sim: "scan", Variant: "genuine"})
				p.cc.sim(profile.SimCommand{Sim: "tap", Variant: "genuine"})
			}
		case hospital.ScreenCardResult, hospital.ScreenInsurance:
			act(hospital.IntentContinue)
		case hospital.ScreenHolder:
			if !act(hospital.IntentConsent) {
				act(hospital.IntentSkip)
			}
		case hospital.ScreenClinic:
			if s.Clinic != nil && !s.Clinic.Loading && len(s.Clinic.Clinics) > 0 {
				in := hospital.Intent{Kind: hospital.IntentChoose, Clinic: s.Clinic.Clinics[0].Code}
				p.cc.intent(in)
			}
		case hospital.ScreenTicket, hospital.ScreenPayment, hospital.ScreenReceipt:
			t.Fatalf("reached %s waiting for %s (%s); stderr:\n%s", s.Screen, want, p.status(), stderr)
		case hospital.ScreenError:
			t.Fatalf("error screen %q waiting for %s (%s); stderr:\n%s", s.Error.Message.VI, want, p.status(), stderr)
		}
	}
}

// TestParkingDiskFull runs the parking lane in a real kioskd process whose
// data_dir is a small tmpfs, fills it, and presents a CCCD at the entry:
// no ticket prints, the barrier stays shut and the lane says it is out of
// service; once the space is back the next vehicle gets its ticket.
func TestParkingDiskFull(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "var")
	smallDisk(t, data, "32m")
	_, url, sc := backendAndScanner(t, "")
	pr, err := escpossim.Start(context.Background(), &escpossim.Options{Dir: filepath.Join(dir, "pages"), Width: 576})
	if err != nil {
		t.Fatal(err)
	}
	defer pr.Close()
	cfg := filepath.Join(dir, "parking.toml")
	os.WriteFile(cfg, []byte(`[device]
id = "lot-full-1"
profile = "parking"
data_dir = "`+data+`"
[uplink]
base_url = "`+url+`"
interval = "200ms"
[log]
format = "text"
[devices.scanner]
driver = "scanner"
port = "`+sc.Path()+`"
suffix = "cr"
[devices.printer]
driver = "escpos"
port = "`+pr.Path()+`"
baud = 19200
[devices.barrier]
driver = "gpio-out"
pin = "sim"
[devices.loop]
driver = "gpio-in"
pin = "sim"
[parking]
gate = "A1"
lane = "entry"
barrier_timeout = "1s"
`), 0o644)
	cmd, lines, stderr := startKioskd(t, dir, nil, "run", "--sim", "--config", cfg)
	waitLine(t, lines, "ready", 20*time.Second, stderr)

	filler := fillDisk(t, data)
	if err := sc.Scan("079203000111||Trần Thị Bình|02021988|Nữ|12 Lê Lợi, Huế|05052022"); err != nil {
		t.Fatal(err)
	}
	waitLog(t, stderr, "phase=out_of_service", 15*time.Second)
	time.Sleep(500 * time.Millisecond)
	if n := len(pr.Pages()); n != 0 {
		t.Fatalf("printed %d ticket(s) on a full disk", n)
	}
	if strings.Contains(stderr.String(), "phase=barrier_open") {
		t.Fatalf("the barrier opened on a full disk:\n%s", stderr)
	}

	if err := os.Remove(filler); err != nil {
		t.Fatal(err)
	}
	if err := sc.Scan("079203000222||Lê Văn Cường|03031985|Nam|1 Hùng Vương, Huế|05052022"); err != nil {
		t.Fatal(err)
	}
	waitLog(t, stderr, "phase=barrier_open", 15*time.Second)
	if n := len(pr.Pages()); n != 1 {
		t.Fatalf("printed %d page(s) once the space came back, want the ticket", n)
	}
	cmd.Process.Signal(os.Interrupt)
	cmd.Wait()
}

// waitLog waits until kioskd's log contains s.
func waitLog(t *testing.T, stderr *syncBuffer, s string, d time.Duration) {
	t.Helper()
	for deadline := time.Now().Add(d); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if strings.Contains(stderr.String(), s) {
			return
		}
	}
	t.Fatalf("no %q in the log within %v:\n%s", s, d, stderr)
}

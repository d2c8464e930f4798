package fingerprint_test

import (
	"bytes"
	"context"
	"errors"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/kiosk06/kiosk/drivers/fingerprint"
	"github.com/kiosk06/kiosk/drivers/fingerprint/fingerprintsim"
	"github.com/kiosk06/kiosk/drivers/serialport"
)

// setup starts a simulated module on a pty and opens the driver on it.
func setup(t *testing.T, simOpts fingerprintsim.Options, opts fingerprint.Opts) (*fingerprintsim.Sim, *fingerprint.Dev) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	sim, err := fingerprintsim.Start(ctx, &simOpts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sim.Close() })
	if opts.Poll == 0 {
		opts.Poll = 20 * time.Millisecond
	}
	dev, err := fingerprint.Open(ctx, sim.DeviceString(), opts)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { dev.Close() })
	return sim, dev
}

func ctxT(t *testing.T, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}

func TestSysPara(t *testing.T) {
	_, dev := setup(t, fingerprintsim.Options{Capacity: 300, PacketSize: 64, SecurityLevel: 4, Baud: 57600}, fingerprint.Opts{})
	p, err := dev.ReadSysPara(ctxT(t, 5*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	want := fingerprint.SysPara{Capacity: 300, SecurityLevel: 4, Address: fingerprint.DefaultAddress, PacketSize: 64, Baud: 57600}
	if p != want || dev.SysPara() != want {
		t.Errorf("SysPara = %+v, want %+v", p, want)
	}
}

func TestEnrollVerifySearchDelete(t *testing.T) {
	sim, dev := setup(t, fingerprintsim.Options{}, fingerprint.Opts{})
	ctx := ctxT(t, 15*time.Second)
	sim.Touch("alice-right-index", 2)
	var steps []fingerprint.Step
	if err := dev.Enroll(ctx, 7, func(s fingerprint.Step) { steps = append(steps, s) }); err != nil {
		t.Fatalf("Enroll: %v", err)
	}
	wantSteps := []fingerprint.Step{fingerprint.StepPlace, fingerprint.StepLift, fingerprint.StepAgain, fingerprint.StepCapture}
	if !slices.Equal(steps, wantSteps) || !sim.SlotHolds(7, "alice-right-index") {
		t.Fatalf("steps %v, slot holds alice: %v", steps, sim.SlotHolds(7, "alice-right-index"))
	}
	if n, err := dev.TemplateNum(ctx); err != nil || n != 1 {
		t.Fatalf("TemplateNum = %d, %v", n, err)
	}
	sim.Touch("alice-right-index", 1)
	score, err := dev.VerifySlot(ctx, 7, nil)
	if err != nil || score < 100 {
		t.Fatalf("VerifySlot(alice) = %d, %v", score, err)
	}
	sim.Touch("mallory", 1)
	if score, err := dev.VerifySlot(ctx, 7, nil); !errors.Is(err, fingerprint.ErrNoMatch) {
		t.Fatalf("VerifySlot(mallory) = %d, %v; want ErrNoMatch", score, err)
	}
	sim.Touch("alice-right-index", 1)
	if slot, _, err := dev.Identify(ctx, nil); err != nil || slot != 7 {
		t.Fatalf("Identify = %d, %v", slot, err)
	}
	sim.Touch("mallory", 1)
	if _, _, err := dev.Identify(ctx, nil); !errors.Is(err, fingerprint.ErrNotFound) {
		t.Fatalf("Identify(mallory) err = %v", err)
	}
	if err := dev.DeleteChar(ctx, 7, 1); err != nil {
		t.Fatal(err)
	}
	if err := dev.LoadChar(ctx, fingerprint.Buffer1, 7); !errors.Is(err, fingerprint.ErrTemplate) {
		t.Fatalf("LoadChar(deleted) err = %v", err)
	}
	if err := dev.Store(ctx, fingerprint.Buffer1, 5000); !errors.Is(err, fingerprint.ErrBadSlot) {
		t.Fatalf("Store(5000) err = %v", err)
	}
	if err := dev.Empty(ctx); err != nil {
		t.Fatal(err)
	}
	if n, _ := dev.TemplateNum(ctx); n != 0 {
		t.Fatalf("after Empty: %d templates", n)
	}
}

func TestEnrollDifferentFingersFails(t *testing.T) {
	sim, dev := setup(t, fingerprintsim.Options{}, fingerprint.Opts{})
	ctx := ctxT(t, 10*time.Second)
	sim.Touch("a", 1)
	errc := make(chan error, 1)
	go func() {
		errc <- dev.Enroll(ctx, 1, func(s fingerprint.Step) {
			if s == fingerprint.StepAgain {
				sim.Touch("b", 1)
			}
		})
	}()
	if err := <-errc; !errors.Is(err, fingerprint.ErrCombine) {
		t.Fatalf("err = %v, want ErrCombine", err)
	}
}

// TestTemplateTransfer moves a template host-ward and back in data packets
// of 32 bytes (16 packets each way).
func TestTemplateTransfer(t *testing.T) {
	sim, dev := setup(t, fingerprintsim.Options{PacketSize: 32}, fingerprint.Opts{})
	ctx := ctxT(t, 10*time.Second)
	sim.Touch("bob", 1)
	if err := dev.Capture(ctx, fingerprint.Buffer1); err != nil {
		t.Fatal(err)
	}
	tmpl, err := dev.UpChar(ctx, fingerprint.Buffer1)
	if err != nil || len(tmpl) != 512 {
		t.Fatalf("UpChar = %d bytes, %v", len(tmpl), err)
	}
	if err := dev.DownChar(ctx, fingerprint.Buffer2, tmpl); err != nil {
		t.Fatal(err)
	}
	back, err := dev.UpChar(ctx, fingerprint.Buffer2)
	if err != nil || !bytes.Equal(back, tmpl) {
		t.Fatalf("UpChar(2) differs: %v", err)
	}
	if score, err := dev.Match(ctx); err != nil || score < 100 {
		t.Fatalf("Match = %d, %v", score, err)
	}
}

// TestConfirmationCodes checks every code the driver maps, over the pty.
func TestConfirmationCodes(t *testing.T) {
	sim, dev := setup(t, fingerprintsim.Options{}, fingerprint.Opts{})
	ctx := ctxT(t, 10*time.Second)
	codes := []byte{0x7F} // an unknown code maps to ErrDevice
	for c := range fingerprint.Codes {
		codes = append(codes, c)
	}
	slices.Sort(codes)
	for _, code := range codes {
		sim.InjectCode(fingerprint.CmdTemplateNum, code)
		_, err := dev.TemplateNum(ctx)
		var ce *fingerprint.CodeError
		if !errors.As(err, &ce) || ce.Code != code || ce.Cmd != fingerprint.CmdTemplateNum {
			t.Fatalf("code 0x%02X: err = %v", code, err)
		}
		want := fingerprint.ErrDevice
		if ci, ok := fingerprint.Codes[code]; ok {
			want = ci.Err
		}
		vi, en := fingerprint.Messages(err)
		if !errors.Is(err, want) || vi == "" || en == "" || ce.Vietnamese() != vi {
			t.Errorf("code 0x%02X: %v (is %v? %v) vi=%q en=%q", code, err, want, errors.Is(err, want), vi, en)
		}
	}
}

func TestWaitFinger(t *testing.T) {
	sim, dev := setup(t, fingerprintsim.Options{}, fingerprint.Opts{})
	if err := dev.WaitFinger(ctxT(t, 300*time.Millisecond)); !errors.Is(err, fingerprint.ErrNoFinger) || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("no finger: err = %v", err)
	}
	sim.SetFault(fingerprintsim.FaultSmudged)
	sim.PlaceFinger("carol")
	if err := dev.Capture(ctxT(t, 2*time.Second), fingerprint.Buffer1); !errors.Is(err, fingerprint.ErrBadImage) {
		t.Fatalf("smudged: err = %v", err)
	}
	sim.SetFault(fingerprintsim.FaultBadImage)
	if err := dev.WaitFinger(ctxT(t, 2*time.Second)); !errors.Is(err, fingerprint.ErrBadImage) {
		t.Fatalf("bad image: err = %v", err)
	}
	sim.SetFault(fingerprintsim.FaultNoFinger)
	if err := dev.WaitFinger(ctxT(t, 200*time.Millisecond)); !errors.Is(err, fingerprint.ErrNoFinger) {
		t.Fatalf("fault no finger: err = %v", err)
	}
	// Cancellation ends the wait promptly.
	ctx, cancel := context.WithCancel(context.Background())
	go func() { time.Sleep(50 * time.Millisecond); cancel() }()
	if err := dev.WaitFinger(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancel: err = %v", err)
	}
}

func TestChecksumsBothWays(t *testing.T) {
	sim, dev := setup(t, fingerprintsim.Options{}, fingerprint.Opts{Timeout: 500 * time.Millisecond})
	ctx := ctxT(t, 5*time.Second)
	// Module → host: a corrupted answer is refused.
	sim.SetFault(fingerprintsim.FaultBadChecksum)
	if _, err := dev.TemplateNum(ctx); !errors.Is(err, fingerprint.ErrChecksum) {
		t.Fatalf("err = %v, want ErrChecksum", err)
	}
	sim.SetFault(fingerprintsim.FaultNone)
	if _, err := dev.TemplateNum(ctx); err != nil {
		t.Fatalf("after the fault: %v", err)
	}
	// Host → module: the module answers a corrupted command with code 0x01.
	p, err := serialport.Open(serialport.Config{Path: sim.Path(), Baud: 57600})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	bad := fingerprint.Packet{Addr: fingerprint.DefaultAddress, PID: fingerprint.PIDCommand, Payload: []byte{fingerprint.CmdTemplateNum}}.Marshal()
	bad[len(bad)-1]++
	if err := p.Write(ctx, bad); err != nil {
		t.Fatal(err)
	}
	ack, err := fingerprint.ReadPacket(func(b []byte) error { return p.ReadFull(ctx, b) })
	if err != nil || ack.PID != fingerprint.PIDAck || !bytes.Equal(ack.Payload, []byte{0x01}) || sim.BadPackets() != 1 {
		t.Fatalf("ack %+v, %v, bad packets %d", ack, err, sim.BadPackets())
	}
}

func TestTimeoutAndPassword(t *testing.T) {
	sim, dev := setup(t, fingerprintsim.Options{}, fingerprint.Opts{Timeout: 300 * time.Millisecond})
	sim.SetFault(fingerprintsim.FaultTimeout)
	if _, err := dev.TemplateNum(ctxT(t, 5*time.Second)); !errors.Is(err, fingerprint.ErrTimeout) {
		t.Fatalf("err = %v, want ErrTimeout", err)
	}

	ctx := ctxT(t, 5*time.Second)
	locked, err := fingerprintsim.Start(ctx, &fingerprintsim.Options{Password: 0x12345678})
	if err != nil {
		t.Fatal(err)
	}
	defer locked.Close()
	if _, err := fingerprint.Open(ctx, locked.DeviceString(), fingerprint.Opts{Password: 1}); !errors.Is(err, fingerprint.ErrWrongPassword) {
		t.Fatalf("wrong password: err = %v", err)
	}
	d, err := fingerprint.Open(ctx, locked.DeviceString(), fingerprint.Opts{Password: 0x12345678})
	if err != nil {
		t.Fatalf("right password: %v", err)
	}
	defer d.Close()
	if _, err := d.TemplateNum(ctx); err != nil {
		t.Fatal(err)
	}
}

// TestReopen unplugs the module and plugs it back: the driver reopens the
// line and repeats the handshake (the module lost its password state).
func TestReopen(t *testing.T) {
	link := filepath.Join(t.TempDir(), "fp")
	sim, dev := setup(t, fingerprintsim.Options{Link: link, Password: 42}, fingerprint.Opts{Password: 42, Timeout: 300 * time.Millisecond})
	ctx := ctxT(t, 10*time.Second)
	if err := sim.Unplug(); err != nil {
		t.Fatal(err)
	}
	if _, err := dev.TemplateNum(ctx); err == nil {
		t.Fatal("TemplateNum succeeded while unplugged")
	}
	if err := sim.Replug(); err != nil {
		t.Fatal(err)
	}
	var err error
	for range 20 {
		if _, err = dev.TemplateNum(ctx); err == nil {
			break
		}
	}
	if err != nil {
		t.Fatalf("after replug: %v", err)
	}
	rx := sim.Received()
	if n := bytes.Count(rx, []byte{fingerprint.CmdVfyPwd}); n != 2 {
		t.Errorf("VfyPwd sent %d times (want 2: open and after reopen); received % X", n, rx)
	}
}

package kiosk_test

import (
	"context"
	"errors"
	"fmt"
	"go/parser"
	"go/token"
	"log/slog"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kiosk06/kiosk/firmware/config"
	"github.com/kiosk06/kiosk/firmware/devices"
	"github.com/kiosk06/kiosk/firmware/kiosk"
	"github.com/kiosk06/kiosk/firmware/profile"
	"periph.io/x/conn/v3/gpio"
	"periph.io/x/conn/v3/gpio/gpiotest"
)

// testPins serves pin = "sim" with gpiotest pins, as firmware/simrig does in
// a --sim run.
type testPins struct {
	mu   sync.Mutex
	pins map[string]*gpiotest.Pin
}

func (p *testPins) Pin(role string) (gpio.PinIO, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.pins == nil {
		p.pins = map[string]*gpiotest.Pin{}
	}
	if p.pins[role] == nil {
		p.pins[role] = &gpiotest.Pin{N: "SIM_" + role, EdgesChan: make(chan gpio.Level, 16)}
	}
	return p.pins[role], nil
}

type probeSection struct {
	Word string `toml:"word"`
}

func (*probeSection) Validate(*config.Validator) {}

// probe is a profile that records how the kiosk wires and stops it.
type probe struct {
	mu      sync.Mutex
	log     []string
	env     profile.Env
	failAt  string // "start": Start fails after starting a component
	started chan struct{}
}

func (p *probe) note(s string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.log = append(p.log, s)
}

func (p *probe) notes() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return strings.Join(p.log, " ")
}

func (p *probe) Name() string            { return "probe" }
func (p *probe) Section() config.Section { return &probeSection{} }

func (p *probe) Start(ctx context.Context, e profile.Env) (*profile.Running, error) {
	p.env = e
	comp := func(name string) profile.Component {
		p.note("start:" + name)
		return profile.Component{Name: name, Stop: func(context.Context) error { p.note("stop:" + name); return nil }}
	}
	r := &profile.Running{Records: []string{"probe.event"}}
	r.Add(comp("first"))
	if p.failAt == "start" {
		return r, errors.New("probe: no luck")
	}
	led, err := e.Devices.Output("led_green")
	if err != nil {
		return r, err
	}
	again, _ := e.Devices.Output("led_green")
	reader, rerr := e.Devices.Reader(ctx)
	if led == nil || again != led || reader != nil || rerr != nil || !e.Devices.Configured("led_green") || e.Devices.Configured("nfc") {
		return r, fmt.Errorf("probe: devices: led %v (again %v), reader %v %v", led, again, reader, rerr)
	}
	r.Add(comp("second"))
	r.Screen = profile.NewScreen[int, profile.NoIntent]("probe", quiet{profile.NewStates(7)})
	r.Sim = []profile.SimGroup{{Title: "Thử", Actions: []profile.SimAction{{Label: "Bấm", Commands: []profile.SimCommand{{Sim: profile.SimRemove}}}}}}
	close(p.started)
	return r, nil
}

type quiet struct{ *profile.States[int] }

func (quiet) Send(profile.NoIntent) {}

func probeConfig(t *testing.T, reg *profile.Registry) *config.Config {
	t.Helper()
	dir := t.TempDir()
	doc := fmt.Sprintf("[device]\nid = \"probe-1\"\nprofile = \"probe\"\ndata_dir = %q\n[devices.led_green]\ndriver = \"gpio-out\"\npin = \"sim\"\n[probe]\nword = \"chào\"\n", filepath.Join(dir, "var"))
	cfg, err := config.Parse("probe.toml", []byte(doc), reg.Config(true))
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// The kiosk starts the registered profile with its own section, the store,
// metrics and devices on demand; hands what runs to the control and UI
// hooks; and stops the profile's components in reverse before the devices.
func TestRunWiresTheProfile(t *testing.T) {
	p := &probe{started: make(chan struct{})}
	reg := profile.NewRegistry(p)
	cfg := probeConfig(t, reg)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var got *profile.Running
	var order []string
	done := make(chan error, 1)
	go func() {
		done <- kiosk.Run(ctx, kiosk.Options{
			Config: cfg, Profiles: reg, Log: slog.New(slog.DiscardHandler), Pins: devices.NewPins(&testPins{}),
			Control: func(_ context.Context, r *profile.Running) (func() error, error) {
				order = append(order, "control")
				return func() error { p.note("stop:control"); return nil }, nil
			},
			Ready: func() { order = append(order, "ready") },
			UI: func(ctx context.Context, r *profile.Running) error {
				order = append(order, "ui")
				got = r
				cancel()
				return nil
			},
		})
	}()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if s, ok := p.env.Section.(*probeSection); !ok || s.Word != "chào" || p.env.Store == nil || p.env.Metrics == nil || p.env.Config != cfg {
		t.Fatalf("env: %+v", p.env)
	}
	if got == nil || got.Profile != "probe" || got.Screen == nil || len(got.Sim) != 1 || got.Records[0] != "probe.event" {
		t.Fatalf("the UI got %+v", got)
	}
	if strings.Join(order, " ") != "control ready ui" {
		t.Errorf("hooks in order %v", order)
	}
	if want := "start:first start:second stop:control stop:second stop:first"; p.notes() != want {
		t.Errorf("lifecycle %q, want %q", p.notes(), want)
	}
}

// A profile that fails to start has what it started stopped, and the
// error comes back.
func TestRunStopsAFailedStart(t *testing.T) {
	p := &probe{failAt: "start", started: make(chan struct{})}
	reg := profile.NewRegistry(p)
	err := kiosk.Run(context.Background(), kiosk.Options{Config: probeConfig(t, reg), Profiles: reg, Log: slog.New(slog.DiscardHandler)})
	if err == nil || !strings.Contains(err.Error(), "no luck") {
		t.Fatalf("run: %v", err)
	}
	if p.notes() != "start:first stop:first" {
		t.Errorf("lifecycle %q", p.notes())
	}
	// Without a registry, or with one that lacks the configured profile,
	// nothing starts.
	cfg := probeConfig(t, reg)
	if err := kiosk.Run(context.Background(), kiosk.Options{Config: cfg, Log: slog.New(slog.DiscardHandler)}); err == nil {
		t.Error("ran without profiles")
	}
	other := profile.NewRegistry(&otherProfile{})
	if err := kiosk.Run(context.Background(), kiosk.Options{Config: cfg, Profiles: other, Log: slog.New(slog.DiscardHandler)}); !errors.Is(err, profile.ErrUnknownProfile) {
		t.Errorf("unknown profile: %v", err)
	}
}

type otherProfile struct{ probe }

func (*otherProfile) Name() string { return "other" }

// TestImports: firmware/kiosk is pure wiring — no profile package, no
// simulator, no UI.
func TestImports(t *testing.T) {
	banned := []string{"github.com/kiosk06/kiosk/firmware/hospital", "github.com/kiosk06/kiosk/firmware/transit",
		"github.com/kiosk06/kiosk/firmware/parking", "github.com/kiosk06/kiosk/firmware/simrig", "github.com/kiosk06/kiosk/ui", "fyne.io/"}
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range f.Imports {
			p, _ := strconv.Unquote(imp.Path.Value)
			for _, b := range banned {
				if strings.HasPrefix(p, b) {
					t.Errorf("%s imports %s", name, p)
				}
			}
		}
	}
}

package profile_test

import (
	"context"
	"encoding/json"
	"errors"
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kiosk06/kiosk/firmware/config"
	"github.com/kiosk06/kiosk/firmware/profile"
)

type section struct {
	Greeting string `toml:"greeting"`
}

func (s *section) Validate(v *config.Validator) {
	v.Check(s.Greeting != "boom", "greeting", s.Greeting, "anything but boom")
}

// fake is a profile of the tests.
type fake struct {
	name    string
	section bool
}

func (f fake) Name() string { return f.name }
func (f fake) Section() config.Section {
	if !f.section {
		return nil
	}
	return &section{}
}
func (f fake) Start(context.Context, profile.Env) (*profile.Running, error) {
	return &profile.Running{}, nil
}

func TestRegistry(t *testing.T) {
	reg := profile.NewRegistry(fake{name: "zoo", section: true}, fake{name: "alpha"})
	if got := strings.Join(reg.Names(), ","); got != "alpha,zoo" {
		t.Fatalf("names %s", got)
	}
	if p, err := reg.Lookup("zoo"); err != nil || p.Name() != "zoo" {
		t.Fatalf("lookup: %v %v", p, err)
	}
	_, err := reg.Lookup("ticketing")
	if !errors.Is(err, profile.ErrUnknownProfile) || !strings.Contains(err.Error(), `"ticketing" (this kioskd runs alpha, zoo)`) {
		t.Fatalf("unknown: %v", err)
	}
	if reg.NewSection("alpha") != nil || reg.NewSection("nope") != nil {
		t.Fatal("sections for a profile without one, or for no profile")
	}
	// Each call is a fresh section: one parse never sees another's values.
	a, b := reg.NewSection("zoo"), reg.NewSection("zoo")
	a.(*section).Greeting = "xin chào"
	if b.(*section).Greeting != "" {
		t.Fatal("sections shared between calls")
	}
	// The registry is what config checks device.profile and decodes [zoo] with.
	c, err := config.Parse("t.toml", []byte("[device]\nid = \"dev-1\"\nprofile = \"zoo\"\n[zoo]\ngreeting = \"xin chào\"\n"), reg.Config(false))
	if err != nil || c.Section("zoo").(*section).Greeting != "xin chào" {
		t.Fatalf("parse: %v", err)
	}
	_, err = config.Parse("t.toml", []byte("[device]\nid = \"dev-1\"\nprofile = \"zoo\"\n[zoo]\ngreeting = \"boom\"\n"), reg.Config(false))
	if err == nil || !strings.Contains(err.Error(), "t.toml:5: zoo.greeting: invalid value") {
		t.Fatalf("section check: %v", err)
	}
}

func TestRegistryRefusesDuplicates(t *testing.T) {
	for _, ps := range [][]profile.Profile{{fake{name: "a"}, fake{name: "a"}}, {fake{name: ""}}, {fake{name: "a.b"}}} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%v registered", ps)
				}
			}()
			profile.NewRegistry(ps...)
		}()
	}
}

type state struct {
	Seq  int    `json:"seq"`
	Text string `json:"text"`
}

type intent struct {
	Kind string `json:"kind"`
	N    int    `json:"n,omitempty"`
}

// flow is a typed flow over profile.States.
type flow struct {
	*profile.States[state]
	got chan intent
}

func (f flow) Send(in intent) { f.got <- in }

func TestScreenJSON(t *testing.T) {
	f := flow{States: profile.NewStates(state{Text: "chào"}), got: make(chan intent, 4)}
	s := profile.NewScreen[state, intent]("fake", f)
	if s.Profile() != "fake" {
		t.Fatal(s.Profile())
	}
	if typed, ok := profile.FlowOf[state, intent](s); !ok || typed.(flow).States != f.States {
		t.Fatal("FlowOf lost the typed flow")
	}
	if _, ok := profile.FlowOf[state, profile.NoIntent](s); ok {
		t.Fatal("FlowOf with other types")
	}
	states, stop := s.SubscribeJSON()
	defer stop()
	next := func() state {
		t.Helper()
		select {
		case b := <-states:
			var st state
			if err := json.Unmarshal(b, &st); err != nil {
				t.Fatalf("%s: %v", b, err)
			}
			return st
		case <-time.After(5 * time.Second):
			t.Fatal("no state")
		}
		return state{}
	}
	if st := next(); st.Text != "chào" {
		t.Fatalf("first state %+v", st)
	}
	// Latest wins: a subscriber that does not read skips to the newest.
	for i := 1; i <= 50; i++ {
		f.Publish(state{Seq: i})
	}
	deadline := time.After(5 * time.Second)
	for st := next(); st.Seq != 50; st = next() {
		select {
		case <-deadline:
			t.Fatalf("never reached the newest state (at %d)", st.Seq)
		default:
		}
	}

	if err := s.SendJSON(json.RawMessage(`{"kind":"go","n":2}`)); err != nil {
		t.Fatal(err)
	}
	if in := <-f.got; in != (intent{Kind: "go", N: 2}) {
		t.Fatalf("intent %+v", in)
	}
	for _, bad := range []string{`{"kind":"go","digits":"123456"}`, `{"kind":`, `[1]`, `{"kind":"a"} {"kind":"b"}`, `"` + strings.Repeat("x", 70<<10) + `"`} {
		if err := s.SendJSON(json.RawMessage(bad)); !errors.Is(err, profile.ErrBadIntent) {
			t.Errorf("%.40s: %v", bad, err)
		}
	}
	none := profile.NewScreen[state, profile.NoIntent]("quiet", quiet{f.States})
	if err := none.SendJSON(json.RawMessage(`{}`)); !errors.Is(err, profile.ErrNoIntents) {
		t.Fatalf("a flow without intents: %v", err)
	}
}

type quiet struct{ *profile.States[state] }

func (quiet) Send(profile.NoIntent) {}

// A state that cannot be encoded says so instead of going silent.
func TestScreenUnencodableState(t *testing.T) {
	s := profile.NewScreen[bad, profile.NoIntent]("bad", badFlow{profile.NewStates(bad{C: make(chan int)})})
	states, stop := s.SubscribeJSON()
	defer stop()
	select {
	case b := <-states:
		if !strings.Contains(string(b), "state not encodable") {
			t.Fatalf("%s", b)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("no state")
	}
}

type bad struct{ C chan int }

type badFlow struct{ *profile.States[bad] }

func (badFlow) Send(profile.NoIntent) {}

func TestStatesUnsubscribe(t *testing.T) {
	b := profile.NewStates(1)
	ch, stop := b.Subscribe()
	if <-ch != 1 {
		t.Fatal("current state first")
	}
	stop()
	b.Publish(2)
	select {
	case v := <-ch:
		t.Fatalf("got %d after unsubscribing", v)
	default:
	}
	if got := b.Update(func(v *int) { *v += 40 }); got != 42 || b.Current() != 42 {
		t.Fatalf("update %d", got)
	}
}

// TestImports: the contract imports no profile, not the kiosk that wires
// it, no simulator and no UI.
func TestImports(t *testing.T) {
	banned := []string{"github.com/kiosk06/kiosk/firmware/kiosk", "github.com/kiosk06/kiosk/firmware/hospital",
		"github.com/kiosk06/kiosk/firmware/transit", "github.com/kiosk06/kiosk/firmware/parking",
		"github.com/kiosk06/kiosk/firmware/simrig", "github.com/kiosk06/kiosk/ui", "fyne.io/"}
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
			if strings.HasSuffix(p, "sim") || strings.HasSuffix(p, "fake") || strings.HasSuffix(p, "testpki") {
				t.Errorf("%s imports the simulator or fake %s", name, p)
			}
		}
	}
}

package config_test

import (
	"errors"
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/kiosk06/kiosk/firmware/config"
)

// A profile's table is decoded into the Section its profile supplied, as
// strictly as the shared sections: unknown keys and wrong types name the
// key and line, values are checked by the section with keys relative to
// its table, and defaults are filled even when the table is absent.
func TestProfileSections(t *testing.T) {
	base := "[device]\nid = \"bus-1\"\nprofile = \"transit\"\n"
	c, err := config.Parse("t.toml", []byte(base+"[transit]\nroute = \"47\"\nfares = { \"47\" = 7000 }\n"), config.RealOptions())
	if err != nil {
		t.Fatal(err)
	}
	sec, ok := c.Section("transit").(interface{ BackendURLs() []config.BackendURL })
	if !ok || c.Section("kiosk") != nil || c.Section("nope") != nil {
		t.Fatalf("sections: transit %T, kiosk %v", c.Section("transit"), c.Section("kiosk"))
	}
	if got := sec.BackendURLs(); len(got) != 1 || got[0].Key != "lists_url" {
		t.Fatalf("transit URLs %v", got)
	}
	for _, tc := range []struct {
		name, doc, key, problem string
		line                    int
	}{
		{"unknown key", "[transit]\nroute = \"47\"\nroot = \"9\"\n", "transit.root", "unknown key", 6},
		{"wrong type", "[transit]\nroute = 47\n", "transit.route", "wrong type", 5},
		{"section's own check", "[transit]\nrepeat_window = \"10ms\"\n", "transit.repeat_window", "invalid value", 5},
		{"not a table", "", "transit", "wrong type", 1},
		{"a profile without a table", "[kiosk]\nx = 1\n", "kiosk", "unknown key", 4},
		{"unknown table", "[ticketing]\nx = 1\n", "ticketing", "unknown key", 4},
		// Another registered profile's table is checked too: a device can
		// be switched to it by changing device.profile alone.
		{"another profile's table", "[hospital]\nenrol_offer = \"always\"\n", "hospital.enrol_offer", "invalid value", 5},
	} {
		t.Run(tc.name, func(t *testing.T) {
			doc := base + tc.doc
			if tc.doc == "" {
				doc = "transit = 3\n" + base
			}
			es := errorsOf(t, doc)
			e := find(es, tc.key)
			if e == nil || !strings.HasPrefix(e.Problem, tc.problem) || e.Line != tc.line {
				t.Fatalf("got %v, want %s %s at line %d", es, tc.key, tc.problem, tc.line)
			}
		})
	}
	// The unknown-table message lists the profiles' tables with the shared ones.
	e := find(errorsOf(t, base+"[ticketing]\nx = 1\n"), "ticketing")
	for _, want := range []string{"hospital", "parking", "transit", "uplink"} {
		if !strings.Contains(e.Expected, want) {
			t.Errorf("unknown table: expected %q lacks %s", e.Expected, want)
		}
	}
}

// device.profile must be a registered profile; the error lists them, and a
// kioskd built with no profiles says so.
func TestUnknownProfile(t *testing.T) {
	doc := []byte("[device]\nid = \"dev-1\"\nprofile = \"ticketing\"\n")
	es := errorsOf(t, string(doc))
	e := find(es, "device.profile")
	if e == nil || e.Line != 3 || !strings.Contains(e.Expected, "hospital, kiosk, parking, transit") {
		t.Fatalf("got %v", es)
	}
	_, err := config.Parse("t.toml", doc, config.Options{})
	var none config.Errors
	if !errors.As(err, &none) || find(none, "device.profile") == nil || !strings.Contains(find(none, "device.profile").Expected, "runs none") {
		t.Fatalf("no profiles: %v", err)
	}
	// A profile may not take a shared table.
	if _, err := config.Parse("t.toml", doc, config.Options{Profiles: greedy{}}); err == nil || !strings.Contains(err.Error(), "shared [uplink]") {
		t.Fatalf("a profile named uplink: %v", err)
	}
	// A profile without a table of its own runs without one.
	if _, err := config.Parse("t.toml", []byte("[device]\nid = \"dev-1\"\nprofile = \"kiosk\"\n"), config.RealOptions()); err != nil {
		t.Fatal(err)
	}
}

// TestImports: config imports no project package but firmware/netclient —
// in particular no profile package: the profiles hand config their
// sections.
func TestImports(t *testing.T) {
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
			if strings.HasPrefix(p, "github.com/kiosk06/kiosk/") && p != "github.com/kiosk06/kiosk/firmware/netclient" {
				t.Errorf("%s imports %s", name, p)
			}
		}
	}
}

// greedy registers a profile whose name is a shared table's.
type greedy struct{}

func (greedy) Names() []string { return []string{"uplink"} }

func (greedy) NewSection(string) config.Section { return &greedySection{} }

type greedySection struct{}

func (*greedySection) Validate(*config.Validator) {}

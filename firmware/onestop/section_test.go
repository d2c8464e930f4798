package onestop_test

import (
	"strings"
	"testing"

	"github.com/kiosk06/kiosk/firmware/config"
	"github.com/kiosk06/kiosk/firmware/onestop"
	"github.com/kiosk06/kiosk/firmware/profile"
)

func registry() *profile.Registry { return profile.NewRegistry(onestop.Profile{}) }

// The examples load and say what they promise: the production one names
// the one-stop system over https and the Hue-S app; the simulator's leaves
// the system to --sim.
func TestExamplesLoad(t *testing.T) {
	for _, tc := range []struct {
		file    string
		backend string
		apps    int
	}{
		{"../config/examples/onestop.toml", "https://motcua.thuathienhue.gov.vn/kiosk-api", 1},
		{"../config/examples/sim-onestop.toml", "", 0},
	} {
		c, err := config.Load(tc.file, registry().Config(strings.Contains(tc.file, "sim-")))
		if err != nil {
			t.Fatalf("%s: %v", tc.file, err)
		}
		sec, ok := c.Section(onestop.Name).(*onestop.Section)
		if !ok || c.Device.Profile != onestop.Name {
			t.Fatalf("%s: profile %q section %T", tc.file, c.Device.Profile, c.Section(onestop.Name))
		}
		if sec.BackendURL != tc.backend || len(sec.Apps) != tc.apps || sec.Counters["A"] != "Quầy Công an" || sec.CatalogueSync.D() == 0 {
			t.Fatalf("%s: %+v", tc.file, sec)
		}
		if qs := sec.AppQRs(); tc.apps > 0 && (qs[0].Check != onestop.CheckOnline || qs[0].Prefix != "HUES1.") {
			t.Fatalf("%s: apps %+v", tc.file, qs)
		}
	}
}

// The section refuses what it cannot run, each with its key.
func TestSectionRefuses(t *testing.T) {
	base := "[device]\nid = \"os-1\"\nprofile = \"onestop\"\n[onestop]\n"
	for _, tc := range []struct{ doc, key string }{
		{`backend_url = "http://motcua.example.vn"`, "onestop.backend_url"},
		{`counters = { a = "Quầy" }`, "onestop.counters"},
		{"[[onestop.apps]]\nname = \"Hue-S\"\nprefix = \"HUES1.\"\ncheck = \"signed\"", "onestop.apps[0].public_key"},
		{"[[onestop.apps]]\nname = \"Hue-S\"\nprefix = \"HUES1.\"\npattern = \"(\"", "onestop.apps"},
		{`can_attempts = 12`, "onestop.can_attempts"},
		{"token = \"x\"\ntoken_file = \"/etc/t\"", "onestop.token"},
	} {
		_, err := config.Parse("t.toml", []byte(base+tc.doc+"\n"), registry().Config(false))
		if err == nil || !strings.Contains(err.Error(), tc.key) {
			t.Errorf("%q: %v, want an error naming %s", tc.doc, err, tc.key)
		}
	}
}

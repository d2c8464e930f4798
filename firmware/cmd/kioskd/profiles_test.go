package main

import (
	"errors"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/kiosk06/kiosk/firmware/config"
	"github.com/kiosk06/kiosk/firmware/profile"
)

// The one list: the profiles, each with its own table.
func TestProfiles(t *testing.T) {
	reg := profiles()
	if got := reg.Names(); !reflect.DeepEqual(got, []string{"checkin", "hospital", "onestop", "parking", "ticketing", "transit"}) {
		t.Fatalf("profiles %v", got)
	}
	for _, n := range reg.Names() {
		p, err := reg.Lookup(n)
		if err != nil || p.Name() != n || p.Section() == nil {
			t.Errorf("%s: %v, section %v", n, err, p.Section())
		}
	}
	if _, err := reg.Lookup("kiosk"); !errors.Is(err, profile.ErrUnknownProfile) || !strings.Contains(err.Error(), "checkin, hospital, onestop, parking, ticketing, transit") {
		t.Errorf("unknown profile: %v", err)
	}
}

// Every example configuration is valid for this kioskd, and every profile
// has one.
func TestExamplesAreValid(t *testing.T) {
	files, err := filepath.Glob("../../config/examples/*.toml")
	if err != nil || len(files) < 3 {
		t.Fatalf("want an example per profile, found %v (%v)", files, err)
	}
	seen := map[string]bool{}
	for _, f := range files {
		c, err := config.Load(f, profiles().Config(false))
		if err != nil {
			t.Errorf("%s:\n%v", f, err)
			continue
		}
		seen[c.Device.Profile] = true
	}
	for _, p := range profiles().Names() {
		if !seen[p] {
			t.Errorf("no example for profile %s", p)
		}
	}
}

// The embedded --sim configuration is a hospital kiosk with every device
// simulated and its state under ./var.
func TestSimDefault(t *testing.T) {
	c, err := config.SimDefault(profiles())
	if err != nil {
		t.Fatal(err)
	}
	if !c.Sim || c.Device.Profile != "hospital" || c.Device.DataDir != "./var" || c.Store.Path != "var/kiosk.db" || c.Section("hospital") == nil {
		t.Fatalf("unexpected sim default: sim=%v profile=%q data_dir=%q store=%q", c.Sim, c.Device.Profile, c.Device.DataDir, c.Store.Path)
	}
	for role, d := range c.Devices {
		if !d.IsSim() {
			t.Errorf("device %s is not simulated in the sim default", role)
		}
	}
}

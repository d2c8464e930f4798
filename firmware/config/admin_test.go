package config_test

import (
	"strings"
	"testing"
	"time"

	"github.com/kiosk06/kiosk/firmware/config"
)

// TestAdminSection: no staff menu by default (no pin_file) with the
// documented lockout and idle defaults; the bounds are checked with the
// key and line; an unknown key is an error.
func TestAdminSection(t *testing.T) {
	base := "[device]\nid = \"k-001\"\nprofile = \"transit\"\ndata_dir = \"/var/lib/kiosk06\"\n"
	c, err := config.Parse("t.toml", []byte(base), config.RealOptions())
	if err != nil {
		t.Fatal(err)
	}
	if a := c.Admin; a.PINFile != "" || a.MaxFailures != 5 || a.Lockout.D() != 5*time.Minute || a.Idle.D() != time.Minute {
		t.Fatalf("defaults: %+v", a)
	}
	c, err = config.Parse("t.toml", []byte(base+"[admin]\npin_file = \"/etc/kiosk06/admin-pins\"\nmax_failures = 3\nlockout = \"15m\"\nidle = \"2m\"\n"), config.RealOptions())
	if err != nil || c.Admin.PINFile != "/etc/kiosk06/admin-pins" || c.Admin.MaxFailures != 3 || c.Admin.Lockout.D() != 15*time.Minute || c.Admin.Idle.D() != 2*time.Minute {
		t.Fatalf("set: %+v %v", c.Admin, err)
	}
	for _, bad := range []string{"max_failures = 2", "max_failures = 11", "lockout = \"0s\"", "lockout = \"25h\"", "idle = \"5s\"", "idle = \"1h\"", "pin = \"1234\""} {
		_, err := config.Parse("t.toml", []byte(base+"[admin]\n"+bad+"\n"), config.RealOptions())
		if err == nil || !strings.Contains(err.Error(), "admin.") || !strings.Contains(err.Error(), "t.toml:") {
			t.Errorf("%s: %v", bad, err)
		}
	}
}

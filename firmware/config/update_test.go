package config_test

import (
	"strings"
	"testing"

	"github.com/kiosk06/kiosk/firmware/config"
)

// TestUpdateSection: updates are off by default with the documented
// defaults; the health timeout, the apt source name and the updater's
// state directory (root's, never inside data_dir) are checked with the
// key and line; an unknown key is an error.
func TestUpdateSection(t *testing.T) {
	base := "[device]\nid = \"k-001\"\nprofile = \"transit\"\ndata_dir = \"/var/lib/kiosk06\"\n"
	c, err := config.Parse("t.toml", []byte(base), config.RealOptions())
	if err != nil {
		t.Fatal(err)
	}
	u := c.Update
	if u.Enabled || u.HealthTimeout.D().Minutes() != 5 || u.AptSource != "kiosk06" || u.StateDir != "/var/lib/kiosk06-update" ||
		u.PublicKeyFile != "/etc/kiosk06/update.pub" || u.SourcesFile() != "/etc/apt/sources.list.d/kiosk06.sources" {
		t.Fatalf("defaults: %+v", u)
	}
	c, err = config.Parse("t.toml", []byte(base+"[update]\nenabled = true\nhealth_timeout = \"90s\"\n"), config.RealOptions())
	if err != nil || !c.Update.Enabled || c.Update.HealthTimeout.D().Seconds() != 90 {
		t.Fatalf("enabled: %+v %v", c.Update, err)
	}
	for _, bad := range []string{
		"health_timeout = \"1s\"", "health_timeout = \"2h\"", "apt_source = \"../evil\"", "apt_source = \"\"",
		"state_dir = \"/var/lib/kiosk06/update\"", "state_dir = \"relative\"", "enabled = true\npublic_key_file = \"\"", "channel = \"beta\"",
	} {
		_, err := config.Parse("t.toml", []byte(base+"[update]\n"+bad+"\n"), config.RealOptions())
		if err == nil || !strings.Contains(err.Error(), "update.") || !strings.Contains(err.Error(), "t.toml:") {
			t.Errorf("%s: %v", bad, err)
		}
	}
}

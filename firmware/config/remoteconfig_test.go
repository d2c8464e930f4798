package config_test

import (
	"strings"
	"testing"

	"github.com/kiosk06/kiosk/firmware/config"
)

// TestRemoteConfigSection: the key must be a base64 Ed25519 public key,
// the start timeout must fit in systemd's start timeout, and an absent
// section leaves remote configuration off with the defaults.
func TestRemoteConfigSection(t *testing.T) {
	base := "[device]\nid = \"k-001\"\nprofile = \"transit\"\ndata_dir = \"/tmp/x\"\n"
	c, err := config.Parse("t.toml", []byte(base), config.RealOptions())
	if err != nil {
		t.Fatal(err)
	}
	if c.RemoteConfig.Enabled() || c.RemoteConfig.StartTimeout.D().Seconds() != 60 || c.RemoteConfig.HealthyFor.D().Seconds() != 30 {
		t.Fatalf("defaults: %+v", c.RemoteConfig)
	}
	key := "11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo="
	c, err = config.Parse("t.toml", []byte(base+"[remote_config]\npublic_key = \""+key+"\"\nstart_timeout = \"20s\"\n"), config.RealOptions())
	if err != nil {
		t.Fatal(err)
	}
	if !c.RemoteConfig.Enabled() || len(c.RemoteConfig.Key()) != 32 {
		t.Fatalf("key not taken: %+v", c.RemoteConfig)
	}
	for _, bad := range []string{"public_key = \"AAAA\"", "start_timeout = \"2m\"", "healthy_for = \"2h\"", "fleet = \"x\""} {
		_, err := config.Parse("t.toml", []byte(base+"[remote_config]\n"+bad+"\n"), config.RealOptions())
		if err == nil || !strings.Contains(err.Error(), "remote_config.") || !strings.Contains(err.Error(), "t.toml:6") {
			t.Errorf("%s: %v", bad, err)
		}
	}
}

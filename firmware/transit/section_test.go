package transit_test

import (
	"strings"
	"testing"
	"time"

	"github.com/kiosk06/kiosk/firmware/config"
	"github.com/kiosk06/kiosk/firmware/profile"
	"github.com/kiosk06/kiosk/firmware/transit"
)

const transitBase = "[device]\nid = \"bus-1\"\nprofile = \"transit\"\ndata_dir = \"/tmp/x\"\n"

func parseTransit(doc string) (*config.Config, error) {
	return config.Parse("t.toml", []byte(doc), profile.NewRegistry(transit.Profile{}).Config(false))
}

func TestSectionDefaults(t *testing.T) {
	c, err := parseTransit(transitBase + "[transit]\nroute = \"47\"\nfares = { \"47\" = 7000 }\n")
	if err != nil {
		t.Fatal(err)
	}
	tr := c.Section("transit").(*transit.Section)
	if tr.ElderlyAge != 60 || tr.ChildAge != 6 || tr.RepeatWindow.D() != 2*time.Minute || tr.MaxTapsPerDay != 20 || tr.MaxValuePerDay != 100000 {
		t.Fatalf("transit defaults: %+v", tr)
	}
	if tr.KeyFile(c.Device.DataDir) != "/tmp/x/transit-token.key" || tr.ListsPath(c.Device.DataDir) != "/tmp/x/lists" {
		t.Fatalf("paths: %s %s", tr.KeyFile(c.Device.DataDir), tr.ListsPath(c.Device.DataDir))
	}
}

func TestSectionErrors(t *testing.T) {
	tests := []struct {
		name, doc, key string
	}{
		{"route not in fares", "[transit]\nroute = \"9\"\nfares = { \"47\" = 7000 }\n", "transit.route"},
		{"negative fare", "[transit]\nfares = { \"47\" = -1 }\n", "transit.fares.47"},
		{"bad public key", "[transit]\nlists_public_key = \"abc\"\n", "transit.lists_public_key"},
		{"bad repeat window", "[transit]\nrepeat_window = \"10ms\"\n", "transit.repeat_window"},
		{"plain http lists", "[transit]\nlists_url = \"http://lists.example.vn\"\n", "transit.lists_url"},
		{"unknown key", "[transit]\nroute_id = \"47\"\n", "transit.route_id"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := parseTransit(transitBase + tc.doc)
			if err == nil || !strings.Contains(err.Error(), tc.key) {
				t.Fatalf("err %v, want a message naming %s", err, tc.key)
			}
		})
	}
}

package ticketing_test

import (
	"strings"
	"testing"
	"time"

	"github.com/kiosk06/kiosk/firmware/config"
	"github.com/kiosk06/kiosk/firmware/profile"
	"github.com/kiosk06/kiosk/firmware/ticketing"
)

const ticketingBase = "[device]\nid = \"station-1\"\nprofile = \"ticketing\"\ndata_dir = \"/tmp/x\"\n"

const pubKey = "11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo="

func parseTicketing(doc string) (*config.Config, error) {
	return config.Parse("t.toml", []byte(doc), profile.NewRegistry(ticketing.Profile{}).Config(false))
}

func TestSectionDefaults(t *testing.T) {
	c, err := parseTicketing(ticketingBase + "[ticketing]\nbackend_url = \"https://ve.example.vn\"\nbackend_public_key = \"" + pubKey + "\"\n")
	if err != nil {
		t.Fatal(err)
	}
	s := c.Section("ticketing").(*ticketing.Section)
	if s.OfflineSales != ticketing.OfflinePassesRides || s.HoldTTL.D() != 12*time.Minute || s.MinHoldLeft.D() != 6*time.Minute ||
		s.ChildMaxAge != 14 || s.MaxTravellers != 6 || s.SyncInterval.D() != 5*time.Minute || s.PublicKey() == nil ||
		s.KeyFile(c.Device.DataDir) != "/tmp/x/transit-token.key" || s.CachePath(c.Device.DataDir) != "/tmp/x/ticketing" {
		t.Fatalf("ticketing defaults: %+v", s)
	}
}

func TestSectionErrors(t *testing.T) {
	tests := []struct {
		name, doc, key string
	}{
		{"plain http backend", "backend_url = \"http://ve.example.vn\"\nbackend_public_key = \"" + pubKey + "\"\n", "ticketing.backend_url"},
		{"url without key", "backend_url = \"https://ve.example.vn\"\n", "ticketing.backend_public_key"},
		{"bad key", "backend_public_key = \"AAAA\"\n", "ticketing.backend_public_key"},
		{"bad policy", "offline_sales = \"everything\"\n", "ticketing.offline_sales"},
		{"hold left above ttl", "hold_ttl = \"5m\"\nmin_hold_left = \"6m\"\n", "ticketing.min_hold_left"},
		{"child too old", "child_max_age = 18\n", "ticketing.child_max_age"},
		{"token twice", "backend_token = \"a\"\nbackend_token_file = \"/b\"\n", "ticketing.backend_token_file"},
		{"cert without key", "client_cert = \"/c.pem\"\n", "ticketing.client_key"},
		{"unknown key", "hold_tll = \"5m\"\n", "ticketing.hold_tll"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := parseTicketing(ticketingBase + "[ticketing]\n" + tc.doc)
			if err == nil || !strings.Contains(err.Error(), tc.key) {
				t.Fatalf("err %v, want a message naming %s", err, tc.key)
			}
		})
	}
}

// Under --sim the backend may be left to the simulator.
func TestSectionSimWithoutBackend(t *testing.T) {
	if _, err := config.Parse("t.toml", []byte(ticketingBase+"[ticketing]\nstation = \"HN-GB\"\n"),
		profile.NewRegistry(ticketing.Profile{}).Config(true)); err != nil {
		t.Fatal(err)
	}
}

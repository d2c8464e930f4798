package config_test

import (
	"strings"
	"testing"
	"time"

	"github.com/kiosk06/kiosk/firmware/config"
)

const transitBase = "[device]\nid = \"bus-1\"\nprofile = \"transit\"\ndata_dir = \"/tmp/x\"\n"

func TestTransitParkingDefaults(t *testing.T) {
	c, err := config.Parse("t.toml", []byte(transitBase+"[transit]\nroute = \"47\"\nfares = { \"47\" = 7000 }\n"))
	if err != nil {
		t.Fatal(err)
	}
	tr := c.Transit
	if tr.ElderlyAge != 60 || tr.ChildAge != 6 || tr.RepeatWindow.D() != 2*time.Minute || tr.MaxTapsPerDay != 20 || tr.MaxValuePerDay != 100000 {
		t.Fatalf("transit defaults: %+v", tr)
	}
	if tr.KeyFile(c.Device.DataDir) != "/tmp/x/transit-token.key" || tr.ListsPath(c.Device.DataDir) != "/tmp/x/lists" {
		t.Fatalf("paths: %s %s", tr.KeyFile(c.Device.DataDir), tr.ListsPath(c.Device.DataDir))
	}
	p := c.Parking
	if p.Lane != "both" || p.OfflinePolicy != "deny" || p.PaymentTimeout.D() != 3*time.Minute || p.Grace.D() != 10*time.Minute {
		t.Fatalf("parking defaults: %+v", p)
	}
}

func TestTransitParkingErrors(t *testing.T) {
	tests := []struct {
		name, doc, key string
	}{
		{"route not in fares", "[transit]\nroute = \"9\"\nfares = { \"47\" = 7000 }\n", "transit.route"},
		{"negative fare", "[transit]\nfares = { \"47\" = -1 }\n", "transit.fares.47"},
		{"bad public key", "[transit]\nlists_public_key = \"abc\"\n", "transit.lists_public_key"},
		{"bad repeat window", "[transit]\nrepeat_window = \"10ms\"\n", "transit.repeat_window"},
		{"bad lane", "[parking]\nlane = \"sideways\"\n", "parking.lane"},
		{"bad policy", "[parking]\noffline_policy = \"open\"\n", "parking.offline_policy"},
		{"bad bin", "[parking]\npayment_bin = \"97A436\"\n", "parking.payment_bin"},
		{"unknown key", "[parking]\nbarier_timeout = \"5s\"\n", "parking.barier_timeout"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := config.Parse("t.toml", []byte(transitBase+tc.doc))
			if err == nil || !strings.Contains(err.Error(), tc.key) {
				t.Fatalf("err %v, want a message naming %s", err, tc.key)
			}
		})
	}
}

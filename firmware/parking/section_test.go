package parking_test

import (
	"strings"
	"testing"
	"time"

	"github.com/kiosk06/kiosk/firmware/config"
	"github.com/kiosk06/kiosk/firmware/parking"
	"github.com/kiosk06/kiosk/firmware/profile"
)

const parkingBase = "[device]\nid = \"lot-1\"\nprofile = \"parking\"\ndata_dir = \"/tmp/x\"\n"

func parseParking(doc string) (*config.Config, error) {
	return config.Parse("t.toml", []byte(doc), profile.NewRegistry(parking.Profile{}).Config(false))
}

func TestSectionDefaults(t *testing.T) {
	c, err := parseParking(parkingBase)
	if err != nil {
		t.Fatal(err)
	}
	p := c.Section("parking").(*parking.Section)
	if p.Lane != "both" || p.OfflinePolicy != "deny" || p.PaymentTimeout.D() != 3*time.Minute || p.Grace.D() != 10*time.Minute ||
		p.KeyFile(c.Device.DataDir) != "/tmp/x/parking-token.key" {
		t.Fatalf("parking defaults: %+v", p)
	}
}

func TestSectionErrors(t *testing.T) {
	tests := []struct {
		name, doc, key string
	}{
		{"bad lane", "[parking]\nlane = \"sideways\"\n", "parking.lane"},
		{"bad policy", "[parking]\noffline_policy = \"open\"\n", "parking.offline_policy"},
		{"bad bin", "[parking]\npayment_bin = \"97A436\"\n", "parking.payment_bin"},
		{"unknown key", "[parking]\nbarier_timeout = \"5s\"\n", "parking.barier_timeout"},
		{"plain http payments", "[parking]\npayment_url = \"http://pay.example.vn\"\n", "parking.payment_url"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := parseParking(parkingBase + tc.doc)
			if err == nil || !strings.Contains(err.Error(), tc.key) {
				t.Fatalf("err %v, want a message naming %s", err, tc.key)
			}
		})
	}
}

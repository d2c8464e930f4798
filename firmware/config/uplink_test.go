package config_test

import (
	"testing"
	"time"

	"github.com/kiosk06/kiosk/firmware/config"
)

// TestUplinkTransport: [uplink] transport chooses HTTPS or MQTT; an MQTT
// broker is mqtts:// with the device's client certificate (its identity in
// the broker's ACL).
func TestUplinkTransport(t *testing.T) {
	const head = "[device]\nid = \"dev-1\"\nprofile = \"transit\"\n[uplink]\n"
	const certs = "client_cert = \"/etc/kiosk06/dev.pem\"\nclient_key = \"/etc/kiosk06/dev.key\"\nca_file = \"/etc/kiosk06/ca.pem\"\n"
	for _, tc := range []struct {
		name, body, badKey string
	}{
		{"mqtt", "transport = \"mqtt\"\nbroker_url = \"mqtts://mqtt.example.vn:8883\"\n" + certs, ""},
		{"mqtt with heartbeat", "transport = \"mqtt\"\nbroker_url = \"mqtts://mqtt.example.vn\"\nheartbeat_interval = \"1m\"\n" + certs, ""},
		{"https default", "base_url = \"https://c.example.vn\"\n", ""},
		{"unknown transport", "transport = \"coap\"\n", "uplink.transport"},
		{"mqtt without broker", "transport = \"mqtt\"\n" + certs, "uplink.broker_url"},
		{"plain mqtt", "transport = \"mqtt\"\nbroker_url = \"mqtt://mqtt.example.vn:1883\"\n" + certs, "uplink.broker_url"},
		{"broker on https", "transport = \"mqtt\"\nbroker_url = \"https://mqtt.example.vn\"\n" + certs, "uplink.broker_url"},
		{"mqtt without certificate", "transport = \"mqtt\"\nbroker_url = \"mqtts://mqtt.example.vn:8883\"\n", "uplink.client_cert"},
		{"broker without mqtt", "broker_url = \"mqtts://mqtt.example.vn:8883\"\n" + certs, "uplink.broker_url"},
		{"heartbeat too often", "heartbeat_interval = \"10ms\"\n", "uplink.heartbeat_interval"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg, err := config.Parse("bad.toml", []byte(head+tc.body), config.RealOptions())
			if tc.badKey == "" {
				if err != nil {
					t.Fatal(err)
				}
				if !cfg.Uplink.Configured() {
					t.Fatalf("uplink not configured: %+v", cfg.Uplink)
				}
				return
			}
			if e := find(errorsOf(t, head+tc.body), tc.badKey); e == nil {
				t.Fatalf("no error at %s: %v", tc.badKey, err)
			}
		})
	}
	cfg, err := config.Parse("ok.toml", []byte(head), config.RealOptions())
	if err != nil {
		t.Fatal(err)
	}
	if u := cfg.Uplink; u.Transport != "https" || u.HeartbeatInterval.D() != 5*time.Minute || u.Configured() {
		t.Fatalf("defaults %+v", u)
	}
	// Under --sim a plain mqtt:// broker (a local simulator) is allowed.
	if _, err := config.Parse("sim.toml", []byte(head+"transport = \"mqtt\"\nbroker_url = \"mqtt://127.0.0.1:1883\"\n"), config.SimOptions()); err != nil {
		t.Fatalf("plain mqtt under --sim: %v", err)
	}
}

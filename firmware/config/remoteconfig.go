package config

import (
	"crypto/ed25519"
	"encoding/base64"
	"time"
)

// RemoteConfig is the [remote_config] section: configuration bundles the
// operator signs and the backend sends on the downlink (issue 22.3,
// firmware/remoteconfig, OPERATIONS.md "Remote configuration").
//
//	[remote_config]
//	public_key = "base64 Ed25519 public key"  # empty: remote configuration is off
//	start_timeout = "60s"  # a new config must bring kioskd to ready within this
//	healthy_for = "30s"    # and keep it running this long, or it is rolled back
//
// A bundle may not change this section: the key that lets the backend
// configure a device is set on the device (or by its package), never by
// a bundle.
type RemoteConfig struct {
	PublicKey    string   `toml:"public_key" expect:"a base64 Ed25519 public key (32 bytes), or empty to turn remote configuration off"`
	StartTimeout Duration `toml:"start_timeout" expect:"a duration such as \"60s\" (at most \"85s\": systemd gives a start 90 s)"`
	HealthyFor   Duration `toml:"healthy_for" expect:"a duration such as \"30s\""`
}

// Enabled reports whether bundles are taken (a public key is set).
func (r RemoteConfig) Enabled() bool { return r.PublicKey != "" }

// Key returns the bundles' public key (nil when off or invalid).
func (r RemoteConfig) Key() ed25519.PublicKey {
	b, err := base64.StdEncoding.DecodeString(r.PublicKey)
	if err != nil || len(b) != ed25519.PublicKeySize {
		return nil
	}
	return ed25519.PublicKey(b)
}

func (r RemoteConfig) validate(v *validator) {
	v.check(r.PublicKey == "" || r.Key() != nil, "remote_config.public_key", r.PublicKey, "a base64 Ed25519 public key (32 bytes), or empty to turn remote configuration off")
	// systemd's TimeoutStartSec (90 s) would kill a slower start first;
	// the rollback still happens, on the next start.
	v.check(r.StartTimeout.D() >= time.Second && r.StartTimeout.D() <= 85*time.Second, "remote_config.start_timeout",
		r.StartTimeout.D().String(), "from \"1s\" to \"85s\" (systemd gives a start 90 s)")
	v.check(r.HealthyFor.D() >= 0 && r.HealthyFor.D() <= time.Hour, "remote_config.healthy_for", r.HealthyFor.D().String(), "from \"0s\" to \"1h\"")
}

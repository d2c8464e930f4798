package config

import (
	"regexp"
	"time"
)

// Update is the [update] section: signed update triggers from the downlink
// and the updater that installs them (issue 22.2, firmware/update,
// OPERATIONS.md "Updates").
//
//	[update]
//	enabled = true
//	public_key_file = "/etc/kiosk06/update.pub"  # the operator's Ed25519 trigger key (base64)
//	health_timeout = "5m"     # the new version must be ready and pass selftest within this
//	apt_source = "kiosk06"    # /etc/apt/sources.list.d/kiosk06.sources
//	state_dir = "/var/lib/kiosk06-update"  # the updater's state and the previous .deb (root's)
type Update struct {
	Enabled       bool     `toml:"enabled"`
	PublicKeyFile string   `toml:"public_key_file" expect:"the path of the update trigger key (a base64 Ed25519 public key)"`
	HealthTimeout Duration `toml:"health_timeout" expect:"a duration such as \"5m\""`
	AptSource     string   `toml:"apt_source" expect:"the name of a deb822 file in /etc/apt/sources.list.d without .sources, such as kiosk06"`
	StateDir      string   `toml:"state_dir" expect:"an absolute directory path outside data_dir"`
}

// SourcesFile is the apt source the updater restricts apt to.
func (u Update) SourcesFile() string { return "/etc/apt/sources.list.d/" + u.AptSource + ".sources" }

var aptSourceName = regexp.MustCompile(`^[A-Za-z0-9_.-]{1,64}$`)

func (u Update) validate(v *validator, dataDir string) {
	v.check(!u.Enabled || u.PublicKeyFile != "", "update.public_key_file", u.PublicKeyFile, "a key file path when update.enabled is true")
	// The gate wants two passing rounds 5 s apart (firmware/update).
	v.check(u.HealthTimeout.D() >= 15*time.Second && u.HealthTimeout.D() <= time.Hour, "update.health_timeout", u.HealthTimeout.D().String(),
		"from \"15s\" to \"1h\" (the gate wants two passing checks 5 s apart)")
	v.check(aptSourceName.MatchString(u.AptSource), "update.apt_source", u.AptSource, "a file name of letters, digits, '.', '_' or '-' (the .sources file in /etc/apt/sources.list.d)")
	// The updater runs as root and installs the .deb it keeps there: a
	// directory kioskd's user may write would let it choose what root
	// installs.
	v.check(len(u.StateDir) > 1 && u.StateDir[0] == '/' && !inDir(dataDir, u.StateDir), "update.state_dir", u.StateDir,
		"an absolute path outside data_dir (root's: the updater installs the .deb it keeps there)")
}

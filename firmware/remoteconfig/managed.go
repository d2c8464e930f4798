package remoteconfig

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/kiosk06/kiosk/firmware/config"
)

// ManagedDir is the managed configuration's directory in the data
// directory. ManagedDir/kiosk.toml is the last bundle written;
// ManagedDir/kiosk.toml.prev (PrevSuffix) the managed configuration it
// replaced, absent when it replaced the base file: a rollback then
// removes kiosk.toml and the base runs again.
const ManagedDir = "remote-config"

// ManagedName is the managed configuration's file name in ManagedDir.
const ManagedName = "kiosk.toml"

// ManagedPath returns the managed configuration's file,
// DATA_DIR/remote-config/kiosk.toml.
func ManagedPath(dataDir string) string {
	return filepath.Join(dataDir, ManagedDir, ManagedName)
}

// ParseFunc is the configuration checker kioskd starts with (config.Parse
// with this kioskd's profiles, run as the base runs).
type ParseFunc func(file string, doc []byte) (*config.Config, error)

// Choice says which configuration a start runs, and why.
type Choice struct {
	File    string // the file whose text runs: the base file or the managed one
	Managed bool   // File is the managed configuration
	Version uint64 // the bundle's version when Managed
	Why     string // one line for the log and `kioskd config check`
}

// Running returns the configuration a start with base (the file given
// with --config, /etc/kiosk06/kiosk.toml) runs, and why. It is the managed
// configuration when base has [remote_config] set and the managed file is
// the bundle being tried, or the one kept, and the base file is unchanged
// since that bundle was applied; the keys a bundle may never change
// ([device] id and data_dir, [store] path and key_file, [remote_config],
// the updater's trust) are then the base's whatever the managed file says.
// Otherwise it is base: a technician's edit of the base file after the
// bundle was applied wins (Begin's Attach reports it as drift). Running
// only reads; any problem with the managed configuration runs the base.
func Running(base *config.Config, parse ParseFunc) (*config.Config, Choice) {
	ch := Choice{File: base.File}
	if base.File == "" || base.File == "embedded" {
		ch.Why = "the embedded configuration (no file, no remote configuration)"
		return base, ch
	}
	if !base.RemoteConfig.Enabled() {
		ch.Why = "remote configuration is off ([remote_config] public_key is empty)"
		return base, ch
	}
	path := ManagedPath(base.Device.DataDir)
	managed, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		ch.Why = "no managed configuration (no bundle applied, or it was removed)"
		return base, ch
	}
	if err != nil {
		ch.Why = fmt.Sprintf("the managed configuration cannot be read (%v): the base runs", err)
		return base, ch
	}
	baseDoc, err := os.ReadFile(base.File)
	if err != nil {
		ch.Why = fmt.Sprintf("the base file cannot be read again (%v): the base runs", err)
		return base, ch
	}
	st, err := loadState(filepath.Join(base.Device.DataDir, StateFile))
	if err != nil {
		ch.Why = fmt.Sprintf("the remote configuration state cannot be read (%v): the base runs", err)
		return base, ch
	}
	version, baseSum, what := bundleOf(st, Hash(managed))
	if what == "" {
		ch.Why = "the managed configuration is not the bundle being tried or kept: the base runs"
		return base, ch
	}
	if baseSum != Hash(baseDoc) {
		ch.Why = fmt.Sprintf("the base file was edited after bundle v%d was applied: the local edit runs (drift)", version)
		return base, ch
	}
	run, err := parse(path, managed)
	if err != nil {
		ch.Why = fmt.Sprintf("bundle v%d does not pass this kioskd's checker (%v): the base runs", version, err)
		return base, ch
	}
	protect(run, base)
	run.File, run.Managed, run.Sim = base.File, path, base.Sim
	return run, Choice{File: path, Managed: true, Version: version, Why: fmt.Sprintf("bundle v%d %s", version, what)}
}

// bundleOf says which bundle of the state a managed configuration whose
// hash is sum is: its version, the base file's hash when it was applied,
// and "being tried" or "kept" ("" when it is neither).
func bundleOf(st state, sum string) (version uint64, baseSHA256, what string) {
	switch t, a := st.Trying, st.Applied; {
	case t != nil && t.SHA256 == sum:
		return t.Version, t.BaseSHA256, "being tried"
	case t == nil && a != nil && a.SHA256 == sum:
		return a.Version, a.BaseSHA256, "kept"
	}
	return 0, "", ""
}

// protectedKey is one key a bundle may never change, with its value.
type protectedKey struct{ key, value string }

// protectedKeys lists the keys a bundle may never change, as c has them:
// who the device is, where its data and sealing key are, what lets the
// backend configure it, and what root's updater trusts and where it keeps
// what it installs. protect copies the same keys.
func protectedKeys(c *config.Config) []protectedKey {
	return []protectedKey{
		{"device.id", c.Device.ID},
		{"device.data_dir", c.Device.DataDir},
		{"store.path", c.Store.Path},
		{"store.key_file", c.Store.KeyFile},
		{"remote_config.public_key", c.RemoteConfig.PublicKey},
		{"remote_config.start_timeout", c.RemoteConfig.StartTimeout.D().String()},
		{"remote_config.healthy_for", c.RemoteConfig.HealthyFor.D().String()},
		{"update.public_key_file", c.Update.PublicKeyFile},
		{"update.apt_source", c.Update.AptSource},
		{"update.state_dir", c.Update.StateDir},
	}
}

// protect sets run's protected keys (protectedKeys) to base's: the
// managed file lives in the data directory kioskd can write, so what it
// says about them never counts.
func protect(run, base *config.Config) {
	run.Device.ID, run.Device.DataDir = base.Device.ID, base.Device.DataDir
	run.Store.Path, run.Store.KeyFile = base.Store.Path, base.Store.KeyFile
	run.RemoteConfig = base.RemoteConfig
	run.Update.PublicKeyFile, run.Update.AptSource, run.Update.StateDir = base.Update.PublicKeyFile, base.Update.AptSource, base.Update.StateDir
}

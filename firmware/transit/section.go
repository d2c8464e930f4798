package transit

import (
	"crypto/ed25519"
	"encoding/base64"
	"path/filepath"
	"time"

	"github.com/kiosk06/kiosk/firmware/config"
)

// Section is the [transit] table of the configuration: the bus validator's
// route, fares, rules and lists. Zero values take the defaults below when
// the section is validated, so a file only writes what differs.
type Section struct {
	// Route is the route this validator rides on; Fares maps route ids to
	// the flat fare in VND and must contain Route.
	Route string           `toml:"route" expect:"the route id this validator serves, e.g. \"47\""`
	Fares map[string]int64 `toml:"fares" expect:"a table of route id = flat fare in VND"`
	// Vehicle names the bus (e.g. its plate) in tap records.
	Vehicle string `toml:"vehicle" expect:"the bus id or plate"`
	// ElderlyAge and ChildAge set the statutory free rides: age ≥ ElderlyAge
	// and age < ChildAge (defaults 60 and 6; -1 disables a rule).
	ElderlyAge int `toml:"elderly_age" expect:"an age in years (default 60; -1 disables)"`
	ChildAge   int `toml:"child_age" expect:"an age in years (default 6; -1 disables)"`
	// TokenKeyFile holds the operator's HMAC key (≥ 32 bytes) that turns ID
	// numbers and card UIDs into tokens (default DATA_DIR/transit-token.key).
	TokenKeyFile string `toml:"token_key_file" expect:"a file path holding the operator's token key"`
	// AllowUID lets a fixed (non-random) chip UID serve as a token.
	AllowUID bool `toml:"allow_uid"`
	// RepeatWindow suppresses a second charge for the same token.
	RepeatWindow config.Duration `toml:"repeat_window" expect:"a duration such as \"2m\""`
	// MaxTapsPerDay and MaxValuePerDay bound what one token may ride unpaid
	// per day while the validator decides offline (0 = default 20 / 100000).
	MaxTapsPerDay  int   `toml:"max_taps_per_day" expect:"a positive number of taps"`
	MaxValuePerDay int64 `toml:"max_value_per_day" expect:"a positive amount in VND"`
	// ListsURL is the base URL of the list service (default uplink.base_url);
	// ListsPublicKey the base64 Ed25519 key the lists are signed with.
	ListsURL       string          `toml:"lists_url" expect:"an https:// URL"`
	ListsPublicKey string          `toml:"lists_public_key" expect:"a base64 Ed25519 public key (32 bytes)"`
	ListsDir       string          `toml:"lists_dir" expect:"a directory (default DATA_DIR/lists)"`
	SyncInterval   config.Duration `toml:"sync_interval" expect:"a duration such as \"5m\""`
	// Screen: a small text screen is fitted.
	Screen bool `toml:"screen"`

	// ListsToken (or ListsTokenFile, which wins) is the list service's own
	// bearer token, sent to ListsURL. Without it the uplink's token is sent
	// only when ListsURL has the uplink's origin (scheme, host, port), and
	// nothing otherwise. The list service is reached with the uplink's TLS
	// settings (ca_file, client_cert, client_key).
	ListsToken     string `toml:"lists_token" expect:"a bearer token string"`
	ListsTokenFile string `toml:"lists_token_file" expect:"a file path holding the list service's bearer token"`
}

// Defaults of [transit], applied to zero fields.
const (
	defaultElderlyAge     = 60
	defaultChildAge       = 6
	defaultRepeatWindow   = 2 * time.Minute
	defaultMaxTapsPerDay  = 20
	defaultMaxValuePerDay = 100_000
	defaultSyncInterval   = 5 * time.Minute
)

// KeyFile returns the token key path, defaulting under dataDir.
func (t Section) KeyFile(dataDir string) string {
	if t.TokenKeyFile != "" {
		return t.TokenKeyFile
	}
	return filepath.Join(dataDir, "transit-token.key")
}

// ListsPath returns the list directory, defaulting under dataDir.
func (t Section) ListsPath(dataDir string) string {
	if t.ListsDir != "" {
		return t.ListsDir
	}
	return filepath.Join(dataDir, "lists")
}

// PublicKey decodes ListsPublicKey (nil when empty or invalid).
func (t Section) PublicKey() ed25519.PublicKey {
	b, err := base64.StdEncoding.DecodeString(t.ListsPublicKey)
	if err != nil || len(b) != ed25519.PublicKeySize {
		return nil
	}
	return ed25519.PublicKey(b)
}

// BackendURLs implements config.SectionURLs: the list service's URL is
// held to the https:// rule.
func (t *Section) BackendURLs() []config.BackendURL {
	return []config.BackendURL{{Key: "lists_url", URL: t.ListsURL}}
}

// Validate implements config.Section: it fills defaults and checks the
// section.
func (t *Section) Validate(v *config.Validator) {
	if t.ElderlyAge == 0 {
		t.ElderlyAge = defaultElderlyAge
	}
	if t.ChildAge == 0 {
		t.ChildAge = defaultChildAge
	}
	if t.RepeatWindow == 0 {
		t.RepeatWindow = config.Duration(defaultRepeatWindow)
	}
	if t.MaxTapsPerDay == 0 {
		t.MaxTapsPerDay = defaultMaxTapsPerDay
	}
	if t.MaxValuePerDay == 0 {
		t.MaxValuePerDay = defaultMaxValuePerDay
	}
	if t.SyncInterval == 0 {
		t.SyncInterval = config.Duration(defaultSyncInterval)
	}
	for r, f := range t.Fares {
		v.Check(f >= 0 && r != "", "fares."+r, f, "a non-negative fare in VND")
	}
	if t.Route != "" {
		_, ok := t.Fares[t.Route]
		v.Check(ok, "route", t.Route, "a route listed in transit.fares")
	}
	v.Check(t.ElderlyAge == -1 || t.ElderlyAge > 0 && t.ElderlyAge < 150, "elderly_age", t.ElderlyAge, "an age in years, or -1")
	v.Check(t.ChildAge == -1 || t.ChildAge > 0 && t.ChildAge < 150, "child_age", t.ChildAge, "an age in years, or -1")
	v.Check(t.RepeatWindow.D() >= time.Second, "repeat_window", t.RepeatWindow, "at least \"1s\"")
	v.Check(t.MaxTapsPerDay > 0, "max_taps_per_day", t.MaxTapsPerDay, "a positive number of taps")
	v.Check(t.MaxValuePerDay > 0, "max_value_per_day", t.MaxValuePerDay, "a positive amount in VND")
	v.Check(t.SyncInterval.D() >= 10*time.Second, "sync_interval", t.SyncInterval, "at least \"10s\"")
	if t.ListsPublicKey != "" {
		v.Check(t.PublicKey() != nil, "lists_public_key", t.ListsPublicKey, "a base64 Ed25519 public key (32 bytes)")
	}
}

package ticketing

import (
	"crypto/ed25519"
	"encoding/base64"
	"path/filepath"
	"time"

	"github.com/kiosk06/kiosk/firmware/config"
)

// Offline sale policies ([ticketing] offline_sales).
const (
	// OfflinePassesRides: while the backend cannot be reached the kiosk
	// issues the passes and rides the signed catalogue marks as sellable
	// offline (they reach validators once their records are uploaded);
	// seats never sell offline.
	OfflinePassesRides = "passes_and_rides"
	// OfflineNone: nothing sells while the backend cannot be reached.
	OfflineNone = "none"
)

// Section is the [ticketing] table: the station kiosk's or coach POS's
// ticket-selling backend (URL, TLS, token, the key its replies are signed
// with), its slip header and station, the seat hold window, the offline
// sale policy, the child age rule and its token key. VietQR payment is the
// shared [payments] section (beneficiary, confirmation key, back-end); the
// concession tables are the operators', in the backend's signed catalogue
// (payments/tariff computes them). Zero values take the defaults below
// when the section is validated.
type Section struct {
	// Operator is the operator this kiosk sells for (a catalogue operator
	// id; empty: every operator in the catalogue), printed as the header
	// when Name is empty.
	Operator string `toml:"operator" expect:"the operator's id in the catalogue, e.g. \"HAHAI\""`
	// Name, Address and Phone head every printed ticket and slip.
	Name    string `toml:"name" expect:"the station's name as printed on tickets"`
	Address string `toml:"address" expect:"the address printed on tickets"`
	Phone   string `toml:"phone" expect:"the phone number printed on tickets"`
	// Station is the catalogue stop the kiosk stands at (the search's
	// default origin).
	Station string `toml:"station" expect:"a stop id of the catalogue, e.g. \"HN-GB\""`

	// BackendURL is the ticket-selling backend; BackendPublicKey the
	// base64 Ed25519 key its replies, catalogue and ticket codes are
	// signed with (only signed replies are believed).
	BackendURL       string `toml:"backend_url" expect:"an https:// URL"`
	BackendPublicKey string `toml:"backend_public_key" expect:"a base64 Ed25519 public key (32 bytes)"`
	// BackendToken (or BackendTokenFile, which wins) is the kiosk's bearer
	// token there; the TLS files are its CA bundle and client certificate.
	BackendToken     string          `toml:"backend_token" expect:"a bearer token string"`
	BackendTokenFile string          `toml:"backend_token_file" expect:"a file path holding the backend's bearer token"`
	CAFile           string          `toml:"ca_file" expect:"a PEM CA bundle file path"`
	ClientCert       string          `toml:"client_cert" expect:"a PEM certificate file path"`
	ClientKey        string          `toml:"client_key" expect:"a PEM key file path"`
	Timeout          config.Duration `toml:"timeout" expect:"a duration from \"1s\" to \"2m\""`
	// CacheDir keeps the signed catalogue (default DATA_DIR/ticketing);
	// SyncInterval is how often it is refreshed (default 5m).
	CacheDir     string          `toml:"cache_dir" expect:"a directory (default DATA_DIR/ticketing)"`
	SyncInterval config.Duration `toml:"sync_interval" expect:"a duration from \"5s\" to \"24h\""`

	// HoldTTL is how long seats are held for the payment (default 12m);
	// MinHoldLeft the least left to start a payment (default 6m; above
	// [payments] qr_timeout, so the QR expires before the hold).
	HoldTTL     config.Duration `toml:"hold_ttl" expect:"a duration from \"2m\" to \"30m\""`
	MinHoldLeft config.Duration `toml:"min_hold_left" expect:"a duration below hold_ttl and above [payments] qr_timeout"`
	// OfflineSales: passes_and_rides (default) or none.
	OfflineSales string `toml:"offline_sales" expect:"passes_and_rides or none"`
	// ChildMaxAge: a traveller typed by ID number and birth date must be
	// younger (default 14, from when the CCCD is required).
	ChildMaxAge int `toml:"child_max_age" expect:"an age in years from 1 to 14"`
	// MaxTravellers on one purchase (default 6).
	MaxTravellers int `toml:"max_travellers" expect:"a number from 1 to 10"`
	// RejectUnverified refuses cards whose chip could not be verified (a
	// QR alone buys otherwise).
	RejectUnverified bool `toml:"reject_unverified"`
	// CANWait is how long a card tapped without its QR waits for a scan
	// before the kiosk asks for the CAN (default 5s); CANAttempts the CANs
	// a card may refuse (default 3).
	CANWait     config.Duration `toml:"can_wait" expect:"a duration from \"1s\" to \"60s\""`
	CANAttempts int             `toml:"can_attempts" expect:"a number of attempts from 1 to 10"`
	// TokenKeyFile holds the operator's HMAC key (≥ 32 bytes) that makes
	// each traveller's citizen token — the key the bus validators use, so
	// it is the same file as [transit] token_key_file on the buses
	// (default DATA_DIR/transit-token.key).
	TokenKeyFile string `toml:"token_key_file" expect:"a file path holding the operator's token key"`
}

// Defaults of [ticketing], applied to zero fields.
const (
	defaultSyncInterval = 5 * time.Minute
	defaultHoldTTL      = 12 * time.Minute
	defaultMinHoldLeft  = 6 * time.Minute
	defaultTimeout      = 15 * time.Second
)

// KeyFile returns the token key path, defaulting under dataDir (the
// validators' default file name: one operator key for both).
func (s Section) KeyFile(dataDir string) string {
	if s.TokenKeyFile != "" {
		return s.TokenKeyFile
	}
	return filepath.Join(dataDir, "transit-token.key")
}

// CachePath returns the catalogue cache directory, defaulting under
// dataDir.
func (s Section) CachePath(dataDir string) string {
	if s.CacheDir != "" {
		return s.CacheDir
	}
	return filepath.Join(dataDir, "ticketing")
}

// PublicKey decodes BackendPublicKey (nil when empty or invalid).
func (s Section) PublicKey() ed25519.PublicKey {
	b, err := base64.StdEncoding.DecodeString(s.BackendPublicKey)
	if err != nil || len(b) != ed25519.PublicKeySize {
		return nil
	}
	return ed25519.PublicKey(b)
}

// BackendURLs implements config.SectionURLs: the ticket-selling backend's
// URL is held to the https:// rule.
func (s *Section) BackendURLs() []config.BackendURL {
	return []config.BackendURL{{Key: "backend_url", URL: s.BackendURL}}
}

// Validate implements config.Section: it fills defaults and checks the
// section. The backend's URL and key may be left empty in the file only
// for --sim, where the simulated backend fills them (Simulate); Start
// refuses to run without them.
func (s *Section) Validate(v *config.Validator) {
	set := func(d *config.Duration, def time.Duration) {
		if *d == 0 {
			*d = config.Duration(def)
		}
	}
	set(&s.SyncInterval, defaultSyncInterval)
	set(&s.HoldTTL, defaultHoldTTL)
	set(&s.MinHoldLeft, defaultMinHoldLeft)
	set(&s.Timeout, defaultTimeout)
	set(&s.CANWait, 5*time.Second)
	if s.OfflineSales == "" {
		s.OfflineSales = OfflinePassesRides
	}
	if s.ChildMaxAge == 0 {
		s.ChildMaxAge = 14
	}
	if s.MaxTravellers == 0 {
		s.MaxTravellers = 6
	}
	if s.CANAttempts == 0 {
		s.CANAttempts = 3
	}
	v.Check(s.BackendPublicKey == "" || s.PublicKey() != nil, "backend_public_key", s.BackendPublicKey, "a base64 Ed25519 public key (32 bytes)")
	v.Check(s.BackendPublicKey != "" || s.BackendURL == "", "backend_public_key", s.BackendPublicKey,
		"a base64 Ed25519 public key (32 bytes): replies from backend_url are believed only when signed with it")
	v.Check(s.BackendToken == "" || s.BackendTokenFile == "", "backend_token_file", s.BackendTokenFile, "either backend_token or backend_token_file, not both")
	v.Check((s.ClientCert == "") == (s.ClientKey == ""), "client_key", s.ClientKey, "client_cert and client_key together")
	v.Check(s.Timeout.D() >= time.Second && s.Timeout.D() <= 2*time.Minute, "timeout", s.Timeout, "a duration from \"1s\" to \"2m\"")
	v.Check(s.SyncInterval.D() >= 5*time.Second && s.SyncInterval.D() <= 24*time.Hour, "sync_interval", s.SyncInterval, "a duration from \"5s\" to \"24h\"")
	v.Check(s.HoldTTL.D() >= 2*time.Minute && s.HoldTTL.D() <= 30*time.Minute, "hold_ttl", s.HoldTTL, "a duration from \"2m\" to \"30m\"")
	v.Check(s.MinHoldLeft.D() > 0 && s.MinHoldLeft < s.HoldTTL, "min_hold_left", s.MinHoldLeft, "a duration below hold_ttl")
	v.Check(config.OneOf(s.OfflineSales, OfflinePassesRides, OfflineNone), "offline_sales", s.OfflineSales, "passes_and_rides or none")
	v.Check(s.ChildMaxAge >= 1 && s.ChildMaxAge <= 14, "child_max_age", s.ChildMaxAge, "an age in years from 1 to 14")
	v.Check(s.MaxTravellers >= 1 && s.MaxTravellers <= 10, "max_travellers", s.MaxTravellers, "a number from 1 to 10")
	v.Check(s.CANWait.D() >= time.Second && s.CANWait.D() <= time.Minute, "can_wait", s.CANWait, "a duration from \"1s\" to \"60s\"")
	v.Check(s.CANAttempts >= 1 && s.CANAttempts <= 10, "can_attempts", s.CANAttempts, "a number of attempts from 1 to 10")
	v.Check(len(s.Operator) <= 32, "operator", s.Operator, "at most 32 characters")
}

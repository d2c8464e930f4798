package onestop

import (
	"crypto/ed25519"
	"encoding/base64"
	"fmt"
	"path/filepath"
	"time"

	"github.com/kiosk06/kiosk/firmware/config"
)

// Section is the [onestop] table of the configuration: the office printed
// on slips, the one-stop information system (backend URL, token, TLS), the
// catalogue's cache and sync interval, the queue counters' names, the
// provincial apps whose QR signs in, and the sign-in rules. Zero values
// take the defaults below when the section is validated.
type Section struct {
	// Office, Address, Phone head every slip ("UBND PHƯỜNG PHÚ HỘI – BỘ
	// PHẬN MỘT CỬA").
	Office  string `toml:"office" expect:"the office's name as printed on slips"`
	Address string `toml:"address" expect:"the office's address"`
	Phone   string `toml:"phone" expect:"the office's phone number"`

	// BackendURL is the one-stop information system (firmware/onestop/
	// backend's protocol); https:// unless [device] allow_insecure_http.
	BackendURL string `toml:"backend_url" expect:"an https:// URL"`
	Token      string `toml:"token" expect:"a bearer token string"`
	TokenFile  string `toml:"token_file" expect:"a file path holding the bearer token"`
	CAFile     string `toml:"ca_file" expect:"a PEM CA bundle file path"`
	ClientCert string `toml:"client_cert" expect:"a PEM certificate file path"`
	ClientKey  string `toml:"client_key" expect:"a PEM key file path"`
	// Timeout bounds one request (default 15s).
	Timeout config.Duration `toml:"timeout" expect:"a duration such as \"15s\""`

	// CatalogueCache is the offline catalogue's file (default
	// DATA_DIR/onestop-catalogue.json); CatalogueSync how often it is
	// fetched again (default 1h).
	CatalogueCache string          `toml:"catalogue_cache" expect:"a file path"`
	CatalogueSync  config.Duration `toml:"catalogue_sync" expect:"a duration such as \"1h\""`

	// Counters names each queue service for screens and slips (A = "Quầy
	// Công an"); every letter must be a [queue] service.
	Counters map[string]string `toml:"counters" expect:"a table of queue letters to counter names, such as { A = \"Quầy Công an\" }"`
	// SkipQueueOnSubmit: no queue number with a filed dossier.
	SkipQueueOnSubmit bool `toml:"skip_queue_on_submit"`
	// DispenserQueue is the service a ticket dispenser button ([devices.
	// button]) issues numbers for (default the first [queue] service).
	DispenserQueue string `toml:"dispenser_queue" expect:"a [queue] service letter"`

	// AllowUnverified lets a card read but not proven genuine sign in
	// (never by default: dossiers are filed in the citizen's name).
	AllowUnverified bool `toml:"allow_unverified"`
	// CANWait is how long a card tapped without its QR waits for the scan
	// before the CAN keypad (default 4s); CANAttempts how many typed CANs
	// a card may refuse (default 3).
	CANWait     config.Duration `toml:"can_wait" expect:"a duration such as \"4s\""`
	CANAttempts int             `toml:"can_attempts" expect:"1 to 9"`
	// SupportPoll is how often a help-desk call's state is asked (3s).
	SupportPoll config.Duration `toml:"support_poll" expect:"a duration such as \"3s\""`

	// Apps are the provincial citizen apps whose QR signs in.
	Apps []AppSection `toml:"apps"`

	// simAppQR is a provincial-app QR the simulated system issued (set
	// under --sim only), offered on the simulator panel.
	simAppQR string
}

// AppSection is one [[onestop.apps]] entry: a provincial app's QR format
// (see AppQR).
type AppSection struct {
	Name    string `toml:"name" expect:"the app's name as shown, such as \"Hue-S\""`
	Format  string `toml:"format" expect:"the one-stop system's name for the format"`
	Prefix  string `toml:"prefix" expect:"the text every such QR starts with"`
	Pattern string `toml:"pattern" expect:"a regular expression the whole QR matches"`
	// Check: online (the one-stop system checks the token) or signed
	// (an Ed25519 signature checked offline with PublicKey).
	Check     string          `toml:"check" expect:"online or signed"`
	PublicKey string          `toml:"public_key" expect:"the province's Ed25519 public key, base64"`
	MaxAge    config.Duration `toml:"max_age" expect:"a duration such as \"5m\""`
}

// CachePath returns the catalogue cache's path, defaulting under dataDir.
func (s Section) CachePath(dataDir string) string {
	if s.CatalogueCache != "" {
		return s.CatalogueCache
	}
	return filepath.Join(dataDir, "onestop-catalogue.json")
}

// AppQRs returns the apps as the flow's formats (Validate has checked
// them).
func (s Section) AppQRs() []AppQR {
	out := make([]AppQR, 0, len(s.Apps))
	for _, a := range s.Apps {
		q := AppQR{Name: a.Name, Format: a.Format, Prefix: a.Prefix, Pattern: a.Pattern, Check: AppCheckMode(a.Check), MaxAge: a.MaxAge.D()}
		if k, err := base64.StdEncoding.DecodeString(a.PublicKey); err == nil && len(k) == ed25519.PublicKeySize {
			q.PublicKey = ed25519.PublicKey(k)
		}
		out = append(out, q)
	}
	return out
}

// BackendURLs implements config.SectionURLs: the one-stop system's URL is
// held to the https:// rule.
func (s *Section) BackendURLs() []config.BackendURL {
	return []config.BackendURL{{Key: "backend_url", URL: s.BackendURL}}
}

// maxApps bounds [[onestop.apps]].
const maxApps = 8

// Validate implements config.Section: it fills defaults and checks the
// section. The backend URL may be empty only under --sim (the simulated
// one-stop system is served then); Start refuses it otherwise.
func (s *Section) Validate(v *config.Validator) {
	if s.Office == "" {
		s.Office = "BỘ PHẬN MỘT CỬA"
	}
	if s.Timeout == 0 {
		s.Timeout = config.Duration(15 * time.Second)
	}
	if s.CatalogueSync == 0 {
		s.CatalogueSync = config.Duration(time.Hour)
	}
	if s.CANWait == 0 {
		s.CANWait = config.Duration(4 * time.Second)
	}
	if s.CANAttempts == 0 {
		s.CANAttempts = 3
	}
	if s.SupportPoll == 0 {
		s.SupportPoll = config.Duration(3 * time.Second)
	}
	v.Check(len([]rune(s.Office)) <= 64, "office", s.Office, "at most 64 characters")
	v.Check(s.Token == "" || s.TokenFile == "", "token", "(set)", "token or token_file, not both")
	v.Check((s.ClientCert == "") == (s.ClientKey == ""), "client_cert", s.ClientCert, "client_cert and client_key together")
	v.Check(s.Timeout.D() >= time.Second && s.Timeout.D() <= 2*time.Minute, "timeout", s.Timeout, "between \"1s\" and \"2m\"")
	v.Check(s.CatalogueSync.D() >= time.Minute, "catalogue_sync", s.CatalogueSync, "at least \"1m\"")
	v.Check(s.CANWait.D() >= 0 && s.CANWait.D() <= time.Minute, "can_wait", s.CANWait, "between \"0s\" and \"1m\"")
	v.Check(s.CANAttempts >= 1 && s.CANAttempts <= 9, "can_attempts", s.CANAttempts, "1 to 9")
	v.Check(s.SupportPoll.D() >= 500*time.Millisecond, "support_poll", s.SupportPoll, "at least \"500ms\"")
	for letter, name := range s.Counters {
		v.Check(config.QueueLetter(letter), "counters", letter, "upper-case queue letters as keys")
		v.Check(name != "" && len([]rune(name)) <= 40, "counters", name, "a counter name of 1 to 40 characters")
	}
	if s.DispenserQueue != "" {
		v.Check(config.QueueLetter(s.DispenserQueue), "dispenser_queue", s.DispenserQueue, "a [queue] service letter")
	}
	v.Check(len(s.Apps) <= maxApps, "apps", len(s.Apps), fmt.Sprintf("at most %d apps", maxApps))
	for i := range s.Apps {
		s.Apps[i].validate(v, i)
	}
	if len(s.Apps) > 0 {
		_, err := checkAppQRs(s.AppQRs())
		v.Check(err == nil, "apps", errText(err), "app formats with a name, a prefix and a valid pattern")
	}
}

func (a *AppSection) validate(v *config.Validator, i int) {
	key := fmt.Sprintf("apps[%d].", i)
	if a.Check == "" {
		a.Check = string(CheckOnline)
	}
	if a.Format == "" {
		a.Format = a.Name
	}
	if a.MaxAge == 0 {
		a.MaxAge = config.Duration(5 * time.Minute)
	}
	v.Check(a.Name != "" && len([]rune(a.Name)) <= 32, key+"name", a.Name, "1 to 32 characters")
	v.Check(a.Prefix != "" && len(a.Prefix) <= 32, key+"prefix", a.Prefix, "1 to 32 characters")
	v.Check(config.OneOf(a.Check, string(CheckOnline), string(CheckSigned)), key+"check", a.Check, "online or signed")
	if a.Check == string(CheckSigned) {
		k, err := base64.StdEncoding.DecodeString(a.PublicKey)
		v.Check(err == nil && len(k) == ed25519.PublicKeySize, key+"public_key", "(set)", "a base64 Ed25519 public key (32 bytes)")
	}
	v.Check(a.MaxAge.D() >= 10*time.Second && a.MaxAge.D() <= time.Hour, key+"max_age", a.MaxAge, "between \"10s\" and \"1h\"")
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// Package config owns kioskd's configuration: the TOML schema, strict
// decoding (an unknown key, a wrong type or an invalid value is an error that
// names the key, its line, the bad value and what is expected), defaults, and
// the embedded default used with --sim.
//
// It imports no other package of the project but firmware/netclient (the
// one rule for backend URLs, a leaf package); everything else receives a
// *Config (or one of its sections) from firmware/cmd/kioskd.
//
// Every backend URL (uplink, payments, parking payments, BHYT, HIS, transit
// lists) must be https://: a plain http:// one is an error naming its key
// and line, unless the configuration runs under --sim (Options.Sim: the
// local fakes) or [device] allow_insecure_http is set (logged at start).
//
// Each section lives in its own file with its defaults and checks; Config
// lists them and validate calls each one.
package config

import (
	_ "embed"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

// Duration is a time.Duration written in TOML as a string such as "30s".
type Duration time.Duration

// D returns the value as a time.Duration.
func (d Duration) D() time.Duration { return time.Duration(d) }

// Config is the whole configuration of one device.
type Config struct {
	Device   Device                `toml:"device"`
	Store    Store                 `toml:"store"`
	Uplink   Uplink                `toml:"uplink"`
	Devices  map[string]DeviceSpec `toml:"devices"`
	Identity Identity              `toml:"identity"`
	UI       UI                    `toml:"ui"`
	Log      Log                   `toml:"log"`
	Metrics  Metrics               `toml:"metrics"`
	Transit  Transit               `toml:"transit"`
	Parking  Parking               `toml:"parking"`
	Hospital Hospital              `toml:"hospital"`
	BHYT     BHYT                  `toml:"bhyt"`
	HIS      HIS                   `toml:"his"`
	Queue    Queue                 `toml:"queue"`
	Payments Payments              `toml:"payments"`
	Audio    Audio                 `toml:"audio"`

	// Sim is set by --sim: devices whose port is "sim" are served by
	// simulators on pseudo-terminals. Never read from the file.
	Sim bool `toml:"-"`
	// File is where the configuration was read from ("embedded" for the default).
	File string `toml:"-"`
	// present holds the keys written in the document, with their lines.
	present map[string]int
}

// Profiles a device can run.
const (
	ProfileHospital = "hospital"
	ProfileTransit  = "transit"
	ProfileParking  = "parking"
)

// Device is the [device] section.
type Device struct {
	ID       string `toml:"id" expect:"a device id of 3-64 letters, digits, '-' or '_'"`
	Profile  string `toml:"profile" expect:"hospital, transit or parking"`
	DataDir  string `toml:"data_dir" expect:"a directory path"`
	Timezone string `toml:"timezone" expect:"an IANA time zone such as Asia/Ho_Chi_Minh"`
	// AllowInsecureHTTP accepts plain http:// backend URLs and a push
	// listener without TLS (a lab bench, never a deployed kiosk: replies
	// can then be read and forged on the network). kioskd warns at start.
	AllowInsecureHTTP bool `toml:"allow_insecure_http"`
}

// Location returns the device's time zone (validated at load).
func (d Device) Location() *time.Location {
	loc, err := time.LoadLocation(d.Timezone)
	if err != nil {
		return time.FixedZone("ICT", 7*3600)
	}
	return loc
}

// Store is the [store] section: the durable transaction store.
type Store struct {
	Path string `toml:"path" expect:"a file path (default DATA_DIR/kiosk.db)"`
	// KeyFile is the sealing key when systemd passes none: under the
	// packaged unit the key is the credential seal.key (KeyPath), kept out
	// of the data directory.
	KeyFile    string   `toml:"key_file" expect:"a file path for the sealing key, outside data_dir (default DATA_DIR-credentials/seal.key)"`
	MaxRecords int      `toml:"max_records" expect:"a positive number of records"`
	Retention  Duration `toml:"retention" expect:"a duration such as \"168h\""`
	// MinFreeMB of the data file system are kept for acknowledgements and
	// purges: below it new transactions are refused.
	MinFreeMB int `toml:"min_free_mb" expect:"a number of MiB of at least 1"`
}

// CredentialName is the name of the sealing key among the systemd
// credentials of the unit (LoadCredential=seal.key:…).
const CredentialName = "seal.key"

// KeyPath returns where the sealing key is read: the systemd credential
// when credentialsDir ($CREDENTIALS_DIRECTORY) is set, else key_file.
func (s Store) KeyPath(credentialsDir string) (path string, credential bool) {
	if credentialsDir != "" {
		return filepath.Join(credentialsDir, CredentialName), true
	}
	return s.KeyFile, false
}

// KeyInDataDir reports a key_file inside the data directory, where an
// image or a copy of the data takes the key along with what it seals.
func (c *Config) KeyInDataDir() bool {
	rel, err := filepath.Rel(filepath.Clean(c.Device.DataDir), filepath.Clean(c.Store.KeyFile))
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
}

// Uplink is the [uplink] section: the store-and-forward uploader.
type Uplink struct {
	BaseURL    string   `toml:"base_url" expect:"an https:// URL, or empty to stay offline"`
	Token      string   `toml:"token" expect:"a bearer token string"`
	TokenFile  string   `toml:"token_file" expect:"a file path holding the bearer token"`
	ClientCert string   `toml:"client_cert" expect:"a PEM certificate file path"`
	ClientKey  string   `toml:"client_key" expect:"a PEM key file path"`
	CAFile     string   `toml:"ca_file" expect:"a PEM CA bundle file path"`
	Interval   Duration `toml:"interval" expect:"a duration such as \"10s\""`
	Timeout    Duration `toml:"timeout" expect:"a duration such as \"30s\""`
}

// UI is the [ui] section.
type UI struct {
	Enabled      bool     `toml:"enabled"`
	Fullscreen   bool     `toml:"fullscreen"`
	Orientation  string   `toml:"orientation" expect:"portrait or landscape"`
	Language     string   `toml:"language" expect:"vi or en"`
	HighContrast bool     `toml:"high_contrast"`
	LargeText    bool     `toml:"large_text"`
	IdleTimeout  Duration `toml:"idle_timeout" expect:"a duration such as \"60s\""`
}

// Log is the [log] section.
type Log struct {
	Level  string `toml:"level" expect:"debug, info, warn or error"`
	Format string `toml:"format" expect:"auto, json or text"`
}

// Metrics is the [metrics] section: health and metrics on localhost.
type Metrics struct {
	Listen string `toml:"listen" expect:"a loopback host:port such as 127.0.0.1:9406, or empty to disable"`
}

// Default returns the configuration every file starts from.
func Default() *Config {
	return &Config{
		Device:   Device{Timezone: "Asia/Ho_Chi_Minh", DataDir: "/var/lib/kiosk06"},
		Store:    Store{MaxRecords: 1_000_000, Retention: Duration(7 * 24 * time.Hour), MinFreeMB: 16},
		Uplink:   Uplink{Interval: Duration(10 * time.Second), Timeout: Duration(30 * time.Second)},
		Devices:  map[string]DeviceSpec{},
		Identity: Identity{TrustDir: "/etc/kiosk06/trust", ReadTimeout: Duration(15 * time.Second)},
		UI:       UI{Enabled: true, Orientation: "portrait", Language: "vi", IdleTimeout: Duration(90 * time.Second)},
		Log:      Log{Level: "info", Format: "auto"},
	}
}

//go:embed sim.toml
var simDefault []byte

// SimDefault returns the embedded configuration used by --sim without
// --config: a hospital kiosk with every device simulated, state in ./var.
func SimDefault() (*Config, error) {
	return ParseWith("embedded", simDefault, Options{Sim: true})
}

// Options say how a document will run, which changes what is valid.
type Options struct {
	// Sim: the configuration runs under --sim (Config.Sim), where plain
	// http:// backend URLs (the local fakes) are allowed.
	Sim bool
}

// Load reads and checks a configuration file for a real device.
func Load(path string) (*Config, error) { return LoadWith(path, Options{}) }

// LoadWith reads and checks a configuration file run as o says.
func LoadWith(path string, o Options) (*Config, error) {
	doc, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	return ParseWith(path, doc, o)
}

// Parse decodes and checks a configuration document for a real device.
// The error, if any, is an Errors listing every problem found.
func Parse(file string, doc []byte) (*Config, error) { return ParseWith(file, doc, Options{}) }

// ParseWith decodes and checks a configuration document run as o says.
func ParseWith(file string, doc []byte, o Options) (*Config, error) {
	c := Default()
	lines, err := decodeDoc(file, doc, c)
	c.File, c.present, c.Sim = file, lines, o.Sim
	v := &validator{file: file, lines: lines}
	if err != nil {
		es := err.(Errors)
		if len(es) == 1 && strings.HasPrefix(es[0].Problem, "syntax error") {
			return nil, es
		}
		v.errs = es
	}
	c.validate(v)
	c.resolvePaths()
	if len(v.errs) > 0 {
		sort.SliceStable(v.errs, func(i, j int) bool { return v.errs[i].Line < v.errs[j].Line })
		return nil, v.errs
	}
	return c, nil
}

// Has reports whether a dotted key was written in the file.
func (c *Config) Has(key string) bool { _, ok := c.present[key]; return ok }

func (c *Config) resolvePaths() {
	if c.Store.Path == "" {
		c.Store.Path = filepath.Join(c.Device.DataDir, "kiosk.db")
	}
	if c.Store.KeyFile == "" {
		// Beside the data directory, not in it: a copy of the data (a
		// backup, a support bundle) does not take the key along.
		dir := filepath.Clean(c.Device.DataDir)
		c.Store.KeyFile = filepath.Join(filepath.Dir(dir), filepath.Base(dir)+"-credentials", "seal.key")
	}
}

// validator collects value errors with their lines.
type validator struct {
	file  string
	lines map[string]int
	errs  Errors
}

func (v *validator) line(key string) int {
	d := decoder{lines: v.lines}
	return d.line(key)
}

// check records an invalid value at key unless ok.
func (v *validator) check(ok bool, key string, value any, expected string) {
	if ok {
		return
	}
	v.errs = append(v.errs, FieldError{File: v.file, Line: v.line(key), Key: key, Value: show(value), Problem: "invalid value", Expected: expected})
}

// required records a missing key unless it was written.
func (v *validator) required(key, expected string) {
	if _, ok := v.lines[key]; ok {
		return
	}
	v.errs = append(v.errs, FieldError{File: v.file, Key: key, Problem: "missing", Expected: expected})
}

// notUsed records a key that is valid TOML for the schema but has no meaning here.
func (v *validator) notUsed(key string, why string) {
	v.errs = append(v.errs, FieldError{File: v.file, Line: v.line(key), Key: key, Problem: "unknown key", Expected: why})
}

func (c *Config) validate(v *validator) {
	c.Device.validate(v)
	c.Store.validate(v)
	c.Uplink.validate(v)
	c.validateDevices(v)
	c.Identity.validate(v)
	c.UI.validate(v)
	c.Log.validate(v)
	c.Metrics.validate(v)
	c.Transit.validate(v)
	c.Parking.validate(v)
	c.Hospital.validate(v)
	c.BHYT.validate(v)
	c.Queue.validate(v, c.InsecureHTTPAllowed())
	c.Payments.validate(v, c.InsecureHTTPAllowed())
	c.HIS.validate(v)
	c.Audio.validate(v, c.Sim)
	c.validateURLs(v)
}

func (d Device) validate(v *validator) {
	v.required("device.id", "a device id")
	v.required("device.profile", "hospital, transit or parking")
	if d.ID != "" || v.lines["device.id"] > 0 {
		v.check(validID(d.ID), "device.id", d.ID, "3-64 letters, digits, '-' or '_'")
	}
	if d.Profile != "" || v.lines["device.profile"] > 0 {
		v.check(oneOf(d.Profile, ProfileHospital, ProfileTransit, ProfileParking), "device.profile", d.Profile, "hospital, transit or parking")
	}
	v.check(d.DataDir != "", "device.data_dir", d.DataDir, "a directory path")
	_, err := time.LoadLocation(d.Timezone)
	v.check(err == nil && d.Timezone != "", "device.timezone", d.Timezone, "an IANA time zone such as Asia/Ho_Chi_Minh")
}

func validID(s string) bool {
	if len(s) < 3 || len(s) > 64 {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
			return false
		}
	}
	return true
}

func oneOf(s string, opts ...string) bool {
	for _, o := range opts {
		if s == o {
			return true
		}
	}
	return false
}

func (s Store) validate(v *validator) {
	v.check(s.MaxRecords > 0, "store.max_records", s.MaxRecords, "a positive number of records")
	// The queue and payment sessions rebuild today's state from records
	// after a restart, so acknowledged records must outlive a service day.
	v.check(s.Retention.D() >= 24*time.Hour, "store.retention", time.Duration(s.Retention).String(), "at least \"24h\" (the queue rebuilds the day from its records)")
	v.check(s.MinFreeMB >= 1, "store.min_free_mb", s.MinFreeMB, "at least 1 (MiB kept free for acknowledgements)")
}

func (u Uplink) validate(v *validator) {
	v.check(u.Token == "" || u.TokenFile == "", "uplink.token_file", u.TokenFile, "either token or token_file, not both")
	v.check((u.ClientCert == "") == (u.ClientKey == ""), "uplink.client_key", u.ClientKey, "client_cert and client_key together")
	v.check(u.Interval.D() >= 100*time.Millisecond, "uplink.interval", u.Interval.D().String(), "at least \"100ms\"")
	v.check(u.Timeout.D() >= time.Second, "uplink.timeout", u.Timeout.D().String(), "at least \"1s\"")
}

func (u UI) validate(v *validator) {
	v.check(oneOf(u.Orientation, "portrait", "landscape"), "ui.orientation", u.Orientation, "portrait or landscape")
	v.check(oneOf(u.Language, "vi", "en"), "ui.language", u.Language, "vi or en")
	v.check(u.IdleTimeout.D() >= 10*time.Second, "ui.idle_timeout", u.IdleTimeout.D().String(), "at least \"10s\"")
}

func (l Log) validate(v *validator) {
	v.check(oneOf(l.Level, "debug", "info", "warn", "error"), "log.level", l.Level, "debug, info, warn or error")
	v.check(oneOf(l.Format, "auto", "json", "text"), "log.format", l.Format, "auto, json or text")
}

func (m Metrics) validate(v *validator) {
	if m.Listen == "" {
		return
	}
	host, _, ok := strings.Cut(m.Listen, ":")
	v.check(ok && oneOf(host, "127.0.0.1", "localhost", "[::1]"), "metrics.listen", m.Listen, "a loopback address such as 127.0.0.1:9406 (metrics are never exposed off the device)")
}

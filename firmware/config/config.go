// Package config owns kioskd's configuration: the TOML schema of the shared
// sections, strict decoding (an unknown key, a wrong type or an invalid
// value is an error that names the key, its line, the bad value and what is
// expected), defaults, and the embedded default used with --sim.
//
// A profile's own table, [<profile>] ([hospital], [transit], [parking] …),
// is a Section whose type the profile package owns: the profile registry
// (firmware/profile, built in firmware/cmd/kioskd) hands config its names
// and a fresh Section for each (Options.Profiles), config decodes the
// table into it with the same strictness and lets it check itself through
// a Validator. device.profile must name a registered profile. The shared
// sections stay here: [device], [store], [uplink], [devices.*],
// [identity], [ui], [log], [metrics], [remote_config], [update], and the services more than one
// profile or tool uses — [payments] (hospital fees and parking exits),
// [queue] (the ticket engine and its API), [bhyt] and [his] (the hospital
// kiosk and the `kioskd diag` tools).
//
// It imports no other package of the project but firmware/netclient (the
// one rule for backend URLs, a leaf package) — no profile package;
// everything else receives a *Config (or one of its sections) from
// firmware/cmd/kioskd.
//
// Every backend URL (uplink, payments, BHYT, HIS, and those a profile
// section lists: parking payments, transit lists) must be https://: a
// plain http:// one is an error naming its key and line, unless the
// configuration runs under --sim (Options.Sim: the local fakes) or [device]
// allow_insecure_http is set (logged at start).
//
// Each section lives in its own file with its defaults and checks; Config
// lists them and validate calls each one.
package config

import (
	_ "embed"
	"fmt"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strconv"
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
	BHYT     BHYT                  `toml:"bhyt"`
	HIS      HIS                   `toml:"his"`
	Queue    Queue                 `toml:"queue"`
	Payments Payments              `toml:"payments"`
	Audio    Audio                 `toml:"audio"`
	// RemoteConfig takes signed configuration bundles from the downlink.
	RemoteConfig RemoteConfig `toml:"remote_config"`
	// Update takes signed update triggers; the updater installs them.
	Update Update `toml:"update"`
	// Admin is the staff menu's PIN file and lockout.
	Admin Admin `toml:"admin"`

	// Sim is set by --sim: devices whose port is "sim" are served by
	// simulators on pseudo-terminals. Never read from the file.
	Sim bool `toml:"-"`
	// File is where the configuration was read from ("embedded" for the default).
	// When kioskd runs remote configuration's managed configuration
	// (Managed), File stays the base file it was started with: relative
	// paths and messages refer to it.
	File string `toml:"-"`
	// Managed is the managed configuration's file when the text that runs
	// came from it (firmware/remoteconfig.Running), "" when File runs.
	// Never read from the file.
	Managed string `toml:"-"`
	// present holds the keys written in the document, with their lines.
	present map[string]int
	// sections are the registered profiles' tables, by profile name.
	sections map[string]Section
}

// Section is a profile's own table of the configuration, [<profile name>].
// The profile package owns its type: a pointer to a struct whose fields
// carry toml and expect tags like the shared sections', decoded as
// strictly. Validate fills defaults into zero fields and checks the
// values; it names keys relative to the table ("route" is reported as
// "transit.route").
type Section interface {
	Validate(v *Validator)
}

// SectionURLs is implemented by a Section with backend URL keys: each one
// it lists (keys relative to the table) is held to the same https:// rule
// as the shared ones and named in InsecureURLs.
type SectionURLs interface {
	BackendURLs() []BackendURL
}

// Profiles is what the configuration knows of the profiles this build
// runs; firmware/profile's Registry implements it.
type Profiles interface {
	// Names are the registered profile names, sorted: the values
	// device.profile may take.
	Names() []string
	// NewSection returns a fresh Section for [name] (nil: the profile has
	// no table of its own).
	NewSection(name string) Section
}

// Device is the [device] section.
type Device struct {
	ID       string `toml:"id" expect:"a device id of 3-64 letters, digits, '-' or '_'"`
	Profile  string `toml:"profile" expect:"the name of a profile this kioskd runs, such as hospital"`
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
func (c *Config) KeyInDataDir() bool { return inDir(c.Device.DataDir, c.Store.KeyFile) }

// inDir reports a path inside dir (or dir itself).
func inDir(dir, path string) bool {
	rel, err := filepath.Rel(filepath.Clean(dir), filepath.Clean(path))
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
}

// Uplink is the [uplink] section: the store-and-forward uploader, the
// heartbeat and (MQTT) the downlink.
type Uplink struct {
	// Transport carries protocol v1: "https" (POST to base_url) or "mqtt"
	// (the broker at broker_url; docs/PROTOCOL.md, "MQTT").
	Transport string `toml:"transport" expect:"https or mqtt"`
	BaseURL   string `toml:"base_url" expect:"an https:// URL, or empty to stay offline"`
	// BrokerURL is the MQTT broker (transport "mqtt"); the client
	// certificate below is the device's identity there.
	BrokerURL  string   `toml:"broker_url" expect:"an mqtts://host:port URL"`
	Token      string   `toml:"token" expect:"a bearer token string"`
	TokenFile  string   `toml:"token_file" expect:"a file path holding the bearer token"`
	ClientCert string   `toml:"client_cert" expect:"a PEM certificate file path"`
	ClientKey  string   `toml:"client_key" expect:"a PEM key file path"`
	CAFile     string   `toml:"ca_file" expect:"a PEM CA bundle file path"`
	Interval   Duration `toml:"interval" expect:"a duration such as \"10s\""`
	Timeout    Duration `toml:"timeout" expect:"a duration such as \"30s\""`
	// HeartbeatInterval is how often the inventory snapshot goes out.
	HeartbeatInterval Duration `toml:"heartbeat_interval" expect:"a duration such as \"5m\""`
}

// Uplink transports.
const (
	TransportHTTPS = "https"
	TransportMQTT  = "mqtt"
)

// Configured reports whether the section names a backend: records stay on
// the device otherwise.
func (u Uplink) Configured() bool {
	if u.Transport == TransportMQTT {
		return u.BrokerURL != ""
	}
	return u.BaseURL != ""
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
		Device: Device{Timezone: "Asia/Ho_Chi_Minh", DataDir: "/var/lib/kiosk06"},
		Store:  Store{MaxRecords: 1_000_000, Retention: Duration(7 * 24 * time.Hour), MinFreeMB: 16},
		Uplink: Uplink{Transport: TransportHTTPS, Interval: Duration(10 * time.Second), Timeout: Duration(30 * time.Second),
			HeartbeatInterval: Duration(5 * time.Minute)},
		Devices:      map[string]DeviceSpec{},
		Identity:     Identity{TrustDir: "/etc/kiosk06/trust", ReadTimeout: Duration(15 * time.Second)},
		UI:           UI{Enabled: true, Orientation: "portrait", Language: "vi", IdleTimeout: Duration(90 * time.Second)},
		Log:          Log{Level: "info", Format: "auto"},
		RemoteConfig: RemoteConfig{StartTimeout: Duration(60 * time.Second), HealthyFor: Duration(30 * time.Second)},
		Update: Update{PublicKeyFile: "/etc/kiosk06/update.pub", HealthTimeout: Duration(5 * time.Minute), AptSource: "kiosk06",
			StateDir: "/var/lib/kiosk06-update"},
		Admin:    Admin{MaxFailures: 5, Lockout: Duration(5 * time.Minute), Idle: Duration(60 * time.Second)},
		sections: map[string]Section{},
	}
}

//go:embed sim.toml
var simDefault []byte

// SimDefault returns the embedded configuration used by --sim without
// --config: a hospital kiosk with every device simulated, state in ./var.
// p are the profiles this build runs (it needs "hospital").
func SimDefault(p Profiles) (*Config, error) {
	return Parse("embedded", simDefault, Options{Sim: true, Profiles: p})
}

// Options say how a document will run, which changes what is valid.
type Options struct {
	// Sim: the configuration runs under --sim (Config.Sim), where plain
	// http:// backend URLs (the local fakes) are allowed.
	Sim bool
	// Profiles are the profiles this build runs: device.profile must name
	// one, and each one's table is decoded into its Section. Nil: none
	// (every device.profile is then an error).
	Profiles Profiles
}

// Load reads and checks a configuration file run as o says.
func Load(path string, o Options) (*Config, error) {
	doc, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	return Parse(path, doc, o)
}

// Parse decodes and checks a configuration document run as o says. The
// error, if any, is an Errors listing every problem found.
func Parse(file string, doc []byte, o Options) (*Config, error) {
	c := Default()
	var names []string
	if o.Profiles != nil {
		names = o.Profiles.Names()
		for _, n := range names {
			if s := o.Profiles.NewSection(n); s != nil {
				if !isStructPtr(s) {
					return nil, fmt.Errorf("config: the section of profile %s is %T, not a pointer to a struct", n, s)
				}
				if sharedTable(n) {
					return nil, fmt.Errorf("config: profile %s would take the shared [%s] table", n, n)
				}
				c.sections[n] = s
			}
		}
	}
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
	c.validate(v, names)
	c.resolvePaths()
	if len(v.errs) > 0 {
		sort.SliceStable(v.errs, func(i, j int) bool { return v.errs[i].Line < v.errs[j].Line })
		return nil, v.errs
	}
	return c, nil
}

// Has reports whether a dotted key was written in the file.
func (c *Config) Has(key string) bool { _, ok := c.present[key]; return ok }

// Section returns the table of profile name as its Section made it (nil:
// no such profile, or it has no table). The profile package asserts its
// own type.
func (c *Config) Section(name string) Section { return c.sections[name] }

// sectionNames are the names of the profiles' tables, sorted.
func (c *Config) sectionNames() []string {
	out := make([]string, 0, len(c.sections))
	for n := range c.sections {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

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

func (c *Config) validate(v *validator, profiles []string) {
	c.Device.validate(v, profiles)
	c.Store.validate(v)
	c.Uplink.validate(v, c.InsecureHTTPAllowed())
	c.validateDevices(v)
	c.Identity.validate(v)
	c.UI.validate(v)
	c.Log.validate(v)
	c.Metrics.validate(v)
	for _, n := range c.sectionNames() {
		c.sections[n].Validate(&Validator{v: v, prefix: n, insecureOK: c.InsecureHTTPAllowed()})
	}
	c.BHYT.validate(v)
	c.Queue.validate(v, c.InsecureHTTPAllowed())
	c.Payments.validate(v, c.InsecureHTTPAllowed())
	c.HIS.validate(v)
	c.Audio.validate(v, c.Sim)
	c.RemoteConfig.validate(v)
	c.Update.validate(v, c.Device.DataDir)
	c.Admin.validate(v)
	c.validateURLs(v)
}

func (d Device) validate(v *validator, profiles []string) {
	known := "one of the profiles this kioskd runs: " + strings.Join(profiles, ", ")
	if len(profiles) == 0 {
		known = "a profile, but this kioskd runs none"
	}
	v.required("device.id", "a device id")
	v.required("device.profile", known)
	if d.ID != "" || v.lines["device.id"] > 0 {
		v.check(validID(d.ID), "device.id", d.ID, "3-64 letters, digits, '-' or '_'")
	}
	if d.Profile != "" || v.lines["device.profile"] > 0 {
		v.check(oneOf(d.Profile, profiles...), "device.profile", d.Profile, known)
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

func (u Uplink) validate(v *validator, insecureOK bool) {
	v.check(u.Token == "" || u.TokenFile == "", "uplink.token_file", u.TokenFile, "either token or token_file, not both")
	v.check((u.ClientCert == "") == (u.ClientKey == ""), "uplink.client_key", u.ClientKey, "client_cert and client_key together")
	v.check(u.Interval.D() >= 100*time.Millisecond, "uplink.interval", u.Interval.D().String(), "at least \"100ms\"")
	v.check(u.Timeout.D() >= time.Second, "uplink.timeout", u.Timeout.D().String(), "at least \"1s\"")
	v.check(u.HeartbeatInterval.D() >= time.Second, "uplink.heartbeat_interval", u.HeartbeatInterval.D().String(), "at least \"1s\"")
	v.check(oneOf(u.Transport, TransportHTTPS, TransportMQTT), "uplink.transport", u.Transport, "https or mqtt")
	switch {
	case u.Transport != TransportMQTT:
		v.check(u.BrokerURL == "", "uplink.broker_url", u.BrokerURL, "empty unless transport = \"mqtt\"")
	case u.BrokerURL == "":
		v.check(false, "uplink.broker_url", u.BrokerURL, "an mqtts://host:port URL (transport = \"mqtt\")")
	default:
		b, err := url.Parse(u.BrokerURL)
		ok := err == nil && b.Hostname() != "" && b.Path == "" && (b.Scheme == "mqtts" || (b.Scheme == "mqtt" && insecureOK))
		v.check(ok, "uplink.broker_url", u.BrokerURL, "an mqtts://host:port URL (plain mqtt:// only under --sim or with [device] allow_insecure_http = true)")
		// The broker's ACL knows a device by its certificate.
		v.check(b == nil || b.Scheme != "mqtts" || u.ClientCert != "", "uplink.client_cert", u.ClientCert,
			"the device's client certificate (its CN is the device id the broker's ACL checks)")
	}
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
	// SplitHostPort, not a cut at the first colon: "[::1]:9406" is the
	// IPv6 loopback (the cut made its host "[" and refused it).
	host, port, err := net.SplitHostPort(m.Listen)
	ip := net.ParseIP(host)
	loopback := host == "localhost" || (ip != nil && ip.IsLoopback())
	_, perr := strconv.ParseUint(port, 10, 16)
	v.check(err == nil && loopback && perr == nil, "metrics.listen", m.Listen, "a loopback address such as 127.0.0.1:9406 or [::1]:9406 (metrics are never exposed off the device)")
}

package config

import (
	"net"
	"path/filepath"
	"time"
)

// DefaultConfirmKeyFile is where the payment back-end's confirmation key
// (the gateway's "checksum key") is read from when [payments]
// confirm_key_file is not set: a credentials path, apart from the data.
const DefaultConfirmKeyFile = "/etc/kiosk06/payment-confirm.key"

// Payments is the [payments] section: VietQR fee payment at the hospital
// kiosk (payments/session) and how every payment confirmation — hospital
// or parking — is authenticated. Parking lanes name their beneficiary and
// back-end URL in [parking]; the keys below from confirm_key_file on apply
// to them as well.
type Payments struct {
	BIN       string   `toml:"bin" expect:"the beneficiary bank's 6-digit NAPAS BIN"`
	Account   string   `toml:"account" expect:"the beneficiary account number"`
	Name      string   `toml:"name" expect:"the beneficiary name (ASCII, as the bank holds it)"`
	City      string   `toml:"city" expect:"the beneficiary city"`
	BaseURL   string   `toml:"base_url" expect:"the payment back-end's https:// URL (default uplink.base_url)"`
	RefPrefix string   `toml:"ref_prefix" expect:"2-4 upper-case letters starting every payment reference"`
	QRTimeout Duration `toml:"qr_timeout" expect:"a duration such as \"5m\""`

	// ConfirmKeyFile holds the HMAC-SHA256 key the back-end signs
	// confirmations with (the gateway's checksum key, ≥ 32 characters).
	// Default DefaultConfirmKeyFile; with --sim one made on first start (by
	// the simulated back-end, or at DATA_DIR/payment-confirm.key).
	ConfirmKeyFile string `toml:"confirm_key_file" expect:"a file path holding the confirmation checksum key"`
	// MaxAge is how old a confirmation's signing time may be (default 5m);
	// ClockSkew how far in the future a signing or payment time may lie
	// (default 2m).
	MaxAge    Duration `toml:"max_age" expect:"a duration from \"30s\" to \"1h\""`
	ClockSkew Duration `toml:"clock_skew" expect:"a duration from \"0s\" to \"10m\""`
	// Token (or TokenFile) is sent as a bearer token when polling; the TLS
	// files work as the uplink's. When the payment URL has the uplink's
	// origin, empty ones fall back to [uplink]'s.
	Token      string   `toml:"token" expect:"a bearer token string"`
	TokenFile  string   `toml:"token_file" expect:"a file path holding the bearer token"`
	CAFile     string   `toml:"ca_file" expect:"a PEM CA bundle file path"`
	ClientCert string   `toml:"client_cert" expect:"a PEM certificate file path"`
	ClientKey  string   `toml:"client_key" expect:"a PEM key file path"`
	Timeout    Duration `toml:"timeout" expect:"a duration such as \"10s\""`
	// PushListen, when set, serves the back-end's signed push (webhook)
	// confirmations on that address, over TLS with PushCert/PushKey.
	PushListen string `toml:"push_listen" expect:"a host:port such as 0.0.0.0:8408, or empty for polling only"`
	PushCert   string `toml:"push_cert" expect:"a PEM server certificate file path"`
	PushKey    string `toml:"push_key" expect:"a PEM server key file path"`
}

// ConfirmKeyPath returns the confirmation key file: the configured one, or
// the default (under dataDir with --sim).
func (p Payments) ConfirmKeyPath(dataDir string, sim bool) string {
	switch {
	case p.ConfirmKeyFile != "":
		return p.ConfirmKeyFile
	case sim:
		return filepath.Join(dataDir, "payment-confirm.key")
	}
	return DefaultConfirmKeyFile
}

func (p *Payments) validate(v *validator, insecureOK bool) {
	if p.RefPrefix == "" {
		p.RefPrefix = "BV"
	}
	if p.City == "" {
		p.City = "VIET NAM"
	}
	if p.QRTimeout == 0 {
		p.QRTimeout = Duration(5 * time.Minute)
	}
	if p.MaxAge == 0 {
		p.MaxAge = Duration(5 * time.Minute)
	}
	if p.ClockSkew == 0 && v.lines["payments.clock_skew"] == 0 {
		p.ClockSkew = Duration(2 * time.Minute)
	}
	if p.Timeout == 0 {
		p.Timeout = Duration(10 * time.Second)
	}
	v.check(p.MaxAge.D() >= 30*time.Second && p.MaxAge.D() <= time.Hour, "payments.max_age", p.MaxAge.D().String(), "a duration from \"30s\" to \"1h\"")
	v.check(p.ClockSkew.D() >= 0 && p.ClockSkew.D() <= 10*time.Minute, "payments.clock_skew", p.ClockSkew.D().String(), "a duration from \"0s\" to \"10m\"")
	v.check(p.Timeout.D() >= time.Second && p.Timeout.D() <= 2*time.Minute, "payments.timeout", p.Timeout.D().String(), "between \"1s\" and \"2m\"")
	v.check(p.Token == "" || p.TokenFile == "", "payments.token_file", p.TokenFile, "either token or token_file, not both")
	v.check((p.ClientCert == "") == (p.ClientKey == ""), "payments.client_key", p.ClientKey, "client_cert and client_key together")
	v.check((p.PushCert == "") == (p.PushKey == ""), "payments.push_key", p.PushKey, "push_cert and push_key together")
	if p.PushListen != "" {
		_, port, err := net.SplitHostPort(p.PushListen)
		v.check(err == nil && port != "", "payments.push_listen", p.PushListen, "a host:port such as 0.0.0.0:8408")
		v.check(p.PushCert != "" || insecureOK, "payments.push_listen", p.PushListen,
			"push_cert and push_key (the push listener serves TLS), or [device] allow_insecure_http = true")
	}
	if p.BIN == "" {
		return
	}
	v.check(digits(p.BIN, 6), "payments.bin", p.BIN, "a 6-digit NAPAS BIN")
	v.check(p.Account != "", "payments.account", p.Account, "the beneficiary account (required with bin)")
	// EMVCo tags 59 and 60: at most 25 and 15 characters.
	v.check(len(p.Name) <= 25, "payments.name", p.Name, "at most 25 characters (VietQR tag 59)")
	v.check(len(p.City) <= 15, "payments.city", p.City, "at most 15 characters (VietQR tag 60)")
}

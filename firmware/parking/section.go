package parking

import (
	"path/filepath"
	"strings"
	"time"

	"github.com/kiosk06/kiosk/firmware/config"
)

// Section is the [parking] table of the configuration: the lane's gate,
// mode, tariff grace, payment and barrier rules. Zero values take the
// defaults below when the section is validated.
type Section struct {
	// Gate names this lane on tickets and records; Lane is what it does.
	Gate string `toml:"gate" expect:"a gate name such as \"A1\""`
	Lane string `toml:"lane" expect:"entry, exit or both"`
	// Vehicle is the vehicle type this lane admits without an attendant
	// (a lane is usually for motorbikes or for cars).
	Vehicle string `toml:"vehicle" expect:"motorbike or car"`
	// Header is the organisation printed at the top of slips.
	Header string `toml:"header" expect:"the lot's name"`
	// Grace is the free stay (default 10m).
	Grace config.Duration `toml:"grace" expect:"a duration such as \"10m\""`
	// PaymentTimeout bounds how long the exit waits for a VietQR transfer
	// (default 3m); BarrierTimeout how long the barrier stays open waiting
	// for the loop to clear (default 60s).
	PaymentTimeout config.Duration `toml:"payment_timeout" expect:"a duration such as \"3m\""`
	BarrierTimeout config.Duration `toml:"barrier_timeout" expect:"a duration such as \"60s\""`
	// OfflinePolicy: what the exit does when payment cannot be confirmed
	// because the back-end is unreachable: "deny" (default: call the
	// attendant) or "open_record_debt" (open and record the debt).
	OfflinePolicy string `toml:"offline_policy" expect:"deny or open_record_debt"`
	// TokenKeyFile holds the operator's HMAC key (≥ 32 bytes) turning ID
	// numbers into tokens (default DATA_DIR/parking-token.key).
	TokenKeyFile string `toml:"token_key_file" expect:"a file path holding the operator's token key"`
	// VietQR beneficiary and the payment back-end.
	PaymentBIN     string `toml:"payment_bin" expect:"a 6-digit NAPAS BIN"`
	PaymentAccount string `toml:"payment_account" expect:"the beneficiary account number"`
	PaymentName    string `toml:"payment_name" expect:"the beneficiary name"`
	PaymentURL     string `toml:"payment_url" expect:"an https:// URL (default uplink.base_url)"`
}

// KeyFile returns the token key path, defaulting under dataDir.
func (p Section) KeyFile(dataDir string) string {
	if p.TokenKeyFile != "" {
		return p.TokenKeyFile
	}
	return filepath.Join(dataDir, "parking-token.key")
}

// BackendURLs implements config.SectionURLs: the payment back-end's URL is
// held to the https:// rule.
func (p *Section) BackendURLs() []config.BackendURL {
	return []config.BackendURL{{Key: "payment_url", URL: p.PaymentURL}}
}

// Validate implements config.Section: it fills defaults and checks the
// section.
func (p *Section) Validate(v *config.Validator) {
	if p.Lane == "" {
		p.Lane = LaneBoth
	}
	if p.Vehicle == "" {
		p.Vehicle = "motorbike"
	}
	v.Check(p.Vehicle == "motorbike" || p.Vehicle == "car", "vehicle", p.Vehicle, "motorbike or car")
	if p.Gate == "" {
		p.Gate = "1"
	}
	if p.Grace == 0 {
		p.Grace = config.Duration(10 * time.Minute)
	}
	if p.PaymentTimeout == 0 {
		p.PaymentTimeout = config.Duration(3 * time.Minute)
	}
	if p.BarrierTimeout == 0 {
		p.BarrierTimeout = config.Duration(60 * time.Second)
	}
	if p.OfflinePolicy == "" {
		p.OfflinePolicy = string(PolicyDeny)
	}
	v.Check(config.OneOf(p.Lane, LaneEntry, LaneExit, LaneBoth), "lane", p.Lane, "entry, exit or both")
	v.Check(len(p.Gate) <= 16, "gate", p.Gate, "at most 16 characters")
	v.Check(p.PaymentTimeout.D() >= 10*time.Second, "payment_timeout", p.PaymentTimeout, "at least \"10s\"")
	v.Check(p.BarrierTimeout.D() >= time.Second, "barrier_timeout", p.BarrierTimeout, "at least \"1s\"")
	v.Check(config.OneOf(p.OfflinePolicy, string(PolicyDeny), string(PolicyOpenRecordDebt)), "offline_policy", p.OfflinePolicy, "deny or open_record_debt")
	if p.PaymentBIN != "" {
		v.Check(len(p.PaymentBIN) == 6 && strings.Trim(p.PaymentBIN, "0123456789") == "", "payment_bin", p.PaymentBIN, "a 6-digit NAPAS BIN")
	}
}

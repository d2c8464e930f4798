package config

import (
	"path/filepath"
	"strings"
	"time"
)

// Parking is the [parking] section: the lot terminal (firmware/parking).
// Zero values take the defaults below when the section is validated.
type Parking struct {
	// Gate names this lane on tickets and records; Lane is what it does.
	Gate string `toml:"gate" expect:"a gate name such as \"A1\""`
	Lane string `toml:"lane" expect:"entry, exit or both"`
	// Vehicle is the vehicle type this lane admits without an attendant
	// (a lane is usually for motorbikes or for cars).
	Vehicle string `toml:"vehicle" expect:"motorbike or car"`
	// Header is the organisation printed at the top of slips.
	Header string `toml:"header" expect:"the lot's name"`
	// Grace is the free stay (default 10m).
	Grace Duration `toml:"grace" expect:"a duration such as \"10m\""`
	// PaymentTimeout bounds how long the exit waits for a VietQR transfer
	// (default 3m); BarrierTimeout how long the barrier stays open waiting
	// for the loop to clear (default 60s).
	PaymentTimeout Duration `toml:"payment_timeout" expect:"a duration such as \"3m\""`
	BarrierTimeout Duration `toml:"barrier_timeout" expect:"a duration such as \"60s\""`
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
func (p Parking) KeyFile(dataDir string) string {
	if p.TokenKeyFile != "" {
		return p.TokenKeyFile
	}
	return filepath.Join(dataDir, "parking-token.key")
}

// validate fills defaults and checks the section.
func (p *Parking) validate(v *validator) {
	if p.Lane == "" {
		p.Lane = "both"
	}
	if p.Vehicle == "" {
		p.Vehicle = "motorbike"
	}
	v.check(p.Vehicle == "motorbike" || p.Vehicle == "car", "parking.vehicle", p.Vehicle, "motorbike or car")
	if p.Gate == "" {
		p.Gate = "1"
	}
	if p.Grace == 0 {
		p.Grace = Duration(10 * time.Minute)
	}
	if p.PaymentTimeout == 0 {
		p.PaymentTimeout = Duration(3 * time.Minute)
	}
	if p.BarrierTimeout == 0 {
		p.BarrierTimeout = Duration(60 * time.Second)
	}
	if p.OfflinePolicy == "" {
		p.OfflinePolicy = "deny"
	}
	v.check(oneOf(p.Lane, "entry", "exit", "both"), "parking.lane", p.Lane, "entry, exit or both")
	v.check(len(p.Gate) <= 16, "parking.gate", p.Gate, "at most 16 characters")
	v.check(p.PaymentTimeout.D() >= 10*time.Second, "parking.payment_timeout", p.PaymentTimeout.D().String(), "at least \"10s\"")
	v.check(p.BarrierTimeout.D() >= time.Second, "parking.barrier_timeout", p.BarrierTimeout.D().String(), "at least \"1s\"")
	v.check(oneOf(p.OfflinePolicy, "deny", "open_record_debt"), "parking.offline_policy", p.OfflinePolicy, "deny or open_record_debt")
	if p.PaymentBIN != "" {
		v.check(len(p.PaymentBIN) == 6 && strings.Trim(p.PaymentBIN, "0123456789") == "", "parking.payment_bin", p.PaymentBIN, "a 6-digit NAPAS BIN")
	}
}

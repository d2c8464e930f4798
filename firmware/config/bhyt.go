package config

import (
	"strings"
	"time"
)

// BHYT is the [bhyt] section: the social-insurance check-card service
// (firmware/bhyt), used by the hospital profile and `kioskd diag bhyt`. StaffName and StaffCCCD are sent as hoTenCb and cccdCb.
type BHYT struct {
	BaseURL      string   `toml:"base_url" expect:"an https:// URL, or empty for none"`
	Username     string   `toml:"username" expect:"the gateway account name"`
	Password     string   `toml:"password" expect:"the gateway password"`
	PasswordFile string   `toml:"password_file" expect:"a file path holding the gateway password"`
	StaffName    string   `toml:"staff_name" expect:"the responsible staff member's full name (hoTenCb)"`
	StaffCCCD    string   `toml:"staff_cccd" expect:"the responsible staff member's 12-digit CCCD number (cccdCb)"`
	Timeout      Duration `toml:"timeout" expect:"a duration such as \"10s\""`
}

// HIS is the [his] section: the hospital information system adapter
// (firmware/his), used by the hospital profile and `kioskd diag his`.
type HIS struct {
	BaseURL   string   `toml:"base_url" expect:"an https:// URL, or empty for none"`
	Token     string   `toml:"token" expect:"a bearer token string"`
	TokenFile string   `toml:"token_file" expect:"a file path holding the bearer token"`
	Timeout   Duration `toml:"timeout" expect:"a duration such as \"15s\""`
}

func (b *BHYT) validate(v *validator) {
	if b.Timeout == 0 {
		b.Timeout = Duration(10 * time.Second)
	}
	v.check(b.Timeout.D() >= time.Second && b.Timeout.D() <= 2*time.Minute, "bhyt.timeout", b.Timeout.D().String(), "between \"1s\" and \"2m\"")
	v.check(b.Password == "" || b.PasswordFile == "", "bhyt.password_file", b.PasswordFile, "either password or password_file, not both")
	if b.BaseURL == "" {
		return
	}
	v.check(b.Username != "", "bhyt.username", b.Username, "the gateway account name (required with base_url)")
	v.check(strings.TrimSpace(b.StaffName) != "", "bhyt.staff_name", b.StaffName, "the responsible staff member's full name (required with base_url)")
	v.check(digits(b.StaffCCCD, 12), "bhyt.staff_cccd", "(redacted)", "a 12-digit CCCD number (required with base_url)")
}

func (h *HIS) validate(v *validator) {
	if h.Timeout == 0 {
		h.Timeout = Duration(15 * time.Second)
	}
	v.check(h.Timeout.D() >= time.Second && h.Timeout.D() <= 2*time.Minute, "his.timeout", h.Timeout.D().String(), "between \"1s\" and \"2m\"")
	v.check(h.Token == "" || h.TokenFile == "", "his.token_file", h.TokenFile, "either token or token_file, not both")
}

func digits(s string, n int) bool {
	if len(s) != n {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

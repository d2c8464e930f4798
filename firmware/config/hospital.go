package config

import (
	"strings"
	"time"
)

// Hospital is the [hospital] section: the self-registration flow
// (firmware/hospital). The idle timeout is [ui] idle_timeout.
type Hospital struct {
	// Name, Address and Phone head the printed queue ticket.
	Name    string `toml:"name" expect:"the hospital's name as printed on tickets"`
	Address string `toml:"address" expect:"the address printed on tickets"`
	Phone   string `toml:"phone" expect:"the phone number printed on tickets"`
	// Prepayment shows fees and a VietQR code after the ticket.
	Prepayment bool `toml:"prepayment"`
	// EnrolOffer is what happens when the holder has no fingerprint
	// binding: "offer" asks for consent to enrol, "skip" goes on.
	EnrolOffer string `toml:"enrol_offer" expect:"offer or skip"`
	// ConsentVersion names the consent text shown (recorded with consent).
	ConsentVersion string `toml:"consent_version" expect:"a short version label such as \"2026-01\""`
	// RejectUnverified refuses cards whose chip could not be verified.
	RejectUnverified bool `toml:"reject_unverified"`
	// HolderAttempts is the number of fingerprint tries (default 3).
	HolderAttempts int `toml:"holder_attempts" expect:"a number of attempts from 1 to 10"`
	// CANWait is how long a card tapped without its QR waits for a scan
	// before the kiosk asks for the CAN (default 5s; without a scanner it
	// asks at once).
	CANWait Duration `toml:"can_wait" expect:"a duration from \"1s\" to \"60s\""`
	// CANAttempts is how many typed CANs a card may refuse before the
	// kiosk offers the QR or staff instead (default 3).
	CANAttempts int `toml:"can_attempts" expect:"a number of attempts from 1 to 10"`
	// ResumeCheck is how often a kiosk that went out of service because a
	// record could not be stored tries the store again (default 30s).
	ResumeCheck Duration `toml:"resume_check" expect:"a duration from \"1s\" to \"10m\""`
	// DefaultQueue is the queue service letter of tickets; ClinicQueues maps
	// HIS clinic codes to other letters.
	DefaultQueue string            `toml:"default_queue" expect:"one upper-case letter"`
	ClinicQueues map[string]string `toml:"clinic_queues" expect:"a table of clinic code = queue letter"`
	// VisitReason is sent as LY_DO_VV (default "Khám bệnh").
	VisitReason string `toml:"visit_reason" expect:"a short reason for the visit"`
}

// BHYT is the [bhyt] section: the social-insurance check-card service
// (firmware/bhyt). StaffName and StaffCCCD are sent as hoTenCb and cccdCb.
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
// (firmware/his).
type HIS struct {
	BaseURL   string   `toml:"base_url" expect:"an https:// URL, or empty for none"`
	Token     string   `toml:"token" expect:"a bearer token string"`
	TokenFile string   `toml:"token_file" expect:"a file path holding the bearer token"`
	Timeout   Duration `toml:"timeout" expect:"a duration such as \"15s\""`
}

func (h *Hospital) validate(v *validator) {
	if h.EnrolOffer == "" {
		h.EnrolOffer = "skip"
	}
	if h.HolderAttempts == 0 {
		h.HolderAttempts = 3
	}
	if h.DefaultQueue == "" {
		h.DefaultQueue = "A"
	}
	if h.CANWait == 0 {
		h.CANWait = Duration(5 * time.Second)
	}
	if h.CANAttempts == 0 {
		h.CANAttempts = 3
	}
	if h.ResumeCheck == 0 {
		h.ResumeCheck = Duration(30 * time.Second)
	}
	if h.VisitReason == "" {
		h.VisitReason = "Khám bệnh"
	}
	v.check(oneOf(h.EnrolOffer, "offer", "skip"), "hospital.enrol_offer", h.EnrolOffer, "offer or skip")
	v.check(h.HolderAttempts >= 1 && h.HolderAttempts <= 10, "hospital.holder_attempts", h.HolderAttempts, "a number of attempts from 1 to 10")
	v.check(h.CANWait >= Duration(time.Second) && h.CANWait <= Duration(time.Minute), "hospital.can_wait", h.CANWait, "a duration from \"1s\" to \"60s\"")
	v.check(h.CANAttempts >= 1 && h.CANAttempts <= 10, "hospital.can_attempts", h.CANAttempts, "a number of attempts from 1 to 10")
	v.check(h.ResumeCheck >= Duration(time.Second) && h.ResumeCheck <= Duration(10*time.Minute), "hospital.resume_check", h.ResumeCheck, "a duration from \"1s\" to \"10m\"")
	v.check(queueLetter(h.DefaultQueue), "hospital.default_queue", h.DefaultQueue, "one upper-case letter")
	for code, q := range h.ClinicQueues {
		v.check(queueLetter(q), "hospital.clinic_queues."+code, q, "one upper-case letter")
	}
}

func queueLetter(s string) bool { return len(s) == 1 && s[0] >= 'A' && s[0] <= 'Z' }

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

package hospital

import (
	"time"

	"github.com/kiosk06/kiosk/firmware/config"
)

// Section is the [hospital] table of the configuration: the
// self-registration kiosk's ticket header, fees, holder check, CAN entry,
// queues and HIS visit reason. The idle timeout is [ui] idle_timeout; the
// services it uses are the shared [bhyt], [his], [queue] and [payments].
type Section struct {
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
	CANWait config.Duration `toml:"can_wait" expect:"a duration from \"1s\" to \"60s\""`
	// CANAttempts is how many typed CANs a card may refuse before the
	// kiosk offers the QR or staff instead (default 3).
	CANAttempts int `toml:"can_attempts" expect:"a number of attempts from 1 to 10"`
	// ResumeCheck is how often a kiosk that went out of service because a
	// record could not be stored tries the store again (default 30s).
	ResumeCheck config.Duration `toml:"resume_check" expect:"a duration from \"1s\" to \"10m\""`
	// DefaultQueue is the queue service letter of tickets; ClinicQueues maps
	// HIS clinic codes to other letters.
	DefaultQueue string            `toml:"default_queue" expect:"one upper-case letter"`
	ClinicQueues map[string]string `toml:"clinic_queues" expect:"a table of clinic code = queue letter"`
	// AddressAs is how the screens address patients: "Quý khách" (the
	// default) or "Ông/Bà"; never "bạn".
	AddressAs string `toml:"address_as" expect:"\"Quý khách\" or \"Ông/Bà\""`
	// AdminPINFile is the staff PIN file of the admin menu (firmware/admin;
	// lines from `kioskd admin pin NAME`); empty: no admin menu.
	AdminPINFile string `toml:"admin_pin_file" expect:"a path to the staff PIN file"`
	// AdminLockout is how long the admin menu stays locked after
	// AdminMaxFailures wrong PINs in a row (defaults 5m and 5).
	AdminLockout     config.Duration `toml:"admin_lockout" expect:"a duration from \"1s\" to \"24h\""`
	AdminMaxFailures int             `toml:"admin_max_failures" expect:"a number of PINs from 3 to 10"`
	// AttractVoiceEvery is the least time between two rounds of the idle
	// screen's attract loop said aloud (default 3m; "0s": never, the
	// pictures cycle silently). The engine's night mute and volume apply.
	AttractVoiceEvery config.Duration `toml:"attract_voice_every" expect:"a duration from \"0s\" (never) to \"24h\""`
	// VisitReason is sent as LY_DO_VV (default "Khám bệnh").
	VisitReason string `toml:"visit_reason" expect:"a short reason for the visit"`
}

// Validate implements config.Section: it fills defaults and checks the
// section.
func (h *Section) Validate(v *config.Validator) {
	if h.EnrolOffer == "" {
		h.EnrolOffer = string(EnrolSkip)
	}
	if h.HolderAttempts == 0 {
		h.HolderAttempts = 3
	}
	if h.DefaultQueue == "" {
		h.DefaultQueue = "A"
	}
	if h.CANWait == 0 {
		h.CANWait = config.Duration(5 * time.Second)
	}
	if h.CANAttempts == 0 {
		h.CANAttempts = 3
	}
	if h.ResumeCheck == 0 {
		h.ResumeCheck = config.Duration(30 * time.Second)
	}
	if h.AdminLockout == 0 {
		h.AdminLockout = config.Duration(5 * time.Minute)
	}
	if h.AdminMaxFailures == 0 {
		h.AdminMaxFailures = 5
	}
	if h.AddressAs == "" {
		h.AddressAs = DefaultAddress
	}
	if !v.Written("attract_voice_every") {
		h.AttractVoiceEvery = config.Duration(3 * time.Minute)
	}
	if h.VisitReason == "" {
		h.VisitReason = "Khám bệnh"
	}
	v.Check(config.OneOf(h.EnrolOffer, string(EnrolOffer), string(EnrolSkip)), "enrol_offer", h.EnrolOffer, "offer or skip")
	v.Check(h.HolderAttempts >= 1 && h.HolderAttempts <= 10, "holder_attempts", h.HolderAttempts, "a number of attempts from 1 to 10")
	v.Check(h.CANWait.D() >= time.Second && h.CANWait.D() <= time.Minute, "can_wait", h.CANWait, "a duration from \"1s\" to \"60s\"")
	v.Check(h.CANAttempts >= 1 && h.CANAttempts <= 10, "can_attempts", h.CANAttempts, "a number of attempts from 1 to 10")
	v.Check(h.ResumeCheck.D() >= time.Second && h.ResumeCheck.D() <= 10*time.Minute, "resume_check", h.ResumeCheck, "a duration from \"1s\" to \"10m\"")
	v.Check(h.AttractVoiceEvery >= 0 && h.AttractVoiceEvery.D() <= 24*time.Hour, "attract_voice_every", h.AttractVoiceEvery, "a duration from \"0s\" (never) to \"24h\"")
	v.Check(ValidAddress(h.AddressAs), "address_as", h.AddressAs, "\"Quý khách\" or \"Ông/Bà\"")
	v.Check(h.AdminLockout.D() >= time.Second && h.AdminLockout.D() <= 24*time.Hour, "admin_lockout", h.AdminLockout, "a duration from \"1s\" to \"24h\"")
	v.Check(h.AdminMaxFailures >= 3 && h.AdminMaxFailures <= 10, "admin_max_failures", h.AdminMaxFailures, "a number of PINs from 3 to 10")
	v.Check(config.QueueLetter(h.DefaultQueue), "default_queue", h.DefaultQueue, "one upper-case letter")
	for code, q := range h.ClinicQueues {
		v.Check(config.QueueLetter(q), "clinic_queues."+code, q, "one upper-case letter")
	}
}

package checkin

import (
	"path/filepath"
	"time"

	"github.com/kiosk06/kiosk/firmware/config"
)

// Section is the [checkin] table of the configuration: the point's mode and
// site, the establishment (lodging), the purpose (verify), the roster
// (attendance), the capacity and direction (gate), where reports are
// exported and whether the holder's fingerprint is required. Zero values
// take the defaults below when the section is validated.
type Section struct {
	// Mode: lodging, verify, attendance or gate.
	Mode string `toml:"mode" expect:"lodging, verify, attendance or gate"`
	// Site names the point on screens and reports; SiteID in gate records.
	Site   string `toml:"site" expect:"the point's name, such as \"Khách sạn Sông Hương – lễ tân\""`
	SiteID string `toml:"site_id" expect:"a short site identifier"`
	// Establishment and Address: the lodging's name and address (the stay
	// notification's "địa chỉ lưu trú"; required for lodging).
	Establishment string `toml:"establishment" expect:"the establishment's name"`
	Address       string `toml:"address" expect:"the establishment's address"`
	Phone         string `toml:"phone" expect:"a phone number"`
	// Purpose is logged by verify points ("Cầm đồ", "Công chứng").
	Purpose string `toml:"purpose" expect:"a purpose such as \"Công chứng\""`
	// RosterFile is the attendance list (CSV: so_dinh_danh, so_bao_danh,
	// ho_ten, phong); Session its id; Room the room this point checks.
	RosterFile string `toml:"roster_file" expect:"a CSV file path"`
	Session    string `toml:"session" expect:"the session's id"`
	Room       string `toml:"room" expect:"a room name"`
	// Capacity (gate: 0 none) and Direction ("" the staff choose).
	Capacity  int    `toml:"capacity" expect:"0 (none) or the most people inside"`
	Direction string `toml:"direction" expect:"entry, exit or empty"`
	// ExportDir receives the CSV/XLSX reports and the stay notification
	// (default DATA_DIR/exports).
	ExportDir string `toml:"export_dir" expect:"a directory path"`
	// RequireFingerprint: the point needs [devices.fingerprint] (a holder
	// whose finger is enrolled is checked; a mismatch is refused).
	RequireFingerprint bool `toml:"require_fingerprint"`
	// Enrol offers to enrol the finger of a genuine card's holder who has
	// none, with their consent (a registration desk, regular customers);
	// ConsentVersion names the consent text shown (default checkin-v1).
	Enrol          bool   `toml:"enrol"`
	ConsentVersion string `toml:"consent_version" expect:"a short version name such as \"checkin-v1\""`
	// AllowUnverified accepts a card read but not proven genuine.
	AllowUnverified bool            `toml:"allow_unverified"`
	CANWait         config.Duration `toml:"can_wait" expect:"a duration such as \"4s\""`
	ResultDelay     config.Duration `toml:"result_delay" expect:"a duration such as \"6s\""`
}

// Exports returns the export directory, defaulting under dataDir.
func (s Section) Exports(dataDir string) string {
	if s.ExportDir != "" {
		return s.ExportDir
	}
	return filepath.Join(dataDir, "exports")
}

// Validate implements config.Section.
func (s *Section) Validate(v *config.Validator) {
	if s.Mode == "" {
		s.Mode = string(ModeVerify)
	}
	if s.CANWait == 0 {
		s.CANWait = config.Duration(4 * time.Second)
	}
	if s.ResultDelay == 0 {
		s.ResultDelay = config.Duration(6 * time.Second)
	}
	if s.Site == "" {
		s.Site = "Điểm kiểm tra danh tính"
	}
	v.Check(config.OneOf(s.Mode, string(ModeLodging), string(ModeVerify), string(ModeAttendance), string(ModeGate)), "mode", s.Mode, "lodging, verify, attendance or gate")
	v.Check(len([]rune(s.Site)) <= 64, "site", s.Site, "at most 64 characters")
	v.Check(len(s.ConsentVersion) <= 32, "consent_version", s.ConsentVersion, "at most 32 characters")
	v.Check(s.Mode != string(ModeLodging) || s.Address != "", "address", s.Address, "the establishment's address (lodging: the stay notification's)")
	v.Check(s.Capacity >= 0 && s.Capacity <= 1_000_000, "capacity", s.Capacity, "0 to 1000000")
	v.Check(config.OneOf(s.Direction, "", "entry", "exit"), "direction", s.Direction, "entry, exit or empty")
	v.Check(s.CANWait.D() >= 0 && s.CANWait.D() <= time.Minute, "can_wait", s.CANWait, "between \"0s\" and \"1m\"")
	v.Check(s.ResultDelay.D() >= time.Second && s.ResultDelay.D() <= time.Minute, "result_delay", s.ResultDelay, "between \"1s\" and \"1m\"")
}

package records

// KindAdminAudit is the record kind of the staff menu's audit
// (firmware/staffmenu), which every profile but the hospital mounts.
const KindAdminAudit = "admin.audit"

// AdminAudit is the payload of admin.audit: one record per staff PIN
// entered, lockout, menu action and logout on a kiosk's staff menu. Like
// HospitalAdmin it never holds a PIN, and nothing about a passenger,
// citizen or guest: the menu shows and prints only the device's state and
// counts.
type AdminAudit struct {
	Stamp
	// Profile is the device profile whose menu it was ("ticketing").
	Profile string `json:"profile"`
	// Staff is who acted: the PIN file's name of the member of staff
	// logged in (a handle, "" before a login and for a wrong PIN).
	Staff string `json:"staff,omitempty"`
	// Action is one of the Admin* actions (login, logout, status,
	// test_page, reprint, paper_changed, service_open, service_close,
	// report, restart).
	Action string `json:"action"`
	// Outcome: ok, failed; for login also wrong_pin, lockout, locked,
	// invalid (admin.Outcome*).
	Outcome string `json:"outcome"`
	// Detail says more without personal data: the service's name, the
	// error class, the logout's reason (idle, left), wrong PINs left.
	Detail string `json:"detail,omitempty"`
}

// RecordKind implements Payload.
func (AdminAudit) RecordKind() string { return KindAdminAudit }

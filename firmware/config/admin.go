package config

import "time"

// Admin is the [admin] section: the on-device staff menu of the profiles
// that mount firmware/staffmenu (ticketing, one-stop, check-in, parking;
// the hospital kiosk keeps its own [hospital] admin_pin_file, and takes
// pin_file from here when that is unset). Without pin_file the device
// offers no staff menu.
//
//	[admin]
//	pin_file = "/etc/kiosk06/admin-pins"  # `kioskd admin pin NAME` makes a line
//	max_failures = 5      # wrong PINs in a row before a lockout
//	lockout = "5m"        # how long the menu then stays locked
//	idle = "60s"          # a logged-in menu left untouched logs out
type Admin struct {
	PINFile     string   `toml:"pin_file" expect:"a path to the staff PIN file"`
	MaxFailures int      `toml:"max_failures" expect:"a number of PINs from 3 to 10"`
	Lockout     Duration `toml:"lockout" expect:"a duration from \"1s\" to \"24h\""`
	Idle        Duration `toml:"idle" expect:"a duration from \"15s\" to \"10m\""`
}

func (a Admin) validate(v *validator) {
	v.check(a.MaxFailures >= 3 && a.MaxFailures <= 10, "admin.max_failures", a.MaxFailures, "a number of PINs from 3 to 10")
	v.check(a.Lockout.D() >= time.Second && a.Lockout.D() <= 24*time.Hour, "admin.lockout", a.Lockout.D().String(), "a duration from \"1s\" to \"24h\"")
	v.check(a.Idle.D() >= 15*time.Second && a.Idle.D() <= 10*time.Minute, "admin.idle", a.Idle.D().String(), "a duration from \"15s\" to \"10m\"")
}

package profile

import (
	"context"
	"fmt"
	"path/filepath"

	"github.com/kiosk06/kiosk/firmware/admin"
	"github.com/kiosk06/kiosk/firmware/staffmenu"
)

// StaffMenu makes the profile's staff menu from the [admin] section: the
// PIN file and lockout (the lockout state kept in the data directory, as
// the hospital's), the store, the device id and zone, the restart and the
// idle time come from env; what is the profile's own (its name, site,
// printer, record kinds, services, staff calls) from c. No [admin]
// pin_file: no menu (nil, nil). A PIN file that does not load stops the
// start, naming the file and the line.
func StaffMenu(ctx context.Context, env Env, c staffmenu.Config) (*staffmenu.Menu, error) {
	a := env.Config.Admin
	if a.PINFile == "" {
		return nil, nil
	}
	pins, err := admin.LoadPINs(a.PINFile)
	if err != nil {
		return nil, fmt.Errorf("[admin] pin_file: %w", err)
	}
	g, err := admin.NewGuard(pins, admin.Policy{MaxFailures: a.MaxFailures, Lockout: a.Lockout.D()},
		filepath.Join(env.Config.Device.DataDir, "admin-lockout.json"), nil)
	if err != nil {
		return nil, fmt.Errorf("staff menu: %w", err)
	}
	c.PINs, c.Store, c.DeviceID, c.Location, c.Idle, c.Log = g, env.Store, env.Config.Device.ID, env.Config.Device.Location(), a.Idle.D(), env.Log
	if c.Restart == nil && env.Restart != nil {
		c.Restart = env.Restart
	}
	return staffmenu.New(ctx, c)
}

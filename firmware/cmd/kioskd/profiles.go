package main

import (
	"github.com/kiosk06/kiosk/firmware/checkin"
	"github.com/kiosk06/kiosk/firmware/hospital"
	"github.com/kiosk06/kiosk/firmware/onestop"
	"github.com/kiosk06/kiosk/firmware/parking"
	"github.com/kiosk06/kiosk/firmware/profile"
	"github.com/kiosk06/kiosk/firmware/ticketing"
	"github.com/kiosk06/kiosk/firmware/transit"
)

// profiles is THE list of the device profiles this kioskd runs, one line
// each: a new profile is its package plus its line here (and, if it has a
// screen, its line in gui.go). Everything else — the [device] profile
// check, its [<name>] table, starting it, the --control socket, the
// simulator panel — follows from the registry.
func profiles() *profile.Registry {
	return profile.NewRegistry(
		hospital.Profile{},
		transit.Profile{},
		parking.Profile{},
		ticketing.Profile{},
		onestop.Profile{},
		checkin.Profile{},
	)
}

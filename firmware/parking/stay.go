package parking

import (
	"time"

	"github.com/kiosk06/kiosk/firmware/records"
)

// How a stay was measured (records.ParkingExit's Measured); see the
// package doc, "Time".
const (
	measuredBoot    = "boot_clock" // time since boot, same boot: exact
	measuredWall    = "wall"       // the wall clock, across a reboot
	measuredFloor   = "boot_floor" // the entry's boot's last record: the wall clock reads less
	measuredMinimum = "minimum"    // the entry reads later than the clock: the first period
)

// stay is a stay's length and how it was measured.
type stay struct {
	stay time.Duration
	how  string
}

// measure says how long e has been inside at c. In the boot the entry was
// recorded in, it is the time since boot that passed — whatever the wall
// clock did, and across a restart of kioskd. Across a reboot only the wall
// clock spans the gap: it is taken unless it reads less than the stay
// certainly lasted (until the last record of the entry's boot), and an
// entry that reads later than the clock is charged the first period (just
// past the grace), never refused nor let out free.
func (t *Terminal) measure(e *entry, c records.Clock) stay {
	if e.Boot == c.BootID && c.Mono >= e.Mono {
		return stay{c.Mono - e.Mono, measuredBoot}
	}
	t.mu.Lock()
	least := max(t.lastMono[e.Boot]-e.Mono, 0)
	t.mu.Unlock()
	wall := c.At.Round(0).Sub(e.At.Round(0))
	switch {
	case wall >= least:
		return stay{wall, measuredWall}
	case wall >= 0 || least > t.cfg.Tariff.Grace:
		return stay{least, measuredFloor}
	default:
		return stay{max(least, t.cfg.Tariff.Grace+time.Second), measuredMinimum}
	}
}

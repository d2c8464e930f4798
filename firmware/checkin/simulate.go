//go:build sim

package checkin

import (
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/kiosk06/kiosk/drivers/emrtd/testpki"
	"github.com/kiosk06/kiosk/firmware/config"
	"github.com/kiosk06/kiosk/firmware/profile"
)

// This file is the profile's simulator side (`kioskd run --sim`); it
// imports testpki, so it stays apart from start.go.

var _ profile.Simulated = Profile{}

// Simulate implements profile.Simulated: an attendance point without a
// roster_file gets one with the simulated adult and elderly citizens
// (rooms P101, SBD 0001 and 0002) under the data directory; the second
// adult is not on it.
func (Profile) Simulate(cfg *config.Config, s config.Section, _ profile.SimBackends) error {
	sec, ok := s.(*Section)
	if !ok || sec.Mode != string(ModeAttendance) || sec.RosterFile != "" {
		return nil
	}
	now := time.Now()
	a, e := testpki.Adult.Citizen(now), testpki.Elderly.Citizen(now)
	doc := "so_dinh_danh,so_bao_danh,ho_ten,phong\n" + a.ID + ",0001," + a.FullName + ",P101\n" + e.ID + ",0002," + e.FullName + ",P101\n"
	path := filepath.Join(cfg.Device.DataDir, "sim-roster.csv")
	if err := os.MkdirAll(cfg.Device.DataDir, 0o750); err != nil {
		return fmt.Errorf("checkin: sim roster: %w", err)
	}
	if err := os.WriteFile(path, []byte(doc), 0o600); err != nil {
		return fmt.Errorf("checkin: sim roster: %w", err)
	}
	sec.RosterFile = path
	if sec.Session == "" {
		sec.Session = "SIM-" + now.Format("2006-01-02") + "-S1"
	}
	return nil
}

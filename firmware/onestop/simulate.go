//go:build sim

package onestop

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/kiosk06/kiosk/drivers/emrtd/testpki"
	"github.com/kiosk06/kiosk/firmware/config"
	"github.com/kiosk06/kiosk/firmware/onestop/backend"
	"github.com/kiosk06/kiosk/firmware/onestop/onestopsim"
	"github.com/kiosk06/kiosk/firmware/profile"
)

// This file is the profile's simulator side (`kioskd run --sim`): the
// simulated one-stop system and what the simulator panel does to it. It
// imports onestopsim and testpki, so it stays apart from start.go (it can
// be built only with the simulator).

var _ profile.Simulated = Profile{}

// Simulator actions (profile.SimBackend) the Simulate hook registers.
const (
	// SimAcceptSupport: a help-desk member accepts the oldest waiting call.
	SimAcceptSupport = "onestop.accept_support"
	// SimStaffName is the simulated help-desk member who accepts.
	SimStaffName = "Trần Thị Hỗ Trợ"
)

// Simulate implements profile.Simulated: without a backend_url the
// simulated one-stop system (onestopsim, its seed catalogue) is served,
// with a dossier the adult citizen already has; its Hue-S app is
// configured when no app is, and a week-long Hue-S QR for the elderly
// citizen is on the simulator panel; a help-desk member accepts calls
// from the panel.
func (Profile) Simulate(cfg *config.Config, s config.Section, b profile.SimBackends) error {
	sec, ok := s.(*Section)
	if !ok {
		return fmt.Errorf("onestop: sim: the [onestop] section is %T", s)
	}
	if sec.BackendURL != "" {
		return nil
	}
	now := time.Now()
	adult := testpki.Adult.Citizen(now)
	loc := cfg.Device.Location()
	sim, err := onestopsim.Start(context.Background(), &onestopsim.Options{Location: loc, Dossiers: map[string][]backend.Dossier{
		adult.ID: {{Code: "000.00.00.SIM-" + now.AddDate(0, 0, -9).In(loc).Format("060102") + "-0007", ProcedureCode: "SIM-CT-003",
			ProcedureName: "Đăng ký tạm trú", Status: backend.StatusReady, StatusText: "Đã có kết quả, mời Ông/Bà đến nhận",
			ReceivedAt: now.AddDate(0, 0, -9), Appointment: now.AddDate(0, 0, -2), Agency: "Công an cấp xã"}},
	}})
	if err != nil {
		return fmt.Errorf("onestop: sim: %w", err)
	}
	b.Own("onestop", sim.URL(), sim.Close)
	sec.BackendURL, sec.Token, sec.TokenFile = sim.URL(), "", ""
	if len(sec.Apps) == 0 {
		sec.Apps = []AppSection{{Name: "Hue-S", Format: onestopsim.AppFormat, Prefix: onestopsim.AppPrefix,
			Check: string(CheckOnline), MaxAge: config.Duration(5 * time.Minute)}}
	}
	if sec.Apps[0].Prefix == onestopsim.AppPrefix {
		el := testpki.Elderly.Citizen(now)
		sec.simAppQR = sim.IssueAppToken(backend.Person{IDNumber: el.ID, Name: el.FullName, DOB: el.DateOfBirth.Format("02/01/2006"),
			Sex: el.Sex, Nationality: el.Nationality, Ethnicity: el.Ethnicity, Religion: el.Religion, Hometown: el.Hometown,
			Residence: el.Residence}, 7*24*time.Hour)
	}
	b.OnAction(SimAcceptSupport, func(context.Context) error {
		if !sim.AcceptSupport(SimStaffName, "NV-03", "Quầy số 3") {
			return errors.New("no help-desk call is waiting")
		}
		return nil
	})
	return nil
}

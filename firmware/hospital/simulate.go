//go:build sim

package hospital

import (
	"fmt"

	"github.com/kiosk06/kiosk/firmware/config"
	"github.com/kiosk06/kiosk/firmware/profile"
)

// The fake back-ends are simulation only: a kioskd built without -tags sim
// (the packaged one) has neither this hook nor the fakes it points at.
var _ profile.Simulated = Profile{}

// Simulate implements profile.Simulated: under --sim the BHYT gateway, the
// HIS and (with prepayment) the payment back-end the configuration leaves
// empty are served by the rig's fakes, with a simulated staff identity.
func (Profile) Simulate(cfg *config.Config, s config.Section, b profile.SimBackends) error {
	sec, _ := s.(*Section)
	if cfg.BHYT.BaseURL == "" {
		url, user, pass, err := b.BHYT()
		if err != nil {
			return fmt.Errorf("hospital: sim: %w", err)
		}
		cfg.BHYT.BaseURL, cfg.BHYT.Username, cfg.BHYT.Password, cfg.BHYT.PasswordFile = url, user, pass, ""
		cfg.BHYT.StaffName, cfg.BHYT.StaffCCCD = "Nhân viên Mô phỏng", "001000000000"
	}
	if sec != nil && sec.Prepayment && cfg.Payments.BIN != "" && cfg.Payments.BaseURL == "" {
		url, err := b.PaymentBackend(cfg.Payments.Account)
		if err != nil {
			return fmt.Errorf("hospital: sim: %w", err)
		}
		cfg.Payments.BaseURL = url
	}
	if cfg.HIS.BaseURL == "" {
		url, token, err := b.HIS()
		if err != nil {
			return fmt.Errorf("hospital: sim: %w", err)
		}
		cfg.HIS.BaseURL, cfg.HIS.Token, cfg.HIS.TokenFile = url, token, ""
	}
	return nil
}

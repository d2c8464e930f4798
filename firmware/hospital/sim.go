package hospital

import (
	"fmt"

	"github.com/kiosk06/kiosk/firmware/config"
	"github.com/kiosk06/kiosk/firmware/profile"
)

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

// simControls are the hospital kiosk's scenarios on the simulator panel:
// patients presenting their card as at the kiosk (the QR scanned, then the
// card tapped), and taking it back.
func simControls() []profile.SimGroup {
	present := func(label, who, variant string) profile.SimAction {
		return profile.SimAction{Label: label, Commands: []profile.SimCommand{
			{Sim: profile.SimScan, Citizen: who, Variant: variant},
			{Sim: profile.SimTap, Citizen: who, Variant: variant},
		}}
	}
	return []profile.SimGroup{{Title: "Bệnh nhân", Actions: []profile.SimAction{
		present("Người lớn: quét QR rồi chạm thẻ CCCD", "adult", "genuine"),
		present("Người cao tuổi (trên 75): quét QR rồi chạm thẻ", "elderly", "genuine"),
		present("Người đăng ký hộ: quét QR rồi chạm thẻ của mình", "second-adult", "genuine"),
		present("Thẻ giả (DG13 bị sửa): quét QR rồi chạm thẻ", "adult", "dg13-altered"),
		{Label: "Bệnh nhân rút thẻ ra", Commands: []profile.SimCommand{{Sim: profile.SimRemove}}},
	}}}
}

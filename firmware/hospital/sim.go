package hospital

import "github.com/kiosk06/kiosk/firmware/profile"

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

//go:build sim

package parking

import (
	"fmt"

	"github.com/kiosk06/kiosk/firmware/config"
	"github.com/kiosk06/kiosk/firmware/profile"
)

// The fake payment back-end is simulation only: a kioskd built without
// -tags sim (the packaged one) has neither this hook nor the fake.
var _ profile.Simulated = Profile{}

// Simulate implements profile.Simulated: under --sim a lane that takes
// VietQR without a payment_url is paid through the rig's fake back-end.
func (Profile) Simulate(_ *config.Config, s config.Section, b profile.SimBackends) error {
	sec, ok := s.(*Section)
	if !ok || sec.PaymentBIN == "" || sec.PaymentURL != "" {
		return nil
	}
	url, err := b.PaymentBackend(sec.PaymentAccount)
	if err != nil {
		return fmt.Errorf("parking: sim: %w", err)
	}
	sec.PaymentURL = url
	return nil
}

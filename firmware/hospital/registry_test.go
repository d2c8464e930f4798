package hospital_test

import (
	"github.com/kiosk06/kiosk/firmware/hospital"
	"github.com/kiosk06/kiosk/firmware/profile"
)

// profiles is the registry these tests run the kiosk with.
func profiles() *profile.Registry { return profile.NewRegistry(hospital.Profile{}) }

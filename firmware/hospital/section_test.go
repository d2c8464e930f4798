package hospital_test

import (
	"strings"
	"testing"

	"github.com/kiosk06/kiosk/firmware/config"
	"github.com/kiosk06/kiosk/firmware/hospital"
)

func TestSection(t *testing.T) {
	base := "[device]\nid = \"h-01\"\nprofile = \"hospital\"\n"
	c, err := config.Parse("t.toml", []byte(base), profiles().Config(false))
	if err != nil {
		t.Fatal(err)
	}
	h := c.Section("hospital").(*hospital.Section)
	if h.EnrolOffer != "skip" || h.DefaultQueue != "A" || h.CANWait.D().Seconds() != 5 || h.CANAttempts != 3 ||
		h.ResumeCheck.D().Seconds() != 30 || h.HolderAttempts != 3 || h.VisitReason != "Khám bệnh" ||
		h.AdminPINFile != "" || h.AdminLockout.D().Minutes() != 5 || h.AdminMaxFailures != 5 || h.AttractVoiceEvery.D().Minutes() != 3 {
		t.Fatalf("defaults: %+v", h)
	}
	// "0s" is written on purpose: the attract loop is never said aloud.
	c, err = config.Parse("t.toml", []byte(base+"[hospital]\nattract_voice_every = \"0s\"\n"), profiles().Config(false))
	if err != nil {
		t.Fatal(err)
	}
	if h := c.Section("hospital").(*hospital.Section); h.AttractVoiceEvery != 0 {
		t.Fatalf("attract_voice_every = \"0s\" read as %v", h.AttractVoiceEvery.D())
	}
	for _, tc := range []struct{ doc, key string }{
		{"[hospital]\nenrol_offer = \"always\"\n", "hospital.enrol_offer"},
		{"[hospital]\ndefault_queue = \"AB\"\n", "hospital.default_queue"},
		{"[hospital]\ncan_wait = \"2m\"\n", "hospital.can_wait"},
		{"[hospital]\ncan_wait = \"100ms\"\n", "hospital.can_wait"},
		{"[hospital]\ncan_attempts = 11\n", "hospital.can_attempts"},
		{"[hospital]\ncan_attempts = -1\n", "hospital.can_attempts"},
		{"[hospital]\nresume_check = \"500ms\"\n", "hospital.resume_check"},
		{"[hospital]\nresume_check = \"1h\"\n", "hospital.resume_check"},
		{"[hospital]\nclinic_queues = { K01 = \"1\" }\n", "hospital.clinic_queues.K01"},
		{"[hospital]\nadmin_lockout = \"500ms\"\n", "hospital.admin_lockout"},
		{"[hospital]\nadmin_lockout = \"48h\"\n", "hospital.admin_lockout"},
		{"[hospital]\nadmin_max_failures = 2\n", "hospital.admin_max_failures"},
		{"[hospital]\nadmin_max_failures = 11\n", "hospital.admin_max_failures"},
		{"[hospital]\nattract_voice_every = \"-1m\"\n", "hospital.attract_voice_every"},
		{"[hospital]\nattract_voice_every = \"25h\"\n", "hospital.attract_voice_every"},
		{"[hospital]\nnmae = \"x\"\n", "hospital.nmae"},
	} {
		_, err := config.Parse("t.toml", []byte(base+tc.doc), profiles().Config(false))
		if err == nil || !strings.Contains(err.Error(), tc.key) {
			t.Errorf("%q: err = %v, want one naming %s", tc.doc, err, tc.key)
		}
	}
}

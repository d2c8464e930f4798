package config

import (
	"strings"
	"testing"
)

func TestHospitalSections(t *testing.T) {
	base := "[device]\nid = \"h-01\"\nprofile = \"hospital\"\n"
	c, err := Parse("t.toml", []byte(base))
	if err != nil {
		t.Fatal(err)
	}
	if c.Hospital.EnrolOffer != "skip" || c.Hospital.DefaultQueue != "A" || c.BHYT.Timeout.D().Seconds() != 10 || c.HIS.Timeout.D().Seconds() != 15 ||
		c.Hospital.CANWait.D().Seconds() != 5 || c.Hospital.CANAttempts != 3 || c.Hospital.ResumeCheck.D().Seconds() != 30 {
		t.Fatalf("defaults: %+v %+v %+v", c.Hospital, c.BHYT, c.HIS)
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
		{"[bhyt]\nbase_url = \"https://x\"\nusername = \"u\"\nstaff_name = \"A\"\nstaff_cccd = \"123\"\n", "bhyt.staff_cccd"},
		{"[bhyt]\nbase_url = \"ftp://x\"\nusername = \"u\"\nstaff_name = \"A\"\nstaff_cccd = \"079190000001\"\n", "bhyt.base_url"},
		{"[bhyt]\npassword = \"a\"\npassword_file = \"/f\"\n", "bhyt.password_file"},
		{"[his]\ntimeout = \"10m\"\n", "his.timeout"},
		{"[his]\nbase_url = \"his.local\"\n", "his.base_url"},
	} {
		_, err := Parse("t.toml", []byte(base+tc.doc))
		if err == nil || !strings.Contains(err.Error(), tc.key) {
			t.Errorf("%q: err = %v, want one naming %s", tc.doc, err, tc.key)
		}
		if err != nil && strings.Contains(err.Error(), "123\"") {
			t.Errorf("staff CCCD echoed in error: %v", err)
		}
	}
}

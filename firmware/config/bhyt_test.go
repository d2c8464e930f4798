package config

import (
	"strings"
	"testing"
)

// TestServiceSections checks [bhyt] and [his], the hospital services
// (firmware/hospital tests its own [hospital] table).
func TestServiceSections(t *testing.T) {
	base := "[device]\nid = \"h-01\"\nprofile = \"hospital\"\n"
	c, err := Parse("t.toml", []byte(base), RealOptions())
	if err != nil {
		t.Fatal(err)
	}
	if c.BHYT.Timeout.D().Seconds() != 10 || c.HIS.Timeout.D().Seconds() != 15 {
		t.Fatalf("defaults: %+v %+v", c.BHYT, c.HIS)
	}
	for _, tc := range []struct{ doc, key string }{
		{"[bhyt]\nbase_url = \"https://x\"\nusername = \"u\"\nstaff_name = \"A\"\nstaff_cccd = \"123\"\n", "bhyt.staff_cccd"},
		{"[bhyt]\nbase_url = \"ftp://x\"\nusername = \"u\"\nstaff_name = \"A\"\nstaff_cccd = \"079190000001\"\n", "bhyt.base_url"},
		{"[bhyt]\npassword = \"a\"\npassword_file = \"/f\"\n", "bhyt.password_file"},
		{"[his]\ntimeout = \"10m\"\n", "his.timeout"},
		{"[his]\nbase_url = \"his.local\"\n", "his.base_url"},
	} {
		_, err := Parse("t.toml", []byte(base+tc.doc), RealOptions())
		if err == nil || !strings.Contains(err.Error(), tc.key) {
			t.Errorf("%q: err = %v, want one naming %s", tc.doc, err, tc.key)
		}
		if err != nil && strings.Contains(err.Error(), "123\"") {
			t.Errorf("staff CCCD echoed in error: %v", err)
		}
	}
}

package config_test

import (
	"errors"
	"fmt"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/kiosk06/kiosk/firmware/config"
)

// Every backend URL key is held to https://: a plain http:// one is an
// error naming the key and its line, unless the run is --sim or the
// operator set allow_insecure_http.
func TestBackendURLsMustBeHTTPS(t *testing.T) {
	for _, tc := range []struct{ section, key, line string }{
		{"uplink", "uplink.base_url", `base_url = "http://collector.example.vn"`},
		{"payments", "payments.base_url", `base_url = "http://pay.example.vn"`},
		{"parking", "parking.payment_url", `payment_url = "http://pay.example.vn"`},
		{"bhyt", "bhyt.base_url", `base_url = "http://egw.example.vn"` + "\nusername = \"u\"\nstaff_name = \"A\"\nstaff_cccd = \"079190000001\""},
		{"his", "his.base_url", `base_url = "http://his.example.vn"`},
		{"transit", "transit.lists_url", `lists_url = "http://lists.example.vn"`},
	} {
		doc := "[device]\nid = \"dev-1\"\nprofile = \"hospital\"\n\n[" + tc.section + "]\n" + tc.line + "\n"
		es := errorsOf(t, doc)
		e := find(es, tc.key)
		if e == nil || e.Problem != "insecure URL" || e.Line != 6 || !strings.Contains(e.Expected, "allow_insecure_http") {
			t.Errorf("%s: got %v", tc.key, es)
			continue
		}
		if msg := e.Error(); !strings.Contains(msg, "bad.toml:6: "+tc.key+": insecure URL \"http://") {
			t.Errorf("%s: message %q", tc.key, msg)
		}
		if len(es) != 1 {
			t.Errorf("%s: want only the URL error, got %v", tc.key, es)
		}
		// The same file runs under --sim (the local fakes speak http).
		c, err := config.Parse("sim.toml", []byte(doc), config.SimOptions())
		if err != nil || !c.Sim {
			t.Errorf("%s under --sim: %v", tc.key, err)
		}
		// Or on a lab bench the operator allowed it, and it is listed for the start-up warning.
		insecure := strings.Replace(doc, "profile = \"hospital\"\n", "profile = \"hospital\"\nallow_insecure_http = true\n", 1)
		c, err = config.Parse("lab.toml", []byte(insecure), config.RealOptions())
		if err != nil {
			t.Errorf("%s with allow_insecure_http: %v", tc.key, err)
		} else if got := c.InsecureURLs(); !reflect.DeepEqual(got, []string{tc.key}) {
			t.Errorf("%s: InsecureURLs = %v", tc.key, got)
		}
		// https:// is always fine.
		if _, err := config.Parse("ok.toml", []byte(strings.Replace(doc, "http://", "https://", 1)), config.RealOptions()); err != nil {
			t.Errorf("%s over https: %v", tc.key, err)
		}
	}
}

func TestBackendURLShape(t *testing.T) {
	for _, u := range []string{"ftp://pay.example.vn", "pay.example.vn", "https://", "https://%zz"} {
		es := errorsOf(t, fmt.Sprintf("[device]\nid = \"dev-1\"\nprofile = \"hospital\"\nallow_insecure_http = true\n[payments]\nbase_url = %q\n", u))
		if e := find(es, "payments.base_url"); e == nil || e.Problem != "invalid value" || e.Line != 6 {
			t.Errorf("%q: got %v", u, es)
		}
	}
}

func TestPaymentsSection(t *testing.T) {
	base := "[device]\nid = \"dev-1\"\nprofile = \"hospital\"\ndata_dir = \"/data\"\n[payments]\nbin = \"970436\"\naccount = \"0011001234567\"\n"
	c, err := config.Parse("p.toml", []byte(base), config.RealOptions())
	if err != nil {
		t.Fatal(err)
	}
	p := c.Payments
	if p.MaxAge.D() != 5*time.Minute || p.ClockSkew.D() != 2*time.Minute || p.Timeout.D() != 10*time.Second || p.RefPrefix != "BV" {
		t.Fatalf("defaults: %+v", p)
	}
	if got := p.ConfirmKeyPath(c.Device.DataDir, false); got != config.DefaultConfirmKeyFile {
		t.Errorf("key path %q, want the credentials default", got)
	}
	if got := p.ConfirmKeyPath(c.Device.DataDir, true); got != filepath.Join("/data", "payment-confirm.key") {
		t.Errorf("sim key path %q", got)
	}
	c, err = config.Parse("p.toml", []byte(base+"clock_skew = \"0s\"\nconfirm_key_file = \"/etc/k/pay.key\"\n"), config.RealOptions())
	if err != nil || c.Payments.ClockSkew != 0 || c.Payments.ConfirmKeyPath("/data", true) != "/etc/k/pay.key" {
		t.Fatalf("explicit: %+v, %v", c, err)
	}
	for _, tc := range []struct{ doc, key string }{
		{"max_age = \"5s\"\n", "payments.max_age"},
		{"max_age = \"2h\"\n", "payments.max_age"},
		{"clock_skew = \"1h\"\n", "payments.clock_skew"},
		{"timeout = \"0.5s\"\n", "payments.timeout"},
		{"token = \"a\"\ntoken_file = \"/f\"\n", "payments.token_file"},
		{"client_cert = \"/c.pem\"\n", "payments.client_key"},
		{"push_cert = \"/c.pem\"\n", "payments.push_key"},
		{"push_listen = \"8408\"\npush_cert = \"/c\"\npush_key = \"/k\"\n", "payments.push_listen"},
		// A push listener serves TLS unless insecure HTTP is allowed.
		{"push_listen = \"0.0.0.0:8408\"\n", "payments.push_listen"},
		{"bin = \"12\"\n", "payments.bin"},
	} {
		doc := strings.Replace(base, "bin = \"970436\"\n", "", 1) + tc.doc
		if !strings.Contains(tc.doc, "bin") {
			doc = base + tc.doc
		}
		es := errorsOf(t, doc)
		if find(es, tc.key) == nil {
			t.Errorf("%q: no error for %s: %v", tc.doc, tc.key, es)
		}
	}
	plain := "push_listen = \"127.0.0.1:8408\"\n"
	if _, err := config.Parse("p.toml", []byte(base+plain), config.SimOptions()); err != nil {
		t.Errorf("plain push listener under --sim: %v", err)
	}
	lab := strings.Replace(base, "data_dir", "allow_insecure_http = true\ndata_dir", 1) + plain
	if _, err := config.Parse("p.toml", []byte(lab), config.RealOptions()); err != nil {
		t.Errorf("plain push listener with allow_insecure_http: %v", err)
	}
}

func TestSimDefaultAllowsLocalFakes(t *testing.T) {
	c, err := config.SimDefault(config.FakeProfiles())
	if err != nil {
		t.Fatal(err)
	}
	var es config.Errors
	if _, err := config.Parse("embedded", []byte("[device]\nid = \"x-1\"\nprofile = \"transit\"\n[uplink]\nbase_url = \"http://127.0.0.1:9\"\n"), config.RealOptions()); !errors.As(err, &es) {
		t.Fatalf("http uplink outside --sim accepted: %v", err)
	}
	if !c.Sim {
		t.Fatal("SimDefault is not marked Sim")
	}
}

package main

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/kiosk06/kiosk/drivers/fingerprint/fingerprintsim"
)

func TestDiagFingerprint(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	sim, err := fingerprintsim.Start(ctx, &fingerprintsim.Options{Capacity: 150, SecurityLevel: 5})
	if err != nil {
		t.Fatal(err)
	}
	defer sim.Close()
	dev := sim.DeviceString()
	run := func(want int, args ...string) map[string]any {
		t.Helper()
		code, out, errs := runDiagStdin(t, "", append([]string{"diag", "fingerprint", "--device", dev, "--timeout", "5s"}, args...)...)
		if code != want {
			t.Fatalf("%v: exit %d (want %d): %s", args, code, want, errs)
		}
		var m map[string]any
		if out != "" {
			if err := json.Unmarshal([]byte(out), &m); err != nil {
				t.Fatalf("%v: %v in %q", args, err, out)
			}
		}
		return m
	}
	if m := run(exitOK, "info"); m["capacity"] != 150.0 || m["security_level"] != 5.0 || m["packet_size"] != 128.0 || m["baud"] != 57600.0 {
		t.Fatalf("info = %v", m)
	}
	sim.Touch("tech-finger", 2)
	if m := run(exitOK, "enroll", "--slot", "4"); m["enrolled"] != true {
		t.Fatalf("enroll = %v", m)
	}
	if m := run(exitOK, "count"); m["templates"] != 1.0 {
		t.Fatalf("count = %v", m)
	}
	sim.Touch("tech-finger", 1)
	if m := run(exitOK, "verify", "--slot", "4"); m["match"] != true {
		t.Fatalf("verify = %v", m)
	}
	sim.Touch("other", 1)
	if m := run(exitFailure, "verify", "--slot", "4"); m["match"] != false {
		t.Fatalf("verify(other) = %v", m)
	}
	sim.Touch("tech-finger", 1)
	if m := run(exitOK, "search"); m["found"] != true || m["slot"] != 4.0 {
		t.Fatalf("search = %v", m)
	}
	if m := run(exitOK, "delete", "--slot", "4"); m["deleted"] != true {
		t.Fatalf("delete = %v", m)
	}
	run(exitUsage, "enroll")
	run(exitUsage, "frobnicate")
	if code, _, _ := runDiagStdin(t, "", "diag", "fingerprint", "info"); code != exitUsage {
		t.Errorf("no --device: exit %d", code)
	}
}

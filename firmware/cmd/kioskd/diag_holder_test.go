package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kiosk06/kiosk/drivers/fingerprint"
	"github.com/kiosk06/kiosk/drivers/fingerprint/fingerprintsim"
	"github.com/kiosk06/kiosk/firmware/identity"
	"github.com/kiosk06/kiosk/firmware/records"
)

// TestDiagFingerprintErase: a binding enrolled as the kiosk does is erased
// by the staff tool, the ID number read from stdin and never printed; a
// second run finds nothing to erase.
func TestDiagFingerprintErase(t *testing.T) {
	const id = "079090001234"
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	sim, err := fingerprintsim.Start(ctx, &fingerprintsim.Options{Capacity: 150, SecurityLevel: 5})
	if err != nil {
		t.Fatal(err)
	}
	defer sim.Close()
	dir := t.TempDir()
	db := filepath.Join(dir, "kiosk.db")
	if err := os.WriteFile(filepath.Join(dir, "holder.key"), []byte("00112233445566778899aabbccddeeff\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	e := &env{stderr: os.Stderr}
	st, err := openDiagStore(ctx, e, db, "", diagDefaultDevice)
	if err != nil {
		t.Fatal(err)
	}
	mod, err := fingerprint.Open(ctx, sim.DeviceString(), fingerprint.Opts{})
	if err != nil {
		t.Fatal(err)
	}
	hs := records.NewHolderStore(st)
	h, err := identity.NewHolder(mod, hs, hs, identity.HolderOptions{DeviceKey: []byte("00112233445566778899aabbccddeeff")})
	if err != nil {
		t.Fatal(err)
	}
	sim.Touch("patient", 2)
	if _, err := h.Enrol(ctx, id, identity.Consent{Given: true, Version: "1", At: time.Now()}); err != nil {
		t.Fatal(err)
	}
	mod.Close()
	st.Close()

	run := func(want int) map[string]any {
		t.Helper()
		code, out, errs := runDiagStdin(t, id+"\n", "diag", "fingerprint-erase", "--db", db, "--device", sim.DeviceString(), "--timeout", "10s")
		if code != want {
			t.Fatalf("exit %d (want %d): %s", code, want, errs)
		}
		if strings.Contains(out+errs, id) {
			t.Fatalf("the ID number was printed: %s %s", out, errs)
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(out), &m); err != nil {
			t.Fatalf("%v in %q", err, out)
		}
		return m
	}
	if m := run(exitOK); m["erased"] != true {
		t.Fatalf("first erase %v", m)
	}
	if sim.Templates() != 0 {
		t.Fatalf("%d templates left", sim.Templates())
	}
	if m := run(exitOK); m["erased"] != false || m["reason"] != "not_enrolled" {
		t.Fatalf("second erase %v", m)
	}
	if code, _, _ := runDiagStdin(t, "12345\n", "diag", "fingerprint-erase", "--db", db, "--device", sim.DeviceString()); code != exitUsage {
		t.Fatalf("a short ID number: exit %d", code)
	}
}

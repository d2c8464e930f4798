package main

import (
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"testing"

	"github.com/kiosk06/kiosk/drivers/pn532/pn532sim"
)

func TestDiagNFC(t *testing.T) {
	srv, err := pn532sim.Start(context.Background(), &pn532sim.Options{Card: pn532sim.NewSimpleCard(), Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	code, out, errs := runDiag(t, "diag", "nfc", "--device", srv.DeviceString(), "--timeout", "3s", "--select-emrtd")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var rep struct {
		Firmware string `json:"firmware"`
		Card     struct {
			Type      string `json:"type"`
			UID       string `json:"uid"`
			UIDRandom bool   `json:"uid_random"`
			ATS       string `json:"ats"`
		} `json:"card"`
		SelectSW string `json:"select_sw"`
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("%v: %q", err, out)
	}
	if rep.Firmware != "PN532 1.6" || rep.Card.Type != "A" || rep.Card.UID != "085A3C11" || !rep.Card.UIDRandom ||
		rep.Card.ATS != "097833810280318066" || rep.SelectSW != "9000" {
		t.Errorf("report %s", out)
	}

	srv.RemoveCard()
	code, _, errs = runDiag(t, "diag", "nfc", "--device", srv.DeviceString(), "--timeout", "300ms")
	if code != exitFailure || !strings.Contains(errs, "no card") {
		t.Errorf("no card: exit %d %q", code, errs)
	}
}

func TestDiagNFCUsage(t *testing.T) {
	for _, args := range [][]string{
		{"diag", "nfc"},
		{"diag", "nfc", "--device", "pn532:usb:/dev/x"},
		{"diag", "nfc", "--device", "pn532:uart:/dev/x@fast"},
	} {
		if code, _, _ := runDiag(t, args...); code != exitUsage {
			t.Errorf("%v: exit %d, want %d", args, code, exitUsage)
		}
	}
	if code, _, errs := runDiag(t, "diag", "nfc", "--device", "pn532:uart:/dev/does-not-exist"); code != exitFailure {
		t.Errorf("missing device: exit %d %s", code, errs)
	}
}

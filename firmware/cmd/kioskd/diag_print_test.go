package main

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/kiosk06/kiosk/drivers/escpos"
	"github.com/kiosk06/kiosk/drivers/escpos/escpossim"
)

func TestDiagPrinterStatusAndPrint(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	sim, err := escpossim.Start(ctx, &escpossim.Options{Width: escpos.Width58mm})
	if err != nil {
		t.Fatal(err)
	}
	defer sim.Close()
	run := func(args ...string) (int, string, string) {
		var out, errb bytes.Buffer
		code := dispatch(ctx, &env{stdout: &out, stderr: &errb, getenv: func(string) string { return "" }}, args)
		return code, out.String(), errb.String()
	}

	sim.SetPaper(escpos.PaperNearEnd)
	code, out, _ := run("diag", "printer-status", "--device", sim.DeviceString())
	if code != exitOK || strings.TrimSpace(out) != `{"online":true,"paper":"near_end","cover_open":false}` {
		t.Errorf("printer-status = %d %q", code, out)
	}

	code, out, stderr := run("diag", "print", "--device", sim.DeviceString(), "--width", "384", "--sample", "receipt")
	var res struct {
		Bytes        int  `json:"bytes"`
		PaperNearEnd bool `json:"paper_near_end"`
	}
	if code != exitOK || json.Unmarshal([]byte(out), &res) != nil || res.Bytes == 0 || !res.PaperNearEnd {
		t.Errorf("print = %d %q %q", code, out, stderr)
	}
	if len(sim.Pages()) != 1 {
		t.Errorf("pages = %d, want 1", len(sim.Pages()))
	}

	sim.SetPaper(escpos.PaperEnd)
	code, _, stderr = run("diag", "print", "--device", sim.DeviceString(), "--sample", "queue")
	if code != exitFailure || !strings.Contains(stderr, "paper end") {
		t.Errorf("print on paper end = %d %q", code, stderr)
	}
	if code, _, _ := run("diag", "print", "--device", "ttyUSB0"); code != exitUsage {
		t.Errorf("bad device: exit %d, want %d", code, exitUsage)
	}
}

package fingerprintsim

import (
	"bytes"
	"context"
	"encoding/hex"
	"strings"
	"testing"
	"time"

	"github.com/kiosk06/kiosk/drivers/serialport"
)

// TestWire drives the simulator with raw datasheet frames over the pty and
// checks its raw answers byte for byte.
func TestWire(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	sim, err := Start(ctx, &Options{Capacity: 1000, PacketSize: 128, SecurityLevel: 3})
	if err != nil {
		t.Fatal(err)
	}
	defer sim.Close()
	p, err := serialport.Open(serialport.Config{Path: sim.Path(), Baud: 57600})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	h := func(s string) []byte {
		b, err := hex.DecodeString(strings.ReplaceAll(s, " ", ""))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	for _, tt := range []struct{ name, send, want string }{
		{"VfyPwd(0) ok", "EF 01 FF FF FF FF 01 00 07 13 00 00 00 00 00 1B", "EF 01 FF FF FF FF 07 00 03 00 00 0A"},
		{"GenImg no finger", "EF 01 FF FF FF FF 01 00 03 01 00 05", "EF 01 FF FF FF FF 07 00 03 02 00 0C"},
		{"TemplateNum 0", "EF 01 FF FF FF FF 01 00 03 1D 00 21", "EF 01 FF FF FF FF 07 00 05 00 00 00 00 0C"},
		{"ReadSysPara", "EF 01 FF FF FF FF 01 00 03 0F 00 13",
			"EF 01 FF FF FF FF 07 00 13 00 0000 0000 03E8 0003 FFFFFFFF 0002 0006 05 0C"},
		{"bad checksum → 01", "EF 01 FF FF FF FF 01 00 03 01 00 06", "EF 01 FF FF FF FF 07 00 03 01 00 0B"},
	} {
		if err := p.Write(ctx, h(tt.send)); err != nil {
			t.Fatal(err)
		}
		want := h(tt.want)
		got := make([]byte, len(want))
		rctx, rcancel := context.WithTimeout(ctx, 2*time.Second)
		err := p.ReadFull(rctx, got)
		rcancel()
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("%s: got % X (%v), want % X", tt.name, got, err, want)
		}
	}
}

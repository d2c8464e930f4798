//go:build cgo && !nopcsc

package main

import (
	"context"
	"testing"
	"time"

	"github.com/kiosk06/kiosk/drivers/nfc"
	"github.com/kiosk06/kiosk/drivers/pcsc/pcsctest"
	"github.com/kiosk06/kiosk/drivers/pcsc/vpcdsim"
)

// selectCard answers SELECT eMRTD AID with 9000.
type selectCard struct{}

func (selectCard) Info() nfc.CardInfo {
	return nfc.CardInfo{Type: nfc.TypeA, UID: []byte{0x08, 0x01, 0x02, 0x03}, ATS: []byte{0x05, 0x78, 0x77, 0x91, 0x02}}
}
func (selectCard) Reset() {}
func (selectCard) Transmit(apdu []byte) []byte {
	if len(apdu) > 1 && apdu[1] == 0xA4 {
		return []byte{0x90, 0x00}
	}
	return []byte{0x6D, 0x00}
}

// TestOpenPCSC reads a vpcdsim card through a private pcscd with the
// function `diag nfc --device pcsc` uses.
func TestOpenPCSC(t *testing.T) {
	d := pcsctest.Start(t, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	sim, err := vpcdsim.Start(ctx, &vpcdsim.Options{Addr: d.Addr(), Card: selectCard{}})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = sim.Close() }()
	r, err := openPCSC(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = r.Close() }()
	c, err := r.WaitCard(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = c.Release(ctx) }()
	if got := c.Info().UIDHex(); got != "08010203" {
		t.Errorf("UID %s, want 08010203", got)
	}
	rsp, err := c.Transmit(ctx, []byte{0x00, 0xA4, 0x04, 0x0C, 0x07, 0xA0, 0x00, 0x00, 0x02, 0x47, 0x10, 0x01})
	if err != nil || len(rsp) != 2 || rsp[0] != 0x90 || rsp[1] != 0x00 {
		t.Fatalf("SELECT: % X, %v", rsp, err)
	}
	if _, err := openPCSC(ctx, "No Such Reader"); err == nil {
		t.Fatal("openPCSC of an unknown reader succeeded")
	}
}

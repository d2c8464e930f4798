package main

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/kiosk06/kiosk/drivers/nfc"
	"github.com/kiosk06/kiosk/drivers/pn532"
	"github.com/kiosk06/kiosk/firmware/devices"
)

// nfcSelectEMRTD is SELECT by AID of the ICAO eMRTD application
// A0000002471001 (ICAO 9303-10 §3.6.2), no response data expected.
var nfcSelectEMRTD = []byte{0x00, 0xA4, 0x04, 0x0C, 0x07, 0xA0, 0x00, 0x00, 0x02, 0x47, 0x10, 0x01}

// nfcReport is what `kioskd diag nfc` prints.
type nfcReport struct {
	Firmware string   `json:"firmware,omitempty"`
	Card     *nfcCard `json:"card"`
	SelectSW string   `json:"select_sw,omitempty"`
}

type nfcCard struct {
	Type      string `json:"type"`
	UID       string `json:"uid"`
	UIDRandom bool   `json:"uid_random"`
	ATS       string `json:"ats,omitempty"`
	ATQB      string `json:"atqb,omitempty"`
	BitRate   int    `json:"bit_rate,omitempty"`
}

// diagNFC waits for a card on a PN532 or PC/SC reader and prints what the
// activation returned, optionally selecting the eMRTD application.
func diagNFC(ctx context.Context, e *env, args []string) int {
	fs := newFlags(e, "nfc", "kioskd diag nfc --device pn532:uart:/dev/ttyX[@115200]|pn532:i2c:/dev/i2c-1|pn532:spi:/dev/spidev0.0|pcsc[:READER NAME] [--timeout 10s] [--select-emrtd]")
	device := fs.String("device", "", "reader: pn532:uart:PATH[@BAUD], pn532:i2c:BUS, pn532:spi:PORT or pcsc[:READER NAME]")
	timeout := fs.Duration("timeout", 10*time.Second, "how long to wait for a card")
	selectEMRTD := fs.Bool("select-emrtd", false, "also SELECT the eMRTD application (AID A0000002471001) and print its status word")
	if code, ok := parseFlags(fs, e, args); !ok {
		return code
	}
	if *device == "" || fs.NArg() != 0 || *timeout <= 0 {
		fs.Usage()
		return exitUsage
	}
	reader, firmware, code, err := openNFCReader(ctx, *device)
	if err != nil {
		return failf(e, code, "diag nfc: %v", err)
	}
	defer reader.Close()
	wctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()
	card, err := reader.WaitCard(wctx)
	if err != nil {
		return failf(e, exitFailure, "diag nfc: no card within %v: %v", *timeout, err)
	}
	rep := nfcReport{Firmware: firmware, Card: nfcCardJSON(card.Info())}
	if *selectEMRTD {
		tctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		resp, err := card.Transmit(tctx, nfcSelectEMRTD)
		cancel()
		if err != nil || len(resp) < 2 {
			return failf(e, exitFailure, "diag nfc: SELECT eMRTD: %v (%d bytes)", err, len(resp))
		}
		rep.SelectSW = strings.ToUpper(hex.EncodeToString(resp[len(resp)-2:]))
	}
	if err := json.NewEncoder(e.stdout).Encode(rep); err != nil {
		return failf(e, exitFailure, "diag nfc: %v", err)
	}
	return exitOK
}

// openNFCReader opens the reader a device string names; firmware is empty
// for PC/SC. code is the exit code to use on error.
func openNFCReader(ctx context.Context, device string) (r nfc.Reader, firmware string, code int, err error) {
	if device == "pcsc" || strings.HasPrefix(device, "pcsc:") {
		r, err := openPCSC(ctx, strings.TrimPrefix(strings.TrimPrefix(device, "pcsc"), ":"))
		return r, "", exitFailure, err
	}
	spec, err := pn532.ParseSpec(device)
	if err != nil {
		return nil, "", exitUsage, err
	}
	d, err := devices.OpenPN532(spec, nil)
	if err != nil {
		return nil, "", exitFailure, fmt.Errorf("%s: %w", spec, err)
	}
	return d, d.Firmware().String(), exitOK, nil
}

func nfcCardJSON(info nfc.CardInfo) *nfcCard {
	up := func(b []byte) string { return strings.ToUpper(hex.EncodeToString(b)) }
	return &nfcCard{
		Type:      info.Type.String(),
		UID:       info.UIDHex(),
		UIDRandom: info.UIDRandom,
		ATS:       up(info.ATS),
		ATQB:      up(info.ATQB),
		BitRate:   info.BitRate,
	}
}

package pn532

import (
	"context"
	"fmt"

	"github.com/kiosk06/kiosk/drivers/nfc"
)

// Command codes (UM0701 §7.1, table "Command set").
const (
	cmdDiagnose             = 0x00
	cmdGetFirmwareVersion   = 0x02
	cmdSetParameters        = 0x12
	cmdSAMConfiguration     = 0x14
	cmdRFConfiguration      = 0x32
	cmdInDataExchange       = 0x40
	cmdInListPassiveTarget  = 0x4A
	cmdInPSL                = 0x4E
	cmdInRelease            = 0x52
	diagCardPresence        = 0x06 // Diagnose NumTst: ISO/IEC 14443-4 card presence
	samModeNormal           = 0x01
	paramAutomaticATR       = 0x04 // SetParameters fAutomaticATR_RES
	paramAutomaticRATS      = 0x10 // SetParameters fAutomaticRATS
	cfgTimings              = 0x02 // RFConfiguration CfgItem: various timings
	cfgMaxRetries           = 0x05 // RFConfiguration CfgItem: MaxRetries
	brTy106A                = 0x00 // InListPassiveTarget BrTy: 106 kbps Type A
	brTy106B                = 0x03 // InListPassiveTarget BrTy: 106 kbps Type B
	statusMI                = 0x40 // status byte / Tg bit 6: more information
	statusErrMask           = 0x3F
	maxDataOut              = 262 // InDataExchange DataOut per frame (UM0701 §7.3.8)
	statusTimeout           = 0x01
	statusCardIDMismatch    = 0x2A
	statusCardDisappeared   = 0x2B
	statusReleasedByInitiat = 0x29
)

// StatusError is a non-zero error code in a response's status byte
// (UM0701 §7.1, "Error handling"). errors.Is matches the nfc sentinel it
// stands for: nfc.ErrTimeout, nfc.ErrCardRemoved or nfc.ErrProtocol.
type StatusError struct {
	Cmd  string
	Code byte
}

// Error names the command and the status code.
func (e *StatusError) Error() string {
	return fmt.Sprintf("pn532: %s: status %02X (%s)", e.Cmd, e.Code, statusText(e.Code))
}

// Unwrap maps the code to the nfc sentinel callers branch on.
func (e *StatusError) Unwrap() error {
	switch e.Code {
	case statusTimeout:
		return nfc.ErrTimeout
	case statusCardIDMismatch, statusCardDisappeared, statusReleasedByInitiat:
		return nfc.ErrCardRemoved
	}
	return nfc.ErrProtocol
}

// statusText names an error code (UM0701 §7.1 table).
func statusText(code byte) string {
	switch code {
	case 0x01:
		return "time out, the target has not answered"
	case 0x02:
		return "CRC error"
	case 0x03:
		return "parity error"
	case 0x04:
		return "erroneous bit count during anticollision"
	case 0x05:
		return "framing error"
	case 0x06:
		return "abnormal bit collision"
	case 0x07:
		return "communication buffer size insufficient"
	case 0x09:
		return "RF buffer overflow"
	case 0x0A:
		return "RF field not switched on in time"
	case 0x0B:
		return "RF protocol error"
	case 0x0D:
		return "temperature error"
	case 0x0E:
		return "internal buffer overflow"
	case 0x10:
		return "invalid parameter"
	case 0x12:
		return "DEP command not supported"
	case 0x13:
		return "data format does not match the specification"
	case 0x14:
		return "MIFARE authentication error"
	case 0x23:
		return "UID check byte wrong"
	case 0x25:
		return "invalid device state"
	case 0x26:
		return "operation not allowed in this configuration"
	case 0x27:
		return "command not acceptable in the current context"
	case 0x29:
		return "target released by the initiator"
	case 0x2A:
		return "card ID does not match, the card was exchanged"
	case 0x2B:
		return "card disappeared"
	case 0x2C:
		return "NFCID3 mismatch"
	case 0x2D:
		return "over-current"
	case 0x2E:
		return "NAD missing"
	}
	return "unknown error"
}

// checkStatus turns a status byte into an error.
func checkStatus(cmd string, status byte) error {
	if code := status & statusErrMask; code != 0 {
		return &StatusError{Cmd: cmd, Code: code}
	}
	return nil
}

// getFirmwareVersion: D4 02 → D5 03 IC Ver Rev Support (UM0701 §7.2.2).
func (d *Dev) getFirmwareVersion(ctx context.Context) (Firmware, error) {
	r, err := d.command(ctx, "GetFirmwareVersion", cmdGetFirmwareVersion)
	if err != nil {
		return Firmware{}, err
	}
	if len(r) != 4 {
		return Firmware{}, fmt.Errorf("pn532: GetFirmwareVersion: %w: %d bytes", ErrUnexpected, len(r))
	}
	return Firmware{IC: r[0], Ver: r[1], Rev: r[2], Support: r[3]}, nil
}

// samConfiguration: D4 14 Mode Timeout IRQ, normal mode (UM0701 §7.2.10).
func (d *Dev) samConfiguration(ctx context.Context) error {
	_, err := d.command(ctx, "SAMConfiguration", cmdSAMConfiguration, samModeNormal, 0x14, 0x01)
	return err
}

// setParameters: D4 12 Flags (UM0701 §7.2.9).
func (d *Dev) setParameters(ctx context.Context, flags byte) error {
	_, err := d.command(ctx, "SetParameters", cmdSetParameters, flags)
	return err
}

// rfConfiguration: D4 32 CfgItem ConfigurationData (UM0701 §7.3.1).
func (d *Dev) rfConfiguration(ctx context.Context, item byte, data ...byte) error {
	_, err := d.command(ctx, "RFConfiguration", cmdRFConfiguration, append([]byte{item}, data...)...)
	return err
}

// target is one card InListPassiveTarget activated.
type target struct {
	Tg   byte
	Info nfc.CardInfo
}

// inListPassiveTarget activates at most one card of type t at 106 kbps
// (UM0701 §7.3.5). ok is false when no card answered.
func (d *Dev) inListPassiveTarget(ctx context.Context, t nfc.Type) (tg target, ok bool, err error) {
	params := []byte{0x01, brTy106A}
	if t == nfc.TypeB {
		params = []byte{0x01, brTy106B, 0x00} // AFI 00: all families
	}
	r, err := d.command(ctx, "InListPassiveTarget", cmdInListPassiveTarget, params...)
	if err != nil {
		return target{}, false, err
	}
	return parseTargets(t, r)
}

// parseTargets decodes NbTg and one TargetData (UM0701 §7.3.5).
func parseTargets(t nfc.Type, r []byte) (target, bool, error) {
	if len(r) < 1 {
		return target{}, false, fmt.Errorf("pn532: InListPassiveTarget: %w: empty", ErrUnexpected)
	}
	if r[0] == 0 {
		return target{}, false, nil
	}
	var tg target
	var err error
	if t == nfc.TypeB {
		tg, err = parseTargetB(r[1:])
	} else {
		tg, err = parseTargetA(r[1:])
	}
	if err != nil {
		return target{}, false, fmt.Errorf("pn532: InListPassiveTarget: %w", err)
	}
	return tg, true, nil
}

// parseTargetA: Tg SENS_RES(2) SEL_RES NFCIDLength NFCID1 [ATS].
func parseTargetA(b []byte) (target, error) {
	if len(b) < 5 {
		return target{}, fmt.Errorf("%w: Type A target data of %d bytes", ErrUnexpected, len(b))
	}
	n := int(b[4])
	if n == 0 || len(b) < 5+n {
		return target{}, fmt.Errorf("%w: NFCID1 length %d in %d bytes", ErrUnexpected, n, len(b))
	}
	info := nfc.CardInfo{
		Type:    nfc.TypeA,
		ATQA:    uint16(b[1])<<8 | uint16(b[2]),
		SAK:     b[3],
		UID:     append([]byte(nil), b[5:5+n]...),
		BitRate: 106,
	}
	info.UIDRandom = nfc.RandomUID(info.UID)
	rest := b[5+n:]
	if len(rest) > 0 {
		tl := int(rest[0])
		if tl == 0 || tl > len(rest) {
			return target{}, fmt.Errorf("%w: ATS length %d in %d bytes", ErrUnexpected, tl, len(rest))
		}
		info.ATS = append([]byte(nil), rest[:tl]...)
	}
	return target{Tg: b[0], Info: info}, nil
}

// parseTargetB: Tg ATQB(12) ATTRIB_RES-length ATTRIB_RES.
func parseTargetB(b []byte) (target, error) {
	if len(b) < 13 || b[1] != 0x50 {
		return target{}, fmt.Errorf("%w: Type B target data of %d bytes", ErrUnexpected, len(b))
	}
	info := nfc.CardInfo{
		Type:    nfc.TypeB,
		ATQB:    append([]byte(nil), b[1:13]...),
		UID:     append([]byte(nil), b[2:6]...), // PUPI
		BitRate: 106,
	}
	return target{Tg: b[0], Info: info}, nil
}

// inDataExchange sends apdu to target tg and returns the card's answer,
// chaining with the MI bit in both directions (UM0701 §7.3.8): DataOut
// longer than one frame goes in pieces with MI set in Tg, and while the
// status has MI set the host asks for the rest.
func (d *Dev) inDataExchange(ctx context.Context, tg byte, apdu []byte) ([]byte, error) {
	var status byte
	var data []byte
	for first := true; first || len(apdu) > 0; first = false {
		n := min(len(apdu), maxDataOut)
		t := tg
		if n < len(apdu) {
			t |= statusMI
		}
		r, err := d.command(ctx, "InDataExchange", cmdInDataExchange, append([]byte{t}, apdu[:n]...)...)
		if err != nil {
			return nil, err
		}
		apdu = apdu[n:]
		if len(r) < 1 {
			return nil, fmt.Errorf("pn532: InDataExchange: %w: no status", ErrUnexpected)
		}
		if err := checkStatus("InDataExchange", r[0]); err != nil {
			return nil, err
		}
		status, data = r[0], r[1:]
	}
	out := append([]byte(nil), data...)
	for status&statusMI != 0 {
		if len(out) > maxAPDUResponse {
			return nil, fmt.Errorf("pn532: InDataExchange: %w: response over %d bytes", ErrUnexpected, maxAPDUResponse)
		}
		r, err := d.command(ctx, "InDataExchange", cmdInDataExchange, tg)
		if err != nil {
			return nil, err
		}
		if len(r) < 1 {
			return nil, fmt.Errorf("pn532: InDataExchange: %w: no status", ErrUnexpected)
		}
		if err := checkStatus("InDataExchange", r[0]); err != nil {
			return nil, err
		}
		status = r[0]
		out = append(out, r[1:]...)
	}
	return out, nil
}

// maxAPDUResponse bounds a chained response (an extended-length APDU
// response is at most 65536 data bytes plus SW1 SW2).
const maxAPDUResponse = 65538

// inRelease: D4 52 Tg → D5 53 Status (UM0701 §7.3.11).
func (d *Dev) inRelease(ctx context.Context, tg byte) error {
	r, err := d.command(ctx, "InRelease", cmdInRelease, tg)
	if err != nil {
		return err
	}
	if len(r) < 1 {
		return fmt.Errorf("pn532: InRelease: %w: no status", ErrUnexpected)
	}
	return checkStatus("InRelease", r[0])
}

// inPSL: D4 4E Tg BRit BRti → D5 4F Status (UM0701 §7.3.10).
func (d *Dev) inPSL(ctx context.Context, tg, br byte) error {
	r, err := d.command(ctx, "InPSL", cmdInPSL, tg, br, br)
	if err != nil {
		return err
	}
	if len(r) < 1 {
		return fmt.Errorf("pn532: InPSL: %w: no status", ErrUnexpected)
	}
	return checkStatus("InPSL", r[0])
}

// cardPresent runs Diagnose test 6, ISO/IEC 14443-4 card presence
// detection (UM0701 §7.2.1): status 00 means the card answered.
func (d *Dev) cardPresent(ctx context.Context) (bool, error) {
	r, err := d.command(ctx, "Diagnose", cmdDiagnose, diagCardPresence)
	if err != nil {
		return false, err
	}
	return len(r) >= 1 && r[0] == 0x00, nil
}

// pslRate picks the bit rate for InPSL from the ATS interface byte TA(1)
// (ISO/IEC 14443-4 §5.2.4): the fastest rate both directions support, not
// above max. It returns the InPSL code (0 106, 1 212, 2 424) and kbit/s.
func pslRate(ats []byte, max int) (code byte, kbps int) {
	if len(ats) < 3 || ats[1]&0x10 == 0 { // T0 b5: TA(1) present
		return 0, 106
	}
	ta := ats[2]
	switch {
	case max >= 424 && ta&0x22 == 0x22: // DS=4 and DR=4
		return 2, 424
	case max >= 212 && ta&0x11 == 0x11: // DS=2 and DR=2
		return 1, 212
	}
	return 0, 106
}

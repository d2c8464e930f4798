// Package devices turns the [devices.<role>] sections of a configuration into
// driver handles and checks that each configured device answers (for
// `kioskd selftest` and start-up). It is the only place that maps a driver
// name from the config onto a driver package.
//
// It imports drivers and firmware/config; it must not import flows, the UI or
// simulators.
package devices

import (
	"context"
	"fmt"
	"log/slog"
	"sort"
	"strings"
	"time"

	"github.com/kiosk06/kiosk/drivers/escpos"
	"github.com/kiosk06/kiosk/drivers/fingerprint"
	"github.com/kiosk06/kiosk/drivers/nfc"
	"github.com/kiosk06/kiosk/drivers/pn532"
	"github.com/kiosk06/kiosk/drivers/scanner"
	"github.com/kiosk06/kiosk/firmware/config"
)

// Probe is the outcome of checking one device.
type Probe struct {
	Role    string
	Driver  string
	Where   string // port, bus or reader
	Detail  string // what the device said (firmware version, paper state …)
	Warning string // answered, but needs attention (paper near end …)
	Err     error
	Took    time.Duration
}

// Line is the human-readable selftest line after the role.
func (p Probe) Line() string {
	s := fmt.Sprintf("%s %s", p.Driver, p.Where)
	switch {
	case p.Err != nil && p.Where != "" && strings.Contains(p.Err.Error(), p.Where):
		// The error names the device itself ("open /dev/x: no such file"):
		// say it once.
		s = p.Driver + ": " + p.Err.Error()
	case p.Err != nil:
		s += ": " + p.Err.Error()
	case p.Warning != "":
		s += ": " + p.Detail + " — " + p.Warning
	case p.Detail != "":
		s += ": " + p.Detail
	}
	return s + fmt.Sprintf(" (%d ms)", p.Took.Milliseconds())
}

// ProbeAll checks every configured device, in role order, each bounded by a
// few seconds.
func ProbeAll(ctx context.Context, cfg *config.Config, log *slog.Logger) []Probe {
	roles := make([]string, 0, len(cfg.Devices))
	for r := range cfg.Devices {
		roles = append(roles, r)
	}
	sort.Strings(roles)
	out := make([]Probe, 0, len(roles))
	for _, role := range roles {
		spec := cfg.Devices[role]
		pctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		start := time.Now()
		p := probe(pctx, role, spec, log)
		cancel()
		p.Role, p.Driver, p.Took = role, spec.Driver, time.Since(start)
		if p.Where == "" {
			p.Where = where(spec)
		}
		out = append(out, p)
	}
	return out
}

func where(s config.DeviceSpec) string {
	switch {
	case s.Port != "":
		return s.Port
	case s.Bus != "":
		return s.Bus
	case s.Pin != "":
		return s.Pin
	case s.Driver == "pcsc":
		if s.Reader == "" {
			return "(first reader)"
		}
		return s.Reader
	}
	return ""
}

// probe checks one device.
func probe(ctx context.Context, role string, spec config.DeviceSpec, log *slog.Logger) Probe {
	switch spec.Driver {
	case "escpos":
		return probePrinter(ctx, spec, log)
	case "r30x":
		return probeFingerprint(ctx, spec, log)
	case "pn532-uart", "pn532-i2c", "pn532-spi":
		return probePN532(spec, log)
	case "pcsc":
		return probePCSC(ctx, spec, log)
	case "scanner":
		return probeScanner(spec)
	case "gpio-in", "gpio-out":
		return probeGPIO(spec)
	}
	return Probe{Err: fmt.Errorf("driver %q is not supported by this build", spec.Driver)}
}

// PrinterOptions maps a printer's config onto the escpos driver.
func PrinterOptions(spec config.DeviceSpec, log *slog.Logger) (escpos.Device, *escpos.Options) {
	return escpos.Device{Path: spec.Port, Baud: spec.Baud}, &escpos.Options{
		EncoderOptions: escpos.EncoderOptions{Width: spec.Width, TextMode: spec.CodePage == "cp1258", CodePage: byte(spec.CodeTable)},
		Baud:           spec.Baud,
		Logger:         log,
	}
}

func probePrinter(ctx context.Context, spec config.DeviceSpec, log *slog.Logger) Probe {
	p, err := escpos.Open(PrinterOptions(spec, log))
	if err != nil {
		return Probe{Err: err}
	}
	defer p.Close()
	st, err := p.Status(ctx)
	if err != nil {
		return Probe{Err: err}
	}
	pr := Probe{Detail: fmt.Sprintf("online, paper %s, %d dots", st.Paper, spec.Width)}
	if err := st.Err(); err != nil {
		pr.Err = err
	} else if st.Paper == escpos.PaperNearEnd {
		pr.Warning = "paper near end: replace the roll soon"
	}
	return pr
}

// FingerprintDevice is the device string and options of the fingerprint module.
func FingerprintDevice(spec config.DeviceSpec, log *slog.Logger) (string, fingerprint.Opts) {
	return fmt.Sprintf("r30x:%s@%d", spec.Port, spec.Baud), fingerprint.Opts{Address: uint32(spec.Address), Password: uint32(spec.Password), Logger: log}
}

func probeFingerprint(ctx context.Context, spec config.DeviceSpec, log *slog.Logger) Probe {
	dev, opts := FingerprintDevice(spec, log)
	d, err := fingerprint.Open(ctx, dev, opts)
	if err != nil {
		return Probe{Err: err}
	}
	defer d.Close()
	sp := d.SysPara()
	n, err := d.TemplateNum(ctx)
	if err != nil {
		return Probe{Err: err}
	}
	pr := Probe{Detail: fmt.Sprintf("%d/%d templates, security level %d", n, sp.Capacity, sp.SecurityLevel)}
	if sp.Capacity > 0 && n*10 >= sp.Capacity*9 {
		pr.Warning = "template library 90% full: expire old bindings"
	}
	return pr
}

// PN532Spec maps an NFC reader's config onto the pn532 driver's spec.
func PN532Spec(spec config.DeviceSpec) pn532.Spec {
	switch spec.Driver {
	case "pn532-i2c":
		return pn532.Spec{Bus: "i2c", Path: spec.Bus, Addr: uint16(spec.Address)}
	case "pn532-spi":
		return pn532.Spec{Bus: "spi", Path: spec.Bus, SpeedHz: int64(spec.SpeedHz)}
	}
	return pn532.Spec{Bus: "uart", Path: spec.Port, Baud: spec.Baud}
}

// OpenPN532 opens a PN532 by its spec. For the i2c and spi buses it loads
// periph's host drivers first (host.Init): the pn532 driver opens a bus by
// name but leaves the board's initialisation to its caller.
func OpenPN532(spec pn532.Spec, opts *pn532.Opts) (*pn532.Dev, error) {
	if spec.Bus == "i2c" || spec.Bus == "spi" {
		if err := initHost(); err != nil {
			return nil, fmt.Errorf("pn532 %s: %w", spec.Bus, err)
		}
	}
	return spec.Open(opts)
}

func probePN532(spec config.DeviceSpec, log *slog.Logger) Probe {
	d, err := OpenPN532(PN532Spec(spec), &pn532.Opts{Logger: log})
	if err != nil {
		return Probe{Err: err}
	}
	defer d.Close()
	return Probe{Detail: "firmware " + d.Firmware().String()}
}

func probeScanner(spec config.DeviceSpec) Probe {
	s, err := scanner.Open(spec.Port, spec.Baud, nil)
	if err != nil {
		return Probe{Err: err}
	}
	s.Close()
	// A serial scanner answers nothing until it scans: an open port is all
	// that can be checked without a code in front of it.
	return Probe{Detail: "port open (scan a code to test the reader)"}
}

// OpenNFC opens the configured card reader.
func OpenNFC(ctx context.Context, spec config.DeviceSpec, log *slog.Logger) (nfc.Reader, error) {
	if spec.Driver == "pcsc" {
		return OpenPCSC(ctx, spec, log)
	}
	return OpenPN532(PN532Spec(spec), &pn532.Opts{Logger: log})
}

// OpenScanner opens the configured 2D scanner.
func OpenScanner(spec config.DeviceSpec, log *slog.Logger) (*scanner.Scanner, error) {
	suffix, err := scanner.ParseSuffix(spec.Suffix)
	if err != nil {
		return nil, err
	}
	return scanner.Open(spec.Port, spec.Baud, &scanner.Opts{Suffix: suffix, MaxLen: spec.MaxLen, RepeatWindow: spec.Dedupe.D(), Logger: log})
}

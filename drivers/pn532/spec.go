package pn532

import (
	"fmt"
	"strconv"
	"strings"
)

// Spec is a parsed device string: pn532:uart:PATH[@BAUD], pn532:i2c:BUS or
// pn532:spi:PORT (the form `kioskd diag nfc --device` and `kioskd sim` use).
type Spec struct {
	Bus  string // "uart", "i2c" or "spi"
	Path string // /dev/ttyUSB0, /dev/i2c-1, /dev/spidev0.0
	Baud int    // uart only; 115200 when omitted
	// Addr is the I²C address (0: I2CAddr) and SpeedHz the SPI clock (0:
	// SPIFreq); the device string has no syntax for them, configuration
	// files set them (firmware/config pn532-i2c address, pn532-spi speed_hz).
	Addr    uint16
	SpeedHz int64
}

// String formats the spec back into a device string.
func (s Spec) String() string {
	if s.Bus == "uart" {
		return fmt.Sprintf("pn532:uart:%s@%d", s.Path, s.Baud)
	}
	return "pn532:" + s.Bus + ":" + s.Path
}

// ParseSpec parses a device string.
func ParseSpec(spec string) (Spec, error) {
	rest, ok := strings.CutPrefix(spec, "pn532:")
	if !ok {
		return Spec{}, fmt.Errorf("pn532: device %q: want pn532:uart:PATH[@BAUD], pn532:i2c:BUS or pn532:spi:PORT", spec)
	}
	bus, path, ok := strings.Cut(rest, ":")
	if !ok || path == "" {
		return Spec{}, fmt.Errorf("pn532: device %q: missing bus or path", spec)
	}
	s := Spec{Bus: bus, Path: path}
	switch bus {
	case "uart":
		s.Baud = 115200
		if p, b, ok := strings.Cut(path, "@"); ok {
			baud, err := strconv.Atoi(b)
			if err != nil || baud <= 0 {
				return Spec{}, fmt.Errorf("pn532: device %q: bad baud rate %q", spec, b)
			}
			s.Path, s.Baud = p, baud
		}
		if s.Path == "" {
			return Spec{}, fmt.Errorf("pn532: device %q: missing path", spec)
		}
	case "i2c", "spi":
	default:
		return Spec{}, fmt.Errorf("pn532: device %q: unknown bus %q (want uart, i2c or spi)", spec, bus)
	}
	return s, nil
}

// Open opens the transport the spec names and initialises the PN532. For
// the i2c and spi buses periph's host drivers must be loaded first
// (firmware/devices.OpenPN532 does both).
func (s Spec) Open(opts *Opts) (*Dev, error) {
	var t Transport
	var err error
	switch s.Bus {
	case "uart":
		t, err = OpenUART(s.Path, s.Baud)
	case "i2c":
		t, err = OpenI2C(s.Path, s.Addr)
	case "spi":
		t, err = OpenSPI(s.Path, s.SpeedHz)
	default:
		err = fmt.Errorf("pn532: unknown bus %q", s.Bus)
	}
	if err != nil {
		return nil, err
	}
	d, err := New(t, opts)
	if err != nil {
		t.Close()
		return nil, err
	}
	return d, nil
}

// OpenSpec parses spec and opens the device (see Spec.Open for i2c and
// spi).
func OpenSpec(spec string, opts *Opts) (*Dev, error) {
	s, err := ParseSpec(spec)
	if err != nil {
		return nil, err
	}
	return s.Open(opts)
}

package config

import (
	"fmt"
	"path/filepath"
	"sort"
	"strings"
)

// DeviceSpec is one [devices.<role>] section. Which keys apply depends on the
// driver; a key that the driver does not use is an error, so a typo or a key
// left over from another driver is caught at load.
type DeviceSpec struct {
	Driver    string   `toml:"driver" expect:"a driver name"`
	Port      string   `toml:"port" expect:"a device path such as /dev/ttyUSB0, or \"sim\""`
	Baud      int      `toml:"baud" expect:"a baud rate such as 9600, 57600 or 115200"`
	Parity    string   `toml:"parity" expect:"N, E or O"`
	StopBits  int      `toml:"stop_bits" expect:"1 or 2"`
	Bus       string   `toml:"bus" expect:"an I2C or SPI device such as /dev/i2c-1 or /dev/spidev0.0, or \"sim\""`
	Address   int64    `toml:"address" expect:"a bus or module address"`
	SpeedHz   int      `toml:"speed_hz" expect:"an SPI clock in Hz such as 1000000"`
	Reader    string   `toml:"reader" expect:"a PC/SC reader name (empty: the first reader)"`
	Width     int      `toml:"width" expect:"the printer's dot width: 384 (58 mm) or 576 (80 mm)"`
	CodePage  string   `toml:"code_page" expect:"\"raster\" or \"cp1258\""`
	CodeTable int      `toml:"code_table" expect:"the ESC t number of CP1258 on this printer (Epson 52)"`
	Password  int64    `toml:"password" expect:"the module's 32-bit password"`
	Suffix    string   `toml:"suffix" expect:"\"cr\", \"lf\" or \"crlf\""`
	Dedupe    Duration `toml:"dedupe" expect:"a duration such as \"2s\""`
	MaxLen    int      `toml:"max_len" expect:"a maximum scan length in bytes"`
	Pin       string   `toml:"pin" expect:"a GPIO pin name such as GPIO17"`
	ActiveLow bool     `toml:"active_low"`
	Pull      string   `toml:"pull" expect:"up, down or none"`
	Debounce  Duration `toml:"debounce" expect:"a duration such as \"30ms\""`
}

// Serial reports whether the device is on a serial line (Port and Baud apply).
func (d DeviceSpec) Serial() bool { return drivers[d.Driver].serial }

// IsSim reports whether the device is to be served by a simulator.
func (d DeviceSpec) IsSim() bool { return d.Port == "sim" || d.Bus == "sim" || d.Pin == "sim" }

type driverInfo struct {
	keys     []string // keys besides driver that the driver accepts
	required []string
	serial   bool
	baud     int // default baud for serial drivers
}

// drivers lists every driver name and the keys it takes.
var drivers = map[string]driverInfo{
	"pn532-uart": {keys: []string{"port", "baud"}, required: []string{"port"}, serial: true, baud: 115200},
	"pn532-i2c":  {keys: []string{"bus", "address"}, required: []string{"bus"}},
	"pn532-spi":  {keys: []string{"bus", "speed_hz"}, required: []string{"bus"}},
	"pcsc":       {keys: []string{"reader"}},
	"scanner":    {keys: []string{"port", "baud", "parity", "stop_bits", "suffix", "dedupe", "max_len"}, required: []string{"port"}, serial: true, baud: 9600},
	"escpos":     {keys: []string{"port", "baud", "parity", "stop_bits", "width", "code_page", "code_table"}, required: []string{"port"}, serial: true, baud: 19200},
	"r30x":       {keys: []string{"port", "baud", "address", "password"}, required: []string{"port"}, serial: true, baud: 57600},
	"gpio-in":    {keys: []string{"pin", "active_low", "pull", "debounce"}, required: []string{"pin"}},
	"gpio-out":   {keys: []string{"pin", "active_low"}, required: []string{"pin"}},
}

// roles lists the device names a configuration may use and their drivers.
var roles = map[string][]string{
	"nfc":         {"pn532-uart", "pn532-i2c", "pn532-spi", "pcsc"},
	"scanner":     {"scanner"},
	"printer":     {"escpos"},
	"fingerprint": {"r30x"},
	"button":      {"gpio-in"},
	"loop":        {"gpio-in"},
	"led_green":   {"gpio-out"},
	"led_red":     {"gpio-out"},
	"buzzer":      {"gpio-out"},
	"barrier":     {"gpio-out"},
	"beacon":      {"gpio-out"}, // the call-staff lamp or buzzer on a kiosk
}

// Roles returns the device names a configuration may use, sorted.
func Roles() []string {
	out := make([]string, 0, len(roles))
	for r := range roles {
		out = append(out, r)
	}
	sort.Strings(out)
	return out
}

var validBauds = map[int]bool{1200: true, 2400: true, 4800: true, 9600: true, 19200: true, 38400: true, 57600: true, 115200: true, 230400: true, 460800: true, 921600: true}

func (c *Config) validateDevices(v *validator) {
	names := make([]string, 0, len(c.Devices))
	for n := range c.Devices {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, name := range names {
		spec := c.Devices[name]
		base := "devices." + name
		allowed, ok := roles[name]
		if !ok {
			v.notUsed(base, "a device role: "+strings.Join(Roles(), ", "))
			continue
		}
		v.required(base+".driver", strings.Join(allowed, " or "))
		if spec.Driver == "" {
			continue
		}
		if !oneOf(spec.Driver, allowed...) {
			v.check(false, base+".driver", spec.Driver, strings.Join(allowed, " or ")+" for "+name)
			continue
		}
		info := drivers[spec.Driver]
		for key := range v.lines {
			k, found := strings.CutPrefix(key, base+".")
			if !found || k == "driver" || strings.Contains(k, ".") {
				continue
			}
			if !oneOf(k, info.keys...) {
				v.notUsed(key, fmt.Sprintf("a key of driver %s: %s", spec.Driver, strings.Join(info.keys, ", ")))
			}
		}
		for _, r := range info.required {
			v.required(base+"."+r, fmt.Sprintf("%s needs %s", spec.Driver, r))
		}
		if info.serial {
			if spec.Baud == 0 {
				spec.Baud = info.baud
			}
			if spec.Parity == "" {
				spec.Parity = "N"
			}
			if spec.StopBits == 0 {
				spec.StopBits = 1
			}
			v.check(validBauds[spec.Baud], base+".baud", spec.Baud, "a standard baud rate such as 9600, 57600 or 115200")
			v.check(oneOf(spec.Parity, "N", "E", "O"), base+".parity", spec.Parity, "N, E or O")
			v.check(spec.StopBits == 1 || spec.StopBits == 2, base+".stop_bits", spec.StopBits, "1 or 2")
			v.check(spec.Port == "sim" || filepath.IsAbs(spec.Port) || spec.Port == "", base+".port", spec.Port, "an absolute device path such as /dev/ttyUSB0, or \"sim\"")
		}
		c.checkDriver(v, base, &spec)
		c.Devices[name] = spec
	}
}

// checkDriver applies driver-specific defaults and value checks.
func (c *Config) checkDriver(v *validator, base string, s *DeviceSpec) {
	switch s.Driver {
	case "pn532-i2c":
		if s.Address == 0 {
			s.Address = 0x24 // UM0701 §6.2.4: 7-bit address 0x24 (0x48 write)
		}
		v.check(s.Address > 0 && s.Address < 0x80, base+".address", s.Address, "a 7-bit I2C address (PN532: 0x24 = 36)")
	case "pn532-spi":
		if s.SpeedHz == 0 {
			s.SpeedHz = 1_000_000
		}
		v.check(s.SpeedHz > 0 && s.SpeedHz <= 5_000_000, base+".speed_hz", s.SpeedHz, "1..5000000 (the PN532 SPI clock is at most 5 MHz)")
	case "escpos":
		if s.Width == 0 {
			s.Width = 576
		}
		if s.CodePage == "" {
			s.CodePage = "raster"
		}
		v.check(s.Width == 384 || s.Width == 576 || s.Width == 512, base+".width", s.Width, "384 (58 mm), 512 or 576 (80 mm)")
		v.check(oneOf(s.CodePage, "raster", "cp1258"), base+".code_page", s.CodePage, "\"raster\" (safe everywhere) or \"cp1258\"")
		if s.CodePage == "cp1258" {
			v.check(s.CodeTable > 0 && s.CodeTable < 256, base+".code_table", s.CodeTable, "the printer's ESC t number for CP1258 (Epson 52, many clones 94 or 27)")
		}
	case "r30x":
		if !c.Has(base + ".address") {
			s.Address = 0xFFFFFFFF
		}
		v.check(s.Address >= 0 && int64(s.Address) <= 0xFFFFFFFF, base+".address", s.Address, "a 32-bit module address (default 0xFFFFFFFF)")
		v.check(s.Password >= 0 && s.Password <= 0xFFFFFFFF, base+".password", s.Password, "a 32-bit password (default 0)")
	case "scanner":
		if s.Suffix == "" {
			s.Suffix = "cr"
		}
		if s.MaxLen == 0 {
			s.MaxLen = 4096
		}
		v.check(oneOf(s.Suffix, "cr", "lf", "crlf", "any"), base+".suffix", s.Suffix, "cr, lf, crlf or any")
		v.check(s.MaxLen > 0 && s.MaxLen <= 65536, base+".max_len", s.MaxLen, "1..65536 bytes")
	case "gpio-in":
		if s.Pull == "" {
			s.Pull = "up"
		}
		v.check(oneOf(s.Pull, "up", "down", "none"), base+".pull", s.Pull, "up, down or none")
	}
}

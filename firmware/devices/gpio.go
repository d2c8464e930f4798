package devices

import (
	"fmt"
	"sync"

	"periph.io/x/conn/v3/gpio"
	"periph.io/x/conn/v3/gpio/gpioreg"
	"periph.io/x/conn/v3/gpio/gpiotest"
	"periph.io/x/host/v3"

	"github.com/kiosk06/kiosk/firmware/config"
)

// initHost loads periph's host drivers (GPIO character device, I²C, SPI)
// before a pin or bus is looked up by name. periph's host.Init may be
// called any number of times: later calls return the first outcome.
func initHost() error {
	if _, err := host.Init(); err != nil {
		return fmt.Errorf("periph host init: %w", err)
	}
	return nil
}

// Pins resolves configured GPIO pin names on this board. Pins named "sim"
// (the --sim configs) get in-memory gpiotest pins, one per role, so flows
// can run and tests can drive them.
type Pins struct {
	mu  sync.Mutex
	sim map[string]*gpiotest.Pin
}

// NewPins returns a resolver; the host is initialised on first use.
func NewPins() *Pins { return &Pins{sim: map[string]*gpiotest.Pin{}} }

// Pin returns the pin of a gpio-in or gpio-out device.
func (p *Pins) Pin(role string, spec config.DeviceSpec) (gpio.PinIO, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if spec.Pin == "sim" {
		if pin, ok := p.sim[role]; ok {
			return pin, nil
		}
		pin := &gpiotest.Pin{N: "SIM_" + role, EdgesChan: make(chan gpio.Level, 16)}
		p.sim[role] = pin
		return pin, nil
	}
	if err := initHost(); err != nil {
		return nil, fmt.Errorf("gpio: %w", err)
	}
	pin := gpioreg.ByName(spec.Pin)
	if pin == nil {
		return nil, fmt.Errorf("gpio: no pin %q on this board", spec.Pin)
	}
	return pin, nil
}

// SimPin returns the in-memory pin of a simulated role (nil if none).
func (p *Pins) SimPin(role string) *gpiotest.Pin {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.sim[role]
}

func probeGPIO(spec config.DeviceSpec) Probe {
	pin, err := NewPins().Pin("probe", spec)
	if err != nil {
		return Probe{Err: err}
	}
	return Probe{Detail: fmt.Sprintf("pin %s reads %s", pin.Name(), pin.Read())}
}

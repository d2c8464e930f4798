package devices

import (
	"fmt"

	"periph.io/x/conn/v3/gpio"
	"periph.io/x/conn/v3/gpio/gpioreg"
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

// SimPins serves the pins of the roles whose pin is "sim" (the --sim
// configs): in-memory pins a simulated run drives and reads. firmware/simrig
// implements it, in a kioskd built with -tags sim; tests bring their own.
type SimPins interface {
	// Pin returns role's pin, the same one on every call.
	Pin(role string) (gpio.PinIO, error)
}

// Pins resolves configured GPIO pin names on this board, and the roles whose
// pin is "sim" through its SimPins.
type Pins struct {
	sim SimPins
}

// NewPins returns a resolver; the host is initialised on first use. sim
// serves pin = "sim" (nil: such a pin is an error, as in a product kioskd,
// which has no simulator).
func NewPins(sim SimPins) *Pins { return &Pins{sim: sim} }

// Pin returns the pin of a gpio-in or gpio-out device.
func (p *Pins) Pin(role string, spec config.DeviceSpec) (gpio.PinIO, error) {
	if spec.Pin == "sim" {
		if p.sim == nil {
			return nil, fmt.Errorf("gpio: %s: pin \"sim\" is served only by a simulated run (kioskd built with -tags sim, run --sim)", role)
		}
		return p.sim.Pin(role)
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

func probeGPIO(spec config.DeviceSpec) Probe {
	if spec.Pin == "sim" {
		// The run's simulator owns the in-memory pin; there is nothing on
		// the board to read.
		return Probe{Detail: "simulated pin (in memory)"}
	}
	pin, err := NewPins(nil).Pin("probe", spec)
	if err != nil {
		return Probe{Err: err}
	}
	return Probe{Detail: fmt.Sprintf("pin %s reads %s", pin.Name(), pin.Read())}
}

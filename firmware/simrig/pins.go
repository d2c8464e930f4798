package simrig

import (
	"sync"

	"periph.io/x/conn/v3/gpio"
	"periph.io/x/conn/v3/gpio/gpiotest"
)

// simPins are the in-memory GPIO pins of the roles whose pin is "sim"
// (devices.SimPins): periph's gpiotest pins, one per role, created when the
// profile opens the role, which the rig drives (a loop, a button) and reads
// (LEDs, buzzer, barrier).
type simPins struct {
	mu   sync.Mutex
	pins map[string]*gpiotest.Pin
}

// Pin implements devices.SimPins.
func (p *simPins) Pin(role string) (gpio.PinIO, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if pin, ok := p.pins[role]; ok {
		return pin, nil
	}
	if p.pins == nil {
		p.pins = map[string]*gpiotest.Pin{}
	}
	pin := &gpiotest.Pin{N: "SIM_" + role, EdgesChan: make(chan gpio.Level, 16)}
	p.pins[role] = pin
	return pin, nil
}

// SimPin returns the in-memory pin of a simulated role (nil until the
// profile opens it).
func (r *Rig) SimPin(role string) *gpiotest.Pin {
	r.pins.mu.Lock()
	defer r.pins.mu.Unlock()
	return r.pins.pins[role]
}

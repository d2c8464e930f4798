package profile

import (
	"context"

	"github.com/kiosk06/kiosk/drivers/escpos"
	"github.com/kiosk06/kiosk/drivers/fingerprint"
	"github.com/kiosk06/kiosk/drivers/gpio"
	"github.com/kiosk06/kiosk/drivers/nfc"
	"github.com/kiosk06/kiosk/drivers/scanner"
)

// Devices opens the configured device roles ([devices.<role>]) on demand.
// A role that is not configured gives nil and no error; each role is opened
// once (asking again returns the same device) and closed by firmware/kiosk
// after the profile's components have stopped. A printer's paper and cover
// state is watched from the moment it is opened (kiosk_printer_paper).
type Devices interface {
	// Configured reports whether [devices.<role>] is in the configuration.
	Configured(role string) bool
	// Reader is the card reader ([devices.nfc]).
	Reader(ctx context.Context) (nfc.Reader, error)
	// Scanner is the 2D code scanner ([devices.scanner]).
	Scanner() (*scanner.Scanner, error)
	// Printer is the receipt printer ([devices.printer]).
	Printer() (*escpos.Printer, error)
	// Fingerprint is the fingerprint module ([devices.fingerprint]).
	Fingerprint(ctx context.Context) (*fingerprint.Dev, error)
	// Output is a gpio-out role (led_green, led_red, buzzer, barrier).
	Output(role string) (*gpio.Output, error)
	// Button is a gpio-in role read as a push button.
	Button(role string) (*gpio.Button, error)
	// Loop is a gpio-in role read as a vehicle loop detector.
	Loop(role string) (*gpio.LoopSensor, error)
}

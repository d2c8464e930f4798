package parking

import (
	"github.com/kiosk06/kiosk/drivers/escpos"
	"github.com/kiosk06/kiosk/drivers/gpio"
	"github.com/kiosk06/kiosk/firmware/store"
	"github.com/kiosk06/kiosk/payments/session"
)

// The real devices and services satisfy the terminal's interfaces.
var (
	_ Store   = (*store.Store)(nil)
	_ Printer = (*escpos.Printer)(nil)
	_ Relay   = (*gpio.Output)(nil)
	_ Loop    = (*gpio.LoopSensor)(nil)
	_ VietQR  = (*session.Manager)(nil)
)

package parking

import (
	"time"

	"github.com/kiosk06/kiosk/firmware/tickets"
	"github.com/kiosk06/kiosk/payments/session"
	"github.com/kiosk06/kiosk/payments/tariff"
)

// ConfigFrom maps the [parking] section to the lane's rules, on the default
// Vietnamese public tariff with the configured grace period.
func ConfigFrom(c Section) Config {
	t := tariff.DefaultParking()
	t.Grace = time.Duration(c.Grace)
	return Config{
		Gate: c.Gate, Header: tickets.Header{Name: c.Header}, Tariff: t,
		PaymentTimeout: time.Duration(c.PaymentTimeout), BarrierTimeout: time.Duration(c.BarrierTimeout),
		OfflinePolicy: OfflinePolicy(c.OfflinePolicy),
	}
}

// SessionConfigFrom is the VietQR session configuration of the lane: the
// beneficiary and back-end from [parking] (baseURL: payment_url, or the
// uplink's base URL when empty).
func SessionConfigFrom(c Section, deviceID, baseURL string) session.Config {
	if c.PaymentURL != "" {
		baseURL = c.PaymentURL
	}
	return session.Config{DeviceID: deviceID, RefPrefix: "PK", BIN: c.PaymentBIN, Account: c.PaymentAccount, Name: c.PaymentName,
		City: "VIET NAM", QRTimeout: time.Duration(c.PaymentTimeout), BaseURL: baseURL}
}

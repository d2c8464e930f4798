//go:build sim

package ticketing

import (
	"context"
	"encoding/base64"
	"fmt"
	"log/slog"

	"github.com/kiosk06/kiosk/firmware/config"
	"github.com/kiosk06/kiosk/firmware/profile"
	"github.com/kiosk06/kiosk/firmware/ticketing/ticketingsim"
)

var _ profile.Simulated = Profile{}

// Simulate implements profile.Simulated: under --sim the ticket-selling
// backend the [ticketing] table leaves empty is ticketingsim (the sample
// catalogue, fresh signing keys, its own bearer token), with the panel's
// "offline" switch (profile.SimOutage, Role SimBackendName); the VietQR
// payments of [payments] without a base_url go to the rig's signed fake.
// The simulated backend lives as long as the process. Its URL, its reply
// key, its (simulation-only) token and the pass list's public key are
// logged, so a simulated bus validator ([transit] lists_url,
// lists_public_key) can honour what this kiosk sells and a second
// simulated kiosk can sell from the same backend.
//
// It is the only file of the package that imports ticketingsim.
func (Profile) Simulate(cfg *config.Config, s config.Section, b profile.SimBackends) error {
	sec, ok := s.(*Section)
	if !ok {
		return fmt.Errorf("ticketing: sim: the [ticketing] section is %T", s)
	}
	if sec.BackendURL == "" {
		const token = "sim-ticketing-token"
		sim, err := ticketingsim.Start(context.Background(), &ticketingsim.Options{Token: token})
		if err != nil {
			return fmt.Errorf("ticketing: sim: %w", err)
		}
		sec.BackendURL, sec.BackendToken, sec.BackendTokenFile = sim.URL(), token, ""
		sec.BackendPublicKey = base64.StdEncoding.EncodeToString(sim.PublicKey())
		b.Outage(SimBackendName, sim.Offline)
		slog.Info("ticketing: simulated ticket-selling backend", "url", sim.URL(),
			"lists_public_key", base64.StdEncoding.EncodeToString(sim.ListPublicKey()),
			"public_key", sec.BackendPublicKey, "token", token)
	}
	if cfg.Payments.BIN != "" && cfg.Payments.BaseURL == "" {
		url, err := b.PaymentBackend(cfg.Payments.Account)
		if err != nil {
			return fmt.Errorf("ticketing: sim: %w", err)
		}
		cfg.Payments.BaseURL = url
	}
	return nil
}

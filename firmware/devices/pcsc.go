//go:build cgo && !nopcsc

package devices

import (
	"context"
	"log/slog"

	"github.com/kiosk06/kiosk/drivers/nfc"
	"github.com/kiosk06/kiosk/drivers/pcsc"
	"github.com/kiosk06/kiosk/firmware/config"
)

// OpenPCSC opens the configured PC/SC reader (empty name: the first one).
func OpenPCSC(ctx context.Context, spec config.DeviceSpec, log *slog.Logger) (nfc.Reader, error) {
	return pcsc.Open(ctx, spec.Reader, &pcsc.Opts{Logger: log})
}

func probePCSC(ctx context.Context, spec config.DeviceSpec, log *slog.Logger) Probe {
	r, err := pcsc.Open(ctx, spec.Reader, &pcsc.Opts{Logger: log})
	if err != nil {
		return Probe{Err: err}
	}
	defer r.Close()
	return Probe{Where: r.Name(), Detail: "reader present"}
}

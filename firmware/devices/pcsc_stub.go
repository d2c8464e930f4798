//go:build !cgo || nopcsc

package devices

import (
	"context"
	"errors"
	"log/slog"

	"github.com/kiosk06/kiosk/drivers/nfc"
	"github.com/kiosk06/kiosk/firmware/config"
)

var errNoPCSC = errors.New("PC/SC support is not in this build (built without cgo or with -tags nopcsc)")

// OpenPCSC fails: this build has no PC/SC support.
func OpenPCSC(context.Context, config.DeviceSpec, *slog.Logger) (nfc.Reader, error) {
	return nil, errNoPCSC
}

func probePCSC(context.Context, config.DeviceSpec, *slog.Logger) Probe { return Probe{Err: errNoPCSC} }

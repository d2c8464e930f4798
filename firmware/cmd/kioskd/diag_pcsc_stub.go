//go:build !cgo || nopcsc

package main

import (
	"context"
	"errors"

	"github.com/kiosk06/kiosk/drivers/nfc"
)

// openPCSC reports that this build has no PC/SC support: drivers/pcsc
// needs cgo and libpcsclite (build with CGO_ENABLED=1 and without the
// nopcsc tag).
func openPCSC(ctx context.Context, readerName string) (nfc.Reader, error) {
	return nil, errors.New("pcsc: this kioskd was built without PC/SC support (cgo off or nopcsc tag)")
}

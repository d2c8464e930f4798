//go:build cgo && !nopcsc

package main

import (
	"context"

	"github.com/kiosk06/kiosk/drivers/nfc"
	"github.com/kiosk06/kiosk/drivers/pcsc"
)

// openPCSC opens a PC/SC reader through pcscd for `kioskd diag nfc
// --device pcsc[:READER NAME]`. readerName is an exact PC/SC name or a
// unique prefix; empty means the first reader pcscd lists.
func openPCSC(ctx context.Context, readerName string) (nfc.Reader, error) {
	r, err := pcsc.Open(ctx, readerName, nil)
	if err != nil {
		return nil, err
	}
	return r, nil
}

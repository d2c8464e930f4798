package emrtd_test

import (
	"context"
	"testing"

	"github.com/kiosk06/kiosk/drivers/emrtd"
	"github.com/kiosk06/kiosk/drivers/emrtd/emrtdsim"
	"github.com/kiosk06/kiosk/drivers/nfc"
)

// tamper replaces the n-th response of a genuine chip with junk.
type tamper struct {
	nfc.Card
	n    int
	junk []byte
	i    int
}

func (c *tamper) Transmit(ctx context.Context, apdu []byte) ([]byte, error) {
	resp, err := c.Card.Transmit(ctx, apdu)
	c.i++
	if c.i == c.n {
		return append([]byte(nil), c.junk...), nil
	}
	return resp, err
}

// A hostile chip answering anything at any step of PACE, reading, CA or
// AA gets an error, never a panic.
func FuzzHostileChip(f *testing.F) {
	f.Add(uint8(2), []byte{0x90, 0x00})
	f.Add(uint8(5), []byte{0x7C, 0x03, 0x82, 0x01, 0x04, 0x90, 0x00})
	f.Add(uint8(7), []byte{0x7C, 0x43, 0x84, 0x41, 0x04, 0x90, 0x00})
	f.Add(uint8(12), []byte{0x87, 0x02, 0x01, 0x00, 0x99, 0x02, 0x90, 0x00, 0x8E, 0x08, 0, 0, 0, 0, 0, 0, 0, 0, 0x90, 0x00})
	f.Add(uint8(20), []byte{0x69, 0x82})
	f.Fuzz(func(t *testing.T, n uint8, junk []byte) {
		ctx := context.Background()
		card := &tamper{Card: emrtdsim.Card(cccd(t, nil)), n: int(n % 40), junk: junk}
		s, err := emrtd.Open(ctx, card, goodKey, emrtd.Options{Rand: seeded(3)})
		if err != nil {
			return
		}
		var dg14 []byte
		for _, fid := range []uint16{emrtd.DGFile(1), emrtd.DGFile(14), emrtd.DGFile(15)} {
			b, err := s.ReadFile(ctx, fid, nil)
			if err != nil {
				return
			}
			switch fid {
			case emrtd.DGFile(14):
				dg14 = b
				_ = s.ChipAuthenticate(ctx, b)
			case emrtd.DGFile(15):
				_ = s.ActiveAuthenticate(ctx, b, dg14)
			}
		}
	})
}

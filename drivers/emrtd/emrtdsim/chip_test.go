package emrtdsim_test

import (
	"bytes"
	"math/rand/v2"
	"testing"

	"github.com/kiosk06/kiosk/drivers/emrtd"
	"github.com/kiosk06/kiosk/drivers/emrtd/emrtdsim"
)

func chip(t testing.TB) *emrtdsim.Chip {
	t.Helper()
	c, err := emrtdsim.New(&emrtdsim.Options{
		Files: map[uint16][]byte{
			emrtd.FileCardAccess: emrtdsim.CardAccessCCCD(),
			emrtd.FileCOM:        emrtdsim.EncodeCOM([]byte{0x61}),
		},
		CAN:          "123456",
		MRZ:          &emrtdsim.MRZ{DocumentNumber: "001123456", DateOfBirth: "900101", DateOfExpiry: "300101"},
		SelectMF6D00: true,
		Rand:         rand.NewChaCha8([32]byte{1}),
	})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestPlainAccess(t *testing.T) {
	c := chip(t)
	for _, tc := range []struct{ cmd, want []byte }{
		{[]byte{0x00, 0xA4, 0x00, 0x0C, 0x02, 0x3F, 0x00}, []byte{0x6D, 0x00}}, // SELECT MF refused like the CCCD
		{[]byte{0x00, 0xA4, 0x02, 0x0C, 0x02, 0x01, 0x1C}, []byte{0x90, 0x00}}, // EF.CardAccess
		{[]byte{0x00, 0xA4, 0x02, 0x0C, 0x02, 0x01, 0x1E}, []byte{0x6A, 0x82}}, // EF.COM is in LDS1
		{[]byte{0x00, 0xA4, 0x04, 0x0C, 0x07, 0xA0, 0, 0, 2, 0x47, 0x10, 1}, []byte{0x90, 0x00}},
		{[]byte{0x00, 0xA4, 0x02, 0x0C, 0x02, 0x01, 0x1E}, []byte{0x90, 0x00}},
		{[]byte{0x00, 0xB0, 0x00, 0x00, 0x04}, []byte{0x69, 0x82}}, // LDS1 needs SM
		{[]byte{0x00, 0x99, 0x00, 0x00}, []byte{0x6D, 0x00}},
	} {
		if got := c.Transmit(tc.cmd); !bytes.Equal(got, tc.want) {
			t.Errorf("%X → %X, want %X", tc.cmd, got, tc.want)
		}
	}
	ca := emrtdsim.CardAccessCCCD()
	c.Transmit([]byte{0x00, 0xA4, 0x02, 0x0C, 0x02, 0x01, 0x1C})
	if got := c.Transmit([]byte{0x00, 0xB0, 0x00, 0x00, 0x00}); !bytes.Equal(got[:len(got)-2], ca) || got[len(got)-1] != 0x82 {
		t.Errorf("EF.CardAccess read %X", got)
	}
}

func TestRemoveAfter(t *testing.T) {
	c, err := emrtdsim.New(&emrtdsim.Options{RemoveAfter: 2, UID: []byte{8, 1, 2, 3}})
	if err != nil {
		t.Fatal(err)
	}
	for i, want := range []int{2, 2, 0} {
		if got := len(c.Transmit([]byte{0, 0x84, 0, 0, 8})); got != want {
			t.Errorf("APDU %d: %d bytes, want %d", i, got, want)
		}
	}
	if !c.Info().UIDRandom {
		t.Error("UID not random")
	}
}

// Hostile terminals never make the chip panic.
func FuzzTransmit(f *testing.F) {
	f.Add([]byte{0x00, 0x22, 0xC1, 0xA4, 0x0F, 0x80, 0x0A, 0x04, 0x00, 0x7F, 0x00, 0x07, 0x02, 0x02, 0x04, 0x02, 0x02, 0x83, 0x01, 0x02}, []byte{0x10, 0x86, 0, 0, 2, 0x7C, 0, 0})
	f.Add([]byte{0x00, 0x84, 0, 0, 8}, []byte{0x00, 0x82, 0, 0, 0x28})
	f.Add([]byte{0x00, 0xA4, 0x02, 0x0C, 0x02, 0x01, 0x1C}, []byte{0x00, 0xB1, 0, 0, 4, 0x54, 2, 0x80, 0, 0})
	f.Fuzz(func(t *testing.T, a, b []byte) {
		c := chip(t)
		c.Transmit(a)
		c.Transmit(b)
		c.Transmit(a)
	})
}

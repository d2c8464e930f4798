package pn532

import (
	"bytes"
	"context"
	"math/bits"
	"testing"
	"time"

	"github.com/kiosk06/kiosk/drivers/nfc"
	"github.com/kiosk06/kiosk/drivers/pn532/pn532sim"
	"periph.io/x/conn/v3/conntest"
	"periph.io/x/conn/v3/i2c/i2ctest"
	"periph.io/x/conn/v3/spi"
	"periph.io/x/conn/v3/spi/spitest"
)

// Init sequence on the wire (command frame, response frame), as New sends it.
var initFrames = [][2]string{
	{"00 00 FF 05 FB D4 14 01 14 01 02 00", "00 00 FF 02 FE D5 15 16 00"},    // SAMConfiguration
	{"00 00 FF 02 FE D4 02 2A 00", "00 00 FF 06 FA D5 03 32 01 06 07 E8 00"}, // GetFirmwareVersion
	{"00 00 FF 03 FD D4 12 14 06 00", "00 00 FF 02 FE D5 13 18 00"},          // SetParameters
	{"00 00 FF 06 FA D4 32 05 FF 01 01 F4 00", "00 00 FF 02 FE D5 33 F8 00"}, // RFConfiguration MaxRetries
	{"00 00 FF 06 FA D4 32 02 00 0B 0A E3 00", "00 00 FF 02 FE D5 33 F8 00"}, // RFConfiguration timings
}

func pad(b []byte, n int) []byte { return append(b, make([]byte, n-len(b))...) }

// i2cCommand is one command over I²C (UM0701 §6.2.4): write the frame,
// poll the status byte, read status+ACK, poll again (not ready once), read
// status+response in one transaction of the maximum frame size.
func i2cCommand(t *testing.T, cmd, resp string) []i2ctest.IO {
	ack := append([]byte{0x01}, ackFrame...)
	return []i2ctest.IO{
		{Addr: I2CAddr, W: hx(t, cmd)},
		{Addr: I2CAddr, R: []byte{0x01}},
		{Addr: I2CAddr, R: ack},
		{Addr: I2CAddr, R: []byte{0x00}},
		{Addr: I2CAddr, R: []byte{0x01}},
		{Addr: I2CAddr, R: pad(append([]byte{0x01}, hx(t, resp)...), 1+maxWireFrame)},
	}
}

func TestI2CInitPlayback(t *testing.T) {
	ops := []i2ctest.IO{{Addr: I2CAddr, R: []byte{0x00}}} // wake-up read
	for _, f := range initFrames {
		ops = append(ops, i2cCommand(t, f[0], f[1])...)
	}
	// InListPassiveTarget 106 kbps Type A, UM0701 §7.3.5 example frame;
	// answer: one ISO/IEC 14443-4 card, UID 08 11 22 33, ATS 05 78 80 70 02.
	ops = append(ops, i2cCommand(t, "00 00 FF 04 FC D4 4A 01 00 E1 00",
		"00 00 FF 11 EF D5 4B 01 01 00 04 20 04 08 11 22 33 05 78 80 70 02 D9 00")...)
	bus := &i2ctest.Playback{Ops: ops, DontPanic: true}
	d, err := New(NewI2C(bus, I2CAddr), nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := d.Firmware().String(); got != "PN532 1.6" {
		t.Errorf("firmware %q", got)
	}
	tg, ok, err := d.inListPassiveTarget(context.Background(), nfc.TypeA)
	if err != nil || !ok {
		t.Fatalf("InListPassiveTarget: %v %v", ok, err)
	}
	want := nfc.CardInfo{Type: nfc.TypeA, UID: []byte{0x08, 0x11, 0x22, 0x33}, UIDRandom: true,
		ATQA: 0x0004, SAK: 0x20, ATS: []byte{0x05, 0x78, 0x80, 0x70, 0x02}, BitRate: 106}
	if !sameInfo(tg.Info, want) || tg.Tg != 1 {
		t.Errorf("target %+v, want %+v", tg.Info, want)
	}
	if err := bus.Close(); err != nil {
		t.Error(err)
	}
}

func sameInfo(a, b nfc.CardInfo) bool {
	return a.Type == b.Type && bytes.Equal(a.UID, b.UID) && a.UIDRandom == b.UIDRandom &&
		a.ATQA == b.ATQA && a.SAK == b.SAK && bytes.Equal(a.ATS, b.ATS) &&
		bytes.Equal(a.ATQB, b.ATQB) && a.BitRate == b.BitRate
}

func rev(b []byte) []byte {
	out := make([]byte, len(b))
	for i, c := range b {
		out[i] = bits.Reverse8(c)
	}
	return out
}

// TestSPIPlayback checks GetFirmwareVersion over SPI (UM0701 §6.2.5): every
// transfer starts with DW 01 / SR 02 / DR 03 and bytes go LSB first.
func TestSPIPlayback(t *testing.T) {
	cmd := hx(t, "00 00 FF 02 FE D4 02 2A 00")
	resp := hx(t, "00 00 FF 06 FA D5 03 32 01 06 07 E8 00")
	sr := conntest.IO{W: []byte{0x40, 0x00}, R: []byte{0x00, 0x80}} // 02 00 → ready 01, reversed
	notReady := conntest.IO{W: []byte{0x40, 0x00}, R: []byte{0x00, 0x00}}
	dr := func(n int, frame []byte) conntest.IO {
		w := make([]byte, 1+n)
		w[0] = 0xC0 // 03 reversed
		return conntest.IO{W: w, R: append([]byte{0x00}, rev(pad(frame, n))...)}
	}
	ops := []conntest.IO{
		{W: append([]byte{0x80}, rev(cmd)...)}, // 01 reversed, then the frame
		notReady, sr, dr(len(ackFrame), ackFrame),
		sr, dr(maxWireFrame, resp),
	}
	port := &spitest.Playback{Playback: conntest.Playback{Ops: ops, DontPanic: true}}
	c, err := port.Connect(SPIFreq, spi.Mode0, 8)
	if err != nil {
		t.Fatal(err)
	}
	tr := NewSPI(c)
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	if err := tr.Send(ctx, cmd); err != nil {
		t.Fatal(err)
	}
	if f, err := tr.Receive(ctx, true); err != nil || f.Kind != kindACK {
		t.Fatalf("ACK: %v %v", f.Kind, err)
	}
	f, err := tr.Receive(ctx, false)
	if err != nil || !bytes.Equal(f.Data, hx(t, "D5 03 32 01 06 07")) {
		t.Fatalf("response % X %v", f.Data, err)
	}
	if err := port.Close(); err != nil {
		t.Error(err)
	}
}

// TestBusesAgainstSim runs the whole driver over the simulator's I²C and
// SPI fakes: activation, InPSL and a chained exchange.
func TestBusesAgainstSim(t *testing.T) {
	for _, bus := range []string{"i2c", "spi"} {
		t.Run(bus, func(t *testing.T) {
			sim := pn532sim.NewDevice(nil)
			sim.SetCard(pn532sim.NewSimpleCard())
			var tr Transport = NewI2C(sim.I2C(), I2CAddr)
			if bus == "spi" {
				tr = NewSPI(sim.SPI())
			}
			d, err := New(tr, &Opts{TypeAOnly: true})
			if err != nil {
				t.Fatal(err)
			}
			defer d.Close()
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			defer cancel()
			c, err := d.WaitCard(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if c.Info().BitRate != 424 {
				t.Errorf("bit rate %d", c.Info().BitRate)
			}
			apdu := echoAPDU(400)
			got, err := c.Transmit(ctx, apdu)
			if err != nil {
				t.Fatal(err)
			}
			if want := append(append([]byte(nil), apdu[7:]...), 0x90, 0x00); !bytes.Equal(got, want) {
				t.Errorf("echo: %d bytes back", len(got))
			}
		})
	}
}

// echoAPDU is an extended-length ECHO command (80 EE) with n data bytes.
func echoAPDU(n int) []byte {
	apdu := []byte{0x80, 0xEE, 0x00, 0x00, 0x00, byte(n >> 8), byte(n)}
	for i := range n {
		apdu = append(apdu, byte(i*7))
	}
	return apdu
}

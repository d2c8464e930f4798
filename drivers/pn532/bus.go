package pn532

import (
	"context"
	"fmt"
	"io"
	"math/bits"
	"time"

	"periph.io/x/conn/v3/i2c"
	"periph.io/x/conn/v3/i2c/i2creg"
	"periph.io/x/conn/v3/physic"
	"periph.io/x/conn/v3/spi"
	"periph.io/x/conn/v3/spi/spireg"
)

// I2CAddr is the PN532's 7-bit I²C address (0x48 write / 0x49 read,
// UM0701 §6.2.4).
const I2CAddr = 0x24

// SPI operation codes, the first byte of every SPI transfer (UM0701 §6.2.5).
const (
	spiDataWrite  = 0x01
	spiStatusRead = 0x02
	spiDataRead   = 0x03
)

// statusReady is bit 0 of the I²C/SPI status byte: the PN532 has a frame
// ready for the host (UM0701 §6.2.4, §6.2.5).
const statusReady = 0x01

// busPollInterval is how often the status byte is polled while waiting for
// the PN532 (libnfc polls I²C every few milliseconds as well).
const busPollInterval = 2 * time.Millisecond

// readLen is how many frame bytes a bus read fetches: an ACK is 6 bytes; any
// other frame is read in one transaction of the largest size, as libnfc's
// pn532_i2c driver does, because a new read transaction starts again at the
// status byte.
func readLen(expectACK bool) int {
	if expectACK {
		return len(ackFrame)
	}
	return maxWireFrame
}

// I2C is the I²C transport.
type I2C struct {
	bus    i2c.Bus
	addr   uint16
	closer io.Closer
}

// NewI2C talks to a PN532 at addr (normally I2CAddr) on bus.
func NewI2C(bus i2c.Bus, addr uint16) *I2C { return &I2C{bus: bus, addr: addr} }

// OpenI2C opens a real bus by its periph name (e.g. "/dev/i2c-1") for a
// PN532 at addr (0 means I2CAddr). periph's host drivers must be loaded
// first (host.Init; firmware/devices does it): a driver does not
// initialise the host it runs on.
func OpenI2C(name string, addr uint16) (*I2C, error) {
	if addr == 0 {
		addr = I2CAddr
	}
	b, err := i2creg.Open(name)
	if err != nil {
		return nil, fmt.Errorf("pn532: open I²C bus %s: %w", name, err)
	}
	t := NewI2C(b, addr)
	t.closer = b
	return t, nil
}

// String names the link.
func (t *I2C) String() string { return fmt.Sprintf("pn532 i2c %s@%#x", t.bus, t.addr) }

// Sync implements Transport; an I²C bus has no replug generation.
func (t *I2C) Sync(context.Context) (uint64, error) { return 1, nil }

// Wake implements Transport: the PN532 wakes on its own address; the
// first transfer after power-down may be NACKed, so one dummy status read
// is made and its error ignored.
func (t *I2C) Wake(ctx context.Context) error {
	var b [1]byte
	_ = t.bus.Tx(t.addr, nil, b[:])
	return sleep(ctx, 2*time.Millisecond)
}

// Send implements Transport.
func (t *I2C) Send(_ context.Context, f []byte) error {
	if err := t.bus.Tx(t.addr, f, nil); err != nil {
		return fmt.Errorf("pn532: i2c write: %w", err)
	}
	return nil
}

// Receive implements Transport: poll the status byte until ready, then read
// status and frame in one transaction.
func (t *I2C) Receive(ctx context.Context, expectACK bool) (frame, error) {
	err := pollReady(ctx, func() (byte, error) {
		var b [1]byte
		err := t.bus.Tx(t.addr, nil, b[:])
		return b[0], err
	})
	if err != nil {
		return frame{}, err
	}
	buf := make([]byte, 1+readLen(expectACK))
	if err := t.bus.Tx(t.addr, nil, buf); err != nil {
		return frame{}, fmt.Errorf("pn532: i2c read: %w", err)
	}
	if buf[0]&statusReady == 0 {
		return frame{}, fmt.Errorf("%w: i2c status %02X on frame read", ErrFrame, buf[0])
	}
	return decodeFrame(buf[1:])
}

// Close implements Transport.
func (t *I2C) Close() error {
	if t.closer != nil {
		return t.closer.Close()
	}
	return nil
}

// SPI is the SPI transport. The PN532 sends and expects bytes LSB first
// (UM0701 §6.2.5); bits are reversed in software so any SPI controller
// works (libnfc does the same when the controller cannot).
type SPI struct {
	conn   spi.Conn
	closer io.Closer
}

// NewSPI talks to a PN532 over conn (mode 0, 8 bits, MSB-first controller).
func NewSPI(conn spi.Conn) *SPI { return &SPI{conn: conn} }

// SPIFreq is the clock used when opening a real SPI port (the PN532 allows
// up to 5 MHz; 1 MHz is what most boards use).
const SPIFreq = physic.MegaHertz

// OpenSPI opens a real SPI port by its periph name (e.g. "/dev/spidev0.0")
// at clock hz (0 means SPIFreq). Like OpenI2C it needs periph's host
// drivers loaded first (host.Init, done by firmware/devices).
func OpenSPI(name string, hz int64) (*SPI, error) {
	f := SPIFreq
	if hz > 0 {
		f = physic.Frequency(hz) * physic.Hertz
	}
	p, err := spireg.Open(name)
	if err != nil {
		return nil, fmt.Errorf("pn532: open SPI port %s: %w", name, err)
	}
	c, err := p.Connect(f, spi.Mode0, 8)
	if err != nil {
		p.Close()
		return nil, fmt.Errorf("pn532: connect SPI %s: %w", name, err)
	}
	t := NewSPI(c)
	t.closer = p
	return t, nil
}

// String names the link.
func (t *SPI) String() string { return fmt.Sprintf("pn532 spi %s", t.conn) }

// Sync implements Transport; an SPI bus has no replug generation.
func (t *SPI) Sync(context.Context) (uint64, error) { return 1, nil }

// Wake implements Transport: asserting CS wakes the PN532; one status read
// does that, then the PN532 needs about 2 ms.
func (t *SPI) Wake(ctx context.Context) error {
	if _, err := t.status(); err != nil {
		return err
	}
	return sleep(ctx, 2*time.Millisecond)
}

// Send implements Transport: DW followed by the frame.
func (t *SPI) Send(_ context.Context, f []byte) error {
	w := make([]byte, 1+len(f))
	w[0] = spiDataWrite
	copy(w[1:], f)
	if err := t.conn.Tx(reverseBits(w), nil); err != nil {
		return fmt.Errorf("pn532: spi write: %w", err)
	}
	return nil
}

func (t *SPI) status() (byte, error) {
	w := reverseBits([]byte{spiStatusRead, 0x00})
	r := make([]byte, 2)
	if err := t.conn.Tx(w, r); err != nil {
		return 0, fmt.Errorf("pn532: spi status read: %w", err)
	}
	return bits.Reverse8(r[1]), nil
}

// Receive implements Transport: poll SR until ready, then DR and the frame.
func (t *SPI) Receive(ctx context.Context, expectACK bool) (frame, error) {
	if err := pollReady(ctx, t.status); err != nil {
		return frame{}, err
	}
	n := 1 + readLen(expectACK)
	w := make([]byte, n)
	w[0] = spiDataRead
	r := make([]byte, n)
	if err := t.conn.Tx(reverseBits(w), r); err != nil {
		return frame{}, fmt.Errorf("pn532: spi read: %w", err)
	}
	return decodeFrame(reverseBits(r[1:]))
}

// Close implements Transport.
func (t *SPI) Close() error {
	if t.closer != nil {
		return t.closer.Close()
	}
	return nil
}

// reverseBits returns b with each byte's bit order reversed (LSB first).
func reverseBits(b []byte) []byte {
	out := make([]byte, len(b))
	for i, c := range b {
		out[i] = bits.Reverse8(c)
	}
	return out
}

// pollReady polls status until its ready bit is set or ctx is done.
func pollReady(ctx context.Context, status func() (byte, error)) error {
	for {
		s, err := status()
		if err != nil {
			return err
		}
		if s&statusReady != 0 {
			return nil
		}
		if err := sleep(ctx, busPollInterval); err != nil {
			return err
		}
	}
}

// sleep waits d or until ctx is done; a passed deadline is ErrNoResponse.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return fmt.Errorf("%w (%w)", ErrNoResponse, ctx.Err())
	case <-t.C:
		return nil
	}
}

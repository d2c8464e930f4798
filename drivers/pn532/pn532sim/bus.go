package pn532sim

import (
	"errors"
	"fmt"
	"math/bits"
	"sync"

	"periph.io/x/conn/v3"
	"periph.io/x/conn/v3/i2c"
	"periph.io/x/conn/v3/physic"
	"periph.io/x/conn/v3/spi"
)

// busQueue holds the frames the PN532 has ready on I²C or SPI. A status
// read reports ready while one is queued; a data read takes the first one
// (UM0701 §6.2.4, §6.2.5). Delays of the timing model are not applied on
// buses.
type busQueue struct {
	mu  sync.Mutex
	s   *Device
	out [][]byte
	in  []byte
}

func (q *busQueue) write(b []byte) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.in = append(q.in, b...)
	for {
		ev, used := parse(q.in)
		if used == 0 {
			break
		}
		q.in = q.in[used:]
		for _, o := range q.s.handle(ev) {
			q.out = append(q.out, o.b)
		}
	}
}

// read fills r with the status byte and, when len(r) > 1, the next frame
// (zero padded). A status-only read leaves the frame queued.
func (q *busQueue) read(r []byte) {
	q.mu.Lock()
	defer q.mu.Unlock()
	clear(r)
	if len(r) == 0 || len(q.out) == 0 {
		return
	}
	r[0] = 0x01
	if len(r) > 1 {
		copy(r[1:], q.out[0])
		q.out = q.out[1:]
	}
}

// I2C is the simulator seen as an I²C bus with the PN532 at address 0x24.
type I2C struct{ q *busQueue }

// I2C returns an i2c.Bus fake that talks to s.
func (s *Device) I2C() *I2C { return &I2C{q: &busQueue{s: s}} }

var _ i2c.Bus = (*I2C)(nil)

// String implements i2c.Bus.
func (b *I2C) String() string { return "pn532sim-i2c" }

// SetSpeed implements i2c.Bus.
func (b *I2C) SetSpeed(physic.Frequency) error { return nil }

// Tx implements i2c.Bus.
func (b *I2C) Tx(addr uint16, w, r []byte) error {
	if addr != 0x24 {
		return fmt.Errorf("pn532sim: i2c address %#x NACKed", addr)
	}
	if len(w) > 0 {
		b.q.write(w)
	}
	b.q.read(r)
	return nil
}

// SPI is the simulator seen as an SPI connection (mode 0, LSB first on the
// wire; the fake reverses bits as the PN532 would see them).
type SPI struct{ q *busQueue }

// SPI returns an spi.Conn fake that talks to s.
func (s *Device) SPI() *SPI { return &SPI{q: &busQueue{s: s}} }

var _ spi.Conn = (*SPI)(nil)

// String implements conn.Resource.
func (c *SPI) String() string { return "pn532sim-spi" }

// Duplex implements conn.Conn.
func (c *SPI) Duplex() conn.Duplex { return conn.Full }

// TxPackets implements spi.Conn.
func (c *SPI) TxPackets([]spi.Packet) error {
	return errors.New("pn532sim: TxPackets not supported")
}

// Tx implements conn.Conn: the first byte is the operation (DW 01, SR 02,
// DR 03).
func (c *SPI) Tx(w, r []byte) error {
	if len(w) == 0 {
		return errors.New("pn532sim: empty SPI transfer")
	}
	switch bits.Reverse8(w[0]) {
	case 0x01:
		c.q.write(rev(w[1:]))
		clear(r)
	case 0x02:
		buf := make([]byte, 1)
		c.q.read(buf)
		clear(r)
		if len(r) > 1 {
			r[1] = bits.Reverse8(buf[0])
		}
	case 0x03:
		if len(r) > 1 {
			buf := make([]byte, len(r))
			c.q.read(buf)
			r[0] = 0
			copy(r[1:], rev(buf[1:]))
		}
	default:
		return fmt.Errorf("pn532sim: unknown SPI operation %02X", bits.Reverse8(w[0]))
	}
	return nil
}

func rev(b []byte) []byte {
	out := make([]byte, len(b))
	for i, c := range b {
		out[i] = bits.Reverse8(c)
	}
	return out
}

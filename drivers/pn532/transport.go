package pn532

import (
	"context"
	"fmt"
	"time"

	"github.com/kiosk06/kiosk/drivers/serialport"
)

// Transport carries frames between the host and the PN532 over one of its
// three host interfaces (UM0701 §6.2: HSU, I²C, SPI). Dev builds and checks
// the frames; a Transport only moves them and does what its bus needs to
// know when the PN532 has something to say.
type Transport interface {
	// Sync prepares the link for a new command: it reopens it if the device
	// went away, discards stale input, and returns the link generation,
	// which changes when the device may have been power-cycled.
	Sync(ctx context.Context) (generation uint64, err error)
	// Wake brings the PN532 out of power-down (HSU: 55 55 and zeros,
	// UM0701 §6.2.2; I²C/SPI: the bus activity itself wakes it).
	Wake(ctx context.Context) error
	// Send writes one frame exactly as given.
	Send(ctx context.Context, frame []byte) error
	// Receive waits until the PN532 has a frame and returns it. expectACK
	// tells bus transports how much to read.
	Receive(ctx context.Context, expectACK bool) (frame, error)
	// Close releases the port or bus.
	Close() error
	// String names the link for logs.
	String() string
}

// wakeUpHSU is the HSU wake-up sequence libnfc sends before
// SAMConfiguration (UM0701 §7.2.11: 55 55 then enough zeros for the
// PN532 to leave power-down).
var wakeUpHSU = []byte{0x55, 0x55, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00}

// Port is the serial line a UART transport talks over; *serialport.Port
// implements it.
type Port interface {
	Read(ctx context.Context, b []byte) (int, error)
	Write(ctx context.Context, b []byte) error
	// Flush discards pending input and reopens a line that went away.
	Flush(ctx context.Context) error
	// Generation changes when the line was reopened (device replugged).
	Generation() uint64
	Close() error
	// String names the line for logs.
	String() string
}

var _ Port = (*serialport.Port)(nil)

// UART is the HSU transport over a serial port (115200 8N1 by default).
type UART struct {
	port Port
	buf  [512]byte
	r, w int
	ctx  context.Context // valid only during Receive
}

// NewUART wraps an open serial port (a *serialport.Port, or a fake in
// tests).
func NewUART(port Port) *UART { return &UART{port: port} }

// OpenUART opens path at baud (0 means 115200, the PN532 HSU default).
func OpenUART(path string, baud int) (*UART, error) {
	if baud == 0 {
		baud = 115200
	}
	p, err := serialport.Open(serialport.Config{Path: path, Baud: baud})
	if err != nil {
		return nil, fmt.Errorf("pn532: %w", err)
	}
	return NewUART(p), nil
}

// String names the link.
func (u *UART) String() string { return "pn532 uart " + u.port.String() }

// Sync implements Transport: Flush reopens a port that went away.
func (u *UART) Sync(ctx context.Context) (uint64, error) {
	u.r, u.w = 0, 0
	if err := u.port.Flush(ctx); err != nil {
		return 0, err
	}
	return u.port.Generation(), nil
}

// Wake implements Transport.
func (u *UART) Wake(ctx context.Context) error {
	if err := u.port.Write(ctx, wakeUpHSU); err != nil {
		return err
	}
	// The PN532 needs a moment after the wake-up bytes (libnfc waits too).
	t := time.NewTimer(2 * time.Millisecond)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
	}
	return nil
}

// Send implements Transport.
func (u *UART) Send(ctx context.Context, f []byte) error { return u.port.Write(ctx, f) }

// Receive implements Transport. Bytes after the frame stay buffered for the
// next Receive (the ACK and the response often arrive in one read).
func (u *UART) Receive(ctx context.Context, _ bool) (frame, error) {
	u.ctx = ctx
	defer func() { u.ctx = nil }()
	return readFrame(u)
}

func (u *UART) next() (byte, error) {
	if u.r == u.w {
		n, err := u.port.Read(u.ctx, u.buf[:])
		if err != nil {
			return 0, err
		}
		u.r, u.w = 0, n
	}
	c := u.buf[u.r]
	u.r++
	return c, nil
}

// Close implements Transport.
func (u *UART) Close() error { return u.port.Close() }

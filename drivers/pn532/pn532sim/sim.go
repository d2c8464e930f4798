// Package pn532sim is the device side of an NXP PN532 (UM0701): it reads
// host frames from the master end of a pseudo-terminal (HSU) or through
// periph conn fakes (I²C, SPI), answers ACK then the response, and hosts a
// pluggable nfc.Emulated card in its field. It implements the commands
// drivers/pn532 uses (GetFirmwareVersion, SAMConfiguration, SetParameters,
// RFConfiguration, InListPassiveTarget A/B 106, InDataExchange with MI
// chaining both ways, InPSL, InRelease, Diagnose card presence), answers
// the error frame for anything else, and misbehaves on request (Fault).
//
// An optional timing model (Timing) delays answers by the UART byte time,
// the RF time per byte at the negotiated bit rate and a per-APDU card
// processing time, so benchmarks estimate real read times.
//
// Start runs one on a pty (Sim, the httptest-like shape every simulator
// shares: docs/ARCHITECTURE.md, "Simulators"); NewDevice makes one without a
// line (Device), which Serve runs on any io.ReadWriter and I2C/SPI show as
// periph bus fakes.
//
// It is test and simulation code: it imports drivers/nfc and
// drivers/serialport/ptypair, never the driver package drivers/pn532.
package pn532sim

import (
	"context"
	"io"
	"log/slog"
	"sync"
	"time"

	"github.com/kiosk06/kiosk/drivers/nfc"
)

// Fault is a misbehaviour the simulator applies to the next command frame.
type Fault int

// Faults, each used once, in the order queued.
const (
	// FaultNACK answers the next command with NACK instead of ACK and
	// drops it (the host must send it again).
	FaultNACK Fault = iota + 1
	// FaultBadChecksum corrupts the DCS of the next response; a NACK
	// from the host gets the correct frame.
	FaultBadChecksum
	// FaultGarbage writes noise bytes before the next ACK.
	FaultGarbage
	// FaultSilent ignores the next command entirely (no ACK).
	FaultSilent
	// FaultNoResponse ACKs the next command but never answers it.
	FaultNoResponse
	// FaultCardRemovedMidExchange removes the card when the next
	// InDataExchange reaches it: that exchange times out (status 01).
	FaultCardRemovedMidExchange
)

// Timing is the optional timing model.
type Timing struct {
	// Baud is the HSU speed: each byte takes 10 bits (8N1). 0 means no
	// UART time.
	Baud int
	// CardProcessing is added to every APDU the card answers.
	CardProcessing time.Duration
	// RF adds ISO/IEC 14443 transmission time at the negotiated bit rate.
	RF bool
}

// Options configure a simulated PN532. The zero value (or nil) is a PN532
// v1.6, awake, with an empty field and no timing model.
type Options struct {
	// Card is put in the field at start (nil: an empty field).
	Card nfc.Emulated
	// Firmware is what GetFirmwareVersion answers: IC Ver Rev Support.
	// Zero means 32 01 06 07 (PN532 v1.6, the manual's example).
	Firmware [4]byte
	// Timing, if non-nil, delays answers like real hardware.
	Timing *Timing
	// Asleep starts the PN532 in power-down: it ignores frames until an
	// HSU wake-up (0x55) or a SAMConfiguration after one, as after power-on.
	Asleep bool
	// Link, if set, is the stable symlink Start creates (for Unplug/Replug);
	// NewDevice ignores it.
	Link string
	// Logger for events (never APDU contents). nil means slog.Default().
	Logger *slog.Logger
}

// Stats counts what the simulator saw.
type Stats struct {
	Commands int // information frames accepted
	NACKs    int // NACK frames from the host
	Aborts   int // ACK frames from the host (abort)
	Wakeups  int // HSU wake-up sequences
	Exchange int // APDUs passed to the card
	// Activations counts InListPassiveTarget commands that activated the
	// card in the field, Releases InRelease commands that let an active
	// one go: a tap's "read, then let go" as the host did it.
	Activations int
	Releases    int
}

// Device is one simulated PN532 without a line of its own: Serve runs it on
// any io.ReadWriter, I2C and SPI show it as periph bus fakes. Start puts
// one on a pty.
type Device struct {
	opts Options

	mu       sync.Mutex
	card     nfc.Emulated
	tg       byte // 1 while a card is activated
	cardGen  int  // bumped by SetCard
	tgGen    int  // cardGen of the card activated as tg
	rate     int  // kbit/s of the activated card
	asleep   bool
	faults   []Fault
	last     []byte // last response frame, for NACK
	sendBuf  []byte // host→card chaining (Tg MI bit)
	recvBuf  []byte // card→host chaining (status MI bit)
	stats    Stats
	frameLog [][]byte
	// removeOnExchange: FaultCardRemovedMidExchange is armed.
	removeOnExchange bool
	// regs is the register file of ReadRegister/WriteRegister (libnfc).
	regs map[uint16]byte
}

// NewDevice makes a simulated PN532 with opts.Card in its field. nil opts
// means defaults.
func NewDevice(opts *Options) *Device {
	var o Options
	if opts != nil {
		o = *opts
	}
	if o.Firmware == [4]byte{} {
		o.Firmware = [4]byte{0x32, 0x01, 0x06, 0x07}
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	d := &Device{opts: o, asleep: o.Asleep}
	d.SetCard(o.Card)
	return d
}

// SetCard puts card in the field (replacing any other); it is reset as at
// power-up.
func (s *Device) SetCard(card nfc.Emulated) {
	s.mu.Lock()
	defer s.mu.Unlock()
	// The PN532 keeps its target until it notices the card is gone: a
	// new card is not activated, so the old target stops answering.
	s.card, s.cardGen = card, s.cardGen+1
	if card != nil {
		card.Reset()
	}
}

// RemoveCard takes the card out of the field.
func (s *Device) RemoveCard() { s.SetCard(nil) }

// Inject queues faults applied to the next command frames, in order.
func (s *Device) Inject(f ...Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = append(s.faults, f...)
}

// PowerDown puts the PN532 to sleep, as after a power cycle (used when a
// replugged device comes back).
func (s *Device) PowerDown() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.asleep, s.tg, s.sendBuf, s.recvBuf, s.last = true, 0, nil, nil, nil
}

// Stats returns the counters.
func (s *Device) Stats() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.stats
}

// Frames returns the last information frames received (TFI + PD), oldest
// first, at most 64.
func (s *Device) Frames() [][]byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([][]byte(nil), s.frameLog...)
}

// output is a chunk to write after a delay.
type output struct {
	delay time.Duration
	b     []byte
}

// Serve runs the PN532 on rw (the master side of a pty) until a read
// fails or ctx is done. Reads are unblocked on cancellation when rw has
// SetReadDeadline (an *os.File master does).
func (s *Device) Serve(ctx context.Context, rw io.ReadWriter) error {
	if d, ok := rw.(interface{ SetReadDeadline(time.Time) error }); ok {
		stop := context.AfterFunc(ctx, func() { _ = d.SetReadDeadline(time.Now()) })
		defer stop()
	}
	buf := make([]byte, 1024)
	var pending []byte
	for {
		n, err := rw.Read(buf)
		pending = append(pending, buf[:n]...)
		for {
			ev, used := parse(pending)
			if used == 0 {
				break
			}
			pending = pending[used:]
			if werr := s.write(ctx, rw, s.handle(ev)); werr != nil {
				return werr
			}
		}
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			return err
		}
	}
}

func (s *Device) write(ctx context.Context, w io.Writer, outs []output) error {
	for _, o := range outs {
		if o.delay > 0 {
			t := time.NewTimer(o.delay)
			select {
			case <-ctx.Done():
				t.Stop()
				return ctx.Err()
			case <-t.C:
			}
		}
		if _, err := w.Write(o.b); err != nil {
			return err
		}
	}
	return nil
}

// handle answers one event.
func (s *Device) handle(ev event) []output {
	s.mu.Lock()
	defer s.mu.Unlock()
	if ev.Wake && s.asleep {
		s.asleep = false
		s.stats.Wakeups++
	}
	switch ev.Kind {
	case evFrame:
		return s.command(ev.Data)
	case evACK:
		s.stats.Aborts++
	case evNACK:
		s.stats.NACKs++
		if s.last != nil && !s.asleep {
			return []output{{b: s.last}}
		}
	}
	return nil
}

// command answers one information frame: ACK, then the response.
func (s *Device) command(data []byte) []output {
	if s.asleep {
		return nil
	}
	s.stats.Commands++
	if len(s.frameLog) == 64 {
		s.frameLog = s.frameLog[1:]
	}
	s.frameLog = append(s.frameLog, data)
	var fault Fault
	if len(s.faults) > 0 {
		fault, s.faults = s.faults[0], s.faults[1:]
	}
	uartIn := s.uartTime(len(data) + 7)
	switch fault {
	case FaultSilent:
		return nil
	case FaultNACK:
		return []output{{delay: uartIn, b: nackFrame}}
	}
	outs := []output{{delay: uartIn, b: ackFrame}}
	if fault == FaultGarbage {
		outs[0].b = append([]byte{0xA5, 0x5A, 0xFF, 0x13, 0x00}, ackFrame...)
	}
	if fault == FaultCardRemovedMidExchange {
		s.removeOnExchange = true
	}
	resp, work := s.respond(data)
	if fault == FaultNoResponse {
		return outs
	}
	frame := errorFrame
	if resp != nil {
		frame = encode(resp)
	}
	s.last = frame
	if fault == FaultBadChecksum {
		bad := append([]byte(nil), frame...)
		bad[len(bad)-2] ^= 0xFF
		frame = bad
	}
	return append(outs, output{delay: work + s.uartTime(len(frame)), b: frame})
}

func (s *Device) uartTime(n int) time.Duration {
	if s.opts.Timing == nil || s.opts.Timing.Baud <= 0 {
		return 0
	}
	return time.Duration(n) * 10 * time.Second / time.Duration(s.opts.Timing.Baud)
}

// rfTime models one ISO/IEC 14443 frame of n bytes at the current bit
// rate: 9 bits per byte (8 data + parity) plus the 2 CRC bytes, and the
// minimum frame delay time (~86 µs at 106 kbps, ISO/IEC 14443-3 §6.2.1.1).
func (s *Device) rfTime(n int) time.Duration {
	if s.opts.Timing == nil || !s.opts.Timing.RF {
		return 0
	}
	rate := s.rate
	if rate == 0 {
		rate = 106
	}
	bits := (n + 2) * 9
	return time.Duration(bits)*time.Second/time.Duration(rate*1000) + 86*time.Microsecond
}

// Package fingerprintsim is the device side of an R30x / ZFM-20 / AS608
// fingerprint module on the master end of a pseudo-terminal, written from
// the R30x datasheet §5 instruction tables. Drivers under test open Path()
// like a real serial device.
//
// The module holds a template library, two character buffers and an image
// buffer. Tests put synthetic fingers (named by any string) on the sensor
// with PlaceFinger or Touch; a finger's template and every match score are
// derived deterministically from its name, so the same finger always
// matches (score 100–199) and different fingers never do (score < 40, the
// module's threshold is 50). Faults: no finger, bad or smudged image, no
// answer (timeout), corrupted checksums, a wrong password, and any
// confirmation code injected for one instruction.
//
// It imports drivers/fingerprint for the packet framing only, and
// drivers/serialport/ptypair; nothing else of the project.
package fingerprintsim

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"sync"
	"time"

	"github.com/kiosk06/kiosk/drivers/fingerprint"
	"github.com/kiosk06/kiosk/drivers/serialport/ptypair"
)

// Options configure a simulated module. The zero value (or nil) is a
// factory-set module: address FFFFFFFF, no password, 200 slots, 57600 baud.
type Options struct {
	Address       uint32 // 0 means fingerprint.DefaultAddress
	Password      uint32 // 0: no password needed (factory setting)
	Capacity      int    // library slots; 0 means 200
	PacketSize    int    // data packet size 32, 64, 128 or 256; 0 means 128
	Baud          int    // reported by ReadSysPara and DeviceString; 0 means 57600
	SecurityLevel int    // 1..5; 0 means 3
	// Link, if set, is a stable symlink to the pty (as udev gives), which
	// makes Unplug/Replug possible.
	Link string
	// Logger for events (never templates); nil means slog.Default().
	Logger *slog.Logger
}

// Fault is a persistent misbehaviour of the module.
type Fault int

// Faults.
const (
	FaultNone        Fault = iota
	FaultNoFinger          // GenImg always answers 0x02
	FaultBadImage          // GenImg answers 0x03
	FaultSmudged           // Img2Tz answers 0x06 (too disorderly)
	FaultTimeout           // the module never answers
	FaultBadChecksum       // every answer carries a wrong checksum
)

const (
	templateLen    = 512 // bytes of a character file / template
	matchThreshold = 50  // below this Match answers 0x08
	magic          = "FPSIM1"
)

// Sim is one simulated module on a pty.
type Sim struct {
	pair   *ptypair.Pair
	opts   Options
	cancel context.CancelFunc
	stop   func() bool // ends the context watch
	done   chan struct{}

	mu        sync.Mutex
	finger    string // finger on the sensor ("" none)
	touches   int    // captures left before the finger leaves; -1 stays
	lifted    bool   // the finger was lifted after a capture
	image     string // finger in the image buffer
	buf       [3][]byte
	lib       map[int][]byte
	verified  bool
	fault     Fault
	inject    map[byte]byte
	received  []byte
	pkgErrors int
}

// Start creates the pty and serves the module on it until ctx is done or
// Close is called. nil opts means defaults.
func Start(ctx context.Context, opts *Options) (*Sim, error) {
	var o Options
	if opts != nil {
		o = *opts
	}
	o = withDefaults(o)
	if o.PacketSize != 32 && o.PacketSize != 64 && o.PacketSize != 128 && o.PacketSize != 256 {
		return nil, fmt.Errorf("fingerprintsim: packet size %d (want 32, 64, 128 or 256)", o.PacketSize)
	}
	pair, err := ptypair.Open(&ptypair.Options{Link: o.Link})
	if err != nil {
		return nil, fmt.Errorf("fingerprintsim: %w", err)
	}
	serveCtx, cancel := context.WithCancel(ctx)
	s := &Sim{pair: pair, opts: o, cancel: cancel, done: make(chan struct{}),
		lib: map[int][]byte{}, inject: map[byte]byte{}}
	go s.serve(serveCtx)
	s.stop = context.AfterFunc(ctx, func() { s.release() })
	return s, nil
}

func withDefaults(o Options) Options {
	if o.Address == 0 {
		o.Address = fingerprint.DefaultAddress
	}
	if o.Capacity <= 0 {
		o.Capacity = 200
	}
	if o.PacketSize == 0 {
		o.PacketSize = 128
	}
	if o.Baud <= 0 {
		o.Baud = 57600
	}
	if o.SecurityLevel <= 0 {
		o.SecurityLevel = 3
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	return o
}

// Path is the host side of the pty (the stable link if Options.Link).
func (s *Sim) Path() string { return s.pair.Path() }

// DeviceString is the driver's device string, "r30x:/dev/pts/N@57600".
func (s *Sim) DeviceString() string { return fmt.Sprintf("r30x:%s@%d", s.Path(), s.opts.Baud) }

// Close stops the module and releases the pty. It may be called more than
// once.
func (s *Sim) Close() error {
	s.stop()
	return s.release()
}

func (s *Sim) release() error {
	s.cancel()
	err := s.pair.Close()
	<-s.done
	return err
}

// Unplug pulls the module off the line (needs Options.Link to come back).
func (s *Sim) Unplug() error { return s.pair.Unplug() }

// Replug plugs the module back in: a power cycle, so the buffers and the
// password state are lost; the library (flash) is kept.
func (s *Sim) Replug() error {
	s.mu.Lock()
	s.buf, s.image, s.verified = [3][]byte{}, "", false
	s.mu.Unlock()
	return s.pair.Replug()
}

// PlaceFinger puts finger on the sensor until LiftFinger.
func (s *Sim) PlaceFinger(finger string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.finger, s.touches, s.lifted = finger, -1, false
}

// Touch puts finger on the sensor for n captures: after each image is
// converted (Img2Tz) the finger is lifted for one GenImg poll, then comes
// back, as a person does when a screen asks for the finger again.
func (s *Sim) Touch(finger string, n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.finger, s.touches, s.lifted = finger, n, false
}

// LiftFinger takes the finger off the sensor.
func (s *Sim) LiftFinger() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.finger, s.touches, s.lifted = "", 0, false
}

// SetFault sets a persistent fault (FaultNone clears it).
func (s *Sim) SetFault(f Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.fault = f
}

// InjectCode makes the next instruction cmd answer confirmation code.
func (s *Sim) InjectCode(cmd, code byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.inject[cmd] = code
}

// Received returns the instruction codes received so far, in order.
func (s *Sim) Received() []byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]byte(nil), s.received...)
}

// BadPackets counts packets received with a wrong checksum.
func (s *Sim) BadPackets() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.pkgErrors
}

// Templates returns the occupied library slots' count.
func (s *Sim) Templates() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.lib)
}

// SlotHolds reports whether library slot holds finger's template.
func (s *Sim) SlotHolds(slot int, finger string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	h, ok := fingerOf(s.lib[slot])
	return ok && h == fingerHash(finger)
}

// serve answers packets, following the pty across Unplug/Replug.
func (s *Sim) serve(ctx context.Context) {
	defer close(s.done)
	var last *os.File
	for ctx.Err() == nil {
		m := s.pair.Master()
		if m == nil || m == last {
			select {
			case <-ctx.Done():
				return
			case <-time.After(10 * time.Millisecond):
			}
			continue
		}
		last = m
		s.serveLine(ctx, m)
	}
}

// serveLine serves one pty master until it fails (closed, unplugged).
func (s *Sim) serveLine(ctx context.Context, m *os.File) {
	br := bufio.NewReader(m)
	for ctx.Err() == nil {
		p, err := fingerprint.ReadPacket(func(b []byte) error { _, err := io.ReadFull(br, b); return err })
		switch {
		case errors.Is(err, fingerprint.ErrChecksum):
			s.mu.Lock()
			s.pkgErrors++
			s.mu.Unlock()
			s.reply(m, p.Addr, []byte{0x01})
			continue
		case errors.Is(err, fingerprint.ErrFrame):
			continue
		case err != nil:
			return
		}
		if p.Addr != s.opts.Address || p.PID != fingerprint.PIDCommand || len(p.Payload) == 0 {
			continue // not for us, or a stray data packet
		}
		s.handle(m, br, p)
	}
}

// reply sends an acknowledge, honouring the timeout and checksum faults.
func (s *Sim) reply(w io.Writer, addr uint32, payload []byte) {
	s.replyPID(w, addr, fingerprint.PIDAck, payload)
}

func (s *Sim) replyPID(w io.Writer, addr uint32, pid byte, payload []byte) {
	s.mu.Lock()
	fault := s.fault
	s.mu.Unlock()
	if fault == FaultTimeout {
		return
	}
	b := fingerprint.Packet{Addr: addr, PID: pid, Payload: payload}.Marshal()
	if fault == FaultBadChecksum {
		b[len(b)-1] ^= 0x5A
	}
	_, _ = w.Write(b)
}

// fingerHash names a finger in a template.
func fingerHash(finger string) [32]byte { return sha256.Sum256([]byte("finger:" + finger)) }

// templateFor builds the deterministic character file of a finger.
func templateFor(finger string) []byte {
	h := fingerHash(finger)
	t := make([]byte, 0, templateLen)
	t = append(t, magic...)
	t = append(t, h[:]...)
	for blk := h; len(t) < templateLen; {
		blk = sha256.Sum256(blk[:])
		t = append(t, blk[:]...)
	}
	return t[:templateLen]
}

// fingerOf recovers the finger hash from a template.
func fingerOf(t []byte) ([32]byte, bool) {
	var h [32]byte
	if len(t) < len(magic)+32 || string(t[:len(magic)]) != magic {
		return h, false
	}
	copy(h[:], t[len(magic):])
	return h, true
}

// score is the deterministic match score of two templates.
func score(a, b []byte) int {
	ha, oka := fingerOf(a)
	hb, okb := fingerOf(b)
	if !oka || !okb {
		return 0
	}
	if ha == hb {
		return 100 + int(ha[0])%100
	}
	x := sha256.Sum256(append(ha[:], hb[:]...))
	return int(binary.BigEndian.Uint16(x[:])) % 40
}

// Package fingerprint drives R30x / ZFM-20 / AS608 optical fingerprint
// modules over their serial packet protocol (R30x datasheet §5 "Module
// instruction system"; ZFM user manual ch. 4): packets EF 01 | address |
// PID | length | payload | checksum, with checksums verified both ways,
// the instructions GenImg … TemplateNum, confirmation codes mapped to typed
// errors with Vietnamese and English messages, a finger-wait loop bounded by
// a context, and re-initialisation after the serial line was reopened.
//
// Templates stay in the module: the enrol/verify helpers never upload them
// (UpChar exists for technicians and tests only).
//
// It builds on drivers/serialport and imports nothing else of the project;
// it knows nothing of citizens, bindings or flows (firmware/identity does).
package fingerprint

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/kiosk06/kiosk/drivers/serialport"
)

// Port is the serial line the driver talks over; *serialport.Port
// implements it.
type Port interface {
	ReadFull(ctx context.Context, b []byte) error
	Write(ctx context.Context, b []byte) error
	Flush(ctx context.Context) error
	// Generation changes when the line was reopened (device replugged).
	Generation() uint64
	Close() error
}

// Opts configures a Dev.
type Opts struct {
	Address  uint32        // module address; 0 means DefaultAddress
	Password uint32        // handshake password (factory 0)
	Timeout  time.Duration // per-instruction answer timeout; 0 means 2 s
	Poll     time.Duration // finger-wait poll interval; 0 means 100 ms
	Logger   *slog.Logger  // nil means slog.Default(); never logs templates
}

func (o Opts) withDefaults() Opts {
	if o.Address == 0 {
		o.Address = DefaultAddress
	}
	if o.Timeout <= 0 {
		o.Timeout = 2 * time.Second
	}
	if o.Poll <= 0 {
		o.Poll = 100 * time.Millisecond
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	return o
}

// SysPara are the module's system parameters (ReadSysPara, 16 bytes).
type SysPara struct {
	Status        uint16 `json:"status"`
	SystemID      uint16 `json:"system_id"`
	Capacity      int    `json:"capacity"`       // finger library size (slots)
	SecurityLevel int    `json:"security_level"` // 1..5
	Address       uint32 `json:"address"`
	PacketSize    int    `json:"packet_size"` // data packet payload bytes: 32, 64, 128, 256
	Baud          int    `json:"baud"`        // N × 9600
}

// Dev is an open fingerprint module. Its methods are safe for concurrent
// use (instructions are serialised).
type Dev struct {
	port Port
	opts Opts

	mu    sync.Mutex // serialises instructions; guards the fields below
	gen   uint64
	para  SysPara
	dirty bool // an instruction failed mid-way: flush before the next
}

// ParseDevice splits a device string "r30x:/dev/ttyUSB0[@57600]" into the
// path and baud (default 57600).
func ParseDevice(s string) (path string, baud int, err error) {
	rest, ok := strings.CutPrefix(s, "r30x:")
	if !ok || rest == "" {
		return "", 0, fmt.Errorf("fingerprint: device %q: want r30x:/dev/PATH[@BAUD]", s)
	}
	path, baud = rest, 57600
	if i := strings.LastIndexByte(rest, '@'); i >= 0 {
		b, err := strconv.Atoi(rest[i+1:])
		if err != nil || b <= 0 || b%9600 != 0 {
			return "", 0, fmt.Errorf("fingerprint: device %q: baud must be a multiple of 9600", s)
		}
		path, baud = rest[:i], b
	}
	if path == "" {
		return "", 0, fmt.Errorf("fingerprint: device %q: empty path", s)
	}
	return path, baud, nil
}

// Open opens the module named by a device string (see ParseDevice) and
// initialises it.
func Open(ctx context.Context, device string, opts Opts) (*Dev, error) {
	path, baud, err := ParseDevice(device)
	if err != nil {
		return nil, err
	}
	p, err := serialport.Open(serialport.Config{Path: path, Baud: baud, Logger: opts.Logger})
	if err != nil {
		return nil, fmt.Errorf("fingerprint: %w", err)
	}
	d, err := New(ctx, p, opts)
	if err != nil {
		p.Close()
		return nil, err
	}
	return d, nil
}

// New initialises a module on an open port: VfyPwd, then ReadSysPara.
func New(ctx context.Context, port Port, opts Opts) (*Dev, error) {
	d := &Dev{port: port, opts: opts.withDefaults()}
	d.mu.Lock()
	defer d.mu.Unlock()
	if err := d.initLocked(ctx); err != nil {
		return nil, err
	}
	return d, nil
}

// Close closes the serial line.
func (d *Dev) Close() error { return d.port.Close() }

// String names the module for logs.
func (d *Dev) String() string { return fmt.Sprintf("r30x@%08X", d.opts.Address) }

// SysPara returns the parameters read at initialisation.
func (d *Dev) SysPara() SysPara {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.para
}

// initLocked performs the handshake after open or reopen.
func (d *Dev) initLocked(ctx context.Context) error {
	d.gen = d.port.Generation()
	var pw [4]byte
	binary.BigEndian.PutUint32(pw[:], d.opts.Password)
	if _, err := d.commandLocked(ctx, CmdVfyPwd, pw[:]); err != nil {
		return err
	}
	r, err := d.commandLocked(ctx, CmdReadSysPara, nil)
	if err != nil {
		return err
	}
	para, err := parseSysPara(r)
	if err != nil {
		return err
	}
	d.para = para
	return nil
}

func parseSysPara(r []byte) (SysPara, error) {
	if len(r) < 16 {
		return SysPara{}, fmt.Errorf("fingerprint: ReadSysPara: %w: %d parameter bytes", ErrFrame, len(r))
	}
	u16 := func(i int) int { return int(binary.BigEndian.Uint16(r[i:])) }
	code := u16(12)
	if code > 3 {
		return SysPara{}, fmt.Errorf("fingerprint: ReadSysPara: %w: packet size code %d", ErrFrame, code)
	}
	return SysPara{Status: uint16(u16(0)), SystemID: uint16(u16(2)), Capacity: u16(4), SecurityLevel: u16(6),
		Address: binary.BigEndian.Uint32(r[8:]), PacketSize: 32 << code, Baud: u16(14) * 9600}, nil
}

// command sends one instruction and returns the acknowledge's parameters
// (the payload after the confirmation code). A non-zero code is a
// *CodeError. If the line was reopened since the last instruction, the
// module is initialised again first.
func (d *Dev) command(ctx context.Context, cmd byte, params []byte) ([]byte, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if err := d.reinitLocked(ctx); err != nil {
		return nil, err
	}
	return d.commandLocked(ctx, cmd, params)
}

func (d *Dev) reinitLocked(ctx context.Context) error {
	if d.port.Generation() == d.gen {
		return nil
	}
	d.opts.Logger.Info("fingerprint module reopened, initialising", "dev", d.String())
	return d.initLocked(ctx)
}

func (d *Dev) commandLocked(ctx context.Context, cmd byte, params []byte) ([]byte, error) {
	// An answer abandoned by an earlier failed instruction must not be
	// taken for this one's. (Flush also drops queued output, so it is only
	// done after a failure, never behind a DownChar's data packets.)
	if d.dirty {
		if err := d.port.Flush(ctx); err != nil {
			return nil, fmt.Errorf("fingerprint: %s: %w", CommandName(cmd), err)
		}
		d.dirty = false
	}
	if err := d.send(ctx, PIDCommand, append([]byte{cmd}, params...)); err != nil {
		d.dirty = true
		return nil, fmt.Errorf("fingerprint: %s: %w", CommandName(cmd), err)
	}
	ack, err := d.receive(ctx)
	if err != nil {
		d.dirty = true
		return nil, fmt.Errorf("fingerprint: %s: %w", CommandName(cmd), err)
	}
	if ack.PID != PIDAck || len(ack.Payload) < 1 {
		return nil, fmt.Errorf("fingerprint: %s: %w: PID 0x%02X, %d bytes", CommandName(cmd), ErrFrame, ack.PID, len(ack.Payload))
	}
	if code := ack.Payload[0]; code != 0 {
		return nil, &CodeError{Cmd: cmd, Code: code}
	}
	return ack.Payload[1:], nil
}

func (d *Dev) send(ctx context.Context, pid byte, payload []byte) error {
	ctx, cancel := context.WithTimeout(ctx, d.opts.Timeout)
	defer cancel()
	return d.port.Write(ctx, Packet{Addr: d.opts.Address, PID: pid, Payload: payload}.Marshal())
}

// receive reads one packet addressed from our module within the timeout.
func (d *Dev) receive(ctx context.Context) (Packet, error) {
	ctx, cancel := context.WithTimeout(ctx, d.opts.Timeout)
	defer cancel()
	p, err := ReadPacket(func(b []byte) error { return d.port.ReadFull(ctx, b) })
	switch {
	case errors.Is(err, serialport.ErrTimeout):
		return p, fmt.Errorf("%w (%w)", ErrTimeout, err)
	case err != nil:
		return p, err
	case p.Addr != d.opts.Address:
		return p, fmt.Errorf("%w: answer from address %08X", ErrFrame, p.Addr)
	}
	return p, nil
}

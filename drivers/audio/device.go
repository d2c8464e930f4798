// Package audio owns the kiosk's loudspeaker: playing mono 16-bit PCM
// clips through ALSA (Debian's aplay, from alsa-utils, fed a WAV stream on
// its standard input), the volume through the day with a night mute
// (Schedule, applied as a software gain so it works with any card and any
// mixer naming), the call chime, and the RIFF/WAVE codec both the player
// and its simulator use.
//
// A Device is opened from a device string: "alsa:<pcm>" (an ALSA PCM
// name such as default, plughw:1,0, or null), "sim:<socket>" (the
// audiosim simulator, which writes each clip to a WAV file) or "none"
// (plays nothing, as fast as asked). Play interrupts cleanly when its
// context ends: aplay is killed, the simulator keeps the cut clip.
//
// It imports only the standard library; it must NOT import firmware, ui
// or any flow. Its simulator is drivers/audio/audiosim.
package audio

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os/exec"
	"strings"
	"sync"
	"time"
)

// Errors callers branch on.
var (
	// ErrMuted: the schedule has the volume at 0 now; nothing was played.
	ErrMuted = errors.New("audio: muted")
	// ErrPlayback: the player failed (no such card, device busy …).
	ErrPlayback = errors.New("audio: playback failed")
	// ErrSpec: the device string names no known backend.
	ErrSpec = errors.New("audio: bad device string")
	// ErrClosed: the device was closed.
	ErrClosed = errors.New("audio: device closed")
)

// Options configure a Device; nil and the zero value mean the defaults.
type Options struct {
	// Schedule is the volume through the day (nil: 100 all day).
	Schedule Schedule
	// Location is the time zone the schedule is read in (nil: time.Local).
	Location *time.Location
	// Now tells the time (nil: time.Now).
	Now func() time.Time
	// Command is the ALSA player (empty: "aplay").
	Command string
	// Logger (nil: slog.Default()) never receives what is said.
	Logger *slog.Logger
}

// Device is one loudspeaker. Play calls are serialised: one clip sounds at
// a time.
type Device struct {
	spec   string
	kind   string // "alsa", "sim", "none"
	target string
	opts   Options
	log    *slog.Logger

	mu     sync.Mutex // held for the duration of a Play
	closed bool
}

// Open prepares the device named by spec. Nothing is opened until Play:
// aplay is started per clip (ALSA is free between clips for other users,
// and a card that appears late is found).
func Open(spec string, opts *Options) (*Device, error) {
	d := &Device{spec: spec}
	if opts != nil {
		d.opts = *opts
	}
	if err := d.opts.Schedule.Check(); err != nil {
		return nil, err
	}
	if d.opts.Command == "" {
		d.opts.Command = "aplay"
	}
	if d.opts.Now == nil {
		d.opts.Now = time.Now
	}
	if d.opts.Location == nil {
		d.opts.Location = time.Local
	}
	d.log = d.opts.Logger
	if d.log == nil {
		d.log = slog.Default()
	}
	kind, target, _ := strings.Cut(spec, ":")
	switch {
	case spec == "none":
		d.kind = "none"
	case kind == "alsa":
		d.kind, d.target = "alsa", target
		if d.target == "" {
			d.target = "default"
		}
		if strings.ContainsAny(d.target, "\x00\n") || strings.HasPrefix(d.target, "-") {
			return nil, fmt.Errorf("%w: %q", ErrSpec, spec)
		}
	case kind == "sim" && target != "":
		d.kind, d.target = "sim", target
	default:
		return nil, fmt.Errorf("%w: %q (want alsa:<pcm>, sim:<socket> or none)", ErrSpec, spec)
	}
	return d, nil
}

// String is the device string.
func (d *Device) String() string { return d.spec }

// Volume is the schedule's volume now.
func (d *Device) Volume() int {
	return d.opts.Schedule.At(d.opts.Now().In(d.opts.Location))
}

// Muted reports whether the schedule has the loudspeaker off now.
func (d *Device) Muted() bool { return d.Volume() == 0 }

// Close ends the device; a Play in progress finishes first.
func (d *Device) Close() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.closed = true
	return nil
}

// Play plays c at the schedule's volume and returns when it has been
// played, or when ctx ends (the sound stops; ctx.Err() is returned). At
// volume 0 it returns ErrMuted at once.
func (d *Device) Play(ctx context.Context, c Clip) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.closed {
		return ErrClosed
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	vol := d.Volume()
	if vol == 0 {
		return ErrMuted
	}
	c.Samples = Scale(c.Samples, vol)
	if d.kind != "sim" {
		c.Text = "" // what is said goes to the simulator's files only
	}
	var wav bytes.Buffer
	if err := EncodeWAV(&wav, c); err != nil {
		return err
	}
	switch d.kind {
	case "alsa":
		return d.playALSA(ctx, wav.Bytes())
	case "sim":
		return d.playSim(ctx, wav.Bytes())
	}
	return nil
}

// playALSA runs `aplay -q -D <pcm> -t wav -` and writes the WAV to its
// standard input. aplay consumes at the card's pace, so the write takes
// about as long as the clip; ending ctx kills aplay.
func (d *Device) playALSA(ctx context.Context, wav []byte) error {
	cmd := exec.CommandContext(ctx, d.opts.Command, "-q", "-D", d.target, "-t", "wav", "-")
	cmd.WaitDelay = time.Second
	cmd.Stdin = bytes.NewReader(wav)
	var stderr limitedBuffer
	cmd.Stderr = &stderr
	err := cmd.Run()
	if ctx.Err() != nil {
		return ctx.Err()
	}
	if err != nil {
		return fmt.Errorf("%w: %s %s: %v: %s", ErrPlayback, d.opts.Command, d.target, err, strings.TrimSpace(stderr.String()))
	}
	return nil
}

// playSim sends the WAV to audiosim over its socket and waits until the
// simulator has played it (it closes the connection at the end).
func (d *Device) playSim(ctx context.Context, wav []byte) error {
	var dialer net.Dialer
	conn, err := dialer.DialContext(ctx, "unix", d.target)
	if err != nil {
		return fmt.Errorf("%w: %v", ErrPlayback, err)
	}
	defer conn.Close()
	// A small socket buffer keeps the writer as little ahead of the sound
	// as aplay's ring buffer would be, so a stop cuts the clip where it is.
	if uc, ok := conn.(*net.UnixConn); ok {
		uc.SetWriteBuffer(simBuffer)
	}
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	defer stop()
	if _, err := conn.Write(wav); err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return fmt.Errorf("%w: %v", ErrPlayback, err)
	}
	if uc, ok := conn.(*net.UnixConn); ok {
		uc.CloseWrite()
	}
	_, err = io.Copy(io.Discard, conn)
	if ctx.Err() != nil {
		return ctx.Err()
	}
	if err != nil {
		return fmt.Errorf("%w: %v", ErrPlayback, err)
	}
	return nil
}

// simBuffer is the socket buffer towards audiosim, in bytes (about 0.2 s
// of 22 050 Hz audio).
const simBuffer = 8192

// limitedBuffer keeps the first 1 KiB written (aplay's error line).
type limitedBuffer struct{ bytes.Buffer }

func (b *limitedBuffer) Write(p []byte) (int, error) {
	if room := 1024 - b.Len(); room > 0 {
		b.Buffer.Write(p[:min(len(p), room)])
	}
	return len(p), nil
}

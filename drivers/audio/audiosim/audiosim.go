// Package audiosim is the loudspeaker's device-side simulator: it listens
// on a Unix socket where an audio.Device opened as "sim:<socket>" sends
// each clip as a WAV stream, consumes it at the clip's own pace (a 3 s
// prompt takes 3 s, or 3 s / Options.Speed), and writes every clip it
// played to a WAV file under Options.Dir (for `kioskd sim`, var/sim/audio),
// so tests and a person can check what was said: the text of each clip
// (audio.Clip.Text) is in the WAV's comment and in a line of Dir/said.txt. A clip cut short (the
// player's context ended) is kept as far as it sounded, and marked Cut;
// two clips sounding at once are marked Overlapped.
//
// It follows the simulators' shape (docs/ARCHITECTURE.md): Start(ctx,
// *Options) → *Sim with Close, Path and DeviceString. It imports only the
// standard library and drivers/audio.
package audiosim

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/kiosk06/kiosk/drivers/audio"
)

// Options configure a Sim; nil and the zero value mean the defaults.
type Options struct {
	// Dir receives one WAV file per clip (empty: a new temporary
	// directory, left in place for inspection).
	Dir string
	// Socket is where to listen (empty: "audio.sock" in a new temporary
	// directory).
	Socket string
	// Speed is how many times faster than real time clips are consumed
	// (0: 1, real time).
	Speed float64
	// Logger (nil: slog.Default()).
	Logger *slog.Logger
}

// Played is one clip the simulator received.
type Played struct {
	Seq        int
	File       string // the WAV file written
	Label      string // the clip's INAM label (the prompt key)
	Text       string // what it says (its ICMT comment), also in said.txt
	Rate       int
	Samples    int
	Start, End time.Time
	// Cut: the player stopped sending before the clip's end.
	Cut bool
	// Overlapped: another clip sounded at the same time.
	Overlapped bool
}

// Sim is a running loudspeaker simulator.
type Sim struct {
	opts   Options
	ln     net.Listener
	dir    string
	sock   string
	log    *slog.Logger
	cancel context.CancelFunc
	wg     sync.WaitGroup

	mu      sync.Mutex
	played  []Played
	active  map[int]*Played
	seq     int
	changed chan struct{} // closed and replaced on every finished clip
}

// Start listens and serves until ctx ends or Close is called.
func Start(ctx context.Context, opts *Options) (*Sim, error) {
	s := &Sim{active: map[int]*Played{}, changed: make(chan struct{})}
	if opts != nil {
		s.opts = *opts
	}
	if s.opts.Speed <= 0 {
		s.opts.Speed = 1
	}
	s.log = s.opts.Logger
	if s.log == nil {
		s.log = slog.Default()
	}
	s.dir = s.opts.Dir
	if s.dir == "" {
		d, err := os.MkdirTemp("", "audiosim-")
		if err != nil {
			return nil, fmt.Errorf("audiosim: %w", err)
		}
		s.dir = d
	}
	if err := os.MkdirAll(s.dir, 0o755); err != nil {
		return nil, fmt.Errorf("audiosim: %w", err)
	}
	s.sock = s.opts.Socket
	if s.sock == "" {
		d, err := os.MkdirTemp("", "audiosim-sock-")
		if err != nil {
			return nil, fmt.Errorf("audiosim: %w", err)
		}
		s.sock = filepath.Join(d, "audio.sock")
	}
	os.Remove(s.sock) // a stale socket from a killed run
	ln, err := net.Listen("unix", s.sock)
	if err != nil {
		return nil, fmt.Errorf("audiosim: %w", err)
	}
	s.ln = ln
	ctx, s.cancel = context.WithCancel(ctx)
	s.wg.Add(2)
	go func() { defer s.wg.Done(); s.serve(ctx) }()
	go func() { defer s.wg.Done(); <-ctx.Done(); ln.Close() }()
	return s, nil
}

// Path is the socket the device connects to.
func (s *Sim) Path() string { return s.sock }

// DeviceString is what audio.Open and the [audio] device key take.
func (s *Sim) DeviceString() string { return "sim:" + s.sock }

// Dir is where the WAV files are written.
func (s *Sim) Dir() string { return s.dir }

// Close stops listening, ends the clips in progress and waits for the
// simulator's goroutines. It may be called again.
func (s *Sim) Close() error {
	s.cancel()
	s.wg.Wait()
	os.Remove(s.sock)
	return nil
}

// Clips returns the clips played so far, in order of their end.
func (s *Sim) Clips() []Played {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Played(nil), s.played...)
}

// Wait returns once n clips have been played (or ctx ends).
func (s *Sim) Wait(ctx context.Context, n int) ([]Played, error) {
	for {
		s.mu.Lock()
		if len(s.played) >= n {
			p := append([]Played(nil), s.played...)
			s.mu.Unlock()
			return p, nil
		}
		ch := s.changed
		s.mu.Unlock()
		select {
		case <-ch:
		case <-ctx.Done():
			return s.Clips(), ctx.Err()
		}
	}
}

func (s *Sim) serve(ctx context.Context) {
	for {
		conn, err := s.ln.Accept()
		if err != nil {
			if ctx.Err() == nil && !errors.Is(err, net.ErrClosed) {
				s.log.Warn("audiosim: accept", "err", err)
			}
			return
		}
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			defer conn.Close()
			if uc, ok := conn.(*net.UnixConn); ok {
				uc.SetReadBuffer(8192) // as little buffered as a card's ring
			}
			stop := context.AfterFunc(ctx, func() { conn.Close() })
			defer stop()
			if err := s.play(ctx, conn); err != nil {
				s.log.Warn("audiosim: clip refused", "err", err)
			}
		}()
	}
}

// play consumes one WAV stream at its pace and files it.
func (s *Sim) play(ctx context.Context, conn net.Conn) error {
	r, err := audio.NewWAVReader(conn)
	if err != nil {
		return err
	}
	p := s.begin(r)
	clip := audio.Clip{Rate: r.Rate, Label: r.Label, Text: r.Text}
	chunk := make([]int16, max(r.Rate/50, 1)) // 20 ms
	start := time.Now()
	var readErr error
	for {
		n, err := r.Read(chunk)
		clip.Samples = append(clip.Samples, chunk[:n]...)
		if len(clip.Samples) > audio.MaxSamples {
			readErr = fmt.Errorf("audiosim: clip longer than %d samples", audio.MaxSamples)
			break
		}
		if err != nil {
			if err != io.EOF {
				readErr = err
			}
			break
		}
		// Sound takes time: hold the stream back to the clip's pace.
		due := start.Add(time.Duration(float64(len(clip.Samples)) / float64(r.Rate) / s.opts.Speed * float64(time.Second)))
		if d := time.Until(due); d > 0 {
			t := time.NewTimer(d)
			select {
			case <-t.C:
			case <-ctx.Done():
				t.Stop()
			}
		}
	}
	// A stream that ended before its header's length was cut, unless the
	// header did not know its length (a streaming writer's 0x7fff… size).
	cut := readErr != nil || (r.Expected() >= 0 && r.Expected() > int64(len(clip.Samples)))
	return s.finish(p, clip, cut)
}

func (s *Sim) begin(r *audio.WAVReader) *Played {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.seq++
	p := &Played{Seq: s.seq, Label: r.Label, Text: r.Text, Rate: r.Rate, Start: time.Now()}
	for _, o := range s.active {
		o.Overlapped, p.Overlapped = true, true
	}
	s.active[p.Seq] = p
	return p
}

func (s *Sim) finish(p *Played, clip audio.Clip, cut bool) error {
	name := fmt.Sprintf("%04d-%s.wav", p.Seq, fileLabel(p.Label))
	path := filepath.Join(s.dir, name)
	f, err := os.Create(path)
	if err == nil {
		err = audio.EncodeWAV(f, clip)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err == nil {
		err = s.note(name, clip, cut, p.Overlapped)
	}
	delete(s.active, p.Seq)
	p.End, p.Samples, p.Cut, p.File = time.Now(), len(clip.Samples), cut, path
	s.played = append(s.played, *p)
	close(s.changed)
	s.changed = make(chan struct{})
	if err != nil {
		return fmt.Errorf("audiosim: write %s: %w", name, err)
	}
	s.log.Debug("audiosim: played", "file", name, "seconds", clip.Duration(), "cut", cut)
	return nil
}

// SaidFile is the file in Dir listing every clip, one a line: the WAV's
// name, its length with "cut" and "overlapped" when it was, and what it
// says ("0001-call.wav\t7.2s\tMời số …").
const SaidFile = "said.txt"

// note appends the clip's line to SaidFile. Called with mu held (lines in
// the order clips end).
func (s *Sim) note(name string, clip audio.Clip, cut, overlapped bool) error {
	f, err := os.OpenFile(filepath.Join(s.dir, SaidFile), os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	mark := ""
	if cut {
		mark = " cut"
	}
	if overlapped {
		mark += " overlapped"
	}
	text := strings.Join(strings.Fields(clip.Text), " ")
	_, err = fmt.Fprintf(f, "%s\t%.1fs%s\t%s\n", name, clip.Duration(), mark, text)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// fileLabel keeps a label's letters, digits, '.', '-' and '_' for a file
// name.
func fileLabel(l string) string {
	var b strings.Builder
	for _, r := range l {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '-' || r == '_' {
			b.WriteRune(r)
		}
		if b.Len() >= 64 {
			break
		}
	}
	if b.Len() == 0 {
		return "clip"
	}
	return b.String()
}

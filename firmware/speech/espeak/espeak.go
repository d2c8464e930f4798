// Package espeak is the kiosk's speech synthesizer: Debian's espeak-ng
// program (1.51, `-v vi` Northern Vietnamese, `-v en`), run once per
// utterance with the text on its standard input and the WAV read from its
// standard output. docs/ARCHITECTURE.md ("Voice") says why a program and
// not libespeak-ng through cgo: a crash or hang in the synthesizer (it
// parses text that comes from the HIS: clinic names) stays outside kioskd
// and is killed by the context, the ARM cross builds need no new -dev
// package, and the cost — one process start, about 10-20 ms of CPU on x86
// — is paid once per prompt text thanks to speech.Engine's cache.
//
// The text must be normalised first (speech.Normalize / Render): the
// synthesizer reads digits its own way. Text goes to espeak-ng's standard
// input, never its argument list, so no text is taken for an option; "[["
// (espeak's inline phoneme input) cannot survive normalisation.
//
// It imports speech (types) and drivers/audio (the WAV codec); it must
// NOT import ui, flows or other drivers.
package espeak

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os/exec"
	"strconv"
	"strings"
	"time"

	"github.com/kiosk06/kiosk/drivers/audio"
	"github.com/kiosk06/kiosk/firmware/speech"
)

// ErrSynth is returned when espeak-ng fails or writes no usable audio.
var ErrSynth = errors.New("espeak: synthesis failed")

// Options configure a Synth; nil and the zero value mean the defaults.
type Options struct {
	// Command is the espeak-ng program (empty: "espeak-ng" on $PATH).
	Command string
	// Voices maps a language to an espeak-ng voice (nil: vi → "vi",
	// the Northern voice; en → "en"). "vi-vn-x-south" and
	// "vi-vn-x-central" are the other Vietnamese voices.
	Voices map[speech.Lang]string
	// WordsPerMinute is the speaking rate (0: 150, a little slower than
	// espeak-ng's 175, for elderly listeners; range 80-450).
	WordsPerMinute int
	// Pitch is 0-99 (0: espeak-ng's default, 50).
	Pitch int
}

// maxSpoken bounds the text handed to espeak-ng: speech.MaxText of
// screen text, which grows when digits become words.
const maxSpoken = 16 * speech.MaxText

// Synth runs espeak-ng. It is safe for concurrent use.
type Synth struct {
	cmd   string
	opts  Options
	rate  string
	pitch string
}

// New finds espeak-ng and checks the options.
func New(opts *Options) (*Synth, error) {
	s := &Synth{}
	if opts != nil {
		s.opts = *opts
	}
	name := s.opts.Command
	if name == "" {
		name = "espeak-ng"
	}
	path, err := exec.LookPath(name)
	if err != nil {
		return nil, fmt.Errorf("espeak: %w (install espeak-ng)", err)
	}
	s.cmd = path
	if s.opts.WordsPerMinute == 0 {
		s.opts.WordsPerMinute = 150
	}
	if s.opts.WordsPerMinute < 80 || s.opts.WordsPerMinute > 450 {
		return nil, fmt.Errorf("espeak: rate %d words a minute outside 80-450", s.opts.WordsPerMinute)
	}
	if s.opts.Pitch < 0 || s.opts.Pitch > 99 {
		return nil, fmt.Errorf("espeak: pitch %d outside 0-99", s.opts.Pitch)
	}
	s.rate = strconv.Itoa(s.opts.WordsPerMinute)
	if s.opts.Pitch > 0 {
		s.pitch = strconv.Itoa(s.opts.Pitch)
	}
	return s, nil
}

// Voice is the espeak-ng voice used for lang.
func (s *Synth) Voice(lang speech.Lang) string {
	if v, ok := s.opts.Voices[lang]; ok && v != "" {
		return v
	}
	if lang == speech.English {
		return "en"
	}
	return "vi"
}

func (s *Synth) args(lang speech.Lang, extra ...string) []string {
	a := []string{"-v", s.Voice(lang), "-s", s.rate, "-b", "1"}
	if s.pitch != "" {
		a = append(a, "-p", s.pitch)
	}
	return append(a, extra...)
}

// run runs espeak-ng with text on stdin and returns its stdout.
func (s *Synth) run(ctx context.Context, text string, args []string) ([]byte, error) {
	if len(text) > maxSpoken {
		return nil, fmt.Errorf("%w: %w", ErrSynth, speech.ErrTooLong)
	}
	cmd := exec.CommandContext(ctx, s.cmd, args...)
	cmd.WaitDelay = time.Second
	cmd.Stdin = strings.NewReader(text)
	var out, stderr bytes.Buffer
	cmd.Stdout = &out
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		msg := stderr.String()
		if len(msg) > 512 {
			msg = msg[:512]
		}
		return nil, fmt.Errorf("%w: %v: %s", ErrSynth, err, strings.TrimSpace(msg))
	}
	return out.Bytes(), nil
}

// Synthesize implements speech.Synthesizer: mono 16-bit PCM at 22 050 Hz
// (espeak-ng's rate).
func (s *Synth) Synthesize(ctx context.Context, lang speech.Lang, text string) (speech.Audio, error) {
	out, err := s.run(ctx, text, s.args(lang, "--stdout"))
	if err != nil {
		return speech.Audio{}, err
	}
	clip, err := audio.DecodeWAV(bytes.NewReader(out))
	if err != nil {
		return speech.Audio{}, fmt.Errorf("%w: %w", ErrSynth, err)
	}
	if len(clip.Samples) == 0 {
		return speech.Audio{}, fmt.Errorf("%w: no audio for %d bytes of text", ErrSynth, len(text))
	}
	return speech.Audio{Rate: clip.Rate, Samples: clip.Samples}, nil
}

// Phonemes returns espeak-ng's phoneme transcription of text (its -x
// mnemonics, -q: no audio), one clause a line: what the listener will
// hear, for tests and `kioskd diag`.
func (s *Synth) Phonemes(ctx context.Context, lang speech.Lang, text string) (string, error) {
	out, err := s.run(ctx, text, s.args(lang, "-q", "-x"))
	if err != nil {
		return "", err
	}
	return strings.TrimSpace(string(out)), nil
}

// Version is espeak-ng's version line ("eSpeak NG text-to-speech: 1.51 …").
func (s *Synth) Version(ctx context.Context) (string, error) {
	out, err := exec.CommandContext(ctx, s.cmd, "--version").Output()
	if err != nil {
		return "", fmt.Errorf("%w: --version: %v", ErrSynth, err)
	}
	line, _, _ := strings.Cut(string(out), "\n")
	return strings.TrimSpace(line), nil
}

// Package voicekit assembles the kiosk's voice from the [audio] section:
// the espeak-ng synthesizer (firmware/speech/espeak), the loudspeaker
// (drivers/audio: aplay, or the audiosim simulator that firmware/simrig
// starts under --sim), the speech.Engine with the volume schedule's night
// mute, and the speech.Announcer; and FollowQueue, which calls numbers
// aloud as the queue engine calls and recalls them. firmware/cmd/kioskd
// opens one Kit per process and hands Kit.Engine to the screens (through
// ui/voice) and Kit.Announcer to the queue display.
//
// It imports config, drivers/audio, speech, speech/espeak and queue; it
// must NOT import Fyne, ui or a simulator (the simulator's device string
// comes in Options.SimDevice).
package voicekit

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/kiosk06/kiosk/drivers/audio"
	"github.com/kiosk06/kiosk/firmware/config"
	"github.com/kiosk06/kiosk/firmware/speech"
	"github.com/kiosk06/kiosk/firmware/speech/espeak"
	"github.com/kiosk06/kiosk/queue"
)

// Options configure Open; nil and the zero value mean the defaults.
type Options struct {
	// SimDevice is the running audiosim's device string, required when
	// [audio] device = "sim".
	SimDevice string
	// Location is the time zone of the volume schedule (nil: time.Local).
	Location *time.Location
	// Now tells the time (nil: time.Now).
	Now func() time.Time
	// Logger (nil: slog.Default()).
	Logger *slog.Logger
}

// Kit is the voice of one kiosk.
type Kit struct {
	Engine    *speech.Engine
	Announcer *speech.Announcer
	Device    *audio.Device
	Synth     *espeak.Synth
}

// ErrDisabled is returned by Open when [audio] enabled = false.
var ErrDisabled = errors.New("voicekit: voice disabled in [audio]")

// Open builds the voice. voices supplies the call templates (ui/voice's
// Voice).
func Open(cfg config.Audio, voices speech.Voices, opts *Options) (*Kit, error) {
	var o Options
	if opts != nil {
		o = *opts
	}
	if !cfg.Enabled {
		return nil, ErrDisabled
	}
	spec := cfg.Device
	if spec == config.SimDevice {
		if o.SimDevice == "" {
			return nil, fmt.Errorf("voicekit: [audio] device = \"sim\" but no simulator is running")
		}
		spec = o.SimDevice
	}
	var sched audio.Schedule
	for _, l := range cfg.Levels() {
		sched = append(sched, audio.Level{From: l.From, Volume: l.Volume})
	}
	dev, err := audio.Open(spec, &audio.Options{Schedule: sched, Location: o.Location, Now: o.Now, Logger: o.Logger})
	if err != nil {
		return nil, fmt.Errorf("voicekit: %w", err)
	}
	synth, err := espeak.New(&espeak.Options{WordsPerMinute: cfg.Rate, Voices: map[speech.Lang]string{speech.Vietnamese: cfg.Voice}})
	if err != nil {
		return nil, fmt.Errorf("voicekit: %w", err)
	}
	out := speech.OutputFunc(func(ctx context.Context, u speech.Utterance, a speech.Audio) error {
		err := dev.Play(ctx, audio.Clip{Rate: a.Rate, Samples: a.Samples, Label: u.Key, Text: u.Text})
		if errors.Is(err, audio.ErrMuted) {
			return speech.ErrMuted
		}
		return err
	})
	eng := speech.NewEngine(synth, out, &speech.Options{Chime: audio.Chime, Muted: dev.Muted, Logger: o.Logger})
	var langs []speech.Lang
	for _, l := range cfg.AnnounceLanguages {
		langs = append(langs, speech.ParseLang(l))
	}
	ann := speech.NewAnnouncer(eng, voices, &speech.AnnouncerOptions{Langs: langs, Times: cfg.AnnounceTimes})
	return &Kit{Engine: eng, Announcer: ann, Device: dev, Synth: synth}, nil
}

// Close stops the voice: what is being said is cut.
func (k *Kit) Close() error {
	k.Engine.Close()
	return k.Device.Close()
}

// FollowQueue calls each number the queue engine calls (queue.EvCalled)
// and says it again on a recall (queue.EvRecalled), in the order of the
// events, until events closes or ctx ends. The counter is the place as
// configured in [[queue.services]] ("101", "Quầy 3"). Calls wait in a
// local line of up to 64 so a burst of calls never stalls the queue's
// event stream; a call that cannot be said is logged by its ticket, never
// dropped silently.
func FollowQueue(ctx context.Context, a *speech.Announcer, events <-chan queue.Event, log *slog.Logger) {
	if log == nil {
		log = slog.Default()
	}
	type item struct {
		call   speech.Call
		recall bool
	}
	line := make(chan item, 64)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for it := range line {
			var err error
			if it.recall {
				err = a.Recall(ctx, it.call)
			} else {
				err = a.Call(ctx, it.call)
			}
			if err != nil && !errors.Is(err, speech.ErrMuted) && ctx.Err() == nil {
				log.Warn("voicekit: call not said", "ticket", it.call.Ticket, "counter", it.call.Place, "err", err)
			}
		}
	}()
	defer func() { close(line); <-done }()
	for {
		select {
		case <-ctx.Done():
			return
		case ev, ok := <-events:
			if !ok {
				return
			}
			if ev.Kind != queue.EvCalled && ev.Kind != queue.EvRecalled {
				continue
			}
			it := item{call: speech.Call{Ticket: ev.Ticket, Place: ev.Counter}, recall: ev.Kind == queue.EvRecalled}
			select {
			case line <- it:
			default:
				log.Warn("voicekit: call line full, call not said", "ticket", ev.Ticket, "counter", ev.Counter)
			}
		}
	}
}

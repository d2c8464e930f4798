package kiosk

import (
	"context"
	"errors"
	"log/slog"

	"github.com/kiosk06/kiosk/firmware/config"
	"github.com/kiosk06/kiosk/firmware/speech"
	"github.com/kiosk06/kiosk/firmware/voicekit"
	"github.com/kiosk06/kiosk/queue"
)

// openVoice opens the kiosk's one voice from [audio] (issue 20): the
// loudspeaker (ALSA, the simulator's device string under --sim, or none),
// espeak-ng and the speech engine with its announcer. A kiosk that cannot
// speak still serves: a missing synthesizer or a bad device is logged and
// the kiosk runs silent (nil). voices nil (a build without voice books)
// or [audio] enabled = false: silent too.
func openVoice(cfg *config.Config, voices speech.Voices, simDevice string, log *slog.Logger) *voicekit.Kit {
	if voices == nil {
		if cfg.Audio.Enabled {
			log.Info("voice: this kioskd has no voice books (built with -tags nogui): it does not speak")
		}
		return nil
	}
	kit, err := voicekit.Open(cfg.Audio, voices, &voicekit.Options{SimDevice: simDevice, Location: cfg.Device.Location(), Logger: log})
	switch {
	case errors.Is(err, voicekit.ErrDisabled):
		log.Info("voice: off ([audio] enabled = false)")
		return nil
	case err != nil:
		log.Error("voice: the kiosk will not speak", "err", err)
		return nil
	}
	log.Info("voice: ready", "device", kit.Device.String(), "volume", kit.Device.Volume())
	return kit
}

// voiceComponent stops the voice after the profile (what is being said is
// cut).
func voiceComponent(kit *voicekit.Kit) component {
	return component{"voice", func(context.Context) error { return kit.Close() }}
}

// callsOf is the Env.Calls of a kiosk with a voice: numbers called aloud
// on its announcer.
func callsOf(kit *voicekit.Kit, log *slog.Logger) func(context.Context, <-chan queue.Event) {
	if kit == nil {
		return nil
	}
	return func(ctx context.Context, events <-chan queue.Event) {
		voicekit.FollowQueue(ctx, kit.Announcer, events, log)
	}
}

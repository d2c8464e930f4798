package config

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"
)

// Audio is the [audio] section: the kiosk's voice (spoken guidance and
// results on every screen, number calls with a chime) and its
// loudspeaker. firmware/cmd/kioskd builds the speech engine from it
// (firmware/speech, speech/espeak, drivers/audio).
//
//	[audio]
//	enabled = true                 # false: the kiosk never speaks
//	device = "alsa:default"        # alsa:<pcm>, "sim" (audiosim, var/sim/audio) or "none"
//	language = ""                  # "": follow the screen's language; "vi" or "en" to fix it
//	volume = 80                    # 0-100 from 00:00, until a [[audio.schedule]] level
//	night_mute = "22:00-06:00"     # silent between these local times; "" for never
//	voice = "vi"                   # espeak-ng voice: vi (Northern), vi-vn-x-central, vi-vn-x-south
//	rate = 150                     # words a minute
//	announce_languages = ["vi"]    # each number call in these languages, in order
//	announce_times = 2             # the words of a call said this many times after the chime
//	[[audio.schedule]]
//	from = "11:30"
//	volume = 60                    # quieter over the lunch break
type Audio struct {
	Enabled bool `toml:"enabled"`
	// Device is the loudspeaker: "alsa:<pcm>", "sim" or "none" (empty:
	// "alsa:default" on a device, "sim" under --sim).
	Device            string       `toml:"device" expect:"alsa:<pcm> such as alsa:default or alsa:plughw:1,0, sim, or none"`
	Language          string       `toml:"language" expect:"empty (follow the screen), vi or en"`
	Volume            int          `toml:"volume" expect:"a volume from 0 to 100"`
	Schedule          []AudioLevel `toml:"schedule"`
	NightMute         string       `toml:"night_mute" expect:"local times \"HH:MM-HH:MM\" such as \"22:00-06:00\", or empty"`
	Voice             string       `toml:"voice" expect:"vi, vi-vn-x-central or vi-vn-x-south"`
	Rate              int          `toml:"rate" expect:"words a minute, from 80 to 450"`
	AnnounceLanguages []string     `toml:"announce_languages" expect:"vi and/or en"`
	AnnounceTimes     int          `toml:"announce_times" expect:"1, 2 or 3"`
}

// AudioLevel is one [[audio.schedule]] entry: the volume from a local
// time of day on.
type AudioLevel struct {
	From   string `toml:"from" expect:"a local time such as \"06:00\""`
	Volume int    `toml:"volume" expect:"a volume from 0 to 100"`
}

// VolumeLevel is a point of the day's volume curve.
type VolumeLevel struct {
	From   time.Duration // since local midnight
	Volume int           // 0-100
}

// Levels is the whole day's volume: Volume from midnight, each schedule
// entry from its time, and the night mute laid over them (0 from its
// start, and back to the level in force at its end). drivers/audio's
// Schedule takes it as it is. The section must be valid.
func (a Audio) Levels() []VolumeLevel {
	base := []VolumeLevel{{0, a.Volume}}
	for _, l := range a.Schedule {
		d, _ := clockOf(l.From)
		base = append(base, VolumeLevel{d, l.Volume})
	}
	sort.SliceStable(base, func(i, j int) bool { return base[i].From < base[j].From })
	at := func(d time.Duration) int {
		v := base[0].Volume
		for _, l := range base {
			if l.From <= d {
				v = l.Volume
			}
		}
		return v
	}
	start, end, ok := a.nightMute()
	if !ok {
		return base
	}
	inMute := func(d time.Duration) bool {
		if start < end {
			return d >= start && d < end
		}
		return d >= start || d < end
	}
	out := []VolumeLevel{{start, 0}, {end, at(end)}}
	for _, l := range base {
		if !inMute(l.From) && l.From != end {
			out = append(out, l)
		}
	}
	if !inMute(0) && !slices.ContainsFunc(out, func(l VolumeLevel) bool { return l.From == 0 }) {
		out = append(out, VolumeLevel{0, at(0)})
	}
	if inMute(0) && start != 0 {
		out = append(out, VolumeLevel{0, 0})
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].From < out[j].From })
	return slices.CompactFunc(out, func(x, y VolumeLevel) bool { return x.From == y.From })
}

func (a Audio) nightMute() (start, end time.Duration, ok bool) {
	s, e, found := strings.Cut(a.NightMute, "-")
	if !found {
		return 0, 0, false
	}
	start, err1 := clockOf(strings.TrimSpace(s))
	end, err2 := clockOf(strings.TrimSpace(e))
	return start, end, err1 == nil && err2 == nil && start != end
}

func clockOf(s string) (time.Duration, error) {
	t, err := time.Parse("15:04", s)
	if err != nil {
		return 0, err
	}
	return time.Duration(t.Hour())*time.Hour + time.Duration(t.Minute())*time.Minute, nil
}

// SimDevice is the Device value that starts audiosim.
const SimDevice = "sim"

func (a *Audio) validate(v *validator, sim bool) {
	if _, written := v.lines["audio.enabled"]; !written {
		a.Enabled = true
	}
	if _, written := v.lines["audio.volume"]; !written {
		a.Volume = 80
	}
	if a.Device == "" {
		a.Device = "alsa:default"
		if sim {
			a.Device = SimDevice
		}
	}
	if a.Voice == "" {
		a.Voice = "vi"
	}
	if a.Rate == 0 {
		a.Rate = 150
	}
	if len(a.AnnounceLanguages) == 0 {
		a.AnnounceLanguages = []string{"vi"}
	}
	if a.AnnounceTimes == 0 {
		a.AnnounceTimes = 2
	}
	kind, pcm, _ := strings.Cut(a.Device, ":")
	v.check(a.Device == SimDevice || a.Device == "none" || (kind == "alsa" && !strings.HasPrefix(pcm, "-") && !strings.ContainsAny(pcm, "\x00\n")),
		"audio.device", a.Device, "alsa:<pcm> such as alsa:default or alsa:plughw:1,0, sim, or none")
	v.check(a.Device != SimDevice || sim, "audio.device", a.Device, "a real loudspeaker (alsa:<pcm>) or none: \"sim\" is only for --sim")
	v.check(oneOf(a.Language, "", "vi", "en"), "audio.language", a.Language, "empty (follow the screen), vi or en")
	v.check(a.Volume >= 0 && a.Volume <= 100, "audio.volume", a.Volume, "a volume from 0 to 100")
	seen := map[string]bool{}
	for i, l := range a.Schedule {
		_, err := clockOf(l.From)
		v.check(err == nil && !seen[l.From], "audio.schedule", l.From, fmt.Sprintf("a distinct local time such as \"06:00\" per entry (entry %d)", i+1))
		v.check(l.Volume >= 0 && l.Volume <= 100, "audio.schedule", l.Volume, fmt.Sprintf("a volume from 0 to 100 (entry %d)", i+1))
		seen[l.From] = true
	}
	if a.NightMute != "" {
		_, _, ok := a.nightMute()
		v.check(ok, "audio.night_mute", a.NightMute, "local times \"HH:MM-HH:MM\" such as \"22:00-06:00\", start and end different")
	}
	v.check(oneOf(a.Voice, "vi", "vi-vn-x-central", "vi-vn-x-south"), "audio.voice", a.Voice, "vi, vi-vn-x-central or vi-vn-x-south")
	v.check(a.Rate >= 80 && a.Rate <= 450, "audio.rate", a.Rate, "words a minute, from 80 to 450")
	for _, l := range a.AnnounceLanguages {
		v.check(oneOf(l, "vi", "en"), "audio.announce_languages", l, "vi and/or en")
	}
	v.check(a.AnnounceTimes >= 1 && a.AnnounceTimes <= 3, "audio.announce_times", a.AnnounceTimes, "1, 2 or 3")
}

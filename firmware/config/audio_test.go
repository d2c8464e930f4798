package config

import (
	"slices"
	"testing"
	"time"
)

const audioBase = "[device]\nid = \"h-01\"\nprofile = \"hospital\"\n"

func TestAudioDefaults(t *testing.T) {
	c, err := Parse("t.toml", []byte(audioBase), RealOptions())
	if err != nil {
		t.Fatal(err)
	}
	a := c.Audio
	if !a.Enabled || a.Device != "alsa:default" || a.Volume != 80 || a.Voice != "vi" || a.Rate != 150 ||
		!slices.Equal(a.AnnounceLanguages, []string{"vi"}) || a.AnnounceTimes != 2 || a.Language != "" {
		t.Fatalf("defaults %+v", a)
	}
	sim, err := SimDefault(FakeProfiles())
	if err != nil {
		t.Fatal(err)
	}
	if sim.Audio.Device != SimDevice {
		t.Errorf("--sim device %q, want sim", sim.Audio.Device)
	}
	off, err := Parse("t.toml", []byte(audioBase+"[audio]\nenabled = false\nvolume = 0\n"), RealOptions())
	if err != nil || off.Audio.Enabled || off.Audio.Volume != 0 {
		t.Fatalf("enabled = false, volume = 0: %+v, %v", off.Audio, err)
	}
}

func TestAudioErrors(t *testing.T) {
	for _, tc := range []struct{ doc, key string }{
		{"device = \"pulse\"", "audio.device"},
		{"device = \"alsa:-D\"", "audio.device"},
		{"device = \"sim\"", "audio.device"}, // only under --sim
		{"language = \"fr\"", "audio.language"},
		{"volume = 101", "audio.volume"},
		{"night_mute = \"22:00\"", "audio.night_mute"},
		{"night_mute = \"22:00-22:00\"", "audio.night_mute"},
		{"night_mute = \"25:00-06:00\"", "audio.night_mute"},
		{"voice = \"en\"", "audio.voice"},
		{"rate = 20", "audio.rate"},
		{"announce_languages = [\"fr\"]", "audio.announce_languages"},
		{"announce_times = 9", "audio.announce_times"},
		{"[[audio.schedule]]\nfrom = \"7h\"\nvolume = 50", "audio.schedule"},
		{"[[audio.schedule]]\nfrom = \"07:00\"\nvolume = 500", "audio.schedule"},
		{"[[audio.schedule]]\nfrom = \"07:00\"\nvolume = 5\n[[audio.schedule]]\nfrom = \"07:00\"\nvolume = 6", "audio.schedule"},
		{"loudness = 3", "audio.loudness"},
	} {
		_, err := Parse("t.toml", []byte(audioBase+"[audio]\n"+tc.doc+"\n"), RealOptions())
		es, _ := err.(Errors)
		found := false
		for _, e := range es {
			if e.Key == tc.key {
				found = true
			}
		}
		if !found {
			t.Errorf("%q: error %v, want one at %s", tc.doc, err, tc.key)
		}
	}
}

func TestAudioLevels(t *testing.T) {
	h := func(hh, mm int) time.Duration { return time.Duration(hh)*time.Hour + time.Duration(mm)*time.Minute }
	for _, tc := range []struct {
		name string
		a    Audio
		want []VolumeLevel
	}{
		{"flat", Audio{Volume: 80}, []VolumeLevel{{0, 80}}},
		{"lunch", Audio{Volume: 80, Schedule: []AudioLevel{{"13:30", 80}, {"11:30", 50}}},
			[]VolumeLevel{{0, 80}, {h(11, 30), 50}, {h(13, 30), 80}}},
		{"night over midnight", Audio{Volume: 80, NightMute: "22:00-06:00", Schedule: []AudioLevel{{"11:30", 50}, {"13:30", 80}, {"23:00", 40}}},
			[]VolumeLevel{{0, 0}, {h(6, 0), 80}, {h(11, 30), 50}, {h(13, 30), 80}, {h(22, 0), 0}}},
		{"night mute inside the day", Audio{Volume: 70, NightMute: "12:00-13:00"},
			[]VolumeLevel{{0, 70}, {h(12, 0), 0}, {h(13, 0), 70}}},
		{"mute from midnight", Audio{Volume: 60, NightMute: "00:00-05:30"},
			[]VolumeLevel{{0, 0}, {h(5, 30), 60}}},
		{"level at the mute's end", Audio{Volume: 60, NightMute: "22:00-06:00", Schedule: []AudioLevel{{"06:00", 90}}},
			[]VolumeLevel{{0, 0}, {h(6, 0), 90}, {h(22, 0), 0}}},
	} {
		if got := tc.a.Levels(); !slices.Equal(got, tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
	}
}

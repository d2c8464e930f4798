package voicekit

import (
	"context"
	"errors"
	"flag"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/kiosk06/kiosk/drivers/audio"
	"github.com/kiosk06/kiosk/drivers/audio/audiosim"
	"github.com/kiosk06/kiosk/firmware/config"
	"github.com/kiosk06/kiosk/firmware/speech"
	"github.com/kiosk06/kiosk/queue"
)

var sample = flag.String("sample", "", "copy the first call's WAV to this file (the README's example)")

type voices map[string]string

func (v voices) Voice(l speech.Lang, k string) (string, bool) {
	s, ok := v[string(l)+"/"+k]
	return s, ok
}

// The call templates as ui/i18n has them (ui/voice's tests check the
// books against the catalogue).
var callVoices = voices{
	"vi/" + speech.KeyCallRoom:  "Mời số {number} đến phòng {room}",
	"vi/" + speech.KeyCallPlace: "Mời số {number} đến {place}",
}

func needTools(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("espeak-ng"); err != nil {
		t.Skip("espeak-ng is not installed (apt-get install espeak-ng; .ci/deps installs it)")
	}
}

func simAudio(t *testing.T, speed float64) *audiosim.Sim {
	t.Helper()
	sim, err := audiosim.Start(context.Background(), &audiosim.Options{Dir: t.TempDir(), Speed: speed})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sim.Close() })
	return sim
}

// hospitalOnly names one profile and gives it no section: enough to check
// the [audio] table the way a hospital kiosk's config is checked.
type hospitalOnly struct{}

func (hospitalOnly) Names() []string                  { return []string{"hospital"} }
func (hospitalOnly) NewSection(string) config.Section { return nil }

func validAudio(t *testing.T, doc string) config.Audio {
	t.Helper()
	c, err := config.Parse("t.toml", []byte("[device]\nid = \"h-01\"\nprofile = \"hospital\"\n[audio]\n"+doc), config.Options{Sim: true, Profiles: hospitalOnly{}})
	if err != nil {
		t.Fatal(err)
	}
	return c.Audio
}

// TestCallsFromTheQueue: the queue's call and recall events become
// chimed calls on the (simulated) loudspeaker, in order, never
// overlapping, each a WAV file beginning with the chime.
func TestCallsFromTheQueue(t *testing.T) {
	needTools(t)
	sim := simAudio(t, 20)
	cfg := validAudio(t, "volume = 100\nannounce_times = 1\n")
	kit, err := Open(cfg, callVoices, &Options{SimDevice: sim.DeviceString()})
	if err != nil {
		t.Fatal(err)
	}
	defer kit.Close()
	events := make(chan queue.Event, 8)
	events <- queue.Event{Kind: queue.EvIssued, Ticket: "A013"}
	events <- queue.Event{Kind: queue.EvCalled, Ticket: "A012", Counter: "101"}
	events <- queue.Event{Kind: queue.EvRecalled, Ticket: "A012", Counter: "101"}
	events <- queue.Event{Kind: queue.EvCalled, Ticket: "B003", Counter: "Quầy 3"}
	close(events)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	FollowQueue(ctx, kit.Announcer, events, nil)
	clips, err := sim.Wait(ctx, 3)
	if err != nil {
		t.Fatalf("%v after %d clips", err, len(clips))
	}
	chime := audio.Chime(22050)
	for i, c := range clips {
		if c.Label != "call" || c.Cut || c.Overlapped || c.Rate != 22050 {
			t.Errorf("clip %d: %+v", i, c)
		}
		f, err := os.Open(c.File)
		if err != nil {
			t.Fatal(err)
		}
		got, err := audio.DecodeWAV(f)
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		if d := got.Duration(); d < 3 || d > 12 {
			t.Errorf("clip %d lasts %.1f s", i, d)
		}
		for j := range chime {
			if got.Samples[j] != chime[j] {
				t.Fatalf("clip %d does not start with the chime (sample %d)", i, j)
			}
		}
	}
	if *sample != "" {
		copyFile(t, clips[0].File, *sample)
	}
	if s := kit.Engine.Stats(); s.Said != 3 || s.Synthesized != 2 {
		t.Errorf("stats %+v (the recall is the same text: synthesized once)", s)
	}
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	in, err := os.Open(from)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	if err := os.MkdirAll(filepath.Dir(to), 0o755); err != nil {
		t.Fatal(err)
	}
	out, err := os.Create(to)
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	if _, err := io.Copy(out, in); err != nil {
		t.Fatal(err)
	}
}

// TestNightMute: at 23:00 with night_mute 22:00-06:00 nothing sounds and
// nothing is synthesized; at 07:00 the volume schedule's level applies.
func TestNightMute(t *testing.T) {
	needTools(t)
	sim := simAudio(t, 50)
	cfg := validAudio(t, "volume = 50\nnight_mute = \"22:00-06:00\"\nannounce_times = 1\n")
	now := time.Date(2026, 12, 4, 23, 0, 0, 0, time.UTC)
	kit, err := Open(cfg, callVoices, &Options{SimDevice: sim.DeviceString(), Location: time.UTC, Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	defer kit.Close()
	ctx := context.Background()
	if err := kit.Announcer.Call(ctx, speech.Call{Ticket: "A001", Place: "101"}); !errors.Is(err, speech.ErrMuted) {
		t.Fatalf("call at 23:00: %v, want ErrMuted", err)
	}
	if len(sim.Clips()) != 0 || kit.Engine.Stats().Synthesized != 0 {
		t.Fatal("the night mute let something through")
	}
	now = time.Date(2026, 12, 5, 7, 0, 0, 0, time.UTC)
	if err := kit.Announcer.Call(ctx, speech.Call{Ticket: "A001", Place: "101"}); err != nil {
		t.Fatal(err)
	}
	clips := sim.Clips()
	if len(clips) != 1 {
		t.Fatalf("%d clips at 07:00", len(clips))
	}
	f, _ := os.Open(clips[0].File)
	defer f.Close()
	got, err := audio.DecodeWAV(f)
	if err != nil {
		t.Fatal(err)
	}
	want := audio.Scale(audio.Chime(22050)[:2000], 50)
	for i := range want {
		if got.Samples[i] != want[i] {
			t.Fatalf("sample %d = %d, want the chime at volume 50 (%d)", i, got.Samples[i], want[i])
		}
	}
}

func TestOpenErrors(t *testing.T) {
	cfg := validAudio(t, "enabled = false\n")
	if _, err := Open(cfg, callVoices, nil); !errors.Is(err, ErrDisabled) {
		t.Errorf("disabled: %v", err)
	}
	cfg = validAudio(t, "device = \"sim\"\n")
	if _, err := Open(cfg, callVoices, nil); err == nil {
		t.Error("sim device without a simulator accepted")
	}
}

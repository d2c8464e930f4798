package audiosim

import (
	"context"
	"errors"
	"math"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/kiosk06/kiosk/drivers/audio"
)

func tone(rate int, seconds float64) []int16 {
	s := make([]int16, int(float64(rate)*seconds))
	for i := range s {
		s[i] = int16(9000 * math.Sin(2*math.Pi*523*float64(i)/float64(rate)))
	}
	return s
}

func start(t *testing.T, o *Options) *Sim {
	t.Helper()
	s, err := Start(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// TestShape holds the simulator contract of docs/ARCHITECTURE.md.
func TestShape(t *testing.T) {
	// nil Options: defaults; Close twice.
	s, err := Start(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if s.Path() == "" || s.DeviceString() != "sim:"+s.Path() || s.Dir() == "" {
		t.Fatalf("Path %q DeviceString %q Dir %q", s.Path(), s.DeviceString(), s.Dir())
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	// The end of ctx releases it as Close does: the socket stops answering.
	ctx, cancel := context.WithCancel(context.Background())
	s, err = Start(ctx, &Options{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	cancel()
	s.Close() // waits for the goroutines ctx ended
	d, _ := audio.Open(s.DeviceString(), nil)
	if err := d.Play(context.Background(), audio.Clip{Rate: 8000, Samples: []int16{1}}); !errors.Is(err, audio.ErrPlayback) {
		t.Fatalf("Play after the simulator ended: %v", err)
	}
}

func TestPlayFiles(t *testing.T) {
	dir := t.TempDir()
	s := start(t, &Options{Dir: dir, Speed: 10})
	d, err := audio.Open(s.DeviceString(), nil)
	if err != nil {
		t.Fatal(err)
	}
	want := tone(22050, 0.5)
	t0 := time.Now()
	const said = "Mời số A 0 1 2 đến phòng một trăm linh một."
	if err := d.Play(context.Background(), audio.Clip{Rate: 22050, Samples: want, Label: "announce.call", Text: said}); err != nil {
		t.Fatal(err)
	}
	// Play returns once the clip has sounded: 0.5 s at 10× is ≥ 50 ms.
	if took := time.Since(t0); took < 45*time.Millisecond {
		t.Errorf("Play returned after %v, before the clip could have sounded", took)
	}
	clips := s.Clips()
	if len(clips) != 1 {
		t.Fatalf("%d clips", len(clips))
	}
	c := clips[0]
	if c.Label != "announce.call" || c.Text != said || c.Cut || c.Overlapped || c.Samples != len(want) || filepath.Base(c.File) != "0001-announce.call.wav" {
		t.Fatalf("clip %+v", c)
	}
	// What it says: in said.txt for a person, in the WAV's comment.
	list, err := os.ReadFile(filepath.Join(dir, SaidFile))
	if err != nil {
		t.Fatal(err)
	}
	if line := "0001-announce.call.wav\t0.5s\t" + said + "\n"; string(list) != line {
		t.Errorf("%s = %q, want %q", SaidFile, list, line)
	}
	f, err := os.Open(c.File)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	got, err := audio.DecodeWAV(f)
	if err != nil {
		t.Fatal(err)
	}
	if got.Text != said {
		t.Errorf("the WAV's comment is %q", got.Text)
	}
	for i := range want {
		if got.Samples[i] != want[i] {
			t.Fatalf("sample %d = %d, want %d", i, got.Samples[i], want[i])
		}
	}
}

// TestCut: ending the player's context stops the sound; the simulator
// keeps what sounded and marks the clip Cut.
func TestCut(t *testing.T) {
	s := start(t, &Options{Dir: t.TempDir(), Speed: 1})
	d, _ := audio.Open(s.DeviceString(), nil)
	ctx, cancel := context.WithTimeout(context.Background(), 150*time.Millisecond)
	defer cancel()
	err := d.Play(ctx, audio.Clip{Rate: 22050, Samples: tone(22050, 3), Label: "guide.x"})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Play = %v, want the context's error", err)
	}
	clips, err := s.Wait(context.Background(), 1)
	if err != nil {
		t.Fatal(err)
	}
	if !clips[0].Cut || clips[0].Samples >= 3*22050 || clips[0].Samples == 0 {
		t.Fatalf("cut clip %+v", clips[0])
	}
}

// TestOverlap: two players at once on one loudspeaker are marked, which is
// what the speech engine's tests assert never happens.
func TestOverlap(t *testing.T) {
	s := start(t, &Options{Dir: t.TempDir(), Speed: 5})
	var wg sync.WaitGroup
	for _, l := range []string{"a", "b"} {
		d, _ := audio.Open(s.DeviceString(), nil)
		wg.Add(1)
		go func() {
			defer wg.Done()
			d.Play(context.Background(), audio.Clip{Rate: 8000, Samples: tone(8000, 1), Label: l})
		}()
	}
	wg.Wait()
	clips, _ := s.Wait(context.Background(), 2)
	if !clips[0].Overlapped || !clips[1].Overlapped {
		t.Fatalf("overlap not seen: %+v", clips)
	}
	// One device serialises its own Play calls: no overlap.
	s2 := start(t, &Options{Dir: t.TempDir(), Speed: 5})
	d, _ := audio.Open(s2.DeviceString(), nil)
	for range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			d.Play(context.Background(), audio.Clip{Rate: 8000, Samples: tone(8000, 0.5)})
		}()
	}
	wg.Wait()
	for _, c := range s2.Clips() {
		if c.Overlapped {
			t.Fatalf("one device overlapped itself: %+v", c)
		}
	}
}

func TestGarbageRefused(t *testing.T) {
	s := start(t, &Options{Dir: t.TempDir()})
	d, _ := audio.Open(s.DeviceString(), nil)
	// A valid clip after a refused stream still plays.
	conn, err := (&netDialer{}).dial(s.Path())
	if err != nil {
		t.Fatal(err)
	}
	conn.Write([]byte("not a wav at all, not a wav at all"))
	conn.Close()
	if err := d.Play(context.Background(), audio.Clip{Rate: 8000, Samples: tone(8000, 0.05), Label: "ok"}); err != nil {
		t.Fatal(err)
	}
	if c := s.Clips(); len(c) != 1 || c[0].Label != "ok" {
		t.Fatalf("clips %+v", c)
	}
}

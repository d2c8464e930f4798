package audio

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func tone(rate int, seconds float64) []int16 {
	n := int(float64(rate) * seconds)
	s := make([]int16, n)
	for i := range s {
		s[i] = int16(12000 * math.Sin(2*math.Pi*440*float64(i)/float64(rate)))
	}
	return s
}

func TestWAVRoundTrip(t *testing.T) {
	long := strings.Repeat("Mời số A 0 1 2 đến phòng 101. ", 200)
	for _, tc := range []struct{ label, text, wantText string }{
		{"", "", ""},
		{"a", "", ""},
		{"announce.call", "Mời số A 0 1 2 đến phòng một trăm linh một.", "Mời số A 0 1 2 đến phòng một trăm linh một."},
		{"guide.hospital.welcome", "Kính chào Quý khách", "Kính chào Quý khách"},
		{"", "ả", "ả"},                 // odd length with the zero: a pad byte
		{"x", long, long[:maxComment]}, // cut at maxComment (a UTF-8 boundary here)
	} {
		c := Clip{Rate: 22050, Samples: tone(22050, 0.05), Label: tc.label, Text: tc.text}
		var b bytes.Buffer
		if err := EncodeWAV(&b, c); err != nil {
			t.Fatal(err)
		}
		got, err := DecodeWAV(&b)
		if err != nil {
			t.Fatalf("label %q: %v", tc.label, err)
		}
		if got.Rate != c.Rate || got.Label != tc.label || got.Text != tc.wantText || !equal(got.Samples, c.Samples) {
			t.Errorf("label %q: round trip gave rate %d label %q text %q, %d samples", tc.label, got.Rate, got.Label, got.Text, len(got.Samples))
		}
	}
}

func equal(a, b []int16) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestWAVAgainstSox: SoX, an independent implementation, reads the files
// this package writes and writes files this package reads, sample for
// sample (the raw dump is SoX's own decoding).
func TestWAVAgainstSox(t *testing.T) {
	if _, err := exec.LookPath("sox"); err != nil {
		t.Skip("sox not installed (make deps installs it)")
	}
	dir := t.TempDir()
	// theirs → ours
	theirs := filepath.Join(dir, "sox.wav")
	if out, err := exec.Command("sox", "-n", "-r", "16000", "-b", "16", "-c", "2", theirs, "synth", "0.1", "sine", "300", "sine", "500").CombinedOutput(); err != nil {
		t.Fatalf("sox: %v: %s", err, out)
	}
	f, _ := os.Open(theirs)
	defer f.Close()
	c, err := DecodeWAV(f)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := exec.Command("sox", theirs, "-t", "raw", "-e", "signed", "-b", "16", "-c", "2", "-").Output()
	if err != nil {
		t.Fatal(err)
	}
	if c.Rate != 16000 || len(c.Samples) != len(raw)/4 {
		t.Fatalf("decoded %d Hz, %d samples; sox has %d frames", c.Rate, len(c.Samples), len(raw)/4)
	}
	for i, s := range c.Samples {
		l := int32(int16(binary.LittleEndian.Uint16(raw[4*i:])))
		r := int32(int16(binary.LittleEndian.Uint16(raw[4*i+2:])))
		if want := int16((l + r) / 2); s != want {
			t.Fatalf("sample %d = %d, want %d", i, s, want)
		}
	}
	// ours → theirs
	ours := filepath.Join(dir, "ours.wav")
	want := Clip{Rate: 22050, Samples: tone(22050, 0.1), Label: "test.label"}
	var b bytes.Buffer
	if err := EncodeWAV(&b, want); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(ours, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	raw, err = exec.Command("sox", ours, "-t", "raw", "-").Output()
	if err != nil {
		t.Fatalf("sox cannot read our WAV: %v", err)
	}
	if len(raw) != 2*len(want.Samples) {
		t.Fatalf("sox read %d bytes, want %d", len(raw), 2*len(want.Samples))
	}
	for i, s := range want.Samples {
		if got := int16(binary.LittleEndian.Uint16(raw[2*i:])); got != s {
			t.Fatalf("sox sample %d = %d, want %d", i, got, s)
		}
	}
}

// TestWAVStreaming: espeak-ng --stdout into a pipe writes placeholder
// sizes (RIFF 0x7ffff024, data 0x7ffff000); the data runs to the end.
func TestWAVStreaming(t *testing.T) {
	samples := tone(22050, 0.02)
	var b bytes.Buffer
	b.Write(wavHeader(22050, len(samples), "", ""))
	hdr := b.Bytes()
	binary.LittleEndian.PutUint32(hdr[4:], 0x7ffff024)
	binary.LittleEndian.PutUint32(hdr[40:], 0x7ffff000)
	for _, s := range samples {
		binary.Write(&b, binary.LittleEndian, s)
	}
	b.WriteByte(0x55) // half a sample at the end is dropped
	r, err := NewWAVReader(bytes.NewReader(b.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	if r.Expected() != -1 {
		t.Errorf("Expected = %d, want -1 for a streaming header", r.Expected())
	}
	c, err := DecodeWAV(bytes.NewReader(b.Bytes()))
	if err != nil || !equal(c.Samples, samples) {
		t.Fatalf("streaming decode: %v, %d samples, want %d", err, len(c.Samples), len(samples))
	}
}

func TestWAVRefuses(t *testing.T) {
	good := func() []byte {
		var b bytes.Buffer
		EncodeWAV(&b, Clip{Rate: 8000, Samples: []int16{1, 2, 3}})
		return b.Bytes()
	}
	tests := []struct {
		name string
		mod  func([]byte) []byte
	}{
		{"empty", func([]byte) []byte { return nil }},
		{"not RIFF", func(b []byte) []byte { copy(b, "RIFX"); return b }},
		{"not WAVE", func(b []byte) []byte { copy(b[8:], "AVI "); return b }},
		{"8-bit", func(b []byte) []byte { b[34] = 8; return b }},
		{"float", func(b []byte) []byte { b[20] = 3; return b }},
		{"6 channels", func(b []byte) []byte { b[22] = 6; return b }},
		{"rate 0", func(b []byte) []byte { binary.LittleEndian.PutUint32(b[24:], 0); return b }},
		{"huge fmt", func(b []byte) []byte { binary.LittleEndian.PutUint32(b[16:], 1<<30); return b }},
		{"truncated fmt", func(b []byte) []byte { return b[:30] }},
	}
	for _, tc := range tests {
		if _, err := DecodeWAV(bytes.NewReader(tc.mod(good()))); !errors.Is(err, ErrFormat) {
			t.Errorf("%s: error %v, want ErrFormat", tc.name, err)
		}
	}
	if err := EncodeWAV(io.Discard, Clip{Rate: 0}); !errors.Is(err, ErrFormat) {
		t.Errorf("EncodeWAV rate 0: %v", err)
	}
}

func FuzzDecodeWAV(f *testing.F) {
	var b bytes.Buffer
	EncodeWAV(&b, Clip{Rate: 22050, Samples: []int16{1, -1, 300}, Label: "x"})
	f.Add(b.Bytes())
	f.Add([]byte("RIFF\x00\x00\x00\x00WAVEdata\x00\x00\x00\x00"))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := DecodeWAV(bytes.NewReader(data))
		if err != nil {
			return
		}
		var out bytes.Buffer
		if err := EncodeWAV(&out, c); err != nil {
			t.Fatalf("decoded clip does not encode: %v", err)
		}
		again, err := DecodeWAV(&out)
		if err != nil || !equal(again.Samples, c.Samples) {
			t.Fatalf("re-decode: %v", err)
		}
	})
}

func TestSchedule(t *testing.T) {
	hcm := time.FixedZone("ICT", 7*3600)
	s := Schedule{{From: 6 * time.Hour, Volume: 60}, {From: 22 * time.Hour, Volume: 0}, {From: 11*time.Hour + 30*time.Minute, Volume: 40}}
	if err := s.Check(); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		hh, mm int
		want   int
	}{
		{0, 0, 0}, {5, 59, 0}, {6, 0, 60}, {11, 29, 60}, {11, 30, 40}, {21, 59, 40}, {22, 0, 0}, {23, 59, 0},
	}
	for _, tc := range tests {
		at := time.Date(2026, 12, 4, tc.hh, tc.mm, 0, 0, hcm)
		if got := s.At(at); got != tc.want {
			t.Errorf("At(%02d:%02d) = %d, want %d", tc.hh, tc.mm, got, tc.want)
		}
	}
	if got := Schedule(nil).At(time.Now()); got != 100 {
		t.Errorf("empty schedule = %d, want 100", got)
	}
	for _, bad := range []Schedule{{{From: -time.Minute}}, {{From: 24 * time.Hour}}, {{Volume: 101}}, {{Volume: -1}}, {{From: time.Hour}, {From: time.Hour}}} {
		if bad.Check() == nil {
			t.Errorf("Check(%v) passed", bad)
		}
	}
}

func TestGain(t *testing.T) {
	tests := []struct {
		vol  int
		want float64
	}{{0, 0}, {100, 1}, {50, math.Pow(10, -15.0/20)}, {1, math.Pow(10, -29.7/20)}, {-5, 0}, {150, 1}}
	for _, tc := range tests {
		if got := Gain(tc.vol); math.Abs(got-tc.want) > 1e-12 {
			t.Errorf("Gain(%d) = %v, want %v", tc.vol, got, tc.want)
		}
	}
	got := Scale([]int16{32767, -32768, 1000}, 50)
	want := []int16{int16(math.Round(32767 * Gain(50))), int16(math.Round(-32768 * Gain(50))), int16(math.Round(1000 * Gain(50)))}
	if !equal(got, want) {
		t.Errorf("Scale = %v, want %v", got, want)
	}
}

func TestChime(t *testing.T) {
	c := Chime(22050)
	if d := float64(len(c)) / 22050; d < 1.2 || d > 1.6 {
		t.Errorf("chime lasts %.2f s", d)
	}
	peak := 0
	for _, s := range c {
		peak = max(peak, int(s), -int(s))
	}
	if peak < 8000 || peak > 20000 {
		t.Errorf("chime peak %d outside 8000-20000 (audible, headroom for the words)", peak)
	}
	for _, s := range c[len(c)-22050/5:] {
		if s != 0 {
			t.Fatal("chime does not end in silence before the words")
		}
	}
}

func TestOpenSpecs(t *testing.T) {
	for _, ok := range []string{"alsa:default", "alsa:plughw:1,0", "alsa", "sim:/tmp/x.sock", "none"} {
		if _, err := Open(ok, nil); err != nil {
			t.Errorf("Open(%q): %v", ok, err)
		}
	}
	for _, bad := range []string{"", "pulse:x", "sim:", "alsa:-D", "alsa:a\nb"} {
		if _, err := Open(bad, nil); !errors.Is(err, ErrSpec) {
			t.Errorf("Open(%q) error %v, want ErrSpec", bad, err)
		}
	}
	if _, err := Open("none", &Options{Schedule: Schedule{{Volume: 200}}}); err == nil {
		t.Error("Open accepted a bad schedule")
	}
}

// TestPlayALSA plays through the real aplay into alsa-lib's own "file"
// PCM plugin (slave: null), which writes what ALSA was given: the samples
// arrive scaled by the schedule's volume, in full, before ALSA's padding to
// its period.
func TestPlayALSA(t *testing.T) {
	if _, err := exec.LookPath("aplay"); err != nil {
		t.Skip("aplay not installed (make deps installs alsa-utils)")
	}
	out := filepath.Join(t.TempDir(), "alsa.wav")
	noon := func() time.Time { return time.Date(2026, 12, 4, 12, 0, 0, 0, time.UTC) }
	d, err := Open("alsa:file:FILE="+out+",FORMAT=wav", &Options{Schedule: Schedule{{From: 0, Volume: 50}}, Now: noon, Location: time.UTC})
	if err != nil {
		t.Fatal(err)
	}
	want := tone(22050, 0.2)
	if err := d.Play(context.Background(), Clip{Rate: 22050, Samples: want}); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	got, err := DecodeWAV(f)
	if err != nil {
		t.Fatal(err)
	}
	scaled := Scale(want, 50)
	if got.Rate != 22050 || len(got.Samples) < len(scaled) || !equal(got.Samples[:len(scaled)], scaled) {
		t.Fatalf("ALSA got %d Hz, %d samples; want the %d scaled samples first", got.Rate, len(got.Samples), len(scaled))
	}
	for _, s := range got.Samples[len(scaled):] {
		if s != 0 {
			t.Fatal("ALSA's period padding is not silence")
		}
	}

	// A PCM that does not exist is a clear ErrPlayback with aplay's words.
	bad, _ := Open("alsa:hw:99,0", nil)
	err = bad.Play(context.Background(), Clip{Rate: 22050, Samples: want})
	if !errors.Is(err, ErrPlayback) {
		t.Fatalf("missing card: %v, want ErrPlayback", err)
	}
	t.Logf("missing card: %v", err)
}

func TestMuted(t *testing.T) {
	night := func() time.Time { return time.Date(2026, 12, 4, 23, 0, 0, 0, time.UTC) }
	d, _ := Open("alsa:hw:99,0", &Options{Schedule: Schedule{{From: 6 * time.Hour, Volume: 70}, {From: 22 * time.Hour, Volume: 0}}, Now: night, Location: time.UTC})
	if !d.Muted() || d.Volume() != 0 {
		t.Fatal("not muted at 23:00")
	}
	if err := d.Play(context.Background(), Clip{Rate: 8000, Samples: []int16{1}}); !errors.Is(err, ErrMuted) {
		t.Fatalf("Play at night: %v, want ErrMuted", err)
	}
}

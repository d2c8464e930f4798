package espeak

import (
	"context"
	"errors"
	"fmt"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/kiosk06/kiosk/firmware/speech"
)

func synth(t testing.TB) *Synth {
	t.Helper()
	if _, err := exec.LookPath("espeak-ng"); err != nil {
		t.Skip("espeak-ng is not installed (apt-get install espeak-ng; .ci/deps installs it)")
	}
	s, err := New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestPhonemes: sample values from the issue, normalised by speech and
// transcribed by espeak-ng 1.51 (Debian 12) with -v vi -x -q: the exact
// syllables and tones a listener hears. In espeak-ng's Vietnamese
// mnemonics the digit after a vowel is the tone: 1 ngang, 2 huyền, 3 sắc,
// 4 hỏi, 5 ngã, 6 nặng, 7 ngang at the end of a clause; "_|" ends a
// syllable and a new line is a clause (a pause).
func TestPhonemes(t *testing.T) {
	s := synth(t)
	ver, err := s.Version(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(ver, " 1.51") {
		t.Skipf("the transcriptions below are espeak-ng 1.51's (Debian 12); this is %q", ver)
	}
	tests := []struct {
		lang     speech.Lang
		screen   string
		words    string
		phonemes string
	}{
		{speech.Vietnamese, "Số A012 · Phòng 101",
			"Số a, không, một, hai, Phòng một trăm linh một",
			"s'o3_ 'a:7_|\nx,o#1N_|\nm'o6t[_|\nh'a:7j_|\nf'O#2N_| m'o6t[_| tS'a1m_| l'i1n^_| m'o6t[_|"},
		{speech.Vietnamese, "Thẻ hợp lệ", "Thẻ hợp lệ", "t'E4_| h'@:6p_| l'e6_|"},
		{speech.Vietnamese, "Vui lòng quét mã QR trên thẻ", "Vui lòng quét mã kiu a trên thẻ",
			"v'u1j_| l'O#2N_| kw'E3t[_| m'a:5_| k'i1w_| 'a:1_| tS'e1n_| t'E4_|"},
		{speech.Vietnamese, "Phí khám: 50.000 ₫", "Phí khám: năm mươi nghìn đồng",
			"f'i3_| x'a:3m_|\nn'a1m_| m'y@1j_| N'i2n_| d_'o#2N_|"},
		{speech.Vietnamese, "04/12/2026", "ngày bốn tháng mười hai năm hai nghìn không trăm hai mươi sáu",
			"N'a2j_| _b'o3n_| t'a:3N_| m'y@2j_| h'a:1j_| n'a1m_| h'a:1j_| N'i2n_| x,o#1N_| tS'a1m_| h'a:1j_| m'y@1j_| s'a3w_|"},
		{speech.Vietnamese, "15, 21, 24, 105, 10.000", "mười lăm, hai mươi mốt, hai mươi tư, một trăm linh năm, mười nghìn",
			"m'y@2j_| l'a7m_|\nh'a:1j_| m'y@1j_| m'o3t[_|\nh'a:1j_| m'y@1j_| t['y7_|\nm'o6t[_| tS'a1m_| l'i1n^_| n'a7m_|\nm'y@2j_| N'i2n_|"},
		{speech.Vietnamese, "14:30", "mười bốn giờ ba mươi phút",
			"m'y@2j_| _b'o3n_| z'@:2_| _b'a:1_| m'y@1j_| f'u3t[_|"},
		{speech.English, "150,000 VND", "one hundred and fifty thousand dong",
			"w'0n h'VndrI2d_:_: and f'Ifti T'aUz@nd d'0N"},
	}
	for _, tc := range tests {
		words, err := speech.Normalize(tc.lang, tc.screen)
		if err != nil || words != tc.words {
			t.Errorf("Normalize(%q) = %q, %v; want %q", tc.screen, words, err, tc.words)
			continue
		}
		ph, err := s.Phonemes(context.Background(), tc.lang, words)
		if err != nil || ph != tc.phonemes {
			t.Errorf("phonemes of %q:\n got %q, %v\nwant %q", words, ph, err, tc.phonemes)
		}
	}
}

func TestSynthesize(t *testing.T) {
	s := synth(t)
	a, err := s.Synthesize(context.Background(), speech.Vietnamese, "Mời số a, không, một, hai đến phòng một trăm linh một.")
	if err != nil {
		t.Fatal(err)
	}
	d := float64(len(a.Samples)) / float64(a.Rate)
	if a.Rate != 22050 || d < 2 || d > 8 {
		t.Fatalf("%d Hz, %.2f s", a.Rate, d)
	}
	peak := 0
	for _, v := range a.Samples {
		peak = max(peak, int(v), -int(v))
	}
	if peak < 3000 {
		t.Fatalf("peak %d: silence", peak)
	}
	// A cancelled context stops espeak-ng.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := s.Synthesize(ctx, speech.Vietnamese, "x"); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled: %v", err)
	}
}

func TestOptions(t *testing.T) {
	if _, err := New(&Options{Command: "no-such-espeak"}); err == nil {
		t.Error("missing program accepted")
	}
	synth(t)
	for _, o := range []Options{{WordsPerMinute: 20}, {WordsPerMinute: 900}, {Pitch: 120}, {Pitch: -1}} {
		if _, err := New(&o); err == nil {
			t.Errorf("New(%+v) accepted", o)
		}
	}
	s, _ := New(&Options{Voices: map[speech.Lang]string{speech.Vietnamese: "vi-vn-x-south"}})
	if s.Voice(speech.Vietnamese) != "vi-vn-x-south" || s.Voice(speech.English) != "en" {
		t.Error("voices")
	}
	// An unknown voice is espeak-ng's error, typed.
	s, _ = New(&Options{Voices: map[speech.Lang]string{speech.Vietnamese: "xx-nosuch"}})
	if _, err := s.Synthesize(context.Background(), speech.Vietnamese, "a"); !errors.Is(err, ErrSynth) {
		t.Errorf("unknown voice: %v", err)
	}
}

// childCPU is the CPU time used by finished child processes so far.
func childCPU() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_CHILDREN, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkSynthesize: one espeak-ng run per prompt (the call of a
// number, about 3 s of speech). Reports espeak-ng's CPU per prompt.
func BenchmarkSynthesize(b *testing.B) {
	s := synth(b)
	ctx := context.Background()
	cpu0 := childCPU()
	var audioSec float64
	for i := 0; b.Loop(); i++ {
		text, _ := speech.Render(speech.Vietnamese, "Mời số {number} đến phòng {room}", speech.Ticket("number", fmt.Sprintf("A%03d", i%1000)), speech.RoomName("room", "101"))
		a, err := s.Synthesize(ctx, speech.Vietnamese, text)
		if err != nil {
			b.Fatal(err)
		}
		audioSec += float64(len(a.Samples)) / float64(a.Rate)
	}
	b.ReportMetric(float64(childCPU()-cpu0)/float64(time.Millisecond)/float64(b.N), "cpu-ms/prompt")
	b.ReportMetric(audioSec/float64(b.N), "audio-s/prompt")
}

// firstSample is an Output that notes when the first sample reaches it.
type firstSample struct{ at chan time.Time }

func (f firstSample) Play(ctx context.Context, u speech.Utterance, a speech.Audio) error {
	f.at <- time.Now()
	return nil
}

// BenchmarkFirstSample: from Say() to the first sample reaching the
// loudspeaker's Play, for a screen's guidance the first time (synthesized
// now) and the next times (cached), and for a number call (always new
// text). The budget is 200 ms.
func BenchmarkFirstSample(b *testing.B) {
	s := synth(b)
	for _, bc := range []struct {
		name  string
		fresh bool
		text  func(i int) string
	}{
		{"guidance-first", true, func(i int) string {
			return fmt.Sprintf("Chạm thẻ căn cước công dân vào đầu đọc hoặc quét mã kiu a trên thẻ để bắt đầu, lần %s", speech.Number(speech.Vietnamese, int64(i)))
		}},
		{"guidance-cached", false, func(int) string {
			return "Chạm thẻ căn cước công dân vào đầu đọc hoặc quét mã kiu a trên thẻ để bắt đầu"
		}},
		{"call", true, func(i int) string {
			t, _ := speech.Render(speech.Vietnamese, "Mời số {number} đến phòng {room}", speech.Ticket("number", fmt.Sprintf("A%03d", i%1000)), speech.RoomName("room", "101"))
			return t
		}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			out := firstSample{at: make(chan time.Time, 1)}
			e := speech.NewEngine(s, out, nil)
			defer e.Close()
			ctx := context.Background()
			if !bc.fresh {
				e.Warm(ctx, speech.Vietnamese, bc.text(0))
			}
			var total time.Duration
			for i := 0; b.Loop(); i++ {
				t0 := time.Now()
				if err := e.Say(ctx, speech.Utterance{Key: "bench", Text: bc.text(i), Lang: speech.Vietnamese}); err != nil {
					b.Fatal(err)
				}
				total += (<-out.at).Sub(t0)
			}
			b.ReportMetric(float64(total)/float64(time.Millisecond)/float64(b.N), "ms-to-first-sample")
		})
	}
}

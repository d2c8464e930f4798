package voice

import (
	"context"
	"testing"
	"time"

	"github.com/kiosk06/kiosk/firmware/hospital"
	"github.com/kiosk06/kiosk/firmware/profile"
	"github.com/kiosk06/kiosk/firmware/speech"
)

// cannedSynth returns 3 s of silence at once: the synthesis itself is
// measured by firmware/speech/espeak's BenchmarkFirstSample; this one
// measures what the screens add on top of a cached prompt.
type cannedSynth struct{}

func (cannedSynth) Synthesize(ctx context.Context, l speech.Lang, text string) (speech.Audio, error) {
	return speech.Audio{Rate: 22050, Samples: make([]int16, 3*22050)}, nil
}

// BenchmarkFollowerFirstSample: from a hospital state published by the
// flow to the first sample of its screen's guidance at the loudspeaker,
// through the Follower and the speech.Engine (the guidance cached, as
// after Engine.Warm at start). The budget is 200 ms.
func BenchmarkFollowerFirstSample(b *testing.B) {
	books, err := New(nil)
	if err != nil {
		b.Fatal(err)
	}
	first := make(chan time.Time, 1)
	out := speech.OutputFunc(func(ctx context.Context, u speech.Utterance, a speech.Audio) error {
		if u.Kind == speech.Guidance {
			select {
			case first <- time.Now():
			default:
			}
		}
		<-ctx.Done() // sounds until the next screen cuts it
		return ctx.Err()
	})
	eng := speech.NewEngine(cannedSynth{}, out, nil)
	defer eng.Close()
	flow := fakeFlow[hospital.State, hospital.Intent]{make(chan hospital.State)}
	run, _ := books.With(eng).Follower(profile.NewScreen[hospital.State, hospital.Intent]("hospital", flow), nil)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); run(ctx) }()
	screens := []hospital.Screen{hospital.ScreenWelcome, hospital.ScreenIdentify}
	flow.states <- hospital.State{Screen: hospital.ScreenGoodbye, Lang: hospital.LangVI}
	<-first
	var total time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		t0 := time.Now()
		flow.states <- hospital.State{Screen: screens[i%2], Lang: hospital.LangVI}
		total += (<-first).Sub(t0)
	}
	b.StopTimer()
	b.ReportMetric(float64(total.Microseconds())/float64(b.N), "µs/first-sample")
	cancel()
	<-done
}

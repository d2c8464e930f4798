package audio

import (
	"fmt"
	"math"
	"sort"
	"time"
)

// Level is the loudspeaker's volume from a time of day on.
type Level struct {
	// From is the local time of day the level starts, since midnight.
	From time.Duration
	// Volume is 0 (muted) to 100 (full scale).
	Volume int
}

// Schedule is the volume through the day: each Level holds from its From
// until the next one's, the last wrapping past midnight to the first. A
// night mute is a Level with Volume 0 ("22:00 → 0", "06:00 → 60"). The
// empty schedule is full volume all day.
type Schedule []Level

// Check reports a level out of range or two levels at one time.
func (s Schedule) Check() error {
	seen := map[time.Duration]bool{}
	for _, l := range s {
		if l.From < 0 || l.From >= 24*time.Hour {
			return fmt.Errorf("audio: schedule: time of day %v out of range", l.From)
		}
		if l.Volume < 0 || l.Volume > 100 {
			return fmt.Errorf("audio: schedule: volume %d out of 0-100", l.Volume)
		}
		if seen[l.From] {
			return fmt.Errorf("audio: schedule: two levels at %v", l.From)
		}
		seen[l.From] = true
	}
	return nil
}

// At returns the volume at t, read in t's location.
func (s Schedule) At(t time.Time) int {
	if len(s) == 0 {
		return 100
	}
	levels := append(Schedule(nil), s...)
	sort.Slice(levels, func(i, j int) bool { return levels[i].From < levels[j].From })
	y, m, d := t.Date()
	since := t.Sub(time.Date(y, m, d, 0, 0, 0, 0, t.Location()))
	v := levels[len(levels)-1].Volume // before the first level: yesterday's last
	for _, l := range levels {
		if l.From > since {
			break
		}
		v = l.Volume
	}
	return v
}

// Gain is the amplitude factor of a volume: 100 is 0 dB and each step
// below takes 0.3 dB off, so 50 is −15 dB and 1 is −29.7 dB (a loudness
// scale, as a mixer's dB control is; linear amplitude would leave the
// lower half of the knob almost silent-sounding alike). 0 is silence.
func Gain(volume int) float64 {
	switch {
	case volume <= 0:
		return 0
	case volume >= 100:
		return 1
	}
	return math.Pow(10, float64(volume-100)*0.3/20)
}

// Scale returns samples multiplied by Gain(volume), clipped to int16.
func Scale(samples []int16, volume int) []int16 {
	g := Gain(volume)
	out := make([]int16, len(samples))
	if g == 1 {
		copy(out, samples)
		return out
	}
	for i, s := range samples {
		out[i] = int16(math.Round(float64(s) * g))
	}
	return out
}

// Chime returns the call chime at rate: two bell-like notes, G5 then E5
// (the falling minor third of a "ding-dong" public-address gong), each with
// a 5 ms attack, an exponential decay and a 15 ms release, then 200 ms of silence before
// the words.
func Chime(rate int) []int16 {
	type note struct {
		freq, dur float64
	}
	notes := []note{{783.99, 0.45}, {659.25, 0.8}}
	var out []int16
	for _, n := range notes {
		count := int(n.dur * float64(rate))
		for i := 0; i < count; i++ {
			t := float64(i) / float64(rate)
			// 5 ms attack, exponential decay, 15 ms release: no click
			// where a note starts or ends.
			env := math.Exp(-t*4.5) * math.Min(1, t/0.005) * math.Min(1, (n.dur-t)/0.015)
			v := math.Sin(2*math.Pi*n.freq*t) + 0.4*math.Sin(2*math.Pi*2*n.freq*t) + 0.15*math.Sin(2*math.Pi*3*n.freq*t)
			out = append(out, int16(0.45*32767*env*v/1.55))
		}
	}
	return append(out, make([]int16, rate/5)...)
}

package gpio

import (
	"context"
	"errors"
	"testing"
	"time"

	"periph.io/x/conn/v3/gpio"
	"periph.io/x/conn/v3/gpio/gpiotest"
)

func newPin() *gpiotest.Pin {
	return &gpiotest.Pin{N: "GPIO17", Num: 17, EdgesChan: make(chan gpio.Level, 64)}
}

func TestButtonDebounce(t *testing.T) {
	tests := []struct {
		name  string
		edges []gpio.Level // sent in a burst, faster than the debounce time
		want  bool         // a press is reported
	}{
		{"clean press", []gpio.Level{gpio.Low}, true},
		{"bouncy press", []gpio.Level{gpio.Low, gpio.High, gpio.Low, gpio.High, gpio.Low}, true},
		{"glitch returns high", []gpio.Level{gpio.Low, gpio.High}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			pin := newPin()
			b, err := NewButton(pin, 20*time.Millisecond)
			if err != nil {
				t.Fatal(err)
			}
			if b.Active() {
				t.Fatal("button pressed at start (pull-up should read High)")
			}
			for _, l := range tc.edges {
				pin.EdgesChan <- l
			}
			ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
			defer cancel()
			err = b.Press(ctx)
			if got := err == nil; got != tc.want {
				t.Fatalf("Press() err = %v, want press=%v", err, tc.want)
			}
			if !tc.want && !errors.Is(err, context.DeadlineExceeded) {
				t.Fatalf("err = %v, want deadline", err)
			}
		})
	}
}

func TestInputCatchesMissedEdge(t *testing.T) {
	pin := newPin()
	in, err := NewInput(pin, &InputOptions{Pull: gpio.PullDown, Debounce: 5 * time.Millisecond, Poll: 10 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	pin.Out(gpio.High) // level changes without an edge event
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	got, err := in.Next(ctx)
	if err != nil || !got {
		t.Fatalf("Next = %v, %v; want true, nil", got, err)
	}
}

func TestLoopSensorArriveLeave(t *testing.T) {
	pin := newPin()
	l, err := NewLoopSensor(pin, false, 10*time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	for _, want := range []bool{true, false} {
		pin.EdgesChan <- gpio.Level(want)
		got, err := l.Next(ctx)
		if err != nil || got != want || l.Present() != want {
			t.Fatalf("Next = %v, %v; want %v", got, err, want)
		}
	}
}

func TestNilPin(t *testing.T) {
	if _, err := NewInput(nil, nil); !errors.Is(err, ErrNilPin) {
		t.Errorf("NewInput(nil) = %v", err)
	}
	if _, err := NewOutput(nil, false); !errors.Is(err, ErrNilPin) {
		t.Errorf("NewOutput(nil) = %v", err)
	}
}

func TestOutput(t *testing.T) {
	tests := []struct {
		name      string
		activeLow bool
		on        bool
		want      gpio.Level
	}{
		{"active high on", false, true, gpio.High},
		{"active high off", false, false, gpio.Low},
		{"active low on", true, true, gpio.Low},
		{"active low off", true, false, gpio.High},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			pin := newPin()
			o, err := NewOutput(pin, tc.activeLow)
			if err != nil {
				t.Fatal(err)
			}
			if err := o.Set(tc.on); err != nil {
				t.Fatal(err)
			}
			if got := pin.Read(); got != tc.want {
				t.Errorf("pin = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestPulseEndsOff(t *testing.T) {
	pin := newPin()
	o, _ := NewOutput(pin, false)
	if err := o.Beep(context.Background(), 2, time.Millisecond, time.Millisecond); err != nil {
		t.Fatal(err)
	}
	if pin.Read() != gpio.Low || o.On() {
		t.Error("output left on after Beep")
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := o.Pulse(ctx, time.Hour); !errors.Is(err, context.Canceled) || pin.Read() != gpio.Low {
		t.Errorf("cancelled Pulse = %v, pin %v", err, pin.Read())
	}
}

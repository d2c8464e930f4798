package onestopsim_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/kiosk06/kiosk/firmware/onestop/onestopsim"
)

// TestShape: the httptest shape — nil Options are the defaults, the end of
// ctx stops the server as Close does, Close may be called again.
func TestShape(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	sim, err := onestopsim.Start(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.Get(sim.URL() + "/v1/procedures")
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("serving: %v %v", resp, err)
	}
	resp.Body.Close()
	cancel()
	deadline := time.Now().Add(2 * time.Second)
	for {
		resp, err := http.Get(sim.URL() + "/v1/procedures")
		if err != nil {
			break
		}
		resp.Body.Close()
		if time.Now().After(deadline) {
			t.Fatal("still serving after ctx ended")
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err := sim.Close(); err != nil {
		t.Fatal(err)
	}
	if err := sim.Close(); err != nil {
		t.Fatal(err)
	}
}

func TestWorkingDays(t *testing.T) {
	ict := time.FixedZone("ICT", 7*3600)
	fri := time.Date(2026, 11, 20, 9, 0, 0, 0, ict)
	for n, want := range map[int]time.Time{
		0: time.Date(2026, 11, 20, 16, 0, 0, 0, ict),
		1: time.Date(2026, 11, 23, 16, 0, 0, 0, ict), // Monday
		5: time.Date(2026, 11, 27, 16, 0, 0, 0, ict),
		7: time.Date(2026, 12, 1, 16, 0, 0, 0, ict),
	} {
		if got := onestopsim.WorkingDays(fri, n); !got.Equal(want) {
			t.Errorf("%d working days from Friday: %v, want %v", n, got, want)
		}
	}
}

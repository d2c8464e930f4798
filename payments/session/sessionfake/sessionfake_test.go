package sessionfake_test

import (
	"context"
	"testing"
	"time"

	"github.com/kiosk06/kiosk/payments/session"
	"github.com/kiosk06/kiosk/payments/session/sessionfake"
)

// The real Manager polls the fake: pending until Pay, then paid.
func TestManagerAgainstFake(t *testing.T) {
	fake := sessionfake.New()
	defer fake.Close()
	mgr, err := session.New(session.Config{DeviceID: "dev-1", RefPrefix: "BV", BIN: "970436", Account: "0011001234567",
		Name: "BENH VIEN", City: "HA NOI", BaseURL: fake.URL(), PollInitial: 10 * time.Millisecond, PollMax: 20 * time.Millisecond},
		&session.MemoryRecorder{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	info, err := mgr.Create(ctx, 50000, "Vien phi 123")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := mgr.Shown(ctx, info.Ref); err != nil {
		t.Fatal(err)
	}
	go func() {
		for fake.Polls(info.Ref) < 2 {
			time.Sleep(5 * time.Millisecond)
		}
		fake.Pay(info.Ref, 50000)
	}()
	got, err := mgr.Await(ctx, info.Ref)
	if err != nil || got.State != session.Paid {
		t.Fatalf("Await = %v, %v", got.State, err)
	}
}

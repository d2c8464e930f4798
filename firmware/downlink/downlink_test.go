package downlink

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"
)

func quiet() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func TestMuxHoldsUntilHandled(t *testing.T) {
	m := NewMux(quiet())
	ctx := context.Background()
	for i := range maxHeld + 2 {
		if err := m.Deliver(ctx, Message{Kind: Config, Payload: []byte(fmt.Sprint(i))}); err != nil {
			t.Fatal(err)
		}
	}
	if m.Held(Config) != maxHeld {
		t.Fatalf("held %d", m.Held(Config))
	}
	var mu sync.Mutex
	var got []string
	h := func(_ context.Context, msg Message) error {
		mu.Lock()
		defer mu.Unlock()
		got = append(got, string(msg.Payload))
		return nil
	}
	if err := m.Handle(ctx, Config, h); err != nil {
		t.Fatal(err)
	}
	if err := m.Handle(ctx, Config, h); !errors.Is(err, ErrTaken) {
		t.Fatalf("second handler: %v", err)
	}
	_ = m.Deliver(ctx, Message{Kind: Config, Payload: []byte("live")})
	if want := "[2 3 4 5 6 7 8 9 live]"; fmt.Sprint(got) != want || m.Held(Config) != 0 {
		t.Fatalf("delivered %v, want %s (newest held first kept)", got, want)
	}
}

func TestMuxRefuses(t *testing.T) {
	m := NewMux(quiet())
	ctx := context.Background()
	tests := []struct {
		name string
		msg  Message
		want error
	}{
		{"unknown kind", Message{Kind: "shell"}, ErrUnknownKind},
		{"empty kind", Message{}, ErrUnknownKind},
		{"too large", Message{Kind: Update, Payload: []byte(strings.Repeat("x", MaxPayload+1))}, ErrTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := m.Deliver(ctx, tt.msg); !errors.Is(err, tt.want) {
				t.Fatalf("Deliver: %v, want %v", err, tt.want)
			}
		})
	}
	if err := m.Handle(ctx, "shell", func(context.Context, Message) error { return nil }); !errors.Is(err, ErrUnknownKind) {
		t.Fatalf("Handle(shell): %v", err)
	}
}

package profile

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
)

// Screen is the one screen contract every profile's flow follows: states
// out, intents in. The UI takes the typed flow (FlowOf); the --control
// socket of a --sim run and anything else that speaks JSON use the
// methods here. States are values a flow never changes once published,
// JSON-encodable; delivery is latest-wins (a slow subscriber skips to the
// newest state, never blocks the flow).
type Screen interface {
	// Profile is the name of the profile whose flow this is.
	Profile() string
	// SubscribeJSON returns the flow's states as JSON, the current one
	// first, and a function that ends the subscription.
	SubscribeJSON() (<-chan json.RawMessage, func())
	// SendJSON decodes one intent (the JSON of the profile's intent type,
	// unknown fields refused) and hands it to the flow without blocking.
	// An intent that does not decode is an error wrapping ErrBadIntent; a
	// flow that takes none answers ErrNoIntents. What the flow does not
	// offer on its current state it ignores, as it ignores a stale tap.
	SendJSON(intent json.RawMessage) error
}

// Flow is a profile's flow as its UI sees it: typed states out (latest
// wins, the current one first) and typed intents in (never blocking).
type Flow[S, I any] interface {
	Subscribe() (<-chan S, func())
	Send(I)
}

// NoIntent is the intent type of a flow that takes none (the transit
// validator: a passenger only taps).
type NoIntent struct{}

// Errors of SendJSON.
var (
	ErrBadIntent = errors.New("profile: bad intent")
	ErrNoIntents = errors.New("profile: this flow takes no intents")
)

// maxIntent bounds an intent's JSON.
const maxIntent = 64 << 10

// NewScreen makes the Screen of profile's flow f.
func NewScreen[S, I any](profile string, f Flow[S, I]) Screen {
	return &typedScreen[S, I]{profile: profile, flow: f}
}

// FlowOf returns the typed flow behind s, when s was made by NewScreen
// with these state and intent types.
func FlowOf[S, I any](s Screen) (Flow[S, I], bool) {
	t, ok := s.(*typedScreen[S, I])
	if !ok {
		return nil, false
	}
	return t.flow, true
}

type typedScreen[S, I any] struct {
	profile string
	flow    Flow[S, I]
}

func (t *typedScreen[S, I]) Profile() string { return t.profile }

func (t *typedScreen[S, I]) SubscribeJSON() (<-chan json.RawMessage, func()) {
	states, unsub := t.flow.Subscribe()
	out := make(chan json.RawMessage, 1)
	done := make(chan struct{})
	var once sync.Once
	go func() {
		for {
			select {
			case <-done:
				return
			case s := <-states:
				b, err := json.Marshal(s)
				if err != nil {
					// A state is JSON by contract (each profile tests it);
					// say so rather than go silent.
					b, _ = json.Marshal(map[string]string{"error": fmt.Sprintf("profile %s: state not encodable: %v", t.profile, err)})
				}
				select { // latest wins
				case <-out:
				default:
				}
				out <- b
			}
		}
	}()
	return out, func() { once.Do(func() { close(done); unsub() }) }
}

func (t *typedScreen[S, I]) SendJSON(raw json.RawMessage) error {
	var in I
	if _, none := any(in).(NoIntent); none {
		return fmt.Errorf("%w (%s)", ErrNoIntents, t.profile)
	}
	if len(raw) > maxIntent {
		return fmt.Errorf("%w: %d bytes (at most %d)", ErrBadIntent, len(raw), maxIntent)
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&in); err != nil {
		return fmt.Errorf("%w: %w", ErrBadIntent, err)
	}
	if dec.More() {
		return fmt.Errorf("%w: more than one value", ErrBadIntent)
	}
	t.flow.Send(in)
	return nil
}

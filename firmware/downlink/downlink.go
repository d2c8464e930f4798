// Package downlink owns the typed stream of messages the backend sends to
// one device (issue 22): configuration bundles, deny/pass lists and update
// triggers. A transport (firmware/uplink's MQTT transport) hands each
// message it received on the device's own downlink topics to a Mux; the
// handler registered for the message's Kind gets it.
//
// This package authenticates nothing. A Message says where it came from
// (the device's own topic, over TLS with the broker's CA and the device's
// client certificate, or a broker's ACL would not have delivered it), but
// not who wrote it: a handler must verify the payload's signature before it
// acts on it, and refuse an unsigned or badly signed one.
//
// It imports only the standard library; it must not import firmware/uplink,
// flows, drivers or UI code.
package downlink

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"
)

// Kind is what a downlink message carries; it is the last level of its
// topic (kiosk06/v1/{device_id}/down/{kind}).
type Kind string

// The downlink kinds.
const (
	Config Kind = "config" // a signed configuration bundle (issue 22.3)
	Lists  Kind = "lists"  // a signed deny/pass list update
	Update Kind = "update" // a signed firmware update trigger
)

// Kinds lists every kind, in topic order.
var Kinds = []Kind{Config, Lists, Update}

// Valid reports a known kind.
func (k Kind) Valid() bool {
	for _, x := range Kinds {
		if k == x {
			return true
		}
	}
	return false
}

// MaxPayload bounds a downlink message; a larger one is refused unread.
const MaxPayload = 1 << 20

// maxHeld is how many messages of a kind wait for a handler to register.
const maxHeld = 8

// Sentinel errors.
var (
	// ErrUnknownKind: the message names no known kind.
	ErrUnknownKind = errors.New("downlink: unknown kind")
	// ErrTooLarge: the payload is over MaxPayload.
	ErrTooLarge = errors.New("downlink: payload too large")
	// ErrTaken: a handler is already registered for the kind.
	ErrTaken = errors.New("downlink: kind already handled")
)

// Message is one downlink message as its transport received it. Payload is
// not authenticated: see the package comment.
type Message struct {
	Kind     Kind
	DeviceID string // the device whose topic it arrived on (always this device)
	Topic    string // the topic it arrived on
	Payload  []byte
	// Retained: the broker kept it for devices that connect later (the
	// current configuration, say), as opposed to sent just now.
	Retained bool
	// Duplicate: the broker is redelivering it (the device may have seen it
	// already); handlers must be idempotent anyway.
	Duplicate bool
	Received  time.Time
	Transport string // "mqtt"
}

// Handler acts on one message. It returns only after whatever it must keep
// is durable: the transport acknowledges the message to the broker after
// the handler returns, and a message not acknowledged is delivered again.
// An error is logged; the message is acknowledged anyway (a message that
// failed its signature check will not pass it when resent).
type Handler func(ctx context.Context, m Message) error

// Mux routes messages to the handler of their kind, one message of a kind
// at a time. Messages that arrive before their handler registers are held
// (the newest maxHeld of each kind) and handed over by Handle. Safe for
// concurrent use.
type Mux struct {
	log *slog.Logger

	mu       sync.Mutex
	handlers map[Kind]Handler
	held     map[Kind][]Message
	kindMu   map[Kind]*sync.Mutex // serialises the handler of a kind
}

// NewMux returns a Mux with no handlers; log may be nil.
func NewMux(log *slog.Logger) *Mux {
	if log == nil {
		log = slog.Default()
	}
	m := &Mux{log: log, handlers: map[Kind]Handler{}, held: map[Kind][]Message{}, kindMu: map[Kind]*sync.Mutex{}}
	for _, k := range Kinds {
		m.kindMu[k] = &sync.Mutex{}
	}
	return m
}

// Handle registers h for kind and hands it the messages held for that kind
// (in arrival order) before returning.
func (m *Mux) Handle(ctx context.Context, kind Kind, h Handler) error {
	if !kind.Valid() {
		return fmt.Errorf("%w: %q", ErrUnknownKind, kind)
	}
	m.mu.Lock()
	if m.handlers[kind] != nil {
		m.mu.Unlock()
		return fmt.Errorf("%w: %s", ErrTaken, kind)
	}
	m.handlers[kind] = h
	held := m.held[kind]
	delete(m.held, kind)
	m.mu.Unlock()
	for _, msg := range held {
		m.run(ctx, h, msg)
	}
	return nil
}

// Deliver hands msg to its kind's handler, or holds it until one
// registers. It returns an error only for a message no handler may see
// (unknown kind, too large); the handler's own error is logged.
func (m *Mux) Deliver(ctx context.Context, msg Message) error {
	if !msg.Kind.Valid() {
		return fmt.Errorf("%w: %q", ErrUnknownKind, msg.Kind)
	}
	if len(msg.Payload) > MaxPayload {
		return fmt.Errorf("%w: %d bytes, at most %d", ErrTooLarge, len(msg.Payload), MaxPayload)
	}
	msg.Payload = append([]byte(nil), msg.Payload...)
	m.mu.Lock()
	h := m.handlers[msg.Kind]
	if h == nil {
		q := append(m.held[msg.Kind], msg)
		if len(q) > maxHeld {
			m.log.Warn("downlink: no handler yet; dropping the oldest held message", "kind", msg.Kind)
			q = q[len(q)-maxHeld:]
		}
		m.held[msg.Kind] = q
		m.mu.Unlock()
		return nil
	}
	m.mu.Unlock()
	m.run(ctx, h, msg)
	return nil
}

func (m *Mux) run(ctx context.Context, h Handler, msg Message) {
	km := m.kindMu[msg.Kind]
	km.Lock()
	defer km.Unlock()
	if err := h(ctx, msg); err != nil {
		m.log.Warn("downlink: handler refused a message", "kind", msg.Kind, "bytes", len(msg.Payload), "err", err)
	}
}

// Held returns how many messages of kind wait for a handler.
func (m *Mux) Held(kind Kind) int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.held[kind])
}

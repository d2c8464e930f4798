package identity

import (
	"context"
	"sort"
	"sync"
)

// MemBindingStore is an in-memory BindingStore for tests and the simulator
// profile. It is not durable.
type MemBindingStore struct {
	mu sync.Mutex
	m  map[string]Binding
}

// NewMemBindingStore returns an empty store.
func NewMemBindingStore() *MemBindingStore { return &MemBindingStore{m: map[string]Binding{}} }

// PutBinding stores or replaces b.
func (s *MemBindingStore) PutBinding(_ context.Context, b Binding) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.m[b.IDHash] = b
	return nil
}

// GetBinding returns the binding for idHash or ErrNotEnrolled.
func (s *MemBindingStore) GetBinding(_ context.Context, idHash string) (Binding, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	b, ok := s.m[idHash]
	if !ok {
		return Binding{}, ErrNotEnrolled
	}
	return b, nil
}

// DeleteBinding removes idHash's binding (no error if absent).
func (s *MemBindingStore) DeleteBinding(_ context.Context, idHash string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.m, idHash)
	return nil
}

// ListBindings returns every binding, by slot.
func (s *MemBindingStore) ListBindings(context.Context) ([]Binding, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Binding, 0, len(s.m))
	for _, b := range s.m {
		out = append(out, b)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Slot < out[j].Slot })
	return out, nil
}

// MemHolderAuditor collects audit events in memory, for tests.
type MemHolderAuditor struct {
	mu     sync.Mutex
	events []HolderEvent
	// Fail, if set, is returned by AuditHolder (to test rollback).
	Fail error
}

// AuditHolder records ev.
func (a *MemHolderAuditor) AuditHolder(_ context.Context, ev HolderEvent) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.Fail != nil {
		return a.Fail
	}
	a.events = append(a.events, ev)
	return nil
}

// Events returns the events recorded so far.
func (a *MemHolderAuditor) Events() []HolderEvent {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]HolderEvent(nil), a.events...)
}

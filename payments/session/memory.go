package session

import (
	"context"
	"sync"
)

// MemoryRecorder is an in-memory Recorder for tests and for the simulator
// profile; it is not durable. Fail, when set, makes Record fail.
type MemoryRecorder struct {
	mu   sync.Mutex
	ts   []Transition
	Fail error
}

// Record appends t.
func (r *MemoryRecorder) Record(_ context.Context, t Transition) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.Fail != nil {
		return r.Fail
	}
	r.ts = append(r.ts, t)
	return nil
}

// Load returns a copy of every recorded transition.
func (r *MemoryRecorder) Load(context.Context) ([]Transition, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Transition(nil), r.ts...), nil
}

package queue

import (
	"context"
	"sort"
	"time"
)

// Board is what a display shows.
type Board struct {
	Day      string          `json:"day"`
	Seq      int64           `json:"seq"` // last event applied: SSE resumes after it
	Services []ServiceStatus `json:"services"`
	Counters []CounterStatus `json:"counters"`
}

// ServiceStatus summarises one service.
type ServiceStatus struct {
	Service
	Waiting     int           `json:"waiting"`
	LastIssued  int           `json:"last_issued"`
	AverageTime time.Duration `json:"average_ns"`
	Next        []string      `json:"next"` // the next few tickets in call order
}

// CounterStatus is the ticket a counter is serving ("" when idle).
type CounterStatus struct {
	Counter string `json:"counter"`
	Ticket  string `json:"ticket"`
}

// Board returns the current display state.
func (e *Engine) Board(ctx context.Context) (Board, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if err := e.roll(ctx); err != nil {
		return Board{}, err
	}
	b := Board{Day: e.d.name, Seq: e.d.seq}
	counters := map[string]bool{}
	for _, s := range e.cfg.Services {
		order := e.d.callOrder(s.Code, e.cfg.PriorityEvery)
		st := ServiceStatus{Service: s, Waiting: len(order), LastIssued: e.d.issued[s.Code],
			AverageTime: e.d.average(s.Code, e.cfg.DefaultService), Next: []string{}}
		for _, t := range order[:min(5, len(order))] {
			st.Next = append(st.Next, t.ID)
		}
		b.Services = append(b.Services, st)
		for _, c := range s.Counters {
			counters[c] = true
		}
	}
	for c := range counters {
		b.Counters = append(b.Counters, CounterStatus{Counter: c, Ticket: e.d.current[c]})
	}
	sort.Slice(b.Counters, func(i, j int) bool { return b.Counters[i].Counter < b.Counters[j].Counter })
	return b, nil
}

// Services returns the configured services.
func (e *Engine) Services() []Service { return append([]Service(nil), e.cfg.Services...) }

// subBuffer is how many events a subscriber may lag before it is dropped.
const subBuffer = 64

// Subscribe returns a channel of applied events and a cancel function. A
// subscriber that falls subBuffer events behind has its channel closed and
// must resubscribe and re-read the Board.
func (e *Engine) Subscribe() (<-chan Event, func()) {
	ch := make(chan Event, subBuffer)
	e.mu.Lock()
	e.subs[ch] = struct{}{}
	e.mu.Unlock()
	return ch, func() {
		e.mu.Lock()
		defer e.mu.Unlock()
		if _, ok := e.subs[ch]; ok {
			delete(e.subs, ch)
			close(ch)
		}
	}
}

// publish fans ev out without blocking. Caller holds mu.
func (e *Engine) publish(ev Event) {
	for ch := range e.subs {
		select {
		case ch <- ev:
		default:
			delete(e.subs, ch)
			close(ch)
			e.cfg.Logger.Warn("queue: dropped a slow subscriber")
		}
	}
}

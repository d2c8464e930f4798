package profile

import "sync"

// States fans a flow's states out to its subscribers, latest wins: each
// subscriber's channel holds at most one state and a newer one replaces
// an unread older one, so publishing never blocks. Safe for concurrent
// use.
type States[S any] struct {
	mu   sync.Mutex
	cur  S
	subs map[int]chan S
	next int
}

// NewStates starts with initial as the current state.
func NewStates[S any](initial S) *States[S] {
	return &States[S]{cur: initial, subs: map[int]chan S{}}
}

// Publish makes s the current state and hands it to every subscriber.
func (b *States[S]) Publish(s S) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.cur = s
	for _, ch := range b.subs {
		select {
		case <-ch:
		default:
		}
		ch <- s
	}
}

// Update applies f to the current state under the lock and publishes the
// result (for flows whose state has parts that change apart).
func (b *States[S]) Update(f func(*S)) S {
	b.mu.Lock()
	defer b.mu.Unlock()
	f(&b.cur)
	for _, ch := range b.subs {
		select {
		case <-ch:
		default:
		}
		ch <- b.cur
	}
	return b.cur
}

// Current returns the state last published.
func (b *States[S]) Current() S {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.cur
}

// Subscribe returns a channel of states, starting with the current one,
// and a function that ends the subscription.
func (b *States[S]) Subscribe() (<-chan S, func()) {
	ch := make(chan S, 1)
	b.mu.Lock()
	id := b.next
	b.next++
	b.subs[id] = ch
	ch <- b.cur
	b.mu.Unlock()
	return ch, func() {
		b.mu.Lock()
		delete(b.subs, id)
		b.mu.Unlock()
	}
}

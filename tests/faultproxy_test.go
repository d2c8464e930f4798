package tests

import (
	"bytes"
	"io"
	"math/rand/v2"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// faultProxy is an HTTP reverse proxy that misbehaves the way a mobile
// network and a flaky backend do: it drops connections, answers 500,
// delays, delivers a request twice, and loses responses after the backend
// stored the batch.
type faultProxy struct {
	upstream string
	client   *http.Client
	mu       sync.Mutex
	rng      *rand.Rand
	served   int
	counts   [faultKinds]atomic.Int64
}

// lateReply is how long a "late" fault holds the reply: longer than the
// uploader's request timeout in the tests (300 ms).
const lateReply = 700 * time.Millisecond

type fault int

const (
	faultNone         fault = iota
	faultDropBefore         // close the connection before forwarding
	fault500                // answer 500 without forwarding
	faultDelay              // forward after a delay
	faultDuplicate          // forward twice, answer with the second reply
	faultLoseResponse       // forward, then close the connection
	faultLate               // forward, then answer after the client's timeout
	faultKinds
)

var faultNames = [faultKinds]string{"none", "drop", "500", "delay", "duplicate", "lost-response", "late"}

func newFaultProxy(upstream string, seed uint64) *faultProxy {
	return &faultProxy{upstream: upstream, client: &http.Client{Timeout: 10 * time.Second},
		rng: rand.New(rand.NewPCG(seed, seed^0x5eed))}
}

func (p *faultProxy) pick() (fault, time.Duration) {
	p.mu.Lock()
	defer p.mu.Unlock()
	d := time.Duration(p.rng.IntN(150)) * time.Millisecond
	p.served++
	if p.served < int(faultKinds) { // every fault once first, then at random
		return fault(p.served), d
	}
	r := p.rng.IntN(100)
	switch {
	case r < 12:
		return faultDropBefore, 0
	case r < 24:
		return fault500, 0
	case r < 34:
		return faultDelay, d
	case r < 46:
		return faultDuplicate, 0
	case r < 58:
		return faultLoseResponse, 0
	case r < 62:
		return faultLate, 0
	}
	return faultNone, 0
}

// Counts reports how often each fault fired.
func (p *faultProxy) Counts() map[string]int64 {
	m := map[string]int64{}
	for i := range p.counts {
		m[faultNames[i]] = p.counts[i].Load()
	}
	return m
}

func (p *faultProxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f, d := p.pick()
	p.counts[f].Add(1)
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return
	}
	switch f {
	case faultDropBefore:
		hangUp(w)
		return
	case fault500:
		http.Error(w, "injected failure", http.StatusInternalServerError)
		return
	case faultDelay:
		time.Sleep(d)
	}
	status, reply, err := p.forward(r, body)
	if err == nil && f == faultDuplicate {
		status, reply, err = p.forward(r, body)
	}
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	switch f {
	case faultLoseResponse:
		hangUp(w)
		return
	case faultLate:
		time.Sleep(lateReply) // past the uploader's timeout
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(reply)
}

func (p *faultProxy) forward(r *http.Request, body []byte) (int, []byte, error) {
	req, err := http.NewRequest(r.Method, p.upstream+r.URL.Path, bytes.NewReader(body))
	if err != nil {
		return 0, nil, err
	}
	for _, h := range []string{"Content-Type", "Content-Encoding", "Authorization"} {
		req.Header.Set(h, r.Header.Get(h))
	}
	resp, err := p.client.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	reply, err := io.ReadAll(resp.Body)
	return resp.StatusCode, reply, err
}

// hangUp closes the client connection without an HTTP response.
func hangUp(w http.ResponseWriter) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		http.Error(w, "cannot hijack", http.StatusBadGateway)
		return
	}
	conn, _, err := hj.Hijack()
	if err == nil {
		conn.Close()
	}
}

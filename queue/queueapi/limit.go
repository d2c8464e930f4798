package queueapi

import (
	"math"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// IssueLimits bound the tickets one client may take, so that no single
// token — leaked, or a kiosk stuck in a loop — can take a service's numbers
// for the day (999 per service).
type IssueLimits struct {
	// PerMinute is the sustained rate (default 6 a minute) and Burst the
	// tickets that may be taken back to back (default 10): a token bucket.
	PerMinute float64
	Burst     int
	// DailyCap is the most tickets per service per service day (default
	// 200; at most 998, so a client can never take every number).
	DailyCap int
}

// Default limits.
const (
	DefaultIssuePerMinute    = 6
	DefaultIssueBurst        = 10
	DefaultIssueDailyCap     = 200
	DefaultRequestsPerSecond = 10
	DefaultStreamsPerClient  = 4
	// maxDailyCap leaves at least one number of the engine's 999.
	maxDailyCap = 998
)

func (l IssueLimits) or(d IssueLimits) IssueLimits {
	if l.PerMinute <= 0 {
		l.PerMinute = d.PerMinute
	}
	if l.Burst <= 0 {
		l.Burst = d.Burst
	}
	if l.DailyCap <= 0 {
		l.DailyCap = d.DailyCap
	}
	return l
}

// Refusal reasons, the label of the refusal counters (Server.Refusals).
const (
	RefusedUnauthorized = "unauthorized" // no or unknown token (401)
	RefusedRole         = "role"         // the role may not do this (403)
	RefusedPriority     = "priority"     // the client may not issue this priority class (403)
	RefusedCounter      = "counter"      // a counter or ticket outside the client's counters (403)
	RefusedRequestRate  = "request_rate" // more requests a second than allowed (429)
	RefusedIssueRate    = "issue_rate"   // tickets faster than the client's rate (429)
	RefusedDailyCap     = "daily_cap"    // the client's tickets for the service today (429)
	RefusedStreams      = "streams"      // too many open event streams (429)
)

// bucket is a token bucket: up to burst tokens, refilled at rate a second.
type bucket struct {
	tokens, burst, rate float64
	last                time.Time
}

func newBucket(rate, burst float64, now time.Time) bucket {
	return bucket{tokens: burst, burst: burst, rate: rate, last: now}
}

// take takes one token, or says how long until one is there.
func (b *bucket) take(now time.Time) (bool, time.Duration) {
	if now.After(b.last) {
		b.tokens = math.Min(b.burst, b.tokens+now.Sub(b.last).Seconds()*b.rate)
		b.last = now
	}
	if b.tokens >= 1 {
		b.tokens--
		return true, 0
	}
	return false, time.Duration((1 - b.tokens) / b.rate * float64(time.Second))
}

// give returns a token taken for a request that did not happen.
func (b *bucket) give() { b.tokens = math.Min(b.burst, b.tokens+1) }

// clientState is one client and what it has used.
type clientState struct {
	Client
	digest digest

	mu       sync.Mutex
	requests bucket
	issues   bucket
	day      string         // the service day issued counts
	issued   map[string]int // service → tickets issued through the API on day
	streams  int
	logged   map[string]time.Time // reason → last refusal logged
	quiet    map[string]int       // reason → refusals not logged since
}

// refusal is a refused request: status, reason, message, and for 429 how
// long to wait.
type refusal struct {
	code   int
	reason string
	msg    string
	wait   time.Duration
}

// refuse answers a refused request, counts it and logs it (at most once a
// minute per client and reason, with the count of those not logged).
func (s *Server) refuse(w http.ResponseWriter, r *http.Request, cs *clientState, f refusal) {
	s.mu.Lock()
	s.refusals[f.reason]++
	name := ""
	if cs != nil {
		name = cs.Name
		s.byClient[name]++
	}
	s.mu.Unlock()
	if cs != nil {
		now := s.cfg.Now()
		cs.mu.Lock()
		last, ok := cs.logged[f.reason]
		logIt := !ok || now.Sub(last) >= time.Minute
		var quiet int
		if logIt {
			cs.logged[f.reason], quiet, cs.quiet[f.reason] = now, cs.quiet[f.reason], 0
		} else {
			cs.quiet[f.reason]++
		}
		cs.mu.Unlock()
		if logIt {
			s.cfg.Logger.Warn("queueapi: request refused", "client", name, "reason", f.reason,
				"method", r.Method, "path", r.URL.Path, "remote", r.RemoteAddr, "unlogged_since_last", quiet)
		}
	}
	if f.code == http.StatusTooManyRequests {
		w.Header().Set("Retry-After", strconv.FormatInt(int64(math.Ceil(max(f.wait, time.Second).Seconds())), 10))
	}
	if f.code == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="queue"`)
	}
	writeJSON(w, f.code, map[string]string{"error": "queueapi: " + f.msg, "reason": f.reason})
}

// allowRequest applies the client's request rate.
func (cs *clientState) allowRequest(now time.Time) (bool, time.Duration) {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	return cs.requests.take(now)
}

// reserveIssue takes one ticket of the client's rate and of its daily cap
// for service on day, or says why not. A reservation whose Issue fails is
// handed back with release, so a refused or failed request never counts.
func (cs *clientState) reserveIssue(now time.Time, day, service string, untilReset time.Duration) *refusal {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	if day > cs.day { // forward-only, as issueDay
		cs.day, cs.issued = day, map[string]int{}
	}
	if cs.issued[service] >= cs.Limits.DailyCap {
		return &refusal{http.StatusTooManyRequests, RefusedDailyCap,
			"this client's tickets for service " + service + " today reached its daily cap of " + strconv.Itoa(cs.Limits.DailyCap), untilReset}
	}
	if ok, wait := cs.issues.take(now); !ok {
		return &refusal{http.StatusTooManyRequests, RefusedIssueRate, "tickets issued too fast for this client", wait}
	}
	cs.issued[service]++
	return nil
}

// release hands back a reservation whose ticket was not issued.
func (cs *clientState) release(day, service string) {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	cs.issues.give()
	if cs.day == day && cs.issued[service] > 0 {
		cs.issued[service]--
	}
}

// openStream counts an event stream; false when the client has max open.
func (cs *clientState) openStream(limit int) bool {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	if cs.streams >= limit {
		return false
	}
	cs.streams++
	return true
}

func (cs *clientState) closeStream() {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	cs.streams--
}

// Refusals counts refused requests since start by reason (for a metric).
func (s *Server) Refusals() map[string]float64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[string]float64, len(s.refusals))
	for k, v := range s.refusals {
		out[k] = float64(v)
	}
	return out
}

// RefusalsByClient counts refused requests of known clients since start
// by client name.
func (s *Server) RefusalsByClient() map[string]float64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[string]float64, len(s.byClient))
	for k, v := range s.byClient {
		out[k] = float64(v)
	}
	return out
}

// issueDay names the service day the daily cap counts an issue at now in,
// and says how long until the next one starts by the wall clock. The day
// is forward-only, as the engine's (queue.Engine): the day of the latest
// wall time seen, so a clock stepped back across the reset time neither
// hands a client a second day's cap nor reuses the earlier day's counts.
func (s *Server) issueDay(now time.Time) (string, time.Duration) {
	now = now.Round(0) // wall times: a step back shows
	s.mu.Lock()
	if now.After(s.latest) {
		s.latest = now
	}
	latest := s.latest
	s.mu.Unlock()
	day, until := s.serviceDay(latest)
	return day, until + latest.Sub(now)
}

// serviceDay names the service day of t as the engine does (the local
// date of t − ResetAt) and says how long until the next one starts.
func (s *Server) serviceDay(t time.Time) (string, time.Duration) {
	local := t.In(s.cfg.Location).Add(-s.cfg.ResetAt)
	y, m, d := local.Date()
	next := time.Date(y, m, d+1, 0, 0, 0, 0, s.cfg.Location).Add(s.cfg.ResetAt)
	return local.Format(time.DateOnly), next.Sub(t)
}

package admin

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"
)

// Outcomes of a PIN check (Result.Outcome), as the audit records them.
const (
	OutcomeOK       = "ok"        // the PIN is a staff member's: logged in
	OutcomeWrongPIN = "wrong_pin" // no staff member has that PIN
	OutcomeLockout  = "lockout"   // this wrong PIN started a lockout
	OutcomeLocked   = "locked"    // refused unchecked: a lockout is running
	OutcomeInvalid  = "invalid"   // not 4 to 12 digits: refused unchecked, not counted
)

// Policy is the lockout policy.
type Policy struct {
	// MaxFailures wrong PINs in a row lock the menu (default 5).
	MaxFailures int
	// Lockout is how long it stays locked (default 5 minutes).
	Lockout time.Duration
}

// Result is what came of one PIN check. It never holds the PIN.
type Result struct {
	Outcome string
	// Staff is who logged in (OutcomeOK only).
	Staff string
	// FailuresLeft is how many wrong PINs remain before a lockout.
	FailuresLeft int
	// Until is when a lockout ends (OutcomeLockout, OutcomeLocked).
	Until time.Time
}

// OK reports whether the PIN logged someone in.
func (r Result) OK() bool { return r.Outcome == OutcomeOK }

// lockState is the state file: wrong PINs in a row and the lockout's end.
type lockState struct {
	Failures    int       `json:"failures"`
	LockedUntil time.Time `json:"locked_until,omitzero"`
}

// Guard checks PINs against a PIN file and keeps the lockout. It is safe
// for concurrent use.
type Guard struct {
	pins   *PINs
	policy Policy
	path   string // the lockout state file ("" keeps it in memory)
	now    func() time.Time

	mu sync.Mutex
	st lockState
}

// NewGuard makes a guard over pins whose lockout state lives in the file
// at statePath ("" keeps it in memory only, for tests); now is its clock
// (nil: time.Now). A state file that cannot be read is an error: the
// guard must not forget a lockout.
func NewGuard(pins *PINs, p Policy, statePath string, now func() time.Time) (*Guard, error) {
	if pins == nil || pins.Len() == 0 {
		return nil, fmt.Errorf("%w: no staff entries", ErrPINFile)
	}
	if p.MaxFailures <= 0 {
		p.MaxFailures = 5
	}
	if p.Lockout <= 0 {
		p.Lockout = 5 * time.Minute
	}
	if now == nil {
		now = time.Now
	}
	g := &Guard{pins: pins, policy: p, path: statePath, now: now}
	if statePath != "" {
		b, err := os.ReadFile(statePath)
		switch {
		case errors.Is(err, os.ErrNotExist):
		case err != nil:
			return nil, fmt.Errorf("admin: lockout state: %w", err)
		default:
			if err := json.Unmarshal(b, &g.st); err != nil || g.st.Failures < 0 {
				// A damaged file counts as a lockout rather than a reset.
				g.st = lockState{Failures: p.MaxFailures, LockedUntil: now().Add(p.Lockout)}
			}
		}
	}
	return g, nil
}

// Locked returns when the running lockout ends (zero: not locked).
func (g *Guard) Locked() time.Time {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.now().Before(g.st.LockedUntil) {
		return g.st.LockedUntil
	}
	return time.Time{}
}

// Check checks pin. A wrong PIN counts towards the lockout; the count
// and the lockout are saved before Check returns, and a failure to save
// them is returned with the result (the PIN is then refused even if
// right).
func (g *Guard) Check(pin string) (Result, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	now := g.now()
	if now.Before(g.st.LockedUntil) {
		return Result{Outcome: OutcomeLocked, Until: g.st.LockedUntil}, nil
	}
	if !ValidPIN(pin) {
		return Result{Outcome: OutcomeInvalid, FailuresLeft: g.left()}, nil
	}
	if !g.st.LockedUntil.IsZero() { // a lockout ended: a fresh count
		g.st = lockState{}
	}
	if name := g.pins.match(pin); name != "" {
		prev := g.st
		g.st = lockState{}
		if err := g.save(); err != nil {
			g.st = prev
			return Result{Outcome: OutcomeWrongPIN, FailuresLeft: g.left()}, err
		}
		return Result{Outcome: OutcomeOK, Staff: name, FailuresLeft: g.policy.MaxFailures}, nil
	}
	g.st.Failures++
	r := Result{Outcome: OutcomeWrongPIN}
	if g.st.Failures >= g.policy.MaxFailures {
		g.st.LockedUntil = now.Add(g.policy.Lockout)
		r = Result{Outcome: OutcomeLockout, Until: g.st.LockedUntil}
	}
	r.FailuresLeft = g.left()
	return r, g.save()
}

func (g *Guard) left() int {
	if n := g.policy.MaxFailures - g.st.Failures; n > 0 {
		return n
	}
	return 0
}

// save writes the state file atomically (temporary file, fsync, rename).
func (g *Guard) save() error {
	if g.path == "" {
		return nil
	}
	b, err := json.Marshal(g.st)
	if err != nil {
		return fmt.Errorf("admin: lockout state: %w", err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(g.path), ".admin-lock-*")
	if err != nil {
		return fmt.Errorf("admin: lockout state: %w", err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		return fmt.Errorf("admin: lockout state: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("admin: lockout state: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("admin: lockout state: %w", err)
	}
	if err := os.Rename(tmp.Name(), g.path); err != nil {
		return fmt.Errorf("admin: lockout state: %w", err)
	}
	return nil
}

package queueapi

import (
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"fmt"
	"math"
	"net/http"
	"os"
	"slices"
	"strings"

	"github.com/kiosk06/kiosk/queue"
)

// Role is what a client may do.
type Role int

// Roles, each including the ones before it.
const (
	Display Role = iota + 1 // read the services, the board, a ticket, the event stream
	Kiosk                   // and issue tickets (normal, plus the client's Priorities)
	Staff                   // and call, recall, no-show, complete, transfer, cancel
)

// ParseRole parses "display", "kiosk" or "staff".
func ParseRole(s string) (Role, error) {
	switch s {
	case "display":
		return Display, nil
	case "kiosk":
		return Kiosk, nil
	case "staff":
		return Staff, nil
	}
	return 0, fmt.Errorf("queueapi: role %q: want display, kiosk or staff", s)
}

// String returns the configuration name of r.
func (r Role) String() string {
	switch r {
	case Display:
		return "display"
	case Kiosk:
		return "kiosk"
	case Staff:
		return "staff"
	}
	return fmt.Sprintf("role(%d)", int(r))
}

// Client is one device or terminal allowed to use the API, with its own
// bearer token: a display board, a ticket kiosk, a counter.
type Client struct {
	// Name identifies the client in logs and metrics; the token never
	// appears there.
	Name  string
	Token string
	Role  Role
	// Counters limits a staff client to these counters, and its cancel and
	// transfer to tickets of the services they serve. Empty: every counter
	// (a supervisor).
	Counters []string
	// Priorities are the priority classes a kiosk client may issue besides
	// normal (a self-service kiosk cannot check a pregnancy or a merit
	// card). Staff may issue every class; display none.
	Priorities []queue.Priority
	// Limits overrides Config.Limits for this client (zero fields keep the
	// default).
	Limits IssueLimits
}

// Token rules (CheckToken).
const (
	MinTokenLen = 32  // characters: 128 bits as hex (openssl rand -hex 16)
	MaxTokenLen = 512 // a header line, not a file
	// minTokenBits is the floor on the token's empirical entropy (Shannon
	// entropy of its characters times its length). Random 32-character hex
	// tokens score 115 bits on average and none of 500 000 scored below 91;
	// "aaaabbbb…" scores 32.
	minTokenBits = 64
	// maxRun is the longest run of equal, ascending or descending
	// characters allowed ("00000000", "12345678", "abcdefgh"); a random
	// 64-character hex token has such a run with a probability below 10⁻⁶.
	maxRun = 7
)

// ErrWeakToken is returned by CheckToken (and New) for a token an attacker
// could guess or that was copied from an example.
var ErrWeakToken = errors.New("queueapi: weak token")

// placeholders are substrings of tokens people copy from examples and
// templates. Hex tokens cannot contain one; a random base64 token does
// with a probability near 10⁻⁶ (generate another).
var placeholders = []string{
	"example", "changeme", "change-me", "change_me", "placeholder", "replace", "secret", "password",
	"token",
	// the literal tokens kiosk06's example configuration used to ship
	"display-board-tang2", "counter-staff-noi",
}

// CheckToken refuses a token shorter than MinTokenLen, longer than
// MaxTokenLen, with characters a header cannot carry, with the look of a
// placeholder, or with the regularity of a typed one (a repeated pattern,
// a long run, few distinct characters). Generate tokens with
// `openssl rand -hex 32`.
func CheckToken(tok string) error {
	switch {
	case len(tok) < MinTokenLen:
		return fmt.Errorf("%w: %d characters, want at least %d (openssl rand -hex 32)", ErrWeakToken, len(tok), MinTokenLen)
	case len(tok) > MaxTokenLen:
		return fmt.Errorf("%w: %d characters, want at most %d", ErrWeakToken, len(tok), MaxTokenLen)
	}
	for i := 0; i < len(tok); i++ {
		if c := tok[i]; c <= ' ' || c >= 0x7f {
			return fmt.Errorf("%w: character %d is not a visible ASCII character", ErrWeakToken, i+1)
		}
	}
	lower := strings.ToLower(tok)
	for _, p := range placeholders {
		if strings.Contains(lower, p) {
			return fmt.Errorf("%w: looks like a placeholder (contains %q)", ErrWeakToken, p)
		}
	}
	if bits := entropyBits(tok); bits < minTokenBits {
		return fmt.Errorf("%w: about %.0f bits of entropy, want %d (a random token)", ErrWeakToken, bits, minTokenBits)
	}
	if p := period(tok); p > 0 {
		return fmt.Errorf("%w: repeats a pattern of %d characters", ErrWeakToken, p)
	}
	if i := longRun(tok); i >= 0 {
		return fmt.Errorf("%w: a run of more than %d equal or consecutive characters at character %d", ErrWeakToken, maxRun, i+1)
	}
	return nil
}

// period is the shortest p ≤ len(s)/2 with s[i] == s[i+p] for every i, or 0.
func period(s string) int {
	for p := 1; p <= len(s)/2; p++ {
		if s[p:] == s[:len(s)-p] {
			return p
		}
	}
	return 0
}

// longRun is where a run of more than maxRun equal, ascending or
// descending characters starts, or -1.
func longRun(s string) int {
	for _, step := range []int{0, 1, -1} {
		start := 0
		for i := 1; i < len(s); i++ {
			if int(s[i])-int(s[i-1]) != step {
				start = i
			}
			if i-start+1 > maxRun {
				return start
			}
		}
	}
	return -1
}

// entropyBits is len(s) times the Shannon entropy of s's byte frequencies.
func entropyBits(s string) float64 {
	var n [256]int
	for i := 0; i < len(s); i++ {
		n[s[i]]++
	}
	h := 0.0
	for _, c := range n {
		if c > 0 {
			p := float64(c) / float64(len(s))
			h -= p * math.Log2(p)
		}
	}
	return h * float64(len(s))
}

// ReadTokenFile reads a token from path (surrounding white space removed):
// the file must not be readable or writable by others, and the token must
// pass CheckToken.
func ReadTokenFile(path string) (string, error) {
	if err := privateFile(path); err != nil {
		return "", err
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("queueapi: token file: %w", err)
	}
	tok := strings.TrimSpace(string(b))
	if err := CheckToken(tok); err != nil {
		return "", fmt.Errorf("%w (%s)", err, path)
	}
	return tok, nil
}

// ErrExposedFile is returned for a secret file other users may read or
// write.
var ErrExposedFile = errors.New("queueapi: secret file open to other users")

// privateFile refuses a secret file with any permission for "other".
func privateFile(path string) error {
	st, err := os.Stat(path)
	if err != nil {
		return fmt.Errorf("queueapi: %w", err)
	}
	if st.Mode().Perm()&0o007 != 0 {
		return fmt.Errorf("%w: %s has mode %v (chmod o-rwx)", ErrExposedFile, path, st.Mode().Perm())
	}
	return nil
}

// digest is what the server keeps of a token: comparing fixed-size
// digests in constant time says nothing about the token's length or
// content.
type digest [sha256.Size]byte

// authenticate finds the client whose token the request carries. Every
// client's digest is compared, in constant time, whatever matches.
func (s *Server) authenticate(r *http.Request) *clientState {
	got, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok || got == "" || len(got) > MaxTokenLen {
		return nil
	}
	d := digest(sha256.Sum256([]byte(got)))
	var found *clientState
	for _, cs := range s.clients {
		if subtle.ConstantTimeCompare(d[:], cs.digest[:]) == 1 {
			found = cs
		}
	}
	return found
}

// mayIssue reports whether the client may issue priority p.
func (c *Client) mayIssue(p queue.Priority) bool {
	switch {
	case c.Role >= Staff:
		return true
	case c.Role == Kiosk:
		return p == queue.Normal || slices.Contains(c.Priorities, p)
	}
	return false
}

// mayServe reports whether the client may operate counter.
func (c *Client) mayServe(counter string) bool {
	return len(c.Counters) == 0 || slices.Contains(c.Counters, counter)
}

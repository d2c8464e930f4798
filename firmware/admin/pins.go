package admin

import (
	"bufio"
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
)

// Errors callers branch on.
var (
	ErrPINFile   = errors.New("admin: invalid PIN file")
	ErrPINFormat = errors.New("admin: a PIN is 4 to 12 digits")
	ErrName      = errors.New("admin: a staff name is 1 to 32 letters, digits, '.', '-' or '_'")
)

// Limits on the PIN file and its lines.
const (
	MinPINLength  = 4
	MaxPINLength  = 12
	maxNameLength = 32
	maxLines      = 200
	maxLineLength = 256
	// DefaultIterations is PBKDF2's iteration count for new lines: a few
	// tens of milliseconds per line on a kiosk board.
	DefaultIterations = 60000
	minIterations     = 1000
	maxIterations     = 10_000_000
	saltLength        = 16
	keyLength         = 32
	scheme            = "pbkdf2-sha256"
)

// entry is one line of the PIN file.
type entry struct {
	name string
	iter int
	salt []byte
	key  []byte
}

// PINs are the staff PIN entries of a PIN file.
type PINs struct {
	entries []entry
}

// Len is the number of staff entries.
func (p *PINs) Len() int { return len(p.entries) }

// ValidPIN reports whether pin has the shape of a PIN (4 to 12 ASCII digits).
func ValidPIN(pin string) bool {
	if len(pin) < MinPINLength || len(pin) > MaxPINLength {
		return false
	}
	for i := 0; i < len(pin); i++ {
		if pin[i] < '0' || pin[i] > '9' {
			return false
		}
	}
	return true
}

func validName(n string) bool {
	if n == "" || len(n) > maxNameLength {
		return false
	}
	for _, r := range n {
		ok := r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '-' || r == '_'
		if !ok {
			return false
		}
	}
	return true
}

// Line returns the PIN-file line for name with pin, salted from rand (nil:
// crypto/rand) and hashed with PBKDF2-SHA256 at DefaultIterations.
func Line(name, pin string, rnd io.Reader) (string, error) {
	if !validName(name) {
		return "", ErrName
	}
	if !ValidPIN(pin) {
		return "", ErrPINFormat
	}
	if rnd == nil {
		rnd = rand.Reader
	}
	salt := make([]byte, saltLength)
	if _, err := io.ReadFull(rnd, salt); err != nil {
		return "", fmt.Errorf("admin: salt: %w", err)
	}
	key, err := pbkdf2.Key(sha256.New, pin, salt, DefaultIterations, keyLength)
	if err != nil {
		return "", fmt.Errorf("admin: pbkdf2: %w", err)
	}
	enc := base64.RawStdEncoding
	return fmt.Sprintf("%s:%s$%d$%s$%s", name, scheme, DefaultIterations, enc.EncodeToString(salt), enc.EncodeToString(key)), nil
}

// LoadPINs reads the PIN file at path.
func LoadPINs(path string) (*PINs, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("admin: %w", err)
	}
	defer f.Close()
	return ParsePINs(f)
}

// ParsePINs reads a PIN file: one "name:pbkdf2-sha256$ITER$SALT$KEY" line
// per member of staff; blank lines and lines starting with '#' are
// ignored. An error names the line, never its hash.
func ParsePINs(r io.Reader) (*PINs, error) {
	sc := bufio.NewScanner(io.LimitReader(r, maxLines*maxLineLength))
	sc.Buffer(make([]byte, 0, maxLineLength), maxLineLength)
	p := &PINs{}
	names := map[string]bool{}
	n := 0
	for sc.Scan() {
		n++
		s := strings.TrimSpace(sc.Text())
		if s == "" || strings.HasPrefix(s, "#") {
			continue
		}
		e, err := parseLine(s)
		if err != nil {
			return nil, fmt.Errorf("%w: line %d: %v", ErrPINFile, n, err)
		}
		if names[e.name] {
			return nil, fmt.Errorf("%w: line %d: %q appears twice", ErrPINFile, n, e.name)
		}
		names[e.name] = true
		p.entries = append(p.entries, e)
		if len(p.entries) > maxLines {
			return nil, fmt.Errorf("%w: more than %d entries", ErrPINFile, maxLines)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%w: line %d: %v", ErrPINFile, n+1, err)
	}
	if len(p.entries) == 0 {
		return nil, fmt.Errorf("%w: no staff entries", ErrPINFile)
	}
	return p, nil
}

func parseLine(s string) (entry, error) {
	name, hash, ok := strings.Cut(s, ":")
	if !ok || !validName(name) {
		return entry{}, errors.New("expected name:hash with a name of letters, digits, '.', '-' or '_'")
	}
	parts := strings.Split(hash, "$")
	if len(parts) != 4 || parts[0] != scheme {
		return entry{}, fmt.Errorf("expected %s$ITER$SALT$KEY (kioskd admin pin)", scheme)
	}
	iter, err := strconv.Atoi(parts[1])
	if err != nil || iter < minIterations || iter > maxIterations {
		return entry{}, fmt.Errorf("iterations must be %d to %d", minIterations, maxIterations)
	}
	enc := base64.RawStdEncoding
	salt, err := enc.DecodeString(parts[2])
	if err != nil || len(salt) < 8 || len(salt) > 64 {
		return entry{}, errors.New("salt must be 8 to 64 bytes of unpadded base64")
	}
	key, err := enc.DecodeString(parts[3])
	if err != nil || len(key) != keyLength {
		return entry{}, fmt.Errorf("key must be %d bytes of unpadded base64", keyLength)
	}
	return entry{name: name, iter: iter, salt: salt, key: key}, nil
}

// match returns the name whose PIN is pin ("" if none). Every entry is
// hashed and compared in constant time.
func (p *PINs) match(pin string) string {
	found := ""
	for _, e := range p.entries {
		k, err := pbkdf2.Key(sha256.New, pin, e.salt, e.iter, len(e.key))
		if err == nil && subtle.ConstantTimeCompare(k, e.key) == 1 && found == "" {
			found = e.name
		}
	}
	return found
}

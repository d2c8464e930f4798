package update

import (
	"fmt"
	"strings"
)

// MaxVersionLen bounds a version string.
const MaxVersionLen = 64

// ValidVersion checks a Debian version (Debian Policy 5.6.12): [epoch:]
// upstream[-revision], upstream starting with a digit, made of
// alphanumerics and . + ~ (and - when there is a revision, : when there
// is an epoch).
func ValidVersion(v string) error {
	if v == "" || len(v) > MaxVersionLen {
		return fmt.Errorf("version %q: want 1 to %d characters", v, MaxVersionLen)
	}
	rest := v
	if e, r, ok := strings.Cut(v, ":"); ok {
		if e == "" || strings.Trim(e, "0123456789") != "" {
			return fmt.Errorf("version %q: the epoch is not a number", v)
		}
		rest = r
	}
	up, rev := rest, ""
	if i := strings.LastIndexByte(rest, '-'); i >= 0 {
		up, rev = rest[:i], rest[i+1:]
		if rev == "" {
			return fmt.Errorf("version %q: empty revision", v)
		}
	}
	if up == "" || up[0] < '0' || up[0] > '9' {
		return fmt.Errorf("version %q: the upstream version must start with a digit", v)
	}
	for _, c := range up {
		if !isAlnum(c) && !strings.ContainsRune(".+~-:", c) {
			return fmt.Errorf("version %q: character %q", v, c)
		}
	}
	for _, c := range rev {
		if !isAlnum(c) && !strings.ContainsRune(".+~", c) {
			return fmt.Errorf("version %q: character %q in the revision", v, c)
		}
	}
	return nil
}

func isAlnum(c rune) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

// CompareVersions orders two Debian versions as dpkg --compare-versions
// does: -1, 0 or 1.
func CompareVersions(a, b string) int {
	ea, ua, ra := splitVersion(a)
	eb, ub, rb := splitVersion(b)
	if c := compareNum(ea, eb); c != 0 {
		return c
	}
	if c := comparePart(ua, ub); c != 0 {
		return c
	}
	return comparePart(ra, rb)
}

func splitVersion(v string) (epoch, upstream, revision string) {
	epoch = "0"
	if e, r, ok := strings.Cut(v, ":"); ok {
		epoch, v = e, r
	}
	if i := strings.LastIndexByte(v, '-'); i >= 0 {
		return epoch, v[:i], v[i+1:]
	}
	return epoch, v, ""
}

// order is a character's weight in the non-digit parts: ~ sorts before
// everything, even the end of the part; letters before other characters.
func order(c byte) int {
	switch {
	case c == '~':
		return -1
	case c >= '0' && c <= '9':
		return 0
	case c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z':
		return int(c)
	default:
		return int(c) + 256
	}
}

// comparePart is dpkg's verrevcmp: alternating non-digit and digit runs.
func comparePart(a, b string) int {
	for a != "" || b != "" {
		for (a != "" && !isDigit(a[0])) || (b != "" && !isDigit(b[0])) {
			var ca, cb int
			if a != "" {
				ca = order(a[0])
			}
			if b != "" {
				cb = order(b[0])
			}
			if ca != cb {
				return sign(ca - cb)
			}
			a, b = a[1:], b[1:]
		}
		var na, nb string
		na, a = digits(a)
		nb, b = digits(b)
		if c := compareNum(na, nb); c != 0 {
			return c
		}
	}
	return 0
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func digits(s string) (run, rest string) {
	i := 0
	for i < len(s) && isDigit(s[i]) {
		i++
	}
	return s[:i], s[i:]
}

// compareNum compares digit strings of any length.
func compareNum(a, b string) int {
	a, b = strings.TrimLeft(a, "0"), strings.TrimLeft(b, "0")
	if len(a) != len(b) {
		return sign(len(a) - len(b))
	}
	return strings.Compare(a, b)
}

func sign(n int) int {
	switch {
	case n < 0:
		return -1
	case n > 0:
		return 1
	}
	return 0
}

package admin

import (
	"strings"
	"testing"
)

// BenchmarkCheck is one PIN check against a file of 10 staff lines: the
// time a member of staff waits after OK (PBKDF2 over every line).
func BenchmarkCheck(b *testing.B) {
	var lines []string
	for i := range 10 {
		l, err := Line("staff"+string(rune('a'+i)), "24681"+string(rune('0'+i)), nil)
		if err != nil {
			b.Fatal(err)
		}
		lines = append(lines, l)
	}
	pins, err := ParsePINs(strings.NewReader(strings.Join(lines, "\n")))
	if err != nil {
		b.Fatal(err)
	}
	g, err := NewGuard(pins, Policy{MaxFailures: 1 << 30}, "", nil)
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if r, _ := g.Check("246819"); !r.OK() {
			b.Fatal(r)
		}
	}
}

package admin

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func pinFile(t *testing.T, lines ...[2]string) *PINs {
	t.Helper()
	var b strings.Builder
	b.WriteString("# staff PINs\n\n")
	for _, l := range lines {
		s, err := Line(l[0], l[1], nil)
		if err != nil {
			t.Fatal(err)
		}
		b.WriteString(s + "\n")
	}
	p, err := ParsePINs(strings.NewReader(b.String()))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestLineNeverHoldsThePIN(t *testing.T) {
	l, err := Line("kythuat1", "246813", bytes.NewReader(make([]byte, 16)))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(l, "246813") || !strings.HasPrefix(l, "kythuat1:pbkdf2-sha256$60000$") {
		t.Fatalf("line %q", l)
	}
	for _, bad := range [][2]string{{"", "1234"}, {"a b", "1234"}, {"x", "123"}, {"x", "12345a"}, {"x", "1234567890123"}} {
		if _, err := Line(bad[0], bad[1], nil); err == nil {
			t.Errorf("Line(%q, %q): no error", bad[0], bad[1])
		}
	}
}

func TestParsePINsErrors(t *testing.T) {
	good, _ := Line("a", "1234", nil)
	_, hash, _ := strings.Cut(good, ":")
	for name, in := range map[string]string{
		"empty":      "# nothing\n",
		"no colon":   "abc\n",
		"bad name":   "a b:" + hash,
		"scheme":     "a:sha1$1000$AAAAAAAAAAA$AAAA",
		"iterations": "a:pbkdf2-sha256$10$" + strings.SplitN(hash, "$", 3)[2],
		"salt":       "a:pbkdf2-sha256$60000$!!$" + strings.Split(hash, "$")[3],
		"key":        "a:pbkdf2-sha256$60000$" + strings.Split(hash, "$")[2] + "$AAAA",
		"duplicate":  good + "\n" + good + "\n",
		"long line":  "a:" + strings.Repeat("x", 300),
	} {
		_, err := ParsePINs(strings.NewReader(in))
		if !errors.Is(err, ErrPINFile) {
			t.Errorf("%s: err %v, want ErrPINFile", name, err)
		}
		if err != nil && strings.Contains(err.Error(), strings.Split(hash, "$")[3]) {
			t.Errorf("%s: the error shows the hash: %v", name, err)
		}
	}
}

// clock is a manual clock.
type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

func TestCheckAndLockout(t *testing.T) {
	pins := pinFile(t, [2]string{"kythuat1", "246813"}, [2]string{"letan2", "135792"})
	c := &clock{t: time.Date(2026, 12, 5, 9, 0, 0, 0, time.UTC)}
	state := filepath.Join(t.TempDir(), "admin.lock")
	g, err := NewGuard(pins, Policy{MaxFailures: 5, Lockout: 5 * time.Minute}, state, c.now)
	if err != nil {
		t.Fatal(err)
	}
	if r, _ := g.Check("135792"); !r.OK() || r.Staff != "letan2" {
		t.Fatalf("right PIN: %+v", r)
	}
	if r, _ := g.Check("12"); r.Outcome != OutcomeInvalid || r.FailuresLeft != 5 {
		t.Fatalf("malformed PIN: %+v", r)
	}
	for i := 4; i >= 1; i-- {
		if r, _ := g.Check("000000"); r.Outcome != OutcomeWrongPIN || r.FailuresLeft != i {
			t.Fatalf("wrong PIN: %+v, want %d left", r, i)
		}
	}
	r, err := g.Check("000000")
	if err != nil || r.Outcome != OutcomeLockout || !r.Until.Equal(c.t.Add(5*time.Minute)) {
		t.Fatalf("fifth wrong PIN: %+v %v", r, err)
	}
	if r, _ := g.Check("246813"); r.Outcome != OutcomeLocked {
		t.Fatalf("right PIN while locked: %+v", r)
	}

	// A restart keeps the lockout.
	g2, err := NewGuard(pins, Policy{}, state, c.now)
	if err != nil {
		t.Fatal(err)
	}
	if g2.Locked().IsZero() {
		t.Fatal("lockout forgotten across a restart")
	}
	if b, _ := os.ReadFile(state); bytes.Contains(b, []byte("246813")) {
		t.Fatal("state file holds a PIN")
	}
	c.t = c.t.Add(5 * time.Minute)
	if r, _ := g2.Check("246813"); !r.OK() || r.Staff != "kythuat1" {
		t.Fatalf("right PIN after the lockout: %+v", r)
	}
	// The count starts again after a login.
	if r, _ := g2.Check("999999"); r.FailuresLeft != 4 {
		t.Fatalf("count after login: %+v", r)
	}
}

func TestDamagedStateLocks(t *testing.T) {
	state := filepath.Join(t.TempDir(), "admin.lock")
	if err := os.WriteFile(state, []byte("{garbage"), 0o600); err != nil {
		t.Fatal(err)
	}
	g, err := NewGuard(pinFile(t, [2]string{"a", "1234"}), Policy{}, state, nil)
	if err != nil {
		t.Fatal(err)
	}
	if r, _ := g.Check("1234"); r.Outcome != OutcomeLocked {
		t.Fatalf("damaged state: %+v", r)
	}
}

func FuzzParsePINs(f *testing.F) {
	good, _ := Line("a", "1234", bytes.NewReader(make([]byte, 16)))
	f.Add(good)
	f.Add("a:pbkdf2-sha256$1000$AAAAAAAAAAA$")
	f.Add("#\n\nx:y")
	f.Fuzz(func(t *testing.T, s string) {
		p, err := ParsePINs(strings.NewReader(s))
		if err == nil && p.Len() == 0 {
			t.Fatal("no error and no entries")
		}
	})
}

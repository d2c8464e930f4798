// Package logging builds kioskd's log/slog logger and makes personal data
// hard to log by accident (Decree 13/2023: names, ID numbers, dates of birth,
// addresses must never reach the logs).
//
// Two layers:
//   - Redacted, a string type whose log value is always "[redacted]": use it for
//     any personal field that must travel through a struct that may be logged.
//   - a handler guard that scrubs digit runs shaped like Vietnamese ID numbers
//     (12-digit CCCD, 9-digit old CMND) from every message and string
//     attribute, in case a value slips through unmarked.
//
// It imports nothing of the project but firmware/config.
package logging

import (
	"context"
	"io"
	"log/slog"
	"os"
	"strings"

	"github.com/kiosk06/kiosk/firmware/config"
	"golang.org/x/sys/unix"
)

// Redacted is a personal value that logs as "[redacted]". Its String method
// also redacts, so fmt-formatting it into a message is safe; call Reveal to
// get the value for real use.
type Redacted string

// RedactedText is what a redacted value shows in logs.
const RedactedText = "[redacted]"

// LogValue implements slog.LogValuer.
func (Redacted) LogValue() slog.Value { return slog.StringValue(RedactedText) }

// String implements fmt.Stringer: never the value.
func (Redacted) String() string { return RedactedText }

// GoString implements fmt.GoStringer (%#v): never the value.
func (Redacted) GoString() string { return RedactedText }

// MarshalJSON redacts too: slog's JSON handler encodes nested structs with
// encoding/json, which would otherwise print the value.
func (Redacted) MarshalJSON() ([]byte, error) { return []byte(`"` + RedactedText + `"`), nil }

// MarshalText redacts for text encoders.
func (Redacted) MarshalText() ([]byte, error) { return []byte(RedactedText), nil }

// Reveal returns the underlying value, for code that must use it.
func (r Redacted) Reveal() string { return string(r) }

// New returns a logger writing to w according to cfg: JSON when the format is
// "json", or "auto" and w is not a terminal; text otherwise.
func New(w io.Writer, cfg config.Log) *slog.Logger {
	level := slog.LevelInfo
	switch cfg.Level {
	case "debug":
		level = slog.LevelDebug
	case "warn":
		level = slog.LevelWarn
	case "error":
		level = slog.LevelError
	}
	opts := &slog.HandlerOptions{Level: level, ReplaceAttr: scrubAttr}
	var h slog.Handler
	if cfg.Format == "json" || (cfg.Format != "text" && !isTerminal(w)) {
		h = slog.NewJSONHandler(w, opts)
	} else {
		h = slog.NewTextHandler(w, opts)
	}
	return slog.New(guard{h})
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	_, err := unix.IoctlGetTermios(int(f.Fd()), unix.TCGETS)
	return err == nil
}

// guard scrubs the record's message; attributes are scrubbed by ReplaceAttr.
type guard struct{ slog.Handler }

func (g guard) Handle(ctx context.Context, r slog.Record) error {
	if Scrub(r.Message) != r.Message {
		nr := slog.NewRecord(r.Time, r.Level, Scrub(r.Message), r.PC)
		r.Attrs(func(a slog.Attr) bool { nr.AddAttrs(a); return true })
		r = nr
	}
	return g.Handler.Handle(ctx, r)
}

func (g guard) WithAttrs(as []slog.Attr) slog.Handler {
	return guard{g.Handler.WithAttrs(as)}
}

func (g guard) WithGroup(name string) slog.Handler { return guard{g.Handler.WithGroup(name)} }

func scrubAttr(_ []string, a slog.Attr) slog.Attr {
	switch a.Value.Kind() {
	case slog.KindString:
		if s := a.Value.String(); Scrub(s) != s {
			a.Value = slog.StringValue(Scrub(s))
		}
	case slog.KindAny:
		if err, ok := a.Value.Any().(error); ok {
			a.Value = slog.StringValue(Scrub(err.Error()))
		}
	}
	return a
}

// Scrub replaces every run of exactly 9 or 12 digits (old CMND and CCCD
// numbers) with "[id]". Longer or shorter runs (sequence numbers, amounts,
// timestamps) are kept.
func Scrub(s string) string {
	if !hasDigitRun(s) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		if !isDigit(s[i]) {
			b.WriteByte(s[i])
			i++
			continue
		}
		j := i
		for j < len(s) && isDigit(s[j]) {
			j++
		}
		if n := j - i; n == 9 || n == 12 {
			b.WriteString("[id]")
		} else {
			b.WriteString(s[i:j])
		}
		i = j
	}
	return b.String()
}

func hasDigitRun(s string) bool {
	run := 0
	for i := 0; i < len(s); i++ {
		if isDigit(s[i]) {
			run++
			if run >= 9 {
				return true
			}
		} else {
			run = 0
		}
	}
	return false
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

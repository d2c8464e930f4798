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
// Under systemd (stderr is the journal stream JOURNAL_STREAM names) each
// line starts with its syslog priority, "<4>" for a warning, so journald
// files it at that priority.
//
// It imports nothing of the project but firmware/config.
package logging

import (
	"context"
	"fmt"
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
	mk := func(w io.Writer) slog.Handler {
		if cfg.Format == "json" || (cfg.Format != "text" && !isTerminal(w)) {
			return slog.NewJSONHandler(w, opts)
		}
		return slog.NewTextHandler(w, opts)
	}
	if !OnJournal(w, os.Getenv("JOURNAL_STREAM")) {
		return slog.New(guard{mk(w)})
	}
	var lh leveled
	for i, prio := range journalPriorities {
		lh.h[i] = mk(prefixWriter{w: w, prefix: []byte("<" + string(rune('0'+prio)) + ">")})
	}
	return slog.New(guard{lh})
}

// OnJournal reports whether w is the stream systemd connected to the
// journal: JOURNAL_STREAM holds "device:inode" of that stream (sd-daemon(3),
// systemd.exec(5)), which w's must match — a stderr redirected elsewhere by
// hand is not the journal even when the variable was inherited.
func OnJournal(w io.Writer, journalStream string) bool {
	f, ok := w.(*os.File)
	if !ok || journalStream == "" {
		return false
	}
	var st unix.Stat_t
	if err := unix.Fstat(int(f.Fd()), &st); err != nil {
		return false
	}
	return journalStream == fmt.Sprintf("%d:%d", st.Dev, st.Ino)
}

// journalPriorities are the syslog priorities (RFC 5424 severities) of
// slog's levels, in leveled's order: debug 7, info 6, warning 4, error 3.
var journalPriorities = [4]int{7, 6, 4, 3}

// leveled sends each record to the handler of its level, each of which
// writes its lines with the "<N>" priority prefix journald reads
// (SyslogLevelPrefix=, on by default): so `journalctl -p warning` shows the
// warnings and errors, where every line was "info" before.
type leveled struct{ h [4]slog.Handler }

func levelIndex(l slog.Level) int {
	switch {
	case l < slog.LevelInfo:
		return 0
	case l < slog.LevelWarn:
		return 1
	case l < slog.LevelError:
		return 2
	default:
		return 3
	}
}

func (l leveled) Enabled(ctx context.Context, lv slog.Level) bool {
	return l.h[levelIndex(lv)].Enabled(ctx, lv)
}

func (l leveled) Handle(ctx context.Context, r slog.Record) error {
	return l.h[levelIndex(r.Level)].Handle(ctx, r)
}

func (l leveled) WithAttrs(as []slog.Attr) slog.Handler {
	var n leveled
	for i, h := range l.h {
		n.h[i] = h.WithAttrs(as)
	}
	return n
}

func (l leveled) WithGroup(name string) slog.Handler {
	var n leveled
	for i, h := range l.h {
		n.h[i] = h.WithGroup(name)
	}
	return n
}

// prefixWriter writes prefix and a whole line in one Write: slog's
// handlers write a record in one call, and one write(2) keeps lines from
// different levels' handlers from interleaving.
type prefixWriter struct {
	w      io.Writer
	prefix []byte
}

func (p prefixWriter) Write(b []byte) (int, error) {
	line := make([]byte, 0, len(p.prefix)+len(b))
	line = append(append(line, p.prefix...), b...)
	if _, err := p.w.Write(line); err != nil {
		return 0, err
	}
	return len(b), nil
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

package speech

import (
	"fmt"
	"strings"
	"time"
)

// Arg is one typed parameter of a prompt: how it is read depends on what
// it is (a ticket code is spelled, an amount is money, a room is a name
// with a number). Build it with the constructors below.
type Arg struct {
	Name string
	kind argKind
	s    string
	n    int64
	t    time.Time
	d    time.Duration
}

type argKind int

const (
	argText argKind = iota
	argNumber
	argMoney
	argCode
	argRoom
	argDate
	argClock
	argDuration
)

// Text is a parameter read as written (normalised: numbers in it are read
// as numbers). Never pass a person's name or ID number.
func Text(name, s string) Arg { return Arg{Name: name, kind: argText, s: s} }

// Num is a number read as a quantity ("mười lăm").
func Num(name string, n int64) Arg { return Arg{Name: name, kind: argNumber, n: n} }

// Amount is an amount of đồng ("năm mươi nghìn đồng").
func Amount(name string, vnd int64) Arg { return Arg{Name: name, kind: argMoney, n: vnd} }

// Ticket is a ticket or reference code, spelled ("a, không, một, hai").
func Ticket(name, code string) Arg { return Arg{Name: name, kind: argCode, s: code} }

// RoomName is a room or counter ("101" → "một trăm linh một").
func RoomName(name, room string) Arg { return Arg{Name: name, kind: argRoom, s: room} }

// Day is a calendar date ("ngày bốn tháng mười hai năm …").
func Day(name string, t time.Time) Arg { return Arg{Name: name, kind: argDate, t: t} }

// TimeOfDay is a clock time, read in t's location.
func TimeOfDay(name string, t time.Time) Arg { return Arg{Name: name, kind: argClock, t: t} }

// Span is a duration ("bốn phút năm mươi chín giây").
func Span(name string, d time.Duration) Arg { return Arg{Name: name, kind: argDuration, d: d} }

// spoken reads the argument in lang.
func (a Arg) spoken(lang Lang) (string, error) {
	switch a.kind {
	case argNumber:
		return Number(lang, a.n), nil
	case argMoney:
		return Money(lang, a.n), nil
	case argCode:
		return Code(lang, a.s)
	case argRoom:
		return Room(lang, a.s)
	case argDate:
		return Date(lang, a.t), nil
	case argClock:
		return Clock(lang, a.t.Hour(), a.t.Minute()), nil
	case argDuration:
		return Duration(lang, a.d), nil
	}
	return Normalize(lang, a.s)
}

// Prompt is something to say: the key of its text in the catalogues (the
// i18n key, the same one the screen shows), the language and the typed
// parameters.
type Prompt struct {
	Key  string
	Lang Lang
	Args []Arg
}

// ErrArgs is returned when a template's placeholders and a prompt's
// arguments do not match.
var ErrArgs = fmt.Errorf("speech: placeholders and arguments differ")

// Render fills a voice template (a Book's Say, with {name} placeholders)
// with the spoken form of each argument. The template is normalised first,
// so a raw screen template works too. Every placeholder needs an argument
// and every argument a placeholder: a missing one would be read as
// "{name}" or silently left out.
func Render(lang Lang, template string, args ...Arg) (string, error) {
	text, err := Normalize(lang, template)
	if err != nil {
		return "", err
	}
	used := map[string]bool{}
	for _, a := range args {
		ph := "{" + a.Name + "}"
		if !strings.Contains(text, ph) {
			return "", fmt.Errorf("%w: no {%s} in %q", ErrArgs, a.Name, template)
		}
		s, err := a.spoken(lang)
		if err != nil {
			return "", err
		}
		text = strings.ReplaceAll(text, ph, s)
		used[a.Name] = true
	}
	if i := strings.IndexByte(text, '{'); i >= 0 {
		j := strings.IndexByte(text[i:], '}')
		return "", fmt.Errorf("%w: %s has no argument in %q", ErrArgs, text[i:i+max(j+1, 1)], template)
	}
	return text, nil
}

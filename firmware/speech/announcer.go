package speech

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"unicode"
)

// Voices looks up a voice template (a Book's Say for the screen text of
// key in lang). The UI's voice books implement it (ui/voice).
type Voices interface {
	Voice(lang Lang, key string) (string, bool)
}

// The catalogue keys of the calls (ui/i18n/locales: shown on a display,
// said by the Announcer).
const (
	// KeyCallRoom: "Mời số {number} đến phòng {room}" (place is a bare
	// room number or code: "101", "B2").
	KeyCallRoom = "call.room"
	// KeyCallPlace: "Mời số {number} đến {place}" (place is a name:
	// "Quầy 3", "Phòng khám Nội").
	KeyCallPlace = "call.place"
)

// Call is one number called to a place.
type Call struct {
	// Ticket is the number as printed, "A012".
	Ticket string
	// Place is the counter or room as configured: "101" or "Quầy 3".
	Place string
}

// AnnouncerOptions configure an Announcer; nil and the zero value mean the
// defaults.
type AnnouncerOptions struct {
	// Langs are said one after the other for each call (nil: Vietnamese
	// only). A hospital in a tourist area may set vi, en.
	Langs []Lang
	// Times is how often the words are said per call, after one chime
	// (0: 2, as waiting-room callers repeat a number so nobody misses it).
	Times int
}

// Announcer calls numbers aloud on a Speaker: a chime, then "Mời số a,
// không, một, hai đến phòng một trăm linh một", said Times times. Calls
// queue on the speaker as Announcements: they never overlap and are never
// cut by screen speech. A recall is said again in full; a recall of a call
// still waiting to be said is not queued twice.
type Announcer struct {
	sp     Speaker
	voices Voices
	opts   AnnouncerOptions

	mu      sync.Mutex
	pending map[Call]int // calls queued or sounding
}

// NewAnnouncer returns an Announcer saying calls on sp with templates from
// voices.
func NewAnnouncer(sp Speaker, voices Voices, opts *AnnouncerOptions) *Announcer {
	a := &Announcer{sp: sp, voices: voices, pending: map[Call]int{}}
	if opts != nil {
		a.opts = *opts
	}
	if len(a.opts.Langs) == 0 {
		a.opts.Langs = []Lang{Vietnamese}
	}
	if a.opts.Times <= 0 {
		a.opts.Times = 2
	}
	return a
}

// ErrNoTemplate is returned when the voices lack a call template.
var ErrNoTemplate = errors.New("speech: no voice template")

// Utterance builds the call's utterance without saying it.
func (a *Announcer) Utterance(c Call) (Utterance, error) {
	var parts []string
	for _, lang := range a.opts.Langs {
		text, err := a.render(lang, c)
		if err != nil {
			return Utterance{}, err
		}
		for range a.opts.Times {
			parts = append(parts, text)
		}
	}
	return Utterance{Key: "call", Text: strings.Join(parts, " "), Lang: a.opts.Langs[0], Kind: Announcement, Chime: true}, nil
}

func (a *Announcer) render(lang Lang, c Call) (string, error) {
	key, place := KeyCallPlace, Text("place", c.Place)
	if bareRoom(c.Place) {
		key, place = KeyCallRoom, RoomName("room", c.Place)
	}
	tmpl, ok := a.voices.Voice(lang, key)
	if !ok {
		return "", fmt.Errorf("%w: %s %s", ErrNoTemplate, lang, key)
	}
	text, err := Render(lang, tmpl, Ticket("number", c.Ticket), place)
	if err != nil {
		return "", err
	}
	// Each repetition ends in a full stop: a pause between them.
	return strings.TrimRight(text, ".,;:!? ") + ".", nil
}

// bareRoom: a place written as a number or short code ("101", "B2",
// "A1.05"), not as a name.
func bareRoom(p string) bool {
	if p == "" || len(p) > 8 {
		return false
	}
	digit := false
	for _, r := range p {
		switch {
		case r >= '0' && r <= '9':
			digit = true
		case unicode.IsUpper(r) && r < 0x80, r == '.', r == '-':
		default:
			return false
		}
	}
	return digit
}

// Call says c (queued behind calls already waiting) and returns when it
// has been said.
func (a *Announcer) Call(ctx context.Context, c Call) error {
	u, err := a.Utterance(c)
	if err != nil {
		return err
	}
	a.mu.Lock()
	a.pending[c]++
	a.mu.Unlock()
	defer func() {
		a.mu.Lock()
		if a.pending[c]--; a.pending[c] <= 0 {
			delete(a.pending, c)
		}
		a.mu.Unlock()
	}()
	return a.sp.Say(ctx, u)
}

// Recall says c again, in full. A call waiting behind the one sounding is
// not queued twice (a double press on a counter's recall key): the
// Announcer cannot see inside the speaker's queue, so it takes one pending
// copy of c as the one sounding now and queues the recall after it, and
// drops a recall when a second copy already waits.
func (a *Announcer) Recall(ctx context.Context, c Call) error {
	a.mu.Lock()
	waiting := a.pending[c] >= 2
	a.mu.Unlock()
	if waiting {
		return nil
	}
	return a.Call(ctx, c)
}

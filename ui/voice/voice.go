// Package voice is what the screens call to speak: the voice books (one
// per language for the ui/i18n catalogue and for the message tables of the
// hospital, ticketing, one-stop and check-in flows, in books/), checked by this package's tests against the very
// screen texts they were made from, and Voice, which turns a screen's key
// and typed arguments — or a flow Text already on screen — into a
// speech.Utterance on the kiosk's speech.Speaker.
//
// A screen calls, in a goroutine (Say blocks until said):
//
//	v.Guide(ctx, "guide.hospital.welcome")                // the screen appears, or "Nghe hướng dẫn"
//	v.Result(ctx, "goodbye.reminder", speech.Ticket("number", "A012"), speech.RoomName("room", "Phòng 101"))
//	v.FlowText(ctx, speech.Result, state.Message)         // a hospital.Text the flow published
//	v.Repeat(ctx)                                         // "Nghe hướng dẫn": the last guidance again
//
// GuideKey names the guidance of each profile's screens; a test keeps it
// complete for every hospital, ticketing, onestop and checkin Screen and
// every parking.Phase. Follower speaks
// for a running profile's screen (follow.go): each screen's guidance when
// it appears, then its results (the card's verdict, the ticket number and
// room, the amount to pay …), from the same states the window renders; on
// the idle welcome screen, the attract loop's captions in the rounds the
// flow marks as said aloud (hospital.Attract.Voiced).
//
// It imports ui/i18n, firmware/speech, firmware/profile (FlowOf) and (for
// their states and message tables) the hospital, parking, ticketing,
// onestop and checkin flows; it must
// NOT import Fyne or any driver: the Speaker comes from the wiring.
package voice

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/kiosk06/kiosk/firmware/checkin"
	"github.com/kiosk06/kiosk/firmware/hospital"
	"github.com/kiosk06/kiosk/firmware/onestop"
	"github.com/kiosk06/kiosk/firmware/speech"
	"github.com/kiosk06/kiosk/firmware/ticketing"
	"github.com/kiosk06/kiosk/ui/i18n"
)

//go:embed books/*.json
var books embed.FS

// Sources are the screen-text catalogues a voice book follows.
const (
	SourceI18n      = "i18n"      // ui/i18n/locales/<lang>.json
	SourceHospital  = "hospital"  // hospital.Messages()
	SourceTicketing = "ticketing" // ticketing.Messages()
	SourceOnestop   = "onestop"   // onestop.Messages()
	SourceCheckin   = "checkin"   // checkin.Messages()
)

// Sources lists them.
func Sources() []string {
	return []string{SourceI18n, SourceHospital, SourceTicketing, SourceOnestop, SourceCheckin}
}

// flowMessages are the message tables of the flows that publish their
// texts (key → Vietnamese, English, with fmt verbs), by source.
func flowMessages() map[string]map[string][2]string {
	out := map[string]map[string][2]string{
		SourceHospital:  {},
		SourceTicketing: {},
		SourceOnestop:   onestop.Messages(),
		SourceCheckin:   checkin.Messages(),
	}
	for k, t := range hospital.Messages() {
		out[SourceHospital][k] = [2]string{t.VI, t.EN}
	}
	for k, t := range ticketing.Messages() {
		out[SourceTicketing][k] = [2]string{t.VI, t.EN}
	}
	return out
}

// Source returns a catalogue's screen texts in lang, key → text.
func Source(name string, lang i18n.Lang) (map[string]string, error) {
	src := map[string]string{}
	switch name {
	case SourceI18n:
		c, err := i18n.Load(lang)
		if err != nil {
			return nil, err
		}
		for _, k := range c.Keys() {
			src[k] = c.T(k)
		}
	default:
		msgs, ok := flowMessages()[name]
		if !ok {
			return nil, fmt.Errorf("voice: unknown source %q", name)
		}
		for k, t := range msgs {
			if lang == i18n.English {
				src[k] = t[1]
			} else {
				src[k] = t[0]
			}
		}
	}
	return src, nil
}

// BookFile is the path of a book inside books/.
func BookFile(source string, lang i18n.Lang) string {
	return "books/" + source + "." + string(lang) + ".json"
}

// LoadBook reads the embedded book of source in lang.
func LoadBook(source string, lang i18n.Lang) (*speech.Book, error) {
	data, err := books.ReadFile(BookFile(source, lang))
	if err != nil {
		return nil, fmt.Errorf("voice: %w", err)
	}
	return speech.ParseBook(speech.Lang(lang), data)
}

// GuideKey is the catalogue key of the spoken guidance of a profile's
// screen: "guide.hospital.welcome", "guide.parking.idle".
func GuideKey(profile, screen string) string { return "guide." + profile + "." + screen }

// Voice speaks for the screens of one kiosk. It is safe for concurrent
// use.
type Voice struct {
	sp   speech.Speaker
	i18n map[i18n.Lang]*speech.Book
	// flows are the books of the flows' message tables and the tables
	// themselves, by source (read-only, shared by With).
	flows map[string]flowBook
	cats  map[i18n.Lang]*i18n.Catalog

	// CardNag is how often the card-left reminder is said again, with the
	// chime, while a card lies on the reader (default 6 s): the hospital
	// kiosk has no buzzer, so this is its beep.
	CardNag time.Duration
	// Location is the zone a departure time is read in (config [device]
	// time zone; nil: Asia/Ho_Chi_Minh, UTC+7).
	Location *time.Location
	// Screen is the language of the check-in point's screen, whose states
	// carry none: config [ui] language, so the voice says what the screen
	// shows ("" or vi: Vietnamese; the parking lane's screen is
	// Vietnamese only).
	Screen i18n.Lang

	mu        sync.Mutex
	lang      i18n.Lang
	lastGuide *speech.Utterance
}

// flowBook is one flow's message table and its voice book per language.
type flowBook struct {
	msgs  map[string][2]string
	books map[i18n.Lang]*speech.Book
}

// New loads the books for every language.
func New(sp speech.Speaker) (*Voice, error) {
	v := &Voice{sp: sp, lang: i18n.Vietnamese, i18n: map[i18n.Lang]*speech.Book{},
		flows: map[string]flowBook{}, cats: map[i18n.Lang]*i18n.Catalog{}}
	for src, msgs := range flowMessages() {
		v.flows[src] = flowBook{msgs: msgs, books: map[i18n.Lang]*speech.Book{}}
	}
	for _, l := range i18n.Languages() {
		var err error
		if v.i18n[l], err = LoadBook(SourceI18n, l); err != nil {
			return nil, err
		}
		for src, fb := range v.flows {
			if fb.books[l], err = LoadBook(src, l); err != nil {
				return nil, err
			}
		}
		if v.cats[l], err = i18n.Load(l); err != nil {
			return nil, err
		}
	}
	return v, nil
}

// SetLang follows the screen's language (the UI calls it when the patient
// switches); what is being said is not cut.
func (v *Voice) SetLang(l i18n.Lang) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if _, ok := v.i18n[l]; ok {
		v.lang = l
	}
}

// Lang is the language spoken now.
func (v *Voice) Lang() i18n.Lang {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.lang
}

// ErrNoVoice is returned for a key without a voice.
var ErrNoVoice = errors.New("voice: no voice for key")

// Utterance builds the utterance of an i18n key with typed arguments.
func (v *Voice) Utterance(kind speech.Kind, key string, args ...speech.Arg) (speech.Utterance, error) {
	return v.utterance(v.Lang(), kind, key, args...)
}

func (v *Voice) utterance(l i18n.Lang, kind speech.Kind, key string, args ...speech.Arg) (speech.Utterance, error) {
	b, ok := v.i18n[l]
	if !ok {
		return speech.Utterance{}, fmt.Errorf("%w: language %q", ErrNoVoice, l)
	}
	tmpl, ok := b.Voice(key)
	if !ok {
		return speech.Utterance{}, fmt.Errorf("%w: %s %q", ErrNoVoice, l, key)
	}
	text, err := speech.Render(speech.Lang(l), tmpl, args...)
	if err != nil {
		return speech.Utterance{}, fmt.Errorf("voice: %s: %w", key, err)
	}
	return speech.Utterance{Key: key, Text: text, Lang: speech.Lang(l), Kind: kind}, nil
}

// Guide says a screen's guidance (an i18n key, usually GuideKey), cutting
// whatever the previous screen was saying; Repeat says it again.
func (v *Voice) Guide(ctx context.Context, key string, args ...speech.Arg) error {
	return v.guide(ctx, v.Lang(), key, args...)
}

func (v *Voice) guide(ctx context.Context, l i18n.Lang, key string, args ...speech.Arg) error {
	u, err := v.utterance(l, speech.Guidance, key, args...)
	if err != nil {
		return err
	}
	v.mu.Lock()
	v.lastGuide = &u
	v.mu.Unlock()
	return v.sp.Say(ctx, u)
}

// Result says an i18n key after the screen's guidance.
func (v *Voice) Result(ctx context.Context, key string, args ...speech.Arg) error {
	return v.result(ctx, v.Lang(), key, args...)
}

func (v *Voice) result(ctx context.Context, l i18n.Lang, key string, args ...speech.Arg) error {
	u, err := v.utterance(l, speech.Result, key, args...)
	if err != nil {
		return err
	}
	return v.sp.Say(ctx, u)
}

// Repeat says the last guidance again (the "Nghe hướng dẫn" button),
// re-rendered in the current language.
func (v *Voice) Repeat(ctx context.Context) error {
	v.mu.Lock()
	last := v.lastGuide
	v.mu.Unlock()
	if last == nil {
		return fmt.Errorf("%w: no guidance yet", ErrNoVoice)
	}
	u := *last
	if speech.Lang(v.Lang()) != u.Lang {
		tmpl, ok := v.i18n[v.Lang()].Voice(u.Key)
		if ok {
			if text, err := speech.Normalize(speech.Lang(v.Lang()), tmpl); err == nil {
				u.Text, u.Lang = text, speech.Lang(v.Lang())
			}
		}
	}
	return v.sp.Say(ctx, u)
}

// FlowText says a text the hospital flow published (a State's Message,
// Detail …), shown as t.In(lang): its voice comes from the hospital book.
func (v *Voice) FlowText(ctx context.Context, kind speech.Kind, t hospital.Text) error {
	return v.flowTextIn(ctx, v.Lang(), kind, t)
}

func (v *Voice) flowTextIn(ctx context.Context, l i18n.Lang, kind speech.Kind, t hospital.Text) error {
	u, err := v.flowUtterance(l, kind, t)
	if err != nil {
		return err
	}
	return v.sp.Say(ctx, u)
}

// flowUtterance is what saying t in l is.
func (v *Voice) flowUtterance(l i18n.Lang, kind speech.Kind, t hospital.Text) (speech.Utterance, error) {
	return v.messageUtterance(SourceHospital, l, kind, t.Key, t.VI, t.EN)
}

// messageUtterance is what saying a text of source's message table is:
// key, and the text shown in Vietnamese and English (the table's template
// filled in by the flow).
func (v *Voice) messageUtterance(source string, l i18n.Lang, kind speech.Kind, key, vi, en string) (speech.Utterance, error) {
	fb, ok := v.flows[source]
	if !ok {
		return speech.Utterance{}, fmt.Errorf("%w: source %q", ErrNoVoice, source)
	}
	src, ok := fb.msgs[key]
	if !ok {
		return speech.Utterance{}, fmt.Errorf("%w: %s %q", ErrNoVoice, source, key)
	}
	tmpl, shown := src[0], vi
	if l == i18n.English {
		tmpl = src[1]
		if en != "" {
			shown = en
		}
	}
	b, ok := fb.books[l]
	if !ok {
		return speech.Utterance{}, fmt.Errorf("%w: language %q", ErrNoVoice, l)
	}
	text, err := b.Speak(key, tmpl, shown)
	if err != nil {
		return speech.Utterance{}, fmt.Errorf("voice: %s: %w", key, err)
	}
	return speech.Utterance{Key: key, Text: text, Lang: speech.Lang(l), Kind: kind}, nil
}

// Voice implements speech.Voices for the Announcer (i18n keys call.room,
// call.place).
func (v *Voice) Voice(lang speech.Lang, key string) (string, bool) {
	b, ok := v.i18n[i18n.Lang(lang)]
	if !ok {
		return "", false
	}
	return b.Voice(key)
}

// Guidance returns the normalised guidance texts of profile in lang, for
// speech.Engine.Warm at start.
func (v *Voice) Guidance(lang i18n.Lang, profile string) []string {
	b := v.i18n[lang]
	if b == nil {
		return nil
	}
	prefix := "guide." + profile + "."
	var out []string
	for k, e := range b.Entries {
		if len(k) > len(prefix) && k[:len(prefix)] == prefix {
			if text, err := speech.Normalize(speech.Lang(lang), e.Say); err == nil {
				out = append(out, text)
			}
		}
	}
	return out
}

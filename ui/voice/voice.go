// Package voice is what the screens call to speak: the voice books (one
// per language for the ui/i18n catalogue and for the hospital flow's
// messages, in books/), checked by this package's tests against the very
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
// complete for every hospital.Screen and parking.Phase. Follower speaks
// for a running profile's screen (follow.go): each screen's guidance when
// it appears, then its results (the card's verdict, the ticket number and
// room, the amount to pay …), from the same states the window renders; on
// the idle welcome screen, the attract loop's captions in the rounds the
// flow marks as said aloud (hospital.Attract.Voiced).
//
// It imports ui/i18n, firmware/speech, firmware/profile (FlowOf) and (for
// their states and message table) the hospital and parking flows; it must
// NOT import Fyne or any driver: the Speaker comes from the wiring.
package voice

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/kiosk06/kiosk/firmware/hospital"
	"github.com/kiosk06/kiosk/firmware/speech"
	"github.com/kiosk06/kiosk/ui/i18n"
)

//go:embed books/*.json
var books embed.FS

// Sources are the screen-text catalogues a voice book follows.
const (
	SourceI18n     = "i18n"     // ui/i18n/locales/<lang>.json
	SourceHospital = "hospital" // hospital.Messages()
)

// Sources lists them.
func Sources() []string { return []string{SourceI18n, SourceHospital} }

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
	case SourceHospital:
		for k, t := range hospital.Messages() {
			if lang == i18n.English {
				src[k] = t.EN
			} else {
				src[k] = t.VI
			}
		}
	default:
		return nil, fmt.Errorf("voice: unknown source %q", name)
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
	sp       speech.Speaker
	i18n     map[i18n.Lang]*speech.Book
	hospital map[i18n.Lang]*speech.Book
	cats     map[i18n.Lang]*i18n.Catalog
	msgs     map[string]hospital.Text

	// CardNag is how often the card-left reminder is said again, with the
	// chime, while a card lies on the reader (default 6 s): the hospital
	// kiosk has no buzzer, so this is its beep.
	CardNag time.Duration

	mu        sync.Mutex
	lang      i18n.Lang
	lastGuide *speech.Utterance
}

// New loads the books for every language.
func New(sp speech.Speaker) (*Voice, error) {
	v := &Voice{sp: sp, lang: i18n.Vietnamese, i18n: map[i18n.Lang]*speech.Book{},
		hospital: map[i18n.Lang]*speech.Book{}, cats: map[i18n.Lang]*i18n.Catalog{}, msgs: hospital.Messages()}
	for _, l := range i18n.Languages() {
		var err error
		if v.i18n[l], err = LoadBook(SourceI18n, l); err != nil {
			return nil, err
		}
		if v.hospital[l], err = LoadBook(SourceHospital, l); err != nil {
			return nil, err
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
	hl := hospital.LangVI
	if l == i18n.English {
		hl = hospital.LangEN
	}
	shown := t.In(hl)
	src, ok := v.msgs[t.Key]
	if !ok {
		return speech.Utterance{}, fmt.Errorf("%w: hospital %q", ErrNoVoice, t.Key)
	}
	tmpl := src.VI
	if l == i18n.English {
		tmpl = src.EN
	}
	b, ok := v.hospital[l]
	if !ok {
		return speech.Utterance{}, fmt.Errorf("%w: language %q", ErrNoVoice, l)
	}
	text, err := b.Speak(t.Key, tmpl, shown)
	if err != nil {
		return speech.Utterance{}, fmt.Errorf("voice: %s: %w", t.Key, err)
	}
	return speech.Utterance{Key: t.Key, Text: text, Lang: speech.Lang(l), Kind: kind}, nil
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

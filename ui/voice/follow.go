package voice

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/kiosk06/kiosk/firmware/checkin"
	"github.com/kiosk06/kiosk/firmware/hospital"
	"github.com/kiosk06/kiosk/firmware/onestop"
	"github.com/kiosk06/kiosk/firmware/parking"
	"github.com/kiosk06/kiosk/firmware/profile"
	"github.com/kiosk06/kiosk/firmware/speech"
	"github.com/kiosk06/kiosk/firmware/ticketing"
	"github.com/kiosk06/kiosk/ui/i18n"
)

// With returns a Voice speaking on sp with the same books (which are
// read-only), its own language and last guidance. The books are loaded
// once per process: the kiosk's calls take them before the loudspeaker
// exists (New(nil)), the screens speak through With.
func (v *Voice) With(sp speech.Speaker) *Voice {
	return &Voice{sp: sp, lang: i18n.Vietnamese, i18n: v.i18n, flows: v.flows, cats: v.cats, CardNag: v.CardNag, Location: v.Location, Screen: v.Screen}
}

// page is what the voice makes of one published state: the language, the
// screen's guidance key and the results it shows.
type page struct {
	lang    i18n.Lang
	guide   string
	results []result
	// nag is said again and again, with the chime, for as long as pages
	// carry it (a card left on the reader), across screens.
	nag *result
}

// result is one spoken result; sig tells it apart from the others of the
// same screen (a state republished every second says nothing again).
type result struct {
	key, sig string // key for logs; sig may hold the text
	say      func(ctx context.Context, l i18n.Lang) error
}

// Follower returns what speaks for a profile's screen — the guidance of
// each screen when it appears (and again when the language changes), then
// the results it shows — and whether the voice knows that profile's flow
// (the hospital kiosk, the parking lane). Run it in its own goroutine: it
// returns when ctx ends. It follows the same states the window renders, so
// a kiosk speaks the same way with or without a display; the window's
// "Nghe hướng dẫn" button says the guidance again (Repeat). log receives
// keys, never text (nil: slog.Default()).
func (v *Voice) Follower(s profile.Screen, log *slog.Logger) (func(ctx context.Context), bool) {
	if log == nil {
		log = slog.Default()
	}
	if f, ok := profile.FlowOf[hospital.State, hospital.Intent](s); ok {
		return func(ctx context.Context) { follow(ctx, v, f, "hospital", v.hospitalPage, log) }, true
	}
	if f, ok := profile.FlowOf[parking.State, parking.Intent](s); ok {
		return func(ctx context.Context) { follow(ctx, v, f, "parking", parkingPage, log) }, true
	}
	if f, ok := profile.FlowOf[ticketing.State, ticketing.Intent](s); ok {
		return func(ctx context.Context) { follow(ctx, v, f, "ticketing", v.ticketingPage, log) }, true
	}
	if f, ok := profile.FlowOf[onestop.State, onestop.Intent](s); ok {
		return func(ctx context.Context) { follow(ctx, v, f, "onestop", v.onestopPage, log) }, true
	}
	if f, ok := profile.FlowOf[checkin.State, checkin.Intent](s); ok {
		return func(ctx context.Context) { follow(ctx, v, f, "checkin", v.checkinPage, log) }, true
	}
	return nil, false
}

// warmer is the speech.Engine's cache fill.
type warmer interface {
	Warm(ctx context.Context, lang speech.Lang, texts ...string) error
}

// follow speaks the pages of flow's states until ctx ends. Each new screen
// (or language) gets a worker that says its guidance, then its results in
// the order they appear; the worker of the previous screen is cancelled
// first, so nothing of it is said after the new guidance is queued.
func follow[S, I any](ctx context.Context, v *Voice, flow profile.Flow[S, I], name string, view func(S) page, log *slog.Logger) {
	var wg sync.WaitGroup
	defer wg.Wait()
	if w, ok := v.sp.(warmer); ok {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := w.Warm(ctx, speech.Vietnamese, v.Guidance(i18n.Vietnamese, name)...); err != nil && ctx.Err() == nil {
				log.Warn("voice: guidance not prepared", "profile", name, "err", err)
			}
		}()
	}
	states, stop := flow.Subscribe()
	defer stop()
	// cur is the screen being spoken for: its page, its worker's context
	// and line, and the results already said.
	type visit struct {
		page   page
		cancel context.CancelFunc
		work   chan result
		said   map[string]bool
	}
	var cur *visit
	end := func() {
		if cur != nil {
			cur.cancel()
			close(cur.work)
		}
	}
	defer end()
	var stopNag context.CancelFunc // the nag running, if any
	defer func() {
		if stopNag != nil {
			stopNag()
		}
	}()
	for {
		var s S
		select {
		case <-ctx.Done():
			return
		case s = <-states:
		}
		p := view(s)
		if cur == nil || p.guide != cur.page.guide || p.lang != cur.page.lang {
			end()
			v.SetLang(p.lang)
			sctx, cancel := context.WithCancel(ctx)
			cur = &visit{page: p, cancel: cancel, work: make(chan result, 16), said: map[string]bool{}}
			wg.Add(1)
			go func(p page, work <-chan result) {
				defer wg.Done()
				speak(sctx, v, p, work, log)
			}(p, cur.work)
		}
		switch {
		case p.nag != nil && stopNag == nil:
			nctx, cancel := context.WithCancel(ctx)
			stopNag = cancel
			wg.Add(1)
			go func(n result, lang i18n.Lang) {
				defer wg.Done()
				nag(nctx, v, n, lang, log)
			}(*p.nag, p.lang)
		case p.nag == nil && stopNag != nil:
			stopNag()
			stopNag = nil
		}
		for _, r := range p.results {
			if cur.said[r.sig] {
				continue
			}
			cur.said[r.sig] = true
			select {
			case cur.work <- r:
			default:
				log.Warn("voice: too many results on one screen, one not said", "screen", cur.page.guide, "result", r.key)
			}
		}
	}
}

// speak says p's guidance, then each result in turn, in p's language,
// until work closes; once ctx ends (a newer screen) what is left is
// dropped.
func speak(ctx context.Context, v *Voice, p page, work <-chan result, log *slog.Logger) {
	report := func(what string, err error) {
		if err == nil || ctx.Err() != nil || errors.Is(err, speech.ErrInterrupted) || errors.Is(err, speech.ErrSuperseded) ||
			errors.Is(err, speech.ErrMuted) || errors.Is(err, speech.ErrClosed) {
			return
		}
		log.Warn("voice: not said", "key", what, "err", err)
	}
	if p.guide != "" {
		report(p.guide, v.guide(ctx, p.lang, p.guide))
	}
	for r := range work {
		if ctx.Err() == nil {
			report(r.key, r.say(ctx, p.lang))
		}
	}
}

// flowText is a result saying a text the hospital flow published.
func (v *Voice) flowText(t hospital.Text) []result {
	if t.IsZero() || t.Key == "" {
		return nil
	}
	return []result{{key: t.Key, sig: t.Key + "\x00" + t.VI, say: func(ctx context.Context, l i18n.Lang) error { return v.flowTextIn(ctx, l, speech.Result, t) }}}
}

// attractStep is the caption of the attract loop's step showing, said
// when the flow says this round is said aloud (hospital.Attract.Voiced: at
// most once every [hospital] attract_voice_every); each step of each round
// once. The rounds between cycle their pictures silently.
func (v *Voice) attractStep(a *hospital.Attract) []result {
	if a == nil || !a.Voiced || a.Step < 0 || a.Step >= len(a.Steps) {
		return nil
	}
	t := a.Steps[a.Step].Caption
	if t.Key == "" {
		return nil
	}
	sig := fmt.Sprintf("attract\x00%d\x00%d", a.Round, a.Step)
	return []result{{key: t.Key, sig: sig, say: func(ctx context.Context, l i18n.Lang) error { return v.flowTextIn(ctx, l, speech.Result, t) }}}
}

// reminder is the ticket number and room said as a result ("Số A 0 1 2,
// phòng 101").
func (v *Voice) reminder(number, room string) []result {
	if number == "" || room == "" {
		return nil
	}
	return []result{{key: "goodbye.reminder", sig: "goodbye.reminder\x00" + number + "\x00" + room, say: func(ctx context.Context, l i18n.Lang) error {
		return v.result(ctx, l, "goodbye.reminder", speech.Ticket("number", number), speech.RoomName("room", room))
	}}}
}

// hospitalPage: the guidance of each hospital.Screen, and as results what
// the patient must hear to go on — the card's verdict, the BHYT answer, the
// fingerprint prompts, the ticket number and room, the amount to pay, what
// went wrong and what to do.
func (v *Voice) hospitalPage(s hospital.State) page {
	p := page{lang: i18n.Lang(s.Lang), guide: GuideKey("hospital", string(s.Screen))}
	if p.lang != i18n.English {
		p.lang = i18n.Vietnamese
	}
	add := func(r []result) { p.results = append(p.results, r...) }
	switch {
	case s.Welcome != nil && s.Screen == hospital.ScreenWelcome:
		add(v.attractStep(s.Welcome.Attract))
	case s.Identify != nil && s.Screen == hospital.ScreenIdentify:
		id := s.Identify
		if id.Retry || id.NeedCAN || id.CANExhausted {
			add(v.flowText(id.Message))
		}
		add(v.flowText(id.CANError))
	case s.Card != nil && s.Screen == hospital.ScreenCardResult:
		add(v.flowText(s.Card.Message))
		add(v.flowText(s.Card.Reason))
	case s.Holder != nil && s.Screen == hospital.ScreenHolder:
		add(v.flowText(s.Holder.Message))
	case s.Insurance != nil && s.Screen == hospital.ScreenInsurance:
		if s.Insurance.Outcome != hospital.InsuranceChecking {
			add(v.flowText(s.Insurance.Message))
		}
	case s.Ticket != nil && s.Screen == hospital.ScreenTicket:
		add(v.reminder(s.Ticket.Number, s.Ticket.Room))
		add(v.flowText(s.Ticket.Message))
	case s.Payment != nil && s.Screen == hospital.ScreenPayment:
		if s.Payment.Phase != hospital.PaymentCreating {
			add(v.flowText(s.Payment.Message))
		}
	case s.Goodbye != nil && s.Screen == hospital.ScreenGoodbye:
		add(v.reminder(s.Goodbye.Number, s.Goodbye.Room))
	}
	if s.CardLeft && !s.CardReminder.IsZero() && s.CardReminder.Key != "" {
		t := s.CardReminder
		p.nag = &result{key: t.Key, say: func(ctx context.Context, l i18n.Lang) error {
			u, err := v.flowUtterance(l, speech.Result, t)
			if err != nil {
				return err
			}
			u.Chime = true
			return v.sp.Say(ctx, u)
		}}
	}
	switch {
	case s.Error != nil && s.Screen == hospital.ScreenError:
		add(v.flowText(s.Error.Message))
		add(v.flowText(s.Error.Next))
	case s.OutOfService != nil && s.Screen == hospital.ScreenOutOfService:
		add(v.flowText(s.OutOfService.Message))
	}
	return p
}

// parkingPage: the guidance of each parking.Phase (the lane's messages are
// free text without a catalogue key: its guidance says the outcome).
func parkingPage(s parking.State) page {
	return page{lang: i18n.Vietnamese, guide: GuideKey("parking", string(s.Phase))}
}

// screenLang is the language of a screen whose state carries none.
func (v *Voice) screenLang() i18n.Lang {
	if v.Screen == i18n.English {
		return i18n.English
	}
	return i18n.Vietnamese
}

// nag says n every Voice.CardNag until ctx ends (the card was taken).
func nag(ctx context.Context, v *Voice, n result, lang i18n.Lang, log *slog.Logger) {
	every := v.CardNag
	if every <= 0 {
		every = 6 * time.Second
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if err := n.say(ctx, lang); err != nil && ctx.Err() == nil && !errors.Is(err, speech.ErrInterrupted) &&
			!errors.Is(err, speech.ErrSuperseded) && !errors.Is(err, speech.ErrMuted) {
			log.Warn("voice: card reminder not said", "key", n.key, "err", err)
		}
	}
}

package speech

import (
	"context"
	"errors"
)

// Kind says how an utterance shares the loudspeaker.
type Kind int

const (
	// Guidance is a screen's spoken instruction, said when the screen
	// appears and again on "Nghe hướng dẫn". It interrupts whatever the
	// previous screen was saying and replaces anything of it still
	// waiting; it never interrupts an announcement.
	Guidance Kind = iota
	// Result is something the current screen reports ("Thẻ hợp lệ", the
	// amount, the ticket number): queued after the screen speech in
	// progress, and dropped if a new screen's Guidance comes first.
	Result
	// Announcement calls a number ("Mời số A 012 đến phòng 101"): queued
	// first in, first out, never interrupted, never overlapping another,
	// said before any waiting screen speech.
	Announcement
)

func (k Kind) String() string {
	switch k {
	case Guidance:
		return "guidance"
	case Result:
		return "result"
	case Announcement:
		return "announcement"
	}
	return "unknown"
}

// Utterance is one thing to say.
type Utterance struct {
	// Key names it in logs, metrics and the audio file (the prompt's key);
	// the text itself is never logged.
	Key string
	// Text is what to say, already normalised (Render or Normalize).
	Text string
	Lang Lang
	Kind Kind
	// Chime plays the call chime first.
	Chime bool
}

// Errors Say returns.
var (
	// ErrInterrupted: a newer screen's guidance stopped this one while it
	// was being said.
	ErrInterrupted = errors.New("speech: interrupted")
	// ErrSuperseded: a newer screen's guidance replaced this one before it
	// was said.
	ErrSuperseded = errors.New("speech: superseded")
	// ErrMuted: the loudspeaker is muted (night, or voice off); nothing was
	// said.
	ErrMuted = errors.New("speech: muted")
	// ErrClosed: the speaker was closed.
	ErrClosed = errors.New("speech: closed")
)

// Speaker says utterances on one loudspeaker.
type Speaker interface {
	// Say queues u and returns when it has been said (nil), stopped or
	// dropped (ErrInterrupted, ErrSuperseded), muted (ErrMuted), or when
	// ctx ends (the utterance is withdrawn or stopped; ctx.Err()). Callers
	// on a UI thread call it in a goroutine.
	Say(ctx context.Context, u Utterance) error
}

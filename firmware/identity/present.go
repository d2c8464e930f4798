package identity

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/kiosk06/kiosk/drivers/cccd"
	"github.com/kiosk06/kiosk/drivers/nfc"
)

// Errors of the fast path.
var (
	// ErrUnusable: the presentation identifies no one (a QR that is not a
	// CCCD's, a random UID, a UID where the deployment does not accept
	// them).
	ErrUnusable = errors.New("identity: no usable identity")
	// ErrNeedsOnline: a VNeID app QR, which only the back-end can check.
	ErrNeedsOnline = errors.New("identity: a VNeID QR needs an online check")
)

// Presentation is one QR scan or one card tap, identified on its own, at
// once and offline: no pairing, no CAN, no waiting (the transit validator's
// < 300 ms budget; a parking lane). Turn it into a Token with Tokenizer.Of.
type Presentation struct {
	// Method is MethodQR (a CCCD's printed QR), MethodChip (a chip read
	// with a KeyFinder's key), MethodUID (a fixed UID, Policy.StaticUID),
	// MethodVNeID (Err is ErrNeedsOnline) or "" (Err says why).
	Method Method
	// ID is the 12-digit ID number (MethodQR, MethodChip): personal data —
	// make the token at once and keep neither.
	ID string
	// BirthDate is the holder's date of birth (MethodQR, MethodChip; zero
	// otherwise), for concessions; it is not kept either.
	BirthDate time.Time
	// UID is the fixed chip UID (MethodUID).
	UID []byte
	// Other is the scanned text of a QR that is not a CCCD's (a parking
	// ticket, a VNeID QR): the caller may know it. It may carry personal
	// data (a damaged CCCD QR): never log it.
	Other string
	// Err is why the presentation identifies no one (wraps ErrUnusable),
	// or ErrNeedsOnline.
	Err error
}

// LogValue keeps personal data out of logs.
func (p Presentation) LogValue() slog.Value {
	return slog.GroupValue(slog.String("method", string(p.Method)), slog.Bool("usable", p.Err == nil))
}

// PresentQR identifies a scanned QR on its own: a CCCD's printed QR gives
// the ID number and date of birth; a VNeID QR gives ErrNeedsOnline;
// anything else ErrUnusable (with the text in Other).
func PresentQR(text string) Presentation {
	q, err := cccd.ParseQR(text)
	if err == nil {
		return Presentation{Method: MethodQR, ID: q.ID, BirthDate: q.DOB}
	}
	if looksVNeID(text) {
		return Presentation{Method: MethodVNeID, Other: text, Err: ErrNeedsOnline}
	}
	return Presentation{Other: text, Err: fmt.Errorf("%w: %w", ErrUnusable, err)}
}

// looksVNeID recognises a VNeID app QR. Its format is not public; it is a
// signed URL or token mentioning VNeID, never the pipe-separated card QR.
func looksVNeID(p string) bool {
	if len(p) > cccd.MaxQRLen {
		return false
	}
	return strings.Contains(strings.ToLower(p), "vneid")
}

// PresentCard identifies the card in the field on its own: a full chip read
// when Sources.Keys knows its key, else its UID when fixed and
// Policy.StaticUID allows it. The caller releases the card.
func (a *Acquirer) PresentCard(ctx context.Context, card nfc.Card) Presentation {
	if a.src.Keys != nil {
		keys, err := a.src.Keys.Keys(ctx, card)
		switch {
		case err == nil:
			return a.presentChip(ctx, card, keys)
		case !errors.Is(err, ErrNoKey):
			return Presentation{Err: fmt.Errorf("identity: chip key: %w", err)}
		}
	}
	info := card.Info()
	if !fixedUID(info) {
		return Presentation{Err: fmt.Errorf("%w: random UID and no chip key (%w)", ErrUnusable, ErrNoKey)}
	}
	if !a.pol.StaticUID {
		return Presentation{Err: fmt.Errorf("%w: UID tokens not allowed here (%w)", ErrUnusable, ErrNoKey)}
	}
	return Presentation{Method: MethodUID, UID: append([]byte(nil), info.UID...)}
}

// presentChip reads the chip with keys. A card the pipeline finds not
// genuine identifies no one.
func (a *Acquirer) presentChip(ctx context.Context, card nfc.Card, keys Keys) Presentation {
	id, err := a.readChip(ctx, card, keys, nil)
	switch {
	case err != nil:
		return Presentation{Err: fmt.Errorf("identity: chip read: %w", err)}
	case id.Verdict == NotGenuine:
		return Presentation{Err: fmt.Errorf("%w: the card is not genuine (%s)", ErrUnusable, id.Reason)}
	case !isDigits(id.Citizen.ID, 12):
		return Presentation{Err: fmt.Errorf("%w: the chip read gave no ID number", ErrUnusable)}
	}
	p := Presentation{Method: MethodChip, ID: id.Citizen.ID}
	if d, err := time.Parse("2006-01-02", id.Citizen.DOB); err == nil {
		p.BirthDate = d
	}
	return p
}

// Presentations streams each QR scan and card tap, identified on its own
// (PresentQR, PresentCard), until ctx ends; then the channel is closed, once
// the sources have stopped. Cards are released after their presentation is
// taken, and the reader rests Policy.CardPause before the next tap. The
// stream holds the Acquirer (no Acquire runs meanwhile). A source error is
// logged and the source polled again after a short pause.
func (a *Acquirer) Presentations(ctx context.Context) <-chan Presentation {
	out := make(chan Presentation)
	go func() {
		defer close(out)
		release, err := a.claim(ctx)
		if err != nil {
			return
		}
		defer release()
		var wg sync.WaitGroup
		if a.src.QR != nil {
			wg.Add(1)
			go func() { defer wg.Done(); a.scanLoop(ctx, out) }()
		}
		if a.src.Reader != nil {
			wg.Add(1)
			go func() { defer wg.Done(); a.tapLoop(ctx, out) }()
		}
		wg.Wait()
		<-ctx.Done()
	}()
	return out
}

func (a *Acquirer) scanLoop(ctx context.Context, out chan<- Presentation) {
	for ctx.Err() == nil {
		text, err := a.src.QR.ReadQR(ctx)
		if err != nil {
			a.pauseOnError(ctx, "qr", err)
			continue
		}
		send(ctx, out, PresentQR(text))
	}
}

func (a *Acquirer) tapLoop(ctx context.Context, out chan<- Presentation) {
	for ctx.Err() == nil {
		wctx, cancel := context.WithTimeout(ctx, time.Second)
		card, err := a.src.Reader.WaitCard(wctx)
		cancel()
		if errors.Is(err, nfc.ErrNoCard) {
			continue
		}
		if err != nil {
			a.pauseOnError(ctx, "nfc", err)
			continue
		}
		send(ctx, out, a.PresentCard(ctx, card))
		a.release(ctx, card)
		sleepCtx(ctx, a.pol.CardPause)
	}
}

func send(ctx context.Context, out chan<- Presentation, p Presentation) {
	select {
	case out <- p:
	case <-ctx.Done():
	}
}

func (a *Acquirer) pauseOnError(ctx context.Context, src string, err error) {
	if ctx.Err() != nil {
		return
	}
	a.log.Warn("identity: source error", "source", src, "err", err)
	sleepCtx(ctx, 500*time.Millisecond)
}

package transit

import (
	"context"
	"errors"
	"time"

	"github.com/kiosk06/kiosk/drivers/nfc"
)

// QRSource yields scanned QR payloads (the serial scanner driver).
type QRSource interface {
	ReadQR(ctx context.Context) (string, error)
}

// Sources are the token inputs of Run; either may be nil.
type Sources struct {
	QR     QRSource
	Reader nfc.Reader
	// CardPause is the wait after a card before polling again (default
	// 700 ms) so one presentation is one tap.
	CardPause time.Duration
}

// HandleCard decides the card in the field.
func (v *Validator) HandleCard(ctx context.Context, card nfc.Card) (Result, error) {
	tok, err := v.deps.Tokens.FromCard(ctx, card)
	return v.handle(ctx, tok, err)
}

// Run reads tokens from src until ctx ends and decides each one. Source
// errors are logged and the source is polled again after a short pause.
func (v *Validator) Run(ctx context.Context, src Sources) error {
	done := make(chan struct{}, 2)
	n := 0
	if src.QR != nil {
		n++
		go func() { v.runQR(ctx, src.QR); done <- struct{}{} }()
	}
	if src.Reader != nil {
		n++
		go func() { v.runNFC(ctx, src.Reader, src.CardPause); done <- struct{}{} }()
	}
	<-ctx.Done()
	for range n {
		<-done
	}
	return ctx.Err()
}

func (v *Validator) runQR(ctx context.Context, qr QRSource) {
	for ctx.Err() == nil {
		p, err := qr.ReadQR(ctx)
		if err != nil {
			v.pauseOnError(ctx, "qr", err)
			continue
		}
		// The error may quote the payload: log only the reason.
		if r, err := v.HandleQR(ctx, p); err != nil {
			v.log.Info("transit: QR not accepted", "reason", r.Reason)
		}
	}
}

func (v *Validator) runNFC(ctx context.Context, r nfc.Reader, pause time.Duration) {
	if pause <= 0 {
		pause = 700 * time.Millisecond
	}
	for ctx.Err() == nil {
		wctx, cancel := context.WithTimeout(ctx, time.Second)
		card, err := r.WaitCard(wctx)
		cancel()
		if errors.Is(err, nfc.ErrNoCard) {
			continue
		}
		if err != nil {
			v.pauseOnError(ctx, "nfc", err)
			continue
		}
		if r, err := v.HandleCard(ctx, card); err != nil {
			v.log.Info("transit: card not accepted", "reason", r.Reason)
		}
		_ = card.Release(ctx)
		sleep(ctx, pause)
	}
}

func (v *Validator) pauseOnError(ctx context.Context, src string, err error) {
	if ctx.Err() != nil {
		return
	}
	v.log.Warn("transit: token source error", "source", src, "err", err)
	sleep(ctx, 500*time.Millisecond)
}

func sleep(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}

package pn532

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/kiosk06/kiosk/drivers/nfc"
)

var _ nfc.Reader = (*Dev)(nil)

// WaitCard polls with InListPassiveTarget (Type A, then Type B, in turn)
// until a card is activated or ctx is done; it returns nfc.ErrNoCard when
// ctx's deadline passes without a card. A Type A card whose ATS allows it
// is switched to a higher bit rate with InPSL. If the device was replugged
// meanwhile, the PN532 is initialised again first.
func (d *Dev) WaitCard(ctx context.Context) (nfc.Card, error) {
	for {
		c, err := d.pollOnce(ctx)
		if c != nil || err != nil {
			return c, err
		}
		if err := sleep(ctx, d.opts.PollInterval); err != nil {
			return nil, noCard(ctx)
		}
	}
}

func noCard(ctx context.Context) error {
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return fmt.Errorf("pn532: WaitCard: %w", nfc.ErrNoCard)
	}
	return fmt.Errorf("pn532: WaitCard: %w", ctx.Err())
}

// pollOnce runs one InListPassiveTarget round.
func (d *Dev) pollOnce(ctx context.Context) (nfc.Card, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if ctx.Err() != nil {
		return nil, noCard(ctx)
	}
	if err := d.ensureInit(ctx); err != nil {
		if ctx.Err() != nil {
			return nil, fmt.Errorf("pn532: WaitCard: %w (%w)", err, noCard(ctx))
		}
		return nil, err
	}
	t := nfc.TypeA
	if d.lastType == nfc.TypeA && !d.opts.TypeAOnly {
		t = nfc.TypeB
	}
	d.lastType = t
	tg, ok, err := d.inListPassiveTarget(ctx, t)
	if err != nil || !ok {
		if err != nil && ctx.Err() != nil {
			return nil, noCard(ctx)
		}
		return nil, err
	}
	if t == nfc.TypeA {
		d.negotiateRate(ctx, &tg)
	}
	return &card{d: d, tg: tg.Tg, info: tg.Info, session: d.session}, nil
}

// negotiateRate switches a Type A card to the fastest rate its ATS and
// Opts.MaxBitRate allow; on failure the card stays at 106 kbps.
func (d *Dev) negotiateRate(ctx context.Context, tg *target) {
	code, kbps := pslRate(tg.Info.ATS, d.opts.MaxBitRate)
	if code == 0 {
		return
	}
	if err := d.inPSL(ctx, tg.Tg, code); err != nil {
		d.opts.Logger.Warn("pn532 InPSL failed, staying at 106 kbps", "kbps", kbps, "err", err)
		return
	}
	tg.Info.BitRate = kbps
}

// card is an activated target.
type card struct {
	d       *Dev
	tg      byte
	info    nfc.CardInfo
	session uint64
}

var (
	_ nfc.Card            = (*card)(nil)
	_ nfc.PresenceChecker = (*card)(nil)
)

// Info implements nfc.Card.
func (c *card) Info() nfc.CardInfo { return c.info }

// Transmit implements nfc.Card with InDataExchange. A card that stops
// answering is checked with Diagnose (card presence): gone is
// nfc.ErrCardRemoved, present is nfc.ErrTimeout.
func (c *card) Transmit(ctx context.Context, apdu []byte) ([]byte, error) {
	if len(apdu) == 0 {
		return nil, fmt.Errorf("pn532: InDataExchange: %w: empty APDU", nfc.ErrProtocol)
	}
	d := c.d
	d.mu.Lock()
	defer d.mu.Unlock()
	if err := c.live(ctx); err != nil {
		return nil, err
	}
	resp, err := d.inDataExchange(ctx, c.tg, apdu)
	if err == nil {
		return resp, nil
	}
	var se *StatusError
	if errors.As(err, &se) && se.Code == statusTimeout {
		pctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 500*time.Millisecond)
		present, perr := d.cardPresent(pctx)
		cancel()
		if perr == nil && !present {
			return nil, fmt.Errorf("pn532: InDataExchange: %w (%w)", nfc.ErrCardRemoved, err)
		}
	}
	return nil, err
}

// live fails when the PN532 was re-initialised since the card was
// activated (replug, power loss): the card's session is gone.
func (c *card) live(ctx context.Context) error {
	if err := c.d.ensureInit(ctx); err != nil {
		return err
	}
	if c.d.session != c.session {
		return fmt.Errorf("pn532: %w: reader was re-initialised", nfc.ErrCardRemoved)
	}
	return nil
}

// Present implements nfc.PresenceChecker with Diagnose test 6 (card
// presence, UM0701 §7.2.1). A PN532 re-initialised since the activation has
// lost the card: not present.
func (c *card) Present(ctx context.Context) (bool, error) {
	d := c.d
	d.mu.Lock()
	defer d.mu.Unlock()
	if err := c.live(ctx); err != nil {
		if errors.Is(err, nfc.ErrCardRemoved) {
			return false, nil
		}
		return false, err
	}
	return d.cardPresent(ctx)
}

// Release implements nfc.Card with InRelease.
func (c *card) Release(ctx context.Context) error {
	d := c.d
	d.mu.Lock()
	defer d.mu.Unlock()
	if err := c.live(ctx); err != nil {
		return nil // nothing to release on a re-initialised PN532
	}
	return d.inRelease(ctx, c.tg)
}

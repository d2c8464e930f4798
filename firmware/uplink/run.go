package uplink

import (
	"context"
	"errors"
	"math/rand/v2"
	"time"
)

// Run uploads until ctx is done: it drains the outbox, waits Interval (or a
// Kick), and after a failure waits an exponential backoff with jitter
// (MinBackoff doubling up to MaxBackoff). Acknowledged records past the
// store's retention are purged after each successful drain. It returns
// ctx.Err().
func (u *Uploader) Run(ctx context.Context) error {
	failures := 0
	for {
		res, err := u.Drain(ctx)
		wait := u.opts.Interval
		switch {
		case err != nil && ctx.Err() != nil:
			return ctx.Err()
		case err != nil:
			failures++
			wait = backoff(failures, u.opts.MinBackoff, u.opts.MaxBackoff, rand.Int64N)
			u.log.Warn("uplink: upload failed, backing off", "err", err, "retry_in", wait,
				"auth", errors.Is(err, ErrAuth))
		default:
			failures = 0
			if res.Acked > 0 {
				if _, err := u.st.Purge(ctx); err != nil {
					u.log.Warn("uplink: purge failed", "err", err)
				}
			}
		}
		if err := u.sleep(ctx, wait, err == nil); err != nil {
			return err
		}
	}
}

// sleep waits d; a Kick ends the wait early unless we are backing off.
func (u *Uploader) sleep(ctx context.Context, d time.Duration, kickable bool) error {
	t := time.NewTimer(d)
	defer t.Stop()
	kick := u.kick
	if !kickable {
		kick = nil
	}
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
	case <-kick:
	}
	return nil
}

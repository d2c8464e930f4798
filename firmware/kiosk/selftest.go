package kiosk

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/kiosk06/kiosk/firmware/config"
	"github.com/kiosk06/kiosk/firmware/store"
)

// StoreCheck is the selftest line for the durable store: read without
// taking the writer or uploader lock, so it is safe while kioskd runs.
type StoreCheck struct {
	Line    string
	Warning bool  // ≥ 90% of the cap, or records quarantined
	Err     error // unreadable, or full (new work is refused)
}

// CheckStore summarises the store's backlog against the configured cap.
func CheckStore(ctx context.Context, cfg *config.Config) StoreCheck {
	if _, err := os.Stat(cfg.Store.Path); errors.Is(err, os.ErrNotExist) {
		return StoreCheck{Line: cfg.Store.Path + ": not created yet (first start)"}
	}
	o, err := store.ReadOutbox(ctx, cfg.Store.Path)
	if err != nil {
		return StoreCheck{Err: err}
	}
	unuploaded := o.Pending + o.Quarantined
	frac := float64(unuploaded) / float64(cfg.Store.MaxRecords)
	c := StoreCheck{Line: fmt.Sprintf("%s: %d pending (oldest %.0f s), %d quarantined, last seq %d, acked through %d, %.0f%% of cap",
		cfg.Store.Path, o.Pending, o.OldestPendingS, o.Quarantined, o.LastSeq, o.LastAckedSeq, 100*frac)}
	switch {
	case frac >= 1:
		c.Err = fmt.Errorf("%s — FULL: new transactions are refused until the backlog uploads", c.Line)
	case frac >= store.WarnFraction:
		c.Warning, c.Line = true, c.Line+" — nearly full: check the uplink"
	case o.Quarantined > 0:
		c.Warning, c.Line = true, c.Line+" — records rejected by the backend: report them"
	}
	return c
}

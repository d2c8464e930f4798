package onestop

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/kiosk06/kiosk/firmware/onestop/backend"
	"github.com/kiosk06/kiosk/firmware/onestop/catalog"
)

// CatalogueKeeper holds the procedure catalogue the kiosk searches: the
// cache file's at start (so search works offline from the first second),
// replaced by each sync with the one-stop system, which is saved back to
// the cache before it is used. A failed sync keeps what it had. Safe for
// concurrent use.
type CatalogueKeeper struct {
	sys  backend.System
	path string
	log  *slog.Logger
	now  func() time.Time
	cur  atomic.Pointer[catalog.Catalogue]
}

// NewCatalogueKeeper loads the cache at path (a missing one is no error: a
// first start; a corrupt one is logged and ignored until the next sync).
func NewCatalogueKeeper(sys backend.System, path string, log *slog.Logger) *CatalogueKeeper {
	if log == nil {
		log = slog.Default()
	}
	k := &CatalogueKeeper{sys: sys, path: path, log: log.With("component", "onestop-catalogue"), now: time.Now}
	c, err := catalog.Load(path)
	switch {
	case err == nil:
		k.cur.Store(c)
		k.log.Info("catalogue loaded from the cache", "version", c.Version(), "procedures", c.Len(), "synced_at", c.SyncedAt())
	case errors.Is(err, catalog.ErrNoCache):
		k.log.Info("no cached catalogue yet: search waits for the first sync")
	default:
		k.log.Error("cached catalogue unusable: search waits for the next sync", "err", err)
	}
	return k
}

// Current implements Catalogues.
func (k *CatalogueKeeper) Current() *catalog.Catalogue { return k.cur.Load() }

// Sync fetches the catalogue; unchanged, it keeps the one it has. A new one
// is saved to the cache first (a cache that cannot be written is an error:
// the next start would search an old list).
func (k *CatalogueKeeper) Sync(ctx context.Context) error {
	since := ""
	if c := k.cur.Load(); c != nil {
		since = c.Version()
	}
	r, err := k.sys.Catalogue(ctx, since)
	if errors.Is(err, backend.ErrNotModified) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("onestop: catalogue sync: %w", err)
	}
	c, err := catalog.New(r.Version, k.now(), r.Procedures)
	if err != nil {
		return fmt.Errorf("onestop: catalogue sync: %w", err)
	}
	if err := catalog.Save(k.path, c); err != nil {
		return fmt.Errorf("onestop: catalogue sync: %w", err)
	}
	k.cur.Store(c)
	k.log.Info("catalogue synced", "version", c.Version(), "procedures", c.Len())
	return nil
}

// Run syncs now and then every interval (a failed sync is retried after
// a minute) until ctx ends.
func (k *CatalogueKeeper) Run(ctx context.Context, interval time.Duration) error {
	if interval <= 0 {
		interval = time.Hour
	}
	for {
		wait := interval
		if err := k.Sync(ctx); err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			k.log.Warn("catalogue sync failed; searching the last one", "err", err)
			wait = min(interval, time.Minute)
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
	}
}

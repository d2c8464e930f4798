package backend

import (
	"context"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/kiosk06/kiosk/firmware/ticketing/catalog"
)

// cacheFile is the signed catalogue envelope, byte for byte as received.
const cacheFile = "catalogue.env"

// ErrOlder: a catalogue older than the one held (a replay) is refused.
var ErrOlder = errors.New("backend: catalogue older than the one held")

// CacheStatus is what the kiosk knows of its catalogue and its link.
type CacheStatus struct {
	Version    uint64    `json:"version"`     // 0: no catalogue
	ValidUntil time.Time `json:"valid_until"` // sell offline until then
	// Online: the last exchange with the backend (a sync or a flow's
	// call) got a verified answer.
	Online    bool      `json:"online"`
	LastOK    time.Time `json:"last_ok,omitzero"` // the last verified answer
	LastError string    `json:"last_error,omitempty"`
}

// Usable reports whether offline sales may use the catalogue at now.
func (s CacheStatus) Usable(now time.Time) bool { return s.Version > 0 && now.Before(s.ValidUntil) }

// Cache keeps the latest signed catalogue on disk and indexed in memory:
// what the kiosk sells from, online or not. It verifies every envelope it
// installs or loads; a file that fails is ignored (logged) and the kiosk
// starts without a catalogue until the next sync. Safe for concurrent use.
type Cache struct {
	dir string
	key ed25519.PublicKey
	log *slog.Logger

	mu     sync.Mutex
	idx    *catalog.Index
	status CacheStatus
}

// OpenCache opens the cache in dir (created if missing) and loads the
// catalogue kept there, if it verifies.
func OpenCache(dir string, key ed25519.PublicKey, log *slog.Logger) (*Cache, error) {
	if log == nil {
		log = slog.Default()
	}
	if len(key) != ed25519.PublicKeySize {
		return nil, errors.New("backend: cache: the backend's Ed25519 public key is required")
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("backend: cache: %w", err)
	}
	c := &Cache{dir: dir, key: key, log: log}
	raw, err := os.ReadFile(filepath.Join(dir, cacheFile))
	switch {
	case errors.Is(err, fs.ErrNotExist):
	case err != nil:
		log.Warn("ticketing: cached catalogue unreadable; starting without one", "err", err)
	default:
		idx, err := c.open(raw)
		if err != nil {
			log.Warn("ticketing: cached catalogue refused; starting without one", "err", err)
			c.status.LastError = "cache: " + err.Error()
			break
		}
		c.set(idx)
	}
	return c, nil
}

// open verifies and indexes a catalogue envelope.
func (c *Cache) open(raw []byte) (*catalog.Index, error) {
	v := Verifier{Key: c.key}
	var r struct {
		Header
		Catalogue json.RawMessage `json:"catalogue"`
	}
	if err := v.Open(raw, KindCatalogue, "", &r); err != nil {
		return nil, err
	}
	cat, err := catalog.Parse(r.Catalogue)
	if err != nil {
		return nil, err
	}
	return catalog.NewIndex(cat)
}

func (c *Cache) set(idx *catalog.Index) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.idx = idx
	c.status.Version, c.status.ValidUntil = idx.Version(), idx.Catalogue().ValidUntil
}

// Index returns the catalogue in use (nil: none yet).
func (c *Cache) Index() *catalog.Index {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.idx
}

// Status returns the catalogue's version and the link's state.
func (c *Cache) Status() CacheStatus {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.status
}

// Observe records the outcome of an exchange with the backend (a sync or
// a flow's call): a verified answer (nil, or a signed refusal) means
// online; ErrUnavailable means not.
func (c *Cache) Observe(err error, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if err != nil && errors.Is(err, ErrUnavailable) {
		c.status.Online, c.status.LastError = false, err.Error()
		return
	}
	c.status.Online, c.status.LastOK, c.status.LastError = true, now, ""
}

// Install verifies raw (a catalogue envelope), keeps it on disk (written
// whole and fsync'd before it is used) and swaps it in. A catalogue of the
// version held changes nothing; an older one is ErrOlder.
func (c *Cache) Install(raw []byte) (bool, error) {
	idx, err := c.open(raw)
	if err != nil {
		return false, err
	}
	held := c.Status().Version
	switch {
	case idx.Version() < held:
		return false, fmt.Errorf("%w: %d < %d", ErrOlder, idx.Version(), held)
	case idx.Version() == held:
		return false, nil
	}
	if err := writeFileSync(filepath.Join(c.dir, cacheFile), raw); err != nil {
		return false, fmt.Errorf("backend: cache: %w", err)
	}
	c.set(idx)
	return true, nil
}

// Sync asks b for a newer catalogue and installs it.
func (c *Cache) Sync(ctx context.Context, b Backend, now time.Time) (bool, error) {
	raw, err := b.Catalogue(ctx, c.Status().Version)
	c.Observe(err, now)
	if err != nil || raw == nil {
		return false, err
	}
	return c.Install(raw)
}

// Run syncs now and every interval until ctx ends; failures are logged and
// retried (the kiosk sells from what it has meanwhile).
func (c *Cache) Run(ctx context.Context, b Backend, every time.Duration) error {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		changed, err := c.Sync(ctx, b, time.Now())
		switch {
		case err != nil && ctx.Err() == nil:
			c.log.Warn("ticketing: catalogue sync failed", "err", err)
		case changed:
			s := c.Status()
			c.log.Info("ticketing: catalogue updated", "version", s.Version, "valid_until", s.ValidUntil)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		}
	}
}

// writeFileSync writes b to path through a temporary file that is fsync'd
// and renamed, then fsyncs the directory: a power cut leaves the old file
// or the new one.
func writeFileSync(path string, b []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".catalogue-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return err
	}
	d, err := os.Open(filepath.Dir(path))
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

package catalog

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"
)

// CacheFormat names the cache file's format.
const CacheFormat = "kiosk06.onestop.catalogue/1"

// maxCacheBytes bounds the cache file read.
const maxCacheBytes = 32 << 20

// Errors of the cache.
var (
	// ErrNoCache: no cache file yet (never synced).
	ErrNoCache = errors.New("catalog: no cached catalogue")
	// ErrCorrupt: the file is not a whole cache written by Save (torn,
	// edited, another format); the kiosk syncs again and meanwhile has no
	// catalogue.
	ErrCorrupt = errors.New("catalog: cached catalogue is corrupt")
)

// cacheFile is the file's JSON. Checksum is the SHA-256 of the JSON of
// Body, so a torn or edited file is noticed.
type cacheFile struct {
	Format   string          `json:"format"`
	Checksum string          `json:"sha256"`
	Body     json.RawMessage `json:"body"`
}

type cacheBody struct {
	Version    string      `json:"version"`
	SyncedAt   time.Time   `json:"synced_at"`
	Procedures []Procedure `json:"procedures"`
}

// Save writes c to path atomically: a temporary file beside it, fsync'd,
// renamed over path, and the directory fsync'd, so a power cut leaves the
// old cache or the new one, never half of one.
func Save(path string, c *Catalogue) error {
	body, err := json.Marshal(cacheBody{Version: c.version, SyncedAt: c.syncedAt.UTC(), Procedures: c.procs})
	if err != nil {
		return fmt.Errorf("catalog: save: %w", err)
	}
	sum := sha256.Sum256(body)
	b, err := json.Marshal(cacheFile{Format: CacheFormat, Checksum: hex.EncodeToString(sum[:]), Body: body})
	if err != nil {
		return fmt.Errorf("catalog: save: %w", err)
	}
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, filepath.Base(path)+".tmp*")
	if err != nil {
		return fmt.Errorf("catalog: save: %w", err)
	}
	defer os.Remove(tmp.Name()) // after a successful rename there is nothing to remove
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		return fmt.Errorf("catalog: save: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("catalog: save: fsync: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("catalog: save: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("catalog: save: %w", err)
	}
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("catalog: save: %w", err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("catalog: save: fsync directory: %w", err)
	}
	return nil
}

// Load reads the cache at path: ErrNoCache when there is none, ErrCorrupt
// when it is not a whole file of this format, or New's error.
func Load(path string) (*Catalogue, error) {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, ErrNoCache
	}
	if err != nil {
		return nil, fmt.Errorf("catalog: load: %w", err)
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxCacheBytes+1))
	if err != nil {
		return nil, fmt.Errorf("catalog: load: %w", err)
	}
	return Parse(b)
}

// Parse decodes a cache file's bytes (Load without the file).
func Parse(b []byte) (*Catalogue, error) {
	if len(b) > maxCacheBytes {
		return nil, fmt.Errorf("%w: over %d bytes", ErrCorrupt, maxCacheBytes)
	}
	var cf cacheFile
	if err := json.Unmarshal(b, &cf); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrCorrupt, err)
	}
	if cf.Format != CacheFormat {
		return nil, fmt.Errorf("%w: format %q", ErrCorrupt, cf.Format)
	}
	sum := sha256.Sum256(cf.Body)
	if want, err := hex.DecodeString(cf.Checksum); err != nil || !bytes.Equal(want, sum[:]) {
		return nil, fmt.Errorf("%w: checksum", ErrCorrupt)
	}
	var body cacheBody
	if err := json.Unmarshal(cf.Body, &body); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrCorrupt, err)
	}
	return New(body.Version, body.SyncedAt, body.Procedures)
}

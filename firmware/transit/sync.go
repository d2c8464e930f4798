package transit

import (
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Syncer fetches the signed lists from the back-end and installs them in a
// Validator. It runs beside the validator; a tap never waits for it.
type Syncer struct {
	BaseURL   string // e.g. https://transit-backend.example.vn
	PublicKey ed25519.PublicKey
	Client    *http.Client // nil: a client with a 60 s timeout
	Token     string       // optional bearer token
	Store     ListStore
	Logger    *slog.Logger
}

// SyncResult says what one Sync changed.
type SyncResult struct {
	DenyVersion, PassVersion uint64
	DenyEntries, PassEntries int
	Updated                  bool
}

// Sync brings both lists up to date: GET {base}/v1/lists/{name}?since=V
// per list; 304 or 204 means up to date; a delta that does not follow the
// held version is retried as a full fetch (since=0). Installed lists are
// persisted before the validator uses them.
func (s *Syncer) Sync(ctx context.Context, v *Validator) (SyncResult, error) {
	var res SyncResult
	for _, name := range []string{ListDeny, ListPass} {
		changed, err := s.syncOne(ctx, v, name)
		if errors.Is(err, ErrListGap) {
			changed, err = s.syncFull(ctx, v, name)
		}
		if err != nil {
			return s.result(v, res), err
		}
		res.Updated = res.Updated || changed
	}
	return s.result(v, res), nil
}

func (s *Syncer) result(v *Validator, r SyncResult) SyncResult {
	l := v.Lists()
	r.DenyVersion, r.PassVersion = l.DenyVersion, l.PassVersion
	r.DenyEntries, r.PassEntries = l.Deny.Len(), len(l.Pass)
	return r
}

func (s *Syncer) syncOne(ctx context.Context, v *Validator, name string) (bool, error) {
	l := v.Lists()
	since := l.DenyVersion
	if name == ListPass {
		since = l.PassVersion
	}
	return s.fetchApply(ctx, v, name, since)
}

func (s *Syncer) syncFull(ctx context.Context, v *Validator, name string) (bool, error) {
	return s.fetchApply(ctx, v, name, 0)
}

func (s *Syncer) fetchApply(ctx context.Context, v *Validator, name string, since uint64) (bool, error) {
	body, err := s.fetch(ctx, name, since)
	if err != nil || body == nil {
		return false, err
	}
	d, err := OpenEnvelope(s.PublicKey, name, body)
	if err != nil {
		return false, err
	}
	if since == 0 && !d.Full {
		return false, fmt.Errorf("%w: asked for a snapshot of %q, got a delta", ErrBadList, name)
	}
	return true, v.installDocument(d, s.Store)
}

// fetch returns the body, or nil when the list is up to date.
func (s *Syncer) fetch(ctx context.Context, name string, since uint64) ([]byte, error) {
	u := strings.TrimRight(s.BaseURL, "/") + "/v1/lists/" + url.PathEscape(name) + "?since=" + strconv.FormatUint(since, 10)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, fmt.Errorf("transit: list %s: %w", name, err)
	}
	if s.Token != "" {
		req.Header.Set("Authorization", "Bearer "+s.Token)
	}
	c := s.Client
	if c == nil {
		c = &http.Client{Timeout: 60 * time.Second}
	}
	resp, err := c.Do(req)
	if err != nil {
		return nil, fmt.Errorf("transit: list %s: %w", name, err)
	}
	defer resp.Body.Close()
	switch resp.StatusCode {
	case http.StatusOK:
	case http.StatusNotModified, http.StatusNoContent:
		return nil, nil
	default:
		return nil, fmt.Errorf("transit: list %s: HTTP %d", name, resp.StatusCode)
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, MaxListBytes+1))
	if err != nil {
		return nil, fmt.Errorf("transit: list %s: %w", name, err)
	}
	return b, nil
}

// Run syncs every interval until ctx ends; failures are logged and retried
// at the next interval (the validator keeps deciding on the lists it has).
func (s *Syncer) Run(ctx context.Context, v *Validator, every time.Duration) error {
	log := s.Logger
	if log == nil {
		log = slog.Default()
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		res, err := s.Sync(ctx, v)
		if err != nil {
			log.Warn("transit: list sync failed", "err", err)
		} else if res.Updated {
			log.Info("transit: lists updated", "deny_version", res.DenyVersion, "deny_entries", res.DenyEntries, "pass_version", res.PassVersion, "pass_entries", res.PassEntries)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		}
	}
}

package transit

import (
	"context"
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
	BaseURL string       // e.g. https://transit-backend.example.vn
	Client  *http.Client // nil: a client with a 60 s timeout and the system roots
	Token   string       // optional bearer token
	Store   *ListStore   // verifies, keeps and floors what is fetched
	Logger  *slog.Logger
}

// SyncResult says what one Sync changed.
type SyncResult struct {
	DenyVersion, PassVersion uint64
	DenyEntries, PassEntries int
	Updated                  bool
}

// Sync brings both lists up to date, each on its own (one failing does not
// hold the other back): GET {base}/v1/lists/{name}?since=V, where V is the
// version held or 0 for a snapshot (ListStore.Since); 304 or 204 means up to
// date; a delta that does not follow the held version is retried as a
// snapshot. What the store accepts is on disk before the validator uses it.
func (s *Syncer) Sync(ctx context.Context, v *Validator) (SyncResult, error) {
	var res SyncResult
	var errs []error
	for _, name := range []string{ListDeny, ListPass} {
		changed, err := s.syncList(ctx, v, name)
		if err != nil {
			errs = append(errs, fmt.Errorf("transit: list %s: %w", name, err))
		}
		res.Updated = res.Updated || changed
	}
	l := v.Lists()
	res.DenyVersion, res.PassVersion = l.DenyVersion, l.PassVersion
	res.DenyEntries, res.PassEntries = l.Deny.Len(), len(l.Pass)
	return res, errors.Join(errs...)
}

func (s *Syncer) syncList(ctx context.Context, v *Validator, name string) (bool, error) {
	since := s.Store.Since(name, listVersion(v.Lists(), name))
	changed, err := s.fetchApply(ctx, v, name, since)
	if errors.Is(err, ErrListGap) && since != 0 {
		return s.fetchApply(ctx, v, name, 0)
	}
	return changed, err
}

func (s *Syncer) fetchApply(ctx context.Context, v *Validator, name string, since uint64) (bool, error) {
	body, err := s.fetch(ctx, name, since)
	if err != nil || body == nil {
		return false, err
	}
	next, err := s.Store.Accept(ctx, name, body, v.Lists())
	if err != nil {
		return false, err
	}
	v.SetLists(next)
	return true, nil
}

// fetch returns the body, or nil when the list is up to date.
func (s *Syncer) fetch(ctx context.Context, name string, since uint64) ([]byte, error) {
	u := strings.TrimRight(s.BaseURL, "/") + "/v1/lists/" + url.PathEscape(name) + "?since=" + strconv.FormatUint(since, 10)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
	if s.Token != "" {
		req.Header.Set("Authorization", "Bearer "+s.Token)
	}
	c := http.Client{Timeout: 60 * time.Second}
	if s.Client != nil {
		c = *s.Client
	}
	resp, err := c.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	switch resp.StatusCode {
	case http.StatusOK:
	case http.StatusNotModified, http.StatusNoContent:
		return nil, nil
	default:
		return nil, fmt.Errorf("HTTP %d", resp.StatusCode)
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, MaxListBytes+1))
	if err != nil {
		return nil, err
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
		}
		if res.Updated {
			log.Info("transit: lists updated", "deny_version", res.DenyVersion, "deny_entries", res.DenyEntries, "pass_version", res.PassVersion, "pass_entries", res.PassEntries)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		}
	}
}

package transit

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/kiosk06/kiosk/firmware/config"
	"github.com/kiosk06/kiosk/firmware/netclient"
)

// ErrCrossOrigin is returned when the list service redirects to another
// origin: the syncer does not follow, so its token never leaves the origin
// it was configured for.
var ErrCrossOrigin = errors.New("transit: list service redirected to another origin")

// Syncer fetches the signed lists from the back-end and installs them in a
// Validator. It runs beside the validator; a tap never waits for it.
type Syncer struct {
	BaseURL string       // e.g. https://transit-backend.example.vn
	Client  *http.Client // nil: a client with a 60 s timeout and the system roots
	// Token is the bearer token for BaseURL; it is sent to BaseURL's origin
	// only (a redirect elsewhere is refused).
	Token  string
	Store  *ListStore // verifies, keeps and floors what is fetched
	Logger *slog.Logger
}

// NewSyncer builds the syncer of a device from its [transit] and [uplink]
// sections: lists from t.ListsURL (default u.BaseURL) over a client with the
// uplink's TLS settings (CA bundle, client certificate for mutual TLS).
//
// The bearer token: [transit] lists_token_file or lists_token when set (the
// list service's own credential, sent to lists_url whatever its host);
// otherwise the uplink's token, but only when lists_url has the uplink's
// origin (scheme, host and port); otherwise none.
func NewSyncer(t Section, u config.Uplink, ls *ListStore, log *slog.Logger) (*Syncer, error) {
	if log == nil {
		log = slog.Default()
	}
	base := t.ListsURL
	if base == "" {
		base = u.BaseURL
	}
	if base == "" {
		return nil, errors.New("transit: lists: neither transit.lists_url nor uplink.base_url is set")
	}
	if ls == nil {
		return nil, errors.New("transit: lists: no list store")
	}
	token, err := readToken(t.ListsToken, t.ListsTokenFile)
	if err != nil {
		return nil, fmt.Errorf("transit: lists token: %w", err)
	}
	if token == "" && (u.Token != "" || u.TokenFile != "") {
		if netclient.SameOrigin(base, u.BaseURL) {
			if token, err = readToken(u.Token, u.TokenFile); err != nil {
				return nil, fmt.Errorf("transit: uplink token: %w", err)
			}
		} else {
			log.Info("transit: lists_url is not the uplink's origin: the uplink token is not sent to it (set transit.lists_token if the list service needs one)")
		}
	}
	c, err := netclient.New(netclient.TLS{CAFile: u.CAFile, ClientCert: u.ClientCert, ClientKey: u.ClientKey}, 60*time.Second)
	if err != nil {
		return nil, fmt.Errorf("transit: lists client: %w", err)
	}
	return &Syncer{BaseURL: base, Client: c, Token: token, Store: ls, Logger: log}, nil
}

// readToken returns the token in file (trimmed) when file is set, else s.
func readToken(s, file string) (string, error) {
	if file == "" {
		return s, nil
	}
	b, err := os.ReadFile(file)
	if err != nil {
		return "", err
	}
	return strings.TrimSpace(string(b)), nil
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
	c.CheckRedirect = func(r *http.Request, via []*http.Request) error {
		if !netclient.SameOrigin(s.BaseURL, r.URL.String()) {
			return fmt.Errorf("%w: %s", ErrCrossOrigin, r.URL.Redacted())
		}
		if len(via) >= 10 {
			return errors.New("transit: list service: too many redirects")
		}
		return nil
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

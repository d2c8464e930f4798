package queueapi

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/kiosk06/kiosk/queue"
	"github.com/kiosk06/kiosk/queue/staffcall"
)

// Remote is a kiosk's client of a queue host's API: it issues numbers,
// hands over the numbers it issued offline (Adopt) and raises staff calls.
type Remote struct {
	base  string
	token string
	hc    *http.Client
	poll  time.Duration
}

// RemoteConfig configures a Remote.
type RemoteConfig struct {
	// URL is the host's API base, "https://queue-host:8407".
	URL string
	// Token is this kiosk's bearer token (a kiosk client of the host).
	Token string
	// TLS trusts the host's certificate (nil: the system roots).
	TLS *tls.Config
	// Timeout bounds one request (default 3 s): a host that does not
	// answer in time counts as unreachable.
	Timeout time.Duration
	// Poll is how often Await asks whether a call was taken (default 2 s).
	Poll time.Duration
}

// ErrUnreachable wraps every failure that says nothing reached the host
// or the host could not act (network errors, timeouts, 5xx): a kiosk then
// issues an offline number. A refusal (4xx) is not unreachable.
var ErrUnreachable = errors.New("queueapi: queue host unreachable")

// NewRemote checks cfg and returns a client.
func NewRemote(cfg RemoteConfig) (*Remote, error) {
	u, err := url.Parse(cfg.URL)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, fmt.Errorf("%w: queue host URL %q", ErrConfig, cfg.URL)
	}
	if err := CheckToken(cfg.Token); err != nil {
		return nil, err
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 3 * time.Second
	}
	if cfg.Poll <= 0 {
		cfg.Poll = 2 * time.Second
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.TLSClientConfig = cfg.TLS
	return &Remote{base: strings.TrimRight(cfg.URL, "/"), token: cfg.Token, poll: cfg.Poll,
		hc: &http.Client{Transport: tr, Timeout: cfg.Timeout}}, nil
}

// do sends one request and decodes a 2xx answer into out.
func (r *Remote) do(ctx context.Context, method, path string, in, out any) error {
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return err
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, r.base+path, body)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+r.token)
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := r.hc.Do(req)
	if err != nil {
		return fmt.Errorf("%w: %v", ErrUnreachable, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	switch {
	case err != nil:
		return fmt.Errorf("%w: %s %s: %v", ErrUnreachable, method, path, err)
	case resp.StatusCode >= 500:
		return fmt.Errorf("%w: %s %s: HTTP %d", ErrUnreachable, method, path, resp.StatusCode)
	case resp.StatusCode >= 300:
		var e struct {
			Error string `json:"error"`
		}
		_ = json.Unmarshal(b, &e)
		return &HTTPError{Status: resp.StatusCode, Msg: e.Error}
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(b, out); err != nil {
		return fmt.Errorf("queueapi: %s %s: %w", method, path, err)
	}
	return nil
}

// HTTPError is a refusal by the host (4xx).
type HTTPError struct {
	Status int
	Msg    string
}

// Error implements error.
func (e *HTTPError) Error() string {
	return fmt.Sprintf("queueapi: host answered %d: %s", e.Status, e.Msg)
}

// Issue takes a number for service at the host.
func (r *Remote) Issue(ctx context.Context, service string, p queue.Priority) (queue.Ticket, error) {
	var t queue.Ticket
	err := r.do(ctx, http.MethodPost, "/api/queue/tickets", map[string]any{"service": service, "priority": p}, &t)
	return t, err
}

// Adopt hands the host a number this kiosk issued offline.
func (r *Remote) Adopt(ctx context.Context, id, service string, p queue.Priority, issued time.Time) (queue.Ticket, error) {
	var t queue.Ticket
	err := r.do(ctx, http.MethodPost, "/api/queue/tickets/adopt",
		map[string]any{"id": id, "service": service, "priority": p, "issued": issued}, &t)
	return t, err
}

// Raise opens a staff call at the host (its Kiosk is this client's name).
func (r *Remote) Raise(ctx context.Context, c staffcall.Call) (staffcall.Call, error) {
	var out staffcall.Call
	err := r.do(ctx, http.MethodPost, "/api/queue/calls", map[string]string{"kind": c.Kind, "reason": c.Reason,
		"screen": c.Screen, "ticket": c.Ticket, "ref": c.Ref, "place": c.Place}, &out)
	return out, err
}

// Await polls call id until staff took it, or ctx ends. A host that
// forgot the call (it restarted) answers 404: Await returns that error.
func (r *Remote) Await(ctx context.Context, id string) (staffcall.Call, error) {
	tick := time.NewTicker(r.poll)
	defer tick.Stop()
	for {
		var c staffcall.Call
		err := r.do(ctx, http.MethodGet, "/api/queue/calls/"+url.PathEscape(id), nil, &c)
		var he *HTTPError
		switch {
		case err == nil && !c.Open():
			return c, nil
		case errors.As(err, &he):
			return c, err
		}
		select {
		case <-ctx.Done():
			return staffcall.Call{}, ctx.Err()
		case <-tick.C:
		}
	}
}

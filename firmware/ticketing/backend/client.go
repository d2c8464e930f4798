package backend

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/kiosk06/kiosk/firmware/netclient"
)

// ClientConfig configures a Client.
type ClientConfig struct {
	// BaseURL of the ticket-selling backend, e.g. https://ve.example.vn.
	BaseURL string
	// TLS: the CA bundle and client certificate (mutual TLS) to reach it.
	TLS netclient.TLS
	// AllowInsecure accepts an http:// BaseURL (the simulator only).
	AllowInsecure bool
	// Token is sent as a bearer token (to BaseURL's origin only: redirects
	// are never followed).
	Token string
	// PublicKey is the backend's Ed25519 key: only replies signed with it
	// are believed.
	PublicKey ed25519.PublicKey
	// DeviceID is this kiosk's id, sent with and expected back in every
	// request-bound reply.
	DeviceID string
	// Timeout bounds one request (default 15 s; the caller's ctx too).
	Timeout time.Duration
	// MaxAge and ClockSkew bound a reply's signing time (Verifier).
	MaxAge, ClockSkew time.Duration
	Now               func() time.Time
	// HTTPClient replaces the client netclient builds (tests).
	HTTPClient *http.Client
}

// Client is the HTTPS Backend. Safe for concurrent use.
type Client struct {
	base  string
	token string
	dev   string
	http  *http.Client
	v     Verifier
}

// NewClient checks cfg and builds the client.
func NewClient(cfg ClientConfig) (*Client, error) {
	if err := netclient.CheckURL(cfg.BaseURL, cfg.AllowInsecure); err != nil {
		return nil, fmt.Errorf("backend: %w", err)
	}
	if len(cfg.PublicKey) != ed25519.PublicKeySize {
		return nil, errors.New("backend: the backend's Ed25519 public key is required (32 bytes)")
	}
	if cfg.DeviceID == "" {
		return nil, errors.New("backend: a device id is required")
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 15 * time.Second
	}
	hc := cfg.HTTPClient
	if hc == nil {
		var err error
		if hc, err = netclient.New(cfg.TLS, cfg.Timeout); err != nil {
			return nil, fmt.Errorf("backend: %w", err)
		}
	}
	c := *hc
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &Client{base: strings.TrimRight(cfg.BaseURL, "/"), token: cfg.Token, dev: cfg.DeviceID, http: &c,
		v: Verifier{Key: cfg.PublicKey, Device: cfg.DeviceID, MaxAge: cfg.MaxAge, ClockSkew: cfg.ClockSkew, Now: cfg.Now}}, nil
}

// NewKey returns a fresh idempotency key for device: its id and 16 random
// hex digits.
func NewKey(device string) string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return device + "-" + hex.EncodeToString(b[:])
}

// do sends one request and returns the body of a reply the backend meant
// (2xx, or a 4xx carrying a signed refusal); anything else is
// ErrUnavailable.
func (c *Client) do(ctx context.Context, method, path string, body any) ([]byte, int, error) {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return nil, 0, fmt.Errorf("backend: %s: %w", path, err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, rd)
	if err != nil {
		return nil, 0, fmt.Errorf("backend: %s: %w", path, err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Accept", "application/json")
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, 0, fmt.Errorf("%w: %s: %v", ErrUnavailable, path, redact(err))
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, MaxReplyBytes+1))
	if err != nil {
		return nil, resp.StatusCode, fmt.Errorf("%w: %s: %v", ErrUnavailable, path, err)
	}
	switch {
	case resp.StatusCode == http.StatusNotModified:
		return nil, resp.StatusCode, nil
	case resp.StatusCode >= 200 && resp.StatusCode < 300, resp.StatusCode == http.StatusConflict,
		resp.StatusCode == http.StatusUnprocessableEntity, resp.StatusCode == http.StatusNotFound, resp.StatusCode == http.StatusGone:
		return b, resp.StatusCode, nil
	}
	return nil, resp.StatusCode, fmt.Errorf("%w: %s: HTTP %d", ErrUnavailable, path, resp.StatusCode)
}

// redact keeps query strings (tokens, keys) out of transport errors.
func redact(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		if u, perr := url.Parse(ue.URL); perr == nil {
			u.RawQuery = ""
			return &url.Error{Op: ue.Op, URL: u.String(), Err: ue.Err}
		}
	}
	return err
}

// call sends a request bound to key and opens the signed reply of kind.
func (c *Client) call(ctx context.Context, method, path, kind, key string, body, out any) error {
	b, _, err := c.do(ctx, method, path, body)
	if err != nil {
		return err
	}
	if b == nil {
		return fmt.Errorf("%w: %s: empty reply", ErrUnavailable, path)
	}
	return c.v.Open(b, kind, key, out)
}

// Catalogue implements Backend.
func (c *Client) Catalogue(ctx context.Context, since uint64) ([]byte, error) {
	b, status, err := c.do(ctx, http.MethodGet, "/v1/ticketing/catalogue?since="+strconv.FormatUint(since, 10), nil)
	if err != nil || status == http.StatusNotModified {
		return nil, err
	}
	if status != http.StatusOK {
		return nil, fmt.Errorf("%w: catalogue: HTTP %d", ErrUnavailable, status)
	}
	// Checked here so a forged one is refused at once; the Cache checks
	// it again before it keeps it.
	var cat struct {
		Header
	}
	if err := c.v.Open(b, KindCatalogue, "", &cat); err != nil {
		return nil, err
	}
	return b, nil
}

// Seats implements Backend.
func (c *Client) Seats(ctx context.Context, departure string) (Seats, error) {
	key := NewKey(c.dev)
	var r struct {
		Header
		Seats
	}
	q := url.Values{"key": {key}, "device": {c.dev}}
	err := c.call(ctx, http.MethodGet, "/v1/ticketing/departures/"+url.PathEscape(departure)+"/seats?"+q.Encode(), KindSeats, key, nil, &r)
	if err == nil && r.Departure != departure {
		err = fmt.Errorf("%w: seats of departure %q, asked %q", ErrUnverified, r.Departure, departure)
	}
	return r.Seats, err
}

// Hold implements Backend.
func (c *Client) Hold(ctx context.Context, req HoldRequest) (Hold, error) {
	req.Device = c.dev
	var r struct {
		Header
		Hold Hold `json:"hold"`
	}
	if err := c.call(ctx, http.MethodPost, "/v1/ticketing/holds", KindHold, req.Key, req, &r); err != nil {
		return Hold{}, err
	}
	if err := checkHold(req, r.Hold); err != nil {
		return Hold{}, err
	}
	r.Hold.Granted = r.SignedAt
	return r.Hold, nil
}

// checkHold: a hold must be of the seats asked, on the segment asked.
func checkHold(req HoldRequest, h Hold) error {
	if h.ID == "" || h.Departure != req.Departure || h.From != req.From || h.To != req.To || len(h.Seats) != len(req.Seats) {
		return fmt.Errorf("%w: the hold does not match the request", ErrUnverified)
	}
	for i, s := range h.Seats {
		if s.Seat != req.Seats[i] || s.Fare < 0 {
			return fmt.Errorf("%w: held seat %d is %q, asked %q", ErrUnverified, i, s.Seat, req.Seats[i])
		}
	}
	return nil
}

// Release implements Backend.
func (c *Client) Release(ctx context.Context, req ReleaseRequest) error {
	req.Device = c.dev
	var r Header
	return c.call(ctx, http.MethodPost, "/v1/ticketing/holds/"+url.PathEscape(req.Hold)+"/release", KindRelease, req.Key, req, &r)
}

// Sell implements Backend.
func (c *Client) Sell(ctx context.Context, req SaleRequest) (Sale, error) {
	req.Device = c.dev
	var r struct {
		Header
		Sale Sale `json:"sale"`
	}
	if err := c.call(ctx, http.MethodPost, "/v1/ticketing/sales", KindSale, req.Key, req, &r); err != nil {
		return Sale{}, err
	}
	if err := checkSale(req, r.Sale); err != nil {
		return Sale{}, err
	}
	return r.Sale, nil
}

// checkSale: one ticket per item, in range, for the amount asked.
func checkSale(req SaleRequest, s Sale) error {
	if s.ID == "" || s.Total != req.Total || len(s.Tickets) != len(req.Items) {
		return fmt.Errorf("%w: the sale does not match the request", ErrUnverified)
	}
	seen := make([]bool, len(req.Items))
	for _, t := range s.Tickets {
		if t.ID == "" || t.Item < 0 || t.Item >= len(req.Items) || seen[t.Item] || t.Seat != req.Items[t.Item].Seat {
			return fmt.Errorf("%w: ticket %q does not match an item", ErrUnverified, t.ID)
		}
		seen[t.Item] = true
	}
	return nil
}

// Tickets implements Backend.
func (c *Client) Tickets(ctx context.Context, holder string) ([]TicketInfo, error) {
	key := NewKey(c.dev)
	var r struct {
		Header
		Holder  string       `json:"holder"`
		Tickets []TicketInfo `json:"tickets"`
	}
	q := url.Values{"holder": {holder}, "key": {key}, "device": {c.dev}}
	if err := c.call(ctx, http.MethodGet, "/v1/ticketing/tickets?"+q.Encode(), KindTickets, key, nil, &r); err != nil {
		return nil, err
	}
	if r.Holder != holder {
		return nil, fmt.Errorf("%w: tickets of another holder", ErrUnverified)
	}
	return r.Tickets, nil
}

// Cancel implements Backend.
func (c *Client) Cancel(ctx context.Context, req CancelRequest) (Refund, error) {
	req.Device = c.dev
	var r struct {
		Header
		Refund Refund `json:"refund"`
	}
	if err := c.call(ctx, http.MethodPost, "/v1/ticketing/refunds", KindRefund, req.Key, req, &r); err != nil {
		return Refund{}, err
	}
	if r.Refund.Ticket != req.Ticket || r.Refund.Amount < 0 || r.Refund.Amount+r.Refund.Fee != r.Refund.Price {
		return Refund{}, fmt.Errorf("%w: the refund does not add up or is of another ticket", ErrUnverified)
	}
	return r.Refund, nil
}

// Manifest implements Backend.
func (c *Client) Manifest(ctx context.Context, departure string) (Manifest, error) {
	key := NewKey(c.dev)
	var r struct {
		Header
		Manifest Manifest `json:"manifest"`
	}
	q := url.Values{"key": {key}, "device": {c.dev}}
	err := c.call(ctx, http.MethodGet, "/v1/ticketing/departures/"+url.PathEscape(departure)+"/manifest?"+q.Encode(), KindManifest, key, nil, &r)
	if err == nil && r.Manifest.Departure != departure {
		err = fmt.Errorf("%w: manifest of another departure", ErrUnverified)
	}
	return r.Manifest, err
}

var _ Backend = (*Client)(nil)

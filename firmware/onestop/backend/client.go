package backend

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/kiosk06/kiosk/firmware/onestop/catalog"
)

// Bounds on replies (hostile input).
const (
	maxBody          = 1 << 20
	maxCatalogueBody = 8 << 20
	maxDossiers      = 200
	maxFees          = 50
	maxText          = 512
)

// Config configures a Client.
type Config struct {
	BaseURL string
	Token   string        // bearer token
	Timeout time.Duration // per request (default 15 s; the catalogue 60 s)
	// HTTPClient speaks TLS as configured (firmware/netclient.New).
	HTTPClient *http.Client
	Logger     *slog.Logger
}

// Client is the HTTPS JSON implementation of System. Safe for concurrent
// use.
type Client struct {
	cfg Config
	hc  *http.Client
	log *slog.Logger
}

var _ System = (*Client)(nil)

// New makes a Client.
func New(cfg Config) (*Client, error) {
	if u, err := url.Parse(cfg.BaseURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("onestop backend: base URL %q: %w", cfg.BaseURL, ErrInvalid)
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 15 * time.Second
	}
	hc := cfg.HTTPClient
	if hc == nil {
		hc = &http.Client{}
	}
	lg := cfg.Logger
	if lg == nil {
		lg = slog.Default()
	}
	cfg.BaseURL = strings.TrimRight(cfg.BaseURL, "/")
	return &Client{cfg: cfg, hc: hc, log: lg.With("component", "onestop-backend")}, nil
}

// Catalogue implements System.
func (c *Client) Catalogue(ctx context.Context, since string) (CatalogueReply, error) {
	h := http.Header{}
	if since != "" {
		h.Set("If-None-Match", `"`+since+`"`)
	}
	b, status, err := c.do(ctx, http.MethodGet, ProceduresPath, nil, h, max(c.cfg.Timeout, 60*time.Second), maxCatalogueBody)
	if err != nil {
		return CatalogueReply{}, fmt.Errorf("onestop backend: catalogue: %w", err)
	}
	if status == http.StatusNotModified {
		return CatalogueReply{}, ErrNotModified
	}
	return ParseCatalogue(b)
}

// ParseCatalogue decodes and checks a catalogue reply (catalog.New's rules).
func ParseCatalogue(b []byte) (CatalogueReply, error) {
	var r CatalogueReply
	if err := json.Unmarshal(b, &r); err != nil {
		return CatalogueReply{}, fmt.Errorf("onestop backend: catalogue: %w: %v", ErrBadResponse, err)
	}
	if _, err := catalog.New(r.Version, time.Time{}, r.Procedures); err != nil {
		return CatalogueReply{}, fmt.Errorf("onestop backend: catalogue: %w: %w", ErrBadResponse, err)
	}
	return r, nil
}

// Resolve implements System.
func (c *Client) Resolve(ctx context.Context, format, token string) (Citizen, error) {
	if format == "" || token == "" || len(token) > 4096 {
		return Citizen{}, fmt.Errorf("onestop backend: resolve: %w", ErrInvalid)
	}
	b, err := c.post(ctx, ResolvePath, map[string]string{"format": format, "token": token}, "")
	if err != nil {
		return Citizen{}, fmt.Errorf("onestop backend: resolve: %w", err)
	}
	var r Citizen
	if err := json.Unmarshal(b, &r); err != nil {
		return Citizen{}, fmt.Errorf("onestop backend: resolve: %w: %v", ErrBadResponse, err)
	}
	if err := checkPerson(r.Person); err != nil {
		return Citizen{}, fmt.Errorf("onestop backend: resolve: %w: %w", ErrBadResponse, err)
	}
	return r, nil
}

// Dossiers implements System.
func (c *Client) Dossiers(ctx context.Context, idNumber string) ([]Dossier, error) {
	if !validID(idNumber) {
		return nil, fmt.Errorf("onestop backend: dossiers: %w", ErrInvalid)
	}
	b, err := c.post(ctx, DossierSearchPath, map[string]string{"id_number": idNumber}, "")
	if err != nil {
		return nil, fmt.Errorf("onestop backend: dossiers: %w", err)
	}
	return ParseDossiers(b)
}

// ParseDossiers decodes and checks a dossier list.
func ParseDossiers(b []byte) ([]Dossier, error) {
	var r struct {
		Dossiers []Dossier `json:"dossiers"`
	}
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, fmt.Errorf("onestop backend: dossiers: %w: %v", ErrBadResponse, err)
	}
	if len(r.Dossiers) > maxDossiers {
		return nil, fmt.Errorf("onestop backend: dossiers: %d entries: %w", len(r.Dossiers), ErrBadResponse)
	}
	for i, d := range r.Dossiers {
		if !okText(d.Code, 64) || !okText(d.ProcedureName, maxText) || len(d.ProcedureCode) > 64 || !okText(string(d.Status), 32) ||
			len(d.StatusText) > maxText || len(d.Agency) > maxText || d.Fee < 0 || d.ReceivedAt.IsZero() {
			return nil, fmt.Errorf("onestop backend: dossiers: entry %d malformed: %w", i, ErrBadResponse)
		}
	}
	return r.Dossiers, nil
}

// Submit implements System.
func (c *Client) Submit(ctx context.Context, s Submission) (Receipt, error) {
	if s.Key == "" || len(s.Key) > 128 || s.ProcedureCode == "" || checkPerson(s.Subject) != nil || (s.Agent != nil && checkPerson(*s.Agent) != nil) {
		return Receipt{}, fmt.Errorf("onestop backend: submit: key, procedure and a whole subject are required: %w", ErrInvalid)
	}
	b, err := c.post(ctx, DossiersPath, s, s.Key)
	if err != nil {
		return Receipt{}, fmt.Errorf("onestop backend: submit: %w", err)
	}
	r, err := ParseReceipt(b)
	if err != nil {
		return Receipt{}, err
	}
	c.log.Info("onestop backend: dossier received", "procedure", s.ProcedureCode, "for_other", s.Agent != nil)
	return r, nil
}

// ParseReceipt decodes and checks a submission's answer: a dossier code,
// dates, fee lines that add up to the total.
func ParseReceipt(b []byte) (Receipt, error) {
	var r Receipt
	if err := json.Unmarshal(b, &r); err != nil {
		return Receipt{}, fmt.Errorf("onestop backend: submit: %w: %v", ErrBadResponse, err)
	}
	if !okText(r.DossierCode, 64) || r.ReceivedAt.IsZero() || r.Appointment.IsZero() || r.Appointment.Before(r.ReceivedAt.Add(-24*time.Hour)) ||
		len(r.Fees) > maxFees || len(r.Agency) > maxText || len(r.LookupURL) > 512 {
		return Receipt{}, fmt.Errorf("onestop backend: submit: receipt incomplete: %w", ErrBadResponse)
	}
	var sum int64
	for _, f := range r.Fees {
		if !okText(f.Name, maxText) || f.Amount < 0 || f.Amount > 1_000_000_000 {
			return Receipt{}, fmt.Errorf("onestop backend: submit: fee line malformed: %w", ErrBadResponse)
		}
		sum += f.Amount
	}
	if sum != r.Total {
		return Receipt{}, fmt.Errorf("onestop backend: submit: fees add up to %d, total says %d: %w", sum, r.Total, ErrBadResponse)
	}
	return r, nil
}

// RequestSupport implements System.
func (c *Client) RequestSupport(ctx context.Context, r SupportRequest) (SupportTicket, error) {
	b, err := c.post(ctx, SupportPath, r, "")
	if err != nil {
		return SupportTicket{}, fmt.Errorf("onestop backend: support: %w", err)
	}
	return ParseSupport(b)
}

// Support implements System.
func (c *Client) Support(ctx context.Context, id string) (SupportTicket, error) {
	if !okText(id, 64) || strings.ContainsAny(id, "/?#%") {
		return SupportTicket{}, fmt.Errorf("onestop backend: support: %w", ErrInvalid)
	}
	b, _, err := c.do(ctx, http.MethodGet, SupportPath+"/"+url.PathEscape(id), nil, nil, c.cfg.Timeout, maxBody)
	if err != nil {
		return SupportTicket{}, fmt.Errorf("onestop backend: support: %w", err)
	}
	return ParseSupport(b)
}

// CancelSupport implements System.
func (c *Client) CancelSupport(ctx context.Context, id string) (SupportTicket, error) {
	if !okText(id, 64) || strings.ContainsAny(id, "/?#%") {
		return SupportTicket{}, fmt.Errorf("onestop backend: support: %w", ErrInvalid)
	}
	b, _, err := c.do(ctx, http.MethodDelete, SupportPath+"/"+url.PathEscape(id), nil, nil, c.cfg.Timeout, maxBody)
	if err != nil {
		return SupportTicket{}, fmt.Errorf("onestop backend: cancel support: %w", err)
	}
	return ParseSupport(b)
}

// ParseSupport decodes and checks a support ticket: an accepted one names
// its staff member.
func ParseSupport(b []byte) (SupportTicket, error) {
	var t SupportTicket
	if err := json.Unmarshal(b, &t); err != nil {
		return SupportTicket{}, fmt.Errorf("onestop backend: support: %w: %v", ErrBadResponse, err)
	}
	switch {
	case !okText(t.ID, 64), len(t.StaffName) > 128, len(t.StaffID) > 64, len(t.Note) > maxText:
		return SupportTicket{}, fmt.Errorf("onestop backend: support: malformed ticket: %w", ErrBadResponse)
	case t.State == SupportAccepted && !okText(t.StaffName, 128):
		return SupportTicket{}, fmt.Errorf("onestop backend: support: accepted without a staff name: %w", ErrBadResponse)
	case t.State != SupportWaiting && t.State != SupportAccepted && t.State != SupportClosed && t.State != SupportCancelled:
		return SupportTicket{}, fmt.Errorf("onestop backend: support: state %q: %w", t.State, ErrBadResponse)
	}
	return t, nil
}

func (c *Client) post(ctx context.Context, path string, v any, key string) ([]byte, error) {
	body, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	h := http.Header{}
	if key != "" {
		h.Set(IdempotencyKeyName, key)
	}
	b, _, err := c.do(ctx, http.MethodPost, path, body, h, c.cfg.Timeout, maxBody)
	return b, err
}

// do sends one request and classifies the status; 304 is returned as a
// status with no error.
func (c *Client) do(ctx context.Context, method, path string, body []byte, h http.Header, timeout time.Duration, limit int) ([]byte, int, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.cfg.BaseURL+path, rd)
	if err != nil {
		return nil, 0, fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	for k, v := range h {
		req.Header[k] = v
	}
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json; charset=utf-8")
	}
	if c.cfg.Token != "" {
		req.Header.Set("Authorization", "Bearer "+c.cfg.Token)
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return nil, 0, fmt.Errorf("%w: %w", ErrUnavailable, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, int64(limit)+1))
	if err != nil {
		return nil, 0, fmt.Errorf("%w: reading reply: %w", ErrUnavailable, err)
	}
	switch s := resp.StatusCode; {
	case len(b) > limit:
		return nil, s, fmt.Errorf("reply over %d bytes: %w", limit, ErrBadResponse)
	case s == http.StatusNotModified:
		return nil, s, nil
	case s == http.StatusUnauthorized || s == http.StatusForbidden:
		return nil, s, fmt.Errorf("HTTP %d: %w", s, ErrUnauthorized)
	case s == http.StatusNotFound:
		return nil, s, fmt.Errorf("HTTP %d: %w", s, ErrNotFound)
	case s >= 500 || s == http.StatusTooManyRequests || s == http.StatusRequestTimeout:
		return nil, s, fmt.Errorf("HTTP %d: %w", s, ErrUnavailable)
	case s >= 400:
		return nil, s, fmt.Errorf("HTTP %d: %w%s", s, ErrRejected, message(b))
	case s < 200 || s > 299:
		return nil, s, fmt.Errorf("HTTP %d: %w", s, ErrBadResponse)
	}
	return b, resp.StatusCode, nil
}

// message is the system's {"error": "..."} of a refusal, bounded, for the
// log and the staff (": why"), or "".
func message(b []byte) string {
	var e struct {
		Error string `json:"error"`
	}
	if json.Unmarshal(b, &e) != nil || e.Error == "" || !utf8.ValidString(e.Error) {
		return ""
	}
	if len(e.Error) > 200 {
		e.Error = e.Error[:200]
	}
	return ": " + e.Error
}

func okText(s string, n int) bool {
	return s != "" && len(s) <= n && utf8.ValidString(s) && !strings.ContainsAny(s, "\x00\n\r")
}

// validID: a 12-digit personal ID number.
func validID(s string) bool {
	if len(s) != 12 {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

func checkPerson(p Person) error {
	switch {
	case !validID(p.IDNumber):
		return errors.New("person: ID number is not 12 digits")
	case !okText(p.Name, 128):
		return errors.New("person: name missing")
	case len(p.DOB) > 32 || len(p.Sex) > 16 || len(p.Nationality) > 64 || len(p.Ethnicity) > 64 || len(p.Religion) > 64 ||
		len(p.Hometown) > maxText || len(p.Residence) > maxText || len(p.IssueDate) > 32 || len(p.Verified) > 32:
		return errors.New("person: a field is too long")
	}
	return nil
}

// Package bhyt is the kiosk's client of the Vietnam Social Security (BHXH)
// health-insurance check-card service that hospitals call before an insured
// visit: the KQNhanLichSuKCB2024 lookup ("tra cứu thông tin thẻ và lịch sử
// khám chữa bệnh"), by health-insurance card number or by the 12-digit CCCD
// number, with the patient's name and date of birth and the identity of the
// staff member on whose behalf the lookup is made (hoTenCb, cccdCb).
//
// Wire shape (the BHXH gateway's):
//
//	POST {base}/api/token/take            {"username","password"(MD5 hex)}
//	  → {"maKetQua":"200","APIKey":{"access_token","id_token","token_type","username","expires_in"}}
//	POST {base}/api/egw/KQNhanLichSuKCB2024?token=…&id_token=…&username=…&password=…
//	  {"maThe","hoTen","ngaySinh":"dd/mm/yyyy","hoTenCb","cccdCb"}
//	  → {"maKetQua":"000","ghiChu",…card fields…}
//
// The token is fetched on first use, refreshed shortly before it expires, and
// fetched again once when the service answers HTTP 401 or maKetQua "401".
// Every 3-digit result code maps to a Vietnamese (and English) message and a
// next step (codes.go). In the field about 16% of lookups fail, so a failure
// is never a dead end: transport errors, timeouts, 5xx and malformed answers
// come back as a Result of ClassUnavailable (next step: fee-paying, retry or
// staff) together with an error wrapping ErrUnavailable.
//
// bhytfake is a local server of the same shape for tests and simulation.
// This package imports only the standard library; it must not import the
// flow, the store or the UI. Names, ID numbers and dates of birth are never
// logged.
package bhyt

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
)

// Sentinel errors callers branch on.
var (
	// ErrUnavailable: no result code was obtained (transport failure,
	// timeout, HTTP 5xx, malformed answer).
	ErrUnavailable = errors.New("bhyt: service unavailable")
	// ErrAuth: the credentials were refused (token endpoint or a second 401).
	ErrAuth = errors.New("bhyt: authentication failed")
	// ErrInvalid: the query is incomplete (checked before sending).
	ErrInvalid = errors.New("bhyt: invalid query")
)

// Paths of the service, relative to Config.BaseURL.
const (
	TokenPath  = "/api/token/take"
	LookupPath = "/api/egw/KQNhanLichSuKCB2024"
)

// maxBody bounds a reply; a real lookup answer with ten years of visit
// history is a few tens of KiB.
const maxBody = 1 << 20

// DateLayout is the service's date format (ngaySinh, gtTheTu, gtTheDen).
const DateLayout = "02/01/2006"

// Config configures a Client.
type Config struct {
	BaseURL  string // e.g. "https://egw.baohiemxahoi.gov.vn"
	Username string
	Password string // clear text; sent as its MD5 hex digest as the service requires
	// StaffName and StaffID identify the staff member responsible for
	// lookups made by the kiosk (hoTenCb, cccdCb).
	StaffName string
	StaffID   string
	// Timeout bounds one Check, token included (default 10 s).
	Timeout time.Duration
	// RefreshBefore: a token is renewed this long before it expires
	// (default 60 s).
	RefreshBefore time.Duration
	HTTPClient    *http.Client
	Now           func() time.Time
	Logger        *slog.Logger
}

// Query is one lookup.
type Query struct {
	// MaThe is the 15-character card number or the 12-digit CCCD number.
	MaThe string
	Name  string    // full name as on the CCCD
	DOB   time.Time // date of birth (calendar date)
}

// Card is what the service returns about the card. Dates are as the service
// writes them (dd/mm/yyyy); use the methods for time values.
type Card struct {
	MaThe      string `json:"maThe"`
	HoTen      string `json:"hoTen"`
	NgaySinh   string `json:"ngaySinh"`
	GioiTinh   string `json:"gioiTinh"`
	DiaChi     string `json:"diaChi"`
	MaDKBD     string `json:"maDKBD"`  // registered primary-care facility
	CqBHXH     string `json:"cqBHXH"`  // issuing social-insurance office
	GtTheTu    string `json:"gtTheTu"` // valid from
	GtTheDen   string `json:"gtTheDen"`
	MaKV       string `json:"maKV"`
	NgayDu5Nam string `json:"ngayDu5Nam"`
	MaSoBHXH   string `json:"maSoBHXH"`
	MaTheCu    string `json:"maTheCu"`
	// The new card, for codes 003/004.
	MaTheMoi    string `json:"maTheMoi"`
	GtTheTuMoi  string `json:"gtTheTuMoi"`
	GtTheDenMoi string `json:"gtTheDenMoi"`
	MaDKBDMoi   string `json:"maDKBDMoi"`
	TenDKBDMoi  string `json:"tenDKBDMoi"`
}

// Effective returns the card to use: the new card when one was issued
// (003/004 carry maTheMoi), otherwise the card itself.
func (c Card) Effective() Card {
	if c.MaTheMoi == "" {
		return c
	}
	n := c
	n.MaTheCu, n.MaThe = c.MaThe, c.MaTheMoi
	n.GtTheTu, n.GtTheDen = pick(c.GtTheTuMoi, c.GtTheTu), pick(c.GtTheDenMoi, c.GtTheDen)
	n.MaDKBD = pick(c.MaDKBDMoi, c.MaDKBD)
	return n
}

func pick(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// ValidFrom parses GtTheTu (zero if absent or malformed).
func (c Card) ValidFrom() time.Time { return parseDate(c.GtTheTu) }

// ValidTo parses GtTheDen (zero if absent or malformed).
func (c Card) ValidTo() time.Time { return parseDate(c.GtTheDen) }

// LogValue implements slog.LogValuer: only non-personal fields are logged.
func (c Card) LogValue() slog.Value {
	return slog.GroupValue(slog.String("maDKBD", c.MaDKBD), slog.Bool("new_card", c.MaTheMoi != ""))
}

func parseDate(s string) time.Time {
	t, err := time.Parse(DateLayout, strings.TrimSpace(s))
	if err != nil {
		return time.Time{}
	}
	return t
}

// Result is the outcome of a lookup: the code, what it means and the card.
type Result struct {
	Code string // maKetQua; "" when no code was obtained
	Meaning
	Card Card
	// Note is the service's ghiChu. It may contain personal data: show it
	// to staff only, never log it.
	Note string
}

// Client talks to the check-card service. It is safe for concurrent use.
type Client struct {
	cfg Config
	hc  *http.Client
	log *slog.Logger

	mu    sync.Mutex
	token token
}

type token struct {
	access, id string
	expires    time.Time
}

// New makes a Client.
func New(cfg Config) (*Client, error) {
	if _, err := url.Parse(cfg.BaseURL); err != nil || !strings.HasPrefix(cfg.BaseURL, "http") {
		return nil, fmt.Errorf("bhyt: base URL %q: %w", cfg.BaseURL, ErrInvalid)
	}
	if cfg.Username == "" || cfg.StaffName == "" || cfg.StaffID == "" {
		return nil, fmt.Errorf("bhyt: username, staff name and staff ID are required: %w", ErrInvalid)
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 10 * time.Second
	}
	if cfg.RefreshBefore <= 0 {
		cfg.RefreshBefore = time.Minute
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
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
	return &Client{cfg: cfg, hc: hc, log: lg.With("component", "bhyt")}, nil
}

// Check looks a card up. It always returns a usable Result: when no result
// code could be obtained the Result is ClassUnavailable (DescribeFailure)
// and the error wraps ErrUnavailable or ErrAuth. A result code, whatever it
// says, is not an error.
func (c *Client) Check(ctx context.Context, q Query) (Result, error) {
	if err := q.validate(); err != nil {
		return Result{Meaning: unavailable}, err
	}
	ctx, cancel := context.WithTimeout(ctx, c.cfg.Timeout)
	defer cancel()
	start := c.cfg.Now()
	r, err := c.check(ctx, q)
	if err != nil {
		c.log.Warn("bhyt: lookup failed", "err", err, "elapsed", c.cfg.Now().Sub(start))
		return Result{Meaning: unavailable}, err
	}
	c.log.Info("bhyt: lookup", "code", r.Code, "class", r.Class, "card", r.Card)
	return r, nil
}

func (q Query) validate() error {
	n := len(q.MaThe)
	if (n != 12 && n != 15) || strings.TrimSpace(q.Name) == "" || q.DOB.IsZero() {
		return fmt.Errorf("bhyt: maThe must be 12 or 15 characters, name and date of birth set: %w", ErrInvalid)
	}
	return nil
}

// check runs the lookup, renewing the token once on an authentication error.
func (c *Client) check(ctx context.Context, q Query) (Result, error) {
	for attempt := 0; ; attempt++ {
		tok, err := c.currentToken(ctx)
		if err != nil {
			return Result{}, err
		}
		r, err := c.lookup(ctx, tok, q)
		if errors.Is(err, errTokenRejected) {
			c.invalidate(tok)
			if attempt == 0 {
				continue
			}
			return Result{}, fmt.Errorf("bhyt: lookup: token refused twice: %w", ErrAuth)
		}
		return r, err
	}
}

var errTokenRejected = errors.New("bhyt: token rejected")

func (c *Client) currentToken(ctx context.Context) (token, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.token.access != "" && c.cfg.Now().Add(c.cfg.RefreshBefore).Before(c.token.expires) {
		return c.token, nil
	}
	t, err := c.fetchToken(ctx)
	if err != nil {
		return token{}, err
	}
	c.token = t
	return t, nil
}

func (c *Client) invalidate(t token) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.token.access == t.access {
		c.token = token{}
	}
}

// passwordDigest is the MD5 hex digest the service expects instead of the
// clear-text password.
func (c *Client) passwordDigest() string {
	sum := md5.Sum([]byte(c.cfg.Password))
	return hex.EncodeToString(sum[:])
}

type tokenRequest struct {
	Username string `json:"username"`
	Password string `json:"password"`
}

// TokenReply is the token endpoint's answer.
type TokenReply struct {
	MaKetQua string `json:"maKetQua"`
	APIKey   struct {
		AccessToken string `json:"access_token"`
		IDToken     string `json:"id_token"`
		TokenType   string `json:"token_type"`
		Username    string `json:"username"`
		ExpiresIn   string `json:"expires_in"` // RFC 3339 time, or seconds
	} `json:"APIKey"`
}

func (c *Client) fetchToken(ctx context.Context) (token, error) {
	body, _ := json.Marshal(tokenRequest{Username: c.cfg.Username, Password: c.passwordDigest()})
	status, b, err := c.post(ctx, c.cfg.BaseURL+TokenPath, body)
	if err != nil {
		return token{}, fmt.Errorf("bhyt: token: %w", err)
	}
	if status == http.StatusUnauthorized || status == http.StatusForbidden {
		return token{}, fmt.Errorf("bhyt: token: HTTP %d: %w", status, ErrAuth)
	}
	if status != http.StatusOK {
		return token{}, fmt.Errorf("bhyt: token: HTTP %d: %w", status, ErrUnavailable)
	}
	return c.parseToken(b)
}

func (c *Client) parseToken(b []byte) (token, error) {
	var r TokenReply
	if err := json.Unmarshal(b, &r); err != nil {
		return token{}, fmt.Errorf("bhyt: token: malformed reply: %w", ErrUnavailable)
	}
	switch {
	case r.MaKetQua == "401":
		return token{}, fmt.Errorf("bhyt: token: credentials refused: %w", ErrAuth)
	case r.MaKetQua != "200" || r.APIKey.AccessToken == "" || len(r.APIKey.AccessToken) > 8192 || len(r.APIKey.IDToken) > 8192:
		return token{}, fmt.Errorf("bhyt: token: maKetQua %q without a usable token: %w", clip(r.MaKetQua), ErrUnavailable)
	}
	return token{access: r.APIKey.AccessToken, id: r.APIKey.IDToken, expires: c.expiry(r.APIKey.ExpiresIn)}, nil
}

// expiry interprets expires_in: an RFC 3339 time, or a number of seconds;
// anything else is treated as a short-lived token (5 minutes).
func (c *Client) expiry(s string) time.Time {
	s = strings.TrimSpace(s)
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t
	}
	var secs int64
	if _, err := fmt.Sscanf(s, "%d", &secs); err == nil && secs > 0 && secs < 7*24*3600 {
		return c.cfg.Now().Add(time.Duration(secs) * time.Second)
	}
	return c.cfg.Now().Add(5 * time.Minute)
}

// LookupRequest is the body of a KQNhanLichSuKCB2024 request.
type LookupRequest struct {
	MaThe    string `json:"maThe"`
	HoTen    string `json:"hoTen"`
	NgaySinh string `json:"ngaySinh"`
	HoTenCb  string `json:"hoTenCb"`
	CccdCb   string `json:"cccdCb"`
}

// LookupReply is the service's answer (visit history lists are ignored).
type LookupReply struct {
	MaKetQua string `json:"maKetQua"`
	GhiChu   string `json:"ghiChu"`
	Card
}

func (c *Client) lookup(ctx context.Context, tok token, q Query) (Result, error) {
	body, _ := json.Marshal(LookupRequest{
		MaThe: q.MaThe, HoTen: q.Name, NgaySinh: q.DOB.Format(DateLayout),
		HoTenCb: c.cfg.StaffName, CccdCb: c.cfg.StaffID,
	})
	v := url.Values{"token": {tok.access}, "id_token": {tok.id}, "username": {c.cfg.Username}, "password": {c.passwordDigest()}}
	status, b, err := c.post(ctx, c.cfg.BaseURL+LookupPath+"?"+v.Encode(), body)
	switch {
	case err != nil:
		return Result{}, fmt.Errorf("bhyt: lookup: %w", err)
	case status == http.StatusUnauthorized:
		return Result{}, errTokenRejected
	case status != http.StatusOK:
		return Result{}, fmt.Errorf("bhyt: lookup: HTTP %d: %w", status, ErrUnavailable)
	}
	r, err := ParseLookup(b)
	if err != nil {
		return Result{}, err
	}
	if r.Code == "401" {
		return Result{}, errTokenRejected
	}
	return r, nil
}

// ParseLookup decodes a lookup reply. Hostile input yields an error wrapping
// ErrUnavailable, never a panic.
func ParseLookup(b []byte) (Result, error) {
	if len(b) > maxBody {
		return Result{}, fmt.Errorf("bhyt: lookup: reply of %d bytes: %w", len(b), ErrUnavailable)
	}
	var r LookupReply
	if err := json.Unmarshal(b, &r); err != nil {
		return Result{}, fmt.Errorf("bhyt: lookup: malformed reply: %w", ErrUnavailable)
	}
	if !validCode(r.MaKetQua) {
		return Result{}, fmt.Errorf("bhyt: lookup: maKetQua %q is not 3 digits: %w", clip(r.MaKetQua), ErrUnavailable)
	}
	return Result{Code: r.MaKetQua, Meaning: Describe(r.MaKetQua), Card: r.Card, Note: r.GhiChu}, nil
}

func validCode(s string) bool {
	if len(s) != 3 {
		return false
	}
	for i := 0; i < 3; i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// clip bounds a server-supplied string before it goes into an error.
func clip(s string) string {
	if len(s) > 16 {
		return s[:16] + "…"
	}
	return s
}

// post sends a JSON body and returns the status and a bounded body.
// Transport errors and timeouts wrap ErrUnavailable.
func (c *Client) post(ctx context.Context, u string, body []byte) (int, []byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, bytes.NewReader(body))
	if err != nil {
		return 0, nil, fmt.Errorf("%v: %w", err, ErrInvalid)
	}
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	req.Header.Set("Accept", "application/json")
	resp, err := c.hc.Do(req)
	if err != nil {
		return 0, nil, fmt.Errorf("%w: %w", ErrUnavailable, stripURL(err))
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxBody+1))
	if err != nil {
		return 0, nil, fmt.Errorf("%w: reading reply: %w", ErrUnavailable, stripURL(err))
	}
	return resp.StatusCode, b, nil
}

// stripURL removes the request URL (it carries the token and password
// digest) from a transport error.
func stripURL(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

// BenefitLevel is the benefit level (mức hưởng) printed in the card number
// (maThe): its third character, 1 to 5 (Decree 146/2018/NĐ-CP, Art. 14;
// BHXH Decision 1666/QĐ-BHXH on the card code). 0 when the number does not
// carry one (looked up by CCCD number, or malformed).
func (c Card) BenefitLevel() int {
	if len(c.MaThe) < 3 {
		return 0
	}
	if d := c.MaThe[2]; d >= '1' && d <= '5' {
		return int(d - '0')
	}
	return 0
}

// BenefitPercent is the share of a covered examination health insurance
// pays at a benefit level, in percent: levels 1, 2 and 5 pay 100 %, level 3
// 95 %, level 4 80 % (Law on Health Insurance, Art. 22). 0 for an unknown
// level: the kiosk cannot tell the patient's part.
func BenefitPercent(level int) int {
	switch level {
	case 1, 2, 5:
		return 100
	case 3:
		return 95
	case 4:
		return 80
	}
	return 0
}

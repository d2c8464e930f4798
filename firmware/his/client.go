package his

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

	"github.com/kiosk06/kiosk/payments/tariff"
)

// Paths of the adapter protocol.
const (
	ClinicsPath = "/v1/clinics"
	VisitsPath  = "/v1/visits"
)

// Bounds on replies (hostile input).
const (
	maxBody    = 1 << 20
	maxClinics = 500
	maxFees    = 200
)

// Config configures a Client.
type Config struct {
	BaseURL    string
	Token      string        // bearer token
	Timeout    time.Duration // per request (default 15 s)
	HTTPClient *http.Client
	Logger     *slog.Logger
}

// Client is the HTTP JSON implementation of HIS. Safe for concurrent use.
type Client struct {
	cfg Config
	hc  *http.Client
	log *slog.Logger
}

var _ HIS = (*Client)(nil)

// New makes a Client.
func New(cfg Config) (*Client, error) {
	if u, err := url.Parse(cfg.BaseURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("his: base URL %q: %w", cfg.BaseURL, ErrInvalid)
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
	return &Client{cfg: cfg, hc: hc, log: lg.With("component", "his")}, nil
}

// ClinicsReply is the body of GET /v1/clinics.
type ClinicsReply struct {
	Clinics []Clinic `json:"clinics"`
}

// Clinics lists the clinics open for registration.
func (c *Client) Clinics(ctx context.Context) ([]Clinic, error) {
	b, err := c.do(ctx, http.MethodGet, ClinicsPath, nil, "")
	if err != nil {
		return nil, fmt.Errorf("his: clinics: %w", err)
	}
	return ParseClinics(b)
}

// ParseClinics decodes a clinic list, checking every entry.
func ParseClinics(b []byte) ([]Clinic, error) {
	var r ClinicsReply
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, fmt.Errorf("his: clinics: %w", ErrBadResponse)
	}
	if len(r.Clinics) > maxClinics {
		return nil, fmt.Errorf("his: clinics: %d entries: %w", len(r.Clinics), ErrBadResponse)
	}
	for i, k := range r.Clinics {
		if k.Code == "" || len(k.Code) > 32 || k.Name == "" || len(k.Name) > 256 || len(k.Room) > 256 || k.Fee < 0 {
			return nil, fmt.Errorf("his: clinics: entry %d malformed: %w", i, ErrBadResponse)
		}
	}
	return r.Clinics, nil
}

// FeeLineJSON is a fee line on the wire.
type FeeLineJSON struct {
	Code          string `json:"code"`
	Name          string `json:"name"`
	Quantity      int64  `json:"quantity"`
	UnitPrice     int64  `json:"unit_price"`
	InsurancePays int64  `json:"insurance_pays"`
	PatientPays   int64  `json:"patient_pays"`
}

// VisitReply is the body answering POST /v1/visits.
type VisitReply struct {
	VisitNumber string        `json:"visit_number"`
	Fees        []FeeLineJSON `json:"fees"`
}

// Register registers a visit; the Idempotency-Key header makes a retry safe.
func (c *Client) Register(ctx context.Context, v Visit) (Registration, error) {
	if v.IdempotencyKey == "" || v.HoTen == "" || v.SoCCCD == "" || v.MaKhoa == "" || v.MaLoaiKCB == "" {
		return Registration{}, fmt.Errorf("his: register: idempotency key, HO_TEN, SO_CCCD, MA_KHOA and MA_LOAI_KCB are required: %w", ErrInvalid)
	}
	body, err := json.Marshal(v)
	if err != nil {
		return Registration{}, fmt.Errorf("his: register: %w", ErrInvalid)
	}
	b, err := c.do(ctx, http.MethodPost, VisitsPath, body, v.IdempotencyKey)
	if err != nil {
		return Registration{}, fmt.Errorf("his: register: %w", err)
	}
	r, err := ParseVisit(b)
	if err != nil {
		return Registration{}, err
	}
	c.log.Info("his: visit registered", "visit", v)
	return r, nil
}

// ParseVisit decodes a registration answer.
func ParseVisit(b []byte) (Registration, error) {
	var r VisitReply
	if err := json.Unmarshal(b, &r); err != nil {
		return Registration{}, fmt.Errorf("his: register: %w", ErrBadResponse)
	}
	if r.VisitNumber == "" || len(r.VisitNumber) > 64 || len(r.Fees) > maxFees {
		return Registration{}, fmt.Errorf("his: register: missing visit number or too many fees: %w", ErrBadResponse)
	}
	out := Registration{VisitNumber: r.VisitNumber, Fees: make([]tariff.FeeLine, 0, len(r.Fees))}
	for _, l := range r.Fees {
		if len(l.Name) > 256 || len(l.Code) > 64 {
			return Registration{}, fmt.Errorf("his: register: fee line too long: %w", ErrBadResponse)
		}
		out.Fees = append(out.Fees, tariff.FeeLine{Code: l.Code, Name: l.Name, Quantity: l.Quantity,
			UnitPrice: tariff.VND(l.UnitPrice), InsurancePays: tariff.VND(l.InsurancePays), PatientPays: tariff.VND(l.PatientPays)})
	}
	if _, err := tariff.HospitalBill(out.Fees); err != nil {
		return Registration{}, fmt.Errorf("his: register: %w: %w", ErrBadResponse, err)
	}
	return out, nil
}

// do sends one request and classifies the status.
func (c *Client) do(ctx context.Context, method, path string, body []byte, key string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, c.cfg.Timeout)
	defer cancel()
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.cfg.BaseURL+path, rd)
	if err != nil {
		return nil, fmt.Errorf("%v: %w", err, ErrInvalid)
	}
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json; charset=utf-8")
	}
	if c.cfg.Token != "" {
		req.Header.Set("Authorization", "Bearer "+c.cfg.Token)
	}
	if key != "" {
		req.Header.Set("Idempotency-Key", key)
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return nil, fmt.Errorf("%w: %w", ErrUnavailable, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxBody+1))
	if err != nil {
		return nil, fmt.Errorf("%w: reading reply: %w", ErrUnavailable, err)
	}
	switch {
	case len(b) > maxBody:
		return nil, fmt.Errorf("reply over %d bytes: %w", maxBody, ErrBadResponse)
	case resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusForbidden:
		return nil, fmt.Errorf("HTTP %d: %w", resp.StatusCode, ErrUnauthorized)
	case resp.StatusCode >= 500 || resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusRequestTimeout:
		return nil, fmt.Errorf("HTTP %d: %w", resp.StatusCode, ErrUnavailable)
	case resp.StatusCode >= 400:
		return nil, fmt.Errorf("HTTP %d: %w", resp.StatusCode, ErrRejected)
	case resp.StatusCode < 200 || resp.StatusCode > 299:
		return nil, fmt.Errorf("HTTP %d: %w", resp.StatusCode, ErrBadResponse)
	}
	return b, nil
}
